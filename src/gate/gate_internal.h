/* Helpers shared by the gate's source files (not part of the gate's interface). */
#ifndef PD_GATE_INTERNAL_H
#define PD_GATE_INTERNAL_H

#include "gate/gate.h"

/* The thresholds that apply to one function: the flags, overridden by the first
 * gate-file entry that matches it (line = that entry's line, 0 for the flags). */
typedef struct pd_gate_thr {
	bool has_increase;
	double pct;
	pd_amount floor;
	unsigned line;
} pd_gate_thr;

void pd_gate_thresholds(const pd_gate_rules *r, const char *name, pd_gate_thr *t);
pd_status pd_gate_check_unit(const pd_amount *a, pd_unit unit, const char *what, pd_error *err);
pd_status pd_gate_check_units(const pd_gate_rules *r, pd_unit unit, pd_error *err);
pd_status pd_gate_add(pd_gate_result *r, const pd_gate_violation *v, pd_error *err);
pd_status pd_gate_warn(pd_gate_result *r, pd_error *err, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;
void pd_gate_apply_allow(const pd_gate_rules *r, pd_gate_violation *v);
/* Sorts the findings, counts them, sets the verdict (inconclusive also when
 * open_question: nothing violated but the data could not have shown it). */
void pd_gate_finish(pd_gate_result *r, bool open_question);
pd_status pd_gate_copy_file_warnings(const pd_gatefile *gf, pd_gate_result *out, pd_error *err);

#endif
