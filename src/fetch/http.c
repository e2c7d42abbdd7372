/* libcurl wrapper: builds every request from one conf (direct or Grafana proxy base),
 * retries transient failures, caps the decoded body and turns every failure into one
 * line of text. Secrets are copied into curl headers only; traces print
 * "Authorization: <redacted>" and server messages are scrubbed of secret values. */
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "fetch/http.h"
#include "base/alloc.h"

#define SNIPPET_MAX 200

void pd_http_conf_init(pd_http_conf *c)
{
	memset(c, 0, sizeof *c);
	c->timeout_ms = 30000;
	c->max_body = (size_t)64 << 20;
	c->max_attempts = 3;
	c->backoff_ms = 250;
	c->retry_cap_ms = 30000;
}

pd_status pd_http_global_init(pd_error *err)
{
	pd_alloc_init_cjson(); /* before threads share cJSON */
	CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
	if (rc != CURLE_OK)
		return pd_error_set(err, PD_EINTERNAL, "cannot initialize libcurl: %s",
				    curl_easy_strerror(rc));
	return PD_OK;
}

char *pd_http_strip_userinfo(const char *url)
{
	const char *scheme = strstr(url, "://");
	const char *host = scheme ? scheme + 3 : url;
	size_t hostlen = strcspn(host, "/?#");
	/* The last '@' ends the userinfo: a password may hold an unencoded '@'. */
	const char *at = NULL;
	for (const char *q = host; q < host + hostlen; q++)
		if (*q == '@')
			at = q;
	size_t n = strlen(url);
	char *out = pd_malloc(n + 1);
	if (!out)
		return NULL;
	if (!at) {
		memcpy(out, url, n + 1);
	} else {
		size_t pre = (size_t)(host - url);
		memcpy(out, url, pre);
		strcpy(out + pre, at + 1);
	}
	/* No trailing slash: paths are appended as "/..." */
	n = strlen(out);
	while (n > 0 && out[n - 1] == '/')
		out[--n] = '\0';
	return out;
}

static char *join_url(const pd_http_conf *c, const char *path, bool grafana_api, bool strip)
{
	char *base;
	if (strip) {
		base = pd_http_strip_userinfo(c->url);
	} else {
		base = pd_strdup(c->url);
		if (base) {
			size_t n = strlen(base);
			while (n > 0 && base[n - 1] == '/')
				base[--n] = '\0';
		}
	}
	if (!base)
		return NULL;
	pd_buf b;
	pd_buf_init(&b, 0);
	pd_buf_puts(&b, base);
	if (c->datasource && !grafana_api) {
		char *uid = curl_easy_escape(NULL, c->datasource, 0);
		if (!uid)
			b.failed = true;
		else
			pd_buf_printf(&b, "/api/datasources/proxy/uid/%s", uid);
		curl_free(uid);
	}
	pd_buf_puts(&b, path);
	pd_free(base);
	if (b.failed) {
		pd_buf_fini(&b);
		return NULL;
	}
	return b.data;
}

char *pd_http_url(const pd_http_conf *c, const char *path, bool grafana_api)
{
	return join_url(c, path, grafana_api, true);
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

typedef struct sink {
	pd_buf *buf;
	size_t cap;
	bool over;
} sink;

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
	sink *s = ud;
	size_t n = size * nmemb;
	if (s->buf->len + n > s->cap) {
		s->over = true;
		return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
	}
	if (!pd_buf_append(s->buf, data, n))
		return 0;
	return n;
}

static const char b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void base64(pd_buf *out, const unsigned char *in, size_t n)
{
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		char q[4] = {b64chars[v >> 18 & 63], b64chars[v >> 12 & 63],
			     i + 1 < n ? b64chars[v >> 6 & 63] : '=', i + 2 < n ? b64chars[v & 63] : '='};
		pd_buf_append(out, q, 4);
	}
}

/* One trace line, prefixed with the conf's tag; a single write, so lines from
 * concurrent requests do not mix. */
static void trace(const pd_http_conf *c, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;
static void trace(const pd_http_conf *c, const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	if (!c->trace)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	fprintf(c->trace, "%s%s\n", c->trace_tag ? c->trace_tag : "", line);
}

/* Adds one header to the list and traces it (the Authorization value redacted). */
static bool add_header(struct curl_slist **list, const pd_http_conf *c, const char *line,
		       bool secret)
{
	struct curl_slist *l = curl_slist_append(*list, line);
	if (!l)
		return false;
	*list = l;
	if (secret)
		trace(c, "> %.*s: <redacted>", (int)strcspn(line, ":"), line);
	else
		trace(c, "> %s", line);
	return true;
}

static struct curl_slist *build_headers(const pd_http_conf *c, const pd_http_req *r)
{
	struct curl_slist *h = NULL;
	pd_buf b;
	bool ok = true;
	pd_buf_init(&b, 0);
	ok &= add_header(&h, c, "User-Agent: profdiff/" PD_VERSION, false);
	if (r->body) {
		pd_buf_printf(&b, "Content-Type: %s", r->content_type ? r->content_type : "application/json");
		ok &= !b.failed && add_header(&h, c, b.data, false);
		ok &= add_header(&h, c, "Connect-Protocol-Version: 1", false);
	}
	if (c->auth == PD_AUTH_BEARER && c->token) {
		b.len = 0;
		pd_buf_printf(&b, "Authorization: Bearer %s", c->token);
		ok &= !b.failed && add_header(&h, c, b.data, true);
	} else if (c->auth == PD_AUTH_BASIC && c->username) {
		pd_buf cred;
		pd_buf_init(&cred, 0);
		pd_buf_printf(&cred, "%s:%s", c->username, c->password ? c->password : "");
		b.len = 0;
		pd_buf_puts(&b, "Authorization: Basic ");
		if (!cred.failed)
			base64(&b, (const unsigned char *)cred.data, cred.len);
		ok &= !cred.failed && !b.failed && add_header(&h, c, b.data, true);
		if (cred.data)
			memset(cred.data, 0, cred.len);
		pd_buf_fini(&cred);
	}
	if (c->datasource) {
		if (c->org_id > 0) {
			b.len = 0;
			pd_buf_printf(&b, "X-Grafana-Org-Id: %ld", c->org_id);
			ok &= !b.failed && add_header(&h, c, b.data, false);
		}
	} else if (c->tenant && *c->tenant) {
		b.len = 0;
		pd_buf_printf(&b, "X-Scope-OrgID: %s", c->tenant);
		ok &= !b.failed && add_header(&h, c, b.data, false);
	}
	if (b.data)
		memset(b.data, 0, b.len);
	pd_buf_fini(&b);
	if (!ok) {
		curl_slist_free_all(h);
		return NULL;
	}
	return h;
}

/* Replaces every occurrence of secret in s (NUL-terminated, edited in place). */
static void scrub(char *s, const char *secret)
{
	/* 1-3 characters would only mangle ordinary words; they are not echoed by us. */
	if (!secret || strlen(secret) < 4)
		return;
	static const char red[] = "<redacted>";
	size_t n = strlen(secret);
	char *p = s;
	/* Search on after each replacement: the replacement may contain the secret. */
	while ((p = strstr(p, secret)) != NULL) {
		if (n >= sizeof red - 1) {
			memcpy(p, red, sizeof red - 1);
			memmove(p + sizeof red - 1, p + n, strlen(p + n) + 1);
			p += sizeof red - 1;
		} else {
			memset(p, '*', n);
			p += n;
		}
	}
}

/* Scrubs every form of the configured secrets: the token, the password and the
 * base64 "user:password" a server might echo from an Authorization header. */
static void scrub_all(char *s, const pd_http_conf *c)
{
	scrub(s, c->token);
	scrub(s, c->password);
	if (c->auth == PD_AUTH_BASIC && c->username) {
		pd_buf cred, enc;
		pd_buf_init(&cred, 0);
		pd_buf_init(&enc, 0);
		pd_buf_printf(&cred, "%s:%s", c->username, c->password ? c->password : "");
		if (!cred.failed)
			base64(&enc, (const unsigned char *)cred.data, cred.len);
		if (!enc.failed && enc.data)
			scrub(s, enc.data);
		if (cred.data)
			memset(cred.data, 0, cred.len);
		pd_buf_fini(&cred);
		pd_buf_fini(&enc);
	}
}

/* First SNIPPET_MAX characters of the server's message, on one line. For JSON bodies
 * (Connect errors, Grafana errors) the code and message fields are used. */
static void server_message(const pd_buf *body, const pd_http_conf *c, char *out, size_t size)
{
	char tmp[SNIPPET_MAX + 8];
	out[0] = '\0';
	if (body->len == 0)
		return;
	/* cJSON keeps its last parse error in a global: compare's two fetch threads
	 * must not parse at the same time. */
	static pthread_mutex_t parse_lock = PTHREAD_MUTEX_INITIALIZER;
	pthread_mutex_lock(&parse_lock);
	cJSON *j = cJSON_ParseWithLength(body->data, body->len);
	pthread_mutex_unlock(&parse_lock);
	const char *code = NULL, *msg = NULL;
	if (cJSON_IsObject(j)) {
		code = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "code"));
		msg = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "message"));
		if (!msg)
			msg = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "error"));
	}
	pd_buf t;
	pd_buf_init(&t, 0);
	if (code && msg)
		pd_buf_printf(&t, "%s: %s", code, msg);
	else if (msg)
		pd_buf_puts(&t, msg);
	else
		pd_buf_append(&t, body->data, body->len < 4096 ? body->len : 4096);
	cJSON_Delete(j);
	/* Scrub before cutting, so no prefix of a secret survives the cut. */
	if (t.data) {
		scrub_all(t.data, c);
		t.len = strlen(t.data); /* the redaction may have shortened it */
	}
	size_t o = 0;
	bool space = true;
	for (size_t i = 0; t.data && i < t.len && o < SNIPPET_MAX; i++) {
		unsigned char ch = (unsigned char)t.data[i];
		if (isspace(ch)) {
			if (!space)
				tmp[o++] = ' ';
			space = true;
			continue;
		}
		tmp[o++] = (ch < 0x20 || ch == 0x7f) ? '?' : (char)ch;
		space = false;
	}
	while (o > 0 && tmp[o - 1] == ' ')
		o--;
	bool cut = t.data && o >= SNIPPET_MAX;
	pd_buf_fini(&t);
	tmp[o] = '\0';
	scrub_all(tmp, c); /* whitespace folding may have joined pieces */
	snprintf(out, size, "%s%s", tmp, cut ? "..." : "");
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

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)(ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
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

pd_status pd_http_do(const pd_http_conf *c, const pd_http_req *r, pd_buf *body, long *status,
		     pd_error *err)
{
	pd_status st = PD_OK;
	char errbuf[CURL_ERROR_SIZE];
	char *url = join_url(c, r->path, r->grafana_api, false);
	char *shown = pd_http_url(c, r->path, r->grafana_api);
	struct curl_slist *headers = NULL;
	CURL *h = curl_easy_init();
	long code = 0;
	if (status)
		*status = 0;
	if (!url || !shown || !h) {
		st = pd_error_set(err, PD_EINTERNAL, "out of memory");
		goto out;
	}
	/* Messages name the route without the query string (it can be long). */
	char *q = strchr(shown, '?');
	char where[512];
	snprintf(where, sizeof where, "%.*s", (int)(q ? (size_t)(q - shown) : strlen(shown)), shown);

	sink s = {body, c->max_body, false};
	CURLcode rc = CURLE_OK;
	int attempt;
	for (attempt = 1;; attempt++) {
		long t0 = now_ms();
		trace(c, "> %s %s%s", r->method, shown, attempt > 1 ? " (retry)" : "");
		curl_slist_free_all(headers);
		headers = build_headers(c, r);
		if (!headers) {
			st = pd_error_set(err, PD_EINTERNAL, "out of memory");
			goto out;
		}
		if (r->body)
			trace(c, "> body: %.1500s", r->body);
		pd_buf_fini(body);
		pd_buf_init(body, 0);
		s.over = false;
		errbuf[0] = '\0';
		curl_easy_reset(h);
		curl_easy_setopt(h, CURLOPT_URL, url);
		curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
		curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
		curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
		curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
		curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
		curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->timeout_ms);
		curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)c->max_body);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, c->insecure ? 0L : 1L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, c->insecure ? 0L : 2L);
		if (c->cacert)
			curl_easy_setopt(h, CURLOPT_CAINFO, c->cacert);
		if (strcmp(r->method, "POST") == 0) {
			curl_easy_setopt(h, CURLOPT_POST, 1L);
			curl_easy_setopt(h, CURLOPT_POSTFIELDS, r->body ? r->body : "");
			curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
					 (curl_off_t)(r->body ? strlen(r->body) : 0));
		}
		rc = curl_easy_perform(h);
		code = 0;
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
		/* An error page over the cap (a proxy's HTML 503, say) is still an HTTP
		 * error: judged by its status (retry, message) on the part that fit. */
		if ((rc == CURLE_FILESIZE_EXCEEDED || (rc == CURLE_WRITE_ERROR && s.over)) &&
		    code != 0 && (code < 200 || code > 299))
			rc = CURLE_OK;
		if (rc == CURLE_OK)
			trace(c, "< HTTP %ld, %zu bytes in %ld ms", code, body->len, now_ms() - t0);
		else
			trace(c, "< failed after %ld ms: %s", now_ms() - t0,
			      errbuf[0] ? errbuf : curl_easy_strerror(rc));
		bool again = rc == CURLE_OK ? retryable_status(code) : retryable_curl(rc);
		if (!again || attempt >= c->max_attempts)
			break;
		long wait = jitter(c->backoff_ms << (attempt - 1));
		curl_off_t ra = 0;
		if (rc == CURLE_OK && curl_easy_getinfo(h, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK &&
		    ra > 0) /* compared before multiplying: Retry-After may be huge */
			wait = ra >= c->retry_cap_ms / 1000 ? c->retry_cap_ms
			       : (long)ra * 1000 > wait   ? (long)ra * 1000
							  : wait;
		if (wait > c->retry_cap_ms)
			wait = c->retry_cap_ms;
		trace(c, "* retrying in %ld ms (attempt %d of %d)", wait, attempt + 1, c->max_attempts);
		sleep_ms(wait);
	}
	if (status)
		*status = code;

	char tries[48] = "";
	if (attempt > 1)
		snprintf(tries, sizeof tries, " (after %d attempts)", attempt);
	if (rc != CURLE_OK) {
		const char *detail = errbuf[0] ? errbuf : curl_easy_strerror(rc);
		if ((rc == CURLE_WRITE_ERROR && s.over) || rc == CURLE_FILESIZE_EXCEEDED)
			st = pd_error_set(err, PD_EINPUT,
					  "%s: response body from %s exceeds maximum size of %zu bytes "
					  "(--max-body); try narrowing your query",
					  r->what, where, c->max_body);
		else if (rc == CURLE_OPERATION_TIMEDOUT)
			st = pd_error_set(err, PD_EINPUT, "%s: request to %s timed out after %.1f s (--timeout)",
					  r->what, where, c->timeout_ms / 1000.0);
		else if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CONNECT_ERROR ||
			 rc == CURLE_SSL_CACERT_BADFILE || rc == CURLE_SSL_CERTPROBLEM)
			st = pd_error_set(err, PD_EINPUT,
					  "%s: TLS error talking to %s: %s (use --cacert FILE, or "
					  "--insecure to skip verification)",
					  r->what, where, detail);
		else if (rc == CURLE_PARTIAL_FILE)
			st = pd_error_set(err, PD_EINPUT,
					  "%s: connection closed mid-response by %s: %s%s", r->what,
					  where, detail, tries);
		else
			st = pd_error_set(err, PD_EINPUT, "%s: cannot reach %s: %s%s",
					  r->what, where, detail, tries);
		/* curl's text may quote the URL; keep credentials out either way. */
		if (err) {
			scrub_all(err->msg, c);
		}
	} else if (code < 200 || code > 299) {
		char msg[SNIPPET_MAX + 16], hint[256];
		server_message(body, c, msg, sizeof msg);
		st = pd_error_set(err, PD_EINPUT, "%s: HTTP %ld from %s%s%s%s%s", r->what, code, where,
				  status_hint(c, code, hint, sizeof hint), msg[0] ? ": " : "", msg,
				  tries);
	}
out:
	curl_slist_free_all(headers);
	if (h)
		curl_easy_cleanup(h);
	pd_free(url);
	pd_free(shown);
	return st;
}
