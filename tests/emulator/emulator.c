/* Pyroscope + Grafana datasource-proxy emulator for the fetch tests (loopback only).
 * Serves the Connect list calls and /pyroscope/render (DOT fixtures chosen by window),
 * SelectMergeStacktraces (flamegraph JSON) and SelectMergeProfile (pprof protobuf) from
 * the .pb.gz beside each DOT fixture (exact_data.c),
 * directly and under /api/datasources/proxy/uid/<uid>/, plus the datasource lookup.
 * Every request is appended to a JSON-lines log; faults are injected from flags.
 * With --tls-cert/--tls-key it serves HTTPS (MHD_USE_TLS, PEM files read into memory).
 * Usage: emulator --port-file F --log F --base DOT [--new DOT --split MS] [options] */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <cjson/cJSON.h>
#include <microhttpd.h>

#include "exact_data.h"

typedef enum fault_kind { FAULT_NONE, FAULT_STATUS, FAULT_RESET, FAULT_CUT, FAULT_BIG, FAULT_EMPTY, FAULT_ZERO, FAULT_GARBAGE } fault_kind;

static struct {
	const char *port_file, *log_path, *base_path, *new_path;
	int64_t split_ms;
	const char *datasource;
	const char *bearer, *basic;
	long delay_ms;
	fault_kind fault;
	long fault_count; /* requests still to fault; -1 = all */
	int fault_status;
	const char *retry_after;
	const char *fault_route;
	size_t big_bytes;
	int big_status; /* status of a FAULT_BIG response (an oversized error page) */
	bool empty_lists;
	bool echo_auth; /* a careless server: 401 bodies quote the Authorization header */
	int echo_secrets; /* a hostile server: every answer has this status and quotes every
			   * credential the request carried, in every encoding, at the start
			   * of the body, across byte 4096 and past it */
	const char *tls_cert, *tls_key; /* PEM files: serve HTTPS */
	char *base_dot, *new_dot;
	size_t base_len, new_len;
	emu_prof *base_prof, *new_prof; /* the .pb.gz beside each DOT, or NULL */
	FILE *log;
	pthread_mutex_t mu;
} E = {.split_ms = INT64_MAX, .datasource = "pyro", .fault_count = 1, .fault_status = 503,
       .big_bytes = 4u << 20, .big_status = 200, .mu = PTHREAD_MUTEX_INITIALIZER};

static const char zero_dot[] =
	"digraph \"unnamed\" {\n"
	"node [style=filled fillcolor=\"#f8f8f8\"]\n"
	"subgraph cluster_L { \"Type: cpu\" [shape=box fontsize=16 label=\"Type: cpu\\lShowing nodes "
	"accounting for 0, 0% of 0 total\\l\\lSee https://git.io/JfYMW for how to read the graph\\l\"] }\n"
	"}\n";

typedef struct req {
	char *uri; /* raw, with the query string */
	char *body;
	size_t len;
	bool seen;
} req;

static double wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "emulator: cannot open %s: %s\n", path, strerror(errno));
		exit(2);
	}
	size_t cap = 1 << 16, n = 0;
	char *d = malloc(cap);
	size_t r;
	while (d && (r = fread(d + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap)
			d = realloc(d, cap *= 2);
	}
	fclose(f);
	if (!d)
		exit(2);
	*len = n;
	return d;
}

/* A whole file as a NUL-terminated string (MHD takes PEM as C strings). */
static char *slurp_str(const char *path)
{
	size_t n;
	char *d = slurp(path, &n), *s = realloc(d, n + 1);
	if (!s)
		exit(2);
	s[n] = '\0';
	return s;
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	(void)cls;
	(void)c;
	req *r = calloc(1, sizeof *r);
	if (r)
		r->uri = strdup(uri);
	return r;
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
		    enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	req *r = *con_cls;
	if (r) {
		free(r->uri);
		free(r->body);
		free(r);
	}
	*con_cls = NULL;
}

static enum MHD_Result add_kv(void *cls, enum MHD_ValueKind kind, const char *k, const char *v)
{
	(void)kind;
	char lk[256];
	size_t i;
	for (i = 0; k[i] && i < sizeof lk - 1; i++)
		lk[i] = (char)tolower((unsigned char)k[i]);
	lk[i] = '\0';
	cJSON_AddStringToObject(cls, lk, v ? v : "");
	return MHD_YES;
}

static void log_request(struct MHD_Connection *c, const char *method, const char *url, req *r,
			int status, const char *fault, double t0)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "t0", t0);
	cJSON_AddNumberToObject(o, "t1", wall_ms());
	cJSON_AddStringToObject(o, "method", method);
	cJSON_AddStringToObject(o, "path", url);
	cJSON_AddStringToObject(o, "uri", r->uri ? r->uri : url);
	cJSON *q = cJSON_AddObjectToObject(o, "query");
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, add_kv, q);
	cJSON *h = cJSON_AddObjectToObject(o, "headers");
	MHD_get_connection_values(c, MHD_HEADER_KIND, add_kv, h);
	char *body = malloc(r->len + 1);
	if (body) {
		memcpy(body, r->body ? r->body : "", r->len);
		body[r->len] = '\0';
		cJSON_AddStringToObject(o, "body", body);
		free(body);
	}
	cJSON_AddNumberToObject(o, "status", status);
	if (fault)
		cJSON_AddStringToObject(o, "fault", fault);
	char *s = cJSON_PrintUnformatted(o);
	pthread_mutex_lock(&E.mu);
	if (E.log && s) {
		fprintf(E.log, "%s\n", s);
		fflush(E.log);
	}
	pthread_mutex_unlock(&E.mu);
	free(s);
	cJSON_Delete(o);
}

static enum MHD_Result send_buf(struct MHD_Connection *c, int status, const char *ctype,
				const char *data, size_t len, bool retry_after)
{
	struct MHD_Response *resp =
		MHD_create_response_from_buffer(len, (void *)(uintptr_t)data, MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return MHD_NO;
	if (ctype)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	if (retry_after && E.retry_after)
		MHD_add_response_header(resp, "Retry-After", E.retry_after);
	enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result send_json(struct MHD_Connection *c, int status, const char *json)
{
	return send_buf(c, status, "application/json", json, strlen(json), false);
}

static enum MHD_Result connect_error(struct MHD_Connection *c, int status, const char *code,
				     const char *msg)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "code", code);
	cJSON_AddStringToObject(o, "message", msg);
	char *s = cJSON_PrintUnformatted(o);
	enum MHD_Result r = send_json(c, status, s);
	free(s);
	cJSON_Delete(o);
	return r;
}

/* ---- streamed bodies: cut mid-stream, oversized ---------------------------------- */

typedef struct stream {
	const char *data;
	size_t len;  /* bytes to really send */
	size_t total; /* for FAULT_BIG: bytes to generate */
	bool cut;
} stream;

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	stream *s = cls;
	if (s->cut) {
		if (pos >= s->len)
			return MHD_CONTENT_READER_END_WITH_ERROR; /* closes the connection */
		size_t n = s->len - (size_t)pos < max ? s->len - (size_t)pos : max;
		memcpy(buf, s->data + pos, n);
		return (ssize_t)n;
	}
	if (pos >= s->total)
		return MHD_CONTENT_READER_END_OF_STREAM;
	size_t n = s->total - (size_t)pos < max ? s->total - (size_t)pos : max;
	for (size_t i = 0; i < n; i++)
		buf[i] = (pos + i) % 64 == 63 ? '\n' : 'x';
	return (ssize_t)n;
}

static void stream_free(void *cls)
{
	free(cls);
}

static enum MHD_Result send_stream(struct MHD_Connection *c, const char *data, size_t len,
				   bool cut)
{
	stream *s = calloc(1, sizeof *s);
	if (!s)
		return MHD_NO;
	s->data = data;
	s->cut = cut;
	s->len = len / 2;
	s->total = E.big_bytes;
	struct MHD_Response *resp = MHD_create_response_from_callback(
		cut ? (uint64_t)len : MHD_SIZE_UNKNOWN, 4096, stream_read, s, stream_free);
	if (!resp) {
		free(s);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	enum MHD_Result ret = MHD_queue_response(c, cut ? MHD_HTTP_OK : (unsigned)E.big_status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* ---- auth and faults ---------------------------------------------------------------- */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *base64(const char *in)
{
	size_t n = strlen(in);
	char *out = malloc(4 * ((n + 2) / 3) + 1), *o = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned char)in[i] << 16;
		if (i + 1 < n)
			v |= (unsigned char)in[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)in[i + 2];
		*o++ = b64[v >> 18 & 63];
		*o++ = b64[v >> 12 & 63];
		*o++ = i + 1 < n ? b64[v >> 6 & 63] : '=';
		*o++ = i + 2 < n ? b64[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

static bool authorized(struct MHD_Connection *c)
{
	if (!E.bearer && !E.basic)
		return true;
	const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	if (!h)
		return false;
	if (E.bearer && !strncmp(h, "Bearer ", 7) && !strcmp(h + 7, E.bearer))
		return true;
	if (E.basic && !strncmp(h, "Basic ", 6)) {
		char *want = base64(E.basic);
		bool ok = want && !strcmp(h + 6, want);
		free(want);
		return ok;
	}
	return false;
}

static char *percent(const char *in)
{
	char *out = malloc(3 * strlen(in) + 1), *o = out;
	if (!out)
		return NULL;
	for (; *in; in++) {
		unsigned char ch = (unsigned char)*in;
		if (isalnum(ch) || strchr("-._~", ch))
			*o++ = (char)ch;
		else
			o += sprintf(o, "%%%02X", ch);
	}
	*o = '\0';
	return out;
}

static char *unbase64(const char *in)
{
	size_t n = strlen(in);
	char *out = malloc(n + 1), *o = out;
	unsigned v = 0;
	int bits = 0;
	if (!out)
		return NULL;
	for (; *in && *in != '='; in++) {
		const char *p = strchr(b64, *in);
		if (!p)
			break;
		v = v << 6 | (unsigned)(p - b64);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			*o++ = (char)(v >> bits & 0xff);
		}
	}
	*o = '\0';
	return out;
}

/* Appends s, its base64 and its percent-encoding to the message. */
static void quote_forms(char **m, size_t *len, size_t *cap, const char *s)
{
	char *forms[3] = {strdup(s), base64(s), percent(s)};
	for (int i = 0; i < 3; i++) {
		if (!forms[i])
			continue;
		size_t n = strlen(forms[i]);
		if (*len + n + 2 > *cap) {
			*cap = 2 * (*len + n + 2);
			*m = realloc(*m, *cap);
		}
		memcpy(*m + *len, forms[i], n);
		*len += n;
		(*m)[(*len)++] = ' ';
		(*m)[*len] = '\0';
		free(forms[i]);
	}
}

/* The --echo-secrets answer: the quotes at the start, then again so that one copy
 * straddles byte 4096 of the body and one lies wholly past it. */
static enum MHD_Result echo_secrets(struct MHD_Connection *c)
{
	const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	size_t len = 0, cap = 256;
	char *q = calloc(1, cap);
	if (h) {
		quote_forms(&q, &len, &cap, h);
		const char *sp = strchr(h, ' ');
		char *cred = sp ? (strncmp(h, "Basic ", 6) ? strdup(sp + 1) : unbase64(sp + 1)) : NULL;
		if (cred) {
			quote_forms(&q, &len, &cap, cred);
			char *colon = strchr(cred, ':');
			if (colon) {
				quote_forms(&q, &len, &cap, colon + 1);
				*colon = '\0';
				quote_forms(&q, &len, &cap, cred);
			}
			free(cred);
		}
	}
	static const char head[] = "{\"code\":\"unauthenticated\",\"message\":\"rejected: ";
	size_t body_cap = sizeof head + 3 * len + 8192 + 16;
	char *body = malloc(body_cap), *o = body;
	o += sprintf(o, "%s%s", head, q);
	size_t at = (size_t)(o - body), from = 4096 - len / 2; /* where the second copy starts */
	if (from > at) {
		memset(o, '.', from - at);
		o += from - at;
	}
	o += sprintf(o, "%s", q);
	memset(o, '.', 600);
	o += 600;
	o += sprintf(o, "%s\"}", q);
	free(q);
	struct MHD_Response *r = MHD_create_response_from_buffer((size_t)(o - body), body,
								 MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(r, "Content-Type", "application/json");
	enum MHD_Result ret = MHD_queue_response(c, (unsigned)E.echo_secrets, r);
	MHD_destroy_response(r);
	return ret;
}

/* Takes one fault for this route, if any is left. */
static fault_kind take_fault(const char *route)
{
	fault_kind k = FAULT_NONE;
	pthread_mutex_lock(&E.mu);
	if (E.fault != FAULT_NONE && E.fault_count != 0 &&
	    (!E.fault_route || strstr(route, E.fault_route))) {
		k = E.fault;
		if (E.fault_count > 0)
			E.fault_count--;
	}
	pthread_mutex_unlock(&E.mu);
	return k;
}

static const char *fault_name(fault_kind k)
{
	static const char *const names[] = {NULL, "status", "reset", "cut", "big", "empty", "zero", "garbage"};
	return names[k];
}

/* ---- routes ------------------------------------------------------------------------- */

static bool is_ms(const char *s)
{
	if (!s || strlen(s) != 13)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static bool json_int(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	if (cJSON_IsNumber(v))
		return true;
	return cJSON_IsString(v) && is_ms(v->valuestring);
}

/* The profile of the window ending at end_ms (the --split rule of render). */
static const emu_prof *window_prof(int64_t end_ms)
{
	return E.new_prof && end_ms > E.split_ms ? E.new_prof : E.base_prof;
}

/* SelectMergeProfile as Grafana's profile explorer calls it: protobuf both ways. */
static enum MHD_Result merge_profile(struct MHD_Connection *c, const char *ct, req *r,
				     int *status)
{
	int64_t start, end, max_nodes;
	*status = 400;
	if (!ct || strcmp(ct, "application/proto") != 0) {
		*status = 415;
		return connect_error(c, 415, "unknown", "emulator: SelectMergeProfile speaks application/proto");
	}
	if (!emu_merge_request(r->body ? r->body : "", r->len, &start, &end, &max_nodes) || !start || !end)
		return connect_error(c, 400, "invalid_argument", "start and end (ms) are required");
	const emu_prof *p = window_prof(end);
	if (!p) {
		*status = 501;
		return connect_error(c, 501, "unimplemented", "emulator: no .pb.gz beside the DOT");
	}
	size_t len;
	const char *pb = emu_pprof(p, &len);
	*status = 200;
	return send_buf(c, 200, "application/proto", pb, len, false);
}

/* SelectMergeStacktraces: the flamegraph, maxNodes validated like Pyroscope's limits. */
static enum MHD_Result stacktraces(struct MHD_Connection *c, const cJSON *in, int *status)
{
	const cJSON *mn = cJSON_GetObjectItemCaseSensitive(in, "maxNodes");
	const char *format = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(in, "format"));
	long max_nodes = cJSON_IsNumber(mn) ? (long)mn->valuedouble
			 : cJSON_IsString(mn) ? strtol(mn->valuestring, NULL, 10) : 0;
	char msg[160];
	*status = 400;
	if (max_nodes < 0)
		return connect_error(c, 400, "invalid_argument",
				     "max flamegraph nodes limit must be set (max allowed 1048576)");
	if (max_nodes > 1048576) {
		snprintf(msg, sizeof msg, "max flamegraph nodes limit %ld is greater than allowed 1048576",
			 max_nodes);
		return connect_error(c, 400, "invalid_argument", msg);
	}
	if (format && strcmp(format, "PROFILE_FORMAT_FLAMEGRAPH") != 0 &&
	    strcmp(format, "PROFILE_FORMAT_UNSPECIFIED") != 0)
		return connect_error(c, 400, "invalid_argument", "emulator: flamegraph format only");
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(in, "end");
	int64_t end = cJSON_IsNumber(e) ? (int64_t)e->valuedouble : strtoll(e->valuestring, NULL, 10);
	const emu_prof *p = window_prof(end);
	if (!p) {
		*status = 501;
		return connect_error(c, 501, "unimplemented", "emulator: no .pb.gz beside the DOT");
	}
	char *json = emu_flamegraph(p, max_nodes ? max_nodes : 8192);
	*status = 200;
	enum MHD_Result ret = send_json(c, 200, json ? json : "{}");
	free(json);
	return ret;
}

static enum MHD_Result connect_call(struct MHD_Connection *c, const char *method_name, req *r,
				    int *status)
{
	const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
	if (!strcmp(method_name, "SelectMergeProfile") && !E.empty_lists)
		return merge_profile(c, ct, r, status);
	if (!ct || strncmp(ct, "application/json", 16) != 0) {
		*status = 415;
		return connect_error(c, 415, "unknown", "unsupported content type");
	}
	cJSON *in = cJSON_ParseWithLength(r->body ? r->body : "", r->len);
	if (!cJSON_IsObject(in) || !json_int(in, "start") || !json_int(in, "end")) {
		cJSON_Delete(in);
		*status = 400;
		return connect_error(c, 400, "invalid_argument", "start and end (ms) are required");
	}
	*status = 200;
	enum MHD_Result ret;
	if (E.empty_lists) {
		ret = send_json(c, 200, "{}");
	} else if (!strcmp(method_name, "ProfileTypes")) {
		ret = send_json(c, 200,
				"{\"profileTypes\":[{\"ID\":\"process_cpu:cpu:nanoseconds:cpu:nanoseconds\","
				"\"name\":\"process_cpu\",\"sampleType\":\"cpu\",\"sampleUnit\":\"nanoseconds\","
				"\"periodType\":\"cpu\",\"periodUnit\":\"nanoseconds\"},"
				"{\"ID\":\"memory:alloc_space:bytes:space:bytes\",\"name\":\"memory\","
				"\"sampleType\":\"alloc_space\",\"sampleUnit\":\"bytes\",\"periodType\":\"space\","
				"\"periodUnit\":\"bytes\",\"futureField\":{\"x\":\"1\"}}]}");
	} else if (!strcmp(method_name, "LabelNames")) {
		ret = send_json(c, 200,
				"{\"names\":[\"__name__\",\"__service_name__\",\"hostname\",\"service_name\"],"
				"\"futureField\":\"1\"}");
	} else if (!strcmp(method_name, "SelectMergeStacktraces")) {
		ret = stacktraces(c, in, status);
	} else if (!strcmp(method_name, "LabelValues")) {
		const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(in, "name"));
		if (name && !strcmp(name, "service_name"))
			ret = send_json(c, 200, "{\"names\":[\"api\",\"db \\\"main\\\"\"]}");
		else if (name && !strcmp(name, "hostname")) /* a value that drives terminals */
			ret = send_json(c, 200,
					"{\"names\":[\"web-1\",\"\\u001b]0;pwned\\u0007\\u001b[31mred\"]}");
		else
			ret = send_json(c, 200, "{}");
	} else {
		*status = 404;
		ret = connect_error(c, 404, "unimplemented", "no such method");
	}
	cJSON_Delete(in);
	return ret;
}

static enum MHD_Result render(struct MHD_Connection *c, fault_kind fault, int *status)
{
	const char *q = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "query");
	const char *from = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "from");
	const char *until = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "until");
	const char *format = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "format");
	*status = 400;
	if (!q || !*q)
		return send_json(c, 400, "{\"code\":\"invalid_argument\",\"message\":\"\\\"query\\\" is required\"}");
	if (!strchr(q, '{') || q[strlen(q) - 1] != '}')
		return send_json(c, 400, "{\"code\":\"invalid_argument\",\"message\":\"failed to parse \\\"query\\\"\"}");
	if (!is_ms(from) || !is_ms(until))
		return send_json(c, 400, "{\"code\":\"invalid_argument\",\"message\":\"emulator: from/until must be ms\"}");
	if (!format || strcmp(format, "dot") != 0)
		return send_json(c, 400, "{\"code\":\"invalid_argument\",\"message\":\"emulator: format=dot expected\"}");
	int64_t u = strtoll(until, NULL, 10);
	const char *dot = E.base_dot;
	size_t len = E.base_len;
	if (E.new_dot && u > E.split_ms) {
		dot = E.new_dot;
		len = E.new_len;
	}
	*status = 200;
	switch (fault) {
	case FAULT_CUT:
		return send_stream(c, dot, len, true);
	case FAULT_BIG:
		*status = E.big_status;
		return send_stream(c, NULL, 0, false);
	case FAULT_EMPTY:
		return send_buf(c, 200, "text/plain; charset=utf-8", "", 0, false);
	case FAULT_ZERO:
		return send_buf(c, 200, "text/plain; charset=utf-8", zero_dot, strlen(zero_dot), false);
	default:
		return send_buf(c, 200, "text/plain; charset=utf-8", dot, len, false);
	}
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
			       const char *method, const char *version, const char *upload,
			       size_t *upload_size, void **con_cls)
{
	(void)cls;
	(void)version;
	req *r = *con_cls;
	if (!r)
		return MHD_NO;
	if (!r->seen) {
		r->seen = true;
		return MHD_YES;
	}
	if (*upload_size) {
		char *b = realloc(r->body, r->len + *upload_size + 1);
		if (!b)
			return MHD_NO;
		memcpy(b + r->len, upload, *upload_size);
		r->len += *upload_size;
		b[r->len] = '\0';
		r->body = b;
		*upload_size = 0;
		return MHD_YES;
	}

	double t0 = wall_ms();
	int status = 404;
	enum MHD_Result ret;
	const char *path = url;
	bool proxied = false;
	fault_kind fault = FAULT_NONE;
	static const char proxy[] = "/api/datasources/proxy/uid/";
	static const char lookup[] = "/api/datasources/uid/";

	if (E.echo_secrets) {
		status = E.echo_secrets;
		ret = echo_secrets(c);
		goto done;
	}
	if (!authorized(c)) {
		status = 401;
		const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
		if (E.echo_auth && h) {
			cJSON *o = cJSON_CreateObject();
			char m[1024];
			snprintf(m, sizeof m, "invalid credentials in header Authorization: %s", h);
			cJSON_AddStringToObject(o, "code", "unauthenticated");
			cJSON_AddStringToObject(o, "message", m);
			char *js = cJSON_PrintUnformatted(o);
			ret = send_json(c, 401, js ? js : "{}");
			free(js);
			cJSON_Delete(o);
		} else {
			ret = send_json(c, 401, "{\"code\":\"unauthenticated\",\"message\":\"invalid credentials\"}");
		}
		goto done;
	}
	if (!strncmp(url, lookup, sizeof lookup - 1)) {
		const char *uid = url + sizeof lookup - 1;
		if (strcmp(method, "GET") != 0) {
			status = 405;
			ret = send_json(c, 405, "{\"message\":\"method not allowed\"}");
		} else if (E.datasource && !strcmp(uid, E.datasource)) {
			char buf[512];
			snprintf(buf, sizeof buf,
				 "{\"id\":1,\"uid\":\"%s\",\"name\":\"Pyroscope\",\"type\":\"grafana-pyroscope-datasource\"}",
				 E.datasource);
			status = 200;
			ret = send_json(c, 200, buf);
		} else {
			status = 404;
			ret = send_json(c, 404, "{\"message\":\"Data source not found\"}");
		}
		goto done;
	}
	if (!strncmp(url, proxy, sizeof proxy - 1)) {
		const char *uid = url + sizeof proxy - 1;
		const char *slash = strchr(uid, '/');
		if (!slash || !E.datasource || (size_t)(slash - uid) != strlen(E.datasource) ||
		    strncmp(uid, E.datasource, (size_t)(slash - uid)) != 0) {
			status = 404;
			ret = send_json(c, 404, "{\"message\":\"Data source not found\"}");
			goto done;
		}
		path = slash;
		proxied = true;
	}
	(void)proxied;
	bool is_connect = !strncmp(path, "/querier.v1.QuerierService/", 27);
	bool is_render = !strcmp(path, "/pyroscope/render");
	if (!is_connect && !is_render) {
		status = 404;
		ret = send_buf(c, 404, "text/plain", "404 page not found\n", 19, false);
		goto done;
	}
	if (E.delay_ms > 0)
		usleep((useconds_t)E.delay_ms * 1000);
	fault = take_fault(path);
	if (fault == FAULT_RESET) {
		status = 0;
		ret = MHD_NO; /* drop the connection without a response */
		goto done;
	}
	if (fault == FAULT_STATUS) {
		status = E.fault_status;
		char msg[128];
		const char *code = status == 400 ? "invalid_argument"
				 : status == 429 ? "resource_exhausted"
				 : status == 500 ? "internal"
						 : "unavailable";
		snprintf(msg, sizeof msg, "{\"code\":\"%s\",\"message\":\"injected fault %d\"}",
			 code, status);
		ret = send_buf(c, status, "application/json", msg, strlen(msg), true);
		goto done;
	}
	if (fault == FAULT_GARBAGE) {
		/* What a misconfigured proxy might answer: 200 with an HTML page. */
		status = 200;
		ret = send_buf(c, 200, "text/html", "<html>login</html>\n", 19, false);
		goto done;
	}
	if (is_connect) {
		if (strcmp(method, "POST") != 0) {
			status = 405;
			ret = send_json(c, 405, "{\"code\":\"unimplemented\",\"message\":\"POST only\"}");
		} else {
			ret = connect_call(c, path + 27, r, &status);
		}
	} else {
		if (strcmp(method, "GET") != 0) {
			status = 405;
			ret = send_json(c, 405, "{\"message\":\"GET only\"}");
		} else {
			ret = render(c, fault, &status);
		}
	}
done:
	log_request(c, method, url, r, status, fault_name(fault), t0);
	return ret;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: emulator --port-file F [--log F] [--base DOT] [--new DOT --split MS]\n"
		"  [--datasource UID] [--bearer TOKEN] [--basic USER:PASS] [--delay-ms N]\n"
		"  [--fault status|reset|cut|big|empty|zero|garbage] [--fault-count N (-1 = all)]\n"
		"  [--fault-status CODE] [--retry-after S] [--fault-route SUBSTR] [--big-bytes N] [--big-status CODE]\n"
		"  [--empty-lists] [--echo-auth] [--echo-secrets CODE] [--tls-cert PEM --tls-key PEM]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define ARG(name) (!strcmp(a, name) && v && ++i)
		if (ARG("--port-file"))
			E.port_file = v;
		else if (ARG("--log"))
			E.log_path = v;
		else if (ARG("--base"))
			E.base_path = v;
		else if (ARG("--new"))
			E.new_path = v;
		else if (ARG("--split"))
			E.split_ms = strtoll(v, NULL, 10);
		else if (ARG("--datasource"))
			E.datasource = v;
		else if (ARG("--bearer"))
			E.bearer = v;
		else if (ARG("--basic"))
			E.basic = v;
		else if (ARG("--delay-ms"))
			E.delay_ms = strtol(v, NULL, 10);
		else if (ARG("--fault-count"))
			E.fault_count = strtol(v, NULL, 10);
		else if (ARG("--fault-status"))
			E.fault_status = atoi(v);
		else if (ARG("--retry-after"))
			E.retry_after = v;
		else if (ARG("--fault-route"))
			E.fault_route = v;
		else if (ARG("--big-bytes"))
			E.big_bytes = strtoull(v, NULL, 10);
		else if (ARG("--big-status"))
			E.big_status = atoi(v);
		else if (ARG("--tls-cert"))
			E.tls_cert = v;
		else if (ARG("--tls-key"))
			E.tls_key = v;
		else if (!strcmp(a, "--empty-lists"))
			E.empty_lists = true;
		else if (ARG("--echo-secrets"))
			E.echo_secrets = atoi(v);
		else if (!strcmp(a, "--echo-auth"))
			E.echo_auth = true;
		else if (ARG("--fault")) {
			static const char *const k[] = {"", "status", "reset", "cut", "big", "empty", "zero", "garbage"};
			E.fault = FAULT_NONE;
			for (int j = 1; j < 8; j++)
				if (!strcmp(v, k[j]))
					E.fault = (fault_kind)j;
			if (E.fault == FAULT_NONE)
				usage();
		} else
			usage();
#undef ARG
	}
	if (!E.port_file || !E.tls_cert != !E.tls_key)
		usage();
	char *tls_cert = NULL, *tls_key = NULL;
	if (E.tls_cert) {
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
			fprintf(stderr, "emulator: libmicrohttpd was built without TLS support\n");
			return 2;
		}
		tls_cert = slurp_str(E.tls_cert);
		tls_key = slurp_str(E.tls_key);
	}
	if (E.base_path)
		E.base_prof = emu_prof_load(E.base_path);
	if (E.new_path)
		E.new_prof = emu_prof_load(E.new_path);
	if (E.base_path)
		E.base_dot = slurp(E.base_path, &E.base_len);
	else
		E.base_dot = strdup(""), E.base_len = 0;
	if (E.new_path)
		E.new_dot = slurp(E.new_path, &E.new_len);
	if (E.log_path && !(E.log = fopen(E.log_path, "a"))) {
		fprintf(stderr, "emulator: cannot open %s\n", E.log_path);
		return 2;
	}

	/* Signals are handled by sigwait in this thread only. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct sockaddr_in sa;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = 0;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* The TLS options go last: with no cert they end the list early (MHD_OPTION_END). */
	struct MHD_Daemon *d = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
			(tls_cert ? MHD_USE_TLS : 0),
		0, NULL, NULL, handler, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
		MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL, MHD_OPTION_NOTIFY_COMPLETED, on_done,
		NULL, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
		tls_cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, tls_cert,
		MHD_OPTION_HTTPS_MEM_KEY, tls_key, MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "emulator: cannot start the %s daemon\n", tls_cert ? "HTTPS" : "HTTP");
		return 2;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp", E.port_file);
	FILE *pf = fopen(tmp, "w");
	if (!pf || !info) {
		MHD_stop_daemon(d);
		return 2;
	}
	fprintf(pf, "%u\n", (unsigned)info->port);
	fclose(pf);
	rename(tmp, E.port_file);

	int sig;
	sigwait(&set, &sig);
	MHD_stop_daemon(d);
	if (E.log)
		fclose(E.log);
	free(E.base_dot);
	free(E.new_dot);
	emu_prof_free(E.base_prof);
	emu_prof_free(E.new_prof);
	free(tls_cert);
	free(tls_key);
	return 0;
}
