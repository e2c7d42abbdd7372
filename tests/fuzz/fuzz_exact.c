/* Fuzz harness for the exact readers (src/exact/): every input goes to the pprof
 * protobuf reader (function and line granularity) and to the flamegraph JSON reader.
 * Each must parse or fail with PD_EINPUT/PD_EINTERNAL and a one-line message; what
 * parses must diff against itself and render every report and the diff DOT.
 * Built with -DPD_FUZZ=ON (clang, libFuzzer); otherwise replayed by ctest over the
 * .pb.gz and .json fixtures through replay.c. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exact/exact.h"
#define FUZZ_NAME "fuzz_exact"
#include "downstream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void one(int reader, bool lines, const uint8_t *data, size_t size)
{
	pd_exact_opts o;
	pd_exact_opts_init(&o);
	o.lines = lines;
	pd_profile *p = NULL;
	pd_error err = {0};
	pd_status rc = reader ? pd_flamegraph_parse("fuzz", (const char *)data, size, &o, &p, &err)
			      : pd_pprof_parse("fuzz", data, size, &o, &p, &err);
	if (rc != PD_OK) {
		if (rc != PD_EINPUT && rc != PD_EINTERNAL)
			fail("parse failed with an undocumented status", rc, &err);
		if (p || !one_line(&err))
			fail("failed parse left a profile or no one-line message", rc, &err);
		return;
	}
	if (p->info.nodes != p->nnodes || p->info.edges != p->nedges)
		fail("info counts disagree with the profile", rc, &err);
	for (size_t i = 0; i < p->nedges; i++)
		if (p->edges[i].from >= p->nnodes || p->edges[i].to >= p->nnodes)
			fail("an edge points outside the nodes", rc, &err);
	downstream(p, false);
	pd_profile_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	one(0, false, data, size);
	one(0, true, data, size);
	one(1, false, data, size);
	return 0;
}
