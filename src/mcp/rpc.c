/* JSON-RPC 2.0 dispatcher of the MCP server: message validation and error codes, the
 * handshake lifecycle (initialize, ping, the stdio gate), the stateless 2026-07-28
 * requests (per-request _meta, server/discover, resultType), batches under 2025-03-26,
 * and the stdio line front end. Replies are built as cJSON trees and serialized once,
 * compactly, under PD_MCP_MAX_MESSAGE. */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcp/internal.h"
#include "base/base.h"

const char *const pd_mcp_versions[RANK_COUNT] = {
	[RANK_2024_11_05] = "2024-11-05", [RANK_2025_03_26] = "2025-03-26",
	[RANK_2025_06_18] = "2025-06-18", [RANK_2025_11_25] = "2025-11-25",
	[RANK_2026_07_28] = PD_MCP_MODERN,
};

static const char instructions[] =
	"Read-only access to Grafana Pyroscope profiles plus profdiff's comparison. Workflow: "
	"list_pyroscope_label_values with name=service_name to find the service, "
	"list_pyroscope_profile_types to pick a profile type, then diff_pyroscope_profiles for "
	"the problem window against a baseline (the previous window by default). Deltas are "
	"problem minus baseline in the profile's unit: positive means more time or memory in "
	"the problem window (a slowdown), negative less.";

int pd_mcp_rank(const char *v)
{
	for (int r = 1; v && r < RANK_COUNT; r++)
		if (strcmp(v, pd_mcp_versions[r]) == 0)
			return r;
	return 0;
}

void pd_mcp_log(const pd_mcp_server *s, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	if (!s->cfg.log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	s->cfg.log(s->cfg.log_ctx, line);
}

bool pd_mcp_utf8_ok(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	for (size_t i = 0; i < n;) {
		unsigned c = s[i];
		size_t k;
		unsigned min, cp;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			k = 1, min = 0x80, cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			k = 2, min = 0x800, cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			k = 3, min = 0x10000, cp = c & 0x07;
		} else {
			return false;
		}
		if (n - i <= k)
			return false;
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + j] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += k + 1;
	}
	return true;
}

/* ---- building replies ------------------------------------------------------------ */

/* Ids are strings or integers; integers are written back as the client wrote them
 * (pd_mcp_keep_raw_id), else as digits (cJSON would print 1e+17 for a large one). */
static cJSON *copy_id(const cJSON *id)
{
	if (cJSON_IsString(id))
		return cJSON_CreateString(id->valuestring);
	if (id->valuestring)
		return cJSON_CreateRaw(id->valuestring);
	char num[40];
	snprintf(num, sizeof num, "%.0f", id->valuedouble);
	return cJSON_CreateRaw(num);
}

static cJSON *envelope(const cJSON *id)
{
	cJSON *r = cJSON_CreateObject();
	if (!r)
		return NULL;
	cJSON_AddStringToObject(r, "jsonrpc", "2.0");
	if (id) {
		cJSON *i = copy_id(id);
		if (!pd_mcp_put(r, "id", i)) {
			cJSON_Delete(r);
			return NULL;
		}
	}
	return r;
}

cJSON *pd_mcp_error(const cJSON *id, int code, const char *msg, cJSON *data)
{
	cJSON *r = envelope(id), *e = r ? cJSON_AddObjectToObject(r, "error") : NULL;
	if (!e || !cJSON_AddNumberToObject(e, "code", code) || !pd_mcp_add_str(e, "message", msg) ||
	    (data && !pd_mcp_put(e, "data", data))) {
		if (!e)
			cJSON_Delete(data);
		cJSON_Delete(r);
		return NULL;
	}
	return r;
}

static cJSON *result(const cJSON *id, cJSON *res)
{
	cJSON *r = res ? envelope(id) : NULL;
	if (!r)
		cJSON_Delete(res);
	if (!r || !pd_mcp_put(r, "result", res)) {
		cJSON_Delete(r);
		return NULL;
	}
	return r;
}

static cJSON *server_info(int rank)
{
	cJSON *i = cJSON_CreateObject();
	cJSON_AddStringToObject(i, "name", "profdiff");
	if (rank >= RANK_2025_06_18)
		cJSON_AddStringToObject(i, "title", "profdiff: Pyroscope profiles and their diffs");
	cJSON_AddStringToObject(i, "version", PD_VERSION);
	return i;
}

static cJSON *supported_list(void)
{
	cJSON *a = cJSON_CreateArray();
	for (int r = RANK_COUNT - 1; a && r >= 1; r--)
		pd_mcp_put(a, NULL, cJSON_CreateString(pd_mcp_versions[r]));
	return a;
}

bool pd_mcp_serialize(const cJSON *r, const cJSON *id, pd_buf *out)
{
	char *text = cJSON_PrintUnformatted(r);
	size_t n = text ? strlen(text) : 0;
	bool ok;
	if (text && n < PD_MCP_MAX_MESSAGE) {
		ok = pd_buf_append(out, text, n);
	} else {
		/* Out of memory while printing, or too large: a small error says so. */
		cJSON *e = pd_mcp_error(id, -32603,
					text ? "Internal error: reply too large; narrow the request"
					     : "Internal error: out of memory",
					NULL);
		char *t2 = e ? cJSON_PrintUnformatted(e) : NULL;
		ok = t2 && pd_buf_puts(out, t2);
		cJSON_free(t2);
		cJSON_Delete(e);
	}
	cJSON_free(text);
	return ok;
}

/* ---- methods ---------------------------------------------------------------------- */

static cJSON *initialize(pd_mcp_session *ss, const cJSON *params, const char **emsg)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(params, "protocolVersion");
	if (!cJSON_IsString(v)) {
		*emsg = "Invalid params: initialize needs a string protocolVersion";
		return NULL;
	}
	int rank = pd_mcp_rank(v->valuestring);
	if (rank == 0 || rank == RANK_2026_07_28) /* the handshake is for legacy versions */
		rank = RANK_2025_11_25;
	cJSON *r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "protocolVersion", pd_mcp_versions[rank]);
	cJSON *caps = cJSON_AddObjectToObject(r, "capabilities");
	cJSON_AddObjectToObject(caps, "tools");
	pd_mcp_put(r, "serverInfo", server_info(rank));
	cJSON_AddStringToObject(r, "instructions", instructions);
	ss->rank = rank;
	return r;
}

static cJSON *discover(void)
{
	cJSON *r = cJSON_CreateObject();
	pd_mcp_put(r, "supportedVersions", supported_list());
	cJSON *caps = cJSON_AddObjectToObject(r, "capabilities");
	cJSON_AddObjectToObject(caps, "tools");
	cJSON_AddNumberToObject(r, "ttlMs", 3600000);
	cJSON_AddStringToObject(r, "cacheScope", "public");
	cJSON_AddStringToObject(r, "instructions", instructions);
	return r;
}

/* resultType and serverInfo on every 2026-07-28 result; ttlMs/cacheScope on lists. */
static cJSON *modernize(cJSON *res, const char *method)
{
	if (!res)
		return NULL;
	cJSON_AddStringToObject(res, "resultType", "complete");
	if (!strcmp(method, "tools/list")) {
		cJSON_AddNumberToObject(res, "ttlMs", 3600000);
		cJSON_AddStringToObject(res, "cacheScope", "public");
	}
	cJSON *meta = cJSON_GetObjectItemCaseSensitive(res, "_meta");
	if (!meta)
		meta = cJSON_AddObjectToObject(res, "_meta");
	pd_mcp_put(meta, PD_MCP_META_SERVER, server_info(RANK_2026_07_28));
	return res;
}

static bool valid_id(const cJSON *id)
{
	if (cJSON_IsString(id))
		return true;
	if (!cJSON_IsNumber(id))
		return false;
	double v = id->valuedouble;
	return isfinite(v) && v == floor(v) && fabs(v) < 9.2e18;
}

/* A request of the stateless revision: its version, or NULL for a legacy request. */
static const char *meta_version(const cJSON *params)
{
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(params, "_meta");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(meta, PD_MCP_META_VERSION);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static cJSON *modern(pd_mcp_server *s, const cJSON *id, const char *method,
		     const cJSON *params, const char *version, int *code)
{
	const char *emsg = NULL;
	char ebuf[160];
	cJSON *res = NULL;
	if (strcmp(version, PD_MCP_MODERN) != 0) {
		cJSON *data = cJSON_CreateObject();
		if (data) {
			pd_mcp_put(data, "supported", supported_list());
			pd_mcp_add_str(data, "requested", version);
		}
		*code = -32022;
		return pd_mcp_error(id, -32022, "Unsupported protocol version", data);
	}
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(params, "_meta");
	if (!cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(meta, PD_MCP_META_CAPS))) {
		*code = -32602;
		return pd_mcp_error(id, -32602,
				    "Invalid params: _meta needs " PD_MCP_META_CAPS " (an object)", NULL);
	}
	if (!strcmp(method, "server/discover")) {
		res = discover();
	} else if (!strcmp(method, "tools/list")) {
		if (cJSON_GetObjectItemCaseSensitive(params, "cursor"))
			emsg = "Invalid params: unknown cursor (tools/list has one page)";
		else
			res = pd_mcp_tools_list(RANK_2026_07_28);
	} else if (!strcmp(method, "tools/call")) {
		ebuf[0] = '\0';
		if (!(res = pd_mcp_tools_call(s, RANK_2026_07_28, params, ebuf)) && ebuf[0])
			emsg = ebuf;
	} else {
		char m[160];
		snprintf(m, sizeof m, "Method not found: %.120s", method);
		*code = -32601;
		return pd_mcp_error(id, -32601, m, NULL);
	}
	if (emsg) {
		*code = -32602;
		return pd_mcp_error(id, -32602, emsg, NULL);
	}
	if (!res) {
		*code = -32603;
		return pd_mcp_error(id, -32603, "Internal error: out of memory", NULL);
	}
	return result(id, modernize(res, method));
}

static cJSON *legacy(pd_mcp_server *s, pd_mcp_session *ss, const cJSON *id, const char *method,
		     const cJSON *params, int *code)
{
	const char *emsg = NULL;
	char ebuf[160];
	int ecode = -32602;
	cJSON *res = NULL;
	bool gated = !ss->stateless && !ss->initialized;
	if (!strcmp(method, "initialize")) {
		if (!ss->stateless && ss->initialized)
			emsg = "Invalid request: already initialized", ecode = -32600;
		else if ((res = initialize(ss, params, &emsg)) != NULL)
			ss->initialized = true;
	} else if (!strcmp(method, "ping")) {
		res = cJSON_CreateObject();
	} else if (!strcmp(method, "server/discover")) {
		res = discover(); /* a dual-era probe without _meta still learns the versions */
		if (res)
			return result(id, modernize(res, method));
	} else if (strcmp(method, "tools/list") && strcmp(method, "tools/call")) {
		char m[160];
		snprintf(m, sizeof m, "Method not found: %.120s", method);
		*code = -32601;
		return pd_mcp_error(id, -32601, m, NULL);
	} else if (gated) {
		emsg = "Invalid request: server not initialized: send initialize first", ecode = -32600;
	} else if (!strcmp(method, "tools/list")) {
		if (cJSON_GetObjectItemCaseSensitive(params, "cursor"))
			emsg = "Invalid params: unknown cursor (tools/list has one page)";
		else
			res = pd_mcp_tools_list(ss->rank);
	} else {
		ebuf[0] = '\0';
		if (!(res = pd_mcp_tools_call(s, ss->rank, params, ebuf)) && ebuf[0])
			emsg = ebuf;
	}
	if (emsg) {
		*code = ecode;
		return pd_mcp_error(id, ecode, emsg, NULL);
	}
	if (!res) {
		*code = -32603;
		return pd_mcp_error(id, -32603, "Internal error: out of memory", NULL);
	}
	return result(id, res);
}

cJSON *pd_mcp_dispatch(pd_mcp_server *s, pd_mcp_session *ss, const cJSON *msg, int *code)
{
	*code = 0;
	if (!cJSON_IsObject(msg)) {
		*code = -32600;
		return pd_mcp_error(NULL, -32600, "Invalid request: not a JSON-RPC object", NULL);
	}
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(msg, "id");
	const cJSON *method = cJSON_GetObjectItemCaseSensitive(msg, "method");
	const cJSON *params = cJSON_GetObjectItemCaseSensitive(msg, "params");
	const cJSON *jv = cJSON_GetObjectItemCaseSensitive(msg, "jsonrpc");
	if (!method && (cJSON_GetObjectItemCaseSensitive(msg, "result") ||
			cJSON_GetObjectItemCaseSensitive(msg, "error"))) {
		pd_mcp_log(s, "dropped a response from the client (this server sends no requests)");
		return NULL;
	}
	if (!id && cJSON_IsString(method)) /* a notification: never answered */
		return NULL;
	const cJSON *rid = valid_id(id) ? id : NULL;
	if (!cJSON_IsString(jv) || strcmp(jv->valuestring, "2.0") != 0 || !cJSON_IsString(method) ||
	    !rid) {
		*code = -32600;
		return pd_mcp_error(rid, -32600,
				    !rid ? "Invalid request: id must be a string or an integer"
				    : !cJSON_IsString(method) ? "Invalid request: method must be a string"
							      : "Invalid request: jsonrpc must be \"2.0\"",
				    NULL);
	}
	if (params && !cJSON_IsObject(params)) {
		*code = -32602;
		return pd_mcp_error(rid, -32602, "Invalid params: params must be an object", NULL);
	}
	const char *m = method->valuestring;
	const char *version = meta_version(params);
	cJSON *r;
	/* A stdio initialize selects the handshake era for the whole process. */
	if (version && strcmp(m, "initialize") != 0 && (ss->stateless || !ss->initialized))
		r = modern(s, rid, m, params, version, code);
	else
		r = legacy(s, ss, rid, m, params, code);
	if (!r)
		*code = -32603;
	return r;
}

/* Skips one JSON string starting at s[i] == '"'; returns the index after it. */
static size_t skip_string(const char *s, size_t n, size_t i)
{
	for (i++; i < n && s[i] != '"'; i++)
		if (s[i] == '\\')
			i++;
	return i + 1;
}

void pd_mcp_keep_raw_id(cJSON *msg, const char *s, size_t n)
{
	cJSON *id = cJSON_GetObjectItemCaseSensitive(msg, "id");
	if (!cJSON_IsNumber(id) || id->valuestring)
		return;
	/* Find the top-level "id" member in the text: cJSON keeps only a double. */
	size_t i = 0, depth = 0;
	while (i < n) {
		char c = s[i];
		if (c == '"') {
			size_t end = skip_string(s, n, i);
			bool key = depth == 1 && end - i == 4 && !memcmp(s + i, "\"id\"", 4);
			i = end;
			if (!key)
				continue;
			while (i < n && strchr(" \t\r\n", s[i]))
				i++;
			if (i >= n || s[i] != ':')
				continue;
			for (i++; i < n && strchr(" \t\r\n", s[i]); i++)
				;
			size_t st = i;
			while (i < n && strchr("-+0123456789.eE", s[i]))
				i++;
			if (i > st && i - st < 40 && (s[st] == '-' || (s[st] >= '0' && s[st] <= '9')) &&
			    strspn(s + st, "-0123456789") >= i - st)
				id->valuestring = pd_strndup(s + st, i - st); /* freed by cJSON_Delete */
			return;
		}
		depth += c == '{' || c == '[';
		depth -= (c == '}' || c == ']') && depth > 0;
		i++;
	}
}

/* ---- the stdio front end ---------------------------------------------------------- */

static pd_status write_error(pd_buf *reply, int code, const char *msg)
{
	cJSON *e = pd_mcp_error(NULL, code, msg, NULL);
	bool ok = e && pd_mcp_serialize(e, NULL, reply);
	cJSON_Delete(e);
	return ok ? PD_OK : PD_EINTERNAL;
}

pd_status pd_mcp_too_large(pd_buf *reply)
{
	return write_error(reply, -32600, "Invalid request: message larger than 1 MiB");
}

/* A JSON-RPC batch (2025-03-26 only): one array of the responses, nothing when all
 * elements were notifications. */
static pd_status batch(pd_mcp_server *s, pd_mcp_session *ss, const cJSON *arr, pd_buf *reply)
{
	cJSON *out = cJSON_CreateArray();
	const cJSON *el;
	int code;
	if (!out)
		return PD_EINTERNAL;
	cJSON_ArrayForEach(el, arr)
	{
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(el, "method");
		cJSON *r;
		if (cJSON_IsString(m) && !strcmp(m->valuestring, "initialize")) {
			const cJSON *id = cJSON_GetObjectItemCaseSensitive(el, "id");
			r = pd_mcp_error(valid_id(id) ? id : NULL, -32600,
					 "Invalid request: initialize must not be batched", NULL);
		} else {
			r = pd_mcp_dispatch(s, ss, el, &code);
		}
		if (r)
			pd_mcp_put(out, NULL, r);
	}
	bool ok = true;
	if (cJSON_GetArraySize(out) > 0)
		ok = pd_mcp_serialize(out, NULL, reply);
	cJSON_Delete(out);
	return ok ? PD_OK : PD_EINTERNAL;
}

pd_status pd_mcp_handle(pd_mcp_server *s, pd_mcp_session *ss, const char *msg, size_t len,
			pd_buf *reply)
{
	if (len > 0 && msg[len - 1] == '\r')
		len--;
	size_t i = 0;
	while (i < len && (msg[i] == ' ' || msg[i] == '\t' || msg[i] == '\r'))
		i++;
	if (i == len)
		return PD_OK; /* blank line */
	if (len > PD_MCP_MAX_REQUEST)
		return pd_mcp_too_large(reply);
	pd_alloc_init_cjson();
	cJSON *v = pd_mcp_utf8_ok(msg, len) ? cJSON_ParseWithLength(msg, len) : NULL;
	if (!v)
		return write_error(reply, -32700, "Parse error: invalid JSON or UTF-8");
	pd_status st = PD_OK;
	if (cJSON_IsArray(v)) {
		if (cJSON_GetArraySize(v) == 0 || ss->rank != RANK_2025_03_26 || !ss->initialized)
			st = write_error(reply, -32600,
					 "Invalid request: batches are only accepted under 2025-03-26");
		else
			st = batch(s, ss, v, reply);
	} else {
		int code;
		pd_mcp_keep_raw_id(v, msg, len);
		cJSON *r = pd_mcp_dispatch(s, ss, v, &code);
		if (r) {
			if (!pd_mcp_serialize(r, cJSON_GetObjectItemCaseSensitive(r, "id"), reply))
				st = PD_EINTERNAL;
		} else if (code == -32603) {
			st = write_error(reply, -32603, "Internal error: out of memory");
		}
		cJSON_Delete(r);
	}
	cJSON_Delete(v);
	return st;
}

/* ---- server object ---------------------------------------------------------------- */

void pd_mcp_session_init(pd_mcp_session *ss)
{
	memset(ss, 0, sizeof *ss);
}

pd_status pd_mcp_server_new(const pd_mcp_config *cfg, pd_mcp_server **out, pd_error *err)
{
	pd_mcp_server *s = pd_calloc(1, sizeof *s);
	*out = NULL;
	if (!s || (cfg->nallow_dirs && !(s->dirs = pd_calloc(cfg->nallow_dirs, sizeof *s->dirs)))) {
		pd_free(s);
		return pd_error_oom(err);
	}
	s->cfg = *cfg;
	for (size_t i = 0; i < cfg->nallow_dirs; i++) {
		char *rp = realpath(cfg->allow_dirs[i], NULL);
		if (!rp) {
			pd_mcp_server_free(s);
			return pd_error_set(err, PD_EUSAGE, "--allow-dir: cannot resolve %s",
					    cfg->allow_dirs[i]);
		}
		s->dirs[s->ndirs++] = rp;
	}
	pd_alloc_init_cjson();
	*out = s;
	return PD_OK;
}

void pd_mcp_server_free(pd_mcp_server *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->ndirs; i++)
		free(s->dirs[i]); /* from realpath */
	pd_free(s->dirs);
	pd_free(s);
}
