/* Redaction for the fetch layer: what a trace line or an error message may quote.
 * Secrets are replaced wherever they appear (also inside a server's reply that echoes
 * them), before any cut, so no prefix of a secret survives. */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

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

void pd_redact(char *s, const pd_http_conf *c, const char *sent)
{
	scrub(s, c->token);
	scrub(s, c->password);
	scrub(s, sent);
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
	else
		pd_buf_append(&t, body->data, body->len < 4096 ? body->len : 4096);
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
