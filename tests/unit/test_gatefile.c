/* Unit tests for the --gate-file parser (src/gate/gatefile.c): a valid file, every
 * error naming its line, expiry of allow entries (with "today" injected), and the
 * file's effect on the gate. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/alloc.h"
#include "gate/gate.h"

#define MS 1000000LL

static const char valid[] =
	"{\n"                                                      /* 1 */
	"  \"version\": 1,\n"                                      /* 2 */
	"  \"rules\": [\n"                                         /* 3 */
	"    {\"match\": \"^encoding/json\\\\.\", \"fail_on_increase\": 50,\n" /* 4 */
	"     \"min_delta\": \"5ms\"},\n"                          /* 5 */
	"    {\"function\": \"main.hot\", \"fail_on_increase\": false},\n" /* 6 */
	"    {\"match\": \"^net/http\\\\.\", \"budget\": \"2s\", \"min_delta\": \"0.5%\"}\n" /* 7 */
	"  ],\n"                                                   /* 8 */
	"  \"allow\": [\n"                                         /* 9 */
	"    {\"match\": \"^runtime\\\\.\", \"reason\": \"GC tuning, PERF-1\",\n" /* 10 */
	"     \"expires\": \"2026-12-31\"},\n"                     /* 11 */
	"    {\"function\": \"old.fn\", \"reason\": \"legacy\",\n" /* 12 */
	"     \"expires\": \"2026-01-31\"}\n"                      /* 13 */
	"  ]\n"                                                    /* 14 */
	"}\n";

static pd_status parse(const char *text, const char *today, pd_gatefile *gf, pd_error *err)
{
	return pd_gatefile_parse("gate.json", text, strlen(text), today, gf, err);
}

static void test_valid(void **state)
{
	(void)state;
	pd_gatefile gf;
	pd_error err;
	pd_status rc = parse(valid, "2026-06-01", &gf, &err);
	if (rc != PD_OK)
		print_error("%s\n", err.msg);
	assert_int_equal(rc, PD_OK);
	assert_string_equal(gf.path, "gate.json");
	assert_int_equal(gf.nrules, 3);
	assert_int_equal(gf.rules[0].line, 4);
	assert_false(gf.rules[0].exact);
	assert_true(gf.rules[0].has_increase);
	assert_true(gf.rules[0].increase_pct == 50);
	assert_true(gf.rules[0].has_min_delta);
	assert_int_equal(gf.rules[0].min_delta.value, 5 * MS);
	assert_false(gf.rules[0].has_budget);
	assert_true(gf.rules[1].exact);
	assert_true(gf.rules[1].increase_pct < 0); /* false: off */
	assert_int_equal(gf.rules[2].budget.value, 2000 * MS);
	assert_int_equal(gf.rules[2].min_delta.kind, PD_AMOUNT_SHARE);
	assert_ptr_equal(pd_gatefile_rule_for(&gf, "encoding/json.Marshal"), &gf.rules[0]);
	assert_ptr_equal(pd_gatefile_rule_for(&gf, "main.hot"), &gf.rules[1]);
	assert_null(pd_gatefile_rule_for(&gf, "main.hotter"));
	assert_null(pd_gatefile_rule_for(&gf, "x/encoding/json.Marshal"));
	assert_int_equal(gf.nallow, 2);
	assert_int_equal(gf.allow[0].line, 10);
	assert_string_equal(gf.allow[0].reason, "GC tuning, PERF-1");
	assert_false(gf.allow[0].expired);
	assert_true(gf.allow[1].expired);
	assert_non_null(pd_gatefile_allowed(&gf, "runtime.mallocgc"));
	assert_null(pd_gatefile_allowed(&gf, "old.fn")); /* expired: no longer applies */
	assert_int_equal(gf.nwarnings, 1);
	assert_string_equal(gf.warnings[0], "gate.json:13: allow entry for 'old.fn' expired on "
					    "2026-01-31 (legacy): it no longer applies");
	pd_gatefile_fini(&gf);
	pd_gatefile_fini(&gf); /* idempotent */
	/* The expiry day itself still applies. */
	assert_int_equal(parse(valid, "2026-01-31", &gf, &err), PD_OK);
	assert_int_equal(gf.nwarnings, 0);
	assert_non_null(pd_gatefile_allowed(&gf, "old.fn"));
	pd_gatefile_fini(&gf);
	/* An empty object is a valid gate file; today defaults to the clock. */
	assert_int_equal(parse("{}", NULL, &gf, &err), PD_OK);
	assert_int_equal(gf.nrules + gf.nallow, 0);
	pd_gatefile_fini(&gf);
	assert_int_equal(parse("{}", "2026-02-30", &gf, &err), PD_EUSAGE);
}

typedef struct bad {
	const char *text;
	const char *msg; /* the whole message; a final '*': a prefix (the C library's text) */
} bad;

static void test_errors_name_the_line(void **state)
{
	(void)state;
	const bad cases[] = {
		{"{\n  \"rules\": [\n    {\"match\": \"a\",, }\n  ]\n}\n",
		 "gate.json:3:20: JSON syntax error"},
		{"", "gate.json:1:1: JSON syntax error at the end of the file"},
		{"{\"rules\": []}\n  x", "gate.json:2:3: JSON syntax error"},
		{"{\n  \"rules\": [],\n  \"alow\": []\n}",
		 "gate.json:3: unknown key 'alow' in the gate file (expected version, rules, allow)"},
		{"{\"rules\": [\n {\"match\": \"a\",\n  \"min_delta\": \"1ms\",\n  \"treshold\": 5}]}",
		 "gate.json:4: unknown key 'treshold' in a rule (expected match, function, "
		 "fail_on_increase, min_delta, budget)"},
		{"{\"rules\": [\n\n {\"match\": \"(unclosed\", \"budget\": \"1s\"}]}",
		 "gate.json:3: bad regular expression '(unclosed': *"},
		{"{\"allow\": [{\"match\": \"x\", \"reason\": \"r\",\n \"expires\": \"2026-13-01\"}]}",
		 "gate.json:2: 'expires' must be a date YYYY-MM-DD, got '2026-13-01'"},
		{"{\"allow\": [{\"match\": \"x\", \"reason\": \"r\",\n \"expires\": 20261201}]}",
		 "gate.json:2: 'expires' must be a date YYYY-MM-DD, got a non-string"},
		{"{\"allow\": [\n  {\"match\": \"x\",\n   \"expires\": \"2026-12-01\"}]}",
		 "gate.json:2: an allow entry needs a \"reason\""},
		{"{\"rules\": [\n {\"match\": \"x\",\n  \"min_delta\": true}]}",
		 "gate.json:3: 'min_delta' must be an amount such as \"50ms\", \"10MB\" or \"0.5%\""},
		{"{\"rules\": [\n {\"match\": \"x\",\n  \"budget\": \"12 parsecs\"}]}",
		 "gate.json:3: budget: bad amount '12 parsecs': expected e.g. 50ms, 2s, 10MB, 1000 "
		 "or 0.5%"},
		{"{\"rules\": [\n {\"match\": \"x\",\n  \"fail_on_increase\": -5}]}",
		 "gate.json:3: 'fail_on_increase' must be a percentage >= 0 or false"},
		{"{\"rules\": [\n {\"match\": \"x\", \"function\": \"y\", \"budget\": \"1s\"}]}",
		 "gate.json:2: a rule has both \"match\" and \"function\""},
		{"{\"rules\": [\n {\"budget\": \"1s\"}]}",
		 "gate.json:2: a rule needs \"match\" (a regular expression) or \"function\""},
		{"{\"rules\": [\n {\"match\": \"x\"}]}",
		 "gate.json:2: a rule must set \"fail_on_increase\", \"min_delta\" or \"budget\""},
		{"{\"rules\": [\n 5]}", "gate.json:2: each entry of \"rules\" must be an object"},
		{"{\n\"rules\": {}}", "gate.json:2: \"rules\" must be an array"},
		{"{\"version\": 1,\n\"version\": 1}", "gate.json:2: duplicate key 'version' in the gate file"},
		{"{\n\n\"version\": 2}",
		 "gate.json:3: unsupported \"version\" (this profdiff reads version 1)"},
		{"[1, 2]", "gate.json:1: a gate file is a JSON object with \"rules\" and \"allow\""},
		{"{\"rules\": [{\"match\": \"\\\"quoted\\\" key:\", \"budget\": \"1s\"},\n"
		 " {\"match\": 7}]}",
		 "gate.json:2: 'match' must be a non-empty string"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		pd_gatefile gf;
		pd_error err;
		memset(&err, 0, sizeof err);
		pd_status rc = parse(cases[i].text, "2026-06-01", &gf, &err);
		size_t n = strlen(cases[i].msg);
		n = cases[i].msg[n - 1] == '*' ? n - 1 : sizeof err.msg;
		if (rc != PD_EUSAGE || strncmp(err.msg, cases[i].msg, n) != 0) {
			print_error("case %zu: rc %d, got \"%s\"\n  want \"%s\"\n", i, rc, err.msg,
				    cases[i].msg);
			fail();
		}
		assert_int_equal(gf.nrules + gf.nallow + gf.nwarnings, 0); /* left empty */
	}
	/* A NUL byte inside the text. */
	pd_gatefile gf;
	pd_error err;
	assert_int_equal(pd_gatefile_parse("g", "{\n \0}", 5, NULL, &gf, &err), PD_EUSAGE);
	assert_string_equal(err.msg, "g:2:2: NUL byte in a JSON file");
	/* A file that cannot be read is an input error. */
	assert_int_equal(pd_gatefile_load("/nonexistent/gate.json", NULL, &gf, &err), PD_EINPUT);
}

static void test_load(void **state)
{
	(void)state;
	const char *dir = getenv("PD_TMP");
	char path[512];
	snprintf(path, sizeof path, "%s/test_gatefile.json", dir ? dir : "/tmp");
	FILE *f = fopen(path, "w");
	if (!f) { /* PD_TMP may not exist yet */
		snprintf(path, sizeof path, "/tmp/test_gatefile.%ld.json", (long)getpid());
		f = fopen(path, "w");
	}
	assert_non_null(f);
	fputs(valid, f);
	fclose(f);
	pd_gatefile gf;
	pd_error err;
	assert_int_equal(pd_gatefile_load(path, "2026-06-01", &gf, &err), PD_OK);
	assert_int_equal(gf.nrules, 3);
	assert_string_equal(gf.path, path);
	pd_gatefile_fini(&gf);
	remove(path);
}

/* The gate with the file: overrides, budgets, allowed and expired entries. */
static pd_diff_row known(const char *name, int64_t b, int64_t h)
{
	pd_diff_row r;
	memset(&r, 0, sizeof r);
	r.name = r.short_name = name;
	r.status = b == 0 ? PD_ROW_NEW : PD_ROW_CHANGED;
	r.in_base = b != 0;
	r.in_new = true;
	r.base = (pd_vals){b, b};
	r.head = (pd_vals){h, h};
	r.delta = r.delta_min = r.delta_max = (pd_vals){h - b, h - b};
	return r;
}

static void test_gate_with_file(void **state)
{
	(void)state;
	pd_diff_row rows[] = {
		known("encoding/json.Marshal", 100 * MS, 140 * MS), /* +40%: under its 50% */
		known("main.hot", 100 * MS, 300 * MS),              /* increase rule off */
		known("runtime.mallocgc", 100 * MS, 200 * MS),      /* allowed until 2026-12-31 */
		known("old.fn", 100 * MS, 200 * MS),                /* allow entry expired */
		known("net/http.serve", 1500 * MS, 1600 * MS),      /* */
		known("net/http.read", 500 * MS, 600 * MS),         /* together over 2s budget */
	};
	pd_diff d;
	memset(&d, 0, sizeof d);
	d.unit = PD_UNIT_NANOS;
	d.rows = rows;
	d.nrows = sizeof rows / sizeof rows[0];
	d.base_total = 10000 * MS;
	d.new_total = 10500 * MS;
	pd_gatefile gf;
	pd_error err;
	assert_int_equal(parse(valid, "2026-06-01", &gf, &err), PD_OK);
	pd_gate_rules r;
	pd_gate_rules_init(&r);
	r.has_increase = true;
	r.increase_pct = 10;
	r.file = &gf;
	pd_gate_result res;
	assert_int_equal(pd_gate_eval_diff(&d, &r, &res, &err), PD_OK);
	assert_int_equal(res.verdict, PD_VERDICT_REGRESSION);
	/* Violations: the budget (net/http, 2.2s > 2s), old.fn; net/http.* each +6.7% and
	 * +20%: read breaks 10% but its 0.5% floor is 50 ms: 100 ms clears it. */
	assert_int_equal(res.nviolations, 3);
	assert_int_equal(res.v[0].rule, PD_RULE_INCREASE);
	assert_string_equal(res.v[0].name, "net/http.read"); /* equal deltas: by name */
	assert_int_equal(res.v[0].line, 7);
	assert_string_equal(res.v[1].name, "old.fn");
	assert_int_equal(res.v[1].line, 0);
	assert_int_equal(res.v[2].rule, PD_RULE_BUDGET);
	assert_string_equal(res.v[2].name, "^net/http\\.");
	assert_true(res.v[2].head == 2200.0 * MS);
	assert_true(res.v[2].limit == 2000.0 * MS);
	assert_int_equal(res.v[2].line, 7);
	assert_int_equal(res.nallowed, 1);
	assert_int_equal(res.v[3].state, PD_FINDING_ALLOWED);
	assert_string_equal(res.v[3].name, "runtime.mallocgc");
	assert_string_equal(res.v[3].reason, "GC tuning, PERF-1");
	bool warned = false;
	for (size_t i = 0; i < res.nwarnings; i++)
		warned = warned || strstr(res.warnings[i], "gate.json:13: allow entry") != NULL;
	assert_true(warned);
	pd_gate_result_fini(&res);
	/* Before old.fn's expiry its entry applies and the budget is all that fails. */
	pd_gatefile_fini(&gf);
	assert_int_equal(parse(valid, "2026-01-01", &gf, &err), PD_OK);
	assert_int_equal(pd_gate_eval_diff(&d, &r, &res, &err), PD_OK);
	assert_int_equal(res.nallowed, 2);
	assert_int_equal(res.nviolations, 2);
	pd_gate_result_fini(&res);
	/* A budget in bytes does not fit a CPU profile: the error names the entry. */
	pd_gatefile_fini(&gf);
	assert_int_equal(parse("{\"rules\": [\n{\"match\": \"x\", \"budget\": \"1MB\"}]}",
			       "2026-01-01", &gf, &err),
			 PD_OK);
	assert_int_equal(pd_gate_eval_diff(&d, &r, &res, &err), PD_EUSAGE);
	assert_string_equal(err.msg, "gate.json:2: an amount in bytes does not fit values in "
				     "nanoseconds");
	pd_gatefile_fini(&gf);
}

static void test_oom(void **state)
{
	(void)state;
	pd_gatefile gf;
	pd_error err;
	long n = 1;
	for (;; n++) {
		pd_alloc_fail_at(n);
		pd_status rc = parse(valid, "2026-06-01", &gf, &err);
		pd_alloc_fail_at(0);
		if (rc == PD_OK)
			break;
		assert_int_equal(rc, PD_EINTERNAL);
		assert_string_equal(err.msg, "out of memory");
		assert_null(gf.rules);
	}
	assert_true(n > 10);
	assert_int_equal(gf.nrules, 3);
	pd_gatefile_fini(&gf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_errors_name_the_line),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_gate_with_file),
		cmocka_unit_test(test_oom),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
