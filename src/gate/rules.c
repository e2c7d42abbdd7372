/* The gate's decision over one diff (one profile per side): thresholds alone, with
 * trimmed rows decided on their whole delta interval. Also the pieces the samples mode
 * (samples.c) shares: amounts, name tables, per-function thresholds from the gate file,
 * and the result's growable lists (the result owns its arrays and warning strings;
 * names and reasons are borrowed from the inputs and the gate file). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "gate/gate.h"
#include "gate/gate_internal.h"

static const char *const rule_names[PD_RULE_KINDS] = {
	[PD_RULE_TOTAL] = "total",
	[PD_RULE_INCREASE] = "increase",
	[PD_RULE_NEW] = "new",
	[PD_RULE_BUDGET] = "budget",
};

static const char *const verdict_names[PD_VERDICT_KINDS] = {
	[PD_VERDICT_PASS] = "pass",
	[PD_VERDICT_REGRESSION] = "regression",
	[PD_VERDICT_INCONCLUSIVE] = "inconclusive",
};

static const char *const state_names[PD_FINDING_STATE_KINDS] = {
	[PD_FINDING_VIOLATION] = "violation",
	[PD_FINDING_UNDECIDABLE] = "undecidable",
	[PD_FINDING_ALLOWED] = "allowed",
};

const char *pd_gate_rule_name(pd_gate_rule r)
{
	return (unsigned)r < PD_RULE_KINDS ? rule_names[r] : "?";
}

const char *pd_verdict_name(pd_verdict v)
{
	return (unsigned)v < PD_VERDICT_KINDS ? verdict_names[v] : "?";
}

const char *pd_finding_state_name(pd_finding_state s)
{
	return (unsigned)s < PD_FINDING_STATE_KINDS ? state_names[s] : "?";
}

pd_status pd_verdict_status(pd_verdict v)
{
	return v == PD_VERDICT_REGRESSION ? PD_REGRESSION
	       : v == PD_VERDICT_INCONCLUSIVE ? PD_ENODATA
					       : PD_OK;
}

void pd_gate_rules_init(pd_gate_rules *r)
{
	memset(r, 0, sizeof *r);
	r->metric = PD_METRIC_FLAT;
	r->alpha = 0.05;
	r->conf = 0.95;
	r->family = PD_FAMILY_PRACTICAL;
}

bool pd_gate_rules_active(const pd_gate_rules *r)
{
	if (r->has_increase || r->has_total || r->min_delta.kind != PD_AMOUNT_NONE)
		return true;
	return r->file && r->file->nrules > 0;
}

/* ---- amounts --------------------------------------------------------------------- */

pd_status pd_amount_parse(const char *s, pd_amount *out, pd_error *err)
{
	memset(out, 0, sizeof *out);
	size_t n = strlen(s);
	if (n > 0 && s[n - 1] == '%') {
		char *end;
		double v = strtod(s, &end);
		if (n == 1 || end != s + n - 1 || !isfinite(v) || v < 0 || v > 100)
			return pd_error_set(err, PD_EUSAGE,
					    "bad amount '%s': a share is a percentage from 0%% to 100%%",
					    s);
		out->kind = PD_AMOUNT_SHARE;
		out->share = v / 100;
		return PD_OK;
	}
	pd_error e;
	if (pd_value_parse(s, n, &out->value, &out->unit, NULL, &e) != PD_OK)
		return pd_error_set(err, PD_EUSAGE,
				    "bad amount '%s': expected e.g. 50ms, 2s, 10MB, 1000 or 0.5%%", s);
	if (out->value < 0)
		return pd_error_set(err, PD_EUSAGE, "bad amount '%s': must not be negative", s);
	out->kind = PD_AMOUNT_ABS;
	return PD_OK;
}

double pd_amount_resolve(const pd_amount *a, double total)
{
	switch (a->kind) {
	case PD_AMOUNT_ABS:
		return (double)a->value;
	case PD_AMOUNT_SHARE:
		return a->share * total;
	default:
		return 0;
	}
}

pd_status pd_gate_check_unit(const pd_amount *a, pd_unit unit, const char *what, pd_error *err)
{
	if (a->kind != PD_AMOUNT_ABS || a->unit == PD_UNIT_UNKNOWN || a->unit == unit)
		return PD_OK;
	if (a->unit == PD_UNIT_COUNT && unit == PD_UNIT_UNKNOWN)
		return PD_OK;
	return pd_error_set(err, PD_EUSAGE, "%s: an amount in %s does not fit values in %s", what,
			    pd_unit_name(a->unit), pd_unit_name(unit));
}

/* Every amount of the flags and the gate file must fit the values' unit. */
pd_status pd_gate_check_units(const pd_gate_rules *r, pd_unit unit, pd_error *err)
{
	pd_status rc = pd_gate_check_unit(&r->min_delta, unit, "--min-delta", err);
	const pd_gatefile *gf = r->file;
	for (size_t i = 0; rc == PD_OK && gf && i < gf->nrules; i++) {
		char what[64];
		snprintf(what, sizeof what, "%s:%u", gf->path ? gf->path : "gate file",
			 gf->rules[i].line);
		if (gf->rules[i].has_min_delta)
			rc = pd_gate_check_unit(&gf->rules[i].min_delta, unit, what, err);
		if (rc == PD_OK && gf->rules[i].has_budget)
			rc = pd_gate_check_unit(&gf->rules[i].budget, unit, what, err);
	}
	return rc;
}

void pd_gate_thresholds(const pd_gate_rules *r, const char *name, pd_gate_thr *t)
{
	t->has_increase = r->has_increase;
	t->pct = r->increase_pct;
	t->floor = r->min_delta;
	t->line = 0;
	const pd_gate_entry *e = r->file ? pd_gatefile_rule_for(r->file, name) : NULL;
	if (!e)
		return;
	t->line = e->line;
	if (e->has_increase) {
		t->has_increase = e->increase_pct >= 0;
		t->pct = e->increase_pct;
	}
	if (e->has_min_delta)
		t->floor = e->min_delta;
}

/* ---- the result ------------------------------------------------------------------- */

void pd_gate_result_fini(pd_gate_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nwarnings; i++)
		pd_free(r->warnings[i]);
	pd_free(r->warnings);
	pd_free(r->v);
	pd_free(r->stats);
	memset(r, 0, sizeof *r);
}

pd_status pd_gate_add(pd_gate_result *r, const pd_gate_violation *v, pd_error *err)
{
	if ((r->nv & (r->nv - 1)) == 0) { /* grow at powers of two */
		size_t cap = r->nv ? r->nv * 2 : 4;
		pd_gate_violation *nv = pd_realloc(r->v, cap * sizeof *nv);
		if (!nv)
			return pd_error_oom(err);
		r->v = nv;
	}
	r->v[r->nv++] = *v;
	return PD_OK;
}

pd_status pd_gate_warn(pd_gate_result *r, pd_error *err, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	char *s = pd_strdup(line);
	char **w = s ? pd_realloc(r->warnings, (r->nwarnings + 1) * sizeof *w) : NULL;
	if (!w) {
		pd_free(s);
		return pd_error_oom(err);
	}
	r->warnings = w;
	r->warnings[r->nwarnings++] = s;
	return PD_OK;
}

/* An allow-list entry turns a finding into ALLOWED, keeping its numbers. */
void pd_gate_apply_allow(const pd_gate_rules *r, pd_gate_violation *v)
{
	const pd_gate_allow *a = r->file && v->name ? pd_gatefile_allowed(r->file, v->name) : NULL;
	if (!a)
		return;
	v->state = PD_FINDING_ALLOWED;
	v->reason = a->reason;
	v->line = a->line;
}

static int cmp_finding(const void *a, const void *b)
{
	const pd_gate_violation *x = a, *y = b;
	if (x->state != y->state)
		return (int)x->state - (int)y->state;
	if (x->rule != y->rule)
		return (int)x->rule - (int)y->rule;
	double dx = fabs(x->delta), dy = fabs(y->delta);
	if (dx != dy)
		return dx < dy ? 1 : -1;
	if (!x->name || !y->name)
		return (x->name != NULL) - (y->name != NULL);
	return strcmp(x->name, y->name);
}

/* Sorts the findings, counts them by state and sets the verdict. */
void pd_gate_finish(pd_gate_result *r, bool open_question)
{
	if (r->nv)
		qsort(r->v, r->nv, sizeof *r->v, cmp_finding);
	r->nviolations = r->nundecidable = r->nallowed = 0;
	for (size_t i = 0; i < r->nv; i++) {
		if (r->v[i].state == PD_FINDING_VIOLATION)
			r->nviolations++;
		else if (r->v[i].state == PD_FINDING_UNDECIDABLE)
			r->nundecidable++;
		else
			r->nallowed++;
	}
	if (r->nviolations)
		r->verdict = PD_VERDICT_REGRESSION;
	else if (r->nundecidable || open_question)
		r->verdict = PD_VERDICT_INCONCLUSIVE;
	else
		r->verdict = PD_VERDICT_PASS;
}

/* ---- single pair -------------------------------------------------------------------- */

static int64_t mv(const pd_vals *v, pd_metric m)
{
	return m == PD_METRIC_CUM ? v->cum : v->flat;
}

/* Does a change e (with base value b) break rule on thresholds t? */
static bool breaks(pd_gate_rule rule, const pd_gate_thr *t, double floor, double e, double b)
{
	if (e <= 0 || e < floor)
		return false;
	if (rule == PD_RULE_NEW)
		return t->has_increase || t->floor.kind != PD_AMOUNT_NONE;
	return t->has_increase && (b <= 0 || e > t->pct / 100 * b);
}

static pd_status eval_row(const pd_diff *d, const pd_diff_row *row, const pd_gate_rules *r,
			  pd_gate_result *out, pd_error *err)
{
	pd_metric m = r->metric;
	pd_gate_thr t;
	pd_gate_thresholds(r, row->name, &t);
	double base = (double)mv(&row->base, m), head = (double)mv(&row->head, m);
	double dmin = (double)mv(&row->delta_min, m), dmax = (double)mv(&row->delta_max, m);
	double floor = pd_amount_resolve(&t.floor, (double)d->base_total);
	pd_gate_rule rule = row->status == PD_ROW_NEW ? PD_RULE_NEW : PD_RULE_INCREASE;
	/* A base hidden by trimming lies in [0, cutoff]: along the interval, the base that
	 * goes with a delta e is head - e, so the rule is monotone in e and the two ends
	 * decide it (the lower end: always breaks; the upper end: might break). */
	double bmin = row->in_base ? base : head - dmin, bmax = row->in_base ? base : head - dmax;
	bool all = breaks(rule, &t, floor, dmin, bmin), some = breaks(rule, &t, floor, dmax, bmax);
	if (!some)
		return PD_OK;
	double delta = (double)mv(&row->delta, m);
	pd_gate_violation v = {
		.state = all ? PD_FINDING_VIOLATION : PD_FINDING_UNDECIDABLE,
		.rule = rule,
		.name = row->name,
		.base = base,
		.head = head,
		.delta = delta,
		.delta_min = dmin,
		.delta_max = dmax,
		.limit = fmax(rule == PD_RULE_NEW ? 0 : t.pct / 100 * base, floor),
		.pct = base > 0 ? delta / base * 100 : INFINITY,
		.p = NAN,
		.q = NAN,
		.hidden = row->status == PD_ROW_HIDDEN,
		.line = t.line,
	};
	pd_gate_apply_allow(r, &v);
	return pd_gate_add(out, &v, err);
}

static pd_status eval_budgets(const pd_diff *d, const pd_gate_rules *r, pd_gate_result *out,
			      pd_error *err)
{
	const pd_gatefile *gf = r->file;
	for (size_t i = 0; gf && i < gf->nrules; i++) {
		const pd_gate_entry *e = &gf->rules[i];
		if (!e->has_budget)
			continue;
		double lo = 0, hi = 0, base = 0;
		for (size_t k = 0; k < d->nrows; k++) {
			const pd_diff_row *row = &d->rows[k];
			if (!pd_gate_pattern_match(e->exact, e->pattern, &e->re, row->name))
				continue;
			double b = (double)mv(&row->base, r->metric);
			double h = (double)mv(&row->head, r->metric);
			base += b;
			/* A head hidden by trimming is known only within base + [dmin, dmax]. */
			lo += row->in_new ? h : b + (double)mv(&row->delta_min, r->metric);
			hi += row->in_new ? h : b + (double)mv(&row->delta_max, r->metric);
		}
		double limit = pd_amount_resolve(&e->budget, (double)d->base_total);
		if (hi <= limit)
			continue;
		pd_gate_violation v = {
			.state = lo > limit ? PD_FINDING_VIOLATION : PD_FINDING_UNDECIDABLE,
			.rule = PD_RULE_BUDGET,
			.name = e->pattern,
			.base = base,
			.head = lo,
			.delta = lo - base,
			.delta_min = lo - base,
			.delta_max = hi - base,
			.limit = limit,
			.pct = base > 0 ? (lo - base) / base * 100 : INFINITY,
			.p = NAN,
			.q = NAN,
			.hidden = lo != hi,
			.line = e->line,
		};
		pd_gate_apply_allow(r, &v);
		pd_status rc = pd_gate_add(out, &v, err);
		if (rc != PD_OK)
			return rc;
	}
	return PD_OK;
}

pd_status pd_gate_eval_diff(const pd_diff *d, const pd_gate_rules *r, pd_gate_result *out,
			    pd_error *err)
{
	memset(out, 0, sizeof *out);
	out->nbase = out->nhead = 1;
	pd_status rc = pd_gate_check_units(r, d->unit, err);
	if (rc != PD_OK)
		return rc;
	if (r->has_total) {
		double b = (double)d->base_total, h = (double)d->new_total, e = h - b;
		double floor = pd_amount_resolve(&r->min_delta, b);
		if (e > 0 && e >= floor && e > r->total_pct / 100 * b) {
			pd_gate_violation v = {
				.rule = PD_RULE_TOTAL, .base = b, .head = h, .delta = e,
				.delta_min = e, .delta_max = e,
				.limit = fmax(r->total_pct / 100 * b, floor),
				.pct = b > 0 ? e / b * 100 : INFINITY, .p = NAN, .q = NAN,
			};
			rc = pd_gate_add(out, &v, err);
		}
	}
	for (size_t i = 0; rc == PD_OK && i < d->nrows; i++)
		rc = eval_row(d, &d->rows[i], r, out, err);
	if (rc == PD_OK)
		rc = eval_budgets(d, r, out, err);
	if (rc == PD_OK)
		rc = pd_gate_warn(out, err,
			       "one profile per side: the gate uses the thresholds alone, without "
			       "a significance test");
	if (rc == PD_OK) {
		pd_gate_finish(out, false);
		if (out->nundecidable)
			rc = pd_gate_warn(out, err,
				       "%zu change(s) cannot be decided: the inputs were trimmed and "
				       "the delta interval straddles a threshold",
				       out->nundecidable);
	}
	if (rc == PD_OK && r->file)
		rc = pd_gate_copy_file_warnings(r->file, out, err);
	if (rc != PD_OK)
		pd_gate_result_fini(out);
	return rc;
}

pd_status pd_gate_copy_file_warnings(const pd_gatefile *gf, pd_gate_result *out, pd_error *err)
{
	for (size_t i = 0; i < gf->nwarnings; i++) {
		pd_status rc = pd_gate_warn(out, err, "%s", gf->warnings[i]);
		if (rc != PD_OK)
			return rc;
	}
	return PD_OK;
}
