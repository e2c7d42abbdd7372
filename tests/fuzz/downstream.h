/* Shared by the harnesses that produce profiles (fuzz_parse, fuzz_exact): a failure
 * aborts with its status and message, and a parsed profile must diff against itself
 * (or be refused with one documented status and one line) and render every report and
 * the diff DOT. Define FUZZ_NAME before including. */
#ifndef PD_FUZZ_DOWNSTREAM_H
#define PD_FUZZ_DOWNSTREAM_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profdiff/profdiff.h"

static void fail(const char *what, pd_status rc, const pd_error *err)
{
	fprintf(stderr, FUZZ_NAME ": %s (status %d: %s)\n", what, (int)rc, err->msg);
	abort();
}

/* A failure message is one non-empty line. */
static bool one_line(const pd_error *err)
{
	return err->msg[0] && !strchr(err->msg, '\n');
}

static void downstream(const pd_profile *p, bool color)
{
	pd_error err = {0};
	pd_diff_opts o;
	pd_diff_opts_init(&o);
	pd_diff *d = NULL;
	pd_status rc = pd_diff_new(p, p, &o, &d, &err);
	if (rc != PD_OK) {
		/* A profile against itself: only "is itself a diff" or "no samples". */
		if ((rc != PD_EINPUT && rc != PD_ENODATA) || d || !one_line(&err))
			fail("diff of a parsed profile against itself failed", rc, &err);
		return;
	}
	pd_report_opts ro = {.top = 0, .color = color};
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

#endif
