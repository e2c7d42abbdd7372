/* The CI gate: statistics (stats.c), the decision over a diff or over K samples per
 * side (rules.c, samples.c) and the --gate-file parser (gatefile.c). Nothing here
 * prints or exits; fallible calls return a pd_status and fill a pd_error. Inputs are
 * borrowed; result structs are caller-owned and released by their _fini.
 * Formulas and test vectors: docs/statistics.md (shared), schema: docs/gate-file.md. */
#ifndef PD_GATE_H
#define PD_GATE_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "profdiff/profdiff.h"

/* ---- statistics (stats.c) ------------------------------------------------------- */

/* Largest sizes for the exact tests (go-moremath's limits, statistics.md 1.5). */
#define PD_MWU_EXACT_MAX 50
#define PD_MWU_TIES_EXACT_MAX 25

typedef enum pd_mwu_method {
	PD_MWU_AUTO,       /* as input: choose per statistics.md 1.5 */
	PD_MWU_EXACT,      /* exact null distribution, no ties */
	PD_MWU_EXACT_TIES, /* exact distribution conditional on the tie pattern */
	PD_MWU_NORMAL,     /* normal approximation, tie and continuity corrected */
	PD_MWU_NONE,       /* as output: no test (a side empty, or all values equal) */
	PD_MWU_METHOD_KINDS
} pd_mwu_method;

const char *pd_mwu_method_name(pd_mwu_method m); /* "auto", "exact", "exact-ties", ... */

/* Counts of the exact no-ties null distribution of U for one (nx, ny): cnt[u] for
 * u = 0..umax, summing to total = C(nx+ny, nx). The caller owns it (zero-initialise,
 * then pd_udist_fini); pd_udist_build reuses it when the sizes match, so one struct
 * serves every function of a --slices run. */
typedef struct pd_udist {
	size_t nx, ny;
	size_t umax; /* nx * ny */
	double *cnt;
	double total;
} pd_udist;

/* Fills d for (nx, ny), both >= 1 and nx*ny <= 10^6. PD_EINTERNAL on out of memory. */
pd_status pd_udist_build(pd_udist *d, size_t nx, size_t ny, pd_error *err);
void pd_udist_fini(pd_udist *d);
double pd_udist_cdf(const pd_udist *d, long u); /* P0(U <= u) */
double pd_udist_sf(const pd_udist *d, long u);  /* P0(U >= u), summed from the top */

typedef struct pd_mwu_result {
	double u_y;     /* U of the y (problem/head) sample; U_X = nx*ny - u_y */
	double p;       /* two-sided p of the method used; 1 when no test */
	pd_mwu_method method;
	double mu, sigma2; /* normal approximation (sigma2 tie-corrected; 0 if all equal) */
	double z;       /* continuity-corrected z of the normal approximation */
	double p_normal; /* the normal approximation's p, whatever method was used */
	double tie_term; /* T = sum (t^3 - t) over tie groups */
	bool ties;      /* some pooled values are equal */
	bool all_equal; /* all pooled values equal: untestable, excluded from the family */
	bool empty;     /* a side has no values */
} pd_mwu_result;

/* Two-sided Mann-Whitney U test of y against x. method PD_MWU_AUTO chooses exact,
 * exact-ties or normal (statistics.md 1.5); a forced exact method must fit
 * nx*ny <= 10^6. cache may be NULL; when given it keeps the no-ties table between calls.
 * Errors: PD_EINPUT for NaN or infinite values, PD_EUSAGE for a forced exact test too
 * large, PD_EINTERNAL for out of memory. An empty side or all-equal data is not an
 * error: the result says so and p = 1. */
pd_status pd_mwu(const double *x, size_t nx, const double *y, size_t ny, pd_mwu_method method,
		 pd_udist *cache, pd_mwu_result *res, pd_error *err);

/* The exact null distribution of U_Y conditional on the pooled tie pattern: (*cnt)[i]
 * counts the labellings with 2U_Y = i, i = 0..2*nx*ny (*ncnt entries), summing to
 * C(nx+ny, ny). *cnt is the caller's (pd_free). Errors: PD_EINPUT, PD_EUSAGE (too
 * large), PD_EINTERNAL. */
pd_status pd_mwu_ties_counts(const double *x, size_t nx, const double *y, size_t ny,
			     double **cnt, size_t *ncnt, pd_error *err);

/* Smallest two-sided p any exact test of (nx, ny) can give: min(1, 2/C(nx+ny, ny)). */
double pd_mwu_min_p(size_t nx, size_t ny);
/* Smallest K such that K values per side can reach m * min_p(K, K) <= alpha, i.e. an
 * isolated regression among m tested functions can pass BH at alpha (m = 1: benchstat's
 * "need >= 4 samples"). 0 if no K <= 64 does. */
size_t pd_mwu_need_k(double alpha, size_t m);

/* Hodges-Lehmann shift (y minus x) and Lehmann's distribution-free interval. */
typedef struct pd_hl_result {
	double hl;          /* median of the nx*ny differences y_j - x_i */
	double lo, hi;      /* D_(k), D_(nx*ny+1-k); -/+INFINITY when no finite interval */
	size_t k;           /* 0 when no finite interval exists at this level */
	double coverage;    /* 1 - 2 P0(U <= k-1) (nominal when approximate) */
	bool approximate;   /* ties in the data, or k from the normal approximation */
	bool infinite;      /* too few samples for a finite interval at conf */
} pd_hl_result;

/* conf in (0, 1). cache as for pd_mwu. Errors: PD_EINPUT (NaN/inf, empty side),
 * PD_EINTERNAL (out of memory). */
pd_status pd_hl_ci(const double *x, size_t nx, const double *y, size_t ny, double conf,
		   pd_udist *cache, pd_hl_result *res, pd_error *err);

/* One-sample median with benchstat's binomial order-statistic interval (statistics.md
 * 2.4, exact binomial for every n). Orders are 1-based; lo_order 0 / hi_order n+1 mean
 * an infinite bound. */
typedef struct pd_median_result {
	double median, lo, hi;
	size_t lo_order, hi_order;
	double confidence;
	bool infinite;
} pd_median_result;

pd_status pd_median_ci(const double *v, size_t n, double conf, pd_median_result *res,
		       pd_error *err);
/* Smallest n whose median interval at conf is finite (benchstat: 6 at 0.95). */
size_t pd_median_ci_need_n(double conf);

/* Benjamini-Hochberg (by = false) or Benjamini-Yekutieli (by = true) adjusted values:
 * monotone in p, q >= p, equal p get equal q. NaN p are not tests: their q is NaN and
 * they do not count in M. q may alias p. PD_EINTERNAL on out of memory. */
pd_status pd_fdr_adjust(const double *p, size_t m, bool by, double *q, pd_error *err);

double pd_median(double *v, size_t n); /* sorts v in place; NaN when n == 0 */

/* ---- amounts: "50ms", "2s", "10MB", "1000", "0.5%" -------------------------------- */
typedef enum pd_amount_kind { PD_AMOUNT_NONE, PD_AMOUNT_ABS, PD_AMOUNT_SHARE } pd_amount_kind;

typedef struct pd_amount {
	pd_amount_kind kind;
	int64_t value; /* ABS: base units of unit (ns, bytes, counts) */
	pd_unit unit;  /* ABS: PD_UNIT_UNKNOWN for a bare 0, PD_UNIT_COUNT for bare numbers */
	double share;  /* SHARE: fraction of the base total (0.5% -> 0.005) */
} pd_amount;

/* Parses an amount; negative values and shares above 100% are refused (PD_EUSAGE). */
pd_status pd_amount_parse(const char *s, pd_amount *out, pd_error *err);
/* The amount in the base units of a total (SHARE * total); 0 for NONE. */
double pd_amount_resolve(const pd_amount *a, double total);

/* ---- gate file (gatefile.c) ------------------------------------------------------ */
typedef struct pd_gate_entry {
	char *pattern;        /* regex (POSIX ERE) or exact function name */
	bool exact;           /* "function" key rather than "match" */
	regex_t re;           /* compiled when !exact */
	bool compiled;        /* re holds a compiled regex (freed by _fini) */
	bool has_increase;    /* fail_on_increase given (increase_pct < 0: rule off) */
	double increase_pct;
	bool has_min_delta;
	pd_amount min_delta;
	bool has_budget;      /* the matched functions together may cost at most budget */
	pd_amount budget;
	unsigned line;
} pd_gate_entry;

typedef struct pd_gate_allow {
	char *pattern;
	bool exact;
	regex_t re;
	bool compiled;
	char *reason;
	char expires[11];     /* YYYY-MM-DD, last day the entry applies */
	bool expired;         /* today is after expires: warned about, no longer applies */
	unsigned line;
} pd_gate_allow;

typedef struct pd_gatefile {
	char *path;
	pd_gate_entry *rules;
	size_t nrules;
	pd_gate_allow *allow;
	size_t nallow;
	char **warnings;      /* "FILE:LINE: ..." lines */
	size_t nwarnings;
} pd_gatefile;

/* Parses a gate file held in text[0..len). path names it in messages ("FILE:LINE: ...").
 * today is "YYYY-MM-DD" or NULL for the current UTC date. Errors (PD_EUSAGE) name the
 * line, and the column for JSON syntax errors. On failure *gf is left empty. */
pd_status pd_gatefile_parse(const char *path, const char *text, size_t len, const char *today,
			    pd_gatefile *gf, pd_error *err);
/* Reads path, then pd_gatefile_parse. Unreadable file: PD_EINPUT. */
pd_status pd_gatefile_load(const char *path, const char *today, pd_gatefile *gf, pd_error *err);
void pd_gatefile_fini(pd_gatefile *gf);
/* First rule entry matching name, or NULL. */
const pd_gate_entry *pd_gatefile_rule_for(const pd_gatefile *gf, const char *name);
/* First unexpired allow entry matching name, or NULL. */
const pd_gate_allow *pd_gatefile_allowed(const pd_gatefile *gf, const char *name);
bool pd_gate_pattern_match(bool exact, const char *pattern, const regex_t *re, const char *name);

/* ---- rules and decision (rules.c, samples.c) ------------------------------------- */
typedef enum pd_gate_rule {
	PD_RULE_TOTAL,    /* the profile total grew by more than fail_on_total % */
	PD_RULE_INCREASE, /* a function grew by more than fail_on_increase % of its base */
	PD_RULE_NEW,      /* a function absent from the base costs more than the floor */
	PD_RULE_BUDGET,   /* functions matching a gate-file entry cost more than its budget */
	PD_RULE_KINDS
} pd_gate_rule;

const char *pd_gate_rule_name(pd_gate_rule r); /* "total", "increase", "new", "budget" */

typedef enum pd_gate_family {
	PD_FAMILY_PRACTICAL, /* BH over the functions whose change passes the thresholds */
	PD_FAMILY_TESTABLE,  /* BH over every testable function (label-blind, stats 3.6) */
	PD_FAMILY_KINDS
} pd_gate_family;

typedef struct pd_gate_rules {
	bool has_increase;
	double increase_pct;   /* --fail-on-increase */
	pd_amount min_delta;   /* --min-delta; kind NONE = no floor */
	bool has_total;
	double total_pct;      /* --fail-on-total */
	pd_metric metric;      /* --gate-metric */
	double alpha;          /* --alpha: significant when q <= alpha */
	double conf;           /* confidence level of the HL interval */
	pd_gate_family family;
	const pd_gatefile *file; /* per-function overrides, budgets, allow-list; may be NULL */
} pd_gate_rules;

/* increase/total off, no floor, flat, alpha 0.05, conf 0.95, PD_FAMILY_PRACTICAL. */
void pd_gate_rules_init(pd_gate_rules *r);
/* True when some rule can fail the gate (a CLI runs the gate only then). */
bool pd_gate_rules_active(const pd_gate_rules *r);

typedef enum pd_verdict {
	PD_VERDICT_PASS,
	PD_VERDICT_REGRESSION,
	PD_VERDICT_INCONCLUSIVE,
	PD_VERDICT_KINDS
} pd_verdict;

const char *pd_verdict_name(pd_verdict v); /* "pass", "regression", "inconclusive" */
pd_status pd_verdict_status(pd_verdict v); /* PD_OK, PD_REGRESSION, PD_ENODATA */

typedef enum pd_finding_state {
	PD_FINDING_VIOLATION,   /* breaks the rule: fails the gate */
	PD_FINDING_UNDECIDABLE, /* trimming leaves the verdict open (interval straddles) */
	PD_FINDING_ALLOWED,     /* would violate, but an allow-list entry covers it */
	PD_FINDING_STATE_KINDS
} pd_finding_state;

const char *pd_finding_state_name(pd_finding_state s);

/* Values are in the gated metric's base units (single pair) or per second of window
 * (samples mode: medians; delta is the HL shift). */
typedef struct pd_gate_violation {
	pd_finding_state state;
	pd_gate_rule rule;
	const char *name;      /* function, entry pattern (budget), NULL (total); borrowed */
	double base, head, delta;
	double delta_min, delta_max; /* the interval for hidden rows; == delta otherwise */
	double limit;          /* the threshold crossed, same units as delta (head for budget) */
	double pct;            /* delta / base in %, INFINITY when base is 0 */
	double p, q;           /* NaN in single-pair mode */
	bool hidden;           /* decided on a trimmed row's interval */
	const char *reason;    /* allow-list reason for ALLOWED; borrowed from the gate file */
	unsigned line;         /* gate-file line of the entry involved, 0 for flags */
} pd_gate_violation;

/* Per-function statistics in samples mode, for reports. */
typedef struct pd_gate_fstat {
	const char *name;      /* borrowed from the input */
	double med_base, med_head;
	double hl, hl_lo, hl_hi;
	double pct;            /* HL / med_base in %, INFINITY when med_base is 0 */
	double p, q;           /* q NaN when the function is not in the BH family */
	pd_mwu_method method;
	bool all_equal;        /* untestable */
	bool practical;        /* HL passes the practical thresholds (increase and floors) */
	bool in_family;
	bool significant;      /* q <= alpha */
	bool approx_ci;        /* HL interval approximate (ties) */
	bool truncated;        /* some value was a bound from a trimmed input */
} pd_gate_fstat;

typedef struct pd_gate_result {
	pd_verdict verdict;
	bool samples_mode;       /* several profiles per side: thresholds and significance */
	size_t nbase, nhead;
	size_t family;           /* M: functions in the BH family */
	size_t ntested;          /* testable functions (not all equal) */
	pd_gate_violation *v;    /* violations, undecidable, allowed: in that order, each by
				    rule then |delta| desc then name */
	size_t nv;
	size_t nviolations, nundecidable, nallowed;
	pd_gate_fstat *stats;    /* samples mode: one per input function, input order */
	size_t nstats;
	char **warnings;         /* one line each, deterministic order */
	size_t nwarnings;
} pd_gate_result;

void pd_gate_result_fini(pd_gate_result *r);

/* Single pair: thresholds alone (the result carries a warning saying so). A hidden row
 * violates only when its whole delta interval does; a straddling interval is recorded
 * as undecidable and, without any violation, makes the verdict inconclusive.
 * Errors: PD_EUSAGE when an absolute amount's unit does not fit the diff's unit;
 * PD_EINTERNAL on out of memory. */
pd_status pd_gate_eval_diff(const pd_diff *d, const pd_gate_rules *r, pd_gate_result *out,
			    pd_error *err);

/* K profiles per side: names x samples. base[f*nbase + i] is function f's value in base
 * sample i (per second when per_second, else a share of that sample's total). */
typedef struct pd_gate_samples {
	size_t nfuncs, nbase, nhead;
	const char *const *names;
	const double *base;
	const double *head;
	const double *base_total;  /* nbase totals (same units); may be NULL */
	const double *head_total;  /* nhead totals; may be NULL */
	const bool *truncated;     /* nfuncs flags (values bounded by trimming); may be NULL */
	bool per_second;           /* values are per second (absolute floors apply) */
	pd_unit unit;
} pd_gate_samples;

/* Per function: U test, HL with CI, BH over the family (r->family), decision
 * (statistics.md 4.2) plus the total rule on the totals and gate-file budgets on the
 * head medians. Errors: PD_EINPUT (NaN or infinite values), PD_EUSAGE (unit mismatch),
 * PD_EINTERNAL. */
pd_status pd_gate_eval_samples(const pd_gate_samples *s, const pd_gate_rules *r,
			       pd_gate_result *out, pd_error *err);

/* Owned samples built from pd_diffs: sample i of the base side is diffs[i]'s base
 * (i < nbase), sample j of the head side is diffs[j]'s head (j < nhead), so a caller
 * with unequal counts pairs files cyclically. Names are the sorted union of row names.
 * Values: metric per second of the side's Duration; shares of the side's total when
 * any side lacks a Duration. A function hidden by trimming takes the least favourable
 * value for an increase (base: the node cutoff, head: 0) and is marked truncated. */
typedef struct pd_gate_samples_owned {
	pd_gate_samples s;
	char **names;
	double *base, *head, *base_total, *head_total;
	bool *truncated;
} pd_gate_samples_owned;

pd_status pd_gate_samples_from_diffs(const pd_diff *const *diffs, size_t ndiffs, size_t nbase,
				     size_t nhead, pd_metric metric, pd_gate_samples_owned *out,
				     pd_error *err);
void pd_gate_samples_fini(pd_gate_samples_owned *o);

#endif
