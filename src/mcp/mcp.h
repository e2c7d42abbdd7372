/* MCP server core: a JSON-RPC 2.0 dispatcher for the Model Context Protocol (both the
 * handshake era, 2024-11-05 .. 2025-11-25, and the stateless 2026-07-28 revision) and
 * profdiff's read-only Pyroscope/diff tools. Messages go in and out as buffers; the
 * transports that do I/O (stdio, the libmicrohttpd server) live in the CLI. The server
 * object is read-only after pd_mcp_server_new, so any number of threads may call
 * pd_mcp_handle / pd_mcp_http at once, each with its own session. */
#ifndef PD_MCP_H
#define PD_MCP_H

#include <stdbool.h>
#include <stddef.h>

#include "profdiff/profdiff.h"
#include "fetch/http.h"

#define PD_MCP_MAX_MESSAGE ((size_t)8 << 20) /* replies stay below the SDK's 10 MiB */
#define PD_MCP_MAX_REQUEST ((size_t)1 << 20) /* inbound line / POST body cap */

typedef struct pd_mcp_config {
	/* Connection template: auth, tenant, timeouts, caps (from pd_http_conf_init, so no
	 * tracing). url and datasource are set per call from the fields below. Strings are
	 * borrowed and must outlive the server. */
	pd_http_conf http;
	const char *pyroscope_url; /* direct-mode root, used without data_source_uid */
	const char *grafana_url;   /* Grafana root, used with data_source_uid */
	const char *datasource;    /* default data_source_uid, or NULL */
	const char *const *allow_dirs; /* directories diff_profile_files may read */
	size_t nallow_dirs;
	const char *const *allow_origins; /* HTTP Origin values accepted (exact, no case) */
	size_t nallow_origins;
	/* Diagnostics (one line, no newline); NULL = none. Called from any thread. */
	void (*log)(void *ctx, const char *line);
	void *log_ctx;
} pd_mcp_config;

typedef struct pd_mcp_server pd_mcp_server;

/* Copies cfg (strings stay borrowed) and resolves every allow_dir with realpath.
 * Fails with PD_EUSAGE naming a directory that does not exist, PD_EINTERNAL on OOM. */
pd_status pd_mcp_server_new(const pd_mcp_config *cfg, pd_mcp_server **out, pd_error *err);
void pd_mcp_server_free(pd_mcp_server *s);

/* State of one stdio connection (the handshake gate and negotiated version). */
typedef struct pd_mcp_session {
	int rank;         /* negotiated version (1 = 2024-11-05 .. 4 = 2025-11-25), 0 = none */
	bool initialized; /* the initialize response was produced */
	bool stateless;   /* HTTP: no gate, version per message */
} pd_mcp_session;

void pd_mcp_session_init(pd_mcp_session *ss);

/* Handles one stdio line (without its newline; a trailing CR is ignored) and appends
 * the reply, compact JSON without newline, to reply; nothing is appended when no reply
 * is due (notification, client response, blank line). Returns PD_OK, or PD_EINTERNAL
 * when out of memory even for an error reply. */
pd_status pd_mcp_handle(pd_mcp_server *s, pd_mcp_session *ss, const char *msg, size_t len,
			pd_buf *reply);

/* A reply for a line that was longer than PD_MCP_MAX_REQUEST (-32600, no id). */
pd_status pd_mcp_too_large(pd_buf *reply);

/* ---- Streamable HTTP policy (the transport's I/O is the caller's) ------------------ */
typedef struct pd_mcp_http_req {
	const char *method, *path;
	/* Header values or NULL when absent. */
	const char *origin, *host, *content_type, *accept;
	const char *protocol_version; /* MCP-Protocol-Version */
	const char *mcp_method, *mcp_name; /* Mcp-Method, Mcp-Name (2026-07-28) */
	const char *body;
	size_t len;
	bool body_too_large; /* the transport stopped reading past PD_MCP_MAX_REQUEST */
	bool loopback;       /* bound to a loopback address: check Host */
	unsigned port;       /* the bound port, for the Host check */
} pd_mcp_http_req;

typedef struct pd_mcp_http_resp {
	int status;
	const char *content_type; /* static string or NULL (no body) */
	const char *allow;        /* Allow header value, or NULL */
	pd_buf body;              /* initialized by pd_mcp_http; caller finis */
} pd_mcp_http_resp;

/* Answers one HTTP request to the MCP endpoint statelessly. Always fills resp. */
void pd_mcp_http(pd_mcp_server *s, const pd_mcp_http_req *req, pd_mcp_http_resp *resp);

#endif
