/* Unit tests for the severity -> color mapping (src/color.c): pprof's dotColor
 * reference points and the terminal colors derived from the same function. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "report/report.h"
#include "profdiff/profdiff.h"

static void check(double score, const char *fg, const char *bg)
{
	char out[8];
	pd_color_hex(score, false, out);
	assert_string_equal(out, fg);
	pd_color_hex(score, true, out);
	assert_string_equal(out, bg);
}

static void test_reference_points(void **state)
{
	(void)state;
	check(0.0, "#b2b2b2", "#ededed");
	check(1.0, "#b20000", "#edd5d5");
	check(-1.0, "#00b200", "#d5edd5");
	char out[8];
	pd_color_hex(0.212, false, out); /* +2.12s over a 10s total, observed in pprof */
	assert_string_equal(out, "#b24200");
}

static void test_clamp_and_nan(void **state)
{
	(void)state;
	check(7.5, "#b20000", "#edd5d5");
	check(-3.0, "#00b200", "#d5edd5");
	check(NAN, "#b2b2b2", "#ededed");
	check(-0.0, "#b2b2b2", "#ededed");
}

static void test_small_changes_fade_to_grey(void **state)
{
	(void)state;
	char out[8];
	pd_color_hex(0.0001, false, out);
	assert_string_equal(out, "#b2b2b2");
	/* Sign decides the hue, symmetric in magnitude. */
	char neg[8];
	pd_color_hex(0.1, false, out);
	pd_color_hex(-0.1, false, neg);
	assert_int_equal(out[1], neg[3]);
	assert_int_equal(out[2], neg[4]);
	assert_int_equal(out[3], neg[1]);
	assert_int_equal(out[4], neg[2]);
	assert_string_not_equal(out, "#b2b2b2");
}

static void test_ansi_follows_the_graph_color(void **state)
{
	(void)state;
	assert_string_equal(pd_color_ansi(0.0), "");
	assert_string_equal(pd_color_ansi(0.0001), ""); /* grey in the graph too */
	assert_string_equal(pd_color_ansi(-0.0001), "");
	assert_string_equal(pd_color_ansi(NAN), "");
	assert_string_equal(pd_color_ansi(0.05), "\033[31m");
	assert_string_equal(pd_color_ansi(-0.05), "\033[32m");
	assert_string_equal(pd_color_ansi(0.2), "\033[1;31m");
	assert_string_equal(pd_color_ansi(-1.5), "\033[1;32m");
	/* Every non-grey foreground gets a color. */
	for (double s = -1.0; s <= 1.0; s += 0.001) {
		unsigned char c[3];
		pd_color_rgb(s, false, c);
		assert_int_equal(c[0] == c[1], *pd_color_ansi(s) == '\0');
	}
}

/* The graph fades exactly what the terminal leaves uncolored: a grey foreground. */
static void test_grey_is_the_fading_threshold(void **state)
{
	(void)state;
	assert_true(pd_color_is_grey(0.0));
	assert_true(pd_color_is_grey(NAN));
	assert_true(pd_color_is_grey(0.001)); /* 0.1% of the base total */
	assert_true(pd_color_is_grey(-0.001));
	assert_false(pd_color_is_grey(0.005));
	assert_false(pd_color_is_grey(-0.005));
	for (double s = -0.05; s <= 0.05; s += 0.0001) {
		unsigned char c[3];
		pd_color_rgb(s, false, c);
		assert_int_equal(pd_color_is_grey(s), c[0] == c[1]);
		assert_int_equal(pd_color_is_grey(s), *pd_color_ansi(s) == '\0');
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference_points),
		cmocka_unit_test(test_clamp_and_nan),
		cmocka_unit_test(test_small_changes_fade_to_grey),
		cmocka_unit_test(test_ansi_follows_the_graph_color),
		cmocka_unit_test(test_grey_is_the_fading_threshold),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
