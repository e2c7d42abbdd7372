/* Fuzz harness for the time arguments (src/fetch/timespec.c): --from/--to text split
 * at the first newline. Any text parses or fails with PD_EUSAGE in one line; a window
 * that resolves is non-empty; a parsed instant printed by pd_time_format parses back
 * to the same millisecond (for the years RFC 3339 can write). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fetch/timespec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW_MS INT64_C(1777629600000) /* 2026-05-01T10:00:00Z */
#define YEAR_10000_MS INT64_C(253402300800000)

static void fail(const char *what, const char *a, const char *b)
{
	fprintf(stderr, "fuzz_time: %s: '%.200s' '%.200s'\n", what, a, b ? b : "(none)");
	abort();
}

static bool one_line(const pd_error *err)
{
	return err->msg[0] && !strchr(err->msg, '\n');
}

static void instant(const char *s)
{
	int64_t ms = 0, back = 0;
	pd_error err = {0};
	pd_status rc = pd_time_parse("--from", s, NOW_MS, &ms, &err);
	if (rc != PD_OK) {
		if (rc != PD_EUSAGE || !one_line(&err))
			fail("failure without PD_EUSAGE and one line", s, err.msg);
		return;
	}
	char text[32];
	pd_time_format(ms, text);
	if (ms < 0 || ms >= YEAR_10000_MS)
		return; /* not writable as RFC 3339's four-digit year */
	if (pd_time_parse("--to", text, NOW_MS, &back, &err) != PD_OK || back != ms)
		fail("a formatted instant does not parse back", s, text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	char *to = memchr(s, '\n', size);
	if (to)
		*to++ = '\0';
	instant(s);
	if (to)
		instant(to);
	int64_t f = 0, t = 0;
	pd_error err = {0};
	/* Either side may be absent: an empty first line means "no --from". */
	pd_status rc = pd_time_window(s[0] ? s : NULL, to, NOW_MS, &f, &t, &err);
	if (rc == PD_OK) {
		if (f >= t)
			fail("a window that is empty or reversed", s, to);
	} else if (rc != PD_EUSAGE || !one_line(&err)) {
		fail("window failure without PD_EUSAGE and one line", s, err.msg);
	}
	free(s);
	return 0;
}
