/* The gate's verdict in the reports: what a gated report adds to a diff (the verdict
 * line, the findings with the rule each broke, the per-function statistics of the
 * samples mode) and the CI outputs built on it (JUnit XML, GitHub annotations).
 * Everything here formats borrowed data into a caller's pd_buf; nothing prints. */
#ifndef PD_REPORT_VERDICT_H
#define PD_REPORT_VERDICT_H

#include "gate/gate.h"
#include "report/report.h"

/* What the gate decided and on what. A NULL pd_report_gate (or res NULL) is the plain
 * diff report. In samples mode the table is the per-function statistics (medians of
 * each side and the Hodges-Lehmann shift), not the diff's rows. */
typedef struct pd_report_gate {
	const pd_gate_result *res;
	const pd_gate_rules *rules;
	const pd_gate_samples *samples; /* several profiles per side, else NULL */
	const char *const *base_src;    /* samples mode: the sources of each side */
	const char *const *head_src;
	size_t nbase, nhead;
	bool gated;                     /* a gate option was given: state the verdict */
	bool per_window;                /* samples are per second of their window (slices) */
} pd_report_gate;

/* The report of d in format f with the verdict first. g NULL = pd_report. */
pd_status pd_report_gated(const pd_diff *d, const pd_report_gate *g, pd_format f,
			  const pd_report_opts *o, pd_buf *out, pd_error *err);
pd_status pd_report_text_gated(const pd_diff *d, const pd_report_gate *g,
			       const pd_report_opts *o, pd_buf *out, pd_error *err);
pd_status pd_report_json_gated(const pd_diff *d, const pd_report_gate *g,
			       const pd_report_opts *o, pd_buf *out, pd_error *err);
pd_status pd_report_markdown_gated(const pd_diff *d, const pd_report_gate *g,
				   const pd_report_opts *o, pd_buf *out, pd_error *err);

/* JUnit XML (tests/cli/junit.xsd): one test case per rule that is not about one
 * function (total, each budget) and one per gated function; violations are failures,
 * undecidable findings errors, allowed ones skipped with the reason. */
pd_status pd_report_junit(const pd_diff *d, const pd_report_gate *g, pd_buf *out,
			  pd_error *err);
/* GitHub Actions workflow commands: "::error title=...::..." per violation,
 * "::warning ...::..." per undecidable or allowed finding and per warning, and a
 * "::notice" with the verdict. Values are escaped as the runner expects. */
pd_status pd_report_annotations(const pd_diff *d, const pd_report_gate *g, pd_buf *out,
				pd_error *err);

/* ---- pieces shared by the formats (verdict.c) -------------------------------------- */

/* A value of the gate in its units: the diff's (one pair), per second ("12ms/s") or a
 * share of the total ("1.25%") in samples mode. */
void pd_gate_value(char *dst, size_t size, const pd_diff *d, const pd_report_gate *g, double v,
		   bool sign);

/* One finding in words; name is raw input text (NULL for the total rule). */
typedef struct pd_finding_text {
	const char *state;     /* "violation", "undecidable", "allowed" */
	const char *rule;      /* "increase", "new", "total", "budget" */
	const char *name;
	char source[320];      /* the flag, or FILE:LINE of the gate-file entry */
	char change[PD_CELL];  /* "+1.20s (+45.0%)", an interval for hidden rows */
	char limit[PD_CELL];   /* "limit +420ms" */
	char stats[PD_CELL];   /* "p=0.0010 q=0.0030" in samples mode, else "" */
} pd_finding_text;

void pd_finding_describe(const pd_diff *d, const pd_report_gate *g, const pd_gate_violation *v,
			 pd_finding_text *t);

/* "regression: 2 violations; total 4.19s → 4.52s (+7.88%); 12 functions worse, 5
 * better; thresholds only (one profile per side)" (no trailing newline). */
void pd_verdict_summary(pd_buf *b, const pd_diff *d, const pd_report_gate *g);

/* The samples mode's rows ranked by |HL| desc then name: idx[0..n) into g->res->stats.
 * Returns n (the stats count), or (size_t)-1 on out of memory; *idx is pd_free'd. */
size_t pd_gate_ranked(const pd_report_gate *g, size_t **idx);

/* True when the row named name is a violation (for coloring: noise is never red). */
bool pd_gate_is_violation(const pd_report_gate *g, const char *name);

/* "%+.1f%%", "~" when not significant (samples mode), "new" for an infinite change. */
void pd_gate_pct(char *dst, size_t size, const pd_gate_fstat *s, bool samples);

/* "flat; increase > 10%; floor 50ms; alpha 0.05" (no newline; gate-file path not
 * included, as it is input text a format must quote). */
void pd_gate_rules_text(pd_buf *b, const pd_gate_rules *r);

#endif
