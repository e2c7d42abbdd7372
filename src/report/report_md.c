/* Markdown report for pull requests and incidents: the verdict and its findings first
 * when gated, then a summary (facts, warnings, the top
 * regressions and improvements in one sentence) and a GitHub table. Every piece of
 * input text (names, paths, regexes) goes in a code span, which GitHub never
 * interprets, with `|` escaped so table cells stay intact. */
#include <math.h>
#include <string.h>

#include "base/alloc.h"

#include "report/report.h"
#include "report/verdict.h"

/* Inside a code span only line-breaking bytes need care (backticks are handled by the
 * fence length), and in a table cell `|`, which GitHub splits cells on even there. */
static const pd_escape md_text = {.bad = "\\x", .bad_hex = true};
static const pd_escape md_cell = {.ascii = {['|'] = "\\|"}, .bad = "\\x", .bad_hex = true};

/* Appends s as a code span whose fence is longer than any backtick run in s. */
static void code(pd_buf *b, const char *s, bool cell)
{
	size_t run = 0, longest = 0;
	for (const char *p = s; *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	size_t len = strlen(s);
	/* A span that starts or ends with a backtick or a space needs one space of padding
	 * on both sides, which CommonMark strips again. */
	bool padded = len == 0 || s[0] == '`' || s[len - 1] == '`' || s[0] == ' ' ||
		      s[len - 1] == ' ';
	for (size_t i = 0; i <= longest; i++)
		pd_buf_puts(b, "`");
	if (padded)
		pd_buf_puts(b, " ");
	pd_put_escaped(b, s, cell ? &md_cell : &md_text);
	if (padded)
		pd_buf_puts(b, " ");
	for (size_t i = 0; i <= longest; i++)
		pd_buf_puts(b, "`");
}

/* "`a` (+1.20s), `b` (+0.50s)" for up to 3 rows whose ranked delta has the sign. */
static size_t movers(pd_buf *b, const pd_diff *d, int sign)
{
	size_t n = 0;
	for (size_t i = 0; i < d->nrows && n < 3; i++) {
		const pd_diff_row *r = &d->rows[i];
		int64_t v = pd_vals_get(&r->delta, d->opts.by);
		if (!(sign > 0 ? v > 0 : v < 0))
			continue;
		char val[PD_CELL];
		pd_report_delta(val, sizeof val, d, r, d->opts.by);
		pd_buf_puts(b, n ? ", " : " ");
		code(b, r->short_name ? r->short_name : r->name, false);
		pd_buf_printf(b, " (%s)", val);
		n++;
	}
	if (!n)
		pd_buf_puts(b, " none");
	return n;
}

static void md_findings(pd_buf *out, const pd_diff *d, const pd_report_gate *g)
{
	const pd_gate_result *r = g->res;
	pd_buf_puts(out, "### profdiff verdict: **");
	pd_verdict_summary(out, d, g);
	pd_buf_puts(out, "**\n\n");
	for (size_t i = 0; i < r->nv; i++) {
		pd_finding_text t;
		pd_finding_describe(d, g, &r->v[i], &t);
		pd_buf_printf(out, "- **%s** (rule `%s`): ", t.state, t.rule);
		code(out, t.name ? t.name : "total", false);
		pd_buf_printf(out, " %s, %s", t.change, t.limit);
		if (*t.stats)
			pd_buf_printf(out, ", %s", t.stats);
		pd_buf_puts(out, " \xe2\x80\x94 ");
		code(out, t.source, false);
		if (r->v[i].reason) {
			pd_buf_puts(out, ": ");
			code(out, r->v[i].reason, false);
		}
		pd_buf_puts(out, "\n");
	}
	pd_buf_puts(out, "- **gate**: ");
	pd_gate_rules_text(out, g->rules);
	pd_buf_puts(out, "\n");
	for (size_t i = 0; i < r->nwarnings; i++) {
		pd_buf_puts(out, "\n> **Warning:** ");
		code(out, r->warnings[i], false);
		pd_buf_puts(out, "\n");
	}
	pd_buf_puts(out, "\n");
}

static pd_status md_samples(pd_buf *out, const pd_diff *d, const pd_report_gate *g,
			    const pd_report_opts *o, pd_error *err)
{
	size_t *idx = NULL, n = pd_gate_ranked(g, &idx);
	if (n == (size_t)-1)
		return pd_error_oom(err);
	size_t shown = o && o->top && o->top < n ? o->top : n;
	pd_buf_printf(out, "#### %zu base and %zu new profiles\n\n", g->nbase, g->nhead);
	pd_buf_printf(out, "Values are %s; base and new are medians, \xce\x94 the Hodges-Lehmann "
			   "shift with its 95%% interval; `~` = not significant (q > alpha).\n",
		      g->per_window		? "per second of each slice's window"
		      : g->samples->per_second ? "per second of each profile's duration"
					       : "shares of each profile's total");
	if (shown) {
		pd_buf_puts(out, "\n| rank | base | new | \xce\x94 (HL) | 95% CI | \xce\x94% | p | q | name |\n"
				 "|---:|---:|---:|---:|---:|---:|---:|---:|:---|\n");
		for (size_t i = 0; i < shown; i++) {
			const pd_gate_fstat *f = &g->res->stats[idx[i]];
			char b[64], h[64], hl[64], lo[64], hi[64], pct[32];
			pd_gate_value(b, sizeof b, d, g, f->med_base, false);
			pd_gate_value(h, sizeof h, d, g, f->med_head, false);
			pd_gate_value(hl, sizeof hl, d, g, f->hl, true);
			pd_gate_value(lo, sizeof lo, d, g, f->hl_lo, true);
			pd_gate_value(hi, sizeof hi, d, g, f->hl_hi, true);
			pd_gate_pct(pct, sizeof pct, f, true);
			pd_buf_printf(out, "| %zu | %s | %s | %s | %s..%s | %s | ", i + 1, b, h, hl, lo,
				      hi, pct);
			if (f->all_equal)
				pd_buf_puts(out, "- | ");
			else
				pd_buf_printf(out, "%.3g | ", f->p);
			if (isnan(f->q))
				pd_buf_puts(out, "- | ");
			else
				pd_buf_printf(out, "%.3g | ", f->q);
			code(out, f->name ? f->name : "", true);
			pd_buf_puts(out, " |\n");
		}
	} else {
		pd_buf_puts(out, "\nNo functions to show.\n");
	}
	if (shown < n)
		pd_buf_printf(out, "\n_%zu more not shown._\n", n - shown);
	pd_free(idx);
	if (out->failed)
		return pd_error_set(err, PD_EINTERNAL,
				    "Markdown report: out of memory or output too large");
	return PD_OK;
}

pd_status pd_report_markdown(const pd_diff *d, const pd_report_opts *o, pd_buf *out,
			     pd_error *err)
{
	return pd_report_markdown_gated(d, NULL, o, out, err);
}

pd_status pd_report_markdown_gated(const pd_diff *d, const pd_report_gate *g,
				   const pd_report_opts *o, pd_buf *out, pd_error *err)
{
	if (g && g->res && g->gated)
		md_findings(out, d, g);
	if (g && g->res && g->samples)
		return md_samples(out, d, g, o, err);
	pd_report_fact facts[PD_REPORT_FACTS_MAX];
	pd_warning warn[PD_REPORT_WARN_MAX];
	size_t nf = pd_report_facts(d, facts), nw = pd_report_warnings(d, warn);
	size_t shown = pd_report_shown(d, o);

	pd_buf_puts(out, "### profdiff: ");
	code(out, d->base.source ? d->base.source : "base", false);
	pd_buf_puts(out, " \xe2\x86\x92 ");
	code(out, d->head.source ? d->head.source : "new", false);
	pd_buf_puts(out, "\n\n");
	for (size_t i = 0; i < nf; i++) {
		pd_buf_printf(out, "- **%s**: ", facts[i].key);
		if (facts[i].literal)
			code(out, facts[i].text, false);
		else
			pd_buf_puts(out, facts[i].text); /* our own words and numbers */
		pd_buf_puts(out, "\n");
	}
	pd_buf_printf(out, "\nBiggest regressions (\xce\x94%s):", pd_metric_name(d->opts.by));
	movers(out, d, +1);
	pd_buf_puts(out, "; biggest improvements:");
	movers(out, d, -1);
	pd_buf_puts(out, ".\n");
	for (size_t i = 0; i < nw; i++) {
		if (!pd_report_warning_shown(warn[i].kind, PD_WARN_REPORT))
			continue;
		pd_buf_puts(out, "\n> **Warning:** ");
		pd_report_warning_text(out, d, &warn[i], PD_WARN_REPORT);
		pd_buf_puts(out, ".\n");
	}

	if (shown) {
		pd_buf_puts(out, "\n|");
		for (int k = 0; k < PD_COLS; k++)
			pd_buf_printf(out, " %s |", pd_report_header[k]);
		pd_buf_puts(out, "\n|");
		for (int k = 0; k < PD_COLS; k++)
			pd_buf_puts(out, k == PD_COL_STATUS || k == PD_COL_NAME ? ":---|" : "---:|");
		pd_buf_puts(out, "\n");
		for (size_t i = 0; i < shown; i++) {
			pd_report_cells c;
			pd_report_cells_fill(d, i, &c);
			pd_buf_puts(out, "|");
			for (int k = 0; k < PD_COL_NAME; k++)
				pd_buf_printf(out, " %s |", c.cell[k]);
			pd_buf_puts(out, " ");
			code(out, c.cell[PD_COL_NAME], true);
			pd_buf_puts(out, " |\n");
		}
	} else {
		pd_buf_puts(out, "\nNo functions to show.\n");
	}
	if (shown < d->nrows)
		pd_buf_printf(out, "\n_%zu more not shown._\n", d->nrows - shown);
	if (out->failed)
		return pd_error_set(err, PD_EINTERNAL,
				    "Markdown report: out of memory or output too large");
	return PD_OK;
}
