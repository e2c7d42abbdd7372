/* Unit tests for src/cgraph: reads in every mode, libcgraph's first error captured and
 * the lexer reset after a read cut inside a string, N<k> node IDs that still print as
 * names, dense sequence numbers, anonymous graphs, and the arena discipline (zeroed
 * memory, reuse, resize; under ASan, that overflows and use after free are caught). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "cgraph/arena.h"
#include "cgraph/cgraph.h"

static const pd_cg_mode modes[] = {PD_CG_PLAIN, PD_CG_FAST, PD_CG_ARENA};

/* pd_cg_read scans a copy in place (two NULs at the end), which it may scribble on. */
static Agraph_t *read_text(const char *text, pd_cg_mode mode)
{
	size_t len = strlen(text);
	char *copy = calloc(len + 2, 1);
	memcpy(copy, text, len);
	Agraph_t *g = pd_cg_read(copy, len, mode);
	free(copy);
	return g;
}

static void test_names_and_sequence(void **state)
{
	(void)state;
	const char text[] = "digraph {\nN1 -> N02\nN02 -> x\n\"N7\" -> N123456789012345678901\n"
			    "N0 -> N1\n}\n";
	const char *names[] = {"N1", "N02", "x", "N7", "N123456789012345678901", "N0"};
	for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
		pd_cg_lock();
		Agraph_t *g = read_text(text, modes[m]);
		assert_non_null(g);
		assert_string_equal(pd_cg_graph_name(g), ""); /* anonymous */
		size_t bound = pd_cg_seq_bound(g), k = 0;
		unsigned char seen[16] = {0};
		assert_true(bound <= sizeof seen);
		for (Agnode_t *n = agfstnode(g); n; n = agnxtnode(g, n), k++) {
			assert_true(k < 6);
			assert_string_equal(agnameof(n), names[k]); /* in creation order */
			size_t seq = pd_cg_seq(n);
			assert_true(seq < bound);
			assert_false(seen[seq]);
			seen[seq] = 1;
		}
		assert_int_equal(k, 6);
		/* Lookups by name find the numbered nodes. */
		char n1[] = "N1", n2[] = "N02";
		Agnode_t *a = agnode(g, n1, 0), *b = agnode(g, n2, 0);
		assert_non_null(a);
		assert_non_null(b);
		assert_non_null(agedge(g, a, b, NULL, 0));
		pd_cg_close(g);
		pd_cg_unlock();
	}
}

/* libcgraph's parser stack overflows at about 3400 nested subgraphs: it reports an
 * error yet returns the graph it had, which callers must not take for the whole. */
static void test_error_with_a_graph(void **state)
{
	(void)state;
	size_t n = 3400;
	char *text = calloc(20 + 12 * n, 1), *o = text;
	o = stpcpy(o, "digraph {");
	for (size_t i = 0; i < n; i++)
		o = stpcpy(o, "subgraph {");
	o = stpcpy(o, "a");
	for (size_t i = 0; i <= n; i++)
		o = stpcpy(o, "}");
	pd_cg_lock();
	Agraph_t *g = read_text(text, PD_CG_FAST);
	if (!strstr(pd_cg_error(), "memory exhausted"))
		fail_msg("'%s'", pd_cg_error());
	pd_cg_close(g);
	pd_cg_unlock();
	free(text);
}

static void test_errors_and_lexer_reset(void **state)
{
	(void)state;
	for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
		pd_cg_lock();
		assert_null(read_text("digraph \"t\" {\na -> ;\n}\n", modes[m]));
		const char *msg = pd_cg_error();
		if (!strstr(msg, "syntax error") || !strstr(msg, "line 2") || strchr(msg, '\n'))
			fail_msg("mode %zu: '%s'", m, msg);
		/* Cut inside a quoted string: no graph, and no message either. */
		assert_null(read_text("digraph { a [label=\"x", modes[m]));
		/* The next read starts from a clean lexer, at line 1. */
		Agraph_t *g = read_text("digraph \"named\" { a -> b }", modes[m]);
		assert_non_null(g);
		assert_string_equal(pd_cg_graph_name(g), "named");
		assert_string_equal(pd_cg_error(), "");
		pd_cg_close(g);
		pd_cg_close(NULL);
		pd_cg_unlock();
	}
}

static bool all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static void test_arena(void **state)
{
	(void)state;
	Agmemdisc_t *d = &pd_cg_arena_disc;
	void *a = d->open(NULL);
	assert_non_null(a);
	unsigned char *p = d->alloc(a, 24);
	assert_non_null(p);
	assert_true(all_zero(p, 24));
	memset(p, 0xab, 24);
	/* A freed small block comes back, zeroed, for the same size. */
	d->free(a, p);
	unsigned char *q = d->alloc(a, 20);
	assert_ptr_equal(q, p);
	assert_true(all_zero(q, 20));
	/* Resizing keeps the content and zeroes what grows, in place or moved. */
	memset(q, 0xcd, 20);
	unsigned char *r = d->resize(a, q, 20, 300);
	assert_non_null(r);
	for (size_t i = 0; i < 20; i++)
		assert_int_equal(r[i], 0xcd);
	assert_true(all_zero(r + 20, 280));
	unsigned char *s = d->resize(a, r, 300, 4);
	assert_ptr_equal(s, r);
	s = d->resize(a, s, 4, 300);
	assert_true(all_zero(s + 4, 296));
	/* Blocks larger than the first mapping get their own. */
	unsigned char *big = d->alloc(a, (size_t)1 << 20);
	assert_non_null(big);
	assert_true(all_zero(big, (size_t)1 << 20));
	d->close(a);
}

#ifdef PD_SANITIZE_BUILD
/* A store the compiler must keep (and ASan must check). */
static void poke(unsigned char *p, long i)
{
	((volatile unsigned char *)p)[i] = 1;
}

/* Runs bad(p) on a fresh 24-byte arena allocation in a child; true if the child died
 * (ASan's report, silenced) rather than exited 0. */
static bool caught(void (*bad)(Agmemdisc_t *d, void *a, unsigned char *p))
{
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (!freopen("/dev/null", "w", stderr))
			_exit(2);
		Agmemdisc_t *d = &pd_cg_arena_disc;
		void *a = d->open(NULL);
		bad(d, a, d->alloc(a, 24));
		_exit(0);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void past_end(Agmemdisc_t *d, void *a, unsigned char *p)
{
	(void)d, (void)a;
	poke(p, 24);
}

static void before_start(Agmemdisc_t *d, void *a, unsigned char *p)
{
	(void)d, (void)a;
	poke(p, -1);
}

static void after_free(Agmemdisc_t *d, void *a, unsigned char *p)
{
	d->free(a, p);
	poke(p, 0);
}

static void past_shrink(Agmemdisc_t *d, void *a, unsigned char *p)
{
	p = d->resize(a, p, 24, 8);
	poke(p, 8);
}

static void in_slack(Agmemdisc_t *d, void *a, unsigned char *p)
{
	(void)d, (void)a;
	poke(p, 4000); /* beyond everything allocated so far in the mapping */
}

static void well_behaved(Agmemdisc_t *d, void *a, unsigned char *p)
{
	poke(p, 23);
	p = d->resize(a, p, 24, 200);
	poke(p, 199);
	d->close(a);
}

static void test_arena_under_asan(void **state)
{
	(void)state;
	assert_false(caught(well_behaved));
	assert_true(caught(past_end));
	assert_true(caught(before_start));
	assert_true(caught(after_free));
	assert_true(caught(past_shrink));
	assert_true(caught(in_slack));
}
#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_and_sequence),
		cmocka_unit_test(test_errors_and_lexer_reset),
		cmocka_unit_test(test_error_with_a_graph),
		cmocka_unit_test(test_arena),
#ifdef PD_SANITIZE_BUILD
		cmocka_unit_test(test_arena_under_asan),
#endif
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
