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
#define FUZZ_NAME "fuzz_parse"
#include "downstream.h"

#ifdef FUZZ_ARENA
#define PARSE_FLAGS PD_PARSE_ARENA
#else
#define PARSE_FLAGS 0u /* what pd_profile_parse does */
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
	downstream(p, true);
	pd_profile_free(p);
	return 0;
}
