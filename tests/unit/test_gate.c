/* Unit tests for the gate's decision (src/gate/rules.c, samples.c): rules over
 * hand-built pd_diff structs (one profile per side) and over K samples per side. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "base/alloc.h"
#include "gate/gate.h"

#define MS 1000000LL
#define N(a) (sizeof(a) / sizeof((a)[0]))

static void rel(double got, double want)
{
	if (!(fabs(got - want) <= fabs(want) * 1e-9 + 1e-300)) {
		print_error("got %.12g, want %.12g\n", got, want);
		fail();
	}
}

/* A row with flat values (cum = flat); dmin/dmax differ only for hidden rows. */
static pd_diff_row row(const char *name, pd_row_status st, bool in_base, bool in_new, int64_t b,
		       int64_t h, int64_t dmin, int64_t dmax)
{
	pd_diff_row r;
	memset(&r, 0, sizeof r);
	r.name = r.short_name = name;
	r.status = st;
	r.in_base = in_base;
	r.in_new = in_new;
	r.base = (pd_vals){b, b};
	r.head = (pd_vals){h, h};
	int64_t near0 = dmin > 0 ? dmin : dmax < 0 ? dmax : 0;
	r.delta = (pd_vals){dmin == dmax ? dmin : near0, dmin == dmax ? dmin : near0};
	r.delta_min = (pd_vals){dmin, dmin};
	r.delta_max = (pd_vals){dmax, dmax};
	return r;
}

static pd_diff_row known(const char *name, int64_t b, int64_t h)
{
	pd_row_status st = b == 0 ? PD_ROW_NEW : h == 0 ? PD_ROW_REMOVED
				     : h == b ? PD_ROW_UNCHANGED : PD_ROW_CHANGED;
	return row(name, st, b != 0, h != 0, b, h, h - b, h - b);
}

static pd_diff mkdiff(pd_diff_row *rows, size_t n, int64_t base_total, int64_t new_total)
{
	pd_diff d;
	memset(&d, 0, sizeof d);
	d.unit = PD_UNIT_NANOS;
	d.scale = 1;
	d.rows = rows;
	d.nrows = n;
	d.base_total = base_total;
	d.new_total = new_total;
	return d;
}

static pd_gate_result eval(const pd_diff *d, const pd_gate_rules *r)
{
	pd_gate_result res;
	pd_error err;
	pd_status rc = pd_gate_eval_diff(d, r, &res, &err);
	if (rc != PD_OK)
		print_error("%s\n", err.msg);
	assert_int_equal(rc, PD_OK);
	return res;
}

static pd_amount amount(const char *s)
{
	pd_amount a;
	pd_error err;
	assert_int_equal(pd_amount_parse(s, &a, &err), PD_OK);
	return a;
}

static bool has_warning(const pd_gate_result *r, const char *needle)
{
	for (size_t i = 0; i < r->nwarnings; i++)
		if (strstr(r->warnings[i], needle))
			return true;
	return false;
}

static void test_names_and_exit_codes(void **state)
{
	(void)state;
	assert_string_equal(pd_verdict_name(PD_VERDICT_PASS), "pass");
	assert_string_equal(pd_verdict_name(PD_VERDICT_REGRESSION), "regression");
	assert_string_equal(pd_verdict_name(PD_VERDICT_INCONCLUSIVE), "inconclusive");
	assert_int_equal(pd_verdict_status(PD_VERDICT_PASS), 0);
	assert_int_equal(pd_verdict_status(PD_VERDICT_REGRESSION), 1);
	assert_int_equal(pd_verdict_status(PD_VERDICT_INCONCLUSIVE), 4);
	assert_string_equal(pd_gate_rule_name(PD_RULE_TOTAL), "total");
	assert_string_equal(pd_gate_rule_name(PD_RULE_INCREASE), "increase");
	assert_string_equal(pd_gate_rule_name(PD_RULE_NEW), "new");
	assert_string_equal(pd_gate_rule_name(PD_RULE_BUDGET), "budget");
	assert_string_equal(pd_finding_state_name(PD_FINDING_UNDECIDABLE), "undecidable");
}

static void test_amounts(void **state)
{
	(void)state;
	pd_amount a = amount("50ms");
	assert_int_equal(a.kind, PD_AMOUNT_ABS);
	assert_int_equal(a.value, 50 * MS);
	assert_int_equal(a.unit, PD_UNIT_NANOS);
	a = amount("10MB");
	assert_int_equal(a.value, 10LL << 20);
	assert_int_equal(a.unit, PD_UNIT_BYTES);
	a = amount("1000");
	assert_int_equal(a.unit, PD_UNIT_COUNT);
	a = amount("0.5%");
	assert_int_equal(a.kind, PD_AMOUNT_SHARE);
	rel(a.share, 0.005);
	rel(pd_amount_resolve(&a, 2000), 10);
	pd_error err;
	const char *bad[] = {"-5ms", "%", "150%", "x%", "5 furlongs", ""};
	for (size_t i = 0; i < N(bad); i++)
		assert_int_equal(pd_amount_parse(bad[i], &a, &err), PD_EUSAGE);
}

/* 10 ms -> 20 ms (+100%) below a 50 ms floor does not fail; 100 -> 200 ms does. */
static void test_floor(void **state)
{
	(void)state;
	pd_diff_row rows[] = {known("small", 10 * MS, 20 * MS), known("big", 100 * MS, 200 * MS)};
	pd_diff d = mkdiff(rows, 1, 1000 * MS, 1010 * MS);
	pd_gate_rules r;
	pd_gate_rules_init(&r);
	assert_false(pd_gate_rules_active(&r));
	r.has_increase = true;
	r.increase_pct = 10;
	r.min_delta = amount("50ms");
	assert_true(pd_gate_rules_active(&r));
	pd_gate_result res = eval(&d, &r);
	assert_int_equal(res.verdict, PD_VERDICT_PASS);
	assert_int_equal(res.nv, 0);
	assert_true(has_warning(&res, "thresholds alone"));
	pd_gate_result_fini(&res);
	d.nrows = 2;
	res = eval(&d, &r);
	assert_int_equal(res.verdict, PD_VERDICT_REGRESSION);
	assert_int_equal(res.nviolations, 1);
	assert_int_equal(res.v[0].rule, PD_RULE_INCREASE);
	assert_string_equal(res.v[0].name, "big");
	rel(res.v[0].delta, 100 * MS);
	rel(res.v[0].pct, 100);
	rel(res.v[0].limit, 50 * MS); /* max(10% of 100 ms, 50 ms) */
	assert_true(isnan(res.v[0].p));
	pd_gate_result_fini(&res);
	/* Without a floor, +100% of 10 ms violates; +5% does not pass 10%. */
	r.min_delta.kind = PD_AMOUNT_NONE;
	d.nrows = 1;
	res = eval(&d, &r);
	assert_int_equal(res.nviolations, 1);
	pd_gate_result_fini(&res);
	rows[0] = known("small", 100 * MS, 105 * MS);
	res = eval(&d, &r);
	assert_int_equal(res.verdict, PD_VERDICT_PASS);
	pd_gate_result_fini(&res);
	/* A share floor: 0.5% of the 1000 ms base total is 5 ms. */
	r.min_delta = amount("0.5%");
	rows[0] = known("small", 10 * MS, 14 * MS);
	res = eval(&d, &r);
	assert_int_equal(res.nv, 0);
	pd_gate_result_fini(&res);
	rows[0] = known("small", 10 * MS, 16 * MS);
	res = eval(&d, &r);
	assert_int_equal(res.nviolations, 1);
	rel(res.v[0].limit, 5 * MS);
	pd_gate_result_fini(&res);
}

/* A new function above the floor violates; below it, it does not. */
static void test_new_function(void **state)
{
	(void)state;
	pd_diff_row rows[] = {known("fresh", 0, 80 * MS), known("tiny", 0, 20 * MS)};
	pd_diff d = mkdiff(rows, 2, 1000 * MS, 1100 * MS);
	pd_gate_rules r;
	pd_gate_rules_init(&r);
	r.min_delta = amount("50ms"); /* the floor alone arms the new-function rule */
	pd_gate_result res = eval(&d, &r);
	assert_int_equal(res.verdict, PD_VERDICT_REGRESSION);
	assert_int_equal(res.nv, 1);
	assert_int_equal(res.v[0].rule, PD_RULE_NEW);
	assert_string_equal(res.v[0].name, "fresh");
	assert_true(isinf(res.v[0].pct));
	pd_gate_result_fini(&res);
	r.min_delta = amount("100ms");
	res = eval(&d, &r);
	assert_int_equal(res.verdict, PD_VERDICT_PASS);
	pd_gate_result_fini(&res);
	/* Neither floor nor increase: the new-function rule is off. */
	pd_gate_rules_init(&r);
	r.has_total = true;
	r.total_pct = 50;
	res = eval(&d, &r);
	assert_int_equal(res.verdict, PD_VERDICT_PASS);
	pd_gate_result_fini(&res);
}

/* Hidden rows: wholly over the threshold violates, straddling is undecidable. */
static void test_hidden_intervals(void **state)
{
	(void)state;
	/* Absent from the trimmed base (cutoff 50 ms), 500 ms in the head. */
	pd_diff_row rows[] = {
		row("over", PD_ROW_HIDDEN, false, true, 0, 500 * MS, 450 * MS, 500 * MS),
		row("straddle", PD_ROW_HIDDEN, false, true, 0, 100 * MS, 10 * MS, 100 * MS),
		row("under", PD_ROW_HIDDEN, false, true, 0, 40 * MS, -10 * MS, 40 * MS),
		/* Absent from the trimmed head: the delta is at most cutoff - base. */
		row("gone", PD_ROW_HIDDEN, true, false, 300 * MS, 0, -300 * MS, -250 * MS),
	};
	pd_diff d = mkdiff(rows, 1, 2000 * MS, 2100 * MS);
	pd_gate_rules r;
	pd_gate_rules_init(&r);
	r.has_increase = true;
	r.increase_pct = 20;
	r.min_delta = amount("50ms");
	pd_gate_result res = eval(&d, &r);
	assert_int_equal(res.verdict, PD_VERDICT_REGRESSION);
	assert_int_equal(res.nviolations, 1);
	assert_true(res.v[0].hidden);
	rel(res.v[0].delta_min, 450 * MS);
	pd_gate_result_fini(&res);
	d.rows = rows + 1;
	d.nrows = 3;
	res = eval(&d, &r);
	assert_int_equal(res.verdict, PD_VERDICT_INCONCLUSIVE);
	assert_int_equal(res.nv, 1);
	assert_int_equal(res.nundecidable, 1);
	assert_int_equal(res.v[0].state, PD_FINDING_UNDECIDABLE);
	assert_string_equal(res.v[0].name, "straddle");
	rel(res.v[0].delta_max, 100 * MS);
	assert_true(has_warning(&res, "cannot be decided"));
	pd_gate_result_fini(&res);
	/* The relative rule counts too: with the base at most 50 ms (cutoff), a 200 ms head
	 * grew by at least 150 ms = 300%: over 20% and over the floor wherever it lies. */
	pd_diff_row rel_rows[] = {
		row("rel", PD_ROW_HIDDEN, false, true, 0, 200 * MS, 150 * MS, 200 * MS)};
	d.rows = rel_rows;
	d.nrows = 1;
	r.increase_pct = 400; /* now the base-at-cutoff end is only +300%: undecidable */
	res = eval(&d, &r);
	assert_int_equal(res.nundecidable, 1);
	pd_gate_result_fini(&res);
}

static void test_total_rule(void **state)
{
	(void)state;
	pd_diff d = mkdiff(NULL, 0, 1000 * MS, 1200 * MS);
	pd_gate_rules r;
	pd_gate_rules_init(&r);
	r.has_total = true;
	r.total_pct = 10;
	pd_gate_result res = eval(&d, &r);
	assert_int_equal(res.verdict, PD_VERDICT_REGRESSION);
	assert_int_equal(res.v[0].rule, PD_RULE_TOTAL);
	assert_null(res.v[0].name);
	rel(res.v[0].pct, 20);
	rel(res.v[0].limit, 100 * MS);
	pd_gate_result_fini(&res);
	r.total_pct = 25;
	res = eval(&d, &r);
	assert_int_equal(res.verdict, PD_VERDICT_PASS);
	pd_gate_result_fini(&res);
	/* The floor holds for the total too: +10 ms on 10 ms is below 50 ms. */
	d = mkdiff(NULL, 0, 10 * MS, 20 * MS);
	r.total_pct = 10;
	r.min_delta = amount("50ms");
	res = eval(&d, &r);
	assert_int_equal(res.verdict, PD_VERDICT_PASS);
	pd_gate_result_fini(&res);
}

/* The cum metric, deterministic order, and a unit that does not fit. */
static void test_metric_order_units(void **state)
{
	(void)state;
	pd_diff_row rows[] = {known("b", 100 * MS, 300 * MS), known("a", 100 * MS, 300 * MS),
			      known("c", 100 * MS, 500 * MS)};
	rows[0].head.cum = 100 * MS; /* b grew in flat only */
	rows[0].delta.cum = rows[0].delta_min.cum = rows[0].delta_max.cum = 0;
	pd_diff d = mkdiff(rows, 3, 1000 * MS, 1600 * MS);
	pd_gate_rules r;
	pd_gate_rules_init(&r);
	r.has_increase = true;
	r.increase_pct = 10;
	pd_gate_result res = eval(&d, &r);
	assert_int_equal(res.nviolations, 3);
	assert_string_equal(res.v[0].name, "c"); /* |delta| desc, then name */
	assert_string_equal(res.v[1].name, "a");
	assert_string_equal(res.v[2].name, "b");
	pd_gate_result_fini(&res);
	r.metric = PD_METRIC_CUM;
	res = eval(&d, &r);
	assert_int_equal(res.nviolations, 2);
	pd_gate_result_fini(&res);
	r.min_delta = amount("10MB");
	pd_error err;
	assert_int_equal(pd_gate_eval_diff(&d, &r, &res, &err), PD_EUSAGE);
	assert_non_null(strstr(err.msg, "--min-delta"));
}

static void test_oom_diff(void **state)
{
	(void)state;
	pd_diff_row rows[] = {known("a", 100 * MS, 300 * MS), known("b", 0, 300 * MS),
			      row("h", PD_ROW_HIDDEN, false, true, 0, 100 * MS, 10 * MS, 100 * MS)};
	pd_diff d = mkdiff(rows, 3, 1000 * MS, 1600 * MS);
	pd_gate_rules r;
	pd_gate_rules_init(&r);
	r.has_increase = true;
	r.increase_pct = 10;
	r.min_delta = amount("50ms");
	r.has_total = true;
	r.total_pct = 1;
	pd_gate_result res;
	pd_error err;
	long n = 1;
	for (;; n++) {
		pd_alloc_fail_at(n);
		pd_status rc = pd_gate_eval_diff(&d, &r, &res, &err);
		pd_alloc_fail_at(0);
		if (rc == PD_OK)
			break;
		assert_int_equal(rc, PD_EINTERNAL);
		assert_int_equal(res.nv, 0); /* nothing half-built is left behind */
	}
	assert_true(n > 2);
	assert_int_equal(res.nv, 4);
	pd_gate_result_fini(&res);
}

/* ---- samples mode ------------------------------------------------------------------ */

typedef struct fx {
	const char *names[40];
	double base[40 * 12], head[40 * 12];
	pd_gate_samples s;
} fx;

static void fx_init(fx *f, size_t k)
{
	memset(f, 0, sizeof *f);
	f->s.nbase = f->s.nhead = k;
	f->s.names = f->names;
	f->s.base = f->base;
	f->s.head = f->head;
	f->s.per_second = true;
	f->s.unit = PD_UNIT_COUNT;
}

static void fx_add(fx *f, const char *name, const double *x, const double *y)
{
	size_t i = f->s.nfuncs++, k = f->s.nbase;
	f->names[i] = name;
	memcpy(f->base + i * k, x, k * sizeof *x);
	memcpy(f->head + i * k, y, k * sizeof *y);
}

static const double v1x[] = {112, 118, 105, 121, 109}, v1y[] = {124, 131, 117, 127, 135};
static const double v4x[] = {0, 0, 0, 0, 0}, v4y[] = {3, 5, 4, 6, 2};
static const double nx_[] = {100, 104, 98, 103, 99}, ny_[] = {101, 97, 108, 100, 102};

static pd_gate_result eval_s(const fx *f, const pd_gate_rules *r)
{
	pd_gate_result res;
	pd_error err;
	pd_status rc = pd_gate_eval_samples(&f->s, r, &res, &err);
	if (rc != PD_OK)
		print_error("%s\n", err.msg);
	assert_int_equal(rc, PD_OK);
	return res;
}

static void rules_42(pd_gate_rules *r) /* statistics.md 4.2: r_min 5 %, a_min 5 */
{
	pd_gate_rules_init(r);
	r->has_increase = true;
	r->increase_pct = 5;
	r->min_delta = amount("5");
}

/* Significant vs not: (a) violates; noise with a practical-looking HL does not. */
static void test_samples_significance(void **state)
{
	(void)state;
	fx f;
	fx_init(&f, 5);
	fx_add(&f, "A", v1x, v1y);
	fx_add(&f, "noise", nx_, ny_);
	fx_add(&f, "D", v1y, v1x); /* an improvement */
	fx_add(&f, "N", v4x, v4y); /* new, HL 4 below the floor of 5 */
	pd_gate_rules r;
	rules_42(&r);
	pd_gate_result res = eval_s(&f, &r);
	assert_true(res.samples_mode);
	assert_int_equal(res.verdict, PD_VERDICT_REGRESSION);
	assert_int_equal(res.nviolations, 1);
	assert_string_equal(res.v[0].name, "A");
	assert_int_equal(res.v[0].rule, PD_RULE_INCREASE);
	rel(res.v[0].p, 2.0 / 63);
	rel(res.v[0].q, 2.0 / 63); /* family = {A}: the only practical change */
	rel(res.v[0].delta, 14);
	rel(res.v[0].delta_min, 3);
	rel(res.v[0].delta_max, 26);
	rel(res.v[0].pct, 12.5);
	assert_int_equal(res.nstats, 4);
	assert_int_equal(res.family, 1);
	assert_int_equal(res.ntested, 4);
	const pd_gate_fstat *st = &res.stats[1];
	assert_string_equal(st->name, "noise");
	assert_false(st->in_family);
	assert_true(isnan(st->q));
	assert_true(res.stats[3].approx_ci); /* N has ties */
	rel(res.stats[3].p, 1.0 / 126);
	assert_false(res.stats[3].practical);
	assert_true(has_warning(&res, "need >= 6 samples for confidence interval"));
	pd_gate_result_fini(&res);

	/* Without A, nothing is practical and significant. */
	f.names[0] = "noise2";
	memcpy(f.base, nx_, sizeof nx_);
	memcpy(f.head, ny_, sizeof ny_);
	res = eval_s(&f, &r);
	assert_int_equal(res.verdict, PD_VERDICT_PASS);
	pd_gate_result_fini(&res);
}

/* q <= alpha is significant, q just above is not. */
static void test_samples_alpha_boundary(void **state)
{
	(void)state;
	fx f;
	fx_init(&f, 5);
	fx_add(&f, "A", v1x, v1y);
	pd_gate_rules r;
	rules_42(&r);
	r.alpha = 2.0 / 63;
	pd_gate_result res = eval_s(&f, &r);
	assert_int_equal(res.verdict, PD_VERDICT_REGRESSION);
	pd_gate_result_fini(&res);
	r.alpha = nextafter(2.0 / 63, 0);
	res = eval_s(&f, &r);
	assert_int_equal(res.verdict, PD_VERDICT_PASS);
	assert_false(res.stats[0].significant);
	assert_true(res.stats[0].practical);
	pd_gate_result_fini(&res);
}

/* The BH family: practical changes only, or every testable function (label-blind). */
static void test_samples_family(void **state)
{
	(void)state;
	fx f;
	fx_init(&f, 5);
	fx_add(&f, "A", v1x, v1y);
	fx_add(&f, "D", v1y, v1x);
	fx_add(&f, "N", v4x, v4y);
	const double flat[] = {7, 7, 7, 7, 7};
	fx_add(&f, "Z", flat, flat); /* all equal: never tested */
	pd_gate_rules r;
	rules_42(&r);
	r.family = PD_FAMILY_TESTABLE;
	pd_gate_result res = eval_s(&f, &r);
	assert_int_equal(res.family, 3);
	assert_int_equal(res.ntested, 3);
	/* p = [2/63, 2/63, 1/126]: q_N = 3 * (1/126) / 1 = 1/42, q_A = q_D = 2/63. */
	rel(res.stats[2].q, 1.0 / 42);
	rel(res.stats[0].q, 2.0 / 63);
	rel(res.stats[1].q, 2.0 / 63);
	assert_true(res.stats[3].all_equal);
	assert_true(isnan(res.stats[3].q));
	assert_int_equal(res.nviolations, 1); /* D improved, N is below the floor */
	assert_string_equal(res.v[0].name, "A");
	pd_gate_result_fini(&res);

	/* 30 more testable functions: A's q rises above alpha and nothing fails, with the
	 * family-size warning (statistics.md 4.2, last paragraph). */
	static char names[30][8];
	for (int i = 0; i < 30; i++) {
		snprintf(names[i], sizeof names[i], "z%02d", i);
		fx_add(&f, names[i], nx_, ny_);
	}
	res = eval_s(&f, &r);
	assert_int_equal(res.family, 33);
	assert_true(res.stats[0].q > 0.05);
	assert_int_equal(res.verdict, PD_VERDICT_PASS);
	assert_true(has_warning(&res, "with M = 33 functions tested"));
	pd_gate_result_fini(&res);
	/* With the practical family the noise functions do not dilute A. */
	r.family = PD_FAMILY_PRACTICAL;
	res = eval_s(&f, &r);
	assert_int_equal(res.verdict, PD_VERDICT_REGRESSION);
	pd_gate_result_fini(&res);
}

/* Fewer than 4 per side: nothing can be significant, so a large change is inconclusive. */
static void test_samples_too_few(void **state)
{
	(void)state;
	fx f;
	fx_init(&f, 3);
	const double x[] = {100, 101, 102}, y[] = {200, 201, 202};
	fx_add(&f, "A", x, y);
	pd_gate_rules r;
	rules_42(&r);
	pd_gate_result res = eval_s(&f, &r);
	assert_int_equal(res.verdict, PD_VERDICT_INCONCLUSIVE);
	assert_int_equal(pd_verdict_status(res.verdict), PD_ENODATA);
	assert_true(has_warning(&res, "need >= 4 samples to detect a difference at alpha level 0.05"));
	rel(res.stats[0].p, 0.1);
	assert_true(isinf(res.stats[0].hl_lo));
	pd_gate_result_fini(&res);
	/* No change at all: a pass, still with the warning. */
	memcpy(f.head, x, sizeof x);
	res = eval_s(&f, &r);
	assert_int_equal(res.verdict, PD_VERDICT_PASS);
	assert_true(has_warning(&res, "need >= 4 samples"));
	pd_gate_result_fini(&res);
	f.s.nhead = 0;
	res = eval_s(&f, &r);
	assert_int_equal(res.verdict, PD_VERDICT_INCONCLUSIVE);
	pd_gate_result_fini(&res);
}

/* The total rule in samples mode and NaN input. */
static void test_samples_total(void **state)
{
	(void)state;
	fx f;
	fx_init(&f, 5);
	fx_add(&f, "A", nx_, ny_);
	f.s.base_total = v1x;
	f.s.head_total = v1y;
	pd_gate_rules r;
	pd_gate_rules_init(&r);
	r.has_total = true;
	r.total_pct = 10; /* HL 14 on a median of 112 = 12.5 % */
	pd_gate_result res = eval_s(&f, &r);
	assert_int_equal(res.verdict, PD_VERDICT_REGRESSION);
	assert_int_equal(res.v[0].rule, PD_RULE_TOTAL);
	rel(res.v[0].p, 2.0 / 63);
	pd_gate_result_fini(&res);
	r.total_pct = 15;
	res = eval_s(&f, &r);
	assert_int_equal(res.verdict, PD_VERDICT_PASS);
	pd_gate_result_fini(&res);
	f.head[2] = NAN;
	pd_error err;
	assert_int_equal(pd_gate_eval_samples(&f.s, &r, &res, &err), PD_EINPUT);
}

/* Gate-file budgets in samples mode: on the head medians, per second; with shares of
 * the total an absolute budget cannot apply and says so. */
static void test_samples_budget(void **state)
{
	(void)state;
	const char *text = "{\"rules\": [{\"match\": \"^A$\", \"budget\": \"100\"}]}";
	pd_gatefile gf;
	pd_error err;
	assert_int_equal(pd_gatefile_parse("g.json", text, strlen(text), "2026-01-01", &gf, &err),
			 PD_OK);
	fx f;
	fx_init(&f, 5);
	fx_add(&f, "A", v1x, v1y);
	fx_add(&f, "AB", v1x, v1y);
	pd_gate_rules r;
	pd_gate_rules_init(&r);
	r.file = &gf;
	pd_gate_result res = eval_s(&f, &r);
	assert_int_equal(res.verdict, PD_VERDICT_REGRESSION);
	assert_int_equal(res.nv, 1);
	assert_int_equal(res.v[0].rule, PD_RULE_BUDGET);
	rel(res.v[0].head, 127);
	rel(res.v[0].limit, 100);
	assert_int_equal(res.v[0].line, 1);
	pd_gate_result_fini(&res);
	f.s.per_second = false;
	res = eval_s(&f, &r);
	assert_int_equal(res.verdict, PD_VERDICT_PASS);
	assert_true(has_warning(&res, "absolute floors and budgets do not apply"));
	pd_gate_result_fini(&res);
	pd_gatefile_fini(&gf);
}

/* An empty slice (total 0) is dropped for every function, with a warning. */
static void test_samples_empty_slice(void **state)
{
	(void)state;
	fx f;
	fx_init(&f, 6);
	const double x[] = {112, 118, 105, 121, 109, 115}, y[] = {124, 131, 117, 127, 135, 0};
	const double bt[] = {1000, 1000, 1000, 1000, 1000, 1000}, ht[] = {1000, 1000, 1000, 1000,
									  1000, 0};
	fx_add(&f, "A", x, y);
	f.s.base_total = bt;
	f.s.head_total = ht;
	pd_gate_rules r;
	rules_42(&r);
	pd_gate_result res = eval_s(&f, &r);
	assert_int_equal(res.nbase, 6);
	assert_int_equal(res.nhead, 5);
	rel(res.stats[0].med_head, 127);
	assert_true(has_warning(&res, "dropped 0 base and 1 head sample(s) with no data at all"));
	assert_int_equal(res.verdict, PD_VERDICT_REGRESSION);
	pd_gate_result_fini(&res);
	for (long n = 1; n < 4; n++) { /* the copies' allocation failures */
		pd_error err;
		pd_alloc_fail_at(n);
		pd_status rc = pd_gate_eval_samples(&f.s, &r, &res, &err);
		pd_alloc_fail_at(0);
		assert_int_equal(rc, PD_EINTERNAL);
	}
}

/* Samples from K diffs: per second of Duration, and the least favourable fill. */
static void test_samples_from_diffs(void **state)
{
	(void)state;
	pd_diff_row r0[] = {known("f", 10 * MS, 20 * MS), known("g", 0, 30 * MS)};
	pd_diff_row r1[] = {known("f", 12 * MS, 24 * MS)};
	pd_diff d0 = mkdiff(r0, 2, 100 * MS, 120 * MS), d1 = mkdiff(r1, 1, 100 * MS, 110 * MS);
	d0.base.duration_ns = d0.head.duration_ns = 10000 * MS; /* 10 s */
	d1.base.duration_ns = d1.head.duration_ns = 20000 * MS;
	d0.base.total = d1.base.total = 100 * MS;
	d1.base.trimmed = true;
	d1.base.node_cutoff = 2 * MS;
	const pd_diff *ds[] = {&d0, &d1};
	pd_gate_samples_owned o;
	pd_error err;
	assert_int_equal(pd_gate_samples_from_diffs(ds, 2, 2, 2, PD_METRIC_FLAT, &o, &err), PD_OK);
	assert_int_equal(o.s.nfuncs, 2);
	assert_string_equal(o.s.names[0], "f");
	assert_string_equal(o.s.names[1], "g");
	assert_true(o.s.per_second);
	rel(o.s.base[0], 1 * MS); /* 10 ms over 10 s */
	rel(o.s.base[1], 0.6 * MS);
	rel(o.s.head[1], 1.2 * MS);
	rel(o.s.base[2], 0);      /* g absent from an untrimmed base */
	rel(o.s.base[3], 0.1 * MS); /* g absent from the trimmed base: its cutoff */
	rel(o.s.head[3], 0);
	assert_false(o.s.truncated[0]);
	assert_true(o.s.truncated[1]);
	rel(o.s.base_total[1], 5 * MS);
	pd_gate_samples_fini(&o);
	d1.head.duration_ns = 0; /* no duration: shares of the total */
	assert_int_equal(pd_gate_samples_from_diffs(ds, 2, 2, 2, PD_METRIC_FLAT, &o, &err), PD_OK);
	assert_false(o.s.per_second);
	rel(o.s.base[0], 0.1);
	pd_gate_samples_fini(&o);
	assert_int_equal(pd_gate_samples_from_diffs(ds, 2, 3, 2, PD_METRIC_FLAT, &o, &err),
			 PD_EUSAGE);
}

/* Every allocation failure in samples mode ends cleanly (leaks: the sanitizer build). */
static void test_samples_oom(void **state)
{
	(void)state;
	fx f;
	fx_init(&f, 5);
	fx_add(&f, "A", v1x, v1y);
	fx_add(&f, "N", v4x, v4y);
	f.s.base_total = v1x;
	f.s.head_total = v1y;
	pd_gate_rules r;
	rules_42(&r);
	r.has_total = true;
	r.total_pct = 1;
	pd_gate_result res;
	pd_error err;
	long n = 1;
	for (;; n++) {
		pd_alloc_fail_at(n);
		pd_status rc = pd_gate_eval_samples(&f.s, &r, &res, &err);
		pd_alloc_fail_at(0);
		if (rc == PD_OK)
			break;
		assert_int_equal(rc, PD_EINTERNAL);
		assert_null(res.stats);
	}
	assert_true(n > 5);
	assert_int_equal(res.nviolations, 2);
	pd_gate_result_fini(&res);

	pd_diff_row r0[] = {known("f", 10 * MS, 20 * MS), known("g", 0, 30 * MS)};
	pd_diff d0 = mkdiff(r0, 2, 100 * MS, 120 * MS);
	const pd_diff *ds[] = {&d0, &d0};
	pd_gate_samples_owned o;
	for (n = 1;; n++) {
		pd_alloc_fail_at(n);
		pd_status rc = pd_gate_samples_from_diffs(ds, 2, 2, 2, PD_METRIC_FLAT, &o, &err);
		pd_alloc_fail_at(0);
		if (rc == PD_OK)
			break;
		assert_int_equal(rc, PD_EINTERNAL);
		assert_null(o.names);
	}
	assert_true(n > 5);
	assert_int_equal(o.s.nfuncs, 2);
	pd_gate_samples_fini(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_and_exit_codes),
		cmocka_unit_test(test_amounts),
		cmocka_unit_test(test_floor),
		cmocka_unit_test(test_new_function),
		cmocka_unit_test(test_hidden_intervals),
		cmocka_unit_test(test_total_rule),
		cmocka_unit_test(test_metric_order_units),
		cmocka_unit_test(test_oom_diff),
		cmocka_unit_test(test_samples_significance),
		cmocka_unit_test(test_samples_alpha_boundary),
		cmocka_unit_test(test_samples_family),
		cmocka_unit_test(test_samples_too_few),
		cmocka_unit_test(test_samples_total),
		cmocka_unit_test(test_samples_budget),
		cmocka_unit_test(test_samples_empty_slice),
		cmocka_unit_test(test_samples_from_diffs),
		cmocka_unit_test(test_samples_oom),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
