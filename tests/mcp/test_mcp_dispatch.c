/* The MCP dispatcher without I/O: exact replies for a few exchanges (a golden check of
 * member sets and id echo), the HTTP policy's statuses, and every allocation failing in
 * turn while handling a handshake, a tools/list, a diff tool call and an HTTP POST: each
 * run ends in a JSON reply or PD_EINTERNAL, with nothing leaked (ASan build). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "base/base.h"
#include "mcp/mcp.h"

static pd_mcp_server *srv;

static const char dot_base[] =
	"digraph \"t\" {\n"
	"subgraph cluster_L { \"File: t\" [shape=box label=\"File: t\\lType: cpu\\lShowing nodes "
	"accounting for 1s, 100% of 1s total\\l\"] }\n"
	"N1 [label=\"main\\nf\\n0.60s (60.00%)\" shape=box tooltip=\"main.f a.go:1 (0.60s)\"]\n"
	"N2 [label=\"main\\ng\\n0.40s (40.00%)\" shape=box tooltip=\"main.g a.go:9 (0.40s)\"]\n"
	"}\n";
static const char dot_new[] =
	"digraph \"t\" {\n"
	"subgraph cluster_L { \"File: t\" [shape=box label=\"File: t\\lType: cpu\\lShowing nodes "
	"accounting for 1.50s, 100% of 1.50s total\\l\"] }\n"
	"N1 [label=\"main\\nf\\n1.10s (73.33%)\" shape=box tooltip=\"main.f a.go:1 (1.10s)\"]\n"
	"N2 [label=\"main\\ng\\n0.40s (26.67%)\" shape=box tooltip=\"main.g a.go:9 (0.40s)\"]\n"
	"}\n";

static int setup(void **state)
{
	pd_mcp_config cfg;
	pd_error err;
	(void)state;
	memset(&cfg, 0, sizeof cfg);
	pd_http_conf_init(&cfg.http);
	return pd_mcp_server_new(&cfg, &srv, &err) == PD_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	pd_mcp_server_free(srv);
	return 0;
}

/* Handles line in session ss and returns the reply (static buffer). */
static const char *ask(pd_mcp_session *ss, const char *line)
{
	static char out[1 << 16];
	pd_buf b;
	pd_buf_init(&b, 0);
	assert_int_equal(pd_mcp_handle(srv, ss, line, strlen(line), &b), PD_OK);
	snprintf(out, sizeof out, "%s", b.data ? b.data : "");
	pd_buf_fini(&b);
	return out;
}

static char *diff_call(void)
{
	cJSON *o = cJSON_CreateObject(), *p = cJSON_AddObjectToObject(o, "params");
	cJSON_AddStringToObject(o, "jsonrpc", "2.0");
	cJSON_AddNumberToObject(o, "id", 5);
	cJSON_AddStringToObject(o, "method", "tools/call");
	cJSON_AddStringToObject(p, "name", "diff_dot_profiles");
	cJSON *a = cJSON_AddObjectToObject(p, "arguments");
	cJSON_AddStringToObject(a, "base_dot", dot_base);
	cJSON_AddStringToObject(a, "new_dot", dot_new);
	char *s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

static const char init_line[] =
	"{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
	"\"2024-11-05\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"0\"}}}";

static void test_exchanges(void **state)
{
	pd_mcp_session ss;
	(void)state;
	pd_mcp_session_init(&ss);
	assert_string_equal(ask(&ss, "{\"id\":\"a\",\"method\":\"ping\",\"jsonrpc\":\"2.0\"}"),
			    "{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"result\":{}}");
	assert_string_equal(ask(&ss, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/list\"}"),
			    "{\"jsonrpc\":\"2.0\",\"id\":7,\"error\":{\"code\":-32600,\"message\":"
			    "\"Invalid request: server not initialized: send initialize first\"}}");
	assert_string_equal(ask(&ss, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/x\"}"), "");
	assert_string_equal(ask(&ss, "  \r"), "");
	assert_string_equal(ask(&ss, "{\"jsonrpc\":\"2.0\",\"id\":-0,\"method\":\"nope\"}"),
			    "{\"jsonrpc\":\"2.0\",\"id\":-0,\"error\":{\"code\":-32601,\"message\":"
			    "\"Method not found: nope\"}}");
	const char *r = ask(&ss, init_line);
	assert_non_null(strstr(r, "\"protocolVersion\":\"2024-11-05\""));
	assert_null(strstr(r, "\"title\"")); /* 2024-11-05 has no titles */
	char *call = diff_call();
	r = ask(&ss, call);
	cJSON_free(call);
	assert_non_null(strstr(r, "main.f"));
	assert_null(strstr(r, "structuredContent")); /* not before 2025-06-18 */
	assert_null(strstr(r, "isError"));
}

static void test_http_policy(void **state)
{
	(void)state;
	struct {
		const char *method, *path, *origin, *ctype, *version, *body;
		int status;
	} cases[] = {
		{"POST", "/mcp", NULL, "application/json", NULL, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}", 200},
		{"POST", "/mcp", NULL, "application/json", NULL, "{\"jsonrpc\":\"2.0\",\"method\":\"n\"}", 202},
		{"GET", "/mcp", NULL, NULL, NULL, "", 405},
		{"POST", "/x", NULL, "application/json", NULL, "{}", 404},
		{"POST", "/mcp", "http://a.example", "application/json", NULL, "{}", 403},
		{"POST", "/mcp", NULL, "text/plain", NULL, "{}", 415},
		{"POST", "/mcp", NULL, "application/json", "2000-01-01", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}", 400},
		{"POST", "/mcp", NULL, "application/json", NULL, "{", 400},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		pd_mcp_http_req q = {.method = cases[i].method, .path = cases[i].path,
				     .origin = cases[i].origin, .content_type = cases[i].ctype,
				     .protocol_version = cases[i].version, .body = cases[i].body,
				     .len = strlen(cases[i].body), .loopback = true, .port = 1};
		pd_mcp_http_resp r;
		pd_mcp_http(srv, &q, &r);
		assert_int_equal(r.status, cases[i].status);
		if (r.status == 405)
			assert_string_equal(r.allow, "POST");
		pd_buf_fini(&r.body);
	}
}

/* Runs one exchange with the n-th allocation failing, for every n. */
static void fail_each(const char *line, bool initialized, bool http)
{
	long total = 0;
	for (long n = 0; n == 0 || n <= total; n++) {
		pd_mcp_session ss;
		pd_buf b;
		pd_status st = PD_OK;
		pd_mcp_session_init(&ss);
		ss.initialized = initialized;
		ss.rank = initialized ? 4 : 0;
		pd_buf_init(&b, 0);
		pd_alloc_fail_at(n);
		if (http) {
			pd_mcp_http_req q = {.method = "POST", .path = "/mcp",
					     .content_type = "application/json", .body = line,
					     .len = strlen(line)};
			pd_mcp_http_resp r;
			pd_mcp_http(srv, &q, &r);
			if (r.status != 500)
				pd_buf_append(&b, r.body.data ? r.body.data : "", r.body.len);
			pd_buf_fini(&r.body);
		} else {
			st = pd_mcp_handle(srv, &ss, line, strlen(line), &b);
		}
		if (n == 0)
			total = pd_alloc_count();
		pd_alloc_fail_at(0);
		if (st == PD_OK && b.len) {
			cJSON *v = cJSON_ParseWithLength(b.data, b.len);
			if (!v)
				fail_msg("n=%ld: reply is not JSON: %s", n, b.data);
			cJSON_Delete(v);
		} else if (st != PD_OK) {
			assert_int_equal(st, PD_EINTERNAL);
		}
		pd_buf_fini(&b);
	}
	assert_true(total > 5);
}

static void test_alloc_failures(void **state)
{
	(void)state;
	char *call = diff_call();
	fail_each(init_line, false, false);
	fail_each("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}", true, false);
	fail_each(call, true, false);
	fail_each(call, false, true);
	fail_each("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]", false, true);
	cJSON_free(call);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exchanges),
		cmocka_unit_test(test_http_policy),
		cmocka_unit_test(test_alloc_failures),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
