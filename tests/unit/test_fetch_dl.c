/* Unit tests for src/fetch/curl_dl.c: libcurl is loaded on first use, once, also when
 * that first use comes from two threads at once (compare's two fetches), and every
 * function of the table is resolved. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fetch/curl_dl.h"
#include "fetch/http.h"

typedef struct first_use {
	const pd_curl *api;
	char *url;
} first_use;

static void *use(void *arg)
{
	first_use *u = arg;
	u->api = pd_curl_get(NULL);
	u->url = pd_http_strip_userinfo("https://alice:secret@example.net:8443/x/");
	return NULL;
}

/* Runs first in this process: nothing has loaded libcurl before. */
static void test_concurrent_first_use(void **state)
{
	(void)state;
	first_use a = {0}, b = {0};
	pthread_t ta, tb;
	assert_int_equal(pthread_create(&ta, NULL, use, &a), 0);
	assert_int_equal(pthread_create(&tb, NULL, use, &b), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	assert_non_null(a.api);
	assert_ptr_equal(a.api, b.api); /* one table for the process */
	assert_string_equal(a.url, "https://example.net:8443/x");
	assert_string_equal(b.url, "https://example.net:8443/x");
	free(a.url);
	free(b.url);
}

static void test_table_complete(void **state)
{
	(void)state;
	pd_error err = {0};
	const pd_curl *cu = pd_curl_get(&err);
	assert_non_null(cu);
#define CHECK(name) assert_non_null((void *)(uintptr_t)cu->name);
	PD_CURL_FUNCTIONS(CHECK)
#undef CHECK
	/* The functions are libcurl's: escape percent-encodes as curl does. */
	char *e = cu->easy_escape(NULL, "a b/c", 0);
	assert_string_equal(e, "a%20b%2Fc");
	cu->free(e);
	/* Later calls return the first result; global init is not repeated. */
	assert_int_equal(pd_http_global_init(&err), PD_OK);
	assert_int_equal(pd_http_global_init(&err), PD_OK);
	assert_ptr_equal(pd_curl_get(NULL), cu);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_concurrent_first_use),
		cmocka_unit_test(test_table_complete),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
