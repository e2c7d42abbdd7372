/* Unit tests for src/fetch/timespec.c: accepted time forms, window defaults and the
 * from < to rule, RFC 3339 formatting. "now" is fixed, so nothing depends on the clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fetch/timespec.h"

#define NOW INT64_C(1777629600000) /* 2026-05-01T10:00:00Z */

static int64_t parse_ok(const char *s)
{
	pd_error err = {0};
	int64_t v = -1;
	assert_int_equal(pd_time_parse("--from", s, NOW, &v, &err), PD_OK);
	return v;
}

static void parse_bad(const char *s)
{
	pd_error err = {0};
	int64_t v = 0;
	assert_int_equal(pd_time_parse("--from", s, NOW, &v, &err), PD_EUSAGE);
	assert_non_null(strstr(err.msg, "--from"));
}

static void test_rfc3339(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("2026-05-01T10:00:00Z"), NOW);
	assert_int_equal(parse_ok("2026-05-01t10:00:00z"), NOW);
	assert_int_equal(parse_ok("2026-05-01T12:00:00+02:00"), NOW);
	assert_int_equal(parse_ok("2026-05-01T05:30:00-04:30"), NOW);
	assert_int_equal(parse_ok("2026-05-01T10:00:00.25Z"), NOW + 250);
	assert_int_equal(parse_ok("2026-05-01T10:00:00.123456789Z"), NOW + 123);
	assert_int_equal(parse_ok("1970-01-01T00:00:00Z"), 0);
	assert_int_equal(parse_ok("2024-02-29T00:00:00Z"), INT64_C(1709164800000));
	parse_bad("2026-05-01T10:00:00");   /* zone required */
	parse_bad("2026-05-01 10:00");
	parse_bad("2026-13-01T10:00:00Z");
	parse_bad("2026-02-29T10:00:00Z"); /* not a leap year */
	parse_bad("2026-05-01T10:00:00.Z");
	parse_bad("2026-05-01T10:00:00Zjunk");
	parse_bad("2026-05-01T23:59:60Z"); /* Go's RFC 3339 parser has no leap second */
}

/* Calendar edges: timegm normalizes impossible dates, the parser must refuse them. */
static void test_calendar(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("2000-02-29T00:00:00Z"), INT64_C(951782400000)); /* 400-year rule */
	assert_int_equal(parse_ok("2028-02-29T12:00:00Z"), INT64_C(1835438400000));
	parse_bad("1900-02-29T00:00:00Z"); /* century, not a leap year */
	parse_bad("2100-02-29T00:00:00Z");
	parse_bad("2026-02-30T00:00:00Z");
	assert_int_equal(parse_ok("2026-04-30T23:59:59Z"), INT64_C(1777593599000));
	parse_bad("2026-04-31T00:00:00Z"); /* 30-day months */
	parse_bad("2026-06-31T00:00:00Z");
	parse_bad("2026-09-31T00:00:00Z");
	parse_bad("2026-11-31T00:00:00Z");
	parse_bad("2026-01-32T00:00:00Z");
	parse_bad("2026-01-00T00:00:00Z");
	parse_bad("2026-00-10T00:00:00Z");
	assert_int_equal(parse_ok("2026-01-31T00:00:00Z") + 86400000,
			 parse_ok("2026-02-01T00:00:00Z"));
	assert_int_equal(parse_ok("2026-12-31T23:59:59Z") + 1000, parse_ok("2027-01-01T00:00:00Z"));
	/* A zone offset moves the instant across a day and a year boundary. */
	assert_int_equal(parse_ok("2026-01-01T00:30:00+01:00"), INT64_C(1767223800000));
	assert_int_equal(parse_ok("2025-12-31T23:30:00Z"), INT64_C(1767223800000));
	assert_int_equal(parse_ok("9999-12-31T23:59:59Z"), INT64_C(253402300799000));
	assert_int_equal(parse_ok("0000-01-01T00:00:00Z"), INT64_C(-62167219200000)); /* year 0 */
}

static void test_relative(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("now"), NOW);
	assert_int_equal(parse_ok("now-30s"), NOW - 30000);
	assert_int_equal(parse_ok("now-30m"), NOW - 1800000);
	assert_int_equal(parse_ok("now-1h"), NOW - 3600000);
	assert_int_equal(parse_ok("now-2d"), NOW - 2 * 86400000LL);
	assert_int_equal(parse_ok("now-1w"), NOW - 7 * 86400000LL);
	assert_int_equal(parse_ok("now+5m"), NOW + 300000);
	parse_bad("now-");
	parse_bad("now-1");
	parse_bad("now-1y");
	parse_bad("now-h");
	parse_bad("nowish");
	parse_bad("");
}

static void test_epoch(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("1777629600"), NOW);
	assert_int_equal(parse_ok("1777629600000"), NOW); /* 13 digits = ms */
	assert_int_equal(parse_ok("0"), 0);
	parse_bad("17776296000000"); /* 14 digits */
	parse_bad("-1");
	parse_bad("1777629600.5");
}

static void test_window(void **state)
{
	(void)state;
	pd_error err = {0};
	int64_t f = 0, t = 0;
	assert_int_equal(pd_time_window(NULL, NULL, NOW, &f, &t, &err), PD_OK);
	assert_int_equal(t, NOW);
	assert_int_equal(f, NOW - 3600000);
	assert_int_equal(pd_time_window(NULL, "now-1d", NOW, &f, &t, &err), PD_OK);
	assert_int_equal(t, NOW - 86400000);
	assert_int_equal(f, NOW - 86400000 - 3600000);
	assert_int_equal(pd_time_window("now-10m", NULL, NOW, &f, &t, &err), PD_OK);
	assert_int_equal(f, NOW - 600000);
	assert_int_equal(t, NOW);
	assert_int_equal(pd_time_window("now", "now", NOW, &f, &t, &err), PD_EUSAGE);
	assert_string_equal(err.msg, "start timestamp \"2026-05-01T10:00:00Z\" must be strictly "
				     "before end timestamp \"2026-05-01T10:00:00Z\"");
	assert_int_equal(pd_time_window("now", "now-1h", NOW, &f, &t, &err), PD_EUSAGE);
	assert_int_equal(pd_time_window("junk", NULL, NOW, &f, &t, &err), PD_EUSAGE);
	assert_non_null(strstr(err.msg, "--from"));
	assert_int_equal(pd_time_window(NULL, "junk", NOW, &f, &t, &err), PD_EUSAGE);
	assert_non_null(strstr(err.msg, "--to"));
}

static void test_format(void **state)
{
	(void)state;
	char b[32];
	assert_string_equal(pd_time_format(NOW, b), "2026-05-01T10:00:00Z");
	assert_string_equal(pd_time_format(NOW + 7, b), "2026-05-01T10:00:00.007Z");
	assert_string_equal(pd_time_format(0, b), "1970-01-01T00:00:00Z");
	assert_string_equal(pd_time_format(-1000, b), "1969-12-31T23:59:59Z");
	assert_string_equal(pd_time_format(INT64_C(951782400000), b), "2000-02-29T00:00:00Z");
	assert_string_equal(pd_time_format(-1, b), "1969-12-31T23:59:59.999Z"); /* floor, not truncation */
	assert_string_equal(pd_time_format(INT64_C(-62167219200000), b), "0000-01-01T00:00:00Z");
	assert_string_equal(pd_time_format(INT64_C(253402300799000), b), "9999-12-31T23:59:59Z");
	assert_string_equal(pd_time_format(INT64_C(-5364662400000), b), "1800-01-01T00:00:00Z");
	/* The extremes fit the 32 bytes. */
	assert_true(strlen(pd_time_format(INT64_MAX, b)) < 32);
	assert_non_null(strstr(b, ".807Z"));
	assert_true(strlen(pd_time_format(INT64_MIN, b)) < 32);
	assert_non_null(strstr(b, ".192Z"));
	assert_int_equal(parse_ok(pd_time_format(INT64_C(1835438400000), b)), INT64_C(1835438400000));
	/* round trip */
	assert_int_equal(parse_ok(pd_time_format(NOW + 123, b)), NOW + 123);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc3339), cmocka_unit_test(test_calendar),
		cmocka_unit_test(test_relative),
		cmocka_unit_test(test_epoch),   cmocka_unit_test(test_window),
		cmocka_unit_test(test_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
