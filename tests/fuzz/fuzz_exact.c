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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, pd_status rc, const pd_error *err)
{
	fprintf(stderr, "fuzz_exact: %s (status %d: %s)\n", what, (int)rc, err->msg);
	abort();
}

static bool one_line(const pd_error *err)
{
	return err->msg[0] && !strchr(err->msg, '\n');
}

static void downstream(pd_profile *p)
{
	pd_error err = {0};
	pd_diff_opts o;
	pd_diff_opts_init(&o);
	pd_diff *d = NULL;
	pd_status rc = pd_diff_new(p, p, &o, &d, &err);
	if (rc != PD_OK) {
		if ((rc != PD_EINPUT && rc != PD_ENODATA) || d || !one_line(&err))
			fail("diff of a parsed profile against itself failed", rc, &err);
		return;
	}
	pd_report_opts ro = {.top = 0, .color = false};
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
}

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
	downstream(p);
	pd_profile_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	one(0, false, data, size);
	one(0, true, data, size);
	one(1, false, data, size);
	return 0;
}
