/* Unit tests for the diff (src/diff/diff.c, src/table/table.c): statuses, truncation
 * bounds, normalization, filters, ranking, line aggregation, input compatibility, and
 * values near INT64_MAX (on profiles built in code: no DOT file can hold them all). */
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
#include "parse/parse.h"

/* A pprof-style DOT: legend with type, total and an optional trimming line, then
 * nodes given as "fullname|flat|cum" (values in ms) with tooltips. */
static pd_profile *mk(const char *type, int total_ms, const char *trim, const char *const *nodes,
		      size_t n, const char *edges)
{
	char buf[8192];
	int shown = 0;
	for (size_t i = 0; i < n; i++) {
		char name[128];
		int flat, cum;
		sscanf(nodes[i], "%127[^|]|%d|%d", name, &flat, &cum);
		shown += flat;
	}
	int o = snprintf(buf, sizeof buf,
			 "digraph \"t\" {\nsubgraph cluster_L { \"Type: %s\" [label=\"Type: %s\\lShowing "
			 "nodes accounting for %dms, 50%% of %dms total\\l%s\"] }\n",
			 type, type, shown, total_ms, trim ? trim : "");
	for (size_t i = 0; i < n; i++) {
		char name[128];
		int flat, cum;
		sscanf(nodes[i], "%127[^|]|%d|%d", name, &flat, &cum);
		o += snprintf(buf + o, sizeof buf - (size_t)o,
			      "N%zu [label=\"%s\\n%dms (1%%)\\nof %dms (2%%)\" tooltip=\"%s (%dms)\"]\n",
			      i + 1, name, flat, cum, name, cum);
	}
	o += snprintf(buf + o, sizeof buf - (size_t)o, "%s}\n", edges ? edges : "");
	pd_profile *p = NULL;
	pd_error err = {0};
	if (pd_profile_parse(type, buf, (size_t)o, &p, &err) != PD_OK)
		fail_msg("mk: %s", err.msg);
	return p;
}

static const pd_diff_row *row(const pd_diff *d, const char *name)
{
	for (size_t i = 0; i < d->nrows; i++)
		if (strcmp(d->rows[i].name, name) == 0)
			return &d->rows[i];
	fail_msg("no row %s", name);
	abort(); /* not reached: tells the compiler the result is never NULL */
}

static pd_diff *run(const pd_profile *b, const pd_profile *n, const pd_diff_opts *o)
{
	pd_diff_opts def;
	pd_diff_opts_init(&def);
	pd_diff *d = NULL;
	pd_error err = {0};
	if (pd_diff_new(b, n, o ? o : &def, &d, &err) != PD_OK)
		fail_msg("diff: %s", err.msg);
	return d;
}

static const char *const base_nodes[] = {"main.a|100|400", "main.b|50|50", "main.c|30|30",
					 "main.root|0|500"};
static const char *const new_nodes[] = {"main.a|400|700", "main.b|50|50", "main.d|20|20",
					"main.root|0|800"};

static void test_statuses_and_ranking(void **state)
{
	(void)state;
	pd_profile *b = mk("cpu", 180, NULL, base_nodes, 4, "N4 -> N1 [label=\" 400ms\"]\n");
	pd_profile *n = mk("cpu", 470, NULL, new_nodes, 4, "N4 -> N1 [label=\" 700ms\"]\n");
	pd_diff *d = run(b, n, NULL);
	assert_int_equal(d->nrows, 5);
	assert_string_equal(d->rows[0].name, "main.a"); /* largest |delta flat| first */
	const pd_diff_row *a = row(d, "main.a");
	assert_int_equal(a->status, PD_ROW_CHANGED);
	assert_int_equal(a->delta.flat, 300000000);
	assert_int_equal(a->delta.cum, 300000000);
	assert_true(fabs(a->share_base - 100.0 / 180) < 1e-9);
	assert_true(fabs(a->share_new - 400.0 / 470) < 1e-9);
	assert_int_equal(row(d, "main.b")->status, PD_ROW_UNCHANGED);
	const pd_diff_row *c = row(d, "main.c");
	assert_int_equal(c->status, PD_ROW_REMOVED);
	assert_int_equal(c->delta.flat, -30000000);
	assert_false(c->in_new);
	const pd_diff_row *nd = row(d, "main.d");
	assert_int_equal(nd->status, PD_ROW_NEW);
	assert_int_equal(nd->delta.flat, 20000000);
	/* Ties on |delta flat| (root 0, b 0) fall back to |delta cum|, then the name. */
	assert_string_equal(d->rows[1].name, "main.c");
	assert_string_equal(d->rows[2].name, "main.d");
	assert_string_equal(d->rows[3].name, "main.root");
	assert_string_equal(d->rows[4].name, "main.b");
	assert_int_equal(d->nedges, 1);
	assert_int_equal(d->edges[0].delta, 300000000);
	assert_string_equal(d->rows[d->edges[0].from].name, "main.root");
	pd_diff_free(d);

	pd_diff_opts o;
	pd_diff_opts_init(&o);
	o.by = PD_METRIC_CUM;
	d = run(b, n, &o);
	/* Both at cum +300: the other metric breaks the tie (a: flat +300, root: 0). */
	assert_string_equal(d->rows[0].name, "main.a");
	assert_string_equal(d->rows[1].name, "main.root");
	pd_diff_free(d);
	pd_profile_free(b);
	pd_profile_free(n);
}

static void test_trimmed_side_is_hidden_not_removed(void **state)
{
	(void)state;
	/* Base trimmed by fraction: T = 1000ms, shown 180ms, cutoff 50ms. */
	pd_profile *b = mk("cpu", 1000, "Dropped 9 nodes (cum <= 50ms)\\l", base_nodes, 4, NULL);
	pd_profile *n = mk("cpu", 470, NULL, new_nodes, 4, NULL);
	pd_diff *d = run(b, n, NULL);
	const pd_diff_row *nd = row(d, "main.d"); /* absent from the trimmed base */
	assert_int_equal(nd->status, PD_ROW_HIDDEN);
	/* base flat in [0, min(T - X, cutoff)] = [0, 50ms]; new flat 20ms */
	assert_int_equal(nd->delta_min.flat, 20000000 - 50000000);
	assert_int_equal(nd->delta_max.flat, 20000000);
	assert_int_equal(nd->delta.flat, 0); /* the interval spans zero */
	assert_int_equal(nd->delta_min.cum, 20000000 - 50000000);
	/* Absent from the untrimmed new side: really removed. */
	assert_int_equal(row(d, "main.c")->status, PD_ROW_REMOVED);
	pd_diff_free(d);
	pd_profile_free(b);
	pd_profile_free(n);

	/* New side count-trimmed: a missing function's cum is bounded only by T. */
	b = mk("cpu", 180, NULL, base_nodes, 4, NULL);
	n = mk("cpu", 2000, "Showing top 4 nodes out of 40\\l", new_nodes, 4, NULL);
	d = run(b, n, NULL);
	const pd_diff_row *c = row(d, "main.c");
	assert_int_equal(c->status, PD_ROW_HIDDEN);
	assert_int_equal(c->delta_min.flat, -30000000);
	assert_int_equal(c->delta_max.flat, 2000000000LL - 470000000 - 30000000);
	assert_int_equal(c->delta_max.cum, 2000000000LL - 30000000);
	assert_int_equal(c->delta.flat, 0);
	pd_diff_free(d);
	pd_profile_free(b);
	pd_profile_free(n);
}

/* Pyroscope's "other": a function cut into it on one side is hidden within other's
 * value, never new or removed, and "other" itself is never a row (pyroscope-api.md 4.6). */
static void test_other_is_trimming(void **state)
{
	(void)state;
	static const char *const bn[] = {"main.work|4000|4000", "time.Now|500|500",
					 "main.main|0|4500"};
	static const char *const nn[] = {"main.work|4000|4000", "other|450|450",
					 "main.main|0|4450"};
	pd_profile *b = mk("cpu", 4500, NULL, bn, 3, "N3 -> N1 [label=\" 4s\"]\n");
	pd_profile *n = mk("cpu", 4450, NULL, nn, 3,
			   "N3 -> N1 [label=\" 4s\"]\nN3 -> N2 [label=\" 450ms\"]\n");
	const pd_profile_info *ni = pd_profile_get_info(n);
	assert_true(ni->has_other);
	assert_int_equal(ni->other, 450000000);
	assert_true(ni->trimmed);
	assert_false(pd_profile_get_info(b)->has_other);
	pd_diff *d = run(b, n, NULL);
	const pd_diff_row *t = row(d, "time.Now");
	assert_int_equal(t->status, PD_ROW_HIDDEN);
	/* new value in [0, 450ms]: the change in [-500ms, -50ms] */
	assert_int_equal(t->delta_min.flat, -500000000);
	assert_int_equal(t->delta_max.flat, -50000000);
	assert_int_equal(t->delta_max.cum, -50000000);
	assert_int_equal(t->delta.flat, -50000000);
	for (size_t i = 0; i < d->nrows; i++)
		assert_string_not_equal(d->rows[i].name, "other");
	assert_int_equal(d->nrows, 3);
	assert_int_equal(d->nfiltered, 0);
	assert_int_equal(d->new_total, 4450000000LL); /* other stays in the total */
	pd_diff_free(d);
	/* The other way round: in other on the base side, hidden rather than new. */
	d = run(n, b, NULL);
	t = row(d, "time.Now");
	assert_int_equal(t->status, PD_ROW_HIDDEN);
	assert_int_equal(t->delta_min.flat, 50000000);
	assert_int_equal(t->delta_max.flat, 500000000);
	pd_diff_free(d);
	pd_profile_free(b);
	pd_profile_free(n);
}

static void test_normalize_and_filters(void **state)
{
	(void)state;
	pd_profile *b = mk("cpu", 180, NULL, base_nodes, 4, NULL);
	pd_profile *n = mk("cpu", 360, NULL, base_nodes, 4, NULL); /* same shape, twice the total */
	pd_diff_opts o;
	pd_diff_opts_init(&o);
	o.normalize = PD_NORMALIZE_TOTAL;
	pd_diff *d = run(b, n, &o);
	assert_true(fabs(d->scale - 0.5) < 1e-12);
	assert_int_equal(d->new_total, 180000000);
	assert_int_equal(row(d, "main.a")->head.flat, 50000000);
	assert_int_equal(row(d, "main.a")->delta.flat, -50000000);
	pd_diff_free(d);

	pd_diff_opts_init(&o);
	o.focus = "^main\\.(a|b)$";
	o.ignore = "b";
	d = run(b, n, &o);
	assert_int_equal(d->nrows, 1);
	assert_string_equal(d->rows[0].name, "main.a");
	assert_int_equal(d->nfiltered, 3);
	pd_diff_free(d);

	pd_diff_opts_init(&o);
	o.focus = "(";
	pd_error err = {0};
	assert_int_equal(pd_diff_new(b, n, &o, &d, &err), PD_EUSAGE);
	assert_non_null(strstr(err.msg, "--focus"));
	assert_null(d);
	pd_profile_free(b);
	pd_profile_free(n);
}

static void test_incompatible_inputs(void **state)
{
	(void)state;
	pd_profile *cpu = mk("cpu", 180, NULL, base_nodes, 4, NULL);
	pd_profile *alloc = mk("alloc_space", 180, NULL, base_nodes, 4, NULL);
	pd_diff_opts o;
	pd_diff_opts_init(&o);
	pd_diff *d = NULL;
	pd_error err = {0};
	assert_int_equal(pd_diff_new(cpu, alloc, &o, &d, &err), PD_EINPUT);
	assert_string_equal(err.msg, "incompatible profiles: cpu is 'cpu' (nanoseconds), "
				     "alloc_space is 'alloc_space' (nanoseconds); --force to diff "
				     "anyway");
	/* --force: diffed, and the diff says so. */
	o.force = true;
	assert_int_equal(pd_diff_new(cpu, alloc, &o, &d, &err), PD_OK);
	assert_true(d->forced);
	pd_diff_free(d);
	d = NULL;
	assert_int_equal(pd_diff_new(cpu, cpu, &o, &d, &err), PD_OK);
	assert_false(d->forced); /* comparable: nothing was forced */
	pd_diff_free(d);
	d = NULL;
	o.force = false;

	const char *bytes = "digraph g { N1 [label=\"f\\n1MB (100%)\" tooltip=\"f (1MB)\"] }";
	pd_profile *bp = NULL;
	assert_int_equal(pd_profile_parse("b.dot", bytes, strlen(bytes), &bp, &err), PD_OK);
	assert_int_equal(pd_diff_new(cpu, bp, &o, &d, &err), PD_EINPUT);
	assert_string_equal(err.msg, "incompatible profiles: cpu is 'cpu' (nanoseconds), b.dot is "
				     "'no type' (bytes); --force to diff anyway");

	const char *neg = "digraph g { N1 [label=\"f\\n-1s (100%)\" tooltip=\"f (-1s)\"] }";
	pd_profile *np = NULL;
	assert_int_equal(pd_profile_parse("d.dot", neg, strlen(neg), &np, &err), PD_OK);
	assert_int_equal(pd_diff_new(cpu, np, &o, &d, &err), PD_EINPUT);
	assert_non_null(strstr(err.msg, "already a diff"));

	pd_profile *empty = mk("cpu", 0, NULL, NULL, 0, NULL);
	assert_int_equal(pd_diff_new(cpu, empty, &o, &d, &err), PD_ENODATA);
	assert_non_null(strstr(err.msg, "empty"));
	pd_profile_free(cpu);
	pd_profile_free(alloc);
	pd_profile_free(bp);
	pd_profile_free(np);
	pd_profile_free(empty);
}

/* Line nodes of one function are summed; a file without tooltips joins on short names. */
static void test_lines_and_short_names(void **state)
{
	(void)state;
	const char *full =
		"digraph g {\n"
		"N1 [label=\"pricing\\nQuote\\nquote.go:10\\n1s (50%)\" tooltip=\"example.com/pricing.Quote "
		"/src/pricing/quote.go:10 (1s)\"]\n"
		"N2 [label=\"pricing\\nQuote\\nquote.go:12\\n0.50s (25%)\\nof 0.80s (40%)\" "
		"tooltip=\"example.com/pricing.Quote /src/pricing/quote.go:12 (0.80s)\"]\n"
		"N3 [label=\"main\\nmain\\nmain.go:3\\n0.50s (25%)\\nof 2s (100%)\" "
		"tooltip=\"main.main /src/main.go:3 (2s)\"]\n"
		"N3 -> N1 [label=\" 1s\"]\nN3 -> N2 [label=\" 0.80s\"]\nN2 -> N1 [label=\" 0.10s\"]\n}\n";
	const char *cleaned = "digraph g {\n"
			      "N1 [label=\"pricing\\nQuote\\nquote.go:10\\n2s (80%)\" ]\n"
			      "N2 [label=\"main\\nmain\\nmain.go:3\\n0.50s (20%)\\nof 2.50s (100%)\" ]\n"
			      "N2 -> N1\n}\n";
	pd_profile *b = NULL, *n = NULL;
	pd_error err = {0};
	assert_int_equal(pd_profile_parse("full.dot", full, strlen(full), &b, &err), PD_OK);
	assert_int_equal(pd_profile_parse("clean.dot", cleaned, strlen(cleaned), &n, &err), PD_OK);

	pd_diff *d = run(b, b, NULL);
	const pd_diff_row *q = row(d, "example.com/pricing.Quote");
	assert_non_null(q);
	assert_int_equal(q->base.flat, 1500000000);
	assert_int_equal(q->base.cum, 1800000000);
	assert_true(q->cum_upper_bound);
	assert_int_equal(q->status, PD_ROW_UNCHANGED);
	assert_int_equal(d->nedges, 1); /* Quote -> Quote collapsed; main -> Quote summed */
	assert_int_equal(d->edges[0].base, 1800000000);
	pd_diff_free(d);

	pd_diff_opts o;
	pd_diff_opts_init(&o);
	o.granularity = PD_GRAN_LINE;
	d = run(b, b, &o);
	assert_int_equal(d->nrows, 3);
	assert_non_null(row(d, "example.com/pricing.Quote /src/pricing/quote.go:12"));
	pd_diff_free(d);

	d = run(b, n, NULL);
	assert_true(d->short_names);
	q = row(d, "pricing.Quote");
	assert_non_null(q);
	assert_int_equal(q->delta.flat, 500000000);
	assert_true(d->edges[0].unweighted);
	pd_diff_free(d);
	pd_profile_free(b);
	pd_profile_free(n);
}

/* A profile built in code: function f (flat, cum), its caller g (cum), the edge g -> f
 * weighing cum, and nothing trimmed; tests change fields before the diff. */
typedef struct handmade {
	pd_profile p;
	pd_node nodes[3];
	pd_pedge edge;
} handmade;

static pd_profile *hand(handmade *h, const char *source, int64_t total, int64_t flat,
			int64_t cum)
{
	static char f[] = "f", g[] = "g", only[] = "only";
	memset(h, 0, sizeof *h);
	h->nodes[0] = (pd_node){f, f, f, f, flat, cum, 0, 0};
	h->nodes[1] = (pd_node){g, g, g, g, 0, cum, 0, 0};
	h->nodes[2] = (pd_node){only, only, only, only, 0, 0, 0, 0};
	h->edge = (pd_pedge){1, 0, cum, true, false, false};
	pd_profile_info *in = &h->p.info;
	in->source = source;
	in->unit = PD_UNIT_NANOS;
	in->total = in->shown = total;
	in->has_total = true;
	in->has_tooltips = true;
	h->p.nodes = h->nodes;
	h->p.nnodes = 2;
	h->p.edges = &h->edge;
	h->p.nedges = 1;
	return &h->p;
}

/* Runs a diff that must fail with PD_EINPUT and the overflow message naming who. */
static void expect_overflow(const pd_profile *b, const pd_profile *n, pd_normalize norm,
			    const char *who, const char *what)
{
	pd_diff_opts o;
	pd_diff_opts_init(&o);
	o.normalize = norm;
	pd_diff *d = (pd_diff *)1;
	pd_error err = {0};
	assert_int_equal(pd_diff_new(b, n, &o, &d, &err), PD_EINPUT);
	assert_null(d);
	char want[256];
	snprintf(want, sizeof want, "%s: values overflow a 64-bit integer (%s)", who, what);
	assert_string_equal(err.msg, want);
}

/* --normalize scales the new side by base total / new total: every scaled value (node
 * values, rounding tolerance, edge weights, the bound on a hidden function, the total)
 * is exact up to INT64_MAX and refused past it. */
static void test_normalize_overflow(void **state)
{
	(void)state;
	const int64_t big = INT64_MAX - 1; /* even: big / 2 * 2 == big exactly */
	handmade hb, hn;
	pd_profile_info *ni = &hn.p.info;
	/* Scale big / 2: a value of 2 becomes big, exactly (a double product would be
	 * 2^63, past INT64_MAX); 3 overflows. */
	for (int field = 0; field < 5; field++) {
		for (int64_t v = 2; v <= 3; v++) {
			pd_profile *b = hand(&hb, "base.dot", big, 1, 1);
			pd_profile *n = hand(&hn, "new.dot", 2, 1, 1);
			hb.p.nnodes = 3; /* "only": absent from the new side */
			switch (field) {
			case 0: hn.nodes[0].flat = v; break;
			case 1: hn.nodes[0].cum = v; break;
			case 2: hn.nodes[0].cum_res = v; break;
			case 3: hn.edge.weight = v; break;
			case 4:
				ni->trimmed = true;
				n->unknown_flat_max = n->unknown_cum_max = v;
				break;
			}
			if (v == 3) {
				expect_overflow(b, n, PD_NORMALIZE_TOTAL, "new.dot",
						"a value scaled to the base total");
				continue;
			}
			pd_diff_opts o;
			pd_diff_opts_init(&o);
			o.normalize = PD_NORMALIZE_TOTAL;
			pd_diff *d = run(b, n, &o);
			assert_int_equal(d->new_total, big);
			const pd_diff_row *f = row(d, "f"), *only = row(d, "only");
			int64_t got[] = {f->head.flat, f->head.cum, f->tol.cum, d->edges[0].head,
					 only->delta_max.cum + only->base.cum};
			assert_int_equal(got[field], big);
			pd_diff_free(d);
		}
	}
	/* Exact, not through a double: 3 * (big / 3) with big = 3 * (2^61 + 1). */
	const int64_t third = ((int64_t)1 << 61) + 1;
	pd_profile *b = hand(&hb, "base.dot", 3 * third, 1, 1);
	pd_profile *n = hand(&hn, "new.dot", 3, 1, 1);
	pd_diff_opts o;
	pd_diff_opts_init(&o);
	o.normalize = PD_NORMALIZE_TOTAL;
	pd_diff *d = run(b, n, &o);
	assert_int_equal(row(d, "f")->head.flat, third);
	assert_int_equal(d->new_total, 3 * third);
	pd_diff_free(d);
}

/* Differences of extreme values (only a profile built in code has negative values
 * without has_negative: the parser refuses them) are checked too. */
static void test_delta_overflow(void **state)
{
	(void)state;
	handmade hb, hn;
	pd_profile *b = hand(&hb, "base.dot", 10, -2, 1);
	pd_profile *n = hand(&hn, "new.dot", 10, INT64_MAX - 1, 1);
	expect_overflow(b, n, PD_NORMALIZE_NONE, "base.dot and new.dot",
			"difference of new and base");
	hb.nodes[0].flat = -1; /* INT64_MAX - 1 - -1 fits */
	pd_diff *d = run(b, n, NULL);
	assert_int_equal(row(d, "f")->delta.flat, INT64_MAX);
	pd_diff_free(d);

	/* Edges. */
	b = hand(&hb, "base.dot", 10, 1, 1);
	n = hand(&hn, "new.dot", 10, 1, 1);
	hb.edge.weight = -2;
	hn.edge.weight = INT64_MAX;
	expect_overflow(b, n, PD_NORMALIZE_NONE, "base.dot and new.dot",
			"difference of new and base");

	/* Totals: new - base is what reports print as the net change. */
	b = hand(&hb, "base.dot", -2, 1, 1);
	n = hand(&hn, "new.dot", INT64_MAX, 1, 1);
	expect_overflow(b, n, PD_NORMALIZE_NONE, "base.dot and new.dot",
			"difference of new and base");

	/* A hidden row's interval: new value in [0, max] against a negative base. */
	b = hand(&hb, "base.dot", 10, 1, 1);
	n = hand(&hn, "new.dot", 10, 1, 1);
	hb.p.nnodes = 3;
	hb.nodes[2].flat = -2;
	hn.p.info.trimmed = true;
	hn.p.unknown_flat_max = INT64_MAX;
	expect_overflow(b, n, PD_NORMALIZE_NONE, "base.dot and new.dot",
			"difference of new and base");
}

/* Sums in the tables fail the diff the same way, naming the file. */
static void test_table_overflow_fails_diff(void **state)
{
	(void)state;
	handmade hb, hn;
	pd_profile *b = hand(&hb, "base.dot", 10, 1, 1);
	pd_profile *n = hand(&hn, "new.dot", 10, INT64_MAX, INT64_MAX);
	static char line2[] = "f f.go:2";
	hn.nodes[1] = hn.nodes[0]; /* a second node of f */
	hn.nodes[1].line = hn.nodes[1].short_line = line2;
	expect_overflow(b, n, PD_NORMALIZE_NONE, "new.dot", "sum of flat values per function");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_statuses_and_ranking),
		cmocka_unit_test(test_trimmed_side_is_hidden_not_removed),
		cmocka_unit_test(test_other_is_trimming),
		cmocka_unit_test(test_normalize_and_filters),
		cmocka_unit_test(test_incompatible_inputs),
		cmocka_unit_test(test_lines_and_short_names),
		cmocka_unit_test(test_normalize_overflow),
		cmocka_unit_test(test_delta_overflow),
		cmocka_unit_test(test_table_overflow_fails_diff),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
