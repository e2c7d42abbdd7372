/* The diff: joins the function tables of two profiles into ranked rows. Functions
 * present on one side only get a zero placeholder on the other (so later steps need no
 * special cases), except that a side which was trimmed only bounds the missing value:
 * such rows are "hidden" and carry an interval. Rows point at the profiles' strings. */
#include <math.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "diff/diff.h"
#include "table/table.h"
#include "base/base.h"

static const char *const status_names[PD_ROW_STATUS_KINDS] = {
	[PD_ROW_CHANGED] = "changed", [PD_ROW_UNCHANGED] = "unchanged", [PD_ROW_NEW] = "new",
	[PD_ROW_REMOVED] = "removed", [PD_ROW_HIDDEN] = "hidden",
};

const char *pd_row_status_name(pd_row_status s)
{
	return (unsigned)s < PD_ROW_STATUS_KINDS ? status_names[s] : "unknown";
}

void pd_diff_opts_init(pd_diff_opts *o)
{
	memset(o, 0, sizeof *o);
	o->by = PD_METRIC_FLAT;
	o->normalize = PD_NORMALIZE_NONE;
	o->granularity = PD_GRAN_FUNCTION;
}

/* A row under construction, with the table entries it came from. */
typedef struct pending {
	pd_diff_row row;
	pd_fn *b, *n;
} pending;

/* The arithmetic of one diff, checked: a result outside int64 sets a sticky flag (and
 * gives 0), which pd_diff_new turns into one error once the rows are built. --normalize
 * scales the new side by num / den (base total / new total), exactly, in 128 bits. */
__extension__ typedef __int128 i128;

typedef struct calc {
	i128 num, den; /* 1 / 1 without --normalize; den > 0 */
	bool scale_overflow, diff_overflow;
} calc;

/* v * num / den, rounded to nearest with halves away from zero (as llround). */
static int64_t scaled(calc *c, int64_t v)
{
	if (c->num == c->den)
		return v;
	i128 p = (i128)v * c->num, q = p / c->den, r = p % c->den;
	if (2 * (r < 0 ? -r : r) >= c->den)
		q += p < 0 ? -1 : 1;
	if (q < INT64_MIN || q > INT64_MAX) {
		c->scale_overflow = true;
		return 0;
	}
	return (int64_t)q;
}

static int64_t sub(calc *c, int64_t a, int64_t b)
{
	int64_t r;
	if (!pd_sub_i64(a, b, &r)) {
		c->diff_overflow = true;
		return 0;
	}
	return r;
}

static int64_t max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

/* |v| without overflow (of INT64_MIN, which a checked difference never is, but a
 * comparator must not trust that). */
static uint64_t abs64(int64_t v)
{
	return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

/* |delta| <= tol */
static bool within(int64_t delta, int64_t tol)
{
	return tol >= 0 && abs64(delta) <= (uint64_t)tol;
}

/* The point of [lo, hi] nearest zero: the change the bounds guarantee. */
static int64_t nearest_zero(int64_t lo, int64_t hi)
{
	return lo > 0 ? lo : hi < 0 ? hi : 0;
}

static double share(int64_t v, int64_t total)
{
	return total ? (double)v / (double)total : NAN;
}

static void fill_row(pending *pr, const pd_profile *bp, const pd_profile *np, calc *c,
		     const pd_diff *d)
{
	pd_diff_row *r = &pr->row;
	const pd_fn *b = pr->b, *n = pr->n;
	r->name = b ? b->key : n->key;
	r->short_name = b ? b->short_name : n->short_name;
	r->in_base = b != NULL;
	r->in_new = n != NULL;
	if (b)
		r->base = (pd_vals){b->flat, b->cum};
	if (n)
		r->head = (pd_vals){scaled(c, n->flat), scaled(c, n->cum)};
	r->cum_upper_bound = (b && b->nodes > 1) || (n && n->nodes > 1);
	r->tol.flat = max64(b ? b->flat_res : 0, n ? scaled(c, n->flat_res) : 0);
	r->tol.cum = max64(b ? b->cum_res : 0, n ? scaled(c, n->cum_res) : 0);
	r->delta = (pd_vals){sub(c, r->head.flat, r->base.flat), sub(c, r->head.cum, r->base.cum)};
	r->delta_min = r->delta_max = r->delta;
	r->share_base = share(r->base.flat, d->base_total);
	r->share_new = share(r->head.flat, d->new_total);
	if (b && n) {
		bool same = within(r->delta.flat, r->tol.flat) && within(r->delta.cum, r->tol.cum);
		r->status = same ? PD_ROW_UNCHANGED : PD_ROW_CHANGED;
		return;
	}
	/* Absent from one side: zero if that side was complete, else within its bounds. */
	const pd_profile *missing = b ? np : bp;
	if (!missing->info.trimmed) {
		r->status = b ? PD_ROW_REMOVED : PD_ROW_NEW;
		return;
	}
	r->status = PD_ROW_HIDDEN;
	int64_t fmax = b ? scaled(c, missing->unknown_flat_max) : missing->unknown_flat_max;
	int64_t cmax = b ? scaled(c, missing->unknown_cum_max) : missing->unknown_cum_max;
	if (b) { /* new value in [0, max] */
		r->delta_min = (pd_vals){sub(c, 0, r->base.flat), sub(c, 0, r->base.cum)};
		r->delta_max = (pd_vals){sub(c, fmax, r->base.flat), sub(c, cmax, r->base.cum)};
	} else { /* base value in [0, max] */
		r->delta_min = (pd_vals){sub(c, r->head.flat, fmax), sub(c, r->head.cum, cmax)};
		r->delta_max = (pd_vals){r->head.flat, r->head.cum};
	}
	r->delta.flat = nearest_zero(r->delta_min.flat, r->delta_max.flat);
	r->delta.cum = nearest_zero(r->delta_min.cum, r->delta_max.cum);
}

static int64_t metric(const pd_vals *v, pd_metric m)
{
	return m == PD_METRIC_CUM ? v->cum : v->flat;
}

/* Total order: |delta| of the ranking metric, then of the other one, then name. */
static int cmp_rows(const void *a, const void *b, void *ctx)
{
	const pd_diff_row *x = &((const pending *)a)->row, *y = &((const pending *)b)->row;
	pd_metric m = *(const pd_metric *)ctx;
	pd_metric o = m == PD_METRIC_CUM ? PD_METRIC_FLAT : PD_METRIC_CUM;
	uint64_t dx = abs64(metric(&x->delta, m)), dy = abs64(metric(&y->delta, m));
	if (dx != dy)
		return dx > dy ? -1 : 1;
	dx = abs64(metric(&x->delta, o));
	dy = abs64(metric(&y->delta, o));
	if (dx != dy)
		return dx > dy ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Edges: |delta| desc, then caller name, then callee name. Most edges tie on |delta|
 * (unchanged), so names are compared through their precomputed rank (ctx), not strcmp. */
static int cmp_edges(const void *a, const void *b, void *ctx)
{
	const pd_diff_edge *x = a, *y = b;
	const size_t *rank = ctx;
	uint64_t dx = abs64(x->delta), dy = abs64(y->delta);
	if (dx != dy)
		return dx > dy ? -1 : 1;
	if (x->from != y->from)
		return rank[x->from] < rank[y->from] ? -1 : 1;
	return rank[x->to] < rank[y->to] ? -1 : rank[x->to] > rank[y->to];
}

static int cmp_names(const void *a, const void *b, void *ctx)
{
	const pd_diff_row *rows = ctx;
	return strcmp(rows[*(const size_t *)a].name, rows[*(const size_t *)b].name);
}

/* rank[i] = position of row i in name order (names are unique). NULL if out of memory. */
static size_t *name_ranks(const pd_diff *d)
{
	size_t *order = pd_malloc((d->nrows + 1) * sizeof *order);
	size_t *rank = pd_malloc((d->nrows + 1) * sizeof *rank);
	if (order && rank) {
		for (size_t i = 0; i < d->nrows; i++)
			order[i] = i;
		qsort_r(order, d->nrows, sizeof *order, cmp_names, d->rows);
		for (size_t i = 0; i < d->nrows; i++)
			rank[order[i]] = i;
	} else {
		pd_free(rank);
		rank = NULL;
	}
	pd_free(order);
	return rank;
}

typedef struct edge_acc {
	struct {
		size_t from, to;
	} key;
	size_t index; /* into d->edges and the pool: entry i of the pool is edge i */
	UT_hash_handle hh;
} edge_acc;

/* Adds the edges of one table (side 0 = base, 1 = new, scaled by c) to d->edges, which
 * (like pool) has room for every edge of both tables; deltas come later. False when out
 * of memory. */
static bool add_edges(pd_diff *d, const pd_table *t, int side, calc *c, edge_acc **acc,
		      edge_acc *pool)
{
	for (const pd_tedge *te = t->edges; te; te = te->hh.next) {
		if (te->key.from->row == SIZE_MAX || te->key.to->row == SIZE_MAX)
			continue; /* an end was filtered out */
		edge_acc probe, *a;
		memset(&probe, 0, sizeof probe);
		probe.key.from = te->key.from->row;
		probe.key.to = te->key.to->row;
		HASH_FIND(hh, *acc, &probe.key, sizeof probe.key, a);
		if (!a) {
			a = &pool[d->nedges];
			memset(a, 0, sizeof *a);
			a->key = probe.key;
			a->index = d->nedges++;
			memset(&d->edges[a->index], 0, sizeof d->edges[0]);
			d->edges[a->index].from = probe.key.from;
			d->edges[a->index].to = probe.key.to;
			HASH_ADD(hh, *acc, key, sizeof a->key, a);
			if (PD_HASH_ADD_FAILED(a))
				return false;
		}
		pd_diff_edge *e = &d->edges[a->index];
		if (side == 0) {
			e->base = te->weight;
			e->in_base = true;
		} else {
			e->head = scaled(c, te->weight);
			e->in_new = true;
		}
		e->residual |= te->residual;
		e->inlined |= te->inlined;
		e->unweighted |= !te->weighted;
	}
	return true;
}

/* Whether the two inputs measure the same thing: the legend's sample type (cpu, wall,
 * alloc_space, inuse_space ...) where both have one, and the unit family. */
static bool comparable(const pd_profile_info *b, const pd_profile_info *n)
{
	if (b->type && n->type && strcmp(b->type, n->type) != 0)
		return false;
	return b->unit == PD_UNIT_UNKNOWN || n->unit == PD_UNIT_UNKNOWN || b->unit == n->unit;
}

/* *forced: the inputs were not comparable and o->force let them through. */
static pd_status check_inputs(const pd_profile *b, const pd_profile *n, const pd_diff_opts *o,
			      bool *forced, pd_error *err)
{
	const pd_profile_info *bi = &b->info, *ni = &n->info;
	const pd_profile_info *sides[2] = {bi, ni};
	*forced = false;
	for (int i = 0; i < 2; i++)
		if (sides[i]->has_negative)
			return pd_error_set(err, PD_EINPUT,
					    "%s: has negative values, so it is already a diff; diff two "
					    "plain profiles instead",
					    sides[i]->source);
	if (!comparable(bi, ni)) {
		if (!o->force)
			return pd_error_set(err, PD_EINPUT,
					    "incompatible profiles: %s is '%s' (%s), %s is '%s' (%s); "
					    "--force to diff anyway",
					    bi->source, bi->type ? bi->type : "no type",
					    pd_unit_name(bi->unit), ni->source,
					    ni->type ? ni->type : "no type", pd_unit_name(ni->unit));
		*forced = true;
	}
	for (int i = 0; i < 2; i++)
		if (sides[i]->total == 0)
			return pd_error_set(err, PD_ENODATA, "%s: profile is empty (total 0)",
					    sides[i]->source);
	return PD_OK;
}

static pd_status compile(regex_t *re, const char *pattern, const char *flag, pd_error *err)
{
	int rc = regcomp(re, pattern, REG_EXTENDED | REG_NOSUB);
	if (rc == 0)
		return PD_OK;
	char msg[128];
	regerror(rc, re, msg, sizeof msg);
	regfree(re);
	return pd_error_set(err, PD_EUSAGE, "%s: bad regular expression '%s': %s", flag, pattern,
			    msg);
}

pd_status pd_diff_new(const pd_profile *bp, const pd_profile *np, const pd_diff_opts *o,
		      pd_diff **out, pd_error *err)
{
	*out = NULL;
	bool forced;
	pd_status rc = check_inputs(bp, np, o, &forced, err);
	if (rc != PD_OK)
		return rc;
	regex_t focus, ignore;
	bool has_focus = o->focus && *o->focus, has_ignore = o->ignore && *o->ignore;
	if (has_focus && (rc = compile(&focus, o->focus, "--focus", err)) != PD_OK)
		return rc;
	if (has_ignore && (rc = compile(&ignore, o->ignore, "--ignore", err)) != PD_OK) {
		if (has_focus)
			regfree(&focus);
		return rc;
	}

	pd_diff *d = pd_calloc(1, sizeof *d);
	pd_table tb = {0}, tn = {0};
	pending *rows = NULL;
	edge_acc *acc = NULL, *pool = NULL;
	if (!d)
		goto oom;
	d->base = bp->info;
	d->head = np->info;
	d->opts = *o;
	d->forced = forced;
	d->unit = bp->info.unit != PD_UNIT_UNKNOWN ? bp->info.unit : np->info.unit;
	d->short_names = !(bp->info.has_tooltips && np->info.has_tooltips);
	calc c = {1, 1, false, false};
	if (o->normalize == PD_NORMALIZE_TOTAL) {
		/* A negative total (only a profile built in code has one) flips both. */
		int sign = np->info.total < 0 ? -1 : 1;
		c.num = sign * (i128)bp->info.total;
		c.den = sign * (i128)np->info.total;
		d->scale = (double)bp->info.total / (double)np->info.total;
	} else {
		d->scale = 1.0;
	}
	d->base_total = bp->info.total;
	d->new_total = scaled(&c, np->info.total);
	sub(&c, d->new_total, d->base_total); /* reports print the net change */

	if ((rc = pd_table_build(bp, d->short_names, o->granularity, &tb, err)) != PD_OK ||
	    (rc = pd_table_build(np, d->short_names, o->granularity, &tn, err)) != PD_OK)
		goto fail;
	size_t cap = HASH_COUNT(tb.fns) + HASH_COUNT(tn.fns) + 1, k = 0;
	rows = pd_calloc(cap, sizeof *rows);
	if (!rows)
		goto oom;
	/* Pair entries present in both first, then the new side's leftovers. */
	for (pd_fn *f = tb.fns; f; f = f->hh.next) {
		pd_fn *g;
		HASH_FIND_STR(tn.fns, f->key, g);
		rows[k].b = f;
		rows[k++].n = g;
	}
	for (pd_fn *g = tn.fns; g; g = g->hh.next) {
		pd_fn *f;
		HASH_FIND_STR(tb.fns, g->key, f);
		if (!f) {
			rows[k].b = NULL;
			rows[k++].n = g;
		}
	}
	size_t kept = 0;
	for (size_t i = 0; i < k; i++) {
		const char *name = rows[i].b ? rows[i].b->key : rows[i].n->key;
		/* Pyroscope's synthetic "other" node holds truncated stacks: it stays in the
		 * totals but is never reported as a function. */
		bool drop = strcmp(name, "other") == 0;
		drop |= has_focus && regexec(&focus, name, 0, NULL, 0) != 0;
		drop |= has_ignore && regexec(&ignore, name, 0, NULL, 0) == 0;
		if (drop) {
			d->nfiltered += strcmp(name, "other") != 0;
			continue;
		}
		rows[kept] = rows[i];
		fill_row(&rows[kept], bp, np, &c, d);
		kept++;
	}
	pd_metric by = o->by;
	qsort_r(rows, kept, sizeof *rows, cmp_rows, &by);
	d->rows = pd_calloc(kept + 1, sizeof *d->rows);
	if (!d->rows)
		goto oom;
	for (size_t i = 0; i < kept; i++) {
		d->rows[i] = rows[i].row;
		if (rows[i].b)
			rows[i].b->row = i;
		if (rows[i].n)
			rows[i].n->row = i;
	}
	d->nrows = kept;
	size_t ecap = HASH_COUNT(tb.edges) + HASH_COUNT(tn.edges) + 1;
	d->edges = pd_malloc(ecap * sizeof *d->edges);
	pool = pd_malloc(ecap * sizeof *pool);
	if (!d->edges || !pool)
		goto oom;
	if (!add_edges(d, &tb, 0, &c, &acc, pool) || !add_edges(d, &tn, 1, &c, &acc, pool))
		goto oom;
	for (size_t i = 0; i < d->nedges; i++)
		d->edges[i].delta = sub(&c, d->edges[i].head, d->edges[i].base);
	/* Checked once here, for rows, edges and totals alike. */
	if (c.scale_overflow || c.diff_overflow) {
		rc = c.scale_overflow
			     ? pd_error_set(err, PD_EINPUT,
					    "%s: values overflow a 64-bit integer (a value scaled to "
					    "the base total)",
					    np->info.source)
			     : pd_error_set(err, PD_EINPUT,
					    "%s and %s: values overflow a 64-bit integer (difference "
					    "of new and base)",
					    bp->info.source, np->info.source);
		goto fail;
	}
	if (d->nedges) {
		size_t *rank = name_ranks(d);
		if (!rank)
			goto oom;
		qsort_r(d->edges, d->nedges, sizeof *d->edges, cmp_edges, rank);
		pd_free(rank);
	}
	goto done;
oom:
	rc = pd_error_oom(err);
fail:
	pd_diff_free(d);
	d = NULL;
done:
	HASH_CLEAR(hh, acc); /* entries live in pool */
	pd_free(pool);
	pd_free(rows);
	pd_table_fini(&tb);
	pd_table_fini(&tn);
	if (has_focus)
		regfree(&focus);
	if (has_ignore)
		regfree(&ignore);
	*out = d;
	return d ? PD_OK : rc;
}

void pd_diff_free(pd_diff *d)
{
	if (!d)
		return;
	pd_free(d->rows);
	pd_free(d->edges);
	pd_free(d);
}
