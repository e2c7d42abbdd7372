/* JSON report, schema "profdiff.diff/v2" (docs/json-schema.md): the diff (or, in
 * samples mode, the per-function statistics), the verdict and the gate's findings. Integers are written
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
#include "report/verdict.h"

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
	add_int(j, s, "other", p->other);
	add_num(j, s, "other_share", p->total ? (double)p->other / (double)p->total : NAN,
		p->total != 0);
	add_int(j, s, "other_undeclared", (int64_t)p->other_undeclared);
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

static void add_amount(jctx *j, cJSON *o, const char *key, const pd_amount *a)
{
	char v[64];
	if (a->kind == PD_AMOUNT_NONE) {
		add_str(j, o, key, NULL);
		return;
	}
	if (a->kind == PD_AMOUNT_SHARE)
		snprintf(v, sizeof v, "%g%%", a->share * 100);
	else
		pd_value_format(v, sizeof v, a->value,
				a->unit == PD_UNIT_UNKNOWN ? PD_UNIT_COUNT : a->unit, false);
	add_str(j, o, key, v);
}

static cJSON *add_arr(jctx *j, cJSON *o, const char *key)
{
	cJSON *x = cJSON_AddArrayToObject(o, key);
	if (!x)
		j->ok = false;
	return x;
}

static cJSON *push_obj(jctx *j, cJSON *arr)
{
	cJSON *o = arr ? cJSON_CreateObject() : NULL;
	if (!o || !cJSON_AddItemToArray(arr, o)) {
		cJSON_Delete(o);
		j->ok = false;
		return NULL;
	}
	return o;
}

static void push_str(jctx *j, cJSON *arr, const char *s)
{
	j->tmp.len = 0;
	cJSON *x = NULL;
	if (arr && pd_put_escaped(&j->tmp, s ? s : "", &json_escape) && pd_buf_puts(&j->tmp, ""))
		x = cJSON_CreateString(j->tmp.data);
	if (!x || !cJSON_AddItemToArray(arr, x)) {
		cJSON_Delete(x);
		j->ok = false;
	}
}

/* The diff's warnings as data: every kind, each with the sentence the reports print. */
static void add_warnings(jctx *j, cJSON *root, const pd_diff *d)
{
	pd_warning w[PD_REPORT_WARN_MAX];
	size_t n = pd_report_warnings(d, w);
	cJSON *arr = add_arr(j, root, "warnings");
	pd_buf text;
	pd_buf_init(&text, 0);
	for (size_t i = 0; arr && j->ok && i < n; i++) {
		cJSON *o = push_obj(j, arr);
		if (!o)
			break;
		add_str(j, o, "kind", pd_report_warning_name(w[i].kind));
		text.len = 0;
		pd_report_warning_text(&text, d, &w[i], PD_WARN_REPORT);
		if (!pd_buf_puts(&text, ""))
			j->ok = false;
		else
			add_str(j, o, "text", text.data);
	}
	pd_buf_fini(&text);
}

static void add_rules(jctx *j, cJSON *gate, const pd_gate_rules *r)
{
	cJSON *o = add_obj(j, gate, "rules");
	if (!o)
		return;
	add_str(j, o, "metric", pd_metric_name(r->metric));
	add_num(j, o, "fail_on_increase", r->increase_pct, r->has_increase);
	add_amount(j, o, "min_delta", &r->min_delta);
	add_num(j, o, "fail_on_total", r->total_pct, r->has_total);
	add_num(j, o, "alpha", r->alpha, true);
	add_num(j, o, "confidence", r->conf, true);
	add_str(j, o, "gate_file", r->file ? r->file->path : NULL);
	add_bool(j, o, "active", pd_gate_rules_active(r));
}

static void add_gate(jctx *j, cJSON *root, const pd_diff *d, const pd_report_gate *g)
{
	const pd_gate_result *r = g->res;
	cJSON *o = add_obj(j, root, "gate");
	if (!o)
		return;
	add_str(j, o, "verdict", pd_verdict_name(r->verdict));
	add_bool(j, o, "thresholds_only", !g->samples);
	add_rules(j, o, g->rules);
	add_int(j, o, "violations", (int64_t)r->nviolations);
	add_int(j, o, "undecidable", (int64_t)r->nundecidable);
	add_int(j, o, "allowed", (int64_t)r->nallowed);
	add_int(j, o, "tested", (int64_t)r->ntested);
	add_int(j, o, "family", (int64_t)r->family);
	cJSON *arr = add_arr(j, o, "findings");
	for (size_t i = 0; arr && j->ok && i < r->nv; i++) {
		const pd_gate_violation *v = &r->v[i];
		pd_finding_text t;
		cJSON *x = push_obj(j, arr);
		if (!x)
			break;
		pd_finding_describe(d, g, v, &t);
		add_str(j, x, "state", t.state);
		add_str(j, x, "rule", t.rule);
		add_str(j, x, "name", v->name);
		add_str(j, x, "source", t.source);
		add_num(j, x, "base", v->base, true);
		add_num(j, x, "new", v->head, true);
		add_num(j, x, "delta", v->delta, true);
		add_num(j, x, "delta_min", v->delta_min, true);
		add_num(j, x, "delta_max", v->delta_max, true);
		add_num(j, x, "limit", v->limit, true);
		add_num(j, x, "delta_pct", v->pct, true);
		add_num(j, x, "p", v->p, true);
		add_num(j, x, "q", v->q, true);
		add_bool(j, x, "hidden", v->hidden);
		add_str(j, x, "reason", v->reason);
	}
	cJSON *w = add_arr(j, o, "warnings");
	for (size_t i = 0; w && j->ok && i < r->nwarnings; i++)
		push_str(j, w, r->warnings[i]);
}

static void add_samples_side(jctx *j, cJSON *root, const char *key, const char *const *src,
			     size_t n, const double *tot)
{
	cJSON *o = add_obj(j, root, key);
	if (!o)
		return;
	cJSON *arr = add_arr(j, o, "profiles");
	for (size_t i = 0; arr && j->ok && i < n; i++)
		push_str(j, arr, src[i]);
	cJSON *t = add_arr(j, o, "totals");
	for (size_t i = 0; t && j->ok && tot && i < n; i++) {
		cJSON *x = cJSON_CreateNumber(tot[i]);
		if (!x || !cJSON_AddItemToArray(t, x)) {
			cJSON_Delete(x);
			j->ok = false;
		}
	}
}

static void add_stats(jctx *j, cJSON *arr, const pd_gate_fstat *f)
{
	cJSON *o = push_obj(j, arr);
	if (!o)
		return;
	add_str(j, o, "name", f->name);
	add_num(j, o, "base", f->med_base, true);
	add_num(j, o, "new", f->med_head, true);
	add_num(j, o, "hl", f->hl, true);
	add_num(j, o, "hl_lo", f->hl_lo, true);
	add_num(j, o, "hl_hi", f->hl_hi, true);
	add_num(j, o, "delta_pct", f->pct, true);
	add_num(j, o, "p", f->p, !f->all_equal);
	add_num(j, o, "q", f->q, true);
	add_str(j, o, "method", pd_mwu_method_name(f->method));
	add_bool(j, o, "tested", !f->all_equal);
	add_bool(j, o, "in_family", f->in_family);
	add_bool(j, o, "practical", f->practical);
	add_bool(j, o, "significant", f->significant);
	add_bool(j, o, "approx_ci", f->approx_ci);
	add_bool(j, o, "truncated", f->truncated);
}

pd_status pd_report_json(const pd_diff *d, const pd_report_opts *o, pd_buf *out, pd_error *err)
{
	return pd_report_json_gated(d, NULL, o, out, err);
}

pd_status pd_report_json_gated(const pd_diff *d, const pd_report_gate *g,
			       const pd_report_opts *o, pd_buf *out, pd_error *err)
{
	jctx j = {.ok = true};
	size_t shown = pd_report_shown(d, o), *idx = NULL, total = d->nrows;
	bool samples = g && g->res && g->samples;
	bool gated = g && g->res && g->gated;
	char *text = NULL;
	pd_buf_init(&j.tmp, 0);
	pd_alloc_init_cjson();

	cJSON *root = cJSON_CreateObject();
	if (!root) {
		j.ok = false;
		goto done;
	}
	add_str(&j, root, "schema", "profdiff.diff/v2");
	add_str(&j, root, "mode", samples ? "samples" : "pair");
	add_str(&j, root, "verdict", gated ? pd_verdict_name(g->res->verdict) : NULL);
	add_str(&j, root, "unit", pd_unit_name(d->unit));
	if (samples) {
		add_str(&j, root, "type", d->base.type);
		add_str(&j, root, "values", g->samples->per_second ? "per_second" : "share");
		add_str(&j, root, "per_second_of",
			!g->samples->per_second ? NULL : g->per_window ? "window" : "duration");
		add_samples_side(&j, root, "base", g->base_src, g->nbase, g->samples->base_total);
		add_samples_side(&j, root, "new", g->head_src, g->nhead, g->samples->head_total);
		add_str(&j, root, "by", "hl");
		total = pd_gate_ranked(g, &idx);
		if (total == (size_t)-1) {
			j.ok = false;
			goto done;
		}
		shown = o && o->top && o->top < total ? o->top : total;
		cJSON *arr = add_arr(&j, root, "functions");
		for (size_t i = 0; arr && j.ok && i < shown; i++)
			add_stats(&j, arr, &g->res->stats[idx[i]]);
	} else {
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
		add_warnings(&j, root, d);
		cJSON *arr = add_arr(&j, root, "functions");
		for (size_t i = 0; arr && j.ok && i < shown; i++)
			add_row(&j, arr, &d->rows[i]);
	}
	add_int(&j, root, "truncated", (int64_t)(total - shown));
	if (gated)
		add_gate(&j, root, d, g);
	else if (!cJSON_AddNullToObject(root, "gate"))
		j.ok = false;
	if (!j.ok)
		goto done;

	text = cJSON_Print(root);
	if (!text || !pd_buf_puts(out, text) || !pd_buf_puts(out, "\n"))
		j.ok = false;
done:
	pd_free(idx);
	cJSON_free(text);
	cJSON_Delete(root);
	pd_buf_fini(&j.tmp);
	if (!j.ok || out->failed)
		return pd_error_set(err, PD_EINTERNAL, "JSON report: out of memory or output too large");
	return PD_OK;
}
