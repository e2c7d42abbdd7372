/* Unit tests for pd_buf (src/base/buf.c): NUL termination, growth through printf, the
 * size cap, and the sticky failure flag after a cap or an allocation failure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/base.h"

static void test_empty_and_nul_termination(void **state)
{
	(void)state;
	pd_buf b;
	pd_buf_init(&b, 0);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	/* An empty append still yields a string. */
	assert_true(pd_buf_append(&b, "", 0));
	assert_non_null(b.data);
	assert_string_equal(b.data, "");
	/* Appends copy exactly n bytes and terminate after them. */
	assert_true(pd_buf_append(&b, "abcdef", 3));
	assert_int_equal(b.len, 3);
	assert_string_equal(b.data, "abc");
	assert_true(pd_buf_append(&b, "x\0y", 3));
	assert_int_equal(b.len, 6);
	assert_memory_equal(b.data, "abcx\0y", 7);
	assert_true(pd_buf_puts(&b, "!"));
	assert_memory_equal(b.data, "abcx\0y!", 8);
	pd_buf_fini(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	pd_buf_fini(NULL); /* no-op */
}

static void test_printf_grows(void **state)
{
	(void)state;
	pd_buf b;
	pd_buf_init(&b, 0);
	/* Many short pieces: crosses the first capacity several times. */
	for (int i = 0; i < 1000; i++)
		assert_true(pd_buf_printf(&b, "%03d,", i));
	assert_int_equal(b.len, 4000);
	assert_int_equal(strlen(b.data), 4000);
	assert_memory_equal(b.data, "000,001,002,", 12);
	assert_string_equal(b.data + 3992, "998,999,");
	assert_true(b.cap > b.len);
	/* One piece longer than printf's stack buffer is formatted in place. */
	char big[3000];
	memset(big, 'q', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_true(pd_buf_printf(&b, "<%s|%d>", big, 42));
	assert_int_equal(b.len, 4000 + 1 + 2999 + 4);
	assert_int_equal(b.data[4000], '<');
	assert_int_equal(b.data[4001 + 2999], '|');
	assert_string_equal(b.data + b.len - 4, "|42>");
	assert_false(b.failed);
	pd_buf_fini(&b);
}

static void test_limit_is_sticky(void **state)
{
	(void)state;
	pd_buf b;
	pd_buf_init(&b, 10);
	assert_true(pd_buf_puts(&b, "12345"));
	assert_true(pd_buf_printf(&b, "%s", "67890")); /* exactly at the limit */
	assert_int_equal(b.len, 10);
	assert_false(b.failed);
	assert_false(pd_buf_puts(&b, "x")); /* one past it */
	assert_true(b.failed);
	assert_int_equal(b.len, 10);
	assert_string_equal(b.data, "1234567890");
	pd_buf_fini(&b);

	/* After a failure every append fails, even one that would fit. */
	pd_buf_init(&b, 8);
	assert_true(pd_buf_puts(&b, "abc"));
	assert_false(pd_buf_puts(&b, "defghijk"));
	assert_string_equal(b.data, "abc");
	assert_false(pd_buf_puts(&b, "d"));
	assert_false(pd_buf_printf(&b, "%d", 1));
	assert_false(pd_buf_append(&b, "", 0));
	assert_string_equal(b.data, "abc");
	assert_int_equal(b.len, 3);
	pd_buf_fini(&b);

	/* A long printf over the limit fails whole. */
	pd_buf_init(&b, 300);
	char big[400];
	memset(big, 'z', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_false(pd_buf_printf(&b, "%s", big));
	assert_true(b.failed);
	assert_int_equal(b.len, 0);
	pd_buf_fini(&b);
}

static void test_size_overflow(void **state)
{
	(void)state;
	pd_buf b;
	pd_buf_init(&b, 0);
	assert_true(pd_buf_puts(&b, "ab"));
	/* A length that would wrap size_t fails instead of allocating a tiny block. */
	assert_false(pd_buf_append(&b, "", SIZE_MAX - 1));
	assert_true(b.failed);
	assert_string_equal(b.data, "ab");
	pd_buf_fini(&b);
}

static void test_out_of_memory(void **state)
{
	(void)state;
	pd_buf b;
	/* The first allocation fails: nothing allocated, failure sticks after the
	 * allocator recovers. */
	pd_buf_init(&b, 0);
	pd_alloc_fail_at(1);
	assert_false(pd_buf_puts(&b, "a"));
	pd_alloc_fail_at(0);
	assert_true(b.failed);
	assert_null(b.data);
	assert_false(pd_buf_puts(&b, "a"));
	pd_buf_fini(&b);

	/* Growth fails: the old contents stay, NUL-terminated. */
	pd_buf_init(&b, 0);
	char chunk[200];
	memset(chunk, 'c', sizeof chunk);
	assert_true(pd_buf_append(&b, chunk, sizeof chunk));
	pd_alloc_fail_at(1);
	assert_false(pd_buf_append(&b, chunk, sizeof chunk));
	assert_false(pd_buf_printf(&b, "%0300d", 7)); /* the in-place printf path */
	pd_alloc_fail_at(0);
	assert_true(b.failed);
	assert_int_equal(b.len, sizeof chunk);
	assert_int_equal(strlen(b.data), sizeof chunk);
	pd_buf_fini(&b);
}

static void test_reserve_sizes_once(void **state)
{
	(void)state;
	pd_buf b;
	pd_buf_init(&b, 0);
	assert_true(pd_buf_reserve(&b, 5000));
	assert_true(b.cap >= 5001);
	assert_int_equal(b.len, 0);
	pd_alloc_fail_at(1); /* counts from here: appends within the reserve allocate nothing */
	for (int i = 0; i < 50; i++)
		assert_true(pd_buf_printf(&b, "%0100d", i));
	assert_int_equal(pd_alloc_count(), 0);
	pd_alloc_fail_at(0);
	assert_int_equal(b.len, 5000);
	pd_buf_fini(&b);

	pd_buf_init(&b, 100);
	assert_false(pd_buf_reserve(&b, 101)); /* the cap applies to reservations */
	assert_true(b.failed);
	pd_buf_fini(&b);
}

/* One check at the end names the failure: the cap, or memory. */
static void test_error_names_the_failure(void **state)
{
	(void)state;
	pd_error err = {0};
	pd_buf b;
	pd_buf_init(&b, 4);
	assert_true(pd_buf_puts(&b, "abcd"));
	assert_int_equal(pd_buf_error(&b, "report", &err), PD_OK);
	assert_false(pd_buf_puts(&b, "e"));
	assert_true(b.over_limit);
	assert_int_equal(pd_buf_error(&b, "report", &err), PD_EINTERNAL);
	assert_string_equal(err.msg, "report: larger than 4 bytes");
	pd_buf_fini(&b);
	assert_false(b.over_limit);

	pd_buf_init(&b, 4);
	pd_alloc_fail_at(1);
	assert_false(pd_buf_puts(&b, "abc"));
	pd_alloc_fail_at(0);
	assert_false(b.over_limit);
	assert_int_equal(pd_buf_error(&b, "report", &err), PD_EINTERNAL);
	assert_string_equal(err.msg, "out of memory");
	/* Sticky: a later append within the cap does not turn it into a cap failure. */
	assert_false(pd_buf_puts(&b, "x"));
	assert_string_equal(err.msg, "out of memory");
	assert_int_equal(pd_buf_error(&b, "report", &err), PD_EINTERNAL);
	assert_string_equal(err.msg, "out of memory");
	pd_buf_fini(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_and_nul_termination),
		cmocka_unit_test(test_printf_grows),
		cmocka_unit_test(test_limit_is_sticky),
		cmocka_unit_test(test_size_overflow),
		cmocka_unit_test(test_out_of_memory),
		cmocka_unit_test(test_reserve_sizes_once),
		cmocka_unit_test(test_error_names_the_failure),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
