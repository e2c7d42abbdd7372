/* The oracle: profdiff's per-function deltas on untrimmed DOT renderings of real
 * profiles must equal `go tool pprof -top -diff_base` for every function, to the
 * printed precision (fixtures/gen/regen.sh produces both sides). The exact inputs
 * (pprof protobuf, flamegraph JSON; fixtures/gen/regen_langs.sh) must equal
 * `go tool pprof -top` in base units with no tolerance at all, per profile and per diff. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "profdiff/profdiff.h"
#include "exact/exact.h"

typedef struct oracle_row {
	char *name;
	int64_t flat, cum, flat_res, cum_res;
} oracle_row;

static int64_t val(const char *tok, int64_t *res)
{
	int64_t v;
	pd_unit u;
	pd_error err;
	if (pd_value_parse(tok, strlen(tok), &v, &u, res, &err) != PD_OK)
		fail_msg("oracle value '%s': %s", tok, err.msg);
	return v;
}

/* Reads the rows of a `pprof -top` listing: "flat flat% sum% cum cum% name". */
static size_t read_top(const char *path, oracle_row **out)
{
	FILE *f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s", path);
	char line[8192];
	bool table = false;
	size_t n = 0, cap = 0;
	oracle_row *rows = NULL;
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!table) {
			table = strstr(line, "flat%") && strstr(line, "cum%");
			continue;
		}
		char flat[64], fp[64], sp[64], cum[64], cp[64];
		int used = 0;
		if (sscanf(line, " %63s %63s %63s %63s %63s %n", flat, fp, sp, cum, cp, &used) != 5)
			continue;
		char *name = line + used;
		size_t len = strlen(name);
		const char *marks[] = {" (inline)", " (partial-inline)"};
		for (int k = 0; k < 2; k++) {
			size_t m = strlen(marks[k]);
			if (len > m && strcmp(name + len - m, marks[k]) == 0)
				name[len -= m] = '\0';
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			rows = realloc(rows, cap * sizeof *rows);
		}
		rows[n].name = strdup(name);
		rows[n].flat = val(flat, &rows[n].flat_res);
		rows[n].cum = val(cum, &rows[n].cum_res);
		n++;
	}
	fclose(f);
	if (!table || n == 0)
		fail_msg("%s: no -top table", path);
	*out = rows;
	return n;
}

static char *fixture(const char *name)
{
	const char *dir = getenv("PD_FIXTURES");
	if (!dir)
		dir = "fixtures";
	size_t len = strlen(dir) + strlen(name) + 2;
	char *p = malloc(len);
	snprintf(p, len, "%s/%s", dir, name);
	return p;
}

/* exact: both renderings use a fixed unit, so values must match to the unit. */
static void check(const char *base, const char *new, const char *top, bool exact)
{
	char *bp = fixture(base), *np = fixture(new), *tp = fixture(top);
	pd_profile *b = NULL, *n = NULL;
	pd_diff *d = NULL;
	pd_error err = {0};
	if (pd_exact_read_any(bp, NULL, &b, &err) || pd_exact_read_any(np, NULL, &n, &err))
		fail_msg("%s", err.msg);
	pd_diff_opts o;
	pd_diff_opts_init(&o);
	if (pd_diff_new(b, n, &o, &d, &err))
		fail_msg("%s", err.msg);
	oracle_row *rows;
	size_t nrows = read_top(tp, &rows);
	bool *seen = calloc(d->nrows + 1, sizeof *seen);
	for (size_t i = 0; i < nrows; i++) {
		const pd_diff_row *r = NULL;
		for (size_t k = 0; k < d->nrows; k++)
			if (strcmp(d->rows[k].name, rows[i].name) == 0) {
				r = &d->rows[k];
				seen[k] = true;
			}
		if (!r)
			fail_msg("%s: pprof lists '%s', profdiff does not", top, rows[i].name);
		int64_t tf = exact ? 0 : rows[i].flat_res + 2 * r->tol.flat;
		int64_t tc = exact ? 0 : rows[i].cum_res + 2 * r->tol.cum;
		if (llabs(r->delta.flat - rows[i].flat) > tf || llabs(r->delta.cum - rows[i].cum) > tc)
			fail_msg("%s: %s: profdiff flat %lld cum %lld, pprof flat %lld cum %lld", top,
				 rows[i].name, (long long)r->delta.flat, (long long)r->delta.cum,
				 (long long)rows[i].flat, (long long)rows[i].cum);
		assert_true(r->status != PD_ROW_HIDDEN); /* inputs are untrimmed */
	}
	/* pprof drops functions whose net flat and cum are both zero; nothing else. */
	for (size_t k = 0; k < d->nrows; k++)
		if (!seen[k] && (d->rows[k].delta.flat || d->rows[k].delta.cum) && exact)
			fail_msg("%s: profdiff reports '%s' (%lld), pprof does not", top, d->rows[k].name,
				 (long long)d->rows[k].delta.flat);
	print_message("%s: %zu functions agree\n", top, nrows);
	for (size_t i = 0; i < nrows; i++)
		free(rows[i].name);
	free(rows);
	free(seen);
	pd_diff_free(d);
	pd_profile_free(b);
	pd_profile_free(n);
	free(bp);
	free(np);
	free(tp);
}

static void test_cpu_exact(void **s)
{
	(void)s;
	check("cpu_base.full.ms.dot", "cpu_new.full.ms.dot", "oracle/cpu.diff.top.ms.txt", true);
}
static void test_alloc_exact(void **s)
{
	(void)s;
	check("alloc_base.full.B.dot", "alloc_new.full.B.dot", "oracle/alloc.diff.top.B.txt", true);
}
static void test_cpu_auto_units(void **s)
{
	(void)s;
	check("cpu_base.full.dot", "cpu_new.full.dot", "oracle/cpu.diff.top.txt", false);
}
static void test_alloc_auto_units(void **s)
{
	(void)s;
	check("alloc_base.full.dot", "alloc_new.full.dot", "oracle/alloc.diff.top.txt", false);
}
static void test_noise(void **s)
{
	(void)s;
	check("cpu_noise_a.full.dot", "cpu_noise_b.full.dot", "oracle/noise.diff.top.txt", false);
}

/* One profile read by the exact readers against `pprof -top` of it: every row equal,
 * and no node with a value that pprof does not list. */
static void check_one(const char *prof, const char *si, bool lines, const char *top)
{
	char *pp = fixture(prof), *tp = fixture(top);
	pd_exact_opts o;
	pd_exact_opts_init(&o);
	o.sample_index = si;
	o.lines = lines;
	pd_profile *p = NULL;
	pd_error err = {0};
	if (pd_exact_read_any(pp, &o, &p, &err))
		fail_msg("%s", err.msg);
	oracle_row *rows;
	size_t nrows = read_top(tp, &rows);
	size_t matched = 0;
	for (size_t i = 0; i < nrows; i++) {
		const pd_node *nd = NULL;
		for (size_t k = 0; k < p->nnodes; k++)
			if (strcmp(lines ? p->nodes[k].line : p->nodes[k].func, rows[i].name) == 0)
				nd = &p->nodes[k];
		if (!nd)
			fail_msg("%s: pprof lists '%s', the %s reader does not", top, rows[i].name, prof);
		if (nd->flat != rows[i].flat || nd->cum != rows[i].cum)
			fail_msg("%s: %s: %s flat %lld cum %lld, pprof flat %lld cum %lld", top,
				 rows[i].name, prof, (long long)nd->flat, (long long)nd->cum,
				 (long long)rows[i].flat, (long long)rows[i].cum);
		matched++;
	}
	assert_int_equal(matched, p->nnodes);
	assert_false(p->info.trimmed);
	print_message("%s = %s: %zu rows agree exactly\n", prof, top, nrows);
	for (size_t i = 0; i < nrows; i++)
		free(rows[i].name);
	free(rows);
	pd_profile_free(p);
	free(pp);
	free(tp);
}

static void test_pprof_tops(void **s)
{
	(void)s;
	static const char *const cases[][4] = {
		/* profile, sample index, "l" for -lines, top */
		{"cpu_base.pb.gz", NULL, "", "oracle/cpu_base.top.ns.txt"},
		{"cpu_new.pb.gz", NULL, "", "oracle/cpu_new.top.ns.txt"},
		{"cpu_noise_a.pb.gz", NULL, "", "oracle/cpu_noise_a.top.ms.txt"},
		{"cpu_noise_b.pb.gz", NULL, "", "oracle/cpu_noise_b.top.ms.txt"},
		{"alloc_base.pb.gz", "alloc_space", "", "oracle/alloc_base.top.B.txt"},
		{"alloc_new.pb.gz", NULL, "", "oracle/alloc_new.top.B.txt"},
		{"langs/java_cpu.pb.gz", NULL, "", "langs/java_cpu.top.ns.txt"},
		{"langs/java_cpu.pb.gz", NULL, "l", "langs/java_cpu.lines.top.ns.txt"},
		{"langs/java_cpu_new.pb.gz", NULL, "", "langs/java_cpu_new.top.ns.txt"},
		{"langs/java_cpu_new.pb.gz", NULL, "l", "langs/java_cpu_new.lines.top.ns.txt"},
		{"langs/java_alloc.pb.gz", NULL, "", "langs/java_alloc.top.B.txt"},
		{"langs/java_alloc.pb.gz", NULL, "l", "langs/java_alloc.lines.top.B.txt"},
		{"langs/node_cpu.pb.gz", NULL, "", "langs/node_cpu.top.ns.txt"},
		{"langs/node_cpu.pb.gz", NULL, "l", "langs/node_cpu.lines.top.ns.txt"},
		{"langs/goyacc_cpu.pb.gz", NULL, "", "langs/goyacc_cpu.top.ns.txt"},
		{"langs/goyacc_cpu.pb.gz", NULL, "l", "langs/goyacc_cpu.lines.top.ns.txt"},
		{"langs/goyacc_heap.pb.gz", NULL, "", "langs/goyacc_heap.top.B.txt"},
		{"langs/goyacc_heap.pb.gz", NULL, "l", "langs/goyacc_heap.lines.top.B.txt"},
		{"langs/goyacc_heap.pb.gz", "alloc_objects", "", "langs/goyacc_heap.alloc_objects.top.txt"},
		{"langs/goyacc_heap.pb.gz", "0", "", "langs/goyacc_heap.alloc_objects.top.txt"},
		{"langs/dotnet_cpu.pb.gz", NULL, "", "langs/dotnet_cpu.top.ns.txt"},
		{"langs/dotnet_cpu.pb.gz", NULL, "l", "langs/dotnet_cpu.lines.top.ns.txt"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		check_one(cases[i][0], cases[i][1], *cases[i][2] == 'l', cases[i][3]);
}

/* Flamegraphs carry function names only: the function-level -top of the same profile. */
static void test_flamegraph_tops(void **s)
{
	(void)s;
	static const char *const cases[][2] = {
		{"cpu_base.flamegraph.json", "oracle/cpu_base.top.ns.txt"},
		{"cpu_new.flamegraph.json", "oracle/cpu_new.top.ns.txt"},
		{"cpu_noise_a.flamegraph.json", "oracle/cpu_noise_a.top.ms.txt"},
		{"alloc_base.flamegraph.json", "oracle/alloc_base.top.B.txt"},
		{"alloc_new.flamegraph.json", "oracle/alloc_new.top.B.txt"},
		{"langs/java_cpu.flamegraph.json", "langs/java_cpu.top.ns.txt"},
		{"langs/java_alloc.flamegraph.json", "langs/java_alloc.top.B.txt"},
		{"langs/node_cpu.flamegraph.json", "langs/node_cpu.top.ns.txt"},
		{"langs/goyacc_cpu.flamegraph.json", "langs/goyacc_cpu.top.ns.txt"},
		{"langs/goyacc_heap.flamegraph.json", "langs/goyacc_heap.top.B.txt"},
		{"langs/dotnet_cpu.flamegraph.json", "langs/dotnet_cpu.top.ns.txt"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		check_one(cases[i][0], NULL, false, cases[i][1]);
}

/* Diffs of exact inputs: no tolerance, every function pprof lists and nothing else. */
static void test_exact_diffs(void **s)
{
	(void)s;
	check("cpu_base.pb.gz", "cpu_new.pb.gz", "oracle/cpu.diff.top.ms.txt", true);
	check("alloc_base.pb.gz", "alloc_new.pb.gz", "oracle/alloc.diff.top.B.txt", true);
	check("cpu_noise_a.pb.gz", "cpu_noise_b.pb.gz", "oracle/noise.diff.top.ms.txt", true);
	check("langs/java_cpu.pb.gz", "langs/java_cpu_new.pb.gz", "langs/java_cpu.diff.top.ns.txt",
	      true);
	check("cpu_base.flamegraph.json", "cpu_new.flamegraph.json", "oracle/cpu.diff.top.ms.txt",
	      true);
	check("alloc_base.flamegraph.json", "alloc_new.flamegraph.json",
	      "oracle/alloc.diff.top.B.txt", true);
	check("langs/java_cpu.flamegraph.json", "langs/java_cpu_new.flamegraph.json",
	      "langs/java_cpu.diff.top.ns.txt", true);
	/* Mixed: a protobuf base against a flamegraph head. */
	check("cpu_base.pb.gz", "cpu_new.flamegraph.json", "oracle/cpu.diff.top.ms.txt", true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpu_exact),	  cmocka_unit_test(test_alloc_exact),
		cmocka_unit_test(test_cpu_auto_units), cmocka_unit_test(test_alloc_auto_units),
		cmocka_unit_test(test_noise),		  cmocka_unit_test(test_pprof_tops),
		cmocka_unit_test(test_flamegraph_tops), cmocka_unit_test(test_exact_diffs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
