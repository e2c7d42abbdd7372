/* Unit tests for the enum <-> name tables (src/base/names.c) and the names kept next to
 * their enums (pd_row_status_name, pd_unit_name): every value has one distinct name,
 * name -> value -> name round-trips, aliases parse but are never printed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/names.h"

static void check_table(const pd_enum_names *e, int count)
{
	assert_int_equal(e->count, count);
	for (int v = 0; v < count; v++) {
		const char *name = pd_enum_name(e, v);
		assert_non_null(name); /* a value added to the enum without its name */
		assert_int_equal(pd_enum_value(e, name), v);
		for (int w = 0; w < v; w++)
			assert_string_not_equal(name, pd_enum_name(e, w));
	}
	assert_null(pd_enum_name(e, -1));
	assert_null(pd_enum_name(e, count));
	assert_int_equal(pd_enum_value(e, ""), -1);
	assert_int_equal(pd_enum_value(e, "no such name"), -1);
}

static void test_tables_round_trip(void **state)
{
	(void)state;
	check_table(&pd_format_names, PD_FORMAT_KINDS);
	check_table(&pd_metric_names, PD_METRIC_KINDS);
	check_table(&pd_normalize_names, PD_NORMALIZE_KINDS);
	check_table(&pd_granularity_names, PD_GRAN_KINDS);
}

static void test_spellings(void **state)
{
	(void)state;
	/* The names are part of the CLI and the JSON schema: they must not drift. */
	assert_string_equal(pd_enum_name(&pd_format_names, PD_FORMAT_MARKDOWN), "markdown");
	assert_int_equal(pd_enum_value(&pd_format_names, "md"), PD_FORMAT_MARKDOWN);
	assert_int_equal(pd_enum_value(&pd_format_names, "MD"), -1); /* exact, case-sensitive */
	assert_string_equal(pd_enum_name(&pd_metric_names, PD_METRIC_CUM), "cum");
	assert_string_equal(pd_enum_name(&pd_normalize_names, PD_NORMALIZE_TOTAL), "total");
	assert_string_equal(pd_enum_name(&pd_granularity_names, PD_GRAN_LINE), "line");

	pd_buf b;
	pd_buf_init(&b, 0);
	assert_true(pd_enum_list(&pd_format_names, "|", &b));
	assert_string_equal(b.data, "text|json|markdown"); /* no alias */
	b.len = 0;
	assert_true(pd_enum_list(&pd_granularity_names, ", ", &b));
	assert_string_equal(b.data, "function, line");
	pd_buf_fini(&b);
}

static void test_status_and_unit_names(void **state)
{
	(void)state;
	for (int s = 0; s < PD_ROW_STATUS_KINDS; s++) {
		const char *name = pd_row_status_name((pd_row_status)s);
		assert_string_not_equal(name, "unknown");
		for (int t = 0; t < s; t++)
			assert_string_not_equal(name, pd_row_status_name((pd_row_status)t));
	}
	assert_string_equal(pd_row_status_name(PD_ROW_HIDDEN), "hidden");
	assert_string_equal(pd_row_status_name(PD_ROW_STATUS_KINDS), "unknown");
	for (int u = 1; u < PD_UNIT_KINDS; u++) {
		assert_string_not_equal(pd_unit_name((pd_unit)u), "unknown");
		for (int t = 0; t < u; t++)
			assert_string_not_equal(pd_unit_name((pd_unit)u), pd_unit_name((pd_unit)t));
	}
	assert_string_equal(pd_unit_name(PD_UNIT_NANOS), "nanoseconds");
	assert_string_equal(pd_unit_name(PD_UNIT_KINDS), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables_round_trip),
		cmocka_unit_test(test_spellings),
		cmocka_unit_test(test_status_and_unit_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
