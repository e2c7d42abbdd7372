/* Shared by the files of src/mcp: the server object, the version ranks, one tool call's
 * state and the tool table (tools.c, tools_diff.c), and the dispatcher entry that both
 * transports' front ends (rpc.c for stdio lines, http.c for POST bodies) use. */
#ifndef PD_MCP_INTERNAL_H
#define PD_MCP_INTERNAL_H

#include <cjson/cJSON.h>

#include "mcp/mcp.h"

/* Version ranks: what a reply may contain is gated by them. */
enum {
	RANK_2024_11_05 = 1,
	RANK_2025_03_26,
	RANK_2025_06_18,
	RANK_2025_11_25,
	RANK_2026_07_28, /* the stateless revision */
	RANK_COUNT
};
extern const char *const pd_mcp_versions[RANK_COUNT]; /* rank -> "YYYY-MM-DD" */
int pd_mcp_rank(const char *version);               /* 0 when unsupported */

#define PD_MCP_MODERN "2026-07-28"
#define PD_MCP_META_VERSION "io.modelcontextprotocol/protocolVersion"
#define PD_MCP_META_CAPS "io.modelcontextprotocol/clientCapabilities"
#define PD_MCP_META_SERVER "io.modelcontextprotocol/serverInfo"

struct pd_mcp_server {
	pd_mcp_config cfg;
	char **dirs; /* realpath of each allow_dir */
	size_t ndirs;
};

void pd_mcp_log(const pd_mcp_server *s, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/* Dispatches one parsed message (object). Returns the response to send, or NULL for
 * none; *code gets the JSON-RPC error code of an error response (0 for a result).
 * A NULL return with *code == -32603 means out of memory. */
cJSON *pd_mcp_dispatch(pd_mcp_server *s, pd_mcp_session *ss, const cJSON *msg, int *code);
/* An error response; id may be NULL (omitted). data is taken over (may be NULL). */
cJSON *pd_mcp_error(const cJSON *id, int code, const char *msg, cJSON *data);
/* Remembers the digits of a numeric top-level id of msg (parsed from s[0..n)), so the
 * reply echoes it exactly even past 2^53. */
void pd_mcp_keep_raw_id(cJSON *msg, const char *s, size_t n);
/* Serializes r into out, replacing an over-cap reply by a -32603 error. */
bool pd_mcp_serialize(const cJSON *r, const cJSON *id, pd_buf *out);
/* Strictly valid UTF-8 (no overlongs, surrogates or code points past U+10FFFF). */
bool pd_mcp_utf8_ok(const char *s, size_t n);

/* ---- tools ---------------------------------------------------------------------- */
typedef enum ptype { P_STR, P_INT, P_NUM, P_BOOL } ptype;

typedef struct param {
	const char *name;
	ptype type;
	bool required;
	const char *desc;
	const char *const *choices; /* NULL-terminated enum for strings, or NULL */
} param;

typedef struct call {
	const pd_mcp_server *s;
	const cJSON *args; /* the arguments object (never NULL) */
	int rank;
	pd_buf text;        /* the text content block */
	cJSON *structured;  /* structuredContent, or NULL */
	bool is_error;
} call;

typedef struct tool {
	const char *name, *title, *desc;
	const param *params; /* terminated by a zero entry */
	void (*run)(call *c);
	cJSON *(*output_schema)(void); /* NULL: text only */
	bool local; /* reads no server (openWorldHint false) */
} tool;

/* Parameters several tools share (mcp-grafana's names and meanings). */
#define P_UID {"data_source_uid", P_STR, false, \
	"UID of a Grafana Pyroscope data source (through Grafana's proxy); omit to use the " \
	"Pyroscope server profdiff was started with", NULL}
#define P_START {"start_rfc_3339", P_STR, false, \
	"Start of the window: RFC 3339 with a zone (2026-05-01T10:00:00Z), now-2h, or Unix " \
	"seconds/ms. Default: one hour before the end", NULL}
#define P_END {"end_rfc_3339", P_STR, false, "End of the window (same forms). Default: now", NULL}
#define P_MATCHERS {"matchers", P_STR, false, \
	"Label selector, e.g. {service_name=\"api\"} (braces added when missing). Default {}", NULL}
#define P_TYPE {"profile_type", P_STR, true, \
	"Profile type as name:sample_type:sample_unit:period_type:period_unit, e.g. " \
	"process_cpu:cpu:nanoseconds:cpu:nanoseconds (see list_pyroscope_profile_types)", NULL}
#define P_DEPTH {"max_node_depth", P_INT, false, \
	"Node count of the DOT render (a count, not a depth). 0 or unset = 100; only a " \
	"positive value changes it", NULL}

extern const tool pd_mcp_tools[];
extern const size_t pd_mcp_ntools;

/* tools/list and tools/call results (tools.c). tools_call returns NULL with emsg set
 * for a -32602 (malformed params, unknown tool), NULL with emsg "" when out of memory. */
cJSON *pd_mcp_tools_list(int rank);
cJSON *pd_mcp_tools_call(const pd_mcp_server *s, int rank, const cJSON *params, char emsg[160]);

/* Tool-side helpers (tools.c). */
void pd_mcp_fail(call *c, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;
const char *pd_mcp_arg_str(const call *c, const char *name); /* NULL when absent or "" */
bool pd_mcp_arg_int(const call *c, const char *name, long *out); /* false when absent */
bool pd_mcp_arg_num(const call *c, const char *name, double *out); /* false when absent */
bool pd_mcp_arg_bool(const call *c, const char *name, bool dflt);
/* Adds item to object o under key (key NULL: appends to array o); on failure (o or item
 * NULL, out of memory) deletes item, so nothing leaks on the out-of-memory paths. */
bool pd_mcp_put(cJSON *o, const char *key, cJSON *item);
/* Adds s to o as a string with invalid UTF-8 replaced by U+FFFD. */
bool pd_mcp_add_str(cJSON *o, const char *key, const char *s);
cJSON *pd_mcp_str(const char *s);

/* Where a Pyroscope call goes: conf (a copy of the template) plus the window. */
typedef struct pd_mcp_target {
	pd_http_conf http;
	char *matchers; /* owned */
	int64_t from_ms, to_ms;
} pd_mcp_target;
/* Resolves data_source_uid, matchers (argument mname) and start/end; false after
 * pd_mcp_fail. */
bool pd_mcp_target_init(call *c, pd_mcp_target *t, const char *mname);
void pd_mcp_target_fini(pd_mcp_target *t);
/* Validates profile_type; false after pd_mcp_fail. */
bool pd_mcp_check_type(call *c, const char *type);
/* A fetch failure as an isError result with advice by kind. */
void pd_mcp_fetch_failed(call *c, const char *what, const pd_error *e);

/* Diff tools (tools_diff.c). */
extern const param pd_mcp_p_diff_pyro[], pd_mcp_p_diff_dot[], pd_mcp_p_diff_files[];
void pd_mcp_tool_diff_pyroscope(call *c);
void pd_mcp_tool_diff_dot(call *c);
void pd_mcp_tool_diff_files(call *c);
cJSON *pd_mcp_diff_schema(void);

#endif
