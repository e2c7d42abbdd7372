/* The diff as a colored DOT call graph, pprof style: one node per kept function (ids
 * N1..Nk in rank order), edges between kept nodes, a legend box wrapped to 60 columns.
 * Colors come from pd_color_hex with the change over the base total (red = more in
 * new); size and border width grow with the change, grey context fades. Every piece of
 * input text goes through dot_escape; the output is deterministic. */
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

/* The name printed after every percentage in the graph (see the legend and README). */
#define PCT_NAME "of base total"

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

/* "+1.20s" or "+1.70s..+2s", then the same over the base total, named so it is not
 * read as the text report's Δ% (which is of the function's own base): "+11.43% of base
 * total". */
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
		snprintf(dst, size, "%s, %+.2f%% " PCT_NAME, val, a);
	} else {
		snprintf(dst, size, "%s, %+.2f%%..%+.2f%% " PCT_NAME, val, a, b);
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

/* Emphasis follows the change, so the eye lands on the largest ones first. Font size
 * grows like pprof's with flat (8 + ceil(16 sqrt(x / max)), 9..24), but on
 * max(|Δflat|, |Δcum|) so a caller whose cum moved is not tiny; the border is 3 points
 * wide for changes at least half the largest, 2 for at least a quarter. Color follows
 * Δcum over the base total, as pprof -diff_base colors by cum; a node whose color is
 * grey (change under about 0.3% of the base total) is context and fades: grey text. */
static void put_node(pd_buf *b, const pd_diff *d, const pd_diff_row *r, size_t id,
		     uint64_t max_mag)
{
	char fg[8], bg[8], cum[PD_CELL];
	double score = pd_report_score(d, r->delta.cum);
	double share = max_mag ? (double)magnitude(r) / (double)max_mag : 0.0;
	bool faded = pd_color_is_grey(score);
	int fontsize = 8 + (share > 0.0 ? (int)ceil(16.0 * sqrt(share)) : 0);
	int pen = faded ? 1 : share >= 0.5 ? 3 : share >= 0.25 ? 2 : 1;
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
	if (pen > 1)
		pd_buf_printf(b, " penwidth=%d", pen);
	if (faded)
		pd_buf_puts(b, " fontcolor=\"" PD_COLOR_FADED_TEXT "\"");
	/* Status by line style only, so the border width stays the emphasis. */
	switch (r->status) {
	case PD_ROW_NEW:
		pd_buf_puts(b, " peripheries=2");
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

/* Edge labels in dot's layout proper double the ranks and make it about 10x slower
 * (measured on generated graphs: 1 s at 250 nodes, 9 s at 500, 51 s at 1000); above
 * this many nodes they become xlabels, placed after the layout (5 s at 1000 nodes),
 * a little less tidy but bounded. */
#define LABEL_MAX_NODES 250

/* An edge is labelled with its change; an unchanged edge gets no label: a "0" (or its
 * weight) next to the changes reads as one more number to check, and an unlabelled
 * edge reads as context at a glance. Its tooltip still gives the weight. Edges whose
 * color is grey (the change is under about 0.3% of the base total) fade: half-width
 * pen, grey text. */
static void put_edge(pd_buf *b, const pd_diff *d, const pd_diff_edge *e, const size_t *id,
		     bool xlabel)
{
	char w[48], tip[64], fg[8];
	const char *sep = e->residual ? " ... " : " -> ";
	double score = pd_report_score(d, e->delta);
	bool faded = pd_color_is_grey(score);
	pd_buf_printf(b, "N%zu -> N%zu [", id[e->from], id[e->to]);
	if (e->delta != 0) {
		pd_value_format(w, sizeof w, e->delta, d->unit, true);
		snprintf(tip, sizeof tip, "%s", w);
		pd_buf_printf(b, "%slabel=\" %s%s\" ", xlabel ? "x" : "", w,
			      e->inlined ? "\\n (inline)" : "");
	} else {
		pd_value_format(w, sizeof w, e->head, d->unit, false);
		snprintf(tip, sizeof tip, "unchanged, %s", w);
	}
	if (d->base_total) {
		/* pprof's weight and penwidth, computed in double so huge values cannot
		 * overflow; the integer division is the truncation. */
		double f = (double)uabs(e->delta) / fabs((double)d->base_total);
		int weight = 1 + (int)fmin(f * 100.0, 100.0);
		int pen = 1 + (int)fmin(f * 5.0, 5.0);
		if (weight > 1)
			pd_buf_printf(b, "weight=%d ", weight);
		if (pen > 1)
			pd_buf_printf(b, "penwidth=%d ", pen);
	}
	pd_color_hex(score, false, fg);
	pd_buf_printf(b, "color=\"%s\"", fg);
	if (faded)
		pd_buf_puts(b, " penwidth=0.5 fontcolor=\"" PD_COLOR_FADED_TEXT "\"");
	for (int k = 0; k < 2; k++) {
		pd_buf_puts(b, k ? " labeltooltip=\"" : " tooltip=\"");
		put_text(b, d->rows[e->from].name, NAME_CAP);
		pd_buf_puts(b, sep);
		put_text(b, d->rows[e->to].name, NAME_CAP);
		pd_buf_printf(b, " (%s)\"", tip);
	}
	if (e->residual)
		pd_buf_puts(b, " style=\"dotted\"");
	pd_buf_puts(b, "]\n");
}

/* Legend lines wrap at LEGEND_WIDTH columns, at a space when there is one (a path or a
 * regex without spaces is cut anywhere), continuation lines indented: a long warning
 * or path would otherwise make the legend, and so the canvas, as wide as itself. */
#define LEGEND_WIDTH 60
/* No-break spaces: SVG collapses leading ASCII spaces. */
#define LEGEND_INDENT "\xc2\xa0\xc2\xa0\xc2\xa0\xc2\xa0"
#define LEGEND_INDENT_COLS 4

/* Bytes of s that fit in width columns, ending at a space when there is one; at least
 * one character. *skip gets how many spaces to drop after the cut. */
static size_t fit(const char *s, size_t width, size_t *skip)
{
	size_t cols = 0, i = 0, space = 0;
	*skip = 0;
	while (s[i]) {
		size_t n = 1;
		while (((unsigned char)s[i + n] & 0xc0) == 0x80)
			n++;
		if (cols == width)
			break;
		if (s[i] == ' ' && i > 0)
			space = i;
		cols++;
		i += n;
	}
	if (!s[i])
		return i;
	if (s[i] == ' ') { /* the cut falls on a space: drop it */
		*skip = 1;
		return i;
	}
	if (space) {
		*skip = 1;
		return space;
	}
	return i;
}

/* One legend entry "key: text". The text is made visible first (control characters and
 * invalid UTF-8 as \xNN, as a terminal shows them), so the columns counted are the
 * columns drawn, then wrapped, then escaped for DOT line by line. */
static void legend_line(pd_buf *b, const char *key, const char *text, bool literal)
{
	char cut[LEGEND_CAP + 4];
	pd_buf line;
	size_t len = text ? strlen(text) : 0;
	if (literal && len > LEGEND_CAP) {
		size_t cap = LEGEND_CAP;
		while (cap > 0 && ((unsigned char)text[cap] & 0xc0) == 0x80)
			cap--;
		memcpy(cut, text, cap);
		memcpy(cut + cap, "\xe2\x80\xa6", 4);
		text = cut;
	}
	pd_buf_init(&line, 0);
	if (key)
		pd_buf_printf(&line, "%s: ", key);
	pd_put_escaped(&line, text ? text : "", &pd_escape_text);
	if (line.failed) {
		b->failed = true;
		goto done;
	}
	const char *p = line.data ? line.data : "";
	size_t width = LEGEND_WIDTH;
	do {
		char piece[4 * LEGEND_WIDTH + 1];
		size_t skip, n = fit(p, width, &skip);
		memcpy(piece, p, n);
		piece[n] = '\0';
		if (width < LEGEND_WIDTH)
			pd_buf_puts(b, LEGEND_INDENT);
		pd_put_escaped(b, piece, &dot_escape);
		pd_buf_puts(b, "\\l");
		p += n + skip;
		width = LEGEND_WIDTH - LEGEND_INDENT_COLS;
	} while (*p);
done:
	pd_buf_fini(&line);
}

static void put_legend(pd_buf *b, const pd_diff *d, size_t kept, size_t max_nodes)
{
	pd_report_fact facts[PD_REPORT_FACTS_MAX];
	pd_warning warn[PD_REPORT_WARN_MAX];
	char line[256], total[48];
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
	pd_value_format(total, sizeof total, d->base_total, d->unit, false);
	snprintf(line, sizeof line,
		 "%% " PCT_NAME ": a change divided by the base total (%s), as in pprof "
		 "-diff_base; not the text report's \xce\x94%% (of the function's own base)",
		 total);
	legend_line(b, NULL, line, false);
	legend_line(b, NULL, "node: flat and cum, base \xe2\x86\x92 new (change, % " PCT_NAME ")",
		    false);
	legend_line(b, NULL, "color: red more in new, green less; intensity: \xce\x94" "cum % "
			     PCT_NAME, false);
	legend_line(b, NULL, "thick border, large text: the largest changes; grey text: "
			     "context, changed by under 0.3% " PCT_NAME, false);
	legend_line(b, NULL, "double border: new; dashed: removed; dotted and ?: hidden "
			     "(absent from a trimmed input, change within an interval)", false);
	legend_line(b, NULL, "edges: change in weight, no label when unchanged; dotted: "
			     "path through trimmed nodes", false);
	pd_buf_puts(b, "\" tooltip=\"profdiff\"] }\n");
}

pd_status pd_diff_svg_check(const pd_diff *d, size_t max_nodes, pd_error *err)
{
	/* select_rows keeps exactly min(budget, rows). */
	size_t n = max_nodes && max_nodes < d->nrows ? max_nodes : d->nrows;
	return n > PD_SVG_MAX_NODES ? pd_svg_too_big(n, err) : PD_OK;
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
			put_edge(out, d, e, id, kept > LABEL_MAX_NODES);
	}
	pd_buf_puts(out, "}\n");
done:
	pd_free(keep);
	pd_free(id);
	if (kept == SIZE_MAX || out->failed)
		return pd_error_set(err, PD_EINTERNAL, "DOT output: out of memory or output too large");
	return PD_OK;
}
