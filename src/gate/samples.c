/* The gate with several profiles per side: per function a U test, the HL shift with its
 * interval, BH over the family, and "violation = practical AND q <= alpha"
 * (statistics.md 4.2). Also builds the names x samples matrix from K pd_diffs.
 * Borrowed: the samples and the rules; owned by the result: its arrays. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "gate/gate.h"
#include "gate/gate_internal.h"

typedef struct ctx {
	const pd_gate_samples *s;
	const pd_gate_rules *r;
	pd_gate_result *out;
	double tx;        /* baseline total (median), the base of share floors; NaN unknown */
	double *scratch;  /* max(nbase, nhead) doubles */
	pd_udist ud;
	bool ignored_floor; /* a floor could not apply (units), warned once */
} ctx;

static double median_of(ctx *c, const double *v, size_t n)
{
	memcpy(c->scratch, v, n * sizeof *v);
	return pd_median(c->scratch, n);
}

/* A floor in the samples' units, or 0 when it cannot apply (warned). */
static double floor_of(ctx *c, const pd_amount *a)
{
	if (a->kind == PD_AMOUNT_NONE)
		return 0;
	if ((a->kind == PD_AMOUNT_ABS && !c->s->per_second) ||
	    (a->kind == PD_AMOUNT_SHARE && isnan(c->tx))) {
		c->ignored_floor = true;
		return 0;
	}
	return pd_amount_resolve(a, c->tx);
}

static pd_status test_function(ctx *c, size_t f, pd_error *err)
{
	const pd_gate_samples *s = c->s;
	pd_gate_fstat *st = &c->out->stats[f];
	const double *x = s->base + f * s->nbase, *y = s->head + f * s->nhead;
	pd_mwu_result u;
	pd_status rc = pd_mwu(x, s->nbase, y, s->nhead, PD_MWU_AUTO, &c->ud, &u, err);
	if (rc != PD_OK)
		return rc;
	pd_hl_result h;
	if ((rc = pd_hl_ci(x, s->nbase, y, s->nhead, c->r->conf, &c->ud, &h, err)) != PD_OK)
		return rc;
	*st = (pd_gate_fstat){
		.name = s->names[f],
		.med_base = median_of(c, x, s->nbase),
		.med_head = median_of(c, y, s->nhead),
		.hl = h.hl,
		.hl_lo = h.lo,
		.hl_hi = h.hi,
		.p = u.p,
		.q = NAN,
		.method = u.method,
		.all_equal = u.all_equal,
		.approx_ci = h.approximate && !u.all_equal,
		.truncated = s->truncated && s->truncated[f],
	};
	st->pct = st->med_base > 0 ? st->hl / st->med_base * 100 : st->hl > 0 ? INFINITY : 0;
	pd_gate_thr t;
	pd_gate_thresholds(c->r, st->name, &t);
	double floor = floor_of(c, &t.floor), e = st->hl;
	bool absent = true; /* zero in every base sample: a new function */
	for (size_t i = 0; i < s->nbase && absent; i++)
		absent = x[i] == 0;
	bool rel = absent ? (t.has_increase || t.floor.kind != PD_AMOUNT_NONE)
			  : (t.has_increase && st->pct > t.pct);
	st->practical = !u.all_equal && e > 0 && e >= floor && rel;
	if (c->r->family == PD_FAMILY_PRACTICAL) {
		st->in_family = st->practical;
	} else { /* label-blind: the pooled maximum must clear the floor (3.6) */
		double mx = 0;
		for (size_t i = 0; i < s->nbase; i++)
			mx = fmax(mx, x[i]);
		for (size_t j = 0; j < s->nhead; j++)
			mx = fmax(mx, y[j]);
		st->in_family = !u.all_equal && mx >= floor;
	}
	return PD_OK;
}

static pd_status total_rule(ctx *c, pd_error *err)
{
	const pd_gate_samples *s = c->s;
	if (!c->r->has_total || !s->base_total || !s->head_total)
		return PD_OK;
	pd_mwu_result u;
	pd_hl_result h;
	pd_status rc = pd_mwu(s->base_total, s->nbase, s->head_total, s->nhead, PD_MWU_AUTO,
			      &c->ud, &u, err);
	if (rc == PD_OK)
		rc = pd_hl_ci(s->base_total, s->nbase, s->head_total, s->nhead, c->r->conf, &c->ud,
			      &h, err);
	if (rc != PD_OK)
		return rc;
	double b = c->tx, e = h.hl, floor = floor_of(c, &c->r->min_delta);
	double limit = fmax(c->r->total_pct / 100 * b, floor);
	if (!(e > 0 && e >= floor && e > c->r->total_pct / 100 * b && u.p <= c->r->alpha))
		return PD_OK;
	pd_gate_violation v = {
		.rule = PD_RULE_TOTAL, .base = b, .head = median_of(c, s->head_total, s->nhead),
		.delta = e, .delta_min = h.lo, .delta_max = h.hi, .limit = limit,
		.pct = b > 0 ? e / b * 100 : INFINITY, .p = u.p, .q = NAN,
	};
	return pd_gate_add(c->out, &v, err);
}

static pd_status budgets(ctx *c, pd_error *err)
{
	const pd_gatefile *gf = c->r->file;
	for (size_t i = 0; gf && i < gf->nrules; i++) {
		const pd_gate_entry *e = &gf->rules[i];
		if (!e->has_budget)
			continue;
		double base = 0, head = 0;
		for (size_t f = 0; f < c->out->nstats; f++) {
			const pd_gate_fstat *st = &c->out->stats[f];
			if (pd_gate_pattern_match(e->exact, e->pattern, &e->re, st->name)) {
				base += st->med_base;
				head += st->med_head;
			}
		}
		bool ignored = c->ignored_floor;
		c->ignored_floor = false;
		double limit = floor_of(c, &e->budget);
		bool cannot = c->ignored_floor; /* the budget's units do not apply: warned */
		c->ignored_floor = c->ignored_floor || ignored;
		if (cannot || head <= limit)
			continue;
		pd_gate_violation v = {
			.rule = PD_RULE_BUDGET, .name = e->pattern, .base = base, .head = head,
			.delta = head - base, .delta_min = head - base, .delta_max = head - base,
			.limit = limit, .pct = base > 0 ? (head - base) / base * 100 : INFINITY,
			.p = NAN, .q = NAN, .line = e->line,
		};
		pd_gate_apply_allow(c->r, &v);
		pd_status rc = pd_gate_add(c->out, &v, err);
		if (rc != PD_OK)
			return rc;
	}
	return PD_OK;
}

/* BH over the family, then the decision per function. */
static pd_status decide(ctx *c, pd_error *err)
{
	pd_gate_result *out = c->out;
	size_t n = out->nstats;
	double *p = pd_malloc((n ? n : 1) * sizeof *p);
	if (!p)
		return pd_error_oom(err);
	for (size_t f = 0; f < n; f++) {
		p[f] = out->stats[f].in_family ? out->stats[f].p : NAN;
		out->family += out->stats[f].in_family;
		out->ntested += !out->stats[f].all_equal;
	}
	pd_status rc = pd_fdr_adjust(p, n, false, p, err);
	for (size_t f = 0; rc == PD_OK && f < n; f++) {
		pd_gate_fstat *st = &out->stats[f];
		st->q = p[f];
		st->significant = st->in_family && st->q <= c->r->alpha;
		if (!st->practical || !st->significant)
			continue;
		pd_gate_thr t;
		pd_gate_thresholds(c->r, st->name, &t);
		bool absent = true;
		for (size_t i = 0; i < c->s->nbase && absent; i++)
			absent = c->s->base[f * c->s->nbase + i] == 0;
		pd_gate_violation v = {
			.rule = absent ? PD_RULE_NEW : PD_RULE_INCREASE,
			.name = st->name, .base = st->med_base, .head = st->med_head,
			.delta = st->hl, .delta_min = st->hl_lo, .delta_max = st->hl_hi,
			.limit = fmax(absent ? 0 : t.pct / 100 * st->med_base, floor_of(c, &t.floor)),
			.pct = st->pct, .p = st->p, .q = st->q, .hidden = st->truncated,
			.line = t.line,
		};
		pd_gate_apply_allow(c->r, &v);
		rc = pd_gate_add(out, &v, err);
	}
	pd_free(p);
	return rc;
}

static pd_status warnings(ctx *c, bool *open, pd_error *err)
{
	const pd_gate_samples *s = c->s;
	pd_gate_result *out = c->out;
	double alpha = c->r->alpha, minp = pd_mwu_min_p(s->nbase, s->nhead);
	size_t k = s->nbase < s->nhead ? s->nbase : s->nhead, need = pd_mwu_need_k(alpha, 1);
	size_t practical = 0, approx = 0, trunc = 0;
	for (size_t f = 0; f < out->nstats; f++) {
		practical += out->stats[f].practical;
		approx += out->stats[f].approx_ci;
		trunc += out->stats[f].truncated;
	}
	pd_status rc = PD_OK;
	if (minp > alpha) {
		/* Nothing can be significant: a practical change is an open question. */
		*open = practical > 0;
		rc = pd_gate_warn(out, err, "need >= %zu samples to detect a difference at alpha level %g",
			       need, alpha);
	} else if (out->family > 0 && (double)out->family * minp > alpha) {
		size_t kk = pd_mwu_need_k(alpha, out->family);
		rc = pd_gate_warn(out, err,
			       "with M = %zu functions tested, %zu+%zu samples cannot reach q <= %g "
			       "for an isolated regression; use K >= %zu or narrow the set of "
			       "tested functions",
			       out->family, s->nbase, s->nhead, alpha, kk);
	}
	size_t need_ci = pd_median_ci_need_n(c->r->conf);
	if (rc == PD_OK && k < need_ci)
		rc = pd_gate_warn(out, err, "need >= %zu samples for confidence interval at level %g",
			       need_ci, c->r->conf);
	if (rc == PD_OK && approx)
		rc = pd_gate_warn(out, err, "HL interval approximate (ties) for %zu function(s)", approx);
	if (rc == PD_OK && trunc)
		rc = pd_gate_warn(out, err, "input truncated; zeros are upper-bounded (%zu function(s))",
			       trunc);
	if (rc == PD_OK && c->ignored_floor)
		rc = pd_gate_warn(out, err,
			       s->per_second ? "a share floor needs the baseline totals: ignored"
					     : "values are shares of the total (no durations): "
					       "absolute floors and budgets do not apply");
	return rc;
}

static pd_status eval_kept(const pd_gate_samples *s, const pd_gate_rules *r,
			   pd_gate_result *out, pd_error *err)
{
	memset(out, 0, sizeof *out);
	out->samples_mode = true;
	out->nbase = s->nbase;
	out->nhead = s->nhead;
	ctx c = {.s = s, .r = r, .out = out, .tx = NAN};
	pd_status rc = PD_OK;
	if (s->per_second)
		rc = pd_gate_check_units(r, s->unit, err);
	if (rc != PD_OK)
		return rc;
	if (s->nbase == 0 || s->nhead == 0) {
		rc = pd_gate_warn(out, err, "no samples on the %s side: nothing to compare",
			       s->nbase == 0 ? "base" : "head");
		if (rc == PD_OK)
			pd_gate_finish(out, true);
		else
			pd_gate_result_fini(out);
		return rc;
	}
	size_t most = s->nbase > s->nhead ? s->nbase : s->nhead;
	c.scratch = pd_malloc(most * sizeof *c.scratch);
	out->stats = pd_calloc(s->nfuncs ? s->nfuncs : 1, sizeof *out->stats);
	if (!c.scratch || !out->stats)
		rc = pd_error_oom(err);
	if (rc == PD_OK && s->base_total) {
		for (size_t i = 0; i < s->nbase; i++)
			if (!isfinite(s->base_total[i]))
				rc = pd_error_set(err, PD_EINPUT, "a baseline total is NaN or infinite");
		if (rc == PD_OK)
			c.tx = median_of(&c, s->base_total, s->nbase);
	} else if (rc == PD_OK && !s->per_second) {
		c.tx = 1; /* values are shares of their sample's total */
	}
	out->nstats = s->nfuncs;
	for (size_t f = 0; rc == PD_OK && f < s->nfuncs; f++)
		rc = test_function(&c, f, err);
	if (rc == PD_OK)
		rc = decide(&c, err);
	if (rc == PD_OK)
		rc = total_rule(&c, err);
	if (rc == PD_OK)
		rc = budgets(&c, err);
	bool open = false;
	if (rc == PD_OK)
		rc = warnings(&c, &open, err);
	if (rc == PD_OK && r->file)
		rc = pd_gate_copy_file_warnings(r->file, out, err);
	if (rc == PD_OK)
		pd_gate_finish(out, open);
	pd_udist_fini(&c.ud);
	pd_free(c.scratch);
	if (rc != PD_OK)
		pd_gate_result_fini(out);
	return rc;
}

/* Copies the columns of vals (nf x n) whose total is not 0 into kept (nf x nk). */
static size_t keep_columns(const double *vals, const double *tot, size_t nf, size_t n,
			   double *kept, double *ktot)
{
	size_t nk = 0;
	for (size_t i = 0; i < n; i++)
		nk += tot[i] != 0;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (tot[i] == 0)
			continue;
		ktot[k] = tot[i];
		for (size_t f = 0; f < nf; f++)
			kept[f * nk + k] = vals[f * n + i];
		k++;
	}
	return nk;
}

/* A sample with no data at all (total 0: an empty slice) is dropped for every function,
 * with a warning (statistics.md 0.1); a truly absent function stays a zero. */
pd_status pd_gate_eval_samples(const pd_gate_samples *s, const pd_gate_rules *r,
			       pd_gate_result *out, pd_error *err)
{
	size_t eb = 0, eh = 0;
	for (size_t i = 0; s->base_total && i < s->nbase; i++)
		eb += s->base_total[i] == 0;
	for (size_t j = 0; s->head_total && j < s->nhead; j++)
		eh += s->head_total[j] == 0;
	if (eb + eh == 0)
		return eval_kept(s, r, out, err);
	memset(out, 0, sizeof *out);
	size_t nf = s->nfuncs ? s->nfuncs : 1;
	pd_gate_samples k = *s;
	double *bv = pd_malloc(nf * (s->nbase + 1) * sizeof *bv);
	double *hv = pd_malloc(nf * (s->nhead + 1) * sizeof *hv);
	double *bt = pd_malloc((s->nbase + 1) * sizeof *bt);
	double *ht = pd_malloc((s->nhead + 1) * sizeof *ht);
	pd_status rc = bv && hv && bt && ht ? PD_OK : pd_error_oom(err);
	if (rc == PD_OK) {
		if (s->base_total)
			k.nbase = keep_columns(s->base, s->base_total, s->nfuncs, s->nbase, bv, bt);
		if (s->head_total)
			k.nhead = keep_columns(s->head, s->head_total, s->nfuncs, s->nhead, hv, ht);
		k.base = s->base_total ? bv : s->base;
		k.head = s->head_total ? hv : s->head;
		k.base_total = s->base_total ? bt : NULL;
		k.head_total = s->head_total ? ht : NULL;
		rc = eval_kept(&k, r, out, err);
	}
	if (rc == PD_OK)
		rc = pd_gate_warn(out, err,
				  "dropped %zu base and %zu head sample(s) with no data at all", eb, eh);
	if (rc != PD_OK)
		pd_gate_result_fini(out);
	pd_free(bv);
	pd_free(hv);
	pd_free(bt);
	pd_free(ht);
	return rc;
}

/* ---- samples from diffs ------------------------------------------------------------ */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void pd_gate_samples_fini(pd_gate_samples_owned *o)
{
	if (!o)
		return;
	for (size_t i = 0; o->names && i < o->s.nfuncs; i++)
		pd_free(o->names[i]);
	pd_free(o->names);
	pd_free(o->base);
	pd_free(o->head);
	pd_free(o->base_total);
	pd_free(o->head_total);
	pd_free(o->truncated);
	memset(o, 0, sizeof *o);
}

static pd_status collect_names(const pd_diff *const *diffs, size_t nd, pd_gate_samples_owned *o,
			       pd_error *err)
{
	size_t total = 0;
	for (size_t i = 0; i < nd; i++)
		total += diffs[i]->nrows;
	const char **all = pd_malloc((total ? total : 1) * sizeof *all);
	if (!all)
		return pd_error_oom(err);
	size_t n = 0;
	for (size_t i = 0; i < nd; i++)
		for (size_t k = 0; k < diffs[i]->nrows; k++)
			all[n++] = diffs[i]->rows[k].name;
	qsort(all, n, sizeof *all, cmp_str);
	size_t u = 0;
	for (size_t i = 0; i < n; i++)
		if (u == 0 || strcmp(all[u - 1], all[i]) != 0)
			all[u++] = all[i];
	o->names = pd_calloc(u ? u : 1, sizeof *o->names);
	pd_status rc = o->names ? PD_OK : pd_error_oom(err);
	for (size_t i = 0; rc == PD_OK && i < u; i++) {
		if (!(o->names[i] = pd_strdup(all[i])))
			rc = pd_error_oom(err);
		o->s.nfuncs = i + 1; /* names[0..nfuncs) are freed by _fini */
	}
	o->s.nfuncs = rc == PD_OK ? u : o->s.nfuncs;
	pd_free(all);
	return rc;
}

static int64_t mval(const pd_vals *v, pd_metric m)
{
	return m == PD_METRIC_CUM ? v->cum : v->flat;
}

/* One side of one diff into column col of vals (nfuncs x n). */
static void fill_side(pd_gate_samples_owned *o, const pd_diff *d, bool head, pd_metric m,
		      double div, double *vals, size_t n, size_t col)
{
	const pd_profile_info *info = head ? &d->head : &d->base;
	size_t nf = o->s.nfuncs;
	/* Absent from a trimmed side: unknown in [0, cutoff]; take the least favourable
	 * value for an increase (statistics.md 5.2). */
	double missing = head || !info->trimmed ? 0 : (double)info->node_cutoff;
	for (size_t f = 0; f < nf; f++)
		vals[f * n + col] = NAN; /* not seen yet */
	for (size_t k = 0; k < d->nrows; k++) {
		const pd_diff_row *row = &d->rows[k];
		char *key = (char *)(uintptr_t)row->name;
		char **hit = bsearch(&key, o->names, nf, sizeof *o->names, cmp_str);
		if (!hit)
			continue;
		size_t f = (size_t)(hit - o->names);
		bool present = head ? row->in_new : row->in_base;
		if (!present)
			continue; /* keeps the fill above */
		double v = (double)mval(head ? &row->head : &row->base, m);
		if (head && d->scale > 0)
			v /= d->scale; /* undo --normalize: raw values per second */
		vals[f * n + col] = v / div;
	}
	for (size_t f = 0; f < nf; f++) {
		if (!isnan(vals[f * n + col]))
			continue;
		vals[f * n + col] = missing / div;
		if (info->trimmed)
			o->truncated[f] = true;
	}
}

pd_status pd_gate_samples_from_diffs(const pd_diff *const *diffs, size_t ndiffs, size_t nbase,
				     size_t nhead, pd_metric metric, pd_gate_samples_owned *out,
				     pd_error *err)
{
	memset(out, 0, sizeof *out);
	if (nbase > ndiffs || nhead > ndiffs || ndiffs == 0)
		return pd_error_set(err, PD_EUSAGE, "gate samples: %zu+%zu samples from %zu diffs",
				    nbase, nhead, ndiffs);
	pd_status rc = collect_names(diffs, ndiffs, out, err);
	size_t nf = out->s.nfuncs, cells = nf ? nf : 1;
	if (rc == PD_OK) {
		out->base = pd_malloc(cells * (nbase ? nbase : 1) * sizeof *out->base);
		out->head = pd_malloc(cells * (nhead ? nhead : 1) * sizeof *out->head);
		out->base_total = pd_malloc((nbase ? nbase : 1) * sizeof *out->base_total);
		out->head_total = pd_malloc((nhead ? nhead : 1) * sizeof *out->head_total);
		out->truncated = pd_calloc(cells, sizeof *out->truncated);
		if (!out->base || !out->head || !out->base_total || !out->head_total ||
		    !out->truncated)
			rc = pd_error_oom(err);
	}
	if (rc != PD_OK) {
		pd_gate_samples_fini(out);
		return rc;
	}
	bool per_second = true;
	for (size_t i = 0; i < nbase; i++)
		per_second = per_second && diffs[i]->base.duration_ns > 0;
	for (size_t j = 0; j < nhead; j++)
		per_second = per_second && diffs[j]->head.duration_ns > 0;
	for (size_t i = 0; i < nbase; i++) {
		const pd_profile_info *in = &diffs[i]->base;
		double div = per_second ? (double)in->duration_ns / 1e9 : (double)in->total;
		if (div <= 0)
			div = 1;
		fill_side(out, diffs[i], false, metric, div, out->base, nbase, i);
		out->base_total[i] = (double)in->total / div;
	}
	for (size_t j = 0; j < nhead; j++) {
		const pd_profile_info *in = &diffs[j]->head;
		double div = per_second ? (double)in->duration_ns / 1e9 : (double)in->total;
		if (div <= 0)
			div = 1;
		fill_side(out, diffs[j], true, metric, div, out->head, nhead, j);
		out->head_total[j] = (double)in->total / div;
	}
	out->s = (pd_gate_samples){
		.nfuncs = nf, .nbase = nbase, .nhead = nhead,
		.names = (const char *const *)out->names,
		.base = out->base, .head = out->head,
		.base_total = out->base_total, .head_total = out->head_total,
		.truncated = out->truncated, .per_second = per_second,
		.unit = diffs[0]->unit,
	};
	return PD_OK;
}
