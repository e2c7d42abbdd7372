/* Redaction of secrets in texts the fetch layer hands out: traces and error messages
 * (see redact.c). Internal to src/fetch/. */
#ifndef PD_FETCH_REDACT_H
#define PD_FETCH_REDACT_H

#include "fetch/http.h"

/* Longest server text quoted in an error message. */
#define PD_SNIPPET_MAX 200

/* Replaces, in place, every occurrence of the conf's token and password and of sent
 * (the credential curl sent, e.g. a base64 "user:password"; may be NULL) with
 * "<redacted>", or with as many '*' when the secret is shorter than that. Secrets
 * under 4 characters are left alone. s never grows. */
void pd_redact(char *s, const pd_http_conf *c, const char *sent);

/* The first PD_SNIPPET_MAX characters of a server's error reply, redacted, on one line
 * ("..." when cut). For JSON bodies (Connect, Grafana) the code and message fields.
 * Empty for an empty body. Thread-safe. */
void pd_redact_server_message(const pd_buf *body, const pd_http_conf *c, const char *sent,
			      char *out, size_t size);

#endif
