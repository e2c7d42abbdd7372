/* Plain-text report: the verdict and its findings first when gated, then the header
 * facts, the ranked table with aligned columns (numbers right-aligned, the full name
 * last and unpadded; in samples mode the per-function statistics) and the warnings.
 * ANSI color only when the caller asks, from the shared severity function; a gated
 * report colors only violations. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "report/report.h"
#include "report/verdict.h"

/* Names are printed raw except bytes that would break the line or the terminal. */

static void pad(pd_buf *b, size_t n)
{
	static const char spaces[] = "                                ";
	while (n > 0) {
		size_t k = n < sizeof spaces - 1 ? n : sizeof spaces - 1;
		pd_buf_append(b, spaces, k);
		n -= k;
	}
}

static void put_facts(pd_buf *out, const pd_report_fact *facts, size_t nf)
{
	size_t keyw = 0;
	for (size_t i = 0; i < nf; i++)
		if (strlen(facts[i].key) > keyw)
			keyw = strlen(facts[i].key);
	for (size_t i = 0; i < nf; i++) {
		pd_buf_printf(out, "%s:", facts[i].key);
		pad(out, keyw - strlen(facts[i].key) + 1);
		pd_put_escaped(out, facts[i].text, &pd_escape_text);
		pd_buf_puts(out, "\n");
	}
}

/* Two passes: widths first, so columns line up for any data. cells(i, c) fills row i. */
typedef void (*fill_fn)(const void *ctx, size_t i, const char *cell[], char store[][PD_CELL]);

static void put_table(pd_buf *out, int ncols, const char *const header[], const bool left[],
		      size_t n, fill_fn fill, const void *ctx, const char *(*sgr)(const void *, size_t))
{
	size_t width[16];
	const char *cell[16];
	char store[16][PD_CELL];
	for (int k = 0; k < ncols; k++)
		width[k] = pd_text_width(header[k]);
	for (size_t i = 0; i < n; i++) {
		fill(ctx, i, cell, store);
		for (int k = 0; k < ncols; k++)
			if (pd_text_width(cell[k]) > width[k])
				width[k] = pd_text_width(cell[k]);
	}
	for (size_t i = 0; i <= n; i++) {
		const char *color = i && sgr ? sgr(ctx, i - 1) : "";
		if (i)
			fill(ctx, i - 1, cell, store);
		const char *const *row = i ? cell : header;
		pd_buf_puts(out, color);
		for (int k = 0; k < ncols; k++) {
			size_t w = pd_text_width(row[k]);
			if (k)
				pd_buf_puts(out, "  ");
			if (!left[k])
				pad(out, width[k] - w);
			if (k == ncols - 1)
				pd_put_escaped(out, row[k], &pd_escape_text);
			else
				pd_buf_puts(out, row[k]);
			if (left[k] && k != ncols - 1)
				pad(out, width[k] - w);
		}
		if (*color)
			pd_buf_puts(out, PD_ANSI_RESET);
		pd_buf_puts(out, "\n");
	}
}

typedef struct diff_ctx {
	const pd_diff *d;
	const pd_report_gate *g;
	bool color;
} diff_ctx;

static void fill_diff(const void *ctx, size_t i, const char *cell[], char store[][PD_CELL])
{
	const diff_ctx *c = ctx;
	pd_report_cells rc;
	pd_report_cells_fill(c->d, i, &rc);
	for (int k = 0; k < PD_COLS; k++) {
		if (k <= PD_COL_DCUM) {
			memcpy(store[k], rc.cell[k], strlen(rc.cell[k]) + 1);
			cell[k] = store[k];
		} else {
			cell[k] = rc.cell[k];
		}
	}
}

/* The severity color; in a gated report only violations are colored, so noise never
 * reads like a regression. */
static const char *diff_sgr(const void *ctx, size_t i)
{
	const diff_ctx *c = ctx;
	const pd_diff_row *r = &c->d->rows[i];
	if (!c->color)
		return "";
	if (c->g && c->g->gated && !pd_gate_is_violation(c->g, r->name))
		return "";
	return pd_color_ansi(pd_report_score(c->d, pd_vals_get(&r->delta, c->d->opts.by)));
}

enum { S_RANK, S_BASE, S_NEW, S_HL, S_CI, S_PCT, S_P, S_Q, S_NAME, S_COLS };
static const char *const samples_header[S_COLS] = {
	"rank", "base", "new", "\xce\x94 (HL)", "95% CI", "\xce\x94%", "p", "q", "name"};
static const bool samples_left[S_COLS] = {[S_NAME] = true};

typedef struct samples_ctx {
	const pd_diff *d;
	const pd_report_gate *g;
	const size_t *idx;
	bool color;
} samples_ctx;

static void fill_samples(const void *ctx, size_t i, const char *cell[], char store[][PD_CELL])
{
	const samples_ctx *c = ctx;
	const pd_gate_fstat *f = &c->g->res->stats[c->idx[i]];
	char lo[56], hi[56];
	for (int k = 0; k < S_NAME; k++)
		cell[k] = store[k];
	snprintf(store[S_RANK], PD_CELL, "%zu", i + 1);
	pd_gate_value(store[S_BASE], PD_CELL, c->d, c->g, f->med_base, false);
	pd_gate_value(store[S_NEW], PD_CELL, c->d, c->g, f->med_head, false);
	pd_gate_value(store[S_HL], PD_CELL, c->d, c->g, f->hl, true);
	pd_gate_value(lo, sizeof lo, c->d, c->g, f->hl_lo, true);
	pd_gate_value(hi, sizeof hi, c->d, c->g, f->hl_hi, true);
	snprintf(store[S_CI], PD_CELL, "%s..%s", lo, hi);
	pd_gate_pct(store[S_PCT], PD_CELL, f, true);
	snprintf(store[S_P], PD_CELL, f->all_equal ? "-" : "%.3g", f->p);
	snprintf(store[S_Q], PD_CELL, isnan(f->q) ? "-" : "%.3g", f->q);
	cell[S_NAME] = f->name ? f->name : "";
}

static const char *samples_sgr(const void *ctx, size_t i)
{
	const samples_ctx *c = ctx;
	const pd_gate_fstat *f = &c->g->res->stats[c->idx[i]];
	if (!c->color || !(f->significant && f->practical) ||
	    (c->g->gated && !pd_gate_is_violation(c->g, f->name)))
		return "";
	return pd_color_ansi(f->hl > 0 ? 1.0 : -1.0);
}

static void put_findings(pd_buf *out, const pd_diff *d, const pd_report_gate *g)
{
	const pd_gate_result *r = g->res;
	if (!r->nv)
		return;
	pd_buf_puts(out, "\n");
	for (size_t i = 0; i < r->nv; i++) {
		pd_finding_text t;
		pd_finding_describe(d, g, &r->v[i], &t);
		pd_buf_printf(out, "%s: %s: ", t.state, t.rule);
		pd_put_escaped(out, t.name ? t.name : "total", &pd_escape_text);
		pd_buf_printf(out, " %s, %s", t.change, t.limit);
		if (*t.stats)
			pd_buf_printf(out, ", %s", t.stats);
		pd_buf_puts(out, " [");
		pd_put_escaped(out, t.source, &pd_escape_text);
		pd_buf_puts(out, "]");
		if (r->v[i].reason) {
			pd_buf_puts(out, ": ");
			pd_put_escaped(out, r->v[i].reason, &pd_escape_text);
		}
		pd_buf_puts(out, "\n");
	}
}

static void put_sources(pd_buf *out, const char *key, const char *const *src, size_t n)
{
	pd_buf_printf(out, "%s %zu profile%s:", key, n, n == 1 ? "" : "s");
	for (size_t i = 0; i < n; i++) {
		pd_buf_puts(out, i ? ", " : " ");
		pd_put_escaped(out, src[i] ? src[i] : "?", &pd_escape_text);
	}
	pd_buf_puts(out, "\n");
}

pd_status pd_report_text(const pd_diff *d, const pd_report_opts *o, pd_buf *out, pd_error *err)
{
	return pd_report_text_gated(d, NULL, o, out, err);
}

pd_status pd_report_text_gated(const pd_diff *d, const pd_report_gate *g,
			       const pd_report_opts *o, pd_buf *out, pd_error *err)
{
	pd_report_fact facts[PD_REPORT_FACTS_MAX];
	pd_warning warn[PD_REPORT_WARN_MAX];
	size_t nw = pd_report_warnings(d, warn), total = d->nrows, shown;
	bool color = o && o->color;
	bool samples = g && g->res && g->samples;
	size_t *idx = NULL;

	if (g && g->res && g->gated) {
		pd_buf_puts(out, "verdict: ");
		pd_verdict_summary(out, d, g);
		pd_buf_puts(out, "\n");
		put_findings(out, d, g);
		pd_buf_puts(out, "\n");
	}
	if (samples) {
		put_sources(out, "base:", g->base_src, g->nbase);
		put_sources(out, "new: ", g->head_src, g->nhead);
		if (d->base.type) {
			pd_buf_puts(out, "type: ");
			pd_put_escaped(out, d->base.type, &pd_escape_text);
			pd_buf_puts(out, "\n");
		}
		pd_buf_printf(out, "values: %s; base and new are medians, \xce\x94 the Hodges-Lehmann "
				   "shift; ~ = not significant (q > alpha)\n",
			      g->per_window		? "per second of each slice's window"
			      : g->samples->per_second ? "per second of each profile's duration"
						       : "shares of each profile's total (no durations)");
	} else {
		size_t nf = pd_report_facts(d, facts);
		if (g && g->res && g->gated && nf < PD_REPORT_FACTS_MAX) {
			pd_buf rules;
			pd_buf_init(&rules, sizeof facts[nf].buf - 1);
			pd_gate_rules_text(&rules, g->rules);
			facts[nf] = (pd_report_fact){.key = "gate", .text = facts[nf].buf};
			snprintf(facts[nf].buf, sizeof facts[nf].buf, "%s", rules.failed ? "?" : rules.data);
			pd_buf_fini(&rules);
			nf++;
		}
		put_facts(out, facts, nf);
	}
	if (samples && g->gated) {
		pd_buf_puts(out, "gate:   ");
		pd_gate_rules_text(out, g->rules);
		pd_buf_puts(out, "\n");
	}
	pd_buf_puts(out, "\n");

	if (samples) {
		total = pd_gate_ranked(g, &idx);
		if (total == (size_t)-1)
			return pd_error_oom(err);
		shown = o && o->top && o->top < total ? o->top : total;
		samples_ctx c = {d, g, idx, color};
		if (shown)
			put_table(out, S_COLS, samples_header, samples_left, shown, fill_samples, &c,
				  samples_sgr);
	} else {
		shown = pd_report_shown(d, o);
		static const bool left[PD_COLS] = {[PD_COL_STATUS] = true, [PD_COL_NAME] = true};
		diff_ctx c = {d, g, color};
		if (shown)
			put_table(out, PD_COLS, pd_report_header, left, shown, fill_diff, &c, diff_sgr);
	}
	pd_free(idx);
	if (shown == 0)
		pd_buf_puts(out, "no functions to show\n");
	if (shown < total)
		pd_buf_printf(out, "%zu more not shown\n", total - shown);

	/* Warnings after the table: the verdict and the data come first. */
	bool first = true;
	for (size_t i = 0; !samples && i < nw; i++) {
		if (!pd_report_warning_shown(warn[i].kind, PD_WARN_REPORT))
			continue;
		pd_buf_puts(out, first ? "\nwarning: " : "warning: ");
		first = false;
		pd_report_warning_text(out, d, &warn[i], PD_WARN_REPORT);
		pd_buf_puts(out, "\n");
	}
	for (size_t i = 0; g && g->res && i < g->res->nwarnings; i++) {
		pd_buf_puts(out, first ? "\nwarning: " : "warning: ");
		first = false;
		pd_put_escaped(out, g->res->warnings[i], &pd_escape_text);
		pd_buf_puts(out, "\n");
	}
	if (out->failed)
		return pd_error_set(err, PD_EINTERNAL, "text report: out of memory or output too large");
	return PD_OK;
}

/* ASCII fallbacks of the characters the reports use, for a terminal whose locale is not
 * UTF-8; any other byte >= 0x80 (input text) becomes \xNN. */
static const struct {
	const char *utf8, *ascii;
} fallbacks[] = {
	{"\xce\x94", "d"},       /* Δ */
	{"\xe2\x86\x92", "->"},  /* → */
	{"\xe2\x80\xa6", "..."}, /* … */
	{"\xe2\x80\x94", "--"},  /* — */
	{"\xc2\xb1", "+/-"},     /* ± */
	{"\xc3\x97", "x"},       /* × */
	{"\xe2\x89\xa4", "<="},  /* ≤ */
	{"\xe2\x89\xa5", ">="},  /* ≥ */
};

pd_status pd_report_ascii(pd_buf *b, pd_error *err)
{
	pd_buf o;
	pd_buf_init(&o, b->limit);
	for (size_t i = 0; i < b->len;) {
		unsigned char ch = (unsigned char)b->data[i];
		if (ch < 0x80) {
			size_t j = i;
			while (j < b->len && (unsigned char)b->data[j] < 0x80)
				j++;
			pd_buf_append(&o, b->data + i, j - i);
			i = j;
			continue;
		}
		size_t k, n = sizeof fallbacks / sizeof fallbacks[0];
		for (k = 0; k < n; k++) {
			size_t l = strlen(fallbacks[k].utf8);
			if (l <= b->len - i && memcmp(b->data + i, fallbacks[k].utf8, l) == 0) {
				pd_buf_puts(&o, fallbacks[k].ascii);
				i += l;
				break;
			}
		}
		if (k == n) {
			pd_buf_printf(&o, "\\x%02x", ch);
			i++;
		}
	}
	pd_status rc = pd_buf_error(&o, "the report", err);
	if (rc == PD_OK) {
		pd_buf t = *b;
		*b = o;
		o = t;
	}
	pd_buf_fini(&o);
	return rc;
}
