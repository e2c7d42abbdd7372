/* Pyroscope query API on top of http.c: the three Connect list calls (JSON), the DOT
 * render call and Grafana's datasource pre-flight. Requests and bodies are built by
 * small pure functions so unit tests can check them without a server. */
#ifndef PD_FETCH_PYROSCOPE_H
#define PD_FETCH_PYROSCOPE_H

#include <stdint.h>

#include "fetch/http.h"

/* A list of strings; owns them. */
typedef struct pd_strlist {
	char **v;
	size_t n;
} pd_strlist;

void pd_strlist_fini(pd_strlist *l);

/* "" or blanks -> "{}"; `a="b"` -> `{a="b"}`; `{...}` unchanged (leading/trailing
 * blanks trimmed). Caller frees; NULL on out of memory. */
char *pd_pyro_matchers(const char *user);

/* Adds "start" and "end" (ms) to a Connect request object as exact JSON integers. */
struct cJSON;
bool pd_pyro_add_window(struct cJSON *o, int64_t start_ms, int64_t end_ms);

/* Connect request bodies (lowerCamelCase, ms times). name may be NULL (no "name"),
 * matchers NULL (no "matchers"). Caller frees; NULL on out of memory. */
char *pd_pyro_connect_body(const char *name, const char *matchers, int64_t start_ms,
			   int64_t end_ms);

/* "/pyroscope/render?query=<type><matchers>&from=<ms>&until=<ms>&format=dot&max-nodes=<n>",
 * percent-encoded (by libcurl); max_nodes <= 0 becomes 100. Caller frees; NULL on out
 * of memory or when libcurl cannot be loaded. */
char *pd_pyro_render_path(const char *type, const char *matchers, int64_t from_ms,
			  int64_t until_ms, long max_nodes);

/* Grafana mode: GET /api/datasources/uid/<uid>; 404 -> mcp-grafana's "not found" text.
 * A no-op in direct mode. */
pd_status pd_pyro_preflight(const pd_http_conf *c, pd_error *err);

/* ProfileTypes, each as name:sampleType:sampleUnit:periodType:periodUnit. */
pd_status pd_pyro_profile_types(const pd_http_conf *c, int64_t start_ms, int64_t end_ms,
				pd_strlist *out, pd_error *err);
/* LabelNames, unfiltered. matchers as returned by pd_pyro_matchers. */
pd_status pd_pyro_label_names(const pd_http_conf *c, const char *matchers, int64_t start_ms,
			      int64_t end_ms, pd_strlist *out, pd_error *err);
/* LabelValues of name (response field "names"). */
pd_status pd_pyro_label_values(const pd_http_conf *c, const char *name, const char *matchers,
			       int64_t start_ms, int64_t end_ms, pd_strlist *out, pd_error *err);

/* Decodes a Connect list reply: the string array `field` ("names"), or for
 * field == "profileTypes" the joined five-part IDs. Missing field = empty list.
 * Fails with PD_EINPUT on invalid JSON. */
pd_status pd_pyro_decode_list(const char *what, const char *json, size_t len, const char *field,
			      pd_strlist *out, pd_error *err);

/* The window's profile as DOT, byte for byte, into out (caller-initialized, caller
 * frees). An empty body or a "0 of 0 total" legend is PD_ENODATA naming query and
 * window. */
pd_status pd_pyro_render(const pd_http_conf *c, const char *type, const char *matchers,
			 int64_t from_ms, int64_t until_ms, long max_nodes, pd_buf *out,
			 pd_error *err);

/* ---- exact inputs (pyroscope_exact.c) ----------------------------------------------
 * type is the five-part profile type ID, matchers as from pd_pyro_matchers, times in
 * ms since the epoch; max_nodes <= 0 leaves the server's default (8192). */

/* SelectMergeStacktraces body: {"profileTypeID","labelSelector","start","end",
 * "maxNodes" (when > 0),"format":"PROFILE_FORMAT_FLAMEGRAPH"}. Caller frees; NULL on
 * out of memory. */
char *pd_pyro_flamegraph_body(const char *type, const char *matchers, int64_t start_ms,
			      int64_t end_ms, long max_nodes);
/* The window's flamegraph JSON, byte for byte, into out (caller-initialized, caller
 * frees); read it with pd_flamegraph_parse (src/exact). "{}" or a zero total is
 * PD_ENODATA naming query and window; a reply that is not a flamegraph is PD_EINPUT. */
pd_status pd_pyro_flamegraph(const pd_http_conf *c, const char *type, const char *matchers,
			     int64_t start_ms, int64_t end_ms, long max_nodes, pd_buf *out,
			     pd_error *err);

/* SelectMergeProfileRequest as protobuf (fields 1-5; empty strings and max_nodes <= 0
 * left out), appended to out. False when out failed. It never holds a NUL byte, so the
 * HTTP layer may treat it as a C string. */
bool pd_pyro_merge_profile_body(const char *type, const char *matchers, int64_t start_ms,
				int64_t end_ms, long max_nodes, pd_buf *out);
/* The window's merged pprof profile (protobuf bytes, Content-Type application/proto,
 * as Grafana's profile explorer asks for it) into out; read it with pd_pprof_parse.
 * An empty body or a zero total is PD_ENODATA; an undecodable one PD_EINPUT. */
pd_status pd_pyro_merge_profile(const pd_http_conf *c, const char *type, const char *matchers,
				int64_t start_ms, int64_t end_ms, long max_nodes, pd_buf *out,
				pd_error *err);

#endif
