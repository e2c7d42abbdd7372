/* Fuzz harness for incoming MCP messages: the input is split at newlines and fed line by
 * line to one stdio session (so a handshake can open the gate for later lines), and whole
 * to the HTTP policy as a POST body. Every reply must be one JSON value without a raw
 * newline, and nothing may crash or leak. Tools that would reach a server have none
 * configured (they answer isError at once). Built with -DPD_FUZZ=ON (clang, libFuzzer);
 * otherwise linked with tests/fuzz/replay.c and run over tests/mcp/seeds by ctest. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "base/base.h"
#include "mcp/mcp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_reply(const pd_buf *b, const char *where)
{
	if (!b->len)
		return;
	cJSON *v = cJSON_ParseWithLength(b->data, b->len);
	if (!v || memchr(b->data, '\n', b->len)) {
		fprintf(stderr, "fuzz_mcp: %s reply is not one JSON line: %.200s\n", where, b->data);
		abort();
	}
	cJSON_Delete(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static pd_mcp_server *srv;
	if (!srv) {
		pd_mcp_config cfg;
		pd_error err;
		memset(&cfg, 0, sizeof cfg);
		pd_http_conf_init(&cfg.http);
		if (pd_mcp_server_new(&cfg, &srv, &err) != PD_OK)
			abort();
	}
	const char *s = (const char *)data;
	pd_mcp_session ss;
	pd_buf reply;
	pd_mcp_session_init(&ss);
	pd_buf_init(&reply, 0);
	for (size_t start = 0; start <= size;) {
		const char *nl = memchr(s + start, '\n', size - start);
		size_t end = nl ? (size_t)(nl - s) : size;
		reply.len = 0;
		if (pd_mcp_handle(srv, &ss, s + start, end - start, &reply) != PD_OK)
			abort(); /* only out of memory may fail */
		check_reply(&reply, "stdio");
		start = end + 1;
	}
	pd_buf_fini(&reply);
	pd_mcp_http_req q = {.method = "POST", .path = "/mcp", .content_type = "application/json",
			     .body = s, .len = size,
			     .protocol_version = size && (data[0] & 1) ? "2026-07-28" : NULL,
			     .mcp_method = "tools/call", .mcp_name = "diff_dot_profiles"};
	pd_mcp_http_resp r;
	pd_mcp_http(srv, &q, &r);
	check_reply(&r.body, "http");
	pd_buf_fini(&r.body);
	return 0;
}
