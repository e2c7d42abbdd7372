/* Unit tests for the gate's statistics (src/gate/stats.c) against every vector of
 * section 6 of the shared statistics.md and the worked examples of 1.7, 2.2, 3.3, 4.2.
 * Exact fractions are compared with a relative tolerance of 1e-9, rounded decimals
 * from the doc with a tolerance of half their last digit. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/alloc.h"
#include "gate/gate.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void near(double got, double want, double tol)
{
	if (!(fabs(got - want) <= tol)) {
		print_error("got %.12g, want %.12g (tol %g)\n", got, want, tol);
		fail();
	}
}

static void rel(double got, double want) /* exact values: relative 1e-9 */
{
	near(got, want, fabs(want) * 1e-9 + 1e-300);
}

static pd_mwu_result mwu(const double *x, size_t nx, const double *y, size_t ny,
			 pd_mwu_method m)
{
	pd_mwu_result r;
	pd_error err;
	assert_int_equal(pd_mwu(x, nx, y, ny, m, NULL, &r, &err), PD_OK);
	return r;
}

static const double v1x[] = {112, 118, 105, 121, 109}, v1y[] = {124, 131, 117, 127, 135};
static const double v2x[] = {0, 0, 30, 45, 45, 50}, v2y[] = {0, 45, 60, 60, 75, 80};
static const double v3x[] = {201, 195, 210, 188, 204, 199, 207, 192, 214, 198, 203, 190};
static const double v3y[] = {209, 216, 205, 221, 212, 200, 218, 211, 224, 206, 215, 213};
static const double v4x[] = {0, 0, 0, 0, 0}, v4y[] = {3, 5, 4, 6, 2};

/* V1, V1n: example (a). */
static void test_v1(void **state)
{
	(void)state;
	pd_mwu_result r = mwu(v1x, 5, v1y, 5, PD_MWU_AUTO);
	assert_int_equal(r.method, PD_MWU_EXACT);
	assert_false(r.ties);
	rel(r.u_y, 23);
	rel(r.p, 2.0 / 63);
	r = mwu(v1x, 5, v1y, 5, PD_MWU_NORMAL);
	assert_int_equal(r.method, PD_MWU_NORMAL);
	near(r.p, 0.0367139, 5e-8);
	near(r.z, 2.0889319, 5e-8);
	rel(r.mu, 12.5);
	near(r.sigma2, 22.916667, 5e-7);
	/* Without the continuity correction (1.7 a): z = 2.193378, p = 0.028280. */
	double z = (r.u_y - r.mu) / sqrt(r.sigma2);
	near(z, 2.193378, 5e-7);
	near(erfc(z / sqrt(2.0)), 0.028280, 5e-7);
	/* One-sided exact p = 1/63 (1.7 a). */
	pd_udist d = {0};
	pd_error err;
	assert_int_equal(pd_udist_build(&d, 5, 5, &err), PD_OK);
	rel(pd_udist_sf(&d, 23), 1.0 / 63);
	rel(pd_udist_cdf(&d, 2), 1.0 / 63);
	pd_udist_fini(&d);
}

/* V2, V2n: example (b), ties with absent-function zeros. */
static void test_v2(void **state)
{
	(void)state;
	pd_mwu_result r = mwu(v2x, 6, v2y, 6, PD_MWU_AUTO);
	assert_int_equal(r.method, PD_MWU_EXACT_TIES);
	assert_true(r.ties);
	rel(r.u_y, 29);
	rel(r.tie_term, 54);
	rel(r.p, 1.0 / 11);
	r = mwu(v2x, 6, v2y, 6, PD_MWU_NORMAL);
	near(r.p, 0.0875544, 5e-8);
	near(r.z, 1.7084416, 5e-8);
	near(r.sigma2, 37.7727273, 5e-8);
	rel(r.sigma2, 831.0 / 22);
	/* With the tie term left out: sigma2 = 39, z = 1.681346, p = 0.092696. */
	double z = (r.u_y - r.mu - 0.5) / sqrt(39.0);
	near(z, 1.681346, 5e-7);
	near(erfc(z / sqrt(2.0)), 0.092696, 5e-7);
}

/* V3, V3e: example (c); auto picks exact (n <= 50, no ties). */
static void test_v3(void **state)
{
	(void)state;
	pd_mwu_result r = mwu(v3x, 12, v3y, 12, PD_MWU_NORMAL);
	rel(r.u_y, 127);
	rel(r.sigma2, 300);
	near(r.z, 3.1465590, 5e-8);
	near(r.p, 0.0016520, 5e-8);
	double z = (r.u_y - r.mu) / sqrt(r.sigma2); /* without continuity correction */
	near(z, 3.175426, 5e-7);
	near(erfc(z / sqrt(2.0)), 0.0014962, 5e-8);
	r = mwu(v3x, 12, v3y, 12, PD_MWU_AUTO);
	assert_int_equal(r.method, PD_MWU_EXACT);
	rel(r.p, 580.0 / 676039);
	near(r.p, 0.000857939, 5e-10);
	rel(r.p_normal, mwu(v3x, 12, v3y, 12, PD_MWU_NORMAL).p);
}

/* V4, V4n: example (d), a new function. */
static void test_v4(void **state)
{
	(void)state;
	pd_mwu_result r = mwu(v4x, 5, v4y, 5, PD_MWU_AUTO);
	assert_int_equal(r.method, PD_MWU_EXACT_TIES);
	rel(r.u_y, 25);
	rel(r.p, 1.0 / 126);
	r = mwu(v4x, 5, v4y, 5, PD_MWU_NORMAL);
	rel(r.tie_term, 120);
	rel(r.sigma2, 725.0 / 36);
	near(r.z, 2.6740129, 5e-8);
	near(r.p, 0.00749496, 5e-9);
	/* Below the exact floor for K = 5: an approximation error, not power (1.5). */
	assert_true(r.p < pd_mwu_min_p(5, 5));
}

/* V5: all equal, no test. */
static void test_v5_and_degenerate(void **state)
{
	(void)state;
	const double z[] = {0, 0, 0, 0};
	pd_mwu_result r = mwu(z, 4, z, 4, PD_MWU_AUTO);
	assert_true(r.all_equal);
	assert_int_equal(r.method, PD_MWU_NONE);
	rel(r.p, 1);
	r = mwu(z, 0, v1y, 5, PD_MWU_AUTO);
	assert_true(r.empty);
	rel(r.p, 1);
	const double bad[] = {1, NAN};
	pd_error err;
	assert_int_equal(pd_mwu(bad, 2, v1y, 5, PD_MWU_AUTO, NULL, &r, &err), PD_EINPUT);
	const double inf[] = {INFINITY, 1};
	assert_int_equal(pd_mwu(v1x, 5, inf, 2, PD_MWU_AUTO, NULL, &r, &err), PD_EINPUT);
}

/* V6-V10: go-moremath's and scipy's cases. */
static void test_v6_to_v10(void **state)
{
	(void)state;
	const double b[] = {1, 2, 3, 5};
	const double x6[] = {11, 12, 13, 15}, x7[] = {0, 4, 6, 7}, x8[] = {1, 1, 1, 1, 1},
		     x9[] = {2, 2, 2, 2};
	pd_mwu_result r = mwu(x6, 4, b, 4, PD_MWU_AUTO);
	assert_int_equal(r.method, PD_MWU_EXACT);
	rel(r.u_y, 0);
	rel(r.p, 2.0 / 70);
	r = mwu(x7, 4, b, 4, PD_MWU_AUTO);
	assert_int_equal(r.method, PD_MWU_EXACT);
	rel(r.u_y, 5);
	rel(r.p, 34.0 / 70);
	/* V8: asymmetric conditional distribution; doubling rule, not go-moremath's 0. */
	r = mwu(x8, 5, b, 4, PD_MWU_AUTO);
	assert_int_equal(r.method, PD_MWU_EXACT_TIES);
	rel(r.u_y, 17.5);
	rel(r.p, 2.0 / 21);
	near(r.p_normal, 0.0416201, 5e-8); /* drift of the normal approximation */
	pd_mwu_result sw = mwu(b, 4, x8, 5, PD_MWU_AUTO); /* swapped: the DP runs on x */
	rel(sw.u_y, 2.5);
	rel(sw.p, 2.0 / 21);
	near(r.z, 2.0372993, 5e-8);
	rel(r.tie_term, 210);
	r = mwu(x9, 4, b, 4, PD_MWU_AUTO);
	assert_int_equal(r.method, PD_MWU_EXACT_TIES);
	rel(r.u_y, 10);
	rel(r.p, 5.0 / 7);
	const double x10[] = {20, 11, 17, 12}, y10[] = {19, 22, 16, 29, 24};
	r = mwu(x10, 4, y10, 5, PD_MWU_AUTO);
	assert_int_equal(r.method, PD_MWU_EXACT);
	rel(r.u_y, 17);
	rel(r.p, 1.0 / 9);
	r = mwu(x10, 4, y10, 5, PD_MWU_NORMAL);
	near(r.p, 0.1113469, 5e-8);
	near(r.p, 0.11134688653314041, 1e-12);
	double z = (r.u_y - r.mu) / sqrt(r.sigma2);
	near(erfc(z / sqrt(2.0)), 0.0864107329737, 1e-12);
}

/* V11, V12: large samples, normal approximation chosen automatically. */
static void test_v11_v12(void **state)
{
	(void)state;
	double x[600], y[500];
	for (int i = 0; i < 600; i++)
		x[i] = 2 * i - 41;
	for (int i = 0; i < 500; i++)
		y[i] = 2 * i;
	pd_mwu_result r = mwu(x, 600, y, 500, PD_MWU_AUTO);
	assert_int_equal(r.method, PD_MWU_NORMAL);
	assert_false(r.ties);
	rel(r.u_y, 135250);
	near(r.p, 0.0049335360814172224, 1e-15);
	for (int i = 0; i < 30; i++)
		x[i] = 2 * i;
	r = mwu(x, 600, y, 500, PD_MWU_AUTO);
	assert_int_equal(r.method, PD_MWU_NORMAL);
	rel(r.u_y, 134845);
	rel(r.tie_term, 180);
	near(r.p, 0.0038703814239617884, 1e-15);
}

/* The exact and exact-ties p against brute force: every labelling of the pooled values
 * (statistics.md 1.3, doubling rule), on small data with and without ties. */
static double u_pairs(const double *x, size_t nx, const double *y, size_t ny)
{
	double u = 0;
	for (size_t i = 0; i < nx; i++)
		for (size_t j = 0; j < ny; j++)
			u += y[j] > x[i] ? 1 : y[j] == x[i] ? 0.5 : 0;
	return u;
}

static double brute_p(const double *pool, size_t n, size_t ny, double uobs)
{
	double le = 0, ge = 0, total = 0;
	for (unsigned mask = 0; mask < (1u << n); mask++) {
		if ((size_t)__builtin_popcount(mask) != ny)
			continue;
		double x[16], y[16];
		size_t a = 0, b = 0;
		for (size_t i = 0; i < n; i++) {
			if (mask & (1u << i))
				y[b++] = pool[i];
			else
				x[a++] = pool[i];
		}
		double u = u_pairs(x, a, y, b);
		total++;
		le += u <= uobs;
		ge += u >= uobs;
	}
	return fmin(1, 2 * fmin(le, ge) / total);
}

static void test_against_enumeration(void **state)
{
	(void)state;
	unsigned seed = 12345;
	const size_t sizes[][2] = {{3, 4}, {5, 5}, {2, 6}, {6, 3}, {4, 7}, {1, 5}};
	for (int range = 3; range <= 40; range += 37) { /* heavy ties, then few */
		for (size_t s = 0; s < N(sizes); s++) {
			for (int rep = 0; rep < 4; rep++) {
				size_t nx = sizes[s][0], ny = sizes[s][1];
				double x[8], y[8], pool[16];
				for (size_t i = 0; i < nx; i++) {
					seed = seed * 1103515245u + 12345u;
					x[i] = pool[i] = (double)((seed >> 16) % (unsigned)range);
				}
				for (size_t j = 0; j < ny; j++) {
					seed = seed * 1103515245u + 12345u;
					y[j] = pool[nx + j] = (double)((seed >> 16) % (unsigned)range) + rep;
				}
				pd_mwu_result r = mwu(x, nx, y, ny, PD_MWU_EXACT);
				if (r.all_equal)
					continue;
				rel(r.u_y, u_pairs(x, nx, y, ny));
				rel(r.p, brute_p(pool, nx + ny, ny, r.u_y));
			}
		}
	}
}

/* 1.2 / 6.2: count tables and tails. */
static void check_counts(size_t r, size_t s, const double *want, size_t n, double total)
{
	pd_udist d = {0};
	pd_error err;
	assert_int_equal(pd_udist_build(&d, r, s, &err), PD_OK);
	assert_int_equal(d.umax, r * s);
	rel(d.total, total);
	for (size_t u = 0; u < n; u++)
		rel(d.cnt[u], want[u]);
	for (size_t u = 0; u <= d.umax; u++) /* symmetric */
		rel(d.cnt[u], d.cnt[d.umax - u]);
	pd_udist_fini(&d);
}

static void test_null_counts(void **state)
{
	(void)state;
	const double c24[] = {1, 1, 2, 2, 3, 2, 2, 1, 1};
	const double c33[] = {1, 1, 2, 3, 3, 3, 3, 2, 1, 1};
	const double c44[] = {1, 1, 2, 3, 5, 5, 7, 7, 8, 7, 7, 5, 5, 3, 2, 1, 1};
	const double c55[] = {1, 1, 2, 3, 5, 7, 9, 11, 14, 16, 18, 19, 20, 20, 19};
	check_counts(2, 4, c24, N(c24), 15);
	check_counts(4, 2, c24, N(c24), 15);
	check_counts(3, 3, c33, N(c33), 20);
	check_counts(4, 4, c44, N(c44), 70);
	check_counts(5, 5, c55, N(c55), 252);
	pd_udist d = {0};
	pd_error err;
	assert_int_equal(pd_udist_build(&d, 5, 5, &err), PD_OK);
	rel(pd_udist_cdf(&d, 2), 4.0 / 252);
	rel(pd_udist_cdf(&d, 3), 7.0 / 252);
	assert_int_equal(pd_udist_build(&d, 12, 12, &err), PD_OK);
	rel(d.total, 2704156);
	rel(pd_udist_cdf(&d, 17), 1160.0 / 2704156);
	near(pd_udist_cdf(&d, 37), 0.0224510, 5e-8);
	near(pd_udist_cdf(&d, 38), 0.0259323, 5e-8);
	rel(pd_udist_sf(&d, 144 - 17), 1160.0 / 2704156);
	/* The cache is reused for a matching (or swapped) size pair. */
	double *keep = d.cnt;
	assert_int_equal(pd_udist_build(&d, 12, 12, &err), PD_OK);
	assert_ptr_equal(d.cnt, keep);
	pd_udist_fini(&d);
	pd_udist_fini(NULL);
	/* Through pd_mwu with a caller-owned cache. */
	pd_mwu_result r;
	assert_int_equal(pd_mwu(v1x, 5, v1y, 5, PD_MWU_AUTO, &d, &r, &err), PD_OK);
	rel(r.p, 2.0 / 63);
	assert_int_equal(d.nx, 5);
	pd_udist_fini(&d);
}

/* 6.2: the tie DP on V2 (doubled mid-ranks 4 8 12 16 19 22 24). */
static void test_ties_distribution(void **state)
{
	(void)state;
	double *cnt;
	size_t n;
	pd_error err;
	assert_int_equal(pd_mwu_ties_counts(v2x, 6, v2y, 6, &cnt, &n, &err), PD_OK);
	assert_int_equal(n, 73); /* 2U = 0..72 */
	const double upper[] = {[58] = 12, [59] = 8, [60] = 3, [62] = 6, [63] = 6, [66] = 4,
				[70] = 3, [72] = 0};
	double total = 0, tail = 0;
	size_t support = 0;
	for (size_t i = 0; i < n; i++) {
		total += cnt[i];
		support += cnt[i] != 0;
		if (i >= 58) {
			rel(cnt[i], upper[i]);
			tail += cnt[i];
		}
		rel(cnt[i], cnt[72 - i]); /* equal sizes: symmetric even with ties */
	}
	rel(total, 924);
	rel(tail, 42);
	assert_int_equal(support, 55);
	pd_free(cnt);
	/* Without ties it is the no-ties table, on the doubled scale. */
	assert_int_equal(pd_mwu_ties_counts(v1x, 5, v1y, 5, &cnt, &n, &err), PD_OK);
	const double c55[] = {1, 1, 2, 3, 5, 7, 9, 11, 14, 16, 18, 19, 20, 20, 19};
	for (size_t u = 0; u < 15; u++) {
		rel(cnt[2 * u], c55[u]);
		rel(cnt[2 * u + 1], 0);
	}
	pd_free(cnt);
	assert_int_equal(pd_mwu_ties_counts(v1x, 0, v1y, 5, &cnt, &n, &err), PD_EINPUT);
	assert_null(cnt);
}

/* 1.6 / 6.2: minimum achievable p and the sample sizes it implies. */
static void test_min_p(void **state)
{
	(void)state;
	const double two[] = {1, 0.333333, 0.1, 0.0285714, 0.00793651, 0.00216450, 5.82751e-4,
			      1.55400e-4, 4.11353e-5, 1.08251e-5, 2.83514e-6, 7.39602e-7};
	for (size_t k = 1; k <= N(two); k++)
		near(pd_mwu_min_p(k, k), two[k - 1], two[k - 1] * 1e-5);
	rel(pd_mwu_min_p(3, 5), 2.0 / 56);
	rel(pd_mwu_min_p(2, 8), 2.0 / 45);
	rel(pd_mwu_min_p(1, 39), 0.05);
	rel(pd_mwu_min_p(0, 5), 1);
	assert_int_equal(pd_mwu_need_k(0.05, 1), 4); /* "need >= 4 samples" */
	const size_t m[] = {10, 100, 500, 1000, 2000, 5000, 10000, 50000};
	const size_t k[] = {6, 8, 9, 9, 10, 11, 11, 12};
	for (size_t i = 0; i < N(m); i++)
		assert_int_equal(pd_mwu_need_k(0.05, m[i]), k[i]);
	/* No finite C can stop p = 0 from being reached with alpha 0 only at infinity. */
	assert_int_equal(pd_mwu_need_k(0, 1), 0);
}

/* 6.3: Hodges-Lehmann and Lehmann's interval. */
static pd_hl_result hl(const double *x, size_t nx, const double *y, size_t ny)
{
	pd_hl_result r;
	pd_error err;
	assert_int_equal(pd_hl_ci(x, nx, y, ny, 0.95, NULL, &r, &err), PD_OK);
	return r;
}

static void test_hodges_lehmann(void **state)
{
	(void)state;
	pd_hl_result r = hl(v1x, 5, v1y, 5); /* H1 */
	rel(r.hl, 14);
	assert_int_equal(r.k, 3);
	rel(r.lo, 3);
	rel(r.hi, 26);
	rel(r.coverage, 61.0 / 63);
	assert_false(r.approximate);
	r = hl(v2x, 6, v2y, 6); /* H2 */
	rel(r.hl, 30);
	assert_int_equal(r.k, 6);
	rel(r.lo, 0);
	rel(r.hi, 60);
	near(r.coverage, 0.958874, 5e-7);
	assert_true(r.approximate);
	r = hl(v3x, 12, v3y, 12); /* H3 */
	rel(r.hl, 12.5);
	assert_int_equal(r.k, 38);
	rel(r.lo, 6);
	rel(r.hi, 20);
	near(r.coverage, 0.955098, 5e-7);
	assert_false(r.approximate);
	r = hl(v4x, 5, v4y, 5); /* H4 */
	rel(r.hl, 4);
	assert_int_equal(r.k, 3);
	rel(r.lo, 2);
	rel(r.hi, 6);
	near(r.coverage, 0.968254, 5e-7);
	assert_true(r.approximate);
	r = hl(v1x, 3, v1y, 3); /* H5: nx = ny = 3 */
	assert_true(r.infinite);
	assert_int_equal(r.k, 0);
	assert_true(isinf(r.lo) && r.lo < 0);
	assert_true(isinf(r.hi) && r.hi > 0);
	const double a[] = {1, 2, 3, 4}, b[] = {10, 30, 20, 50}; /* H6 */
	r = hl(a, 4, b, 4);
	assert_int_equal(r.k, 1);
	rel(r.lo, 10 - 4);
	rel(r.hi, 50 - 1);
	near(r.coverage, 0.971429, 5e-7);
	pd_error err;
	assert_int_equal(pd_hl_ci(a, 0, b, 4, 0.95, NULL, &r, &err), PD_EINPUT);
}

/* 2.2: k and coverage for nx = ny = K at 95 %. */
static void test_hl_k_table(void **state)
{
	(void)state;
	const size_t ks[] = {4, 5, 6, 7, 8, 9, 10, 12, 15, 20};
	const size_t want[] = {1, 3, 6, 9, 14, 18, 24, 38, 65, 128};
	const double cov[] = {0.971429, 0.968254, 0.958874, 0.962121, 0.950117,
			      0.960016, 0.956743, 0.955098, 0.954666, 0.950910};
	double x[20], y[20];
	for (size_t i = 0; i < 20; i++) {
		x[i] = (double)i;
		y[i] = (double)i + 0.5;
	}
	for (size_t i = 0; i < N(ks); i++) {
		pd_hl_result r = hl(x, ks[i], y, ks[i]);
		assert_int_equal(r.k, want[i]);
		near(r.coverage, cov[i], 5e-7);
	}
	/* Beyond the exact table, k comes from the normal approximation (1.96 sigma). */
	double bx[60], by[60];
	for (size_t i = 0; i < 60; i++) {
		bx[i] = (double)i;
		by[i] = (double)i + 0.25;
	}
	pd_hl_result r = hl(bx, 60, by, 60);
	double mu = 1800, sigma = sqrt(3600.0 * 121 / 12);
	assert_int_equal(r.k, (size_t)floor(mu + 0.5 - 1.959963984540054 * sigma));
	assert_true(r.approximate);
}

/* 2.3 / 6.3 relative changes, and 6.4 one-sample median intervals. */
static void test_median_ci(void **state)
{
	(void)state;
	double t[12];
	memcpy(t, v1x, sizeof v1x);
	rel(pd_median(t, 5), 112);
	memcpy(t, v1y, sizeof v1y);
	near((pd_median(t, 5) / 112 - 1) * 100, 13.3929, 5e-5);
	rel(hl(v1x, 5, v1y, 5).hl / 112 * 100, 12.5);
	memcpy(t, v2x, sizeof v2x);
	rel(pd_median(t, 6), 37.5);
	memcpy(t, v2y, sizeof v2y);
	rel((pd_median(t, 6) / 37.5 - 1) * 100, 60); /* V2: +60 %, HL 30 / 37.5 = 80 % */
	rel(hl(v2x, 6, v2y, 6).hl / 37.5 * 100, 80);
	memcpy(t, v3x, sizeof v3x);
	double m3 = pd_median(t, 12);
	memcpy(t, v3y, sizeof v3y);
	rel((pd_median(t, 12) / m3 - 1) * 100, 6.25); /* V3: +6.25 %, HL 12.5 / 200 too */
	rel(hl(v3x, 12, v3y, 12).hl / m3 * 100, 6.25);
	assert_true(isnan(pd_median(t, 0)));

	const size_t lo[] = {0, 1, 1, 1, 2, 2, 2, 3}, hi[] = {5, 6, 7, 7, 8, 9, 9, 10};
	const double conf[] = {0.968750, 0.968750, 0.984375, 0.960938,
			       0.960938, 0.978516, 0.961426, 0.961426};
	double v[12];
	for (size_t i = 0; i < 12; i++)
		v[i] = (double)(100 - i);
	pd_error err;
	for (size_t n = 5; n <= 12; n++) {
		pd_median_result r;
		assert_int_equal(pd_median_ci(v, n, 0.95, &r, &err), PD_OK);
		assert_int_equal(r.lo_order, lo[n - 5]);
		assert_int_equal(r.hi_order, hi[n - 5]);
		near(r.confidence, conf[n - 5], 5.1e-7);
		assert_int_equal(r.infinite, n == 5);
	}
	pd_median_result r;
	assert_int_equal(pd_median_ci(v, 10, 0.95, &r, &err), PD_OK);
	rel(r.confidence, 0.978515625);
	assert_int_equal(pd_median_ci_need_n(0.95), 6);
	assert_int_equal(pd_median_ci(v3x, 12, 0.95, &r, &err), PD_OK);
	rel(r.median, 200);
	rel(r.lo, 192);
	rel(r.hi, 207);
	near(fmax(r.hi / r.median - 1, 1 - r.lo / r.median) * 100, 4, 0.5); /* "± 4%" */
	assert_int_equal(pd_median_ci(v3y, 12, 0.95, &r, &err), PD_OK);
	rel(r.median, 212.5);
	rel(r.lo, 206);
	rel(r.hi, 218);
	near(fmax(r.hi / r.median - 1, 1 - r.lo / r.median), 0.030588, 5e-7); /* "± 3%" */
	assert_int_equal(pd_median_ci(v, 5, 0.95, &r, &err), PD_OK);
	assert_true(isinf(r.lo));
}

/* 3.3 / 6.5: BH and BY, and the decision example of 4.2. */
static void test_fdr(void **state)
{
	(void)state;
	const double p[] = {0.040, 0.001, 0.300, 0.008, 0.039, 0.041, 0.0005, 0.620, 0.040, 0.060};
	const double bh[] = {0.0585714, 0.005, 0.3333333, 0.0266667, 0.0585714,
			     0.0585714, 0.005, 0.62, 0.0585714, 0.075};
	const double by[] = {0.1715539, 0.0146448, 0.9763228, 0.0781058, 0.1715539,
			     0.1715539, 0.0146448, 1, 0.1715539, 0.2196726};
	double q[10];
	pd_error err;
	assert_int_equal(pd_fdr_adjust(p, 10, false, q, &err), PD_OK);
	size_t flagged = 0;
	for (size_t i = 0; i < 10; i++) {
		near(q[i], bh[i], 5e-8);
		assert_true(q[i] >= p[i]);
		if (q[i] <= 0.05)
			flagged |= (size_t)1 << i;
	}
	assert_int_equal(flagged, (1u << 1) | (1u << 3) | (1u << 6)); /* f2, f4, f7 */
	assert_true(q[0] == q[8]); /* tied p, equal q */
	rel(q[5], 0.041 * 10 / 7);
	assert_int_equal(pd_fdr_adjust(p, 10, true, q, &err), PD_OK);
	for (size_t i = 0; i < 10; i++)
		near(q[i], by[i], 5e-8);
	rel(q[1], 7381.0 / 2520 * 0.005);
	size_t by_flags = 0;
	for (size_t i = 0; i < 10; i++)
		by_flags += q[i] <= 0.05;
	assert_int_equal(by_flags, 2);
	/* c(M) of 3.5: with M equal p-values, BY's q is c(M) * p. */
	static double eq[5000];
	const size_t ms[] = {100, 1000, 2000, 5000};
	const double cm[] = {5.187378, 7.485471, 8.178368, 9.094509};
	for (size_t i = 0; i < N(ms); i++) {
		for (size_t j = 0; j < ms[i]; j++)
			eq[j] = 1e-4;
		assert_int_equal(pd_fdr_adjust(eq, ms[i], true, eq, &err), PD_OK);
		near(eq[0] / 1e-4, cm[i], 5e-7);
		near(eq[ms[i] - 1] / 1e-4, cm[i], 5e-7);
	}
	/* 4.2 decision example. */
	const double p4[] = {2.0 / 63, 1.0 / 11, 580.0 / 676039, 1.0 / 126};
	assert_int_equal(pd_fdr_adjust(p4, 4, false, q, &err), PD_OK);
	rel(q[0], 8.0 / 189);
	rel(q[1], 1.0 / 11);
	rel(q[2], 2320.0 / 676039);
	rel(q[3], 1.0 / 63);
	/* NaN is not a test: M counts the others; q may alias p. */
	double pn[] = {0.01, NAN, 0.04};
	assert_int_equal(pd_fdr_adjust(pn, 3, false, pn, &err), PD_OK);
	rel(pn[0], 0.02);
	assert_true(isnan(pn[1]));
	rel(pn[2], 0.04);
	assert_int_equal(pd_fdr_adjust(pn, 0, false, pn, &err), PD_OK);
}

/* Every allocation failure ends in PD_EINTERNAL with the one OOM message; the sanitizer
 * build proves nothing leaks on those paths. */
static void test_oom(void **state)
{
	(void)state;
	pd_error err;
	pd_mwu_result r;
	pd_hl_result h;
	const double *xs[] = {v1x, v2x}, *ys[] = {v1y, v2y};
	const size_t ns[] = {5, 6};
	for (int c = 0; c < 2; c++) {
		long n = 1;
		for (;; n++) {
			pd_alloc_fail_at(n);
			pd_status rc = pd_mwu(xs[c], ns[c], ys[c], ns[c], PD_MWU_AUTO, NULL, &r, &err);
			pd_status rh = pd_hl_ci(xs[c], ns[c], ys[c], ns[c], 0.95, NULL, &h, &err);
			pd_alloc_fail_at(0);
			if (rc == PD_OK && rh == PD_OK)
				break;
			assert_true(rc == PD_EINTERNAL || rh == PD_EINTERNAL);
			assert_string_equal(err.msg, "out of memory");
		}
		assert_true(n > 2); /* some allocation was failed */
		rel(r.p, c == 0 ? 2.0 / 63 : 1.0 / 11);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v1),
		cmocka_unit_test(test_v2),
		cmocka_unit_test(test_v3),
		cmocka_unit_test(test_v4),
		cmocka_unit_test(test_v5_and_degenerate),
		cmocka_unit_test(test_v6_to_v10),
		cmocka_unit_test(test_v11_v12),
		cmocka_unit_test(test_against_enumeration),
		cmocka_unit_test(test_null_counts),
		cmocka_unit_test(test_ties_distribution),
		cmocka_unit_test(test_min_p),
		cmocka_unit_test(test_hodges_lehmann),
		cmocka_unit_test(test_hl_k_table),
		cmocka_unit_test(test_median_ci),
		cmocka_unit_test(test_fdr),
		cmocka_unit_test(test_oom),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
