/* Redaction for the fetch layer: what a trace line or an error message may quote.
 * Secrets are replaced wherever they appear (also inside a server's reply that echoes
 * them), as written, percent-encoded and base64-encoded at any alignment, before any
 * cut, so no piece of a secret survives. */
#include <ctype.h>
#include <pthread.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "base/alloc.h"
#include "fetch/redact.h"

/* Replaces every occurrence of secret in s (NUL-terminated, edited in place; never
 * grows). */
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

/* Percent-encoding of secret (RFC 3986 unreserved characters kept), hex digits upper or
 * lower case, into out (room for 3 * strlen + 1). */
static void percent(const char *secret, bool upper, char *out)
{
	const char *hex = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	for (const unsigned char *p = (const unsigned char *)secret; *p; p++) {
		if (isalnum(*p) || strchr("-._~", *p)) {
			*out++ = (char)*p;
		} else {
			*out++ = '%';
			*out++ = hex[*p >> 4];
			*out++ = hex[*p & 15];
		}
	}
	*out = '\0';
}

/* The part of base64(x + secret + y) that depends on secret alone, for a prefix x of
 * `align` bytes (0..2) and any suffix y: the characters of the groups that mix prefix
 * or suffix bytes are dropped. False when nothing is left or out of memory. */
static bool base64_core(const char *secret, size_t align, char *out, size_t size)
{
	size_t n = strlen(secret);
	unsigned char *in = pd_malloc(n + 2);
	if (!in)
		return false;
	memset(in, 0, align);
	memcpy(in + align, secret, n);
	int len = b64_ntop(in, n + align, out, size);
	pd_free(in);
	if (len < 0)
		return false;
	size_t skip = align == 0 ? 0 : align == 1 ? 2 : 3; /* chars holding prefix bits */
	size_t full = (n + align) / 3 * 4, rest = (n + align) % 3;
	size_t keep = full + (rest == 0 ? 0 : rest == 1 ? 1 : 2); /* chars of secret bits only */
	if (keep <= skip + 4) /* too short to be told apart from ordinary text */
		return false;
	memmove(out, out + skip, keep - skip);
	out[keep - skip] = '\0';
	return true;
}

/* The forms of the secrets to scrub, longest first, so that a secret's form inside a
 * longer one (a password inside base64 of user:password) does not break the longer
 * one's match. */
typedef struct forms {
	char *f[64];
	size_t n;
	bool lost; /* out of memory: some form is missing */
} forms;

static void add(forms *fs, char *form)
{
	if (!form || fs->n == sizeof fs->f / sizeof fs->f[0]) {
		fs->lost = true;
		pd_free(form);
		return;
	}
	fs->f[fs->n++] = form;
}

/* Adds secret as written, percent-encoded (both hex cases) and base64-encoded at each
 * alignment. Secrets under 4 characters are left alone: they would mangle words. */
static void add_forms(forms *fs, const char *secret)
{
	if (!secret || strlen(secret) < 4)
		return;
	size_t n = strlen(secret), size = 4 * n + 8;
	add(fs, pd_strdup(secret));
	for (int upper = 0; upper < 2; upper++) {
		char *f = pd_malloc(size);
		if (f)
			percent(secret, upper, f);
		add(fs, f);
	}
	for (size_t align = 0; align < 3; align++) {
		char *f = pd_malloc(size);
		if (f && base64_core(secret, align, f, size))
			add(fs, f);
		else if (f)
			pd_free(f);
	}
}

static int longer_first(const void *a, const void *b)
{
	size_t la = strlen(*(char *const *)a), lb = strlen(*(char *const *)b);
	return la < lb ? 1 : la > lb ? -1 : 0;
}

void pd_redact(char *s, const pd_http_conf *c, const char *sent)
{
	forms fs = {.n = 0};
	add_forms(&fs, c->token);
	add_forms(&fs, c->password);
	add_forms(&fs, sent);
	/* sent is base64 of "user:password" for basic auth, whether the password came from
	 * PROFDIFF_PASSWORD or from the URL's userinfo, which the conf does not hold. */
	size_t n = sent ? strlen(sent) : 0;
	unsigned char *plain = n ? pd_malloc(n + 1) : NULL;
	int len = plain ? b64_pton(sent, plain, n) : -1;
	if (len > 0) {
		plain[len] = '\0';
		char *colon = strchr((char *)plain, ':');
		if (strlen((char *)plain) == (size_t)len && colon) {
			add_forms(&fs, (char *)plain);
			add_forms(&fs, colon + 1);
		}
		memset(plain, 0, (size_t)len);
	} else if (n && !plain) {
		fs.lost = true;
	}
	pd_free(plain);
	qsort(fs.f, fs.n, sizeof fs.f[0], longer_first);
	for (size_t i = 0; i < fs.n; i++) {
		scrub(s, fs.f[i]);
		memset(fs.f[i], 0, strlen(fs.f[i]));
		pd_free(fs.f[i]);
	}
	if (fs.lost) /* a form could not be made: drop the text rather than risk it */
		s[0] = '\0';
}

void pd_redact_server_message(const pd_buf *body, const pd_http_conf *c, const char *sent,
			      char *out, size_t size)
{
	char tmp[PD_SNIPPET_MAX + 8];
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
	else /* whole: a cut before scrubbing could leave a piece of a secret at the end */
		pd_buf_append(&t, body->data, body->len);
	cJSON_Delete(j);
	/* Scrub before cutting, so no prefix of a secret survives the cut. */
	if (t.data) {
		pd_redact(t.data, c, sent);
		t.len = strlen(t.data); /* the redaction may have shortened it */
	}
	size_t o = 0;
	bool space = true;
	for (size_t i = 0; t.data && i < t.len && o < PD_SNIPPET_MAX; i++) {
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
	bool cut = t.data && o >= PD_SNIPPET_MAX;
	pd_buf_fini(&t);
	tmp[o] = '\0';
	pd_redact(tmp, c, sent); /* whitespace folding may have joined pieces */
	snprintf(out, size, "%s%s", tmp, cut ? "..." : "");
}
