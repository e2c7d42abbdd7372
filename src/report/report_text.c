/* Plain-text report: header facts and warnings, then the ranked table with aligned
 * columns (numbers right-aligned, the full name last and unpadded). ANSI color only
 * when the caller asks; the color comes from the shared severity function. */
#include <string.h>

#include "report/report.h"

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

/* Left-aligned columns: status and name; the rest are numbers. */
static bool left_aligned(int col)
{
	return col == PD_COL_STATUS || col == PD_COL_NAME;
}

static void put_row(pd_buf *b, const char *const cell[PD_COLS], const size_t width[PD_COLS])
{
	for (int k = 0; k < PD_COLS; k++) {
		size_t w = pd_text_width(cell[k]);
		if (k)
			pd_buf_puts(b, "  ");
		if (!left_aligned(k))
			pad(b, width[k] - w);
		if (k == PD_COL_NAME)
			pd_put_escaped(b, cell[k], &pd_escape_text);
		else
			pd_buf_puts(b, cell[k]);
		if (left_aligned(k) && k != PD_COL_NAME)
			pad(b, width[k] - w);
	}
}

pd_status pd_report_text(const pd_diff *d, const pd_report_opts *o, pd_buf *out, pd_error *err)
{
	pd_report_fact facts[PD_REPORT_FACTS_MAX];
	pd_warning warn[PD_REPORT_WARN_MAX];
	size_t nf = pd_report_facts(d, facts), nw = pd_report_warnings(d, warn);
	size_t keyw = 0, shown = pd_report_shown(d, o);
	bool color = o && o->color;

	for (size_t i = 0; i < nf; i++)
		if (strlen(facts[i].key) > keyw)
			keyw = strlen(facts[i].key);
	for (size_t i = 0; i < nf; i++) {
		pd_buf_printf(out, "%s:", facts[i].key);
		pad(out, keyw - strlen(facts[i].key) + 1);
		pd_put_escaped(out, facts[i].text, &pd_escape_text);
		pd_buf_puts(out, "\n");
	}
	for (size_t i = 0; i < nw; i++) {
		if (!pd_report_warning_shown(warn[i].kind, PD_WARN_REPORT))
			continue;
		pd_buf_puts(out, "warning: ");
		pd_report_warning_text(out, d, &warn[i], PD_WARN_REPORT);
		pd_buf_puts(out, "\n");
	}
	pd_buf_puts(out, "\n");

	if (shown == 0) {
		pd_buf_puts(out, "no functions to show\n");
	} else {
		/* Two passes: widths first, so columns line up for any data. */
		size_t width[PD_COLS];
		pd_report_cells c;
		for (int k = 0; k < PD_COLS; k++)
			width[k] = pd_text_width(pd_report_header[k]);
		for (size_t i = 0; i < shown; i++) {
			pd_report_cells_fill(d, i, &c);
			for (int k = 0; k < PD_COLS; k++)
				if (pd_text_width(c.cell[k]) > width[k])
					width[k] = pd_text_width(c.cell[k]);
		}
		put_row(out, pd_report_header, width);
		pd_buf_puts(out, "\n");
		for (size_t i = 0; i < shown; i++) {
			const pd_diff_row *r = &d->rows[i];
			const char *sgr = "";
			if (color)
				sgr = pd_color_ansi(
					pd_report_score(d, pd_vals_get(&r->delta, d->opts.by)));
			pd_report_cells_fill(d, i, &c);
			pd_buf_puts(out, sgr);
			put_row(out, c.cell, width);
			if (*sgr)
				pd_buf_puts(out, PD_ANSI_RESET);
			pd_buf_puts(out, "\n");
		}
	}
	if (shown < d->nrows)
		pd_buf_printf(out, "%zu more not shown\n", d->nrows - shown);
	if (out->failed)
		return pd_error_set(err, PD_EINTERNAL, "text report: out of memory or output too large");
	return PD_OK;
}
