/* Unit tests for the warnings list (src/report/report.c): computed once from a diff as
 * {kind, side, count} data in a fixed order, and worded by one function in two styles
 * (the reports', the CLI's stderr summary), with no length limit on a sentence. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "report/report.h"

#define MS 1000000LL

/* A diff whose both sides are trimmed and line-level, joined on short names, with one
 * hidden row and two cum upper bounds: every kind of warning at once. */
static void everything(pd_diff *d, pd_diff_row rows[3])
{
	memset(d, 0, sizeof *d);
	memset(rows, 0, 3 * sizeof rows[0]);
	d->unit = PD_UNIT_NANOS;
	d->opts.granularity = PD_GRAN_FUNCTION;
	d->base.trimmed = d->head.trimmed = true;
	d->base.has_lines = d->head.has_lines = true;
	d->base.dropped_nodes = 12;
	d->base.node_cutoff = 40 * MS;
	d->head.top_k = 80;
	d->head.top_of = 1234567;
	d->short_names = true;
	rows[0].status = PD_ROW_HIDDEN;
	rows[1].cum_upper_bound = rows[2].cum_upper_bound = true;
	d->rows = rows;
	d->nrows = 3;
}

static char *text(pd_buf *b, const pd_diff *d, const pd_warning *w, pd_warning_style style)
{
	b->len = 0;
	pd_report_warning_text(b, d, w, style);
	assert_false(b->failed);
	return b->data;
}

static void test_list(void **state)
{
	(void)state;
	pd_diff d;
	pd_diff_row rows[3];
	pd_warning w[PD_REPORT_WARN_MAX];
	everything(&d, rows);
	size_t n = pd_report_warnings(&d, w);
	assert_int_equal(n, 7);
	static const pd_warning_kind order[] = {PD_WARN_TRIMMED, PD_WARN_TRIMMED,
						PD_WARN_TRIMMED_LINES, PD_WARN_TRIMMED_LINES,
						PD_WARN_SHORT_NAMES, PD_WARN_CUM_UPPER_BOUND,
						PD_WARN_HIDDEN};
	for (size_t i = 0; i < n; i++)
		assert_int_equal(w[i].kind, order[i]);
	assert_false(w[0].head);
	assert_true(w[1].head);
	assert_int_equal(w[5].count, 2);
	assert_int_equal(w[6].count, 1);

	/* Keyed by line, a line-level side sums nothing: no line-level warnings. */
	d.opts.granularity = PD_GRAN_LINE;
	assert_int_equal(pd_report_warnings(&d, w), 5);
	memset(&d, 0, sizeof d);
	assert_int_equal(pd_report_warnings(&d, w), 0);
}

static void test_wording(void **state)
{
	(void)state;
	pd_diff d;
	pd_diff_row rows[3];
	pd_warning w[PD_REPORT_WARN_MAX];
	pd_buf b;
	everything(&d, rows);
	pd_report_warnings(&d, w);
	pd_buf_init(&b, 0);
	assert_string_equal(text(&b, &d, &w[0], PD_WARN_REPORT),
			    "the base input is trimmed (dropped 12 nodes with cum <= 40ms): functions "
			    "missing from it are \"hidden\" and their change is only known within an "
			    "interval");
	assert_string_equal(text(&b, &d, &w[1], PD_WARN_REPORT),
			    "the new input is trimmed (showing top 80 of 1234567 nodes): functions "
			    "missing from it are \"hidden\" and their change is only known within an "
			    "interval");
	assert_string_equal(text(&b, &d, &w[5], PD_WARN_REPORT),
			    "the cum of 2 functions is an upper bound (line-level input: recursion "
			    "counts a sample more than once)");
	assert_string_equal(text(&b, &d, &w[4], PD_WARN_SUMMARY),
			    "an input has no tooltips (cleaned DOT): functions are joined on shortened "
			    "names, which can collide");
	assert_string_equal(text(&b, &d, &w[6], PD_WARN_SUMMARY),
			    "1 function(s) are missing from a trimmed input; their change is reported "
			    "as an interval (status 'hidden')");
	/* Both reasons at once, and a sentence longer than the old 320-byte rows. */
	d.base.top_k = 80;
	d.base.top_of = 1234567;
	d.base.dropped_nodes = 1234567890;
	assert_non_null(strstr(text(&b, &d, &w[0], PD_WARN_REPORT),
			       "(dropped 1234567890 nodes with cum <= 40ms; showing top 80 of 1234567 "
			       "nodes): "));
	pd_buf_fini(&b);

	/* Which style shows which kind. */
	assert_true(pd_report_warning_shown(PD_WARN_TRIMMED, PD_WARN_REPORT));
	assert_false(pd_report_warning_shown(PD_WARN_TRIMMED, PD_WARN_SUMMARY));
	assert_false(pd_report_warning_shown(PD_WARN_HIDDEN, PD_WARN_REPORT));
	assert_true(pd_report_warning_shown(PD_WARN_HIDDEN, PD_WARN_SUMMARY));
	assert_true(pd_report_warning_shown(PD_WARN_SHORT_NAMES, PD_WARN_SUMMARY));
	assert_true(pd_report_warning_shown(PD_WARN_SHORT_NAMES, PD_WARN_REPORT));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_wording),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
