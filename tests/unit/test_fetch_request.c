/* Unit tests for request building in src/fetch/: matcher bracing, Connect bodies,
 * render paths (percent-encoding, max-nodes), URL joining for both bases, credential
 * descriptions, size parsing and lenient decoding of Connect list replies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fetch/http.h"
#include "fetch/pyroscope.h"

#define TYPE "process_cpu:cpu:nanoseconds:cpu:nanoseconds"

static void expect_matchers(const char *in, const char *want)
{
	char *m = pd_pyro_matchers(in);
	assert_non_null(m);
	assert_string_equal(m, want);
	free(m);
}

static void test_matchers(void **state)
{
	(void)state;
	expect_matchers(NULL, "{}");
	expect_matchers("", "{}");
	expect_matchers("  \t", "{}");
	expect_matchers("service_name=\"api\"", "{service_name=\"api\"}");
	expect_matchers(" {service_name=\"api\"} ", "{service_name=\"api\"}");
	expect_matchers("{}", "{}");
	expect_matchers("a=\"1\",b!~\"x.*\"", "{a=\"1\",b!~\"x.*\"}");
}

static void test_connect_body(void **state)
{
	(void)state;
	char *b = pd_pyro_connect_body(NULL, NULL, INT64_C(1700000000000), INT64_C(1700003600000));
	assert_string_equal(b, "{\"start\":1700000000000,\"end\":1700003600000}");
	free(b);
	b = pd_pyro_connect_body(NULL, "{service_name=\"api\"}", 1, 2);
	assert_string_equal(b, "{\"matchers\":[\"{service_name=\\\"api\\\"}\"],\"start\":1,\"end\":2}");
	free(b);
	b = pd_pyro_connect_body("service_name", "{}", INT64_C(9007199254740993), 2);
	/* int64 beyond 2^53 stays exact */
	assert_string_equal(b, "{\"name\":\"service_name\",\"matchers\":[\"{}\"],"
			       "\"start\":9007199254740993,\"end\":2}");
	free(b);
}

static void test_render_path(void **state)
{
	(void)state;
	char *p = pd_pyro_render_path(TYPE, "{service_name=\"api\"}", INT64_C(1700000000000),
				      INT64_C(1700003600000), 0);
	assert_string_equal(p, "/pyroscope/render?query=process_cpu%3Acpu%3Ananoseconds%3Acpu%3A"
			       "nanoseconds%7Bservice_name%3D%22api%22%7D&from=1700000000000"
			       "&until=1700003600000&format=dot&max-nodes=100");
	free(p);
	p = pd_pyro_render_path(TYPE, "{a=~\"x|y z\"}", 1, 2, -1);
	assert_non_null(strstr(p, "%7Ba%3D~%22x%7Cy%20z%22%7D&"));
	assert_non_null(strstr(p, "max-nodes=100"));
	free(p);
	p = pd_pyro_render_path(TYPE, "{}", 1, 2, 512);
	assert_non_null(strstr(p, "&max-nodes=512"));
	free(p);
}

static void test_urls(void **state)
{
	(void)state;
	pd_http_conf c;
	pd_http_conf_init(&c);
	c.url = "https://user:secret@grafana.example.net/";
	char *u = pd_http_url(&c, "/pyroscope/render?x=1", false);
	assert_string_equal(u, "https://grafana.example.net/pyroscope/render?x=1");
	free(u);
	c.datasource = "my uid";
	u = pd_http_url(&c, "/querier.v1.QuerierService/LabelNames", false);
	assert_string_equal(u, "https://grafana.example.net/api/datasources/proxy/uid/my%20uid"
			       "/querier.v1.QuerierService/LabelNames");
	free(u);
	u = pd_http_url(&c, "/api/datasources/uid/x", true);
	assert_string_equal(u, "https://grafana.example.net/api/datasources/uid/x");
	free(u);
	u = pd_http_strip_userinfo("http://h:4040/a@b");
	assert_string_equal(u, "http://h:4040/a@b");
	free(u);
	/* A password with an unencoded '@': all of the userinfo goes, not just its start. */
	u = pd_http_strip_userinfo("http://alice:p@ssw0rd@127.0.0.1:1/x");
	assert_string_equal(u, "http://127.0.0.1:1/x");
	free(u);
}

static void test_describe_auth(void **state)
{
	(void)state;
	pd_http_conf c;
	char buf[128];
	pd_http_conf_init(&c);
	pd_http_describe_auth(&c, buf, sizeof buf);
	assert_string_equal(buf, "no credentials");
	c.auth = PD_AUTH_BEARER;
	c.token = "t0ps3cret";
	c.token_from = "PROFDIFF_TOKEN";
	pd_http_describe_auth(&c, buf, sizeof buf);
	assert_string_equal(buf, "bearer token from PROFDIFF_TOKEN");
	c.auth = PD_AUTH_BASIC;
	c.username = "alice";
	c.password = "pw";
	pd_http_describe_auth(&c, buf, sizeof buf);
	assert_string_equal(buf, "basic auth user alice");
	assert_int_equal(c.timeout_ms, 30000);
	assert_int_equal(c.max_body, (size_t)64 << 20);
	assert_int_equal(c.max_attempts, 3);
}

static void test_sizes(void **state)
{
	(void)state;
	size_t n = 0;
	assert_true(pd_parse_size("65536", &n));
	assert_int_equal(n, 65536);
	assert_true(pd_parse_size("64MiB", &n));
	assert_int_equal(n, (size_t)64 << 20);
	assert_true(pd_parse_size("10MB", &n));
	assert_int_equal(n, 10000000);
	assert_true(pd_parse_size("512k", &n));
	assert_int_equal(n, 512 * 1024);
	assert_true(pd_parse_size("1GiB", &n));
	assert_false(pd_parse_size("0", &n));
	assert_false(pd_parse_size("", &n));
	assert_false(pd_parse_size("-5", &n));
	assert_false(pd_parse_size("10 MB", &n));
	assert_false(pd_parse_size("10XB", &n));
	assert_false(pd_parse_size("99999999999999999999", &n));
}

static void test_decode(void **state)
{
	(void)state;
	pd_error err = {0};
	pd_strlist l = {0};
	const char *types = "{\"profileTypes\":[{\"ID\":\"ignored\",\"name\":\"memory\",\"sampleType\":"
			    "\"alloc_space\",\"sampleUnit\":\"bytes\",\"periodType\":\"space\","
			    "\"periodUnit\":\"bytes\",\"unknown\":{\"x\":\"1\"}}],\"more\":1}";
	assert_int_equal(pd_pyro_decode_list("ProfileTypes", types, strlen(types), "profileTypes", &l, &err),
			 PD_OK);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0], "memory:alloc_space:bytes:space:bytes");
	pd_strlist_fini(&l);

	assert_int_equal(pd_pyro_decode_list("LabelNames", "{}", 2, "names", &l, &err), PD_OK);
	assert_int_equal(l.n, 0);
	const char *names = "{\"names\":[\"a\",\"b\"]}";
	assert_int_equal(pd_pyro_decode_list("LabelValues", names, strlen(names), "names", &l, &err), PD_OK);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[1], "b");
	pd_strlist_fini(&l);

	assert_int_equal(pd_pyro_decode_list("LabelNames", "<html>", 6, "names", &l, &err), PD_EINPUT);
	assert_non_null(strstr(err.msg, "invalid JSON"));
	assert_int_equal(pd_pyro_decode_list("LabelNames", "{\"names\":3}", 11, "names", &l, &err),
			 PD_EINPUT);
	pd_strlist_fini(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matchers),   cmocka_unit_test(test_connect_body),
		cmocka_unit_test(test_render_path), cmocka_unit_test(test_urls),
		cmocka_unit_test(test_describe_auth), cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_decode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
