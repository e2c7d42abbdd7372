/* libcurl wrapper: builds every request from one conf (direct or Grafana proxy base),
 * retries transient failures, caps the decoded body and turns every failure into one
 * line of text. Secrets go to curl as auth options only (curl builds the Authorization
 * header); traces print "Authorization: <redacted>", and traces and server messages
 * are scrubbed of the secrets and of the credential curl actually sent. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "fetch/curl_dl.h"
#include "fetch/http.h"
#include "fetch/redact.h"
#include "base/alloc.h"

void pd_http_conf_init(pd_http_conf *c)
{
	memset(c, 0, sizeof *c);
	c->timeout_ms = 30000;
	c->max_body = (size_t)64 << 20;
	c->max_attempts = 3;
	c->backoff_ms = 250;
	c->retry_cap_ms = 30000;
}

static bool has_control(const char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

pd_status pd_http_conf_check(const pd_http_conf *c, pd_error *err)
{
	const char *bad = has_control(c->token)      ? "the bearer token"
			  : has_control(c->username) ? "the basic-auth user name"
			  : has_control(c->password) ? "the basic-auth password"
			  : has_control(c->tenant)   ? "the tenant id"
						     : NULL;
	if (bad)
		return pd_error_set(err, PD_EUSAGE,
				    "%s holds a line break or another control character; refusing "
				    "to send it in an HTTP header",
				    bad);
	return PD_OK;
}

pd_status pd_http_global_init(pd_error *err)
{
	pd_alloc_init_cjson(); /* before threads share cJSON */
	return pd_curl_get(err) ? PD_OK : PD_EINTERNAL;
}

/* The URL as curl parses it for a request, without userinfo (and login options) and
 * without trailing slashes, into *out (caller frees). Returns a curl_url error code:
 * CURLUE_OK, CURLUE_OUT_OF_MEMORY, or why curl rejects the URL. */
static CURLUcode strip_userinfo(const pd_curl *cu, const char *url, char **out)
{
	CURLU *u = cu->url();
	char *s = NULL;
	/* GUESS_SCHEME: a request to "host:4040" is sent as http, as curl does. */
	CURLUcode rc = u ? cu->url_set(u, CURLUPART_URL, url, CURLU_GUESS_SCHEME)
			 : CURLUE_OUT_OF_MEMORY;
	if (rc == CURLUE_OK)
		rc = cu->url_set(u, CURLUPART_USER, NULL, 0);
	if (rc == CURLUE_OK)
		rc = cu->url_set(u, CURLUPART_PASSWORD, NULL, 0);
	if (rc == CURLUE_OK)
		rc = cu->url_set(u, CURLUPART_OPTIONS, NULL, 0);
	if (rc == CURLUE_OK)
		rc = cu->url_get(u, CURLUPART_URL, &s, 0);
	cu->url_cleanup(u);
	*out = NULL;
	if (rc != CURLUE_OK)
		return rc;
	/* No trailing slash: paths are appended as "/..." */
	size_t n = strlen(s);
	while (n > 0 && s[n - 1] == '/')
		n--;
	*out = pd_strndup(s, n); /* curl's string is freed by curl_free, ours by pd_free */
	cu->free(s);
	return *out ? CURLUE_OK : CURLUE_OUT_OF_MEMORY;
}

char *pd_http_strip_userinfo(const char *url)
{
	const pd_curl *cu = pd_curl_get(NULL);
	char *out = NULL;
	if (cu)
		strip_userinfo(cu, url, &out);
	return out;
}

/* base[0..n) + the datasource proxy prefix (unless grafana_api) + path. Caller frees;
 * NULL on out of memory. */
static char *join_url(const pd_curl *cu, const pd_http_conf *c, const char *base, size_t n,
		      const char *path, bool grafana_api)
{
	pd_buf b;
	pd_buf_init(&b, 0);
	pd_buf_append(&b, base, n);
	if (c->datasource && !grafana_api) {
		char *uid = cu->easy_escape(NULL, c->datasource, 0);
		if (!uid)
			b.failed = true;
		else
			pd_buf_printf(&b, "/api/datasources/proxy/uid/%s", uid);
		cu->free(uid);
	}
	pd_buf_puts(&b, path);
	if (b.failed) {
		pd_buf_fini(&b);
		return NULL;
	}
	return b.data;
}

/* The URL of request r as shown in messages and traces (no userinfo) into *out
 * (caller frees). Fails with PD_EINPUT when curl rejects the server URL (not quoted:
 * it may hold a password), or out of memory. */
static pd_status shown_url(const pd_curl *cu, const pd_http_conf *c, const pd_http_req *r,
			   char **out, pd_error *err)
{
	char *base;
	CURLUcode rc = strip_userinfo(cu, c->url, &base);
	*out = NULL;
	if (rc == CURLUE_OUT_OF_MEMORY)
		return pd_error_oom(err);
	if (rc != CURLUE_OK)
		return pd_error_set(err, PD_EINPUT, "%s: invalid server URL: %s%s", r->what,
				    cu->url_strerror(rc),
				    strchr(c->url, '@') ? " (in a user name or password, write '@' "
							  "as %40, ':' as %3A and '/' as %2F)"
							: "");
	*out = join_url(cu, c, base, strlen(base), r->path, r->grafana_api);
	pd_free(base);
	return *out ? PD_OK : pd_error_oom(err);
}

char *pd_http_url(const pd_http_conf *c, const char *path, bool grafana_api)
{
	const pd_curl *cu = pd_curl_get(NULL);
	pd_http_req r = {.path = path, .grafana_api = grafana_api, .what = ""};
	char *url = NULL;
	if (cu)
		shown_url(cu, c, &r, &url, NULL);
	return url;
}

void pd_http_describe_auth(const pd_http_conf *c, char *out, size_t size)
{
	switch (c->auth) {
	case PD_AUTH_BEARER:
		snprintf(out, size, "bearer token from %s", c->token_from ? c->token_from : "?");
		break;
	case PD_AUTH_BASIC:
		snprintf(out, size, "basic auth user %s", c->username ? c->username : "");
		break;
	default:
		snprintf(out, size, "no credentials");
		break;
	}
}

bool pd_parse_size(const char *s, size_t *out)
{
	char *end;
	if (!s || !isdigit((unsigned char)*s))
		return false;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return false;
	static const struct {
		const char *suffix;
		unsigned long long mult;
	} units[] = {
		{"", 1},           {"B", 1},
		{"k", 1024},       {"K", 1024},       {"KiB", 1024},       {"kB", 1000},   {"KB", 1000},
		{"M", 1 << 20},    {"MiB", 1 << 20},  {"MB", 1000000},
		{"G", 1ULL << 30}, {"GiB", 1ULL << 30}, {"GB", 1000000000ULL},
	};
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (strcmp(end, units[i].suffix) == 0) {
			if (v > SIZE_MAX / units[i].mult)
				return false;
			*out = (size_t)(v * units[i].mult);
			return *out > 0;
		}
	}
	return false;
}

/* ---- request execution ---------------------------------------------------------- */

/* One transfer's state, shared with curl's callbacks. */
typedef struct xfer {
	pd_buf *body;
	size_t cap;
	bool over;       /* the body passed cap */
	char *sent_cred; /* credential of the Authorization header curl sent (wiped on free) */
	bool cred_lost;  /* it could not be kept (out of memory): quote no server text */
} xfer;

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
	xfer *x = ud;
	size_t n = size * nmemb;
	if (x->body->len + n > x->cap) {
		x->over = true;
		return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
	}
	if (!pd_buf_append(x->body, data, n))
		return 0;
	return n;
}

static void forget_cred(xfer *x)
{
	if (x->sent_cred) {
		memset(x->sent_cred, 0, strlen(x->sent_cred));
		pd_free(x->sent_cred);
		x->sent_cred = NULL;
	}
}

/* curl builds the Authorization header itself (base64 for basic auth); a server that
 * quotes it back must not get it into our messages, so keep what was sent for the
 * scrubber: the value after the scheme word of each "Authorization:" request line. */
static int on_debug(CURL *h, curl_infotype type, char *data, size_t size, void *ud)
{
	static const char key[] = "authorization:";
	xfer *x = ud;
	(void)h;
	if (type != CURLINFO_HEADER_OUT)
		return 0;
	for (const char *p = data, *end = data + size; p < end;) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *e = eol ? eol : end;
		if ((size_t)(e - p) > sizeof key - 1 && strncasecmp(p, key, sizeof key - 1) == 0) {
			const char *v = p + sizeof key - 1;
			while (v < e && *v == ' ')
				v++;
			const char *sp = memchr(v, ' ', (size_t)(e - v));
			v = sp ? sp + 1 : v;
			size_t n = (size_t)(e - v);
			if (n > 0 && v[n - 1] == '\r')
				n--;
			forget_cred(x);
			if (!(x->sent_cred = pd_strndup(v, n)))
				x->cred_lost = true;
		}
		p = e + 1;
	}
	return 0;
}

/* One trace line, prefixed with the conf's tag and scrubbed, to the caller's callback.
 * Best effort: out of memory loses the line, nothing else. */
static void trace(const pd_http_conf *c, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;
static void trace(const pd_http_conf *c, const char *fmt, ...)
{
	va_list ap;
	if (!c->trace)
		return;
	const char *tag = c->trace_tag ? c->trace_tag : "";
	size_t t = strlen(tag);
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *line = n < 0 ? NULL : pd_malloc(t + (size_t)n + 1);
	if (!line)
		return;
	memcpy(line, tag, t);
	va_start(ap, fmt);
	vsnprintf(line + t, (size_t)n + 1, fmt, ap);
	va_end(ap);
	pd_redact(line, c, NULL);
	c->trace(c->trace_ud, line);
	pd_free(line);
}

/* Adds one header to the list and traces it. */
static bool add_header(const pd_curl *cu, struct curl_slist **list, const pd_http_conf *c,
		       const char *line)
{
	struct curl_slist *l = cu->slist_append(*list, line);
	if (!l)
		return false;
	*list = l;
	trace(c, "> %s", line);
	return true;
}

static bool sends_auth(const pd_http_conf *c)
{
	return (c->auth == PD_AUTH_BEARER && c->token) || (c->auth == PD_AUTH_BASIC && c->username);
}

/* The request headers; no credentials (see set_auth). NULL on out of memory. */
static struct curl_slist *build_headers(const pd_curl *cu, const pd_http_conf *c,
					const pd_http_req *r)
{
	struct curl_slist *h = NULL;
	pd_buf b;
	bool ok = true;
	pd_buf_init(&b, 0);
	ok &= add_header(cu, &h, c, "User-Agent: profdiff/" PD_VERSION);
	if (r->body) {
		pd_buf_printf(&b, "Content-Type: %s", r->content_type ? r->content_type : "application/json");
		ok &= !b.failed && add_header(cu, &h, c, b.data);
		ok &= add_header(cu, &h, c, "Connect-Protocol-Version: 1");
	}
	if (sends_auth(c))
		trace(c, "> Authorization: <redacted>");
	if (c->datasource) {
		if (c->org_id > 0) {
			b.len = 0;
			pd_buf_printf(&b, "X-Grafana-Org-Id: %ld", c->org_id);
			ok &= !b.failed && add_header(cu, &h, c, b.data);
		}
	} else if (c->tenant && *c->tenant) {
		b.len = 0;
		pd_buf_printf(&b, "X-Scope-OrgID: %s", c->tenant);
		ok &= !b.failed && add_header(cu, &h, c, b.data);
	}
	pd_buf_fini(&b);
	if (!ok) {
		cu->slist_free_all(h);
		return NULL;
	}
	return h;
}

/* Credentials as curl auth options: curl writes "Authorization: Bearer <token>" or the
 * base64 of user:password itself. Only one method each, so curl sends it at once
 * instead of waiting for a 401 to negotiate. */
static void set_auth(const pd_curl *cu, CURL *h, const pd_http_conf *c)
{
	if (c->auth == PD_AUTH_BEARER && c->token) {
		cu->easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BEARER);
		cu->easy_setopt(h, CURLOPT_XOAUTH2_BEARER, c->token);
	} else if (c->auth == PD_AUTH_BASIC && c->username) {
		cu->easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		cu->easy_setopt(h, CURLOPT_USERNAME, c->username);
		cu->easy_setopt(h, CURLOPT_PASSWORD, c->password ? c->password : "");
	}
}

static bool retryable_curl(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_PARTIAL_FILE:
		return true;
	default:
		return false;
	}
}

static bool retryable_status(long st)
{
	return st == 429 || st == 502 || st == 503 || st == 504;
}

int64_t pd_http_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0)
		;
}

static long jitter(long ms)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	unsigned seed = (unsigned)ts.tv_nsec ^ (unsigned)(uintptr_t)&ts;
	return ms / 2 + (ms > 1 ? (long)(rand_r(&seed) % (ms / 2 + 1)) : 0);
}

static size_t discard(char *data, size_t size, size_t nmemb, void *ud)
{
	(void)data, (void)ud;
	return size * nmemb;
}

/* Whether a TLS handshake to url (https://...) failed because the server speaks plain
 * HTTP. OpenSSL's words for it vary with timing ("wrong version number" when it reads
 * the server's "HTTP/1.1 400", SSL_ERROR_SYSCALL or "unexpected eof" when the server
 * closed first), so ask: one short plain-HTTP request to the same address, any status
 * is an answer. url is the shown one (no userinfo): nothing secret is sent. */
static bool plain_http_server(const pd_curl *cu, const char *url, long budget_ms)
{
	if (strncasecmp(url, "https://", 8) != 0 || budget_ms <= 0)
		return false;
	size_t n = strlen(url);
	char *plain = pd_malloc(n);
	CURL *h = plain ? cu->easy_init() : NULL;
	bool yes = false;
	if (h) {
		memcpy(plain, "http://", 7);
		memcpy(plain + 7, url + 8, n - 7); /* the rest and its NUL */
		cu->easy_setopt(h, CURLOPT_URL, plain);
		cu->easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http");
		cu->easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
		cu->easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
		cu->easy_setopt(h, CURLOPT_TIMEOUT_MS, budget_ms < 2000 ? budget_ms : 2000L);
		long code = 0;
		if (cu->easy_perform(h) == CURLE_OK &&
		    cu->easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code) == CURLE_OK)
			yes = code >= 100;
		cu->easy_cleanup(h);
	}
	pd_free(plain);
	return yes;
}

static const char *status_hint(const pd_http_conf *c, long st, char *buf, size_t size)
{
	char cred[160];
	buf[0] = '\0';
	if (st == 401 || st == 403) {
		pd_http_describe_auth(c, cred, sizeof cred);
		snprintf(buf, size, " (%s with %s)", st == 401 ? "not authenticated" : "permission denied",
			 cred);
	} else if (st == 404) {
		snprintf(buf, size, "%s",
			 c->datasource
				 ? " (datasource or route not found: check --datasource and that it is a Pyroscope datasource)"
				 : " (route not found: is --url the Pyroscope server root?)");
	}
	return buf;
}

/* Sets every option of one attempt on a freshly reset handle. */
static void set_options(const pd_curl *cu, CURL *h, const pd_http_conf *c, const pd_http_req *r,
			const char *url, struct curl_slist *headers, xfer *x, char *errbuf,
			long timeout_ms)
{
	cu->easy_setopt(h, CURLOPT_URL, url);
	cu->easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	cu->easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	cu->easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	cu->easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	cu->easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	cu->easy_setopt(h, CURLOPT_WRITEDATA, x);
	/* VERBOSE only feeds on_debug (nothing is printed): it sees the sent headers. */
	cu->easy_setopt(h, CURLOPT_DEBUGFUNCTION, on_debug);
	cu->easy_setopt(h, CURLOPT_DEBUGDATA, x);
	cu->easy_setopt(h, CURLOPT_VERBOSE, 1L);
	cu->easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	cu->easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
	cu->easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
	cu->easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)c->max_body);
	cu->easy_setopt(h, CURLOPT_SSL_VERIFYPEER, c->insecure ? 0L : 1L);
	cu->easy_setopt(h, CURLOPT_SSL_VERIFYHOST, c->insecure ? 0L : 2L);
	if (c->cacert)
		cu->easy_setopt(h, CURLOPT_CAINFO, c->cacert);
	set_auth(cu, h, c);
	if (strcmp(r->method, "POST") == 0) {
		cu->easy_setopt(h, CURLOPT_POST, 1L);
		cu->easy_setopt(h, CURLOPT_POSTFIELDS, r->body ? r->body : "");
		cu->easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
				(curl_off_t)(r->body ? strlen(r->body) : 0));
	}
}

pd_status pd_http_do(const pd_http_conf *c, const pd_http_req *r, pd_buf *body, long *status,
		     pd_error *err)
{
	pd_status st = PD_OK;
	char errbuf[CURL_ERROR_SIZE];
	const pd_curl *cu = pd_curl_get(err);
	char *url = NULL, *shown = NULL;
	struct curl_slist *headers = NULL;
	CURL *h = NULL;
	xfer x = {body, c->max_body, false, NULL, false};
	long code = 0;
	if (status)
		*status = 0;
	if ((st = pd_http_conf_check(c, err)) != PD_OK)
		return st;
	if (!cu)
		return PD_EINTERNAL;
	if ((st = shown_url(cu, c, r, &shown, err)) != PD_OK)
		goto out;
	/* The request URL keeps its userinfo: curl sends it when no other auth is set. */
	size_t baselen = strlen(c->url);
	while (baselen > 0 && c->url[baselen - 1] == '/')
		baselen--;
	url = join_url(cu, c, c->url, baselen, r->path, r->grafana_api);
	h = cu->easy_init();
	if (!url || !h) {
		st = pd_error_oom(err);
		goto out;
	}
	/* Messages name the route without the query string (it can be long). */
	int wlen = (int)strcspn(shown, "?");

	/* One budget for the request, retries and waits: --timeout, cut by --max-time. */
	int64_t start = pd_http_now_ms(), end = start + c->timeout_ms;
	bool by_max_time = c->deadline_ms > 0 && c->deadline_ms < end;
	if (by_max_time)
		end = c->deadline_ms;
	const char *budget = by_max_time ? "--max-time" : "--timeout";
	long gave_up_ra = 0; /* a Retry-After (s) past the budget ended the retries */
	CURLcode rc = CURLE_OK;
	int attempt;
	for (attempt = 1;; attempt++) {
		int64_t t0 = pd_http_now_ms();
		if (t0 >= end) {
			rc = CURLE_OPERATION_TIMEDOUT;
			code = 0;
			break;
		}
		trace(c, "> %s %s%s", r->method, shown, attempt > 1 ? " (retry)" : "");
		cu->slist_free_all(headers);
		headers = build_headers(cu, c, r);
		if (!headers) {
			st = pd_error_oom(err);
			goto out;
		}
		if (r->body)
			trace(c, "> body: %.1500s", r->body);
		pd_buf_fini(body);
		pd_buf_init(body, 0);
		x.over = false;
		errbuf[0] = '\0';
		cu->easy_reset(h);
		set_options(cu, h, c, r, url, headers, &x, errbuf, (long)(end - t0));
		rc = cu->easy_perform(h);
		code = 0;
		cu->easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
		/* An error page over the cap (a proxy's HTML 503, say) is still an HTTP
		 * error: judged by its status (retry, message) on the part that fit. */
		if ((rc == CURLE_FILESIZE_EXCEEDED || (rc == CURLE_WRITE_ERROR && x.over)) &&
		    code != 0 && (code < 200 || code > 299))
			rc = CURLE_OK;
		if (rc == CURLE_OK)
			trace(c, "< HTTP %ld, %zu bytes in %ld ms", code, body->len,
			      (long)(pd_http_now_ms() - t0));
		else
			trace(c, "< failed after %ld ms: %s", (long)(pd_http_now_ms() - t0),
			      errbuf[0] ? errbuf : cu->easy_strerror(rc));
		bool again = rc == CURLE_OK ? retryable_status(code) : retryable_curl(rc);
		if (!again || attempt >= c->max_attempts)
			break;
		long wait = jitter(c->backoff_ms << (attempt - 1));
		curl_off_t ra = 0;
		if (rc == CURLE_OK && cu->easy_getinfo(h, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK &&
		    ra > 0) /* compared before multiplying: Retry-After may be huge */
			wait = ra >= c->retry_cap_ms / 1000 ? c->retry_cap_ms
			       : (long)ra * 1000 > wait   ? (long)ra * 1000
							  : wait;
		if (wait > c->retry_cap_ms)
			wait = c->retry_cap_ms;
		if (pd_http_now_ms() + wait >= end) { /* the wait alone would pass the budget */
			gave_up_ra = ra > 0 ? (long)(ra > 86400 ? 86400 : ra) : 0;
			trace(c, "* not retrying: a %ld ms wait would pass %s", wait, budget);
			break;
		}
		trace(c, "* retrying in %ld ms (attempt %d of %d)", wait, attempt + 1, c->max_attempts);
		sleep_ms(wait);
	}
	if (status)
		*status = code;

	char tries[48] = "";
	if (attempt > 1)
		snprintf(tries, sizeof tries, " (after %d attempts)", attempt);
	if (rc != CURLE_OK) {
		const char *detail = errbuf[0] ? errbuf : cu->easy_strerror(rc);
		if ((rc == CURLE_WRITE_ERROR && x.over) || rc == CURLE_FILESIZE_EXCEEDED)
			st = pd_error_set(err, PD_EINPUT,
					  "%s: response body from %.*s exceeds maximum size of %zu bytes "
					  "(--max-body); try narrowing your query",
					  r->what, wlen, shown, c->max_body);
		else if (rc == CURLE_OPERATION_TIMEDOUT)
			st = pd_error_set(err, PD_EINPUT, "%s: request to %.*s timed out after %.1f s (%s)%s",
					  r->what, wlen, shown, (pd_http_now_ms() - start) / 1000.0,
					  budget, tries);
		else if (rc == CURLE_SSL_CONNECT_ERROR &&
			 plain_http_server(cu, shown, (long)(end - pd_http_now_ms())))
			st = pd_error_set(err, PD_EINPUT,
					  "%s: %.*s speaks plain HTTP, not TLS: use an http:// URL (--url)",
					  r->what, wlen, shown);
		else if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CONNECT_ERROR ||
			 rc == CURLE_SSL_CACERT_BADFILE || rc == CURLE_SSL_CERTPROBLEM)
			st = pd_error_set(err, PD_EINPUT,
					  "%s: TLS error talking to %.*s: %s (use --cacert FILE, or "
					  "--insecure to skip verification)",
					  r->what, wlen, shown, detail);
		else if (rc == CURLE_PARTIAL_FILE)
			st = pd_error_set(err, PD_EINPUT,
					  "%s: connection closed mid-response by %.*s: %s%s", r->what,
					  wlen, shown, detail, tries);
		else
			st = pd_error_set(err, PD_EINPUT, "%s: cannot reach %.*s: %s%s",
					  r->what, wlen, shown, detail, tries);
		/* curl's text may quote the URL; keep credentials out either way. */
		if (err)
			pd_redact(err->msg, c, x.sent_cred);
	} else if (code < 200 || code > 299) {
		char msg[PD_SNIPPET_MAX + 16], hint[256];
		msg[0] = '\0';
		if (!x.cred_lost) /* else the server might quote what we cannot scrub */
			pd_redact_server_message(body, c, x.sent_cred, msg, sizeof msg);
		char gave_up[96] = "";
		if (gave_up_ra)
			snprintf(gave_up, sizeof gave_up,
				 " (not retried: Retry-After %ld s is past the %s budget)", gave_up_ra,
				 budget);
		st = pd_error_set(err, PD_EINPUT, "%s: HTTP %ld from %.*s%s%s%s%s%s", r->what, code,
				  wlen, shown, status_hint(c, code, hint, sizeof hint),
				  msg[0] ? ": " : "", msg, tries, gave_up);
	}
out:
	forget_cred(&x);
	cu->slist_free_all(headers);
	if (h)
		cu->easy_cleanup(h);
	pd_free(url);
	pd_free(shown);
	return st;
}
