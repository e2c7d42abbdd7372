/* Unit tests for the text, JSON and Markdown reports (src/report*.c) on diffs built by
 * hand: exact output for a small diff, truncation, colors, escaping, exact int64 in
 * JSON, and buffer failure; the gated reports (verdict first, findings with their rule,
 * noise uncolored), JUnit XML and GitHub annotations on the real gate's result. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "profdiff/profdiff.h"
#include "base/alloc.h"
#include "report/verdict.h"

#define MS 1000000LL

/* rows[] ranked by |delta.flat| like pd_diff_new does. */
typedef struct fixture {
	pd_diff d;
	pd_diff_row rows[4];
} fixture;

static pd_diff_row row(const char *name, const char *short_name, pd_row_status st,
		       int64_t bflat, int64_t bcum, int64_t nflat, int64_t ncum)
{
	pd_diff_row r;
	memset(&r, 0, sizeof r);
	r.name = name;
	r.short_name = short_name;
	r.status = st;
	r.in_base = st != PD_ROW_NEW;
	r.in_new = st != PD_ROW_REMOVED;
	r.base = (pd_vals){bflat, bcum};
	r.head = (pd_vals){nflat, ncum};
	r.delta = (pd_vals){nflat - bflat, ncum - bcum};
	r.delta_min = r.delta_max = r.delta;
	r.share_base = (double)bflat / (10000 * MS);
	r.share_new = (double)nflat / (11000 * MS);
	return r;
}

static void setup(fixture *f)
{
	memset(f, 0, sizeof *f);
	pd_diff *d = &f->d;
	d->base.source = "base.dot";
	d->base.type = "cpu";
	d->base.unit = PD_UNIT_NANOS;
	d->base.total = 10000 * MS;
	d->head.source = "new.dot";
	d->head.type = "cpu";
	d->head.unit = PD_UNIT_NANOS;
	d->head.total = 11000 * MS;
	d->head.trimmed = true;
	d->head.dropped_nodes = 3;
	d->head.node_cutoff = 30 * MS;
	d->unit = PD_UNIT_NANOS;
	d->opts.by = PD_METRIC_FLAT;
	d->scale = 1.0;
	d->base_total = 10000 * MS;
	d->new_total = 11000 * MS;
	f->rows[0] = row("main.parse", "main.parse", PD_ROW_CHANGED, 1000 * MS, 2000 * MS,
			 2200 * MS, 3300 * MS);
	f->rows[1] = row("main.old", "main.old", PD_ROW_REMOVED, 500 * MS, 500 * MS, 0, 0);
	f->rows[2] = row("a|b`c", "a|b`c", PD_ROW_NEW, 0, 0, 300 * MS, 300 * MS);
	/* In base, absent from the trimmed new side: the change is -500ms..-470ms. */
	pd_diff_row *h = &f->rows[3];
	*h = row("main.gone", "main.gone", PD_ROW_HIDDEN, 500 * MS, 500 * MS, 0, 0);
	h->in_new = false;
	h->delta_min = (pd_vals){-500 * MS, -500 * MS};
	h->delta_max = (pd_vals){-470 * MS, -470 * MS};
	h->delta = h->delta_max;
	d->rows = f->rows;
	d->nrows = 4;
}

static char *run(const pd_diff *d, pd_format f, size_t top, bool color, pd_buf *b)
{
	pd_report_opts o = {.top = top, .color = color};
	pd_error err;
	pd_buf_init(b, 0);
	assert_int_equal(pd_report(d, f, &o, b, &err), PD_OK);
	assert_non_null(b->data);
	return b->data;
}

static const char expected_text[] =
	"base:        base.dot\n"
	"new:         new.dot\n"
	"type:        cpu\n"
	"total:       10s \xe2\x86\x92 11s\n"
	"net change:  +1s (+10.00%)\n"
	"normalize:   none\n"
	"granularity: function\n"
	"ranked by:   |\xce\x94" "flat| (\xce\x94%, base and new are flat)\n"
	"functions:   4 (changed 1, new 1, removed 1, hidden 1)\n"
	"\n"
	"rank           \xce\x94" "flat               \xce\x94%   base    new           "
	" \xce\x94" "cum  status   name\n"
	"   1          +1.20s          +120.0%     1s  2.20s          +1.30s  changed  main.parse\n"
	"   2          -500ms          -100.0%  500ms      0          -500ms  removed  main.old\n"
	"   3  -500ms..-470ms  -100.0%..-94.0%  500ms      ?  -500ms..-470ms  hidden   main.gone\n"
	"   4          +300ms              new      0  300ms          +300ms  new      a|b`c\n"
	"\n"
	"warning: the new input is trimmed (dropped 3 nodes with cum <= 30ms): functions "
	"missing from it are \"hidden\" and their change is only known within an interval\n";

static void test_text_exact(void **state)
{
	(void)state;
	fixture f;
	setup(&f);
	/* rows must be ranked: put hidden (-470ms) after removed (-500ms), new last. */
	pd_diff_row tmp = f.rows[2];
	f.rows[2] = f.rows[3];
	f.rows[3] = tmp;
	pd_buf b;
	assert_string_equal(run(&f.d, PD_FORMAT_TEXT, 0, false, &b), expected_text);
	assert_null(strchr(b.data, '\033'));
	pd_buf_fini(&b);
}

static void test_text_top_and_color(void **state)
{
	(void)state;
	fixture f;
	setup(&f);
	pd_buf b;
	const char *s = run(&f.d, PD_FORMAT_TEXT, 2, true, &b);
	assert_non_null(strstr(s, "\n2 more not shown\n"));
	assert_null(strstr(s, "a|b`c"));
	/* +1.2s flat over a 10s base total: red; -0.5s: green; plain header. */
	assert_non_null(strstr(s, "\033[31m   1 "));
	assert_non_null(strstr(s, "main.parse\033[0m\n"));
	assert_non_null(strstr(s, "\033[32m   2 "));
	assert_null(strstr(s, "\033[1;"));
	assert_int_equal(strncmp(s, "base:", 5), 0);
	pd_buf_fini(&b);
	s = run(&f.d, PD_FORMAT_TEXT, 2, false, &b);
	assert_null(strchr(s, '\033'));
	pd_buf_fini(&b);
}

static void test_text_escapes_control_bytes(void **state)
{
	(void)state;
	fixture f;
	setup(&f);
	f.rows[0].name = "evil\nname\033[2J\xff";
	pd_buf b;
	const char *s = run(&f.d, PD_FORMAT_TEXT, 1, false, &b);
	assert_non_null(strstr(s, "  evil\\x0aname\\x1b[2J\\xff\n"));
	assert_null(strchr(s, '\033'));
	pd_buf_fini(&b);
}

static const cJSON *get(const cJSON *o, const char *path)
{
	char key[64];
	while (o && *path) {
		size_t n = strcspn(path, ".");
		snprintf(key, sizeof key, "%.*s", (int)n, path);
		o = cJSON_GetObjectItemCaseSensitive(o, key);
		path += n + (path[n] == '.');
	}
	assert_non_null(o);
	if (!o) /* not reached; tells the optimizer (and -Wnull-dereference) so */
		abort();
	return o;
}

static void test_json_schema_and_values(void **state)
{
	(void)state;
	fixture f;
	setup(&f);
	pd_buf b;
	cJSON *j = cJSON_Parse(run(&f.d, PD_FORMAT_JSON, 0, false, &b));
	assert_non_null(j);
	assert_string_equal(get(j, "schema")->valuestring, "profdiff.diff/v2");
	assert_string_equal(get(j, "unit")->valuestring, "nanoseconds");
	assert_string_equal(get(j, "normalize")->valuestring, "none");
	assert_string_equal(get(j, "by")->valuestring, "flat");
	assert_string_equal(get(j, "granularity")->valuestring, "function");
	assert_true(cJSON_IsNull(get(j, "focus")));
	assert_true(get(j, "scale")->valuedouble == 1.0);
	assert_string_equal(get(j, "base.source")->valuestring, "base.dot");
	assert_true(get(j, "base.total")->valuedouble == 1e10);
	assert_true(cJSON_IsTrue(get(j, "new.trimmed")));
	assert_true(get(j, "new.dropped_nodes")->valuedouble == 3);
	assert_true(get(j, "truncated")->valuedouble == 0);

	const cJSON *fn = get(j, "functions");
	assert_int_equal(cJSON_GetArraySize(fn), 4);
	const cJSON *r0 = cJSON_GetArrayItem(fn, 0);
	assert_string_equal(get(r0, "name")->valuestring, "main.parse");
	assert_string_equal(get(r0, "status")->valuestring, "changed");
	assert_true(get(r0, "delta.flat")->valuedouble == 1200 * MS);
	assert_true(get(r0, "delta_pct.flat")->valuedouble == 120.0);
	assert_true(get(r0, "delta_pct.cum")->valuedouble == 65.0);
	assert_true(get(r0, "share.base")->valuedouble == 0.1);
	assert_null(cJSON_GetObjectItem(r0, "delta_min"));
	assert_null(cJSON_GetObjectItem(r0, "cum_upper_bound"));

	const cJSON *r2 = cJSON_GetArrayItem(fn, 2);
	assert_string_equal(get(r2, "name")->valuestring, "a|b`c");
	assert_string_equal(get(r2, "status")->valuestring, "new");
	assert_true(cJSON_IsNull(get(r2, "delta_pct.flat")));

	const cJSON *r3 = cJSON_GetArrayItem(fn, 3);
	assert_string_equal(get(r3, "status")->valuestring, "hidden");
	assert_true(get(r3, "delta_min.flat")->valuedouble == -500 * MS);
	assert_true(get(r3, "delta_max.cum")->valuedouble == -470 * MS);
	cJSON_Delete(j);
	pd_buf_fini(&b);
}

/* Pyroscope's "other": each side's share is a fact in text and Markdown and fields in
 * JSON; an undeclared other node and --force are warnings in every format. */
static void test_other_and_forced(void **state)
{
	(void)state;
	fixture f;
	setup(&f);
	f.d.head.has_other = true;
	f.d.head.other = 1100 * MS;
	f.d.head.other_undeclared = 1;
	f.d.head.has_total = true;
	f.d.forced = true;
	pd_buf b;
	const char *t = run(&f.d, PD_FORMAT_TEXT, 0, false, &b);
	assert_non_null(strstr(t, "in other:    base 0 (0.00%), new 1.10s (10.00%); "));
	assert_non_null(strstr(t, "warning: the new input names 1 node only in edges"));
	assert_non_null(strstr(t, "holding 1.10s\n"));
	assert_non_null(strstr(t, "1.10s cut into \"other\""));
	assert_non_null(strstr(t, "warning: the inputs have different sample types or units"));
	pd_buf_fini(&b);
	t = run(&f.d, PD_FORMAT_MARKDOWN, 0, false, &b);
	assert_non_null(strstr(t, "- **in other**: base 0 (0.00%), new 1.10s (10.00%); "));
	assert_non_null(strstr(t, "> **Warning:** the new input names 1 node only in edges"));
	assert_non_null(strstr(t, "> **Warning:** the inputs have different sample types"));
	pd_buf_fini(&b);
	cJSON *j = cJSON_Parse(run(&f.d, PD_FORMAT_JSON, 0, false, &b));
	assert_non_null(j);
	assert_true(get(j, "new.other")->valuedouble == 1100 * MS);
	assert_true(get(j, "new.other_share")->valuedouble == 0.1);
	assert_true(get(j, "new.other_undeclared")->valuedouble == 1);
	assert_true(get(j, "base.other")->valuedouble == 0);
	const cJSON *w = get(j, "warnings");
	assert_string_equal(get(cJSON_GetArrayItem(w, 0), "kind")->valuestring, "forced");
	assert_string_equal(get(cJSON_GetArrayItem(w, 1), "kind")->valuestring,
			    "undeclared_other");
	assert_non_null(strstr(get(cJSON_GetArrayItem(w, 1), "text")->valuestring,
			       "read as \"other\", holding 1.10s"));
	assert_string_equal(get(cJSON_GetArrayItem(w, 2), "kind")->valuestring, "trimmed");
	cJSON_Delete(j);
	pd_buf_fini(&b);
}

static void test_json_exact_int64_and_truncation(void **state)
{
	(void)state;
	fixture f;
	setup(&f);
	/* 2^53 + 1 is not a double; the printed integer must still be exact. */
	f.rows[0].head.flat = 9007199254740993LL;
	f.rows[0].delta.cum = INT64_MAX;
	f.rows[0].base.cum = INT64_MIN;
	f.rows[0].share_new = 0.0 / 0.0;
	f.rows[0].cum_upper_bound = true;
	f.rows[0].name = "bad\xc3(utf8\x01";
	pd_buf b;
	const char *s = run(&f.d, PD_FORMAT_JSON, 1, false, &b);
	assert_non_null(strstr(s, "\"flat\":\t9007199254740993"));
	assert_non_null(strstr(s, "\"cum\":\t9223372036854775807"));
	assert_non_null(strstr(s, "\"cum\":\t-9223372036854775808"));
	assert_non_null(strstr(s, "\"name\":\t\"bad\xef\xbf\xbd(utf8\\u0001\""));
	cJSON *j = cJSON_Parse(s);
	assert_non_null(j);
	assert_int_equal(cJSON_GetArraySize(get(j, "functions")), 1);
	assert_true(get(j, "truncated")->valuedouble == 3);
	const cJSON *r0 = cJSON_GetArrayItem(get(j, "functions"), 0);
	assert_true(cJSON_IsNull(get(r0, "share.new")));
	assert_true(cJSON_IsTrue(get(r0, "cum_upper_bound")));
	cJSON_Delete(j);
	pd_buf_fini(&b);
}

static const char expected_md[] =
	"### profdiff: `base.dot` \xe2\x86\x92 `new.dot`\n"
	"\n"
	"- **base**: `base.dot`\n"
	"- **new**: `new.dot`\n"
	"- **type**: `cpu`\n"
	"- **total**: 10s \xe2\x86\x92 11s\n"
	"- **net change**: +1s (+10.00%)\n"
	"- **normalize**: none\n"
	"- **granularity**: function\n"
	"- **ranked by**: |\xce\x94" "flat| (\xce\x94%, base and new are flat)\n"
	"- **functions**: 4 (changed 1, new 1, removed 1, hidden 1)\n"
	"\n"
	"Biggest regressions (\xce\x94" "flat): `main.parse` (+1.20s), ``a|b`c`` (+300ms); "
	"biggest improvements: `main.old` (-500ms), `main.gone` (-500ms..-470ms).\n"
	"\n"
	"> **Warning:** the new input is trimmed (dropped 3 nodes with cum <= 30ms): functions "
	"missing from it are \"hidden\" and their change is only known within an interval.\n"
	"\n"
	"| rank | \xce\x94" "flat | \xce\x94% | base | new | \xce\x94" "cum | status | name |\n"
	"|---:|---:|---:|---:|---:|---:|:---|:---|\n"
	"| 1 | +1.20s | +120.0% | 1s | 2.20s | +1.30s | changed | `main.parse` |\n"
	"| 2 | -500ms | -100.0% | 500ms | 0 | -500ms | removed | `main.old` |\n"
	"| 3 | +300ms | new | 0 | 300ms | +300ms | new | ``a\\|b`c`` |\n"
	"\n"
	"_1 more not shown._\n";

static void test_markdown_exact(void **state)
{
	(void)state;
	fixture f;
	setup(&f);
	pd_buf b;
	assert_string_equal(run(&f.d, PD_FORMAT_MARKDOWN, 3, false, &b), expected_md);
	pd_buf_fini(&b);
}

static void test_markdown_code_spans(void **state)
{
	(void)state;
	fixture f;
	setup(&f);
	f.rows[0].name = "`x``";
	f.rows[1].name = "p\nq";
	pd_buf b;
	const char *s = run(&f.d, PD_FORMAT_MARKDOWN, 2, false, &b);
	assert_non_null(strstr(s, "| ``` `x`` ``` |\n"));
	assert_non_null(strstr(s, "| `p\\x0aq` |\n"));
	pd_buf_fini(&b);
}

static void test_empty_diff(void **state)
{
	(void)state;
	fixture f;
	setup(&f);
	f.d.nrows = 0;
	f.d.head.trimmed = false;
	pd_buf b;
	const char *s = run(&f.d, PD_FORMAT_TEXT, 0, false, &b);
	assert_non_null(strstr(s, "functions:   0\n\nno functions to show\n"));
	pd_buf_fini(&b);
	cJSON *j = cJSON_Parse(run(&f.d, PD_FORMAT_JSON, 0, false, &b));
	assert_int_equal(cJSON_GetArraySize(get(j, "functions")), 0);
	cJSON_Delete(j);
	pd_buf_fini(&b);
}

static void test_buffer_failure(void **state)
{
	(void)state;
	fixture f;
	setup(&f);
	pd_report_opts o = {0};
	for (int fmt = 0; fmt < PD_FORMAT_KINDS; fmt++) {
		pd_buf b;
		pd_error err = {0};
		pd_buf_init(&b, 64);
		assert_int_equal(pd_report(&f.d, (pd_format)fmt, &o, &b, &err), PD_EINTERNAL);
		assert_int_equal(err.code, PD_EINTERNAL);
		assert_true(err.msg[0] != '\0');
		pd_buf_fini(&b);
	}
	pd_buf b;
	pd_error err;
	pd_buf_init(&b, 0);
	assert_int_equal(pd_report(&f.d, PD_FORMAT_KINDS, &o, &b, &err), PD_EUSAGE);
	pd_buf_fini(&b);
}

static void test_deterministic(void **state)
{
	(void)state;
	fixture f;
	setup(&f);
	for (int fmt = 0; fmt < PD_FORMAT_KINDS; fmt++) {
		pd_buf a, b;
		run(&f.d, (pd_format)fmt, 0, true, &a);
		run(&f.d, (pd_format)fmt, 0, true, &b);
		assert_string_equal(a.data, b.data);
		pd_buf_fini(&a);
		pd_buf_fini(&b);
	}
}


/* The fixture gated by --fail-on-increase 10 --min-delta 100ms: main.parse (+120%)
 * breaks "increase", the new function a|b`c (300ms) breaks "new". */
typedef struct gated {
	fixture f;
	pd_gate_rules rules;
	pd_gate_result res;
	pd_report_gate g;
} gated;

static void gate_setup(gated *x)
{
	pd_error err;
	setup(&x->f);
	pd_diff_row tmp = x->f.rows[2];
	x->f.rows[2] = x->f.rows[3];
	x->f.rows[3] = tmp;
	pd_gate_rules_init(&x->rules);
	x->rules.has_increase = true;
	x->rules.increase_pct = 10;
	assert_int_equal(pd_amount_parse("100ms", &x->rules.min_delta, &err), PD_OK);
	assert_int_equal(pd_gate_eval_diff(&x->f.d, &x->rules, &x->res, &err), PD_OK);
	x->g = (pd_report_gate){.res = &x->res, .rules = &x->rules, .nbase = 1, .nhead = 1,
				.gated = true};
}

static char *gated_run(gated *x, pd_format f, bool color, pd_buf *b)
{
	pd_report_opts o = {.color = color};
	pd_error err;
	pd_buf_init(b, 0);
	assert_int_equal(pd_report_gated(&x->f.d, &x->g, f, &o, b, &err), PD_OK);
	return b->data;
}

static void test_gated_text(void **state)
{
	(void)state;
	gated x;
	pd_buf b;
	gate_setup(&x);
	assert_int_equal(x.res.verdict, PD_VERDICT_REGRESSION);
	const char *s = gated_run(&x, PD_FORMAT_TEXT, true, &b);
	const char *first = "verdict: regression: 2 violations; total 10s \xe2\x86\x92 11s (+10.00%); "
			    "2 functions worse, 2 better (flat); thresholds only (one profile per "
			    "side: no significance test)\n";
	assert_memory_equal(s, first, strlen(first));
	assert_non_null(strstr(s, "\nviolation: increase: main.parse +1.20s (+120.0%), limit +100ms "
				  "[--fail-on-increase]\n"));
	assert_non_null(strstr(s, "\nviolation: new: a|b`c +300ms (new), floor 100ms [--min-delta"));
	assert_non_null(strstr(s, "\ngate:        flat; increase > 10%; floor 100ms; alpha 0.05\n"));
	/* Only violations are colored: the removed and hidden rows are plain. */
	const char *old = strstr(s, "main.old\n");
	assert_non_null(old);
	const char *line = old;
	while (line > s && line[-1] != '\n')
		line--;
	assert_null(memchr(line, '\033', (size_t)(old - line)));
	assert_non_null(strstr(s, "\033[31m"));
	/* Warnings come after the table. */
	assert_true(strstr(s, "warning: ") > strstr(s, "main.gone"));
	pd_buf_fini(&b);
	pd_gate_result_fini(&x.res);
}

static void test_gated_json_and_markdown(void **state)
{
	(void)state;
	gated x;
	pd_buf b;
	gate_setup(&x);
	cJSON *j = cJSON_Parse(gated_run(&x, PD_FORMAT_JSON, false, &b));
	assert_non_null(j);
	assert_string_equal(get(j, "verdict")->valuestring, "regression");
	assert_string_equal(get(j, "gate.verdict")->valuestring, "regression");
	assert_true(cJSON_IsTrue(get(j, "gate.thresholds_only")));
	assert_true(get(j, "gate.rules.fail_on_increase")->valuedouble == 10);
	assert_string_equal(get(j, "gate.rules.min_delta")->valuestring, "100ms");
	assert_true(get(j, "gate.violations")->valuedouble == 2);
	const cJSON *v0 = cJSON_GetArrayItem(get(j, "gate.findings"), 0);
	assert_string_equal(get(v0, "rule")->valuestring, "increase");
	assert_string_equal(get(v0, "name")->valuestring, "main.parse");
	assert_string_equal(get(v0, "source")->valuestring, "--fail-on-increase");
	assert_true(get(v0, "delta")->valuedouble == 1200 * MS);
	assert_true(cJSON_IsNull(get(v0, "p")));
	cJSON_Delete(j);
	pd_buf_fini(&b);
	const char *md = gated_run(&x, PD_FORMAT_MARKDOWN, false, &b);
	assert_memory_equal(md, "### profdiff verdict: **regression: 2 violations;", 49);
	assert_non_null(strstr(md, "\n- **violation** (rule `increase`): `main.parse` +1.20s (+120.0%)"));
	pd_buf_fini(&b);
	pd_gate_result_fini(&x.res);
}

static void test_junit_and_annotations(void **state)
{
	(void)state;
	gated x;
	pd_buf b;
	pd_error err;
	gate_setup(&x);
	x.f.rows[3].name = "evil\n::error::x%,<&>";
	pd_gate_result_fini(&x.res);
	assert_int_equal(pd_gate_eval_diff(&x.f.d, &x.rules, &x.res, &err), PD_OK);
	pd_buf_init(&b, 0);
	assert_int_equal(pd_report_junit(&x.f.d, &x.g, &b, &err), PD_OK);
	assert_non_null(strstr(b.data, "<testsuites name=\"profdiff\" tests=\"4\" failures=\"2\" "
				       "errors=\"0\" skipped=\"0\""));
	assert_non_null(strstr(b.data, "<testcase classname=\"profdiff.increase\" name=\"main.parse\" "
				       "time=\"0\">\n      <failure message=\"increase: +1.20s (+120.0%), "
				       "limit +100ms\" type=\"increase\">--fail-on-increase</failure>"));
	assert_non_null(strstr(b.data, "name=\"evil&#10;::error::x%,&lt;&amp;&gt;\""));
	assert_non_null(strstr(b.data, "name=\"main.old\" time=\"0\"/>"));
	assert_non_null(strstr(b.data, "<testcase classname=\"profdiff.new\" name=\"evil"));
	assert_non_null(strstr(b.data, "<failure message=\"new: +300ms (new), floor 100ms\" type=\"new\">"));
	pd_buf_fini(&b);
	pd_buf_init(&b, 0);
	assert_int_equal(pd_report_annotations(&x.f.d, &x.g, &b, &err), PD_OK);
	assert_non_null(strstr(b.data, "::error title=profdiff regression::increase: main.parse +1.20s "
				       "(+120.0%25), limit +100ms [--fail-on-increase]\n"));
	/* The name cannot end the command or start one of its own. */
	assert_non_null(strstr(b.data, "::error title=profdiff regression::new: evil%0A::error::x%25,<&> "));
	for (const char *l = b.data; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		assert_memory_equal(l, "::", 2);
	assert_non_null(strstr(b.data, "::error title=profdiff verdict::verdict: regression"));
	pd_buf_fini(&b);
	pd_gate_result_fini(&x.res);
}

/* Every allocation of every gated output failing in turn ends in PD_EINTERNAL (or, for
 * allocations whose failure only loses a figure, PD_OK), never a crash or a leak. */
static pd_status one_output(gated *x, int which, pd_buf *b, pd_error *err)
{
	pd_report_opts o = {0};
	if (which < PD_FORMAT_KINDS)
		return pd_report_gated(&x->f.d, &x->g, (pd_format)which, &o, b, err);
	if (which == PD_FORMAT_KINDS)
		return pd_report_junit(&x->f.d, &x->g, b, err);
	return pd_report_annotations(&x->f.d, &x->g, b, err);
}

static void test_gated_alloc_failures(void **state)
{
	(void)state;
	gated x;
	gate_setup(&x);
	for (int which = 0; which <= PD_FORMAT_KINDS + 1; which++) {
		pd_buf b;
		pd_error err;
		pd_buf_init(&b, 0);
		pd_alloc_fail_at(0);
		assert_int_equal(one_output(&x, which, &b, &err), PD_OK);
		long total = pd_alloc_count();
		pd_buf_fini(&b);
		assert_true(total > 0);
		for (long n = 1; n <= total; n++) {
			pd_buf_init(&b, 0);
			pd_alloc_fail_at(n);
			pd_status st = one_output(&x, which, &b, &err);
			pd_alloc_fail_at(0);
			pd_buf_fini(&b);
			if (st != PD_OK)
				assert_int_equal(st, PD_EINTERNAL);
		}
	}
	pd_gate_result_fini(&x.res);
}

/* Samples mode: two functions, four profiles per side, per second; "hot" grows by about
 * 20% in every new profile, "cold" does not move. */
typedef struct sampled {
	gated x;
	pd_gate_samples s;
	double base[8], head[8], btot[4], htot[4];
} sampled;

static const char *const sample_names[] = {"cold", "hot"};
static const char *const sample_src[] = {"b1.dot", "b2.dot", "b3.dot", "b4.dot"};

static void samples_setup(sampled *m)
{
	static const double base[8] = {50e6, 52e6, 49e6, 51e6, 100e6, 102e6, 98e6, 101e6};
	static const double head[8] = {51e6, 50e6, 52e6, 49e6, 120e6, 123e6, 119e6, 121e6};
	pd_error err;
	gated *x = &m->x;
	setup(&x->f);
	memcpy(m->base, base, sizeof base);
	memcpy(m->head, head, sizeof head);
	for (int i = 0; i < 4; i++) {
		m->btot[i] = 1000e6;
		m->htot[i] = 1020e6;
	}
	m->s = (pd_gate_samples){.nfuncs = 2, .nbase = 4, .nhead = 4, .names = sample_names,
				 .base = m->base, .head = m->head, .base_total = m->btot,
				 .head_total = m->htot, .per_second = true, .unit = PD_UNIT_NANOS};
	pd_gate_rules_init(&x->rules);
	x->rules.has_increase = true;
	x->rules.increase_pct = 10;
	assert_int_equal(pd_gate_eval_samples(&m->s, &x->rules, &x->res, &err), PD_OK);
	x->g = (pd_report_gate){.res = &x->res, .rules = &x->rules, .samples = &m->s,
				.base_src = sample_src, .head_src = sample_src, .nbase = 4,
				.nhead = 4, .gated = true};
}

static void test_samples_reports(void **state)
{
	(void)state;
	sampled m;
	pd_buf b;
	samples_setup(&m);
	assert_int_equal(m.x.res.verdict, PD_VERDICT_REGRESSION);
	const char *s = gated_run(&m.x, PD_FORMAT_TEXT, false, &b);
	const char *first = "verdict: regression: 1 violation; total (median) 1s/s \xe2\x86\x92 1.02s/s "
			    "(+2.00%); 1 functions worse (1 significant), 0 better (0 significant); "
			    "4+4 profiles, 1 tested, alpha 0.05\n";
	assert_memory_equal(s, first, strlen(first));
	assert_non_null(strstr(s, "violation: increase: hot +20.50ms/s (+20.4%), limit +10.05ms/s, "
				  "p=0.02857 q=0.02857 [--fail-on-increase]\n"));
	/* The table: hot first (largest shift), cold's change marked ~. */
	const char *hot = strstr(s, "  hot\n"), *cold = strstr(s, "  cold\n");
	assert_non_null(hot);
	assert_non_null(cold);
	assert_true(hot < cold);
	const char *line = cold;
	while (line[-1] != '\n')
		line--;
	assert_non_null(memchr(line, '~', (size_t)(cold - line)));
	pd_buf_fini(&b);
	cJSON *j = cJSON_Parse(gated_run(&m.x, PD_FORMAT_JSON, false, &b));
	assert_non_null(j);
	assert_string_equal(get(j, "mode")->valuestring, "samples");
	assert_string_equal(get(j, "values")->valuestring, "per_second");
	const cJSON *f0 = cJSON_GetArrayItem(get(j, "functions"), 0);
	assert_string_equal(get(f0, "name")->valuestring, "hot");
	assert_true(cJSON_IsTrue(get(f0, "significant")));
	assert_true(get(f0, "q")->valuedouble < 0.05);
	assert_false(cJSON_IsTrue(get(cJSON_GetArrayItem(get(j, "functions"), 1), "significant")));
	cJSON_Delete(j);
	pd_buf_fini(&b);
	pd_gate_result_fini(&m.x.res);
}

static void test_samples_alloc_failures(void **state)
{
	(void)state;
	sampled m;
	samples_setup(&m);
	for (int which = 0; which <= PD_FORMAT_KINDS + 1; which++) {
		pd_buf b;
		pd_error err;
		pd_buf_init(&b, 0);
		pd_alloc_fail_at(0);
		assert_int_equal(one_output(&m.x, which, &b, &err), PD_OK);
		long total = pd_alloc_count();
		pd_buf_fini(&b);
		for (long n = 1; n <= total; n++) {
			pd_buf_init(&b, 0);
			pd_alloc_fail_at(n);
			pd_status st = one_output(&m.x, which, &b, &err);
			pd_alloc_fail_at(0);
			pd_buf_fini(&b);
			if (st != PD_OK)
				assert_int_equal(st, PD_EINTERNAL);
		}
	}
	pd_gate_result_fini(&m.x.res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_exact),
		cmocka_unit_test(test_text_top_and_color),
		cmocka_unit_test(test_text_escapes_control_bytes),
		cmocka_unit_test(test_json_schema_and_values),
		cmocka_unit_test(test_other_and_forced),
		cmocka_unit_test(test_json_exact_int64_and_truncation),
		cmocka_unit_test(test_markdown_exact),
		cmocka_unit_test(test_markdown_code_spans),
		cmocka_unit_test(test_empty_diff),
		cmocka_unit_test(test_buffer_failure),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_gated_text),
		cmocka_unit_test(test_gated_json_and_markdown),
		cmocka_unit_test(test_junit_and_annotations),
		cmocka_unit_test(test_gated_alloc_failures),
		cmocka_unit_test(test_samples_reports),
		cmocka_unit_test(test_samples_alloc_failures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
