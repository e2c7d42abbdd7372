/* JUnit XML of a gate result (tests/cli/junit.xsd is the schema it is checked against):
 * one <testcase> per rule that is not about a single function (the total, each gate-
 * file budget) and one per gated function (class profdiff.increase or profdiff.new). Violations are <failure>s, undecidable
 * findings <error>s (the verdict is open), allowed ones <skipped> with the reason. */
#include <math.h>
#include <string.h>

#include "report/verdict.h"

/* XML 1.0 text and attribute values: markup characters as entities; characters XML
 * cannot hold at all (controls, invalid UTF-8) as U+FFFD. */
static const pd_escape xml_escape = {
	.ascii = {['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['"'] = "&quot;",
		  ['\''] = "&apos;", ['\t'] = "&#9;", ['\n'] = "&#10;", ['\r'] = "&#13;"},
	.bad = "\xef\xbf\xbd",
};

typedef struct counts {
	size_t tests, failures, errors, skipped;
} counts;

/* The findings of rule kind(s) for name (NULL: the total rule). */
static bool matches(const pd_gate_violation *v, bool function, const char *name, pd_gate_rule rule)
{
	if (function)
		return (v->rule == PD_RULE_INCREASE || v->rule == PD_RULE_NEW) && v->name &&
		       strcmp(v->name, name) == 0;
	if (v->rule != rule)
		return false;
	return rule == PD_RULE_TOTAL || (v->name && strcmp(v->name, name) == 0);
}

static void testcase(pd_buf *b, const pd_diff *d, const pd_report_gate *g, const char *cls,
		     const char *name, bool function, pd_gate_rule rule, counts *c)
{
	const pd_gate_result *r = g->res;
	bool body = false;
	c->tests++;
	pd_buf_printf(b, "    <testcase classname=\"profdiff.%s\" name=\"", cls);
	pd_put_escaped(b, name, &xml_escape);
	pd_buf_puts(b, "\" time=\"0\"");
	for (size_t i = 0; i < r->nv; i++) {
		const pd_gate_violation *v = &r->v[i];
		if (!matches(v, function, name, rule))
			continue;
		pd_finding_text t;
		pd_finding_describe(d, g, v, &t);
		const char *tag = v->state == PD_FINDING_VIOLATION	 ? "failure"
				  : v->state == PD_FINDING_UNDECIDABLE ? "error"
								       : "skipped";
		if (!body)
			pd_buf_puts(b, ">\n");
		body = true;
		pd_buf_printf(b, "      <%s message=\"", tag);
		pd_buf_printf(b, "%s: %s, %s", t.rule, t.change, t.limit);
		if (*t.stats)
			pd_buf_printf(b, ", %s", t.stats);
		pd_buf_puts(b, "\"");
		if (v->state != PD_FINDING_ALLOWED)
			pd_buf_printf(b, " type=\"%s\"", t.rule);
		pd_buf_puts(b, ">");
		pd_put_escaped(b, t.source, &xml_escape);
		if (v->reason) {
			pd_buf_puts(b, ": ");
			pd_put_escaped(b, v->reason, &xml_escape);
		}
		pd_buf_printf(b, "</%s>\n", tag);
		if (v->state == PD_FINDING_VIOLATION)
			c->failures++;
		else if (v->state == PD_FINDING_UNDECIDABLE)
			c->errors++;
		else
			c->skipped++;
		break; /* one outcome per test case: the findings are sorted worst first */
	}
	pd_buf_puts(b, body ? "    </testcase>\n" : "/>\n");
}

static bool function_rules(const pd_gate_rules *r)
{
	return r->has_increase || r->min_delta.kind != PD_AMOUNT_NONE || (r->file && r->file->nrules);
}

pd_status pd_report_junit(const pd_diff *d, const pd_report_gate *g, pd_buf *out, pd_error *err)
{
	pd_buf cases;
	counts c = {0};
	const pd_gate_rules *r = g->rules;
	pd_buf_init(&cases, 0);
	if (r->has_total)
		testcase(&cases, d, g, "total", "total", false, PD_RULE_TOTAL, &c);
	for (size_t i = 0; r->file && i < r->file->nrules; i++)
		if (r->file->rules[i].has_budget)
			testcase(&cases, d, g, "budget", r->file->rules[i].pattern, false,
				 PD_RULE_BUDGET, &c);
	if (function_rules(r)) {
		/* The class names the rule that gates the function: "new" for one absent
		 * from the base, else "increase". */
		if (g->samples)
			for (size_t i = 0; i < g->res->nstats; i++) {
				const pd_gate_fstat *f = &g->res->stats[i];
				testcase(&cases, d, g, isinf(f->pct) ? "new" : "increase",
					 f->name ? f->name : "", true, PD_RULE_INCREASE, &c);
			}
		else
			for (size_t i = 0; i < d->nrows; i++)
				testcase(&cases, d, g,
					 d->rows[i].status == PD_ROW_NEW ? "new" : "increase",
					 d->rows[i].name ? d->rows[i].name : "", true, PD_RULE_INCREASE,
					 &c);
	}
	pd_buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	pd_buf_printf(out,
		      "<testsuites name=\"profdiff\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
		      "skipped=\"%zu\" time=\"0\">\n",
		      c.tests, c.failures, c.errors, c.skipped);
	pd_buf_printf(out,
		      "  <testsuite name=\"profdiff gate\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
		      "skipped=\"%zu\" time=\"0\">\n",
		      c.tests, c.failures, c.errors, c.skipped);
	pd_buf_puts(out, "    <properties>\n      <property name=\"verdict\" value=\"");
	pd_buf_puts(out, pd_verdict_name(g->res->verdict));
	pd_buf_puts(out, "\"/>\n      <property name=\"summary\" value=\"");
	pd_buf summary;
	pd_buf_init(&summary, 0);
	pd_verdict_summary(&summary, d, g);
	pd_buf_puts(&summary, "");
	pd_put_escaped(out, summary.failed ? "" : summary.data, &xml_escape);
	summary.len = 0;
	pd_gate_rules_text(&summary, r);
	pd_buf_puts(out, "\"/>\n      <property name=\"rules\" value=\"");
	pd_put_escaped(out, summary.failed ? "" : summary.data, &xml_escape);
	pd_buf_puts(out, "\"/>\n    </properties>\n");
	if (!cases.failed && cases.len)
		pd_buf_append(out, cases.data, cases.len);
	pd_buf_puts(out, "  </testsuite>\n</testsuites>\n");
	bool failed = cases.failed || summary.failed;
	pd_buf_fini(&summary);
	pd_buf_fini(&cases);
	if (failed || out->failed)
		return pd_error_set(err, PD_EINTERNAL, "JUnit report: out of memory or output too large");
	return PD_OK;
}
