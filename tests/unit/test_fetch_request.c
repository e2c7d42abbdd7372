/* Unit tests for request building in src/fetch/: matcher bracing, Connect bodies,
 * render paths (percent-encoding, max-nodes), URL joining for both bases, userinfo
 * stripping through curl's URL parser, credential descriptions, size parsing, lenient
 * decoding of Connect list replies, and traces through the caller's callback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fetch/http.h"
#include "fetch/pyroscope.h"
#include "fetch/redact.h"

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
}

static void expect_stripped(const char *url, const char *want)
{
	char *u = pd_http_strip_userinfo(url);
	if (!want) {
		assert_null(u);
		return;
	}
	assert_non_null(u);
	assert_string_equal(u, want);
	free(u);
}

static void test_strip_userinfo(void **state)
{
	(void)state;
	expect_stripped("http://h:4040", "http://h:4040");
	expect_stripped("http://h:4040///", "http://h:4040");
	expect_stripped("http://h:4040/a@b", "http://h:4040/a@b"); /* '@' in the path stays */
	expect_stripped("http://h/p?q=a@b#c@d", "http://h/p?q=a@b#c@d");
	expect_stripped("https://alice@h/grafana/", "https://h/grafana");
	expect_stripped("https://alice:@h", "https://h");
	expect_stripped("https://:secret@h", "https://h");
	expect_stripped("http://alice:p%40ss%3Aw0rd@127.0.0.1:1/x", "http://127.0.0.1:1/x");
	expect_stripped("http://u:p@[::1]:8080/p", "http://[::1]:8080/p");
	expect_stripped("http://[fe80::1]/", "http://[fe80::1]");
	expect_stripped("HTTPS://u:p@Host.Example:443/A", "https://Host.Example:443/A");
	expect_stripped("http://u;auth=basic:p@h/", "http://h"); /* login options go too */
	expect_stripped("127.0.0.1:4040", "http://127.0.0.1:4040"); /* as curl sends it */
	/* An unencoded '@' in the password makes the host "ssw0rd@127.0.0.1": curl
	 * refuses such a URL, and so do we rather than guess where the secret ends. */
	expect_stripped("http://alice:p@ssw0rd@127.0.0.1:1/x", NULL);
	expect_stripped("http://h/a b", NULL);
	expect_stripped("http://[::1/", NULL);
}

/* A URL that curl rejects fails the request before anything is sent, and the message
 * does not quote it (it may hold a password). */
static void test_invalid_url(void **state)
{
	(void)state;
	pd_http_conf c;
	pd_error err = {0};
	pd_buf body;
	long status = -1;
	pd_http_conf_init(&c);
	c.url = "http://alice:p@ssw0rd@127.0.0.1:1";
	pd_buf_init(&body, 0);
	pd_http_req r = {.method = "GET", .path = "/x", .what = "render"};
	assert_int_equal(pd_http_do(&c, &r, &body, &status, &err), PD_EINPUT);
	assert_int_equal(status, 0);
	assert_non_null(strstr(err.msg, "render: invalid server URL: "));
	assert_non_null(strstr(err.msg, "write '@' as %40"));
	assert_null(strstr(err.msg, "ssw0rd"));
	assert_null(strstr(err.msg, "alice"));
	pd_buf_fini(&body);
}

typedef struct lines {
	char text[4096];
	int n;
} lines;

static void collect(void *ud, const char *line)
{
	lines *l = ud;
	assert_null(strchr(line, '\n')); /* one line per call, no newline */
	size_t len = strlen(l->text);
	snprintf(l->text + len, sizeof l->text - len, "%s\n", line);
	l->n++;
}

/* Traces go to the caller's callback, tagged and redacted; a refused connection gives
 * the request, its headers and the failure. */
static void test_trace_callback(void **state)
{
	(void)state;
	pd_http_conf c;
	pd_error err = {0};
	pd_buf body;
	lines l = {.n = 0};
	pd_http_conf_init(&c);
	c.url = "http://127.0.0.1:1"; /* nothing listens on port 1: refused at once */
	c.auth = PD_AUTH_BEARER;
	c.token = "tok-Sup3rS3cret";
	c.token_from = "PROFDIFF_TOKEN";
	c.max_attempts = 1;
	c.tenant = "team-a";
	c.trace = collect;
	c.trace_ud = &l;
	c.trace_tag = "[new] ";
	pd_buf_init(&body, 0);
	pd_http_req r = {.method = "POST", .path = "/q", .body = "{\"k\":\"tok-Sup3rS3cret\"}",
			 .what = "LabelNames"};
	assert_int_equal(pd_http_do(&c, &r, &body, NULL, &err), PD_EINPUT);
	assert_non_null(strstr(err.msg, "LabelNames: cannot reach http://127.0.0.1:1/q"));
	assert_non_null(strstr(l.text, "[new] > POST http://127.0.0.1:1/q\n"));
	assert_non_null(strstr(l.text, "[new] > User-Agent: profdiff/"));
	assert_non_null(strstr(l.text, "[new] > Authorization: <redacted>\n"));
	assert_non_null(strstr(l.text, "[new] > X-Scope-OrgID: team-a\n"));
	assert_non_null(strstr(l.text, "[new] > body: {\"k\":\"<redacted>\"}\n"));
	assert_non_null(strstr(l.text, "[new] < failed after "));
	assert_null(strstr(l.text, "Sup3r"));
	assert_true(l.n >= 6);
	pd_buf_fini(&body);
}

static void expect_server_message(const pd_http_conf *c, const char *sent, const char *body,
				  const char *want)
{
	pd_buf b;
	char out[PD_SNIPPET_MAX + 16];
	pd_buf_init(&b, 0);
	assert_true(pd_buf_puts(&b, body));
	pd_redact_server_message(&b, c, sent, out, sizeof out);
	assert_string_equal(out, want);
	pd_buf_fini(&b);
}

/* Secrets go wherever they are, also the credential curl sent (base64 of user:password
 * for basic auth) when a server echoes it. */
static void test_redact(void **state)
{
	(void)state;
	pd_http_conf c;
	pd_http_conf_init(&c);
	c.token = "tok-Sup3rS3cret";
	c.password = "pw12";
	char s[] = "a tok-Sup3rS3cret b pw12 c YWxpY2U6cHcxMg== d";
	pd_redact(s, &c, "YWxpY2U6cHcxMg==");
	assert_string_equal(s, "a <redacted> b **** c <redacted> d");
	/* Encoded forms: percent-encoded, base64 at an alignment other than 0 (inside a
	 * longer base64 text), and a URL password known only from the credential sent. */
	c.token = NULL;
	c.password = "p@ss word!";
	char enc[] = "u p%40ss%20word%21 v p%40ss%20word%21 w eHBAc3Mgd29yZCE= z";
	pd_redact(enc, &c, NULL);
	assert_string_equal(enc, "u <redacted> v <redacted> w eH<redacted>E= z");
	c.password = NULL;
	char url[] = "q bob:hunter2-xyz r hunter2-xyz s";
	pd_redact(url, &c, "Ym9iOmh1bnRlcjIteHl6"); /* base64 of bob:hunter2-xyz */
	assert_string_equal(url, "q <redacted> r <redacted> s");
	char stars[] = "x ***** y";
	c.token = "*****"; /* its own redaction contains it again: must end */
	pd_redact(stars, &c, NULL);
	assert_string_equal(stars, "x ***** y");
	c.token = "abc"; /* too short to tell from words */
	char shortsecret[] = "abc";
	pd_redact(shortsecret, &c, NULL);
	assert_string_equal(shortsecret, "abc");

	c.token = "tok-Sup3rS3cret";
	expect_server_message(&c, NULL, "", "");
	expect_server_message(&c, NULL, "{\"code\":\"unauthenticated\",\"message\":\"bad token tok-Sup3rS3cret\"}",
			      "unauthenticated: bad token <redacted>");
	expect_server_message(&c, NULL, "{\"error\":\"nope\"}", "nope");
	expect_server_message(&c, "YWxpY2U6cHcxMg==",
			      "  401\n\tAuthorization:  Basic YWxpY2U6cHcxMg==\r\n", "401 Authorization: Basic <redacted>");
	char long_body[600];
	memset(long_body, 'x', sizeof long_body - 1);
	long_body[sizeof long_body - 1] = '\0';
	memcpy(long_body + PD_SNIPPET_MAX - 5, "tok-Sup3rS3cret", 15); /* straddles the cut */
	pd_buf b;
	char out[PD_SNIPPET_MAX + 16];
	pd_buf_init(&b, 0);
	assert_true(pd_buf_puts(&b, long_body));
	pd_redact_server_message(&b, &c, NULL, out, sizeof out);
	assert_int_equal(strlen(out), PD_SNIPPET_MAX + 3);
	assert_null(strstr(out, "tok-"));
	assert_non_null(strstr(out, "xx<reda..."));
	assert_string_equal(out + PD_SNIPPET_MAX, "...");
	pd_buf_fini(&b);
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
		cmocka_unit_test(test_strip_userinfo), cmocka_unit_test(test_invalid_url),
		cmocka_unit_test(test_trace_callback), cmocka_unit_test(test_redact),
		cmocka_unit_test(test_describe_auth), cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_decode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
