/* The diff as a colored DOT call graph, pprof style: one node per kept function (ids
 * N1..Nk in rank order), edges between kept nodes, a legend box. Colors come from
 * pd_color_hex with the change over the base total, so red = more in new. Every piece
 * of input text goes through dot_escape; the output is deterministic. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "base/alloc.h"

/* The one DOT escaper, a superset of pprof's escapeForDot: `\` and `"` are escaped and
 * a newline becomes `\n`; control characters, invalid UTF-8 and U+FFFE/U+FFFF (which
 * would make graphviz warn or write invalid SVG) become a visible `\xNN` (written
 * `\\xNN` so graphviz shows the backslash). `<>{}|[]` are safe in a quoted string.
 * Note graphviz 2.43 unescapes tooltips twice, so a name with `\N` in it shows the
 * node id in its SVG tooltip; the DOT itself round-trips exactly (like pprof's). */
static const pd_escape dot_escape = {
	.ascii = {['\\'] = "\\\\", ['"'] = "\\\"", ['\n'] = "\\n"},
	.bad = "\\\\x",
	.bad_hex = true,
};

/* graphviz rejects a quoted string longer than 16384 bytes, and an escaped byte takes
 * up to 5, so names are cut (at a character boundary, marked with "…") to NAME_CAP
 * bytes; an edge tooltip holds two. Legend values are cut shorter: there are several
 * in one label. */
#define NAME_CAP 1024
#define LEGEND_CAP 256

static void put_text(pd_buf *b, const char *s, size_t cap)
{
	char cut[NAME_CAP + 4];
	size_t len = s ? strlen(s) : 0;
	if (len > cap && cap <= NAME_CAP) {
		while (cap > 0 && ((unsigned char)s[cap] & 0xc0) == 0x80)
			cap--;
		memcpy(cut, s, cap);
		memcpy(cut + cap, "\xe2\x80\xa6", 4);
		s = cut;
	}
	pd_put_escaped(b, s, &dot_escape);
}

static uint64_t uabs(int64_t v)
{
	return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

/* Size of a change for the node budget: max(|Δflat|, |Δcum|). For hidden rows this is
 * the bound nearest zero, as in the ranking. */
static uint64_t magnitude(const pd_diff_row *r)
{
	uint64_t f = uabs(r->delta.flat), c = uabs(r->delta.cum);
	return f > c ? f : c;
}

typedef struct cand {
	uint64_t mag;
	const char *name;
	size_t row;
	size_t links; /* distinct core nodes adjacent to this one */
} cand;

static int by_change(const void *a, const void *b)
{
	const cand *x = a, *y = b;
	if (x->mag != y->mag)
		return x->mag > y->mag ? -1 : 1;
	int c = strcmp(x->name ? x->name : "", y->name ? y->name : "");
	if (c)
		return c;
	return x->row < y->row ? -1 : x->row > y->row;
}

/* Connectors first by how many core nodes they touch, then by change. */
static int by_links(const void *a, const void *b)
{
	const cand *x = a, *y = b;
	if (x->links != y->links)
		return x->links > y->links ? -1 : 1;
	return by_change(a, b);
}

typedef struct pair {
	size_t other, core; /* edge between a non-core node and a core node */
} pair;

static int by_pair(const void *a, const void *b)
{
	const pair *x = a, *y = b;
	if (x->other != y->other)
		return x->other < y->other ? -1 : 1;
	return x->core < y->core ? -1 : x->core > y->core;
}

/* Chooses which rows to draw; keep[i] is set for kept rows. Returns the count, or
 * SIZE_MAX when out of memory.
 *
 * Budget rule, for B = max_nodes < nrows:
 *  1. core: the B - floor(B/4) rows with the largest max(|Δflat|, |Δcum|), ties by name;
 *  2. connectors: up to floor(B/4) other rows adjacent (by an edge either way, residual
 *     or not) to at least two distinct core rows, e.g. the caller joining two changed
 *     callees or the function between a changed caller and a changed callee; most core
 *     neighbours first, then by change;
 *  3. whatever budget is left goes to the next largest changes.
 * So the top changes are always drawn, and the graph keeps the nodes that link them. */
static size_t select_rows(const pd_diff *d, size_t max_nodes, bool *keep)
{
	size_t n = d->nrows, kept = 0, core, npairs = 0, ncands = 0;
	cand *order = NULL, *conn = NULL;
	pair *pairs = NULL;

	if (max_nodes == 0 || n <= max_nodes) {
		for (size_t i = 0; i < n; i++)
			keep[i] = true;
		return n;
	}
	order = pd_malloc(n * sizeof *order);
	conn = pd_malloc(n * sizeof *conn);
	pairs = pd_malloc((d->nedges ? d->nedges : 1) * sizeof *pairs);
	if (!order || !conn || !pairs) {
		kept = SIZE_MAX;
		goto done;
	}
	for (size_t i = 0; i < n; i++)
		order[i] = (cand){magnitude(&d->rows[i]), d->rows[i].name, i, 0};
	qsort(order, n, sizeof *order, by_change);

	core = max_nodes - max_nodes / 4;
	for (; kept < core; kept++)
		keep[order[kept].row] = true;

	for (size_t i = 0; i < d->nedges; i++) {
		size_t a = d->edges[i].from, b = d->edges[i].to;
		if (a >= n || b >= n || keep[a] == keep[b])
			continue;
		pairs[npairs++] = keep[a] ? (pair){b, a} : (pair){a, b};
	}
	qsort(pairs, npairs, sizeof *pairs, by_pair);
	for (size_t i = 0; i < npairs;) {
		size_t j = i, links = 0;
		for (; j < npairs && pairs[j].other == pairs[i].other; j++)
			links += j == i || pairs[j].core != pairs[j - 1].core;
		if (links >= 2) {
			const pd_diff_row *r = &d->rows[pairs[i].other];
			conn[ncands++] = (cand){magnitude(r), r->name, pairs[i].other, links};
		}
		i = j;
	}
	qsort(conn, ncands, sizeof *conn, by_links);
	for (size_t i = 0; i < ncands && kept < max_nodes; i++) {
		keep[conn[i].row] = true;
		kept++;
	}
	for (size_t i = core; i < n && kept < max_nodes; i++) {
		if (!keep[order[i].row]) {
			keep[order[i].row] = true;
			kept++;
		}
	}
done:
	pd_free(order);
	pd_free(conn);
	pd_free(pairs);
	return kept;
}

/* "+1.20s" or "+1.70s..+2s", then the same over the base total: "+11.43%". */
static void change(char *dst, size_t size, const pd_diff *d, const pd_diff_row *r, pd_metric m)
{
	char val[PD_CELL];
	pd_report_delta(val, sizeof val, d, r, m);
	int64_t lo = pd_vals_get(&r->delta_min, m), hi = pd_vals_get(&r->delta_max, m);
	if (r->status != PD_ROW_HIDDEN || lo == hi)
		lo = hi = pd_vals_get(&r->delta, m);
	double a, b;
	if (!pd_report_pct_value(lo, d->base_total, &a) ||
	    !pd_report_pct_value(hi, d->base_total, &b)) {
		snprintf(dst, size, "%s", val);
	} else if (lo == hi) {
		snprintf(dst, size, "%s, %+.2f%%", val, a);
	} else {
		snprintf(dst, size, "%s, %+.2f%%..%+.2f%%", val, a, b);
	}
}

static void value_line(pd_buf *b, const pd_diff *d, const pd_diff_row *r, pd_metric m)
{
	char base[48], new[48], ch[2 * PD_CELL];
	pd_report_side(base, sizeof base, d, r, m, false);
	pd_report_side(new, sizeof new, d, r, m, true);
	change(ch, sizeof ch, d, r, m);
	pd_buf_printf(b, "\\n%s %s \xe2\x86\x92 %s (%s)", pd_metric_name(m), base, new, ch);
}

/* Font size grows with the change like pprof's with flat (8 + ceil(16 sqrt(x / max)),
 * 9..24), but on max(|Δflat|, |Δcum|) so a caller whose cum moved is not tiny. Color
 * follows Δcum over the base total, as pprof -diff_base colors by cum. */
static void put_node(pd_buf *b, const pd_diff *d, const pd_diff_row *r, size_t id,
		     uint64_t max_mag)
{
	char fg[8], bg[8], cum[PD_CELL];
	double score = pd_report_score(d, r->delta.cum);
	int fontsize = 8;
	if (magnitude(r) && max_mag)
		fontsize += (int)ceil(16.0 * sqrt((double)magnitude(r) / (double)max_mag));
	pd_color_hex(score, false, fg);
	pd_color_hex(score, true, bg);
	pd_report_delta(cum, sizeof cum, d, r, PD_METRIC_CUM);

	pd_buf_printf(b, "N%zu [label=\"%s", id, r->status == PD_ROW_HIDDEN ? "? " : "");
	put_text(b, r->short_name ? r->short_name : r->name, NAME_CAP);
	value_line(b, d, r, PD_METRIC_FLAT);
	value_line(b, d, r, PD_METRIC_CUM);
	pd_buf_printf(b, "\" id=\"node%zu\" fontsize=%d shape=box tooltip=\"", id, fontsize);
	put_text(b, r->name, NAME_CAP);
	pd_buf_printf(b, " (%s %s)\" color=\"%s\" fillcolor=\"%s\"", pd_row_status_name(r->status),
		      cum, fg, bg);
	switch (r->status) {
	case PD_ROW_NEW:
		pd_buf_puts(b, " style=\"filled,bold\" peripheries=2");
		break;
	case PD_ROW_REMOVED:
		pd_buf_puts(b, " style=\"filled,dashed\"");
		break;
	case PD_ROW_HIDDEN:
		pd_buf_puts(b, " style=\"filled,dotted\"");
		break;
	default:
		break;
	}
	pd_buf_puts(b, "]\n");
}

static void put_edge(pd_buf *b, const pd_diff *d, const pd_diff_edge *e, const size_t *id)
{
	char w[48], fg[8];
	const char *sep = e->residual ? " ... " : " -> ";
	pd_value_format(w, sizeof w, e->delta, d->unit, true);
	pd_buf_printf(b, "N%zu -> N%zu [label=\" %s%s\"", id[e->from], id[e->to], w,
		      e->inlined ? "\\n (inline)" : "");
	if (d->base_total) {
		/* pprof's weight and penwidth, computed in double so huge values cannot
		 * overflow; the integer division is the truncation. */
		double f = (double)uabs(e->delta) / fabs((double)d->base_total);
		int weight = 1 + (int)fmin(f * 100.0, 100.0);
		int pen = 1 + (int)fmin(f * 5.0, 5.0);
		if (weight > 1)
			pd_buf_printf(b, " weight=%d", weight);
		if (pen > 1)
			pd_buf_printf(b, " penwidth=%d", pen);
	}
	pd_color_hex(pd_report_score(d, e->delta), false, fg);
	pd_buf_printf(b, " color=\"%s\"", fg);
	for (int k = 0; k < 2; k++) {
		pd_buf_puts(b, k ? " labeltooltip=\"" : " tooltip=\"");
		put_text(b, d->rows[e->from].name, NAME_CAP);
		pd_buf_puts(b, sep);
		put_text(b, d->rows[e->to].name, NAME_CAP);
		pd_buf_printf(b, " (%s)\"", w);
	}
	if (e->residual)
		pd_buf_puts(b, " style=\"dotted\"");
	pd_buf_puts(b, "]\n");
}

static void legend_line(pd_buf *b, const char *key, const char *text, bool literal)
{
	if (key)
		pd_buf_printf(b, "%s: ", key);
	put_text(b, text, literal ? LEGEND_CAP : SIZE_MAX);
	pd_buf_puts(b, "\\l");
}

static void put_legend(pd_buf *b, const pd_diff *d, size_t kept, size_t max_nodes)
{
	pd_report_fact facts[PD_REPORT_FACTS_MAX];
	pd_warning warn[PD_REPORT_WARN_MAX];
	char line[256];
	pd_buf text;
	size_t nf = pd_report_facts(d, facts), nw = pd_report_warnings(d, warn);

	pd_buf_puts(b, "subgraph cluster_L { \"legend\" [shape=box fontsize=16 label=\"");
	legend_line(b, NULL, "profdiff: new - base", false);
	for (size_t i = 0; i < nf; i++)
		if (strcmp(facts[i].key, "ranked by") != 0)
			legend_line(b, facts[i].key, facts[i].text, facts[i].literal);
	if (kept < d->nrows)
		snprintf(line, sizeof line,
			 "showing %zu of %zu functions: %zu left out (node budget %zu)", kept,
			 d->nrows, d->nrows - kept, max_nodes);
	else
		snprintf(line, sizeof line, "showing all %zu functions", d->nrows);
	legend_line(b, NULL, line, false);
	pd_buf_init(&text, 0);
	for (size_t i = 0; i < nw; i++) {
		if (!pd_report_warning_shown(warn[i].kind, PD_WARN_REPORT))
			continue;
		text.len = 0;
		pd_report_warning_text(&text, d, &warn[i], PD_WARN_REPORT);
		if (text.failed)
			b->failed = true;
		else
			legend_line(b, "warning", text.data, false);
	}
	pd_buf_fini(&text);
	legend_line(b, NULL, "", false);
	legend_line(b, NULL, "red: more in new, green: less; intensity: \xce\x94" "cum / base total", false);
	legend_line(b, NULL, "node: flat and cum, base \xe2\x86\x92 new (change, % of base total)", false);
	legend_line(b, NULL, "bold double border: new; dashed: removed; dotted and ?: hidden "
			     "(absent from a trimmed input, change within an interval)", false);
	legend_line(b, NULL, "edges: change in weight; dotted: path through trimmed nodes", false);
	pd_buf_puts(b, "\" tooltip=\"profdiff\"] }\n");
}

pd_status pd_diff_dot(const pd_diff *d, size_t max_nodes, pd_buf *out, pd_error *err)
{
	bool *keep = pd_calloc(d->nrows ? d->nrows : 1, sizeof *keep);
	size_t *id = pd_calloc(d->nrows ? d->nrows : 1, sizeof *id);
	size_t kept = SIZE_MAX, next = 0;
	uint64_t max_mag = 0;

	if (keep && id)
		kept = select_rows(d, max_nodes, keep);
	if (kept == SIZE_MAX)
		goto done;
	/* Rank order, so N1 is the biggest change (as ranked by the diff). */
	for (size_t i = 0; i < d->nrows; i++) {
		if (!keep[i])
			continue;
		id[i] = ++next;
		if (magnitude(&d->rows[i]) > max_mag)
			max_mag = magnitude(&d->rows[i]);
	}

	pd_buf_puts(out, "digraph \"profdiff\" {\n");
	pd_buf_puts(out, "node [style=filled fillcolor=\"#f8f8f8\"]\n");
	put_legend(out, d, kept, max_nodes);
	for (size_t i = 0; i < d->nrows; i++)
		if (keep[i])
			put_node(out, d, &d->rows[i], id[i], max_mag);
	for (size_t i = 0; i < d->nedges; i++) {
		const pd_diff_edge *e = &d->edges[i];
		if (e->from < d->nrows && e->to < d->nrows && keep[e->from] && keep[e->to])
			put_edge(out, d, e, id);
	}
	pd_buf_puts(out, "}\n");
done:
	pd_free(keep);
	pd_free(id);
	if (kept == SIZE_MAX || out->failed)
		return pd_error_set(err, PD_EINTERNAL, "DOT output: out of memory or output too large");
	return PD_OK;
}
