/* GitHub Actions workflow commands for a gate result: "::error" per violation,
 * "::warning" per undecidable or allowed finding and per gate warning, "::notice" with
 * the verdict. The runner reads them from stdout, line by line; what follows "::" is
 * escaped as the runner's toolkit does (%, CR, LF; in properties also ':' and ','), so
 * no function name can end a command early or start one of its own. */
#include "report/verdict.h"

static const pd_escape gh_data = {
	.ascii = {['%'] = "%25", ['\r'] = "%0D", ['\n'] = "%0A"},
	.bad = "\\x",
	.bad_hex = true,
};

static void command(pd_buf *b, const char *level, const char *title, const char *msg)
{
	pd_buf_printf(b, "::%s title=%s::", level, title); /* titles are ours: no ':' or ',' */
	pd_put_escaped(b, msg, &gh_data);
	pd_buf_puts(b, "\n");
}

pd_status pd_report_annotations(const pd_diff *d, const pd_report_gate *g, pd_buf *out,
				pd_error *err)
{
	const pd_gate_result *r = g->res;
	pd_buf m;
	pd_buf_init(&m, 0);
	for (size_t i = 0; i < r->nv; i++) {
		const pd_gate_violation *v = &r->v[i];
		pd_finding_text t;
		pd_finding_describe(d, g, v, &t);
		m.len = 0;
		pd_buf_printf(&m, "%s: %s %s, %s", t.rule, t.name ? t.name : "total", t.change, t.limit);
		if (*t.stats)
			pd_buf_printf(&m, ", %s", t.stats);
		pd_buf_printf(&m, " [%s]", t.source);
		if (v->reason)
			pd_buf_printf(&m, ": %s", v->reason);
		if (!m.failed)
			command(out, v->state == PD_FINDING_VIOLATION ? "error" : "warning",
				v->state == PD_FINDING_VIOLATION ? "profdiff regression"
				: v->state == PD_FINDING_ALLOWED ? "profdiff allowed regression"
								 : "profdiff undecidable",
				m.data);
	}
	for (size_t i = 0; i < r->nwarnings; i++)
		command(out, "warning", "profdiff", r->warnings[i]);
	m.len = 0;
	pd_buf_puts(&m, "verdict: ");
	pd_verdict_summary(&m, d, g);
	if (!m.failed)
		command(out, r->verdict == PD_VERDICT_PASS ? "notice" : "error", "profdiff verdict",
			m.data);
	bool failed = m.failed;
	pd_buf_fini(&m);
	if (failed || out->failed)
		return pd_error_set(err, PD_EINTERNAL, "annotations: out of memory or output too large");
	return PD_OK;
}
