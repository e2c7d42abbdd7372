/* The oracle: profdiff's per-function deltas on untrimmed DOT renderings of real
 * profiles must equal `go tool pprof -top -diff_base` for every function, to the
 * printed precision (fixtures/gen/regen.sh produces both sides). */
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
	if (pd_profile_read(bp, &b, &err) || pd_profile_read(np, &n, &err))
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpu_exact),	  cmocka_unit_test(test_alloc_exact),
		cmocka_unit_test(test_cpu_auto_units), cmocka_unit_test(test_alloc_auto_units),
		cmocka_unit_test(test_noise),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
