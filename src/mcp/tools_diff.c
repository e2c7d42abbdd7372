/* The diff tools of the MCP server: two Pyroscope windows fetched concurrently, two DOT
 * texts, or two files under --allow-dir, all ending in one pipeline (parse, pd_diff_new)
 * that answers with a short Markdown verdict and structuredContent matching
 * pd_mcp_diff_schema, a subset of the JSON report. The default answer stays under about
 * 8 KB: rows are dropped until it fits, unless the caller asked for `top` rows. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gate/gate.h"
#include "mcp/internal.h"
#include "base/base.h"
#include "fetch/pyroscope.h"
#include "fetch/timespec.h"
#include "report/report.h"

#define BUDGET 8192     /* bytes of text + structuredContent by default */
#define TOP_DEFAULT 10
#define TOP_MAX 200
#define FILE_LIMIT ((size_t)64 << 20)

static const char *const by_choices[] = {"flat", "cum", NULL};
static const char *const norm_choices[] = {"none", "total", NULL};
static const char *const gran_choices[] = {"function", "line", NULL};
static const char *const presets[] = {"previous", "1h-before", "24h-before", "7d-before", NULL};

#define DIFF_OPTS \
	{"by", P_STR, false, "Rank by |delta| of flat (the function itself; default) or cum " \
			     "(with its callees)", by_choices}, \
	{"normalize", P_STR, false, "none (default) or total: scale the new side so both totals " \
				    "match, to compare shapes when the load differs", norm_choices}, \
	{"granularity", P_STR, false, "function (default) or line (file:line nodes)", gran_choices}, \
	{"focus", P_STR, false, "POSIX regex: keep only functions whose full name matches", NULL}, \
	{"ignore", P_STR, false, "POSIX regex: drop functions whose full name matches", NULL}, \
	{"top", P_INT, false, "Rows to return (1-200). Default 10, trimmed so the answer stays " \
			      "under about 8 KB; ask for more rows explicitly", NULL}, \
	{"fail_on_total", P_NUM, false, "Verdict: regression when the total grew by more than " \
					"this percent (default 5)", NULL}, \
	{"fail_on_increase", P_NUM, false, "Verdict: regression when one function's ranked " \
					   "metric grew by more than this percent of its own base " \
					   "(beyond rounding; new functions count; default off)", NULL}, \
	{"min_delta", P_STR, false, "Verdict: below this absolute change nothing fails, e.g. " \
				    "50ms, 2s, 10MB, 1000 (counts) or 0.5% of the base total", NULL}

const param pd_mcp_p_diff_pyro[] = {
	P_UID, P_TYPE,
	{"matchers", P_STR, false, "Selector of the problem side, e.g. {service_name=\"api\"}; "
				   "also the baseline's unless baseline_matchers is set. Default {}", NULL},
	{"baseline_matchers", P_STR, false, "Selector of the baseline side (e.g. another version "
					    "or canary); default: matchers", NULL},
	{"start_rfc_3339", P_STR, false, "Start of the problem window (RFC 3339 with a zone, "
					 "now-2h, Unix s/ms). Default: one hour before the end", NULL},
	{"end_rfc_3339", P_STR, false, "End of the problem window. Default: now", NULL},
	{"baseline", P_STR, false, "Baseline preset, a window of the problem's length: previous "
				   "(just before it; default), 1h-before, 24h-before, 7d-before "
				   "(the same window shifted back)", presets},
	{"baseline_start_rfc_3339", P_STR, false, "Explicit baseline start (overrides baseline)", NULL},
	{"baseline_end_rfc_3339", P_STR, false, "Explicit baseline end (overrides baseline)", NULL},
	P_DEPTH, DIFF_OPTS, {0}};
const param pd_mcp_p_diff_dot[] = {
	{"base_dot", P_STR, true, "Baseline profile as DOT text", NULL},
	{"new_dot", P_STR, true, "New (problem) profile as DOT text", NULL}, DIFF_OPTS, {0}};
const param pd_mcp_p_diff_files[] = {
	{"base_path", P_STR, true, "Baseline DOT file, under an --allow-dir directory", NULL},
	{"new_path", P_STR, true, "New (problem) DOT file, under an --allow-dir directory", NULL},
	DIFF_OPTS, {0}};

/* ---- output schema ---------------------------------------------------------------- */

static cJSON *prop(cJSON *props, const char *name, const char *type, const char *desc)
{
	cJSON *o = cJSON_AddObjectToObject(props, name);
	if (type[0] == '?') { /* nullable */
		cJSON *t = cJSON_AddArrayToObject(o, "type");
		pd_mcp_put(t, NULL, cJSON_CreateString(type + 1));
		pd_mcp_put(t, NULL, cJSON_CreateString("null"));
	} else {
		cJSON_AddStringToObject(o, "type", type);
	}
	if (desc)
		cJSON_AddStringToObject(o, "description", desc);
	return o;
}

static cJSON *obj(cJSON *o, const char *const *req)
{
	cJSON_AddStringToObject(o, "type", "object");
	cJSON *props = cJSON_AddObjectToObject(o, "properties");
	cJSON *r = cJSON_AddArrayToObject(o, "required");
	for (; *req; req++)
		pd_mcp_put(r, NULL, cJSON_CreateString(*req));
	return props;
}

static void vals_schema(cJSON *props, const char *name, const char *desc)
{
	static const char *const req[] = {"flat", "cum", NULL};
	cJSON *p = obj(cJSON_AddObjectToObject(props, name), req);
	prop(p, "flat", "integer", NULL);
	prop(p, "cum", "integer", NULL);
	cJSON_AddStringToObject(cJSON_GetObjectItem(props, name), "description", desc);
}

static void side_schema(cJSON *props, const char *name)
{
	static const char *const req[] = {"source", "total", "trimmed", NULL};
	cJSON *p = obj(cJSON_AddObjectToObject(props, name), req);
	prop(p, "source", "string", NULL);
	prop(p, "total", "integer", "total of the side in the unit (new side after normalize)");
	prop(p, "trimmed", "boolean", "nodes were left out of this input");
}

cJSON *pd_mcp_diff_schema(void)
{
	static const char *const top_req[] = {"verdict", "unit", "by", "base", "new", "net",
					       "top", "other", "warnings", "truncated", NULL};
	static const char *const v_req[] = {"status", "summary", "source", NULL};
	static const char *const net_req[] = {"delta", "pct", NULL};
	static const char *const row_req[] = {"rank", "name", "status", "base", "new", "delta",
					      "tol", "significant", "delta_pct", "share_base",
					      "share_new", NULL};
	static const char *const other_req[] = {"functions", "delta_flat", "share_base",
						"share_new", NULL};
	static const char *const statuses[] = {"pass", "regression", "inconclusive", NULL};
	cJSON *s = cJSON_CreateObject();
	cJSON *p = obj(s, top_req), *x;
	x = obj(cJSON_AddObjectToObject(p, "verdict"), v_req);
	cJSON *st = prop(x, "status", "string", NULL), *e = cJSON_AddArrayToObject(st, "enum");
	for (const char *const *v = statuses; *v; v++)
		pd_mcp_put(e, NULL, cJSON_CreateString(*v));
	prop(x, "summary", "string", NULL);
	prop(x, "source", "string", "what decided the verdict");
	prop(p, "unit", "string", "nanoseconds, bytes, count or nanogcu: every value below");
	prop(p, "by", "string", "the metric rows are ranked by");
	side_schema(p, "base");
	side_schema(p, "new");
	x = obj(cJSON_AddObjectToObject(p, "net"), net_req);
	prop(x, "delta", "integer", "new total minus base total");
	prop(x, "pct", "?number", "delta over the base total, in percent");
	prop(p, "windows", "object", "the fetched windows (diff_pyroscope_profiles only)");
	cJSON *rows = prop(p, "top", "array", "largest changes first");
	x = obj(cJSON_AddObjectToObject(rows, "items"), row_req);
	prop(x, "rank", "integer", NULL);
	prop(x, "name", "string", "full function name (or name file:line)");
	prop(x, "status", "string", "changed, unchanged, new, removed or hidden");
	vals_schema(x, "base", "baseline values");
	vals_schema(x, "new", "new values");
	vals_schema(x, "delta", "new minus base; positive = more in the new side");
	vals_schema(x, "delta_min", "hidden rows: lower bound of the delta");
	vals_schema(x, "delta_max", "hidden rows: upper bound of the delta");
	vals_schema(x, "tol", "rounding tolerance of the delta (printed digits)");
	prop(x, "significant", "boolean", "|delta| of the ranked metric exceeds its tolerance");
	prop(x, "delta_pct", "?number", "delta over the row's own base value, percent");
	prop(x, "share_base", "?number", "flat share of the base total, 0..1");
	prop(x, "share_new", "?number", "flat share of the new total, 0..1");
	x = obj(cJSON_AddObjectToObject(p, "other"), other_req);
	prop(x, "functions", "integer", "rows not in top");
	prop(x, "delta_flat", "integer", "sum of their flat deltas");
	prop(x, "share_base", "?number", "their flat share of the base total");
	prop(x, "share_new", "?number", "their flat share of the new total");
	cJSON_AddStringToObject(prop(p, "warnings", "array", NULL), "description",
				"what limits the comparison (trimming, name joins)");
	pd_mcp_put(cJSON_GetObjectItem(p, "warnings"), "items",
			      cJSON_CreateObject());
	cJSON_AddStringToObject(cJSON_GetObjectItem(cJSON_GetObjectItem(p, "warnings"), "items"),
				"type", "string");
	prop(p, "truncated", "integer", "rows left out of top");
	return s;
}

/* ---- the result ------------------------------------------------------------------- */

static cJSON *num(double v, bool valid)
{
	return valid && isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

static void add_vals(cJSON *o, const char *key, pd_vals v)
{
	cJSON *x = cJSON_AddObjectToObject(o, key);
	cJSON_AddNumberToObject(x, "flat", (double)v.flat);
	cJSON_AddNumberToObject(x, "cum", (double)v.cum);
}

/* The verdict of profdiff's gate (src/gate) over this one pair: thresholds alone
 * (fail_on_total, default 5; fail_on_increase; min_delta as a floor); a hidden row
 * violates only when its whole interval does, and a straddling one makes the verdict
 * inconclusive. why gets one sentence: the first finding, or that none broke a rule. */
static const char *verdict(const call *c, const pd_diff *d, double *pct, char *why, size_t n)
{
	pd_gate_rules r;
	pd_gate_result res;
	pd_error e = {0};
	pd_gate_rules_init(&r);
	r.has_total = true;
	r.total_pct = 5;
	pd_mcp_arg_num(c, "fail_on_total", &r.total_pct);
	r.has_increase = pd_mcp_arg_num(c, "fail_on_increase", &r.increase_pct);
	r.metric = d->opts.by;
	*pct = d->base_total > 0
		       ? 100.0 * (double)(d->new_total - d->base_total) / (double)d->base_total
		       : 0;
	const char *floor = pd_mcp_arg_str(c, "min_delta");
	if ((floor && pd_amount_parse(floor, &r.min_delta, &e) != PD_OK) ||
	    pd_gate_eval_diff(d, &r, &res, &e) != PD_OK) {
		snprintf(why, n, "no verdict: %.200s", e.msg);
		return "inconclusive";
	}
	const char *v = pd_verdict_name(res.verdict);
	if (res.nv > 0) {
		const pd_gate_violation *f = &res.v[0];
		snprintf(why, n, "%.120s %s the %s rule (%+.1f%%)", f->name ? f->name : "the total",
			 f->state == PD_FINDING_VIOLATION ? "breaks" : "may break (trimmed input)",
			 pd_gate_rule_name(f->rule), f->pct);
	} else {
		snprintf(why, n, "no rule broken: the total changed %+.1f%% (fail_on_total %g%%)",
			 *pct, r.total_pct);
	}
	pd_gate_result_fini(&res);
	return v;
}

/* What limits the comparison, in the tool's own words (sentences without a period). */
static size_t warnings(const pd_diff *d, char w[4][256])
{
	size_t n = 0, hidden = 0, upper = 0;
	for (size_t i = 0; i < d->nrows; i++) {
		hidden += d->rows[i].status == PD_ROW_HIDDEN;
		upper += d->rows[i].cum_upper_bound;
	}
	if (d->base.trimmed || d->head.trimmed)
		snprintf(w[n++], 256, "the %s trimmed (nodes below a cut-off were left out); a larger "
				      "max_node_depth keeps more",
			 d->base.trimmed && d->head.trimmed ? "baseline and new inputs were"
			 : d->base.trimmed		     ? "baseline input was"
							     : "new input was");
	if (hidden)
		snprintf(w[n++], 256, "%zu function(s) are missing from a trimmed input: their delta "
				      "is an interval (status hidden, delta_min..delta_max)", hidden);
	if (d->short_names)
		snprintf(w[n++], 256, "an input has no tooltips (cleaned DOT): functions are joined on "
				      "shortened names, which can collide");
	if (upper)
		snprintf(w[n++], 256, "cum of %zu function(s) is an upper bound (several line nodes "
				      "summed; recursion counts twice)", upper);
	return n;
}

static const pd_escape md_escape = {.ascii = {['|'] = "\\|", ['`'] = "'", ['\n'] = " "},
				    .bad = "\xef\xbf\xbd"};

static void render_result(call *c, const pd_diff *d, size_t n, const cJSON *windows)
{
	double pct;
	char why[256];
	const char *v = verdict(c, d, &pct, why, sizeof why);
	char a[64], b[64], w[4][256];
	size_t nw = warnings(d, w);
	pd_metric by = d->opts.by;
	int64_t rest_delta = 0;
	double rest_b = 0, rest_n = 0;
	for (size_t i = n; i < d->nrows; i++) {
		rest_delta += d->rows[i].delta.flat;
		rest_b += isnan(d->rows[i].share_base) ? 0 : d->rows[i].share_base;
		rest_n += isnan(d->rows[i].share_new) ? 0 : d->rows[i].share_new;
	}
	pd_value_format(a, sizeof a, d->new_total - d->base_total, d->unit, true);
	pd_value_format(b, sizeof b, d->base_total, d->unit, false);

	/* Markdown for the model. */
	pd_buf *t = &c->text;
	t->len = 0;
	pd_buf_printf(t, "**Verdict: %s**: %s.\n\nNet change: %s (%+.1f%% of the baseline total "
			 "%s), unit %s, ranked by |delta %s|.\n",
		      v, why, a, pct, b, pd_unit_name(d->unit), pd_metric_name(by));
	pd_buf_puts(t, "Baseline: ");
	pd_put_escaped(t, d->base.source, &md_escape);
	pd_buf_puts(t, "; new: ");
	pd_put_escaped(t, d->head.source, &md_escape);
	pd_buf_puts(t, "\n\n| # | delta | delta % | base | new | status | function |\n"
		       "|---|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < n; i++) {
		pd_report_cells cl;
		pd_report_cells_fill(d, i, &cl);
		pd_buf_printf(t, "| %zu | %s | %s | %s | %s | %s | `", i + 1, cl.cell[PD_COL_DFLAT],
			      cl.cell[PD_COL_DPCT], cl.cell[PD_COL_BASE], cl.cell[PD_COL_NEW],
			      cl.cell[PD_COL_STATUS]);
		pd_put_escaped(t, d->rows[i].name, &md_escape);
		pd_buf_puts(t, "` |\n");
	}
	if (n < d->nrows)
		pd_buf_printf(t, "\n%zu more functions not shown (their flat delta sums to %s).\n",
			      d->nrows - n, pd_value_format(a, sizeof a, rest_delta, d->unit, true));
	for (size_t i = 0; i < nw; i++)
		pd_buf_printf(t, "\nWarning: %s.", w[i]);
	pd_buf_puts(t, "\n\nDelta = new minus base: positive means more time/memory in the new "
		       "(problem) side, negative less. flat = the function itself, cum = with "
		       "callees.\n");

	/* structuredContent. */
	cJSON *s = cJSON_CreateObject(), *x;
	x = cJSON_AddObjectToObject(s, "verdict");
	cJSON_AddStringToObject(x, "status", v);
	pd_mcp_add_str(x, "summary", why);
	cJSON_AddStringToObject(x, "source", "profdiff's gate on one pair: thresholds "
					     "fail_on_total, fail_on_increase, min_delta");
	cJSON_AddStringToObject(s, "unit", pd_unit_name(d->unit));
	cJSON_AddStringToObject(s, "by", pd_metric_name(by));
	const pd_profile_info *info[2] = {&d->base, &d->head};
	int64_t totals[2] = {d->base_total, d->new_total};
	for (int k = 0; k < 2; k++) {
		x = cJSON_AddObjectToObject(s, k ? "new" : "base");
		pd_mcp_add_str(x, "source", info[k]->source);
		cJSON_AddNumberToObject(x, "total", (double)totals[k]);
		cJSON_AddBoolToObject(x, "trimmed", info[k]->trimmed);
	}
	x = cJSON_AddObjectToObject(s, "net");
	cJSON_AddNumberToObject(x, "delta", (double)(d->new_total - d->base_total));
	pd_mcp_put(x, "pct", num(pct, d->base_total > 0));
	if (windows)
		pd_mcp_put(s, "windows", cJSON_Duplicate(windows, true));
	cJSON *rows = cJSON_AddArrayToObject(s, "top");
	for (size_t i = 0; rows && i < n; i++) {
		const pd_diff_row *r = &d->rows[i];
		double p = 0;
		cJSON *o = cJSON_CreateObject();
		pd_mcp_put(rows, NULL, o);
		cJSON_AddNumberToObject(o, "rank", (double)(i + 1));
		pd_mcp_add_str(o, "name", r->name);
		cJSON_AddStringToObject(o, "status", pd_row_status_name(r->status));
		add_vals(o, "base", r->base);
		add_vals(o, "new", r->head);
		add_vals(o, "delta", r->delta);
		if (r->status == PD_ROW_HIDDEN) {
			add_vals(o, "delta_min", r->delta_min);
			add_vals(o, "delta_max", r->delta_max);
		}
		add_vals(o, "tol", r->tol);
		int64_t dv = pd_vals_get(&r->delta, by), tv = pd_vals_get(&r->tol, by);
		cJSON_AddBoolToObject(o, "significant", (dv < 0 ? -dv : dv) > tv);
		bool okp = pd_report_pct_value(pd_vals_get(&r->delta, by), pd_vals_get(&r->base, by), &p);
		pd_mcp_put(o, "delta_pct", num(p, okp && r->in_base));
		pd_mcp_put(o, "share_base", num(r->share_base, !isnan(r->share_base)));
		pd_mcp_put(o, "share_new", num(r->share_new, !isnan(r->share_new)));
	}
	x = cJSON_AddObjectToObject(s, "other");
	cJSON_AddNumberToObject(x, "functions", (double)(d->nrows - n));
	cJSON_AddNumberToObject(x, "delta_flat", (double)rest_delta);
	pd_mcp_put(x, "share_base", num(rest_b, d->base_total > 0));
	pd_mcp_put(x, "share_new", num(rest_n, d->new_total > 0));
	cJSON *wa = cJSON_AddArrayToObject(s, "warnings");
	for (size_t i = 0; wa && i < nw; i++)
		pd_mcp_put(wa, NULL, pd_mcp_str(w[i]));
	cJSON_AddNumberToObject(s, "truncated", (double)(d->nrows - n));
	cJSON_Delete(c->structured);
	c->structured = s;
}

static size_t result_size(const call *c)
{
	char *s = c->structured ? cJSON_PrintUnformatted(c->structured) : NULL;
	size_t n = (s ? strlen(s) : 0) + c->text.len;
	cJSON_free(s);
	return n;
}

static bool diff_opts(call *c, pd_diff_opts *o)
{
	const char *v;
	pd_diff_opts_init(o);
	if ((v = pd_mcp_arg_str(c, "by")))
		o->by = !strcmp(v, "cum") ? PD_METRIC_CUM : PD_METRIC_FLAT;
	if ((v = pd_mcp_arg_str(c, "normalize")))
		o->normalize = !strcmp(v, "total") ? PD_NORMALIZE_TOTAL : PD_NORMALIZE_NONE;
	if ((v = pd_mcp_arg_str(c, "granularity")))
		o->granularity = !strcmp(v, "line") ? PD_GRAN_LINE : PD_GRAN_FUNCTION;
	o->focus = pd_mcp_arg_str(c, "focus");
	o->ignore = pd_mcp_arg_str(c, "ignore");
	return true;
}

/* The shared pipeline. windows (borrowed, may be NULL) goes into the result. */
static void diff_texts(call *c, const char *bsrc, const char *bdot, size_t blen,
		       const char *nsrc, const char *ndot, size_t nlen, const cJSON *windows)
{
	pd_profile *bp = NULL, *np = NULL;
	pd_diff *d = NULL;
	pd_diff_opts o;
	pd_error e;
	long top = TOP_DEFAULT;
	bool asked = pd_mcp_arg_int(c, "top", &top);
	if (asked && (top < 1 || top > TOP_MAX)) {
		pd_mcp_fail(c, "top must be between 1 and %d", TOP_MAX);
		return;
	}
	diff_opts(c, &o);
	if (pd_profile_parse(bsrc, bdot, blen, &bp, &e) != PD_OK) {
		pd_mcp_fail(c, "the baseline is not a usable DOT profile: %s", e.msg);
		goto out;
	}
	if (pd_profile_parse(nsrc, ndot, nlen, &np, &e) != PD_OK) {
		pd_mcp_fail(c, "the new profile is not a usable DOT profile: %s", e.msg);
		goto out;
	}
	if (pd_diff_new(bp, np, &o, &d, &e) != PD_OK) {
		pd_mcp_fail(c, "cannot compare: %s%s", e.msg,
			    e.code == PD_ENODATA ? ". Pick a window with data (widen it, or check "
						   "the selector with list_pyroscope_label_values)"
			    : e.code == PD_EUSAGE ? ". Fix the focus/ignore regex"
						  : ". Both sides must be the same profile type");
		goto out;
	}
	size_t n = (size_t)top < d->nrows ? (size_t)top : d->nrows;
	render_result(c, d, n, windows);
	while (!asked && n > 3 && result_size(c) > BUDGET)
		render_result(c, d, --n, windows);
	if (!c->structured || c->text.failed)
		pd_mcp_fail(c, "out of memory building the result");
out:
	pd_diff_free(d);
	pd_profile_free(np);
	pd_profile_free(bp);
}

void pd_mcp_tool_diff_dot(call *c)
{
	const char *b = pd_mcp_arg_str(c, "base_dot"), *n = pd_mcp_arg_str(c, "new_dot");
	if (!b || !n) {
		pd_mcp_fail(c, "base_dot and new_dot must both hold DOT text");
		return;
	}
	diff_texts(c, "base_dot", b, strlen(b), "new_dot", n, strlen(n), NULL);
}

/* The real path of p when it is a regular file under an allowed directory. */
static char *allowed(call *c, const char *arg, const char *p)
{
	const pd_mcp_server *s = c->s;
	struct stat st;
	char *rp = realpath(p, NULL); /* resolves symlinks: no escape through them */
	if (!rp || stat(rp, &st) != 0 || !S_ISREG(st.st_mode)) {
		pd_mcp_fail(c, "%s: \"%s\" is not a readable file", arg, p);
		free(rp);
		return NULL;
	}
	for (size_t i = 0; i < s->ndirs; i++) {
		size_t n = strlen(s->dirs[i]);
		if (!strncmp(rp, s->dirs[i], n) && (rp[n] == '/' || !strcmp(s->dirs[i], "/")))
			return rp;
	}
	free(rp);
	pd_mcp_fail(c, "%s: \"%s\" is outside the directories this server may read%s", arg, p,
		    s->ndirs ? " (see --allow-dir)"
			     : " (it was started without --allow-dir); pass the DOT text to "
			       "diff_dot_profiles instead");
	return NULL;
}

void pd_mcp_tool_diff_files(call *c)
{
	const char *bp = pd_mcp_arg_str(c, "base_path"), *np = pd_mcp_arg_str(c, "new_path");
	char *br = NULL, *nr = NULL;
	pd_buf b, n;
	pd_error e;
	pd_buf_init(&b, FILE_LIMIT);
	pd_buf_init(&n, FILE_LIMIT);
	if (!bp || !np) {
		pd_mcp_fail(c, "base_path and new_path are both required");
		goto out;
	}
	if (!(br = allowed(c, "base_path", bp)) || !(nr = allowed(c, "new_path", np)))
		goto out;
	if (pd_read_file(br, &b, &e) != PD_OK || pd_read_file(nr, &n, &e) != PD_OK) {
		pd_mcp_fail(c, "%s", e.msg);
		goto out;
	}
	diff_texts(c, bp, b.data ? b.data : "", b.len, np, n.data ? n.data : "", n.len, NULL);
out:
	free(br);
	free(nr);
	pd_buf_fini(&b);
	pd_buf_fini(&n);
}

/* ---- two Pyroscope windows -------------------------------------------------------- */

typedef struct side {
	const pd_http_conf *http;
	const char *type, *matchers;
	int64_t from_ms, to_ms;
	long max_nodes;
	pd_buf dot;
	pd_error err;
	pd_status st;
} side;

static void *fetch_side(void *arg)
{
	side *s = arg;
	s->st = pd_pyro_render(s->http, s->type, s->matchers, s->from_ms, s->to_ms, s->max_nodes,
			       &s->dot, &s->err);
	return NULL;
}

static void add_window(cJSON *w, const char *key, const side *s)
{
	char a[32];
	cJSON *o = cJSON_AddObjectToObject(w, key);
	cJSON_AddStringToObject(o, "from", pd_time_format(s->from_ms, a));
	cJSON_AddStringToObject(o, "to", pd_time_format(s->to_ms, a));
	pd_mcp_add_str(o, "matchers", s->matchers);
}

/* The baseline window: explicit times win over the preset. */
static bool baseline(call *c, const pd_mcp_target *t, side *b)
{
	const char *preset = pd_mcp_arg_str(c, "baseline");
	const char *bs = pd_mcp_arg_str(c, "baseline_start_rfc_3339");
	const char *be = pd_mcp_arg_str(c, "baseline_end_rfc_3339");
	int64_t len = t->to_ms - t->from_ms, shift = len, now = pd_time_now_ms();
	pd_error e;
	if (preset && !strcmp(preset, "1h-before"))
		shift = 3600000;
	else if (preset && !strcmp(preset, "24h-before"))
		shift = 86400000;
	else if (preset && !strcmp(preset, "7d-before"))
		shift = 7 * 86400000LL;
	b->from_ms = t->from_ms - shift;
	b->to_ms = t->to_ms - shift;
	if (bs && pd_time_parse("baseline_start_rfc_3339", bs, now, &b->from_ms, &e) != PD_OK)
		goto bad;
	if (be && pd_time_parse("baseline_end_rfc_3339", be, now, &b->to_ms, &e) != PD_OK)
		goto bad;
	if (bs && !be)
		b->to_ms = b->from_ms + len;
	if (be && !bs)
		b->from_ms = b->to_ms - len;
	if (b->from_ms >= b->to_ms) {
		pd_mcp_fail(c, "the baseline window must start before it ends");
		return false;
	}
	return true;
bad:
	pd_mcp_fail(c, "%s. Use RFC 3339 with a zone (2026-05-01T10:00:00Z), now-1d, or Unix "
		       "seconds/ms", e.msg);
	return false;
}

void pd_mcp_tool_diff_pyroscope(call *c)
{
	const char *type = pd_mcp_arg_str(c, "profile_type");
	pd_mcp_target t = {0};
	side b = {0}, n = {0};
	char *bm = NULL;
	cJSON *win = NULL;
	long max_nodes = 0;
	pd_buf_init(&b.dot, FILE_LIMIT);
	pd_buf_init(&n.dot, FILE_LIMIT);
	if (!type) {
		pd_mcp_fail(c, "profile_type is required; call list_pyroscope_profile_types first");
		goto out;
	}
	if (!pd_mcp_check_type(c, type) || !pd_mcp_target_init(c, &t, "matchers"))
		goto out;
	memset(&b.err, 0, sizeof b.err);
	if (!baseline(c, &t, &b))
		goto out;
	const char *bms = pd_mcp_arg_str(c, "baseline_matchers");
	if (!(bm = pd_pyro_matchers(bms ? bms : pd_mcp_arg_str(c, "matchers")))) {
		pd_mcp_fail(c, "out of memory");
		goto out;
	}
	pd_mcp_arg_int(c, "max_node_depth", &max_nodes);
	b.http = n.http = &t.http;
	b.type = n.type = type;
	b.max_nodes = n.max_nodes = max_nodes;
	b.matchers = bm;
	n.matchers = t.matchers;
	n.from_ms = t.from_ms;
	n.to_ms = t.to_ms;
	pthread_t th; /* both windows at once: the baseline in a thread */
	bool threaded = pthread_create(&th, NULL, fetch_side, &b) == 0;
	fetch_side(&n);
	if (threaded)
		pthread_join(th, NULL);
	else
		fetch_side(&b);
	if (b.st != PD_OK || n.st != PD_OK) {
		pd_mcp_fetch_failed(c, b.st != PD_OK ? "baseline window" : "problem window",
				    b.st != PD_OK ? &b.err : &n.err);
		goto out;
	}
	char bs[96], ns[96], x[32], y[32];
	snprintf(bs, sizeof bs, "baseline %s/%s", pd_time_format(b.from_ms, x),
		 pd_time_format(b.to_ms, y));
	snprintf(ns, sizeof ns, "new %s/%s", pd_time_format(n.from_ms, x), pd_time_format(n.to_ms, y));
	if ((win = cJSON_CreateObject())) {
		add_window(win, "baseline", &b);
		add_window(win, "problem", &n);
	}
	diff_texts(c, bs, b.dot.data, b.dot.len, ns, n.dot.data, n.dot.len, win);
out:
	cJSON_Delete(win);
	pd_free(bm);
	pd_buf_fini(&b.dot);
	pd_buf_fini(&n.dot);
	pd_mcp_target_fini(&t);
}
