/* HTTP client for the fetch layer: one request builder for two bases (the Pyroscope
 * root, or Grafana's datasource proxy), auth, retries with backoff, a body cap and
 * one-line error texts. libcurl is loaded on first use (fetch/curl_dl.h). Secrets live
 * only in pd_http_conf and in libcurl's auth options; they never reach error messages
 * or traces. Nothing here prints: traces go to the caller's callback. */
#ifndef PD_FETCH_HTTP_H
#define PD_FETCH_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "profdiff/profdiff.h"

typedef enum pd_auth_kind { PD_AUTH_NONE, PD_AUTH_BEARER, PD_AUTH_BASIC, PD_AUTH_KINDS } pd_auth_kind;

/* Connection settings. Strings are borrowed and must outlive every request. */
typedef struct pd_http_conf {
	const char *url;        /* Pyroscope root (direct) or Grafana root (datasource set) */
	const char *datasource; /* Grafana datasource UID, NULL for direct mode */
	const char *tenant;     /* X-Scope-OrgID, direct mode only; NULL = none */
	long org_id;            /* X-Grafana-Org-Id when > 0 (Grafana mode only) */
	pd_auth_kind auth;
	const char *token;      /* bearer secret */
	const char *token_from; /* where it came from, e.g. "PROFDIFF_TOKEN", for messages */
	const char *username;   /* basic auth */
	const char *password;   /* basic auth secret */
	const char *cacert;     /* CA bundle, NULL = system default */
	bool insecure;          /* skip TLS verification (explicit --insecure only) */
	long timeout_ms;        /* per request, its retries and waits included */
	int64_t deadline_ms;    /* whole command (--max-time): pd_http_now_ms() value past
				 * which no request runs or waits; 0 = none */
	size_t max_body;        /* response cap in bytes (decoded) */
	int max_attempts;       /* 1..; retries for connection failures, 429, 502-504 */
	long backoff_ms;        /* first backoff; doubles per attempt, with jitter */
	long retry_cap_ms;      /* longest wait between attempts, Retry-After included */
	/* --verbose: called once per trace line (no newline; tag prefixed; secrets already
	 * redacted), possibly from several threads at once. NULL = quiet. */
	void (*trace)(void *ud, const char *line);
	void *trace_ud;         /* passed to trace */
	const char *trace_tag;  /* prefix of each trace line (compare: which side), or NULL */
} pd_http_conf;

/* The clock of deadline_ms: a monotonic time in milliseconds. */
int64_t pd_http_now_ms(void);

/* Defaults: 30 s timeout, 64 MiB cap, 3 attempts, 250 ms backoff, 30 s cap. */
void pd_http_conf_init(pd_http_conf *c);

/* Refuses (PD_EUSAGE) a token, user name, password or tenant holding a control
 * character: a CR or LF would add header lines of the caller's choosing. The message
 * names the setting, never its value. pd_http_do checks this too. */
pd_status pd_http_conf_check(const pd_http_conf *c, pd_error *err);

/* Loads libcurl and runs its global init (once; later calls return the first result).
 * Call it from the main thread before starting threads that fetch (the calls below
 * load libcurl too, thread-safely, if this was skipped). Fails with PD_EINTERNAL
 * "cannot load libcurl.so.4: ..." when libcurl is missing or too old. */
pd_status pd_http_global_init(pd_error *err);

typedef struct pd_http_req {
	const char *method;       /* "GET" or "POST" */
	const char *path;         /* "/querier.v1.QuerierService/LabelNames", "/pyroscope/render?..." */
	bool grafana_api;         /* true: path is under the Grafana root, not the proxy */
	const char *body;         /* POST body or NULL */
	const char *content_type; /* for the body */
	const char *what;         /* what the call is for, e.g. "LabelNames", for messages */
} pd_http_req;

/* Performs the request with retries. On success (2xx) fills body (caller-initialized,
 * caller frees) and returns PD_OK; *status (may be NULL) gets the final HTTP status
 * (0 when no response came). Any failure is PD_EINPUT with a one-line message: the
 * status, the Connect code/message or the first ~200 characters of the body, which
 * credential was used for 401/403; an invalid server URL is named but not quoted.
 * A non-2xx status is left in *status so callers can rephrase (e.g. the datasource
 * pre-flight's 404). PD_EINTERNAL: out of memory, or libcurl cannot be loaded. */
pd_status pd_http_do(const pd_http_conf *c, const pd_http_req *r, pd_buf *body, long *status,
		     pd_error *err);

/* The full URL of a request path, without credentials (userinfo is dropped). Caller
 * frees. NULL on out of memory, when curl rejects the URL, or libcurl cannot load. */
char *pd_http_url(const pd_http_conf *c, const char *path, bool grafana_api);

/* The URL as curl parses it, without userinfo and trailing slashes (for provenance
 * and messages): "https://u:p%40ss@[::1]:8080/" -> "https://[::1]:8080". A URL without
 * a scheme gets "http://", as curl sends it. Caller frees; NULL as pd_http_url. */
char *pd_http_strip_userinfo(const char *url);

/* Describes the credential in use without its value: "bearer token from
 * PROFDIFF_TOKEN", "basic auth user alice", "no credentials". */
void pd_http_describe_auth(const pd_http_conf *c, char *out, size_t size);

/* Parses a byte size: "1048576", "64MiB", "10MB", "512k". Returns false on junk. */
bool pd_parse_size(const char *s, size_t *out);

#endif
