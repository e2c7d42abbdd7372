/* Fuzz harness for the DOT parser and everything downstream of it: any input must
 * either parse or fail with a documented status and a one-line error; when it parses,
 * diffing it against itself must succeed (or fail as documented: the input is itself a
 * diff, or has no samples) and every report and the diff DOT must render.
 * Built twice: fuzz_parse takes pd_profile_parse's path (malloc'ed graphs, what library
 * callers get), fuzz_parse_arena the CLI's (PD_PARSE_ARENA, FUZZ_ARENA defined).
 * Built with -DPD_FUZZ=ON (clang, libFuzzer). Without libFuzzer, the same harness is
 * linked with replay.c and run over the fixtures by ctest. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profdiff/profdiff.h"
#include "parse/parse.h"

#ifdef FUZZ_ARENA
#define PARSE_FLAGS PD_PARSE_ARENA
#else
#define PARSE_FLAGS 0u /* what pd_profile_parse does */
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken promise: say which, then abort (a crash for libFuzzer and for replay.c). */
static void fail(const char *what, pd_status rc, const pd_error *err)
{
	fprintf(stderr, "fuzz_parse: %s (status %d: %s)\n", what, (int)rc, err->msg);
	abort();
}

/* A failure message is one non-empty line. */
static bool one_line(const pd_error *err)
{
	return err->msg[0] && !strchr(err->msg, '\n');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pd_profile *p = NULL;
	pd_error err = {0};
	pd_status rc = pd_profile_parse_flags("fuzz", (const char *)data, size, PARSE_FLAGS, &p, &err);
	if (rc != PD_OK) {
		/* Documented: PD_EINPUT for bad input, PD_EINTERNAL for out of memory. */
		if (rc != PD_EINPUT && rc != PD_EINTERNAL)
			fail("parse failed with an undocumented status", rc, &err);
		if (p || !one_line(&err))
			fail("failed parse left a profile or no one-line message", rc, &err);
		return 0;
	}
	pd_diff_opts o;
	pd_diff_opts_init(&o);
	pd_diff *d = NULL;
	rc = pd_diff_new(p, p, &o, &d, &err);
	if (rc != PD_OK) {
		/* A profile against itself: only "is itself a diff" or "no samples". */
		if ((rc != PD_EINPUT && rc != PD_ENODATA) || d || !one_line(&err))
			fail("diff of a parsed profile against itself failed", rc, &err);
		pd_profile_free(p);
		return 0;
	}
	pd_report_opts ro = {.top = 0, .color = true};
	for (int f = 0; f < PD_FORMAT_KINDS; f++) {
		pd_buf b;
		pd_buf_init(&b, 0);
		if ((rc = pd_report(d, (pd_format)f, &ro, &b, &err)) != PD_OK || !b.len)
			fail("a report did not render", rc, &err);
		pd_buf_fini(&b);
	}
	pd_buf b;
	pd_buf_init(&b, 0);
	if ((rc = pd_diff_dot(d, 80, &b, &err)) != PD_OK || !b.len)
		fail("the diff DOT did not render", rc, &err);
	pd_buf_fini(&b);
	pd_diff_free(d);
	pd_profile_free(p);
	return 0;
}
