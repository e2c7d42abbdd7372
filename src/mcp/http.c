/* Streamable HTTP policy of the MCP server, stateless and JSON-only: given one request's
 * method, path, headers and body, the status, headers and body to answer (the socket I/O
 * is the caller's, libmicrohttpd in the CLI). Order of checks: Origin and Host, path,
 * method, media types, body size, MCP-Protocol-Version, JSON, dispatch. Every POST
 * stands alone: no session, no initialization gate. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mcp/internal.h"
#include "base/base.h"

static void answer(pd_mcp_http_resp *r, int status, const cJSON *id, int code, const char *msg)
{
	r->status = status;
	r->content_type = "application/json";
	cJSON *e = pd_mcp_error(id, code, msg, NULL);
	if (!e || !pd_mcp_serialize(e, id, &r->body))
		r->content_type = NULL, r->body.len = 0;
	cJSON_Delete(e);
}

/* Media type of a header value, compared without parameters and case. */
static bool media_is(const char *v, const char *type)
{
	size_t n = strlen(type);
	while (*v == ' ')
		v++;
	return !strncasecmp(v, type, n) && (v[n] == '\0' || v[n] == ';' || v[n] == ' ');
}

/* Absent, or some entry allows application/json (exactly, as application/any or any). */
static bool accepts_json(const char *v)
{
	if (!v)
		return true;
	char buf[512];
	snprintf(buf, sizeof buf, "%s", v);
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (media_is(t, "application/json") || media_is(t, "application/*") ||
		    media_is(t, "*/*"))
			return true;
	return false;
}

static bool origin_ok(const pd_mcp_server *s, const char *origin)
{
	if (!origin)
		return true; /* non-browser clients send none */
	for (size_t i = 0; i < s->cfg.nallow_origins; i++)
		if (!strcasecmp(origin, s->cfg.allow_origins[i]))
			return true;
	return false;
}

static bool host_ok(const pd_mcp_http_req *q)
{
	if (!q->loopback || !q->host)
		return true;
	static const char *const names[] = {"127.0.0.1", "localhost", "[::1]"};
	for (size_t i = 0; i < 3; i++) {
		char want[64];
		snprintf(want, sizeof want, "%s:%u", names[i], q->port);
		if (!strcasecmp(q->host, want) || (q->port == 80 && !strcasecmp(q->host, names[i])))
			return true;
	}
	return false;
}

/* A 2026-07-28 header value as text: "=?base64?<Base64 of UTF-8>?=" is decoded, other
 * values are taken as they are. False when it does not fit or is not valid Base64. */
static bool header_text(const char *v, char *out, size_t size)
{
	size_t n = strlen(v);
	if (n < 11 || strncmp(v, "=?base64?", 9) != 0 || strcmp(v + n - 2, "?=") != 0) {
		if (n >= size)
			return false;
		memcpy(out, v, n + 1);
		return true;
	}
	static const char digits[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned acc = 0, bits = 0;
	size_t o = 0;
	for (const char *p = v + 9; p < v + n - 2 && *p != '='; p++) {
		const char *d = strchr(digits, *p);
		if (!d || !*p)
			return false;
		acc = acc << 6 | (unsigned)(d - digits);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o + 1 >= size)
				return false;
			out[o++] = (char)(acc >> bits & 0xff);
		}
	}
	out[o] = '\0';
	return true;
}

/* The header equals want (after decoding). */
static bool header_is(const char *v, const char *want)
{
	char buf[256];
	return v && header_text(v, buf, sizeof buf) && strcmp(buf, want) == 0;
}

static const cJSON *readable_id(const cJSON *msg)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(msg, "id");
	return cJSON_IsString(id) || cJSON_IsNumber(id) ? id : NULL;
}

/* Status of a modern (2026-07-28) request's error, by code. */
static int modern_status(int code)
{
	return code == -32601 ? 404
	       : code == -32020 || code == -32021 || code == -32022 || code == -32602 ? 400
									      : 200;
}

static void post(pd_mcp_server *s, const pd_mcp_http_req *q, pd_mcp_http_resp *r)
{
	const char *hv = q->protocol_version;
	int rank = hv ? pd_mcp_rank(hv) : RANK_2025_03_26;
	cJSON *v = NULL, *out = NULL;
	char m[256];
	if (!pd_mcp_utf8_ok(q->body, q->len) || !(v = cJSON_ParseWithLength(q->body, q->len))) {
		answer(r, 400, NULL, -32700, "Parse error: invalid JSON or UTF-8");
		return;
	}
	if (!rank) {
		snprintf(m, sizeof m, "Unsupported MCP-Protocol-Version: %.40s (supported: 2026-07-28, "
				      "2025-11-25, 2025-06-18, 2025-03-26, 2024-11-05)", hv);
		answer(r, 400, readable_id(v), -32600, m);
		goto out;
	}
	pd_mcp_session ss = {.rank = rank == RANK_2026_07_28 ? RANK_2025_11_25 : rank,
			     .stateless = true};
	if (cJSON_IsArray(v)) {
		if (rank != RANK_2025_03_26 || cJSON_GetArraySize(v) == 0) {
			answer(r, 400, NULL, -32600,
			       "Invalid request: batches are only accepted under 2025-03-26");
			goto out;
		}
		out = cJSON_CreateArray();
		const cJSON *el;
		int code;
		cJSON_ArrayForEach(el, v)
		{
			const cJSON *mm = cJSON_GetObjectItemCaseSensitive(el, "method");
			cJSON *x = cJSON_IsString(mm) && !strcmp(mm->valuestring, "initialize")
					   ? pd_mcp_error(readable_id(el), -32600,
							  "Invalid request: initialize must not be batched",
							  NULL)
					   : pd_mcp_dispatch(s, &ss, el, &code);
			if (x)
				pd_mcp_put(out, NULL, x);
		}
		if (cJSON_GetArraySize(out) == 0) {
			r->status = 202;
		} else {
			r->status = 200;
			r->content_type = "application/json";
			pd_mcp_serialize(out, NULL, &r->body);
		}
		goto out;
	}
	const cJSON *method = cJSON_GetObjectItemCaseSensitive(v, "method");
	const cJSON *params = cJSON_GetObjectItemCaseSensitive(v, "params");
	bool has_id = cJSON_GetObjectItemCaseSensitive(v, "id") != NULL;
	if (rank == RANK_2026_07_28 && cJSON_IsString(method) && has_id) {
		/* The stateless revision mirrors body fields in headers: they must agree. */
		const cJSON *meta = cJSON_GetObjectItemCaseSensitive(params, "_meta");
		const cJSON *bv = cJSON_GetObjectItemCaseSensitive(meta, PD_MCP_META_VERSION);
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(params, "name");
		const char *bad = NULL;
		if (!cJSON_IsString(bv)) {
			answer(r, 400, readable_id(v), -32602,
			       "Invalid params: _meta needs " PD_MCP_META_VERSION);
			goto out;
		}
		if (strcmp(bv->valuestring, hv) != 0)
			bad = "MCP-Protocol-Version differs from _meta";
		else if (!header_is(q->mcp_method, method->valuestring))
			bad = "Mcp-Method is missing or differs from method";
		else if (!strcmp(method->valuestring, "tools/call") && cJSON_IsString(name) &&
			 !header_is(q->mcp_name, name->valuestring))
			bad = "Mcp-Name is missing or differs from params.name";
		if (bad) {
			snprintf(m, sizeof m, "Header mismatch: %s", bad);
			answer(r, 400, readable_id(v), -32020, m);
			goto out;
		}
	}
	int code = 0;
	pd_mcp_keep_raw_id(v, q->body, q->len);
	out = pd_mcp_dispatch(s, &ss, v, &code);
	if (!out) {
		if (code == -32603)
			answer(r, 500, NULL, -32603, "Internal error: out of memory");
		else
			r->status = 202; /* notification or client response */
		goto out;
	}
	bool modern = cJSON_IsObject(params) &&
		      cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(params, "_meta"),
						       PD_MCP_META_VERSION) &&
		      !(cJSON_IsString(method) && !strcmp(method->valuestring, "initialize"));
	r->status = modern && code ? modern_status(code) : 200;
	r->content_type = "application/json";
	pd_mcp_serialize(out, readable_id(v), &r->body);
out:
	cJSON_Delete(out);
	cJSON_Delete(v);
}

void pd_mcp_http(pd_mcp_server *s, const pd_mcp_http_req *q, pd_mcp_http_resp *r)
{
	memset(r, 0, sizeof *r);
	pd_buf_init(&r->body, 0);
	pd_alloc_init_cjson();
	if (!origin_ok(s, q->origin)) {
		answer(r, 403, NULL, -32600, "Forbidden: Origin not allowed (see --allow-origin)");
	} else if (!host_ok(q)) {
		answer(r, 403, NULL, -32600, "Forbidden: invalid Host header");
	} else if (strcmp(q->path, "/mcp") != 0) {
		answer(r, 404, NULL, -32600, "Not found: the MCP endpoint is /mcp");
	} else if (strcmp(q->method, "POST") != 0) {
		answer(r, 405, NULL, -32600, "Method not allowed: POST JSON-RPC messages to /mcp");
		r->allow = "POST";
	} else if (!q->content_type || !media_is(q->content_type, "application/json")) {
		answer(r, 415, NULL, -32600, "Unsupported Media Type: Content-Type must be "
					     "application/json");
	} else if (!accepts_json(q->accept)) {
		answer(r, 406, NULL, -32600, "Not Acceptable: this server answers application/json");
	} else if (q->body_too_large || q->len > PD_MCP_MAX_REQUEST) {
		answer(r, 413, NULL, -32600, "Invalid request: message larger than 1 MiB");
	} else {
		post(s, q, r);
	}
	if (r->body.failed) { /* out of memory: no body rather than half of one */
		r->status = 500;
		r->content_type = NULL;
		r->body.len = 0;
	}
}
