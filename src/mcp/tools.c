/* The tool table of the MCP server and the Pyroscope tools: one parameter table per
 * tool feeds both the advertised inputSchema and the argument checks, so they cannot
 * drift. Names, parameters and defaults of the list/fetch tools are mcp-grafana's.
 * Bad arguments and upstream failures are isError results whose text says what to do
 * next; only a malformed tools/call is a protocol error. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcp/internal.h"
#include "base/base.h"
#include "fetch/pyroscope.h"
#include "fetch/timespec.h"
#include "report/report.h"

/* Tool text cap: quotes and newlines escaped, a DOT stays well under PD_MCP_MAX_MESSAGE
 * (text full of control bytes could still pass it: that reply becomes a -32603). */
#define TEXT_LIMIT ((size_t)3 << 20)

static const pd_escape clean = {.bad = "\xef\xbf\xbd", .keep_controls = true};

bool pd_mcp_put(cJSON *o, const char *key, cJSON *item)
{
	bool ok = o && item && (key ? cJSON_AddItemToObject(o, key, item) : cJSON_AddItemToArray(o, item));
	if (!ok)
		cJSON_Delete(item);
	return ok;
}

cJSON *pd_mcp_str(const char *s)
{
	pd_buf b;
	pd_buf_init(&b, 0);
	cJSON *r = NULL;
	if (pd_put_escaped(&b, s ? s : "", &clean) && pd_buf_puts(&b, ""))
		r = cJSON_CreateString(b.data);
	pd_buf_fini(&b);
	return r;
}

bool pd_mcp_add_str(cJSON *o, const char *key, const char *s)
{
	return pd_mcp_put(o, key, pd_mcp_str(s));
}

void pd_mcp_fail(call *c, const char *fmt, ...)
{
	va_list ap;
	c->text.len = 0;
	c->text.failed = c->text.over_limit = false;
	if (c->text.data)
		c->text.data[0] = '\0';
	char line[2048];
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	pd_buf_puts(&c->text, line);
	cJSON_Delete(c->structured);
	c->structured = NULL;
	c->is_error = true;
}

const char *pd_mcp_arg_str(const call *c, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->args, name);
	return cJSON_IsString(v) && v->valuestring[strspn(v->valuestring, " \t")] ? v->valuestring
										 : NULL;
}

bool pd_mcp_arg_int(const call *c, const char *name, long *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->args, name);
	if (!cJSON_IsNumber(v))
		return false;
	*out = (long)v->valuedouble;
	return true;
}

bool pd_mcp_arg_num(const call *c, const char *name, double *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->args, name);
	if (!cJSON_IsNumber(v))
		return false;
	*out = v->valuedouble;
	return true;
}

bool pd_mcp_arg_bool(const call *c, const char *name, bool dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->args, name);
	return cJSON_IsBool(v) ? cJSON_IsTrue(v) : dflt;
}

/* ---- targets: where a Pyroscope call goes ----------------------------------------- */

static bool parse_time(call *c, const char *name, int64_t now, int64_t *out)
{
	pd_error e;
	const char *v = pd_mcp_arg_str(c, name);
	if (!v)
		return true;
	if (pd_time_parse(name, v, now, out, &e) == PD_OK)
		return true;
	pd_mcp_fail(c, "%s: \"%s\" is not a time; use RFC 3339 with a zone (2026-05-01T10:00:00Z), "
		       "now, now-1h, or Unix seconds/milliseconds",
		    name, v);
	return false;
}

bool pd_mcp_target_init(call *c, pd_mcp_target *t, const char *mname)
{
	const pd_mcp_config *cfg = &c->s->cfg;
	const char *uid = pd_mcp_arg_str(c, "data_source_uid");
	pd_error e;
	memset(t, 0, sizeof *t);
	if (!uid)
		uid = cfg->datasource;
	t->http = cfg->http;
	if (uid) {
		if (!cfg->grafana_url) {
			pd_mcp_fail(c, "data_source_uid \"%s\" needs a Grafana URL, and this server has "
				       "none: omit data_source_uid to query the configured Pyroscope, or "
				       "restart profdiff mcp with GRAFANA_URL set",
				    uid);
			return false;
		}
		t->http.url = cfg->grafana_url;
		t->http.datasource = uid;
		t->http.tenant = NULL;
	} else {
		if (!cfg->pyroscope_url) {
			pd_mcp_fail(c, "no Pyroscope URL is configured: pass data_source_uid (a Grafana "
				       "Pyroscope data source), or restart profdiff mcp with --url or "
				       "PROFDIFF_URL");
			return false;
		}
		t->http.url = cfg->pyroscope_url;
		t->http.datasource = NULL;
	}
	int64_t now = pd_time_now_ms(), end = now, start;
	if (!parse_time(c, "end_rfc_3339", now, &end))
		return false;
	start = end - 3600000; /* mcp-grafana: the hour before end */
	if (!parse_time(c, "start_rfc_3339", now, &start))
		return false;
	if (start >= end) {
		char a[32], b[32];
		pd_mcp_fail(c, "start timestamp \"%s\" must be strictly before end timestamp \"%s\"",
			    pd_time_format(start, a), pd_time_format(end, b));
		return false;
	}
	t->from_ms = start;
	t->to_ms = end;
	if (mname && !(t->matchers = pd_pyro_matchers(pd_mcp_arg_str(c, mname)))) {
		pd_mcp_fail(c, "out of memory");
		return false;
	}
	if (t->http.datasource && pd_pyro_preflight(&t->http, &e) != PD_OK) {
		pd_mcp_fail(c, "%s. List the data sources in Grafana, or omit data_source_uid.", e.msg);
		return false;
	}
	return true;
}

void pd_mcp_target_fini(pd_mcp_target *t)
{
	pd_free(t->matchers);
	t->matchers = NULL;
}

bool pd_mcp_check_type(call *c, const char *type)
{
	size_t colons = 0;
	for (const char *p = type; *p; p++)
		colons += *p == ':';
	if ((colons == 4 || colons == 5) && !strpbrk(type, "{} \t\"")) /* 5: with an ID prefix */
		return true;
	pd_mcp_fail(c, "profile_type \"%s\" is not name:sample_type:sample_unit:period_type:"
		       "period_unit (e.g. process_cpu:cpu:nanoseconds:cpu:nanoseconds); call "
		       "list_pyroscope_profile_types for the ones this server has",
		    type);
	return false;
}

void pd_mcp_fetch_failed(call *c, const char *what, const pd_error *e)
{
	const char *m = e->msg, *hint;
	if (e->code == PD_ENODATA)
		hint = "No samples matched. Check profile_type with list_pyroscope_profile_types and "
		       "the selector with list_pyroscope_label_values (name=service_name), or widen "
		       "the time window.";
	else if (strstr(m, " 401") || strstr(m, " 403"))
		hint = "The server refused the credentials; they are configured where profdiff mcp "
		       "was started (PROFDIFF_TOKEN, GRAFANA_SERVICE_ACCOUNT_TOKEN), not per call.";
	else if (strstr(m, "timed out") || strstr(m, "timeout") || strstr(m, "Timeout"))
		hint = "The server did not answer in time: retry with a shorter window or a narrower "
		       "selector.";
	else if (strstr(m, "larger than"))
		hint = "The answer is too large: narrow the selector, shorten the window or lower "
		       "max_node_depth.";
	else if (strstr(m, " 400") || strstr(m, "invalid"))
		hint = "The server rejected the query: check profile_type "
		       "(list_pyroscope_profile_types) and the matchers syntax, e.g. "
		       "{service_name=\"api\"}.";
	else if (strstr(m, " 5"))
		hint = "The server failed: retry later, or narrow the query.";
	else
		hint = "Check that the Pyroscope/Grafana server is reachable, then retry.";
	pd_mcp_fail(c, "%s failed: %s. %s", what, m, hint);
}

/* ---- the list and fetch tools ---------------------------------------------------- */

static void put_list(call *c, const pd_strlist *l)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; a && i < l->n; i++)
		if (!pd_mcp_put(a, NULL, pd_mcp_str(l->v[i]))) {
			cJSON_Delete(a);
			a = NULL;
		}
	char *s = a ? cJSON_PrintUnformatted(a) : NULL;
	if (!s || !pd_buf_puts(&c->text, s))
		pd_mcp_fail(c, "out of memory or list too large: narrow the selector or the window");
	cJSON_free(s);
	cJSON_Delete(a);
}

static void run_list(call *c, int which)
{
	pd_mcp_target t;
	pd_strlist l = {0};
	pd_error e;
	pd_status st;
	static const char *const what[] = {"ProfileTypes", "LabelNames", "LabelValues"};
	const char *name = pd_mcp_arg_str(c, "name");
	char *trimmed = NULL;
	if (which == 2 && !name) {
		pd_mcp_fail(c, "name is required: the label whose values to list, e.g. service_name");
		return;
	}
	if (!pd_mcp_target_init(c, &t, which ? "matchers" : NULL))
		goto out;
	if (which == 0)
		st = pd_pyro_profile_types(&t.http, t.from_ms, t.to_ms, &l, &e);
	else if (which == 1)
		st = pd_pyro_label_names(&t.http, t.matchers, t.from_ms, t.to_ms, &l, &e);
	else if (!(trimmed = pd_strdup(name + strspn(name, " \t")))) /* trimmed, like mcp-grafana */
		st = pd_error_oom(&e);
	else {
		for (size_t k = strlen(trimmed); k && strchr(" \t", trimmed[k - 1]); k--)
			trimmed[k - 1] = '\0';
		st = pd_pyro_label_values(&t.http, trimmed, t.matchers, t.from_ms, t.to_ms, &l, &e);
	}
	if (st != PD_OK)
		pd_mcp_fetch_failed(c, what[which], &e);
	else
		put_list(c, &l);
out:
	pd_free(trimmed);
	pd_strlist_fini(&l);
	pd_mcp_target_fini(&t);
}

static void tool_types(call *c) { run_list(c, 0); }
static void tool_names(call *c) { run_list(c, 1); }
static void tool_values(call *c) { run_list(c, 2); }

/* Renders the window's DOT into out; false after pd_mcp_fail. */
static bool render(call *c, pd_mcp_target *t, pd_buf *out)
{
	const char *type = pd_mcp_arg_str(c, "profile_type");
	long max_nodes = 0;
	pd_error e;
	if (!type) {
		pd_mcp_fail(c, "profile_type is required; call list_pyroscope_profile_types first");
		return false;
	}
	if (!pd_mcp_check_type(c, type) || !pd_mcp_target_init(c, t, "matchers"))
		return false;
	pd_mcp_arg_int(c, "max_node_depth", &max_nodes); /* 0 or less: Pyroscope's 100 */
	if (pd_pyro_render(&t->http, type, t->matchers, t->from_ms, t->to_ms, max_nodes, out, &e)) {
		pd_mcp_fetch_failed(c, "render", &e);
		return false;
	}
	return true;
}

static void tool_fetch(call *c)
{
	pd_mcp_target t = {0};
	pd_buf dot;
	pd_buf_init(&dot, TEXT_LIMIT);
	if (render(c, &t, &dot) && !pd_buf_append(&c->text, dot.data, dot.len))
		pd_mcp_fail(c, "the profile is too large to return: lower max_node_depth or narrow "
			       "the matchers");
	pd_buf_fini(&dot);
	pd_mcp_target_fini(&t);
}

/* pprof-top-like table from the DOT: the profile joined with itself gives its rows. */
static bool top_table(call *c, const pd_buf *dot, pd_buf *out)
{
	pd_profile *p = NULL;
	pd_diff *d = NULL;
	pd_diff_opts o;
	pd_error e;
	pd_diff_opts_init(&o);
	if (pd_profile_parse("profile", dot->data, dot->len, &p, &e) != PD_OK ||
	    pd_diff_new(p, p, &o, &d, &e) != PD_OK) {
		pd_profile_free(p);
		pd_mcp_fail(c, "cannot read the profile Pyroscope returned: %s", e.msg);
		return false;
	}
	size_t *ix = pd_calloc(d->nrows ? d->nrows : 1, sizeof *ix), n = 0;
	for (size_t i = 0; ix && i < d->nrows; i++) {
		size_t j = n++;
		for (; j > 0 && d->rows[ix[j - 1]].base.flat < d->rows[i].base.flat; j--)
			ix[j] = ix[j - 1];
		ix[j] = i;
	}
	char f[32], cu[32];
	int64_t total = d->base_total, sum = 0;
	pd_buf_printf(out, "unit: %s, total: %s\n%10s %7s %7s %10s %7s  %s\n",
		      pd_unit_name(d->unit), pd_value_format(f, sizeof f, total, d->unit, false),
		      "flat", "flat%", "sum%", "cum", "cum%", "function");
	for (size_t k = 0; ix && k < n; k++) {
		const pd_diff_row *r = &d->rows[ix[k]];
		sum += r->base.flat;
		double t = total ? 100.0 / (double)total : 0;
		pd_buf_printf(out, "%10s %6.2f%% %6.2f%% %10s %6.2f%%  ",
			      pd_value_format(f, sizeof f, r->base.flat, d->unit, false),
			      (double)r->base.flat * t, (double)sum * t,
			      pd_value_format(cu, sizeof cu, r->base.cum, d->unit, false),
			      (double)r->base.cum * t);
		pd_put_escaped(out, r->name, &clean);
		pd_buf_puts(out, "\n");
	}
	bool ok = ix && !out->failed;
	pd_free(ix);
	pd_diff_free(d);
	pd_profile_free(p);
	if (!ok)
		pd_mcp_fail(c, "out of memory building the table");
	return ok;
}

static void tool_query(call *c)
{
	const char *qt = pd_mcp_arg_str(c, "query_type");
	const char *fmt = pd_mcp_arg_str(c, "format");
	bool dot_fmt = fmt && !strcmp(fmt, "dot");
	pd_mcp_target t = {0};
	pd_buf dot, prof;
	pd_buf_init(&dot, TEXT_LIMIT);
	pd_buf_init(&prof, TEXT_LIMIT);
	if (!qt)
		qt = "both";
	if (!strcmp(qt, "metrics")) {
		pd_mcp_fail(c, "query_type=metrics (time series from SelectSeries) is not supported "
			       "by profdiff; use query_type=profile, or diff_pyroscope_profiles to "
			       "compare two windows");
		goto out;
	}
	if (!render(c, &t, &dot) || (!dot_fmt && !top_table(c, &dot, &prof)))
		goto out;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "query_type", qt);
	pd_mcp_add_str(o, "profile", dot_fmt ? dot.data : prof.data);
	cJSON_AddNullToObject(o, "metrics");
	if (!strcmp(qt, "both") || pd_mcp_arg_str(c, "group_by") || pd_mcp_arg_str(c, "step"))
		cJSON_AddStringToObject(o, "note",
					"metrics are not supported by profdiff (group_by and step "
					"are ignored); the table is built from the DOT render of "
					"the top max_node_depth nodes, with its rounded values");
	char *s = cJSON_PrintUnformatted(o);
	if (!s || !pd_buf_puts(&c->text, s))
		pd_mcp_fail(c, "the profile is too large to return: lower max_node_depth");
	cJSON_free(s);
	cJSON_Delete(o);
out:
	pd_buf_fini(&prof);
	pd_buf_fini(&dot);
	pd_mcp_target_fini(&t);
}

/* ---- the table -------------------------------------------------------------------- */

static const param p_types[] = {P_UID, P_START, P_END, {0}};
static const param p_names[] = {P_UID, P_MATCHERS, P_START, P_END, {0}};
static const param p_values[] = {
	P_UID, {"name", P_STR, true, "Label name, e.g. service_name", NULL}, P_MATCHERS, P_START,
	P_END, {0}};
static const param p_fetch[] = {P_UID, P_TYPE, P_MATCHERS, P_DEPTH, P_START, P_END, {0}};
static const char *const qtypes[] = {"profile", "metrics", "both", NULL};
static const char *const qformats[] = {"table", "dot", NULL};
static const param p_query[] = {
	P_UID, P_TYPE, P_MATCHERS, P_DEPTH, P_START, P_END,
	{"query_type", P_STR, false, "profile, metrics or both (default both; metrics are not "
				     "supported and come back as null)", qtypes},
	{"format", P_STR, false, "table (default: flat/cum per function) or dot", qformats},
	{"group_by", P_STR, false, "Label to group metrics by (metrics only; ignored)", NULL},
	{"step", P_STR, false, "Metrics step (metrics only; ignored)", NULL},
	{0}};

const tool pd_mcp_tools[] = {
	{"list_pyroscope_profile_types", "List profile types",
	 "Profile types with data in the window (default: the last hour), as a JSON list of "
	 "name:sample_type:sample_unit:period_type:period_unit. Step 2 of the workflow: after "
	 "finding the service with list_pyroscope_label_values, pick a type here (CPU: "
	 "process_cpu:cpu:nanoseconds:cpu:nanoseconds; memory: memory:alloc_space:bytes:space:bytes).",
	 p_types, tool_types, NULL, false},
	{"list_pyroscope_label_names", "List label names",
	 "Label names of the series matching the selector in the window, as a JSON list "
	 "(internal __names__ included).",
	 p_names, tool_names, NULL, false},
	{"list_pyroscope_label_values", "List label values",
	 "Values of one label among the series matching the selector, as a JSON list. Start "
	 "here: name=service_name lists the services; then list_pyroscope_profile_types, then "
	 "diff_pyroscope_profiles.",
	 p_values, tool_values, NULL, false},
	{"fetch_pyroscope_profile", "Fetch a profile (DOT)",
	 "One window's profile as Graphviz DOT, exactly as Pyroscope renders it (values in the "
	 "profile's unit; the legend gives the total). To find what changed between two "
	 "windows, do not compare two DOT graphs yourself: call diff_pyroscope_profiles.",
	 p_fetch, tool_fetch, NULL, false},
	{"query_pyroscope", "Query a profile",
	 "One window's profile as a flat/cum table per function (format=table, default) or as "
	 "DOT, in JSON {query_type, profile, metrics}. The table is built from the DOT render "
	 "(top max_node_depth nodes). Metrics (SelectSeries) are not supported: metrics is null.",
	 p_query, tool_query, NULL, false},
	{"diff_pyroscope_profiles", "Diff two Pyroscope windows",
	 "What got slower? Fetches a baseline and a problem window of one profile type and "
	 "compares them per function. The problem window is start_rfc_3339..end_rfc_3339 "
	 "(default: the last hour); the baseline is given explicitly or by preset (default: the "
	 "window of the same length just before). Returns a Markdown verdict with the top "
	 "changes and structured data. Deltas are problem minus baseline in the profile's unit "
	 "(nanoseconds of CPU, bytes...): positive = more in the problem window (slower, more "
	 "memory), negative = less. flat = the function itself, cum = with its callees. Rows "
	 "with status hidden were trimmed from one side: their delta is an interval.",
	 pd_mcp_p_diff_pyro, pd_mcp_tool_diff_pyroscope, pd_mcp_diff_schema, false},
	{"diff_dot_profiles", "Diff two DOT profiles",
	 "Compares two profiles given as DOT text (pprof -dot, Pyroscope format=dot, or "
	 "fetch_pyroscope_profile's output) per function. Same result and sign convention as "
	 "diff_pyroscope_profiles: delta = new minus base.",
	 pd_mcp_p_diff_dot, pd_mcp_tool_diff_dot, pd_mcp_diff_schema, true},
	{"diff_profile_files", "Diff two DOT profile files",
	 "Compares two DOT profile files on the server's disk, only under the directories the "
	 "server was started with (--allow-dir). Same result as diff_dot_profiles.",
	 pd_mcp_p_diff_files, pd_mcp_tool_diff_files, pd_mcp_diff_schema, true},
};
const size_t pd_mcp_ntools = sizeof pd_mcp_tools / sizeof pd_mcp_tools[0];

static cJSON *input_schema(const tool *t)
{
	cJSON *s = cJSON_CreateObject(), *props, *req;
	cJSON_AddStringToObject(s, "type", "object");
	props = cJSON_AddObjectToObject(s, "properties");
	req = cJSON_CreateArray();
	for (const param *p = t->params; p->name; p++) {
		cJSON *o = cJSON_AddObjectToObject(props, p->name);
		cJSON_AddStringToObject(o, "type", p->type == P_STR   ? "string"
						  : p->type == P_INT ? "integer"
						  : p->type == P_NUM ? "number"
								     : "boolean");
		cJSON_AddStringToObject(o, "description", p->desc);
		if (p->choices) {
			cJSON *e = cJSON_AddArrayToObject(o, "enum");
			for (const char *const *ch = p->choices; *ch; ch++)
				pd_mcp_put(e, NULL, cJSON_CreateString(*ch));
		}
		if (p->required)
			pd_mcp_put(req, NULL, cJSON_CreateString(p->name));
	}
	pd_mcp_put(s, "required", req);
	cJSON_AddBoolToObject(s, "additionalProperties", false);
	return s;
}

cJSON *pd_mcp_tools_list(int rank)
{
	cJSON *r = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(r, "tools");
	for (size_t i = 0; arr && i < pd_mcp_ntools; i++) {
		const tool *t = &pd_mcp_tools[i];
		cJSON *o = cJSON_CreateObject();
		pd_mcp_put(arr, NULL, o);
		cJSON_AddStringToObject(o, "name", t->name);
		if (rank >= RANK_2025_06_18)
			cJSON_AddStringToObject(o, "title", t->title);
		cJSON_AddStringToObject(o, "description", t->desc);
		pd_mcp_put(o, "inputSchema", input_schema(t));
		if (rank >= RANK_2025_06_18 && t->output_schema)
			pd_mcp_put(o, "outputSchema", t->output_schema());
		if (rank >= RANK_2025_03_26) {
			cJSON *a = cJSON_AddObjectToObject(o, "annotations");
			cJSON_AddBoolToObject(a, "readOnlyHint", true);
			cJSON_AddBoolToObject(a, "openWorldHint", !t->local);
		}
	}
	if (cJSON_GetArraySize(arr) != (int)pd_mcp_ntools) { /* an add failed: out of memory */
		cJSON_Delete(r);
		return NULL;
	}
	return r;
}

/* The argument checks the schema promises: known names, types, enums, required. */
static bool check_args(call *c, const tool *t)
{
	const cJSON *a;
	cJSON_ArrayForEach(a, c->args)
	{
		const param *p = t->params;
		while (p->name && strcmp(p->name, a->string))
			p++;
		if (!p->name) {
			pd_mcp_fail(c, "unknown argument \"%.100s\" for %s; see its inputSchema", a->string,
				    t->name);
			return false;
		}
		bool ok = p->type == P_STR   ? cJSON_IsString(a)
			  : p->type == P_BOOL ? cJSON_IsBool(a)
			  : p->type == P_NUM  ? cJSON_IsNumber(a)
					      : cJSON_IsNumber(a) && fabs(a->valuedouble) < 1e15 &&
							a->valuedouble == floor(a->valuedouble);
		if (!ok) {
			pd_mcp_fail(c, "%s must be %s", p->name,
				    p->type == P_STR    ? "a string"
				    : p->type == P_BOOL ? "true or false"
				    : p->type == P_NUM  ? "a number"
							: "an integer");
			return false;
		}
		if (p->choices) {
			const char *const *ch = p->choices;
			while (*ch && strcmp(*ch, a->valuestring))
				ch++;
			if (!*ch) {
				pd_mcp_fail(c, "%s: \"%.100s\" is not one of the allowed values (see the enum "
					       "in the inputSchema)", p->name, a->valuestring);
				return false;
			}
		}
	}
	for (const param *p = t->params; p->name; p++)
		if (p->required && !cJSON_GetObjectItemCaseSensitive(c->args, p->name)) {
			pd_mcp_fail(c, "%s is required: %s", p->name, p->desc);
			return false;
		}
	return true;
}

cJSON *pd_mcp_tools_call(const pd_mcp_server *s, int rank, const cJSON *params, char emsg[160])
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(params, "name");
	const cJSON *args = cJSON_GetObjectItemCaseSensitive(params, "arguments");
	if (!cJSON_IsString(name) || (args && !cJSON_IsObject(args))) {
		snprintf(emsg, 160, "Invalid params: tools/call needs a string name and an "
				    "arguments object");
		return NULL;
	}
	const tool *t = NULL;
	for (size_t i = 0; i < pd_mcp_ntools && !t; i++)
		if (!strcmp(pd_mcp_tools[i].name, name->valuestring))
			t = &pd_mcp_tools[i];
	if (!t) {
		snprintf(emsg, 160, "Unknown tool: %.100s", name->valuestring);
		return NULL;
	}
	cJSON *empty = args ? NULL : cJSON_CreateObject();
	call c = {.s = s, .args = args ? args : empty, .rank = rank};
	pd_buf_init(&c.text, TEXT_LIMIT);
	if (c.args && check_args(&c, t))
		t->run(&c);
	if (!c.is_error && c.text.failed)
		pd_mcp_fail(&c, "the result is too large: narrow the query or ask for fewer rows");
	if (c.is_error)
		pd_mcp_log(s, "tool %s: %.300s", t->name, c.text.data ? c.text.data : "");
	cJSON *r = cJSON_CreateObject(), *content = cJSON_AddArrayToObject(r, "content");
	cJSON *block = cJSON_CreateObject();
	pd_mcp_put(content, NULL, block);
	cJSON_AddStringToObject(block, "type", "text");
	pd_mcp_add_str(block, "text", c.text.data ? c.text.data : "");
	if (c.structured && rank >= RANK_2025_06_18 && !c.is_error) {
		pd_mcp_put(r, "structuredContent", c.structured);
		c.structured = NULL;
	}
	if (c.is_error)
		cJSON_AddBoolToObject(r, "isError", true);
	cJSON_Delete(c.structured);
	cJSON_Delete(empty);
	pd_buf_fini(&c.text);
	if (!cJSON_GetObjectItemCaseSensitive(block, "text")) { /* out of memory */
		cJSON_Delete(r);
		return NULL;
	}
	return r;
}
