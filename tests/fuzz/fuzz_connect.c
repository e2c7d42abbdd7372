/* Fuzz harness for what a Pyroscope or Grafana server answers: the Connect list replies
 * (pd_pyro_decode_list, "names" and "profileTypes") and the error bodies quoted in
 * messages (pd_redact_server_message). The first byte picks which. A reply decodes or
 * fails with PD_EINPUT in one line; a quoted error is one line, at most the snippet
 * size, and never holds the token or the password. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fetch/pyroscope.h"
#include "fetch/redact.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_connect: %s (%.300s)\n", what, detail);
	abort();
}

static void list(const char *json, size_t len, const char *field)
{
	pd_strlist l = {0};
	pd_error err = {0};
	pd_status rc = pd_pyro_decode_list("LabelNames", json, len, field, &l, &err);
	if (rc != PD_OK && (rc != PD_EINPUT || !err.msg[0] || strchr(err.msg, '\n')))
		fail("failure without PD_EINPUT and one line", err.msg);
	for (size_t i = 0; rc == PD_OK && i < l.n; i++)
		if (!l.v[i])
			fail("a NULL string in a decoded list", field);
	pd_strlist_fini(&l);
}

static void error_body(const char *body, size_t len)
{
	static const char token[] = "glsa_Fuzz7Token9Secret";
	static const char password[] = "hunter2-Fuzz-pass";
	pd_http_conf c;
	pd_http_conf_init(&c);
	c.url = "http://127.0.0.1:1";
	c.auth = PD_AUTH_BEARER;
	c.token = token;
	c.username = "fuzzuser";
	c.password = password;
	pd_buf b;
	pd_buf_init(&b, 0);
	if (!pd_buf_append(&b, body, len)) {
		pd_buf_fini(&b);
		return;
	}
	char out[PD_SNIPPET_MAX + 16];
	pd_redact_server_message(&b, &c, NULL, out, sizeof out);
	pd_buf_fini(&b);
	if (strlen(out) > PD_SNIPPET_MAX + 3)
		fail("the quoted error is longer than the snippet", out);
	for (const char *p = out; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			fail("a control character in the quoted error", out);
	if (strstr(out, token) || strstr(out, password))
		fail("a secret in the quoted error", out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const char *json = (const char *)data + 1;
	size_t len = size - 1;
	switch (data[0] % 3) {
	case 0:
		list(json, len, "names");
		break;
	case 1:
		list(json, len, "profileTypes");
		break;
	default:
		error_body(json, len);
	}
	return 0;
}
