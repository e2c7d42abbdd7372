/* Unit tests for what the parser refuses before or instead of trusting libcgraph: text
 * after the graph, too deep nesting, too many subgraphs, too much input (each with the
 * flag that raises it), sums that overflow int64, libcgraph's messages made one clean
 * line, and a leading byte-order mark, which must parse like the same file without. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/alloc.h"
#include "parse/parse.h"

#define NODE1 "N1 [label=\"main\\nmain\\n1s (50%)\" tooltip=\"main.main (1s)\"]\n"
static const char good[] = "digraph \"g\" {\n" NODE1 "}\n";

/* Parses text with limits lim (NULL: defaults); the status, and err's message. */
static pd_status try_parse(const char *text, size_t len, unsigned flags,
			   const pd_parse_limits *lim, pd_error *err)
{
	pd_profile *p = NULL;
	memset(err, 0, sizeof *err);
	pd_status rc = pd_profile_parse_limits("g.dot", text, len, flags, lim, &p, err);
	if ((rc == PD_OK) != (p != NULL))
		fail_msg("status %d but profile %p", rc, (void *)p);
	pd_profile_free(p);
	return rc;
}

/* Every mode must refuse text with code and a one-line message holding needle. */
static void refused(const char *text, size_t len, const pd_parse_limits *lim, pd_status code,
		    const char *needle)
{
	static const unsigned modes[] = {0, PD_PARSE_PLAIN, PD_PARSE_NOREFS, PD_PARSE_ARENA};
	for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
		pd_error err;
		pd_status rc = try_parse(text, len, modes[m], lim, &err);
		if (rc != code || !strstr(err.msg, needle) || !strstr(err.msg, "g.dot: ") ||
		    strchr(err.msg, '\n'))
			fail_msg("mode %u: status %d, '%s' (want %d, '%s')", modes[m], rc, err.msg,
				 code, needle);
	}
}

static void accepted(const char *text, const pd_parse_limits *lim)
{
	pd_error err;
	if (try_parse(text, strlen(text), 0, lim, &err) != PD_OK)
		fail_msg("refused: %s", err.msg);
}

static char *repeat(const char *head, const char *unit, size_t n, const char *mid,
		    const char *unit2, const char *tail)
{
	size_t cap = strlen(head) + n * (strlen(unit) + strlen(unit2)) + strlen(mid) + strlen(tail) + 1;
	char *s = malloc(cap), *o = s;
	o = stpcpy(o, head);
	for (size_t i = 0; i < n; i++)
		o = stpcpy(o, unit);
	o = stpcpy(o, mid);
	for (size_t i = 0; i < n; i++)
		o = stpcpy(o, unit2);
	stpcpy(o, tail);
	return s;
}

static void test_text_after_graph(void **state)
{
	(void)state;
	char buf[1024];
	snprintf(buf, sizeof buf, "%sN9 [label=\"x\"]\n", good);
	refused(buf, strlen(buf), NULL, PD_EINPUT, "text after the graph's closing '}' in line 4");
	snprintf(buf, sizeof buf, "%s%s", good, good);
	refused(buf, strlen(buf), NULL, PD_EINPUT, "text after the graph's closing '}'");
	/* Blanks and comments after it are fine; braces in strings, comments and HTML
	 * strings are not braces. */
	snprintf(buf, sizeof buf, "%s\n  // done }\n/* { } */ # x\n\r\n", good);
	accepted(buf, NULL);
	accepted("digraph \"g{\" { /* } */ // }\n# }\n" NODE1
		 "x [comment=<{<b>}</b>>] y [comment=\"\\\"}\"] }\n",
		 NULL);
}

static void test_nesting_depth(void **state)
{
	(void)state;
	/* The graph's body is level 1. */
	char *deep = repeat("digraph g {\n", "subgraph {", 64, NODE1, "}", "}\n");
	refused(deep, strlen(deep), NULL, PD_EINPUT, "nested deeper than 64 levels in line 2 (raise the limit with --max-nesting)");
	pd_parse_limits lim = {.max_depth = 70};
	accepted(deep, &lim);
	free(deep);
	deep = repeat("digraph g {\n", "{", 63, NODE1, "}", "}\n");
	accepted(deep, NULL);
	free(deep);
	/* The ceiling itself is read (in ASan builds too, with their bigger frames). */
	deep = repeat("digraph g {\n", "subgraph {", PD_PARSE_DEPTH_CEILING - 1, NODE1, "}", "}\n");
	lim.max_depth = PD_PARSE_DEPTH_CEILING;
	accepted(deep, &lim);
	free(deep);
	/* libcgraph crashed at about 3400 levels: refused up front, whatever the limit. */
	deep = repeat("digraph g {\n", "subgraph {", 3400, NODE1, "}", "}\n");
	lim.max_depth = 100000;
	refused(deep, strlen(deep), &lim, PD_EINPUT, "nested deeper than");
	free(deep);
}

static void test_subgraph_count(void **state)
{
	(void)state;
	char *many = repeat("digraph g {\n", "subgraph s {}\n", 1001, NODE1, "", "}\n");
	refused(many, strlen(many), NULL, PD_EINPUT, "more than 1000 subgraphs (raise the limit with --max-subgraphs)");
	pd_parse_limits lim = {.max_subgraphs = 1001};
	accepted(many, &lim);
	free(many);
	many = repeat("digraph g {\n", "{}", 1001, NODE1, "", "}\n");
	refused(many, strlen(many), NULL, PD_EINPUT, "more than 1000 subgraphs");
	free(many);
}

static void test_input_size(void **state)
{
	(void)state;
	pd_parse_limits lim = {.max_input = sizeof good - 2};
	refused(good, strlen(good), &lim, PD_EINPUT, "larger than");
	refused(good, strlen(good), &lim, PD_EINPUT, "(raise the limit with --max-input-size)");
	lim.max_input = sizeof good - 1;
	accepted(good, &lim);
	/* A file is refused while reading, with the same words. */
	char path[] = "/tmp/pd_guard_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, good, strlen(good)), (ssize_t)strlen(good));
	close(fd);
	pd_profile *p = NULL;
	pd_error err = {0};
	lim.max_input = 10;
	assert_int_equal(pd_profile_read_limits(path, 0, &lim, &p, &err), PD_EINPUT);
	assert_null(p);
	if (!strstr(err.msg, path) || !strstr(err.msg, "larger than 10 bytes (raise the limit with --max-input-size)"))
		fail_msg("'%s'", err.msg);
	lim.max_input = 0; /* the default */
	assert_int_equal(pd_profile_read_limits(path, 0, &lim, &p, &err), PD_OK);
	pd_profile_free(p);
	unlink(path);
}

static void test_sum_overflow(void **state)
{
	(void)state;
	const char *text = "digraph g {\n"
			   "N1 [label=\"a\\n5000000000s (50%)\" tooltip=\"a (5000000000s)\"]\n"
			   "N2 [label=\"b\\n5000000000s (50%)\" tooltip=\"b (5000000000s)\"]\n}\n";
	refused(text, strlen(text), NULL, PD_EINPUT, "overflow");
}

/* libcgraph quotes the offending token in full: a megabyte, control characters, and a
 * cut in the middle of a UTF-8 character once made messages garbled. */
static void test_clean_messages(void **state)
{
	(void)state;
	char *longtok = repeat("", "a", 100000, "", "", "");
	pd_error err;
	assert_int_equal(try_parse(longtok, strlen(longtok), 0, NULL, &err), PD_EINPUT);
	if (!strstr(err.msg, "near 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...'") ||
	    strlen(err.msg) > 160)
		fail_msg("'%s'", err.msg);
	free(longtok);
	/* 'a' then 200 'é': byte 60 is inside a character. */
	char *utf = repeat("a", "\xc3\xa9", 200, "", "", "");
	assert_int_equal(try_parse(utf, strlen(utf), 0, NULL, &err), PD_EINPUT);
	char want[128] = "near 'a";
	for (int i = 0; i < 29; i++)
		strcat(want, "\xc3\xa9");
	strcat(want, "...'");
	if (!strstr(err.msg, want))
		fail_msg("'%s'", err.msg);
	free(utf);
	const char esc[] = "\x1b[31m digraph {}";
	refused(esc, strlen(esc), NULL, PD_EINPUT, "near '\\x1b'");
	/* Invalid UTF-8 is escaped too, so the line is valid UTF-8. */
	const char bad[] = "\xff\xfe digraph {}";
	refused(bad, strlen(bad), NULL, PD_EINPUT, "near '\\xff\\xfe'");
}

static void test_bom(void **state)
{
	(void)state;
	char buf[1024];
	snprintf(buf, sizeof buf, "\xef\xbb\xbf%s", good);
	pd_profile *p = NULL;
	pd_error err = {0};
	/* REFS_ONLY: the fast path must run, with references into the right bytes. */
	if (pd_profile_parse_flags("g.dot", buf, strlen(buf), PD_PARSE_REFS_ONLY, &p, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(p->nnodes, 1);
	assert_string_equal(p->nodes[0].func, "main.main");
	assert_string_equal(pd_profile_get_info(p)->title, "g");
	pd_profile_free(p);
}

/* libcgraph's lexer and error hook are shared by the parser and the SVG renderer: a
 * file cut inside a string must not break the next render, nor a render cut inside a
 * string the next parse, and each error must name its own cause. */
static void test_svg_and_parse_share_libcgraph(void **state)
{
	(void)state;
	const char cut[] = "digraph g { N1 [label=\"x";
	const char dot[] = "digraph { a -> b }";
	pd_error err;
	pd_buf svg;
	for (int round = 0; round < 2; round++) {
		assert_int_equal(try_parse(cut, strlen(cut), 0, NULL, &err), PD_EINPUT);
		pd_buf_init(&svg, 0);
		memset(&err, 0, sizeof err);
		if (pd_render_svg(dot, strlen(dot), &svg, &err) != PD_OK)
			fail_msg("render after a cut parse: %s", err.msg);
		assert_non_null(strstr(svg.data, "<svg"));
		pd_buf_fini(&svg);
		pd_buf_init(&svg, 0);
		assert_int_not_equal(pd_render_svg(cut, strlen(cut), &svg, &err), PD_OK);
		pd_buf_fini(&svg);
		accepted(good, NULL);
		const char bad[] = "digraph g {\n\n a -> ; }";
		refused(bad, strlen(bad), NULL, PD_EINPUT, "malformed DOT: syntax error in line 3 near ';'");
	}
}

/* Out of memory at any allocation of a parse, in every mode: PD_EINTERNAL with the one
 * out-of-memory message, or a parse that works around it (the pre-pass is optional);
 * never PD_EINPUT, never a crash (libcgraph's own allocations are not hooked). */
static void test_out_of_memory(void **state)
{
	(void)state;
	static const char text[] =
		"digraph \"g\" {\nsubgraph cluster_L { \"File: x\" [shape=box label=\"File: "
		"x\\lType: cpu\\lShowing nodes accounting for 2s, 100% of 2s total\\l\"] }\n" NODE1
		"N2 [label=\"w\\n1s (50%)\" tooltip=\"main.work (1s)\"]\nN1 -> N2 [label=\" 1s\"]\n}\n";
	pd_error ref;
	pd_alloc_fail_at(0);
	assert_int_equal(pd_error_oom(&ref), PD_EINTERNAL);
	static const unsigned modes[] = {0, PD_PARSE_PLAIN, PD_PARSE_NOREFS, PD_PARSE_ARENA};
	for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
		pd_error err;
		assert_int_equal(try_parse(text, strlen(text), modes[m], NULL, &err), PD_OK);
		long total = pd_alloc_count();
		assert_true(total > 5);
		for (long n = 1; n <= total; n++) {
			pd_alloc_fail_at(n);
			pd_status rc = try_parse(text, strlen(text), modes[m], NULL, &err);
			pd_alloc_fail_at(0);
			if (rc != PD_OK && (rc != PD_EINTERNAL || strcmp(err.msg, ref.msg) != 0))
				fail_msg("mode %u, allocation %ld: %d '%s'", modes[m], n, rc, err.msg);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_after_graph), cmocka_unit_test(test_nesting_depth),
		cmocka_unit_test(test_subgraph_count),	 cmocka_unit_test(test_input_size),
		cmocka_unit_test(test_sum_overflow),	 cmocka_unit_test(test_clean_messages),
		cmocka_unit_test(test_bom),		 cmocka_unit_test(test_svg_and_parse_share_libcgraph),
		cmocka_unit_test(test_out_of_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
