/* Statistics of the gate: two-sided Mann-Whitney U (exact, exact conditional on ties,
 * normal), Hodges-Lehmann shift with Lehmann's interval, the one-sample median interval
 * and BH/BY adjusted values. Pure functions over borrowed arrays; scratch memory comes
 * from pd_malloc and is freed before returning. See shared docs/statistics.md. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "gate/gate.h"

#define SQRT2 1.41421356237309504880 /* M_SQRT2 is not ISO C */
#define EXACT_CELLS 1000000          /* largest nx*ny for an exact table */
#define REL_EPS 1e-12                /* p and mass comparisons that must tie exactly */

static const char *const method_names[PD_MWU_METHOD_KINDS] = {
	[PD_MWU_AUTO] = "auto",
	[PD_MWU_EXACT] = "exact",
	[PD_MWU_EXACT_TIES] = "exact-ties",
	[PD_MWU_NORMAL] = "normal",
	[PD_MWU_NONE] = "none",
};

const char *pd_mwu_method_name(pd_mwu_method m)
{
	return (unsigned)m < PD_MWU_METHOD_KINDS ? method_names[m] : "?";
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double pd_median(double *v, size_t n)
{
	if (n == 0)
		return NAN;
	qsort(v, n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static bool finite_all(const double *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return false;
	return true;
}

/* ---- exact no-ties distribution (statistics.md 1.2) -------------------------------- */

void pd_udist_fini(pd_udist *d)
{
	if (!d)
		return;
	pd_free(d->cnt);
	memset(d, 0, sizeof *d);
}

pd_status pd_udist_build(pd_udist *d, size_t nx, size_t ny, pd_error *err)
{
	/* c_{r,s} == c_{s,r}: a cached (ny, nx) table serves (nx, ny) too. */
	if (d->cnt && ((d->nx == nx && d->ny == ny) || (d->nx == ny && d->ny == nx)))
		return PD_OK;
	pd_udist_fini(d);
	if (nx == 0 || ny == 0 || nx > EXACT_CELLS / ny)
		return pd_error_set(err, PD_EUSAGE, "exact U distribution for %zu x %zu values is too large",
				    nx, ny);
	size_t r = nx < ny ? nx : ny, s = nx < ny ? ny : nx, w = r * s + 1;
	double *t = pd_calloc((r + 1) * w, sizeof *t);
	if (!t)
		return pd_error_oom(err);
	for (size_t i = 0; i <= r; i++)
		t[i * w] = 1; /* layer s = 0 */
	/* After pass j, row i holds c_{i,j}; row i-1 is already at layer j (1.2). */
	for (size_t j = 1; j <= s; j++)
		for (size_t i = 1; i <= r; i++)
			for (size_t u = j; u <= i * j; u++)
				t[i * w + u] += t[(i - 1) * w + u - j];
	double *cnt = pd_malloc(w * sizeof *cnt);
	if (!cnt) {
		pd_free(t);
		return pd_error_oom(err);
	}
	memcpy(cnt, t + r * w, w * sizeof *cnt);
	pd_free(t);
	double total = 0;
	for (size_t u = 0; u < w; u++)
		total += cnt[u];
	*d = (pd_udist){.nx = nx, .ny = ny, .umax = w - 1, .cnt = cnt, .total = total};
	return PD_OK;
}

double pd_udist_cdf(const pd_udist *d, long u)
{
	if (u < 0)
		return 0;
	if ((size_t)u >= d->umax)
		return 1;
	double sum = 0; /* from the extreme end: smallest terms first */
	for (long i = 0; i <= u; i++)
		sum += d->cnt[i];
	return sum / d->total;
}

double pd_udist_sf(const pd_udist *d, long u)
{
	if (u <= 0)
		return 1;
	if ((size_t)u > d->umax)
		return 0;
	double sum = 0;
	for (long i = (long)d->umax; i >= u; i--)
		sum += d->cnt[i];
	return sum / d->total;
}

/* ---- ranking ------------------------------------------------------------------------ */

typedef struct pooled {
	double v;
	int side; /* 0 = x, 1 = y */
	size_t idx;
} pooled;

/* Total order: value, then side, then index (qsort is not stable). */
static int cmp_pooled(const void *a, const void *b)
{
	const pooled *p = a, *q = b;
	if (p->v != q->v)
		return (p->v > q->v) - (p->v < q->v);
	if (p->side != q->side)
		return p->side - q->side;
	return (p->idx > q->idx) - (p->idx < q->idx);
}

typedef struct ranked {
	size_t ngroups;
	size_t *size;    /* tie group sizes, in increasing value order */
	int64_t *rho;    /* doubled mid-ranks 2s + t + 1 */
	int64_t two_ry;  /* 2 R_Y */
	double tie_term; /* sum t^3 - t */
} ranked;

static void ranked_fini(ranked *r)
{
	pd_free(r->size);
	pd_free(r->rho);
}

static pd_status rank_pooled(const double *x, size_t nx, const double *y, size_t ny, ranked *out,
			     pd_error *err)
{
	size_t n = nx + ny;
	memset(out, 0, sizeof *out);
	pooled *p = pd_malloc(n * sizeof *p);
	out->size = pd_malloc(n * sizeof *out->size);
	out->rho = pd_malloc(n * sizeof *out->rho);
	if (!p || !out->size || !out->rho) {
		pd_free(p);
		ranked_fini(out);
		return pd_error_oom(err);
	}
	for (size_t i = 0; i < nx; i++)
		p[i] = (pooled){x[i], 0, i};
	for (size_t j = 0; j < ny; j++)
		p[nx + j] = (pooled){y[j], 1, j};
	qsort(p, n, sizeof *p, cmp_pooled);
	for (size_t s = 0; s < n;) {
		size_t t = 1;
		while (s + t < n && p[s + t].v == p[s].v)
			t++;
		int64_t rho = (int64_t)(2 * s + t + 1);
		for (size_t k = s; k < s + t; k++)
			if (p[k].side == 1)
				out->two_ry += rho;
		out->size[out->ngroups] = t;
		out->rho[out->ngroups++] = rho;
		out->tie_term += (double)t * (double)t * (double)t - (double)t;
		s += t;
	}
	pd_free(p);
	return PD_OK;
}

/* ---- exact conditional distribution with ties (statistics.md 1.3) ------------------- */

/* Counts of the doubled rank sum w of a side of size ny, given the tie pattern in rk:
 * *row (owned by the caller, pd_free) holds counts for w = 0..*wmax. */
static pd_status ties_counts(const ranked *rk, size_t ny, size_t n, double **row, size_t *wmax,
			     pd_error *err)
{
	size_t wm = 2 * n * ny; /* each doubled mid-rank is at most 2N */
	size_t wn = wm + 1;
	if (wn > EXACT_CELLS * 64 / (ny + 1))
		return pd_error_set(err, PD_EUSAGE, "exact U test with ties for %zu values is too large",
				    n);
	double *a = pd_calloc((ny + 1) * wn, sizeof *a);
	if (!a)
		return pd_error_oom(err);
	a[0] = 1;
	size_t seen = 0;
	for (size_t g = 0; g < rk->ngroups; g++) {
		size_t t = rk->size[g], rho = (size_t)rk->rho[g];
		seen += t;
		size_t ktop = seen < ny ? seen : ny;
		/* k downward: rows below k still hold the previous groups (0/1 knapsack). */
		for (size_t k = ktop; k >= 1; k--) {
			double c = 1; /* C(t, a), by the multiplicative update */
			for (size_t am = 1; am <= t && am <= k; am++) {
				c = c * (double)(t - am + 1) / (double)am;
				const double *src = a + (k - am) * wn;
				double *dst = a + k * wn;
				for (size_t w = am * rho; w <= wm; w++)
					if (src[w - am * rho] != 0)
						dst[w] += src[w - am * rho] * c;
			}
		}
	}
	memmove(a, a + ny * wn, wn * sizeof *a);
	*row = a;
	*wmax = wm;
	return PD_OK;
}

/* Two-sided doubling-rule p of the observed rank sum, over the tie pattern in rk.
 * The DP counts the smaller side (ny here is its size, two_r its doubled rank sum):
 * R_X = N(N+1)/2 - R_Y maps one side's tails onto the other's, so the two-sided p is
 * the same and the table is smallest. */
static pd_status ties_exact_p(const ranked *rk, size_t ny, int64_t two_r, size_t n, double *p,
			      pd_error *err)
{
	double *row;
	size_t wmax;
	pd_status rc = ties_counts(rk, ny, n, &row, &wmax, err);
	if (rc != PD_OK)
		return rc;
	size_t wobs = (size_t)two_r;
	double lo = 0, hi = 0, total = 0;
	for (size_t w = 0; w <= wmax; w++) { /* from the extreme ends: smallest terms first */
		total += row[w];
		if (w <= wobs)
			lo += row[w];
	}
	for (size_t w = wmax + 1; w-- > wobs;)
		hi += row[w];
	pd_free(row);
	double tail = lo < hi ? lo : hi;
	*p = fmin(1, 2 * tail / total);
	return PD_OK;
}

pd_status pd_mwu_ties_counts(const double *x, size_t nx, const double *y, size_t ny,
			     double **cnt, size_t *ncnt, pd_error *err)
{
	*cnt = NULL;
	*ncnt = 0;
	if (nx == 0 || ny == 0 || !finite_all(x, nx) || !finite_all(y, ny))
		return pd_error_set(err, PD_EINPUT, "U distribution: empty side or non-finite value");
	ranked rk;
	pd_status rc = rank_pooled(x, nx, y, ny, &rk, err);
	if (rc != PD_OK)
		return rc;
	double *row;
	size_t wmax, n = nx + ny, off = ny * (ny + 1), m = 2 * nx * ny + 1;
	rc = ties_counts(&rk, ny, n, &row, &wmax, err);
	ranked_fini(&rk);
	if (rc != PD_OK)
		return rc;
	/* 2U_Y = w - ny(ny+1) spans 0..2*nx*ny. */
	memmove(row, row + off, m * sizeof *row);
	*cnt = row;
	*ncnt = m;
	return PD_OK;
}

/* ---- the U test ---------------------------------------------------------------------- */

static double normal_p(double z)
{
	return fmin(1, erfc(fabs(z) / SQRT2));
}

pd_status pd_mwu(const double *x, size_t nx, const double *y, size_t ny, pd_mwu_method method,
		 pd_udist *cache, pd_mwu_result *res, pd_error *err)
{
	memset(res, 0, sizeof *res);
	res->p = res->p_normal = 1;
	res->method = PD_MWU_NONE;
	if (!finite_all(x, nx) || !finite_all(y, ny))
		return pd_error_set(err, PD_EINPUT, "U test: a value is NaN or infinite");
	if (nx == 0 || ny == 0) {
		res->empty = true;
		return PD_OK;
	}
	ranked rk;
	pd_status rc = rank_pooled(x, nx, y, ny, &rk, err);
	if (rc != PD_OK)
		return rc;
	size_t n = nx + ny;
	double nxy = (double)nx * (double)ny;
	int64_t two_uy = rk.two_ry - (int64_t)ny * (int64_t)(ny + 1);
	res->u_y = (double)two_uy / 2;
	res->tie_term = rk.tie_term;
	res->ties = rk.ngroups < n;
	res->mu = nxy / 2;
	if (rk.ngroups == 1) {
		res->all_equal = true;
		ranked_fini(&rk);
		return PD_OK;
	}
	res->sigma2 = nxy / 12 * (((double)n + 1) - rk.tie_term / ((double)n * (double)(n - 1)));
	double d = res->u_y - res->mu;
	double dcc = d > 0 ? d - 0.5 : d < 0 ? d + 0.5 : 0;
	res->z = dcc / sqrt(res->sigma2);
	res->p_normal = normal_p(res->z);

	if (method == PD_MWU_AUTO) {
		if (!res->ties && nx <= PD_MWU_EXACT_MAX && ny <= PD_MWU_EXACT_MAX)
			method = PD_MWU_EXACT;
		else if (res->ties && nx <= PD_MWU_TIES_EXACT_MAX && ny <= PD_MWU_TIES_EXACT_MAX)
			method = PD_MWU_EXACT_TIES;
		else
			method = PD_MWU_NORMAL;
	}
	/* The no-ties table is wrong under ties: a forced "exact" uses the conditional one. */
	if (method == PD_MWU_EXACT && res->ties)
		method = PD_MWU_EXACT_TIES;
	if (method != PD_MWU_NORMAL && nx > EXACT_CELLS / ny) {
		ranked_fini(&rk);
		return pd_error_set(err, PD_EUSAGE, "exact U test for %zu x %zu values is too large",
				    nx, ny);
	}
	res->method = method;
	if (method == PD_MWU_NORMAL) {
		res->p = res->p_normal;
	} else if (method == PD_MWU_EXACT_TIES) {
		int64_t two_rx = (int64_t)n * (int64_t)(n + 1) - rk.two_ry;
		rc = nx < ny ? ties_exact_p(&rk, nx, two_rx, n, &res->p, err)
			     : ties_exact_p(&rk, ny, rk.two_ry, n, &res->p, err);
	} else {
		pd_udist local = {0}, *ud = cache ? cache : &local;
		rc = pd_udist_build(ud, nx, ny, err);
		if (rc == PD_OK) {
			long u = (long)(two_uy / 2);
			double tail = fmin(pd_udist_cdf(ud, u), pd_udist_sf(ud, u));
			res->p = fmin(1, 2 * tail);
		}
		pd_udist_fini(&local);
	}
	ranked_fini(&rk);
	return rc;
}

double pd_mwu_min_p(size_t nx, size_t ny)
{
	if (nx == 0 || ny == 0)
		return 1;
	size_t k = nx < ny ? nx : ny, n = nx + ny;
	long double c = 1; /* C(n, k) by the multiplicative update: no factorials */
	for (size_t i = 0; i < k; i++)
		c = c * (long double)(n - i) / (long double)(i + 1);
	long double p = 2 / c;
	return p > 1 ? 1 : (double)p;
}

size_t pd_mwu_need_k(double alpha, size_t m)
{
	if (m == 0)
		m = 1;
	for (size_t k = 1; k <= 64; k++)
		if ((double)m * pd_mwu_min_p(k, k) <= alpha * (1 + REL_EPS))
			return k;
	return 0;
}

/* ---- Hodges-Lehmann (statistics.md 2.1-2.2) ----------------------------------------- */

/* Largest k >= 1 with P0(U <= k-1) <= a (normal approximation with continuity
 * correction, for sizes beyond the exact table); 0 when none. */
static size_t normal_k(double mu, double sigma, double a)
{
	size_t lo = 0, hi = (size_t)mu + 1; /* invariant: lo satisfies (or is 0) */
	while (lo < hi) {
		size_t mid = lo + (hi - lo + 1) / 2;
		double tail = 0.5 * erfc(-(((double)mid - 0.5 - mu) / sigma) / SQRT2);
		if (tail <= a)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

pd_status pd_hl_ci(const double *x, size_t nx, const double *y, size_t ny, double conf,
		   pd_udist *cache, pd_hl_result *res, pd_error *err)
{
	memset(res, 0, sizeof *res);
	res->hl = res->lo = res->hi = NAN;
	if (nx == 0 || ny == 0)
		return pd_error_set(err, PD_EINPUT, "Hodges-Lehmann: a side has no values");
	if (!finite_all(x, nx) || !finite_all(y, ny))
		return pd_error_set(err, PD_EINPUT, "Hodges-Lehmann: a value is NaN or infinite");
	if (nx > EXACT_CELLS / ny)
		return pd_error_set(err, PD_EUSAGE, "Hodges-Lehmann for %zu x %zu values is too large",
				    nx, ny);
	size_t m = nx * ny;
	double *dd = pd_malloc(m * sizeof *dd);
	if (!dd)
		return pd_error_oom(err);
	for (size_t i = 0; i < nx; i++)
		for (size_t j = 0; j < ny; j++)
			dd[i * ny + j] = y[j] - x[i];
	res->hl = pd_median(dd, m);
	/* Ties in the pooled data make the no-ties k approximate (2.2). The differences
	 * themselves tie often without that. */
	double *pool = pd_malloc((nx + ny) * sizeof *pool);
	if (!pool) {
		pd_free(dd);
		return pd_error_oom(err);
	}
	memcpy(pool, x, nx * sizeof *pool);
	memcpy(pool + nx, y, ny * sizeof *pool);
	qsort(pool, nx + ny, sizeof *pool, cmp_double);
	for (size_t i = 1; i < nx + ny; i++)
		if (pool[i] == pool[i - 1])
			res->approximate = true;
	pd_free(pool);
	double a = (1 - conf) / 2;
	size_t k = 0;
	double p_below = NAN;
	if (nx <= PD_MWU_EXACT_MAX && ny <= PD_MWU_EXACT_MAX) {
		pd_udist local = {0}, *ud = cache ? cache : &local;
		pd_status rc = pd_udist_build(ud, nx, ny, err);
		if (rc != PD_OK) {
			pd_udist_fini(&local);
			pd_free(dd);
			return rc;
		}
		while (k < m / 2 + 1 && pd_udist_cdf(ud, (long)k) <= a * (1 + REL_EPS))
			k++;
		if (k > 0)
			p_below = pd_udist_cdf(ud, (long)k - 1);
		pd_udist_fini(&local);
	} else {
		double mu = (double)m / 2, sigma = sqrt((double)m * (double)(nx + ny + 1) / 12);
		k = normal_k(mu, sigma, a);
		if (k > 0)
			p_below = 0.5 * erfc(-(((double)k - 0.5 - mu) / sigma) / SQRT2);
		res->approximate = true;
	}
	if (k == 0) {
		res->infinite = true;
		res->lo = -INFINITY;
		res->hi = INFINITY;
	} else {
		res->k = k;
		res->lo = dd[k - 1];
		res->hi = dd[m - k];
		res->coverage = 1 - 2 * p_below;
	}
	pd_free(dd);
	return PD_OK;
}

/* ---- one-sample median interval (statistics.md 2.4) ---------------------------------- */

/* Binomial(n, 1/2) weights w[0..n], from logs so that large n cannot overflow. */
static double *binom_half(size_t n)
{
	double *w = pd_malloc((n + 1) * sizeof *w);
	if (!w)
		return NULL;
	double lw = -(double)n * log(2.0);
	for (size_t k = 0; k <= n; k++) {
		w[k] = exp(lw);
		lw += log((double)(n - k)) - log((double)(k + 1));
	}
	return w;
}

static bool wider(double a, double b) /* a > b beyond rounding: equal weights tie */
{
	return a > b && a - b > REL_EPS * a;
}

/* Fills lo/hi gap bounds; returns the covered mass, or -1 on out of memory. */
static double median_gaps(size_t n, double conf, size_t *lo, size_t *hi)
{
	double *w = binom_half(n);
	if (!w)
		return -1;
	size_t l = (n + 2) / 2 - 1, r = l + 1; /* ceil((n+1)/2) - 1 */
	double mass = w[l];
	while (mass < conf * (1 - REL_EPS) && (l > 0 || r <= n)) {
		if (l > 0 && (r > n || !wider(w[r], w[l - 1])))
			mass += w[--l];
		else
			mass += w[r++];
	}
	pd_free(w);
	*lo = l;
	*hi = r;
	return fmin(1, mass);
}

pd_status pd_median_ci(const double *v, size_t n, double conf, pd_median_result *res,
		       pd_error *err)
{
	memset(res, 0, sizeof *res);
	if (n == 0)
		return pd_error_set(err, PD_EINPUT, "median: no values");
	if (!finite_all(v, n))
		return pd_error_set(err, PD_EINPUT, "median: a value is NaN or infinite");
	double *s = pd_malloc(n * sizeof *s);
	if (!s)
		return pd_error_oom(err);
	memcpy(s, v, n * sizeof *s);
	res->median = pd_median(s, n);
	size_t l, r;
	double mass = median_gaps(n, conf, &l, &r);
	if (mass < 0) {
		pd_free(s);
		return pd_error_oom(err);
	}
	res->confidence = mass;
	res->lo_order = l;
	res->hi_order = r;
	res->lo = l >= 1 ? s[l - 1] : -INFINITY;
	res->hi = r <= n ? s[r - 1] : INFINITY;
	res->infinite = l < 1 || r > n;
	pd_free(s);
	return PD_OK;
}

size_t pd_median_ci_need_n(double conf)
{
	for (size_t n = 1; n <= 1000; n++) {
		size_t l, r;
		if (median_gaps(n, conf, &l, &r) >= 0 && l >= 1 && r <= n)
			return n;
	}
	return 0;
}

/* ---- BH / BY (statistics.md 3.2, 3.5) ------------------------------------------------ */

typedef struct pidx {
	double p;
	size_t i;
} pidx;

static int cmp_pidx(const void *a, const void *b)
{
	const pidx *x = a, *y = b;
	if (x->p != y->p)
		return (x->p > y->p) - (x->p < y->p);
	return (x->i > y->i) - (x->i < y->i);
}

pd_status pd_fdr_adjust(const double *p, size_t m, bool by, double *q, pd_error *err)
{
	pidx *s = pd_malloc((m ? m : 1) * sizeof *s);
	if (!s)
		return pd_error_oom(err);
	size_t k = 0;
	for (size_t i = 0; i < m; i++)
		if (!isnan(p[i]))
			s[k++] = (pidx){p[i], i};
	for (size_t i = 0; i < m; i++)
		if (isnan(p[i]))
			q[i] = NAN;
	qsort(s, k, sizeof *s, cmp_pidx);
	double c = 1;
	if (by) {
		c = 0;
		for (size_t i = k; i >= 1; i--) /* smallest terms first */
			c += 1 / (double)i;
	}
	double run = 1;
	for (size_t j = k; j >= 1; j--) {
		double v = fmin(1, c * (double)k * s[j - 1].p / (double)j);
		if (v < run)
			run = v;
		q[s[j - 1].i] = run;
	}
	pd_free(s);
	return PD_OK;
}
