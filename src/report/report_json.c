/* JSON report, schema "profdiff.diff/v1" (docs/json-schema.md). Integers are written
 * as raw printed int64 (cJSON stores doubles, exact only up to 2^53); key order is
 * fixed, so the output is deterministic. Strings are valid UTF-8: a byte that is not
 * becomes U+FFFD. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "base/alloc.h"
#include "base/names.h"
#include "report/report.h"

static const pd_escape json_escape = {.bad = "\xef\xbf\xbd", .keep_controls = true};

/* Every add checks for NULL at the end: cJSON_Add* return NULL on failure, and a NULL
 * object makes later adds no-ops, so one check of `ok` suffices. */
typedef struct jctx {
	bool ok;
	pd_buf tmp;
} jctx;

static void add_int(jctx *j, cJSON *o, const char *key, int64_t v)
{
	char s[32];
	snprintf(s, sizeof s, "%" PRId64, v);
	if (!cJSON_AddRawToObject(o, key, s))
		j->ok = false;
}

static void add_str(jctx *j, cJSON *o, const char *key, const char *s)
{
	if (!s) {
		if (!cJSON_AddNullToObject(o, key))
			j->ok = false;
		return;
	}
	j->tmp.len = 0;
	if (!pd_put_escaped(&j->tmp, s, &json_escape) || !pd_buf_puts(&j->tmp, "") ||
	    !cJSON_AddStringToObject(o, key, j->tmp.data))
		j->ok = false;
}

static void add_bool(jctx *j, cJSON *o, const char *key, bool v)
{
	if (!cJSON_AddBoolToObject(o, key, v))
		j->ok = false;
}

static void add_num(jctx *j, cJSON *o, const char *key, double v, bool valid)
{
	cJSON *x = valid && isfinite(v) ? cJSON_AddNumberToObject(o, key, v)
					: cJSON_AddNullToObject(o, key);
	if (!x)
		j->ok = false;
}

static cJSON *add_obj(jctx *j, cJSON *o, const char *key)
{
	cJSON *x = cJSON_AddObjectToObject(o, key);
	if (!x)
		j->ok = false;
	return x;
}

static void add_vals(jctx *j, cJSON *o, const char *key, const pd_vals *v)
{
	cJSON *x = add_obj(j, o, key);
	if (!x)
		return;
	add_int(j, x, "flat", v->flat);
	add_int(j, x, "cum", v->cum);
}

static void add_side(jctx *j, cJSON *root, const char *key, const pd_profile_info *p,
		     int64_t total)
{
	cJSON *s = add_obj(j, root, key);
	if (!s)
		return;
	add_str(j, s, "source", p->source);
	add_str(j, s, "type", p->type);
	add_int(j, s, "total", total);
	if (p->duration_ns)
		add_int(j, s, "duration_ns", p->duration_ns);
	add_bool(j, s, "trimmed", p->trimmed);
	add_int(j, s, "shown", p->shown);
	add_int(j, s, "dropped_nodes", p->dropped_nodes);
	add_int(j, s, "node_cutoff", p->node_cutoff);
	add_int(j, s, "dropped_edges", p->dropped_edges);
	add_int(j, s, "edge_cutoff", p->edge_cutoff);
	add_int(j, s, "top_k", p->top_k);
	add_int(j, s, "top_of", p->top_of);
	add_bool(j, s, "has_tooltips", p->has_tooltips);
	add_bool(j, s, "has_lines", p->has_lines);
}

/* Percent of the row's own base value; null when that is 0. */
static void add_pct(jctx *j, cJSON *o, const pd_diff_row *r)
{
	cJSON *x = add_obj(j, o, "delta_pct");
	double f = 0, c = 0;
	if (!x)
		return;
	bool okf = pd_report_pct_value(r->delta.flat, r->base.flat, &f);
	bool okc = pd_report_pct_value(r->delta.cum, r->base.cum, &c);
	add_num(j, x, "flat", f, okf && r->in_base);
	add_num(j, x, "cum", c, okc && r->in_base);
}

static void add_row(jctx *j, cJSON *arr, const pd_diff_row *r)
{
	cJSON *o = cJSON_CreateObject();
	if (!o || !cJSON_AddItemToArray(arr, o)) {
		cJSON_Delete(o);
		j->ok = false;
		return;
	}
	add_str(j, o, "name", r->name);
	if (r->short_name)
		add_str(j, o, "short_name", r->short_name);
	add_str(j, o, "status", pd_row_status_name(r->status));
	add_bool(j, o, "in_base", r->in_base);
	add_bool(j, o, "in_new", r->in_new);
	add_vals(j, o, "base", &r->base);
	add_vals(j, o, "new", &r->head);
	add_vals(j, o, "delta", &r->delta);
	if (r->status == PD_ROW_HIDDEN) {
		add_vals(j, o, "delta_min", &r->delta_min);
		add_vals(j, o, "delta_max", &r->delta_max);
	}
	add_pct(j, o, r);
	cJSON *s = add_obj(j, o, "share");
	if (s) {
		add_num(j, s, "base", r->share_base, !isnan(r->share_base));
		add_num(j, s, "new", r->share_new, !isnan(r->share_new));
	}
	if (r->cum_upper_bound)
		add_bool(j, o, "cum_upper_bound", true);
}

pd_status pd_report_json(const pd_diff *d, const pd_report_opts *o, pd_buf *out, pd_error *err)
{
	jctx j = {.ok = true};
	size_t shown = pd_report_shown(d, o);
	char *text = NULL;
	pd_buf_init(&j.tmp, 0);
	pd_alloc_init_cjson();

	cJSON *root = cJSON_CreateObject();
	if (!root) {
		j.ok = false;
		goto done;
	}
	add_str(&j, root, "schema", "profdiff.diff/v1");
	add_str(&j, root, "unit", pd_unit_name(d->unit));
	add_side(&j, root, "base", &d->base, d->base_total);
	add_side(&j, root, "new", &d->head, d->new_total);
	add_str(&j, root, "normalize", pd_enum_name(&pd_normalize_names, (int)d->opts.normalize));
	add_num(&j, root, "scale", d->scale, true);
	add_str(&j, root, "by", pd_metric_name(d->opts.by));
	add_str(&j, root, "granularity",
		pd_enum_name(&pd_granularity_names, (int)d->opts.granularity));
	add_str(&j, root, "focus", d->opts.focus);
	add_str(&j, root, "ignore", d->opts.ignore);
	add_int(&j, root, "filtered", (int64_t)d->nfiltered);
	add_bool(&j, root, "short_names", d->short_names);
	add_int(&j, root, "net", d->new_total - d->base_total);

	cJSON *arr = cJSON_AddArrayToObject(root, "functions");
	if (!arr)
		j.ok = false;
	for (size_t i = 0; arr && j.ok && i < shown; i++)
		add_row(&j, arr, &d->rows[i]);
	add_int(&j, root, "truncated", (int64_t)(d->nrows - shown));
	if (!j.ok)
		goto done;

	text = cJSON_Print(root);
	if (!text || !pd_buf_puts(out, text) || !pd_buf_puts(out, "\n"))
		j.ok = false;
done:
	cJSON_free(text);
	cJSON_Delete(root);
	pd_buf_fini(&j.tmp);
	if (!j.ok || out->failed)
		return pd_error_set(err, PD_EINTERNAL, "JSON report: out of memory or output too large");
	return PD_OK;
}
