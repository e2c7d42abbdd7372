/* Unit tests for the per-function tables (src/table/table.c), on profiles built in code:
 * line nodes summed per function, short-name keys, edges between nodes that collapse
 * into one entry dropped and parallel edges merged, out of memory at every step, and
 * sums that overflow int64. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "table/table.h"

/* Line nodes of two functions that share a short name ("pkg.f") in two packages, and
 * a caller g. Keys: func, line, short_func, short_line. */
#define S(text) ((char[]){text}) /* pd_node keys are mutable strings */
static pd_node nodes[] = {
	{S("a/pkg.f"), S("a/pkg.f a/f.go:10"), S("pkg.f"), S("pkg.f f.go:10"), 100, 300, 5, 5},
	{S("a/pkg.f"), S("a/pkg.f a/f.go:20"), S("pkg.f"), S("pkg.f f.go:20"), 20, 250, 5, 5},
	{S("b/pkg.f"), S("b/pkg.f b/f.go:10"), S("pkg.f"), S("pkg.f f.go:10"), 7, 7, 1, 1},
	{S("main.g"), S("main.g main.go:3"), S("main.g"), S("main.g main.go:3"), 1, 600, 0, 5},
};

static pd_pedge edges[] = {
	{3, 0, 200, true, false, false},  /* g -> a/f:10 */
	{3, 1, 50, false, true, false},   /* g -> a/f:20, unweighted and dotted */
	{0, 1, 40, true, false, true},    /* a/f:10 -> a/f:20: inside one function */
	{3, 2, 7, true, false, false},    /* g -> b/f */
};

static pd_profile mkprofile(void)
{
	pd_profile p;
	memset(&p, 0, sizeof p);
	p.nodes = nodes;
	p.nnodes = sizeof nodes / sizeof nodes[0];
	p.edges = edges;
	p.nedges = sizeof edges / sizeof edges[0];
	return p;
}

static const pd_fn *fn(const pd_table *t, const char *key)
{
	pd_fn *f;
	HASH_FIND_STR(t->fns, key, f);
	return f;
}

static const pd_tedge *edge(const pd_table *t, const char *from, const char *to)
{
	for (const pd_tedge *e = t->edges; e; e = e->hh.next)
		if (strcmp(e->key.from->key, from) == 0 && strcmp(e->key.to->key, to) == 0)
			return e;
	return NULL;
}

static void test_functions_sum_their_lines(void **state)
{
	(void)state;
	pd_profile p = mkprofile();
	pd_table t;
	pd_error err = {0};
	assert_int_equal(pd_table_build(&p, false, PD_GRAN_FUNCTION, &t, &err), PD_OK);
	assert_int_equal(HASH_COUNT(t.fns), 3);
	const pd_fn *f = fn(&t, "a/pkg.f");
	assert_non_null(f);
	assert_int_equal(f->flat, 120);
	assert_int_equal(f->cum, 550); /* an upper bound: flagged by nodes > 1 */
	assert_int_equal(f->flat_res, 10);
	assert_int_equal(f->cum_res, 10);
	assert_int_equal(f->nodes, 2);
	assert_string_equal(f->short_name, "pkg.f");
	assert_int_equal(f->row, SIZE_MAX);
	assert_int_equal(fn(&t, "b/pkg.f")->nodes, 1);
	assert_int_equal(fn(&t, "main.g")->cum, 600);

	/* The edge inside a/pkg.f is dropped; g's two edges into it merge. */
	assert_int_equal(HASH_COUNT(t.edges), 2);
	assert_null(edge(&t, "a/pkg.f", "a/pkg.f"));
	const pd_tedge *e = edge(&t, "main.g", "a/pkg.f");
	assert_non_null(e);
	assert_int_equal(e->weight, 250);
	assert_false(e->weighted); /* one part had no weight label */
	assert_true(e->residual);  /* one part was dotted */
	assert_false(e->inlined);
	e = edge(&t, "main.g", "b/pkg.f");
	assert_non_null(e);
	assert_int_equal(e->weight, 7);
	assert_true(e->weighted);
	pd_table_fini(&t);
	assert_null(t.fns);
	assert_null(t.edges);
}

static void test_lines_stay_apart(void **state)
{
	(void)state;
	pd_profile p = mkprofile();
	pd_table t;
	pd_error err = {0};
	assert_int_equal(pd_table_build(&p, false, PD_GRAN_LINE, &t, &err), PD_OK);
	assert_int_equal(HASH_COUNT(t.fns), 4);
	const pd_fn *f = fn(&t, "a/pkg.f a/f.go:20");
	assert_non_null(f);
	assert_int_equal(f->flat, 20);
	assert_int_equal(f->nodes, 1);
	assert_string_equal(f->short_name, "pkg.f f.go:20");
	/* Every edge joins two entries now, the one between lines of f included. */
	assert_int_equal(HASH_COUNT(t.edges), 4);
	const pd_tedge *e = edge(&t, "a/pkg.f a/f.go:10", "a/pkg.f a/f.go:20");
	assert_non_null(e);
	assert_true(e->inlined);
	pd_table_fini(&t);
}

static void test_short_keys_join_on_labels(void **state)
{
	(void)state;
	pd_profile p = mkprofile();
	pd_table t;
	pd_error err = {0};
	/* Without tooltips both packages' f are one entry, "pkg.f". */
	assert_int_equal(pd_table_build(&p, true, PD_GRAN_FUNCTION, &t, &err), PD_OK);
	assert_int_equal(HASH_COUNT(t.fns), 2);
	const pd_fn *f = fn(&t, "pkg.f");
	assert_non_null(f);
	assert_int_equal(f->flat, 127);
	assert_int_equal(f->nodes, 3);
	assert_null(fn(&t, "a/pkg.f"));
	const pd_tedge *e = edge(&t, "main.g", "pkg.f");
	assert_non_null(e);
	assert_int_equal(e->weight, 257);
	assert_int_equal(HASH_COUNT(t.edges), 1);
	pd_table_fini(&t);

	/* Short line keys: a/f.go:10 and b/f.go:10 share "pkg.f f.go:10". */
	assert_int_equal(pd_table_build(&p, true, PD_GRAN_LINE, &t, &err), PD_OK);
	assert_int_equal(HASH_COUNT(t.fns), 3);
	assert_int_equal(fn(&t, "pkg.f f.go:10")->flat, 107);
	pd_table_fini(&t);
}

static void test_empty_profile(void **state)
{
	(void)state;
	pd_profile p;
	memset(&p, 0, sizeof p);
	pd_table t;
	pd_error err = {0};
	assert_int_equal(pd_table_build(&p, false, PD_GRAN_FUNCTION, &t, &err), PD_OK);
	assert_null(t.fns);
	assert_null(t.edges);
	pd_table_fini(&t);
}

/* Every allocation fails in turn: each run ends in "out of memory" with an empty
 * table (the sanitizer build checks that nothing leaked), until n passes the count. */
static void test_out_of_memory(void **state)
{
	(void)state;
	pd_profile p = mkprofile();
	for (int g = 0; g < PD_GRAN_KINDS; g++) {
		long n = 1;
		for (;; n++) {
			pd_table t;
			pd_error err = {0};
			pd_alloc_fail_at(n);
			pd_status rc = pd_table_build(&p, false, (pd_granularity)g, &t, &err);
			long used = pd_alloc_count();
			pd_alloc_fail_at(0);
			if (used < n) {
				assert_int_equal(rc, PD_OK);
				pd_table_fini(&t);
				break;
			}
			assert_int_equal(rc, PD_EINTERNAL);
			assert_int_equal(err.code, PD_EINTERNAL);
			assert_string_equal(err.msg, "out of memory");
			assert_null(t.fns);
			assert_null(t.edges);
		}
		assert_true(n > 5); /* the table, entries, hash buckets and edges allocate */
	}
}

/* Sums near INT64_MAX: exactly INT64_MAX is fine, one more fails with PD_EINPUT naming
 * the file and what overflowed, and leaves the table empty. Each of the four node sums
 * and the edge weights. */
static void test_sums_overflow(void **state)
{
	(void)state;
	static const char *const what[] = {"flat values", "cum values", "flat rounding errors",
					   "cum rounding errors", "edge weights"};
	for (int field = 0; field < 5; field++) {
		for (int over = 0; over <= 1; over++) {
			pd_node two[] = {
				{S("f"), S("f f.go:1"), S("f"), S("f f.go:1"), 1, 1, 0, 0},
				{S("f"), S("f f.go:2"), S("f"), S("f f.go:2"), 1, 1, 0, 0},
				{S("g"), S("g g.go:1"), S("g"), S("g g.go:1"), 1, 1, 0, 0},
			};
			int64_t a = INT64_MAX - 5, b = 5 + over;
			int64_t *fa[] = {&two[0].flat, &two[0].cum, &two[0].flat_res, &two[0].cum_res};
			int64_t *fb[] = {&two[1].flat, &two[1].cum, &two[1].flat_res, &two[1].cum_res};
			pd_pedge e2[] = {{2, 0, 1, true, false, false}, {2, 1, 1, true, false, false}};
			if (field < 4) {
				*fa[field] = a;
				*fb[field] = b;
			} else {
				e2[0].weight = a;
				e2[1].weight = b;
			}
			pd_profile p;
			memset(&p, 0, sizeof p);
			p.info.source = "big.dot";
			p.nodes = two;
			p.nnodes = 3;
			p.edges = e2;
			p.nedges = 2;
			pd_table t;
			pd_error err = {0};
			pd_status rc = pd_table_build(&p, false, PD_GRAN_FUNCTION, &t, &err);
			if (!over) {
				assert_int_equal(rc, PD_OK);
				const pd_fn *f = fn(&t, "f");
				int64_t sums[] = {f->flat, f->cum, f->flat_res, f->cum_res,
						  edge(&t, "g", "f")->weight};
				assert_int_equal(sums[field], INT64_MAX);
				pd_table_fini(&t);
				continue;
			}
			assert_int_equal(rc, PD_EINPUT);
			char want[200];
			snprintf(want, sizeof want,
				 "big.dot: values overflow a 64-bit integer (sum of %s per function)",
				 what[field]);
			assert_string_equal(err.msg, want);
			assert_null(t.fns);
			assert_null(t.edges);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_functions_sum_their_lines),
		cmocka_unit_test(test_lines_stay_apart),
		cmocka_unit_test(test_short_keys_join_on_labels),
		cmocka_unit_test(test_empty_profile),
		cmocka_unit_test(test_out_of_memory),
		cmocka_unit_test(test_sums_overflow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
