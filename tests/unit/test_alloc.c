/* Allocation failure, SQLite style: for every n in turn the n-th allocation through the
 * hook (src/base/alloc.h) fails, over parsing (each parse path), diffing and every
 * report. Each run must end in PD_EINTERNAL "out of memory" with no output object, or in
 * PD_OK once n is past the allocations the call makes; the sanitizer build's
 * LeakSanitizer proves that no failure path leaks. libcgraph allocates outside the hook,
 * so its own failures are not covered here. The arena parse (PD_PARSE_ARENA) is left
 * out: it hands libcgraph memory from the hook, and libcgraph does not survive a NULL
 * from its allocator (agopen dereferences it). */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/base.h"
#include "parse/prepass.h"
#include "report/report.h"

typedef pd_status (*op_fn)(void *ctx, pd_error *err);

/* Out-of-memory messages not yet worded by pd_error_oom, in files being changed in
 * parallel branches of issue 9. Still PD_EINTERNAL, still leak-free; the last test fails
 * when one no longer occurs, so that it is deleted here and the list only shrinks.
 * src/report: the formatters word both the buffer's cap and out of memory as one
 * message; pd_buf_error (base/base.h) tells them apart. */
static const char *const known_wordings[] = {
	"text report: out of memory or output too large",
	"JSON report: out of memory or output too large",
	"Markdown report: out of memory or output too large",
	"DOT output: out of memory or output too large",
};
#define NKNOWN (sizeof known_wordings / sizeof known_wordings[0])
static bool known_seen[NKNOWN];

static bool is_oom_message(const char *msg)
{
	if (strcmp(msg, "out of memory") == 0)
		return true;
	for (size_t i = 0; i < NKNOWN; i++)
		if (strcmp(msg, known_wordings[i]) == 0)
			return known_seen[i] = true;
	return false;
}

/* Runs op with the n-th allocation failing, for n = 1, 2, ... until op makes fewer
 * than n allocations; returns how many runs failed. Every run must fail cleanly. */
static long every_failure(const char *what, op_fn op, void *ctx)
{
	long n = 1;
	for (;; n++) {
		pd_error err = {0};
		pd_alloc_fail_at(n);
		pd_status rc = op(ctx, &err);
		long used = pd_alloc_count();
		pd_alloc_fail_at(0);
		if (used < n) {
			if (rc != PD_OK)
				fail_msg("%s: fails (%d: %s) with no allocation failing", what, rc,
					 err.msg);
			break;
		}
		if (rc != PD_EINTERNAL || err.code != PD_EINTERNAL || !is_oom_message(err.msg))
			fail_msg("%s: allocation %ld of %ld failed: status %d, '%s'", what, n, used,
				 rc, err.msg);
	}
	assert_true(n > 1); /* the call allocates: the loop tested something */
	return n - 1;
}

/* ---- parsing ------------------------------------------------------------------- */
typedef struct parse_ctx {
	const pd_buf *text;
	unsigned flags;
} parse_ctx;

static pd_status parse_op(void *ctx, pd_error *err)
{
	const parse_ctx *c = ctx;
	pd_profile *p = (pd_profile *)(uintptr_t)1;
	pd_status rc = pd_profile_parse_flags("cpu_base.dot", c->text->data, c->text->len,
					      c->flags, &p, err);
	if (rc == PD_OK)
		pd_profile_free(p);
	else if (p)
		fail_msg("parse failed (%d) but returned a profile", rc);
	return rc;
}

static void read_fixture(const char *name, pd_buf *b)
{
	const char *dir = getenv("PD_FIXTURES");
	assert_non_null(dir);
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	pd_error err = {0};
	pd_buf_init(b, 0);
	if (pd_read_file(path, b, &err) != PD_OK)
		fail_msg("%s", err.msg);
}

static void test_parse(void **state)
{
	(void)state;
	static const struct {
		const char *what, *fixture;
		unsigned flags;
	} runs[] = {
		{"parse (pre-pass with references)", "cpu_base.dot", 0},
		{"parse (pre-pass without references)", "cpu_base.dot", PD_PARSE_NOREFS},
		{"parse (plain libcgraph)", "cpu_base.dot", PD_PARSE_PLAIN},
		/* Other shapes of input: Pyroscope's, labels only, escapes, nodelets. */
		{"parse (Pyroscope)", "edge/pyroscope.dot", 0},
		{"parse (mcp-grafana, no tooltips)", "cpu_base.fn.mcp.dot", 0},
		{"parse (escapes)", "edge/escapes.dot", 0},
		{"parse (nodelets)", "edge/nodelets.dot", 0},
	};
	for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
		pd_buf text;
		read_fixture(runs[i].fixture, &text);
		parse_ctx c = {&text, runs[i].flags};
		every_failure(runs[i].what, parse_op, &c);
		pd_buf_fini(&text);
	}
}

/* ---- diffing and reports ----------------------------------------------------------- */
typedef struct diff_ctx {
	pd_profile *base, *head;
	pd_diff_opts opts;
	pd_diff *d;
	pd_report_opts ro;
	pd_format format;
} diff_ctx;

static int setup_diff(void **state)
{
	diff_ctx *c = calloc(1, sizeof *c);
	if (!c)
		return -1;
	const char *dir = getenv("PD_FIXTURES");
	char path[1024];
	pd_error err = {0};
	snprintf(path, sizeof path, "%s/cpu_base.dot", dir ? dir : "fixtures");
	if (pd_profile_read(path, &c->base, &err) != PD_OK)
		return -1;
	snprintf(path, sizeof path, "%s/cpu_new.dot", dir ? dir : "fixtures");
	if (pd_profile_read(path, &c->head, &err) != PD_OK)
		return -1;
	pd_diff_opts_init(&c->opts);
	if (pd_diff_new(c->base, c->head, &c->opts, &c->d, &err) != PD_OK)
		return -1;
	*state = c;
	return 0;
}

static int teardown_diff(void **state)
{
	diff_ctx *c = *state;
	pd_diff_free(c->d);
	pd_profile_free(c->head);
	pd_profile_free(c->base);
	free(c);
	return 0;
}

static pd_status diff_op(void *ctx, pd_error *err)
{
	const diff_ctx *c = ctx;
	pd_diff *d = (pd_diff *)(uintptr_t)1;
	pd_status rc = pd_diff_new(c->base, c->head, &c->opts, &d, err);
	if (rc == PD_OK)
		pd_diff_free(d);
	else if (d)
		fail_msg("diff failed (%d) but returned a diff", rc);
	return rc;
}

static void test_diff(void **state)
{
	diff_ctx *c = *state;
	every_failure("pd_diff_new", diff_op, c);
	/* The other options take other paths: scaling, filters, cum ranking, lines. */
	c->opts.normalize = PD_NORMALIZE_TOTAL;
	c->opts.by = PD_METRIC_CUM;
	c->opts.ignore = "^runtime\\.";
	every_failure("pd_diff_new (normalize, by cum, ignore)", diff_op, c);
	pd_diff_opts_init(&c->opts);
	c->opts.granularity = PD_GRAN_LINE;
	every_failure("pd_diff_new (line granularity)", diff_op, c);
	pd_diff_opts_init(&c->opts);

	/* Inputs cleaned by mcp-grafana: per-line nodes, no tooltips, unweighted edges. */
	diff_ctx mcp = *c;
	pd_error err = {0};
	char path[1024];
	const char *dir = getenv("PD_FIXTURES");
	snprintf(path, sizeof path, "%s/cpu_base.mcp.dot", dir);
	assert_int_equal(pd_profile_read(path, &mcp.base, &err), PD_OK);
	snprintf(path, sizeof path, "%s/cpu_new.mcp.dot", dir);
	assert_int_equal(pd_profile_read(path, &mcp.head, &err), PD_OK);
	pd_diff *d = NULL;
	assert_int_equal(pd_diff_new(mcp.base, mcp.head, &mcp.opts, &d, &err), PD_OK);
	assert_true(d->short_names); /* the label-keyed path */
	pd_diff_free(d);
	every_failure("pd_diff_new (mcp-grafana inputs)", diff_op, &mcp);
	pd_profile_free(mcp.head);
	pd_profile_free(mcp.base);
}

typedef pd_status (*report_fn)(const pd_diff *d, const pd_report_opts *o, pd_buf *out,
			       pd_error *err);

static pd_status report_op(void *ctx, pd_error *err)
{
	const diff_ctx *c = ctx;
	static const report_fn fns[PD_FORMAT_KINDS] = {
		[PD_FORMAT_TEXT] = pd_report_text,
		[PD_FORMAT_JSON] = pd_report_json,
		[PD_FORMAT_MARKDOWN] = pd_report_markdown,
	};
	pd_buf out;
	pd_buf_init(&out, 0);
	pd_status rc = fns[c->format](c->d, &c->ro, &out, err);
	pd_buf_fini(&out);
	return rc;
}

static pd_status dot_op(void *ctx, pd_error *err)
{
	const diff_ctx *c = ctx;
	pd_buf out;
	pd_buf_init(&out, 0);
	pd_status rc = pd_diff_dot(c->d, 0, &out, err);
	if (rc == PD_OK)
		rc = pd_diff_dot(c->d, 10, &out, err); /* the node budget's own path */
	pd_buf_fini(&out);
	return rc;
}

/* The bundle's page (src/report/html.c) and the ASCII rewrite of a report. */
static pd_status html_op(void *ctx, pd_error *err)
{
	const diff_ctx *c = ctx;
	pd_buf out;
	pd_buf_init(&out, 0);
	pd_html_page p = {.title = "t", .svg = "<svg></svg>", .svg_len = 11, .provenance = "{}"};
	pd_status rc = pd_report_html(c->d, NULL, &p, &out, err);
	pd_buf_fini(&out);
	return rc;
}

static pd_status ascii_op(void *ctx, pd_error *err)
{
	const diff_ctx *c = ctx;
	pd_buf out;
	pd_buf_init(&out, 0);
	pd_status rc = pd_report_text(c->d, &(pd_report_opts){.top = 0}, &out, err);
	if (rc == PD_OK)
		rc = pd_report_ascii(&out, err);
	pd_buf_fini(&out);
	return rc;
}

static void test_reports(void **state)
{
	diff_ctx *c = *state;
	static const char *const names[PD_FORMAT_KINDS] = {
		[PD_FORMAT_TEXT] = "pd_report_text",
		[PD_FORMAT_JSON] = "pd_report_json",
		[PD_FORMAT_MARKDOWN] = "pd_report_markdown",
	};
	/* All rows (with hidden ones: both inputs are trimmed), and the top 5 with the
	 * "more not shown" line; text in color too. */
	for (int f = 0; f < PD_FORMAT_KINDS; f++) {
		c->format = (pd_format)f;
		c->ro = (pd_report_opts){.top = 0, .color = f == PD_FORMAT_TEXT};
		every_failure(names[f], report_op, c);
		c->ro = (pd_report_opts){.top = 5, .color = false};
		every_failure(names[f], report_op, c);
	}
	every_failure("pd_diff_dot", dot_op, c);
	every_failure("pd_report_html", html_op, c);
	every_failure("pd_report_ascii", ascii_op, c);
}

static void test_known_wordings_still_occur(void **state)
{
	(void)state;
	for (size_t i = 0; i < NKNOWN; i++)
		if (!known_seen[i])
			fail_msg("'%s' no longer occurs: delete it from known_wordings",
				 known_wordings[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_reports),
		cmocka_unit_test(test_known_wordings_still_occur),
	};
	return cmocka_run_group_tests(tests, setup_diff, teardown_diff);
}
