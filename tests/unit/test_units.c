/* Unit tests for value parsing and formatting (src/units.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "profdiff/profdiff.h"

static int64_t parse_ok(const char *s, pd_unit want_unit, int64_t *res)
{
	int64_t v = 0;
	pd_unit u;
	pd_error err;
	assert_int_equal(pd_value_parse(s, strlen(s), &v, &u, res, &err), PD_OK);
	assert_int_equal(u, want_unit);
	return v;
}

static void test_time_units(void **state)
{
	(void)state;
	int64_t res;
	assert_int_equal(parse_ok("10.50s", PD_UNIT_NANOS, &res), 10500000000LL);
	assert_int_equal(res, 5000000); /* half of 0.01s */
	assert_int_equal(parse_ok("12650ms", PD_UNIT_NANOS, &res), 12650000000LL);
	assert_int_equal(res, 500000);
	assert_int_equal(parse_ok("3s", PD_UNIT_NANOS, NULL), 3000000000LL);
	assert_int_equal(parse_ok("1.50us", PD_UNIT_NANOS, NULL), 1500);
	assert_int_equal(parse_ok("7ns", PD_UNIT_NANOS, NULL), 7);
	assert_int_equal(parse_ok("1.25hrs", PD_UNIT_NANOS, NULL), 4500000000000LL);
	assert_int_equal(parse_ok("-0.53s", PD_UNIT_NANOS, NULL), -530000000LL);
	assert_int_equal(parse_ok("4664.01s", PD_UNIT_NANOS, NULL), 4664010000000LL);
}

static void test_byte_and_count_units(void **state)
{
	(void)state;
	int64_t res;
	assert_int_equal(parse_ok("0.09kB", PD_UNIT_BYTES, &res), 92); /* 92.16 rounds to 92 */
	assert_int_equal(res, 5);
	assert_int_equal(parse_ok("16000kB", PD_UNIT_BYTES, NULL), 16384000);
	assert_int_equal(parse_ok("1.50MB", PD_UNIT_BYTES, NULL), 1572864);
	assert_int_equal(parse_ok("32768000B", PD_UNIT_BYTES, &res), 32768000);
	assert_int_equal(res, 0);
	assert_int_equal(parse_ok("2GB", PD_UNIT_BYTES, NULL), 2147483648LL);
	assert_int_equal(parse_ok("4000", PD_UNIT_COUNT, NULL), 4000);
	assert_int_equal(parse_ok("0", PD_UNIT_UNKNOWN, NULL), 0);
	assert_int_equal(parse_ok("1.5GCU", PD_UNIT_NGCU, NULL), 1500000000);
}

static void test_rejects(void **state)
{
	(void)state;
	const char *bad[] = {"12.5furlongs", "99999999999999999999s", "", "s", "-", "1.2.3s",
			     "9999999999999PB", "abc"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int64_t v;
		pd_unit u;
		pd_error err = {0};
		assert_int_equal(pd_value_parse(bad[i], strlen(bad[i]), &v, &u, NULL, &err), PD_EINPUT);
		assert_true(strlen(err.msg) > 0);
	}
	pd_error err = {0};
	int64_t v;
	pd_unit u;
	pd_value_parse("12.5furlongs", 12, &v, &u, NULL, &err);
	assert_non_null(strstr(err.msg, "unknown unit 'furlongs'"));
	pd_value_parse("99999999999999999999s", 21, &v, &u, NULL, &err);
	assert_non_null(strstr(err.msg, "out of range"));
}

static void test_int64_edges(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("9223372036854775807", PD_UNIT_COUNT, NULL), INT64_MAX);
	int64_t v;
	pd_unit u;
	assert_int_equal(pd_value_parse("9223372036854775808", 19, &v, &u, NULL, NULL), PD_EINPUT);
	assert_int_equal(pd_value_parse("9223372037s", 11, &v, &u, NULL, NULL), PD_EINPUT);
}

/* A power of ten past 10^38 wraps to 0 in 128 bits: long fractions must not divide by
 * it (this was a SIGFPE on a 300-byte DOT). */
static void test_long_fractions(void **state)
{
	(void)state;
	char s[256];
	int64_t res = -1;
	snprintf(s, sizeof s, "0.%0130ds", 1);
	assert_int_equal(parse_ok(s, PD_UNIT_NANOS, &res), 0);
	assert_int_equal(res, 0);
	snprintf(s, sizeof s, "0.%0200d", 0);
	assert_int_equal(parse_ok(s, PD_UNIT_UNKNOWN, NULL), 0);
	snprintf(s, sizeof s, "0.%036d5s", 0); /* 37 decimals: below half a nanosecond */
	assert_int_equal(parse_ok(s, PD_UNIT_NANOS, NULL), 0);
	assert_int_equal(parse_ok("0.0000000005s", PD_UNIT_NANOS, NULL), 1); /* half rounds up */
	assert_int_equal(parse_ok("0.00000000049s", PD_UNIT_NANOS, NULL), 0);
}

static void test_format(void **state)
{
	(void)state;
	char b[32];
	assert_string_equal(pd_value_format(b, sizeof b, 1500000000, PD_UNIT_NANOS, false), "1.50s");
	assert_string_equal(pd_value_format(b, sizeof b, 3000000000LL, PD_UNIT_NANOS, true), "+3s");
	assert_string_equal(pd_value_format(b, sizeof b, -320000000, PD_UNIT_NANOS, true), "-320ms");
	assert_string_equal(pd_value_format(b, sizeof b, 0, PD_UNIT_NANOS, true), "0");
	assert_string_equal(pd_value_format(b, sizeof b, 12845056, PD_UNIT_BYTES, false), "12.25MB");
	assert_string_equal(pd_value_format(b, sizeof b, 512, PD_UNIT_BYTES, false), "512B");
	assert_string_equal(pd_value_format(b, sizeof b, 4000, PD_UNIT_COUNT, true), "+4000");
	assert_string_equal(pd_value_format(b, sizeof b, 7200000000000LL, PD_UNIT_NANOS, false), "2hrs");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_units),
		cmocka_unit_test(test_byte_and_count_units),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_int64_edges),
		cmocka_unit_test(test_long_fractions),
		cmocka_unit_test(test_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
