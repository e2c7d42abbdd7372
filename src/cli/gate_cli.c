/* The gate's command-line options, shared by `diff` and `compare`: the rules
 * (--fail-on-increase, --min-delta, --fail-on-total, --gate-metric, --gate-file,
 * --alpha) and the CI outputs (--junit, --github-annotations). Any of them turns the
 * gate on. Values are checked as they are parsed; the gate file is loaded once all
 * options are known (pd_gate_cli_prepare). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static pd_status percent(const pd_option *o, const char *arg, double *out, pd_error *err)
{
	char *end;
	double v = strtod(arg, &end);
	if (end > arg && *end == '%')
		end++;
	if (end == arg || *end || !isfinite(v) || v < 0)
		return pd_error_set(err, PD_EUSAGE, "--%s: expected a percentage >= 0, got '%s'",
				    o->name, arg);
	*out = v;
	return PD_OK;
}

/* Every gate option's value is the pd_diff_cli: one parser sets the rule and turns the
 * gate on. Their defaults show through .def. */
static pd_status gate_opt(const pd_option *o, const char *arg, pd_error *err)
{
	pd_diff_cli *c = o->value;
	pd_gate_cli *g = &c->gate;
	pd_status rc = PD_OK;
	const char *n = o->name;
	if (strcmp(n, "fail-on-increase") == 0) {
		rc = percent(o, arg, &g->rules.increase_pct, err);
		g->rules.has_increase = true;
	} else if (strcmp(n, "fail-on-total") == 0) {
		rc = percent(o, arg, &g->rules.total_pct, err);
		g->rules.has_total = true;
	} else if (strcmp(n, "min-delta") == 0) {
		pd_error e;
		if (pd_amount_parse(arg, &g->rules.min_delta, &e) != PD_OK)
			rc = pd_error_set(err, PD_EUSAGE, "--min-delta: %s", e.msg);
	} else if (strcmp(n, "gate-metric") == 0) {
		int v = pd_enum_value(&pd_metric_names, arg);
		if (v < 0)
			rc = pd_error_set(err, PD_EUSAGE,
					  "--gate-metric: invalid value '%s' (expected flat|cum)", arg);
		else
			g->rules.metric = (pd_metric)v;
	} else if (strcmp(n, "alpha") == 0) {
		char *end;
		double a = strtod(arg, &end);
		if (end == arg || *end || !(a > 0 && a < 1))
			rc = pd_error_set(err, PD_EUSAGE, "--alpha: expected a level in (0, 1), got '%s'",
					  arg);
		g->rules.alpha = a;
	} else if (strcmp(n, "fdr-family") == 0) {
		if (strcmp(arg, "practical") == 0)
			g->rules.family = PD_FAMILY_PRACTICAL;
		else if (strcmp(arg, "testable") == 0)
			g->rules.family = PD_FAMILY_TESTABLE;
		else
			rc = pd_error_set(err, PD_EUSAGE,
					  "--fdr-family: invalid value '%s' (expected practical|testable)",
					  arg);
	} else if (strcmp(n, "gate-file") == 0) {
		g->file_path = arg;
	} else if (strcmp(n, "junit") == 0) {
		if (strcmp(arg, "-") == 0)
			rc = pd_error_set(err, PD_EUSAGE, "--junit: give a file name ('-' is for the report)");
		g->junit_path = arg;
	} else if (strcmp(n, "github-annotations") == 0) {
		g->annotations = true;
	}
	g->on = true;
	return rc;
}

pd_status pd_cli_top_opt(const pd_option *o, const char *arg, pd_error *err)
{
	char *end;
	unsigned long long v = strtoull(arg, &end, 10);
	if (!*arg || *end || arg[0] == '-' || v > 1000000000ULL)
		return pd_error_set(err, PD_EUSAGE, "--%s: expected a count, got '%s'", o->name, arg);
	*(size_t *)o->value = (size_t)v;
	return PD_OK;
}

void pd_gate_cli_options(pd_diff_cli *c, pd_option t[PD_GATE_OPTS])
{
	const pd_option o[] = {
		PD_OPTION(PD_OPT_STRING, "fail-on-increase", 0, c, "PCT",
		 "a function whose gated metric grew by more than PCT % of its base value "
		 "violates", .apply = gate_opt, .def = ""),
		PD_OPTION(PD_OPT_STRING, "min-delta", 0, c, "AMOUNT",
		 "the floor below which nothing violates: 50ms, 2s, 10MB, 1000 (counts) or "
		 "0.5% (of the base total)", .apply = gate_opt, .def = ""),
		PD_OPTION(PD_OPT_STRING, "fail-on-total", 0, c, "PCT",
		 "the profile's total grew by more than PCT %", .apply = gate_opt, .def = ""),
		PD_OPTION(PD_OPT_STRING, "gate-metric", 0, c, "flat|cum", "the metric the rules read",
		 .apply = gate_opt, .def = "flat"),
		PD_OPTION(PD_OPT_STRING, "gate-file", 0, c, "FILE",
		 "per-function thresholds, budgets and an allow-list (docs/gate-file.md)",
		 .apply = gate_opt, .def = ""),
		PD_OPTION(PD_OPT_STRING, "alpha", 0, c, "A",
		 "significance level of the per-function test (several profiles per side)",
		 .apply = gate_opt, .def = "0.05"),
		PD_OPTION(PD_OPT_STRING, "fdr-family", 0, c, "practical|testable",
		 "Benjamini-Hochberg over the functions that pass the thresholds, or over every "
		 "testable function (fewer false failures on thin profiles; bench/README.md)",
		 .apply = gate_opt, .def = "practical"),
		PD_OPTION(PD_OPT_STRING, "junit", 0, c, "FILE",
		 "write the verdict as JUnit XML (a test case per rule and gated function)",
		 .apply = gate_opt, .def = ""),
		PD_OPTION(PD_OPT_FLAG, "github-annotations", 0, c, NULL,
		 "::error/::warning lines for GitHub Actions on stdout before the report, and the "
		 "Markdown report appended to $GITHUB_STEP_SUMMARY when set", .apply = gate_opt),
		{PD_OPT_END},
	};
	_Static_assert(sizeof o / sizeof o[0] <= PD_GATE_OPTS, "PD_GATE_OPTS too small");
	memcpy(t, o, sizeof o);
}

pd_status pd_gate_cli_prepare(pd_diff_cli *c, pd_error *err)
{
	pd_gate_cli *g = &c->gate;
	if (c->report.top == PD_TOP_UNSET)
		c->report.top = c->format == PD_FORMAT_JSON ? 0 : 20;
	if (g->annotations && c->format == PD_FORMAT_JSON && (!c->out_path || strcmp(c->out_path, "-") == 0))
		return pd_error_set(err, PD_EUSAGE,
				    "--github-annotations writes workflow commands to stdout: give "
				    "-o FILE for the JSON report");
	if (g->file_path) {
		pd_status rc = pd_gatefile_load(g->file_path, NULL, &g->file, err);
		if (rc != PD_OK)
			return rc;
		g->rules.file = &g->file;
	}
	return PD_OK;
}

void pd_gate_cli_fini(pd_diff_cli *c)
{
	if (c->gate.file_path)
		pd_gatefile_fini(&c->gate.file);
	c->gate.rules.file = NULL;
}
