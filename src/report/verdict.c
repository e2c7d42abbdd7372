/* The verdict's words, shared by every format (verdict.h): the one-line summary, each
 * finding with the rule it broke and where that rule came from, the gate's values in
 * their units (per second or shares in samples mode), and the samples-mode ranking. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "report/verdict.h"

void pd_gate_value(char *dst, size_t size, const pd_diff *d, const pd_report_gate *g, double v,
		   bool sign)
{
	if (!isfinite(v)) {
		snprintf(dst, size, "%s", isnan(v) ? "n/a" : v > 0 ? "+inf" : "-inf");
		return;
	}
	const pd_gate_samples *s = g ? g->samples : NULL;
	if (s && !s->per_second) {
		double pct = v * 100;
		if (fabs(pct) < 0.0005)
			pct = 0;
		snprintf(dst, size, sign ? "%+.3f%%" : "%.3f%%", pct);
		return;
	}
	char val[48];
	pd_value_format(val, sizeof val, (int64_t)llround(v), s ? s->unit : d->unit, sign);
	snprintf(dst, size, "%s%s", val, s ? "/s" : "");
}

static void pct_text(char *dst, size_t size, double pct)
{
	if (isinf(pct))
		snprintf(dst, size, "new");
	else if (isnan(pct))
		snprintf(dst, size, "n/a");
	else
		snprintf(dst, size, "%+.1f%%", fabs(pct) < 0.05 ? 0.0 : pct);
}

void pd_gate_pct(char *dst, size_t size, const pd_gate_fstat *s, bool samples)
{
	if (samples && !s->significant)
		snprintf(dst, size, "~");
	else
		pct_text(dst, size, s->pct);
}

static const char *rule_flag(pd_gate_rule r)
{
	switch (r) {
	case PD_RULE_TOTAL:
		return "--fail-on-total";
	case PD_RULE_INCREASE:
		return "--fail-on-increase";
	case PD_RULE_NEW:
		return "--min-delta (a new function above the floor)";
	default:
		return "the gate file";
	}
}

void pd_finding_describe(const pd_diff *d, const pd_report_gate *g, const pd_gate_violation *v,
			 pd_finding_text *t)
{
	char a[48], b[48], pct[32];
	const pd_gatefile *gf = g->rules ? g->rules->file : NULL;
	t->state = pd_finding_state_name(v->state);
	t->rule = pd_gate_rule_name(v->rule);
	t->name = v->name;
	if (v->line && gf)
		snprintf(t->source, sizeof t->source, "%s%s:%u",
			 v->state == PD_FINDING_ALLOWED ? "allowed by " : "", gf->path ? gf->path : "gate file",
			 v->line);
	else
		snprintf(t->source, sizeof t->source, "%s", rule_flag(v->rule));
	pct_text(pct, sizeof pct, v->pct);
	if (v->rule == PD_RULE_BUDGET) {
		pd_gate_value(a, sizeof a, d, g, v->head, false);
		snprintf(t->change, sizeof t->change, "costs %s", a);
		pd_gate_value(b, sizeof b, d, g, v->limit, false);
		snprintf(t->limit, sizeof t->limit, "budget %s", b);
	} else {
		if (v->hidden && v->delta_min != v->delta_max) {
			pd_gate_value(a, sizeof a, d, g, v->delta_min, true);
			pd_gate_value(b, sizeof b, d, g, v->delta_max, true);
			snprintf(t->change, sizeof t->change, "%s..%s (hidden)", a, b);
		} else {
			pd_gate_value(a, sizeof a, d, g, v->delta, true);
			snprintf(t->change, sizeof t->change, "%s (%s)", a, pct);
		}
		pd_gate_value(b, sizeof b, d, g, v->limit, v->rule != PD_RULE_NEW);
		snprintf(t->limit, sizeof t->limit, "%s %s", v->rule == PD_RULE_NEW ? "floor" : "limit",
			 b);
	}
	t->stats[0] = '\0';
	if (!isnan(v->p))
		snprintf(t->stats, sizeof t->stats, "p=%.4g q=%.4g", v->p, v->q);
}

static int64_t metric_of(const pd_vals *v, pd_metric m)
{
	return m == PD_METRIC_CUM ? v->cum : v->flat;
}

static double median_of(const double *v, size_t n)
{
	double *c = pd_malloc((n ? n : 1) * sizeof *c);
	if (!c)
		return NAN;
	memcpy(c, v, n * sizeof *c);
	double m = pd_median(c, n);
	pd_free(c);
	return m;
}

void pd_verdict_summary(pd_buf *b, const pd_diff *d, const pd_report_gate *g)
{
	const pd_gate_result *r = g->res;
	const pd_gate_samples *s = g->samples;
	char a[64], c[64];
	size_t worse = 0, better = 0, sworse = 0, sbetter = 0;
	pd_buf_puts(b, pd_verdict_name(r->verdict));
	if (r->nviolations)
		pd_buf_printf(b, ": %zu violation%s", r->nviolations, r->nviolations == 1 ? "" : "s");
	if (r->nundecidable)
		pd_buf_printf(b, "%s%zu undecidable (trimmed input)", r->nviolations ? ", " : ": ",
			      r->nundecidable);
	if (r->nallowed)
		pd_buf_printf(b, "%s%zu allowed", r->nviolations || r->nundecidable ? ", " : ": ",
			      r->nallowed);
	if (r->verdict == PD_VERDICT_INCONCLUSIVE && !r->nundecidable)
		pd_buf_puts(b, r->nallowed ? ", too little data to decide (see the warnings)"
					   : ": too little data to decide (see the warnings)");
	if (s && s->per_second && s->base_total && s->head_total) {
		double bt = median_of(s->base_total, s->nbase), ht = median_of(s->head_total, s->nhead);
		pd_gate_value(a, sizeof a, d, g, bt, false);
		pd_gate_value(c, sizeof c, d, g, ht, false);
		pd_buf_printf(b, "; total (median) %s \xe2\x86\x92 %s", a, c);
		if (bt > 0)
			pd_buf_printf(b, " (%+.2f%%)", (ht - bt) / bt * 100);
	} else if (s) {
		pd_buf_puts(b, "; values are shares of each profile's total");
	} else {
		pd_value_format(a, sizeof a, d->base_total, d->unit, false);
		pd_value_format(c, sizeof c, d->new_total, d->unit, false);
		pd_buf_printf(b, "; total %s \xe2\x86\x92 %s", a, c);
		double pct;
		if (pd_report_pct_value(d->new_total - d->base_total, d->base_total, &pct))
			pd_buf_printf(b, " (%+.2f%%)", fabs(pct) < 0.005 ? 0.0 : pct);
	}
	if (s) {
		for (size_t i = 0; i < r->nstats; i++) {
			const pd_gate_fstat *f = &r->stats[i];
			worse += f->hl > 0;
			better += f->hl < 0;
			sworse += f->hl > 0 && f->significant;
			sbetter += f->hl < 0 && f->significant;
		}
		pd_buf_printf(b, "; %zu functions worse (%zu significant), %zu better (%zu significant)",
			      worse, sworse, better, sbetter);
		pd_buf_printf(b, "; %zu+%zu profiles, %zu tested, alpha %g", g->nbase, g->nhead,
			      r->family, g->rules ? g->rules->alpha : 0.05);
	} else {
		pd_metric m = g->rules ? g->rules->metric : PD_METRIC_FLAT;
		for (size_t i = 0; i < d->nrows; i++) {
			int64_t v = metric_of(&d->rows[i].delta, m);
			worse += v > 0;
			better += v < 0;
		}
		pd_buf_printf(b, "; %zu functions worse, %zu better (%s)", worse, better,
			      m == PD_METRIC_CUM ? "cum" : "flat");
		pd_buf_puts(b, "; thresholds only (one profile per side: no significance test)");
	}
}

typedef struct ranked {
	double key; /* |HL|, -1 when there is none */
	const char *name;
	size_t i;
} ranked;

static int cmp_rank(const void *x, const void *y)
{
	const ranked *a = x, *b = y;
	if (a->key != b->key)
		return a->key < b->key ? 1 : -1;
	return strcmp(a->name, b->name);
}

size_t pd_gate_ranked(const pd_report_gate *g, size_t **idx)
{
	size_t n = g->res->nstats;
	ranked *r = pd_malloc((n ? n : 1) * sizeof *r);
	*idx = pd_malloc((n ? n : 1) * sizeof **idx);
	if (!r || !*idx) {
		pd_free(r);
		pd_free(*idx);
		*idx = NULL;
		return (size_t)-1;
	}
	for (size_t i = 0; i < n; i++) {
		const pd_gate_fstat *f = &g->res->stats[i];
		r[i] = (ranked){isnan(f->hl) ? -1 : fabs(f->hl), f->name ? f->name : "", i};
	}
	if (n > 1)
		qsort(r, n, sizeof *r, cmp_rank);
	for (size_t i = 0; i < n; i++)
		(*idx)[i] = r[i].i;
	pd_free(r);
	return n;
}

bool pd_gate_is_violation(const pd_report_gate *g, const char *name)
{
	if (!g || !g->res || !name)
		return false;
	for (size_t i = 0; i < g->res->nv; i++)
		if (g->res->v[i].state == PD_FINDING_VIOLATION && g->res->v[i].name &&
		    strcmp(g->res->v[i].name, name) == 0)
			return true;
	return false;
}

static void amount_text(pd_buf *b, const pd_amount *a)
{
	char v[48];
	if (a->kind == PD_AMOUNT_SHARE) {
		pd_buf_printf(b, "%g%% of the base total", a->share * 100);
		return;
	}
	pd_value_format(v, sizeof v, a->value, a->unit == PD_UNIT_UNKNOWN ? PD_UNIT_COUNT : a->unit,
			false);
	pd_buf_puts(b, v);
}

void pd_gate_rules_text(pd_buf *b, const pd_gate_rules *r)
{
	pd_buf_printf(b, "%s", r->metric == PD_METRIC_CUM ? "cum" : "flat");
	if (r->has_increase)
		pd_buf_printf(b, "; increase > %g%%", r->increase_pct);
	if (r->min_delta.kind != PD_AMOUNT_NONE) {
		pd_buf_puts(b, "; floor ");
		amount_text(b, &r->min_delta);
	}
	if (r->has_total)
		pd_buf_printf(b, "; total > %g%%", r->total_pct);
	pd_buf_printf(b, "; alpha %g", r->alpha);
	if (r->file)
		pd_buf_printf(b, "; gate file with %zu rule(s), %zu allow entr%s", r->file->nrules,
			      r->file->nallow, r->file->nallow == 1 ? "y" : "ies");
	if (!pd_gate_rules_active(r))
		pd_buf_puts(b, "; no rule can fail the gate");
}
