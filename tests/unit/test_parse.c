/* Unit tests for the DOT parser (src/parse/): the pprof and Pyroscope dialects,
 * cleaned DOT, escaping, legend fields, and every kind of bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "parse/parse.h"

#define LEGEND_CPU                                                                               \
	"subgraph cluster_L { \"File: api\" [shape=box fontsize=16 label=\"File: api\\lType: "   \
	"cpu\\lTime: Nov 26, 2026 at 6:14am (UTC)\\lDuration: 11.10s, Total samples = 10.50s " \
	"(94.59%)\\lShowing nodes accounting for 10.49s, 99.90% of 10.50s total\\lDropped 6 "  \
	"nodes (cum <= 0.06s)\\l\\lSee https://git.io/JfYMW for how to read the graph\\l\" "   \
	"tooltip=\"api\"] }\n"

static const char pprof_dot[] =
	"digraph \"api\" {\n"
	"node [style=filled fillcolor=\"#f8f8f8\"]\n" LEGEND_CPU
	"N1 [label=\"main\\nmain\\n0 of 10.40s (99.05%)\" id=\"node1\" fontsize=8 shape=box "
	"tooltip=\"main.main (10.40s)\" color=\"#b20000\" fillcolor=\"#edd5d5\"]\n"
	"N2 [label=\"pricing\\nQuote\\n5.20s (49.52%)\\nof 6.10s (58.10%)\" id=\"node2\" fontsize=24 "
	"shape=box tooltip=\"example.com/shop/v2/internal/pricing.Quote (6.10s)\"]\n"
	"N3 [label=\"main\\n(*Store)\\nGet\\n900ms (8.57%)\" id=\"node3\" shape=box "
	"tooltip=\"main.(*Store).Get (900ms)\"]\n"
	"N3_0 [label = \"bytes:64B\" id=\"N3_0\" fontsize=8 shape=box3d tooltip=\"0.90s\"]\n"
	"N3 -> N3_0 [label=\" 0.90s\" weight=100 tooltip=\"0.90s\" labeltooltip=\"0.90s\"]\n"
	"N4 [label=\"say \\\"hi\\\"\\\\there\\n4.39s (41.81%)\" tooltip=\"say \\\"hi\\\"\\\\there (4.39s)\"]\n"
	"N1 -> N2 [label=\" 6.10s\" weight=59 penwidth=3 color=\"#b22e00\" tooltip=\"main.main -> "
	"example.com/shop/v2/internal/pricing.Quote (6.10s)\"]\n"
	"N2 -> N3 [label=\" 0.90s\\n (inline)\" tooltip=\"x\"]\n"
	"N1 -> N4 [label=\" 4.30s\" style=\"dotted\"]\n"
	"}\n";

static pd_profile *parse(const char *text)
{
	pd_profile *p = NULL;
	pd_error err = {0};
	pd_status rc = pd_profile_parse("t.dot", text, strlen(text), &p, &err);
	if (rc != PD_OK)
		fail_msg("parse failed: %s", err.msg);
	return p;
}

static const pd_node *find(const pd_profile *p, const char *func)
{
	for (size_t i = 0; i < p->nnodes; i++)
		if (strcmp(p->nodes[i].func, func) == 0)
			return &p->nodes[i];
	fail_msg("no node %s", func);
	abort(); /* not reached: tells the compiler the result is never NULL */
}

static void test_pprof_dialect(void **state)
{
	(void)state;
	pd_profile *p = parse(pprof_dot);
	const pd_profile_info *in = pd_profile_get_info(p);
	assert_string_equal(in->type, "cpu");
	assert_string_equal(in->title, "api");
	assert_int_equal(in->unit, PD_UNIT_NANOS);
	assert_int_equal(in->total, 10500000000LL);
	assert_int_equal(in->shown, 10490000000LL);
	assert_int_equal(in->duration_ns, 11100000000LL);
	assert_int_equal(in->dropped_nodes, 6);
	assert_int_equal(in->node_cutoff, 60000000);
	assert_true(in->trimmed);
	assert_true(in->has_tooltips);
	assert_false(in->has_lines);
	assert_int_equal(in->nodes, 4); /* the nodelet is skipped */
	assert_int_equal(in->edges, 3); /* the edge to the nodelet is skipped */

	const pd_node *m = find(p, "main.main");
	assert_int_equal(m->flat, 0);
	assert_int_equal(m->cum, 10400000000LL);
	const pd_node *q = find(p, "example.com/shop/v2/internal/pricing.Quote");
	assert_int_equal(q->flat, 5200000000LL);
	assert_int_equal(q->cum, 6100000000LL);
	assert_string_equal(q->short_func, "pricing.Quote");
	const pd_node *g = find(p, "main.(*Store).Get");
	assert_int_equal(g->flat, 900000000);
	assert_int_equal(g->cum, 900000000);
	find(p, "say \"hi\"\\there"); /* \" and \\ decoded once */

	/* Fraction trimming only: an absent function's cum is below the cutoff, its flat
	 * below the unassigned flat T - X. */
	assert_int_equal(p->unknown_cum_max, 60000000);
	assert_int_equal(p->unknown_flat_max, 10000000);

	int inl = 0, dotted = 0;
	for (size_t i = 0; i < p->nedges; i++) {
		inl += p->edges[i].inlined;
		dotted += p->edges[i].residual;
		assert_true(p->edges[i].weighted);
	}
	assert_int_equal(inl, 1);
	assert_int_equal(dotted, 1);
	pd_profile_free(p);
}

static const char pyroscope_dot[] =
	"digraph \"unnamed\" {\n"
	"node [style=filled fillcolor=\"#f8f8f8\"]\n"
	"subgraph cluster_L { \"Type: cpu\" [shape=box fontsize=16 label=\"Type: cpu\\lTime: Nov 14, "
	"2023 at 10:13pm (UTC)\\lShowing nodes accounting for 4.70s, 85.30% of 5.51s "
	"total\\lShowing top 3 nodes out of 6\\l\\lSee https://git.io/JfYMW for how to read the "
	"graph\\l\"] }\n"
	"N1 [label=\"runtime\\nmallocgc\\nmalloc.go:1100\\n3.50s (63.52%)\" id=\"node1\" fontsize=24 "
	"shape=box tooltip=\"runtime.mallocgc /usr/local/go/src/runtime/malloc.go:1100 (3.50s)\"]\n"
	"N2 [label=\"http\\n(*conn)\\nserve\\nserver.go:2039\\n0 of 5.50s (99.82%)\" id=\"node2\" "
	"tooltip=\"net/http.(*conn).serve /usr/local/go/src/net/http/server.go:2039 (5.50s)\"]\n"
	"N3 [label=\"json\\nMarshal\\nencode.go:161\\n1.20s (21.78%)\\nof 4.70s (85.30%)\" "
	"tooltip=\"encoding/json.Marshal /usr/local/go/src/encoding/json/encode.go:161 (4.70s)\"]\n"
	"N3 -> N1 [label=\" 3.50s\" weight=64 penwidth=4 color=\"#b21600\"]\n"
	"N2 -> N3 [label=\" 4.70s\" style=\"dotted\"]\n"
	"}\n";

static void test_pyroscope_lines(void **state)
{
	(void)state;
	pd_profile *p = parse(pyroscope_dot);
	const pd_profile_info *in = pd_profile_get_info(p);
	assert_true(in->has_lines);
	assert_true(in->trimmed);
	assert_int_equal(in->top_k, 3);
	assert_int_equal(in->top_of, 6);
	assert_string_equal(in->title, "unnamed");
	const pd_node *m = find(p, "runtime.mallocgc");
	assert_string_equal(m->line, "runtime.mallocgc /usr/local/go/src/runtime/malloc.go:1100");
	assert_string_equal(m->short_func, "runtime.mallocgc");
	assert_string_equal(m->short_line, "runtime.mallocgc malloc.go:1100");
	/* Count trimming: no cum bound tighter than the total. */
	assert_int_equal(p->unknown_cum_max, 5510000000LL);
	assert_int_equal(p->unknown_flat_max, 810000000LL);
	pd_profile_free(p);
}

/* The same graph after mcp-grafana's cleanup: no tooltips, no edge attributes. */
static const char cleaned_dot[] =
	"digraph \"unnamed\" {\n"
	"node [style=filled ]\n"
	"subgraph cluster_L { \"Type: cpu\" [label=\"Type: cpu\\lShowing nodes accounting for 4.70s, "
	"85.30% of 5.51s total\\lShowing top 3 nodes out of 6\\l\"] }\n"
	"N1 [label=\"runtime\\nmallocgc\\nmalloc.go:1100\\n3.50s (63.52%)\" ]\n"
	"N2 [label=\"http\\n(*conn)\\nserve\\nserver.go:2039\\n0 of 5.50s (99.82%)\" ]\n"
	"N2 -> N1\n"
	"}\n";

static void test_cleaned(void **state)
{
	(void)state;
	pd_profile *p = parse(cleaned_dot);
	const pd_profile_info *in = pd_profile_get_info(p);
	assert_false(in->has_tooltips);
	assert_true(in->has_lines);
	const pd_node *n = find(p, "http.(*conn).serve");
	assert_string_equal(n->line, "http.(*conn).serve server.go:2039");
	assert_int_equal(n->cum, 5500000000LL);
	assert_int_equal(p->nedges, 1);
	assert_false(p->edges[0].weighted);
	pd_profile_free(p);
}

static void expect_error(const char *text, size_t len, pd_status code, const char *needle)
{
	pd_profile *p = NULL;
	pd_error err = {0};
	assert_int_equal(pd_profile_parse("bad.dot", text, len, &p, &err), code);
	assert_null(p);
	if (!strstr(err.msg, needle))
		fail_msg("error '%s' does not contain '%s'", err.msg, needle);
	assert_non_null(strstr(err.msg, "bad.dot"));
	assert_null(strchr(err.msg, '\n'));
}

static void test_bad_inputs(void **state)
{
	(void)state;
	expect_error("", 0, PD_EINPUT, "empty file");
	expect_error(" \n\t\n", 4, PD_EINPUT, "empty file");
	expect_error("digraph g {\x00 a }", 15, PD_EINPUT, "binary data");
	expect_error("\x1f\x8b\x08\x00rest", 8, PD_EINPUT, "gzip");
	size_t cut = strlen(pprof_dot) / 2;
	expect_error(pprof_dot, cut, PD_EINPUT, "malformed DOT");
	const char *unit = "digraph g { N1 [label=\"f\\n12.5furlongs (3%)\"] }";
	expect_error(unit, strlen(unit), PD_EINPUT, "unknown unit 'furlongs'");
	const char *ovf = "digraph g { N1 [label=\"f\\n99999999999999999999s (3%)\"] }";
	expect_error(ovf, strlen(ovf), PD_EINPUT, "out of range");
	const char *mixed = "digraph g { N1 [label=\"f\\n1s (3%)\"] N2 [label=\"g\\n1MB (3%)\"] }";
	expect_error(mixed, strlen(mixed), PD_EINPUT, "is in bytes but the file uses nanoseconds");
	/* Graphs that are not profiles: no legend, and no label holds a value. */
	static const char *const not_profiles[] = {
		"digraph g { a -> b }",
		"digraph G { main [label=\"Main\"] main -> parse -> execute; main -> init }",
		"digraph g { N1 [label=\"just a name\"] }",
		"digraph g { a [label=\"two\\nlines\"] b [label=\"x\"] a -> b }",
		"digraph g { N1 -> N2 }",
	};
	for (size_t i = 0; i < sizeof not_profiles / sizeof *not_profiles; i++)
		expect_error(not_profiles[i], strlen(not_profiles[i]), PD_EINPUT,
			     "not a pprof/Pyroscope profile: no legend and no value labels");
	/* A profile with one bad node: that node's error. */
	const char *noval = "digraph g { N1 [label=\"just a name\"] N2 [label=\"f\\n1s (3%)\"] }";
	expect_error(noval, strlen(noval), PD_EINPUT, "node N1");
	const char *legend = "digraph g { L [label=\"Type: cpu\\lShowing nodes accounting for 1s, "
			     "100% of 1s total\\l\"] N1 [label=\"just a name\"] }";
	expect_error(legend, strlen(legend), PD_EINPUT, "node N1");
	/* libcgraph recovers after an error: the next parse works. */
	pd_profile_free(parse(pprof_dot));
}

/* libcgraph's lexer is global: a file that ends inside a quoted string used to leave it
 * in that state, so the next parse failed with the previous file's error. And its error
 * text arrives in pieces ("Error", ": ", the message): all of it must reach pd_error. */
static void test_lexer_state_does_not_leak(void **state)
{
	(void)state;
	pd_profile *p = NULL;
	pd_error err = {0};
	assert_int_equal(pd_profile_parse("q.dot", "digraph g { N1 [label=\"x", 25, &p, &err),
			 PD_EINPUT);
	assert_null(p);
	pd_profile_free(parse(pprof_dot)); /* the next parse starts clean */

	/* An anonymous graph is untitled, not "%<internal sequence number>". */
	const char *anon = "digraph { N1 [label=\"f\\n1s (100%)\"] }";
	assert_int_equal(pd_profile_parse("a.dot", anon, strlen(anon), &p, &err), PD_OK);
	assert_string_equal(pd_profile_get_info(p)->title, "");
	pd_profile_free(p);

	const char *bad = "digraph { a -> [ }";
	assert_int_equal(pd_profile_parse("bad.dot", bad, strlen(bad), &p, &err), PD_EINPUT);
	if (!strstr(err.msg, "syntax error in line 1"))
		fail_msg("libcgraph's message lost: '%s'", err.msg);
	assert_non_null(strstr(err.msg, "bad.dot: malformed DOT: "));
	assert_null(strchr(err.msg, '\n'));
}

static void test_negative_and_mixed_units(void **state)
{
	(void)state;
	const char *diffdot = "digraph g { N1 [label=\"f\\n-0.53s (4.65%)\\nof -0.55s (4.82%)\" "
			      "tooltip=\"f (-0.55s)\"] N2 [label=\"g\\n0 of -0.24s (2.10%)\"] }";
	pd_profile *p = parse(diffdot);
	assert_true(pd_profile_get_info(p)->has_negative);
	assert_int_equal(find(p, "f")->flat, -530000000);
	assert_int_equal(find(p, "f")->cum, -550000000);
	assert_int_equal(find(p, "g")->cum, -240000000);
	pd_profile_free(p);
	const char *mix = "digraph g { \"Type: alloc_space\" [label=\"Type: alloc_space\\lShowing "
			  "nodes accounting for 1.50MB, 100% of 1.50MB total\\l\"] N1 [label=\"f\\n1MB "
			  "(66%)\" tooltip=\"f (1MB)\"] N2 [label=\"g\\n512kB (33%)\" tooltip=\"g (512kB)\"] }";
	p = parse(mix);
	assert_int_equal(pd_profile_get_info(p)->total, 1572864);
	assert_int_equal(find(p, "g")->flat, 524288);
	assert_false(pd_profile_get_info(p)->trimmed);
	pd_profile_free(p);
}

static void test_huge_name(void **state)
{
	(void)state;
	size_t n = 1 << 20;
	char *name = malloc(n + 1);
	memset(name, 'x', n);
	name[n] = '\0';
	size_t cap = 3 * n + 256;
	char *text = malloc(cap);
	snprintf(text, cap, "digraph g { N1 [label=\"%s\\n1s (100%%)\" tooltip=\"pkg.%s (1s)\"] }",
		 name, name);
	pd_profile *p = parse(text);
	assert_int_equal(p->nnodes, 1);
	assert_int_equal(strlen(p->nodes[0].func), n + 4);
	pd_profile_free(p);
	free(text);
	free(name);
}

/* One node from its label and tooltip (NULL: cleaned DOT, no tooltip). */
static pd_profile *one_node(const char *label, const char *tooltip)
{
	static char text[2048];
	if (tooltip)
		snprintf(text, sizeof text,
			 "digraph g { N1 [label=\"%s\\n1s (100%%)\" tooltip=\"%s (1s)\"] }", label,
			 tooltip);
	else
		snprintf(text, sizeof text, "digraph g { N1 [label=\"%s\\n1s (100%%)\"] }", label);
	return parse(text);
}

static void expect_names(const char *label, const char *tooltip, const char *func,
			 const char *line, const char *short_func, const char *short_line)
{
	pd_profile *p = one_node(label, tooltip);
	const pd_node *n = &p->nodes[0];
	assert_string_equal(n->func, func);
	assert_string_equal(n->line, line);
	assert_string_equal(n->short_func, short_func);
	assert_string_equal(n->short_line, short_line);
	pd_profile_free(p);
}

/* The file part of a name, language by language (pyroscope-api.md 4.5): a trailing
 * "file:LINE" token whatever the file looks like, and nothing else. */
static void test_names_by_language(void **state)
{
	(void)state;
	/* Go: unchanged. */
	expect_names("main\\nwork\\nmain.go:19", "main.work /src/main.go:19", "main.work",
		     "main.work /src/main.go:19", "main.work", "main.work main.go:19");
	expect_names("main\\nmain\\nfunc1", "main.main.func1", "main.main.func1",
		     "main.main.func1", "main.main.func1", "main.main.func1");
	expect_names("main\\nsumGeneric[…]", "main.sumGeneric[...]", "main.sumGeneric[...]",
		     "main.sumGeneric[...]", "main.sumGeneric[…]", "main.sumGeneric[…]");
	/* -show_columns. */
	expect_names("main\\nwork\\nmain.go:19:7", "main.work /src/main.go:19:7", "main.work",
		     "main.work /src/main.go:19:7", "main.work", "main.work main.go:19:7");
	/* goyacc: a dot-less file. */
	expect_names("main\\nyyParse\\nyaccpar:36", "main.yyParse yaccpar:36", "main.yyParse",
		     "main.yyParse yaccpar:36", "main.yyParse", "main.yyParse yaccpar:36");
	/* Java (JFR): an empty file. */
	expect_names("Pattern$GroupTail\\nmatch\\n:4811",
		     "java/util/regex/Pattern$GroupTail.match :4811",
		     "java/util/regex/Pattern$GroupTail.match",
		     "java/util/regex/Pattern$GroupTail.match :4811", "Pattern$GroupTail.match",
		     "Pattern$GroupTail.match :4811");
	expect_names("App$$Lambda_\\nrun", "App$$Lambda_.run", "App$$Lambda_.run",
		     "App$$Lambda_.run", "App$$Lambda_.run", "App$$Lambda_.run");
	/* Node.js: a file holding colons, with and without a directory. */
	expect_names("emit\\nnode:events:520", "emit node:events:520", "emit",
		     "emit node:events:520", "emit", "emit node:events:520");
	expect_names("processTicksAndRejections\\ntask_queues:96",
		     "processTicksAndRejections node:internal/process/task_queues:96",
		     "processTicksAndRejections",
		     "processTicksAndRejections node:internal/process/task_queues:96",
		     "processTicksAndRejections", "processTicksAndRejections task_queues:96");
	/* Node.js, file and line inside the name: only the last token is the file part. */
	expect_names("index\\njs:carSearchHandler:29\\nindex.js:29",
		     "./build/index.js:carSearchHandler:29 /app/build/index.js:29",
		     "./build/index.js:carSearchHandler:29",
		     "./build/index.js:carSearchHandler:29 /app/build/index.js:29",
		     "index.js:carSearchHandler:29", "index.js:carSearchHandler:29 index.js:29");
	/* ... and without a line, the name line looks like "file:29": the tooltip says no. */
	expect_names("index\\njs:carSearchHandler:29", "./build/index.js:carSearchHandler:29",
		     "./build/index.js:carSearchHandler:29", "./build/index.js:carSearchHandler:29",
		     "index.js:carSearchHandler:29", "index.js:carSearchHandler:29");
	/* .NET: the assembly as the file, with a line when there is one. */
	expect_names("WebApp\\nControllers!CpuController\\nfib\\nWebApp:42",
		     "WebApp.Controllers!CpuController.fib WebApp:42",
		     "WebApp.Controllers!CpuController.fib",
		     "WebApp.Controllers!CpuController.fib WebApp:42",
		     "WebApp.Controllers!CpuController.fib",
		     "WebApp.Controllers!CpuController.fib WebApp:42");
	/* .NET without a line: the assembly is the file when the tooltip ends in it
	 * (fixtures/langs/dotnet_cpu.lines.dot), a name line in cleaned DOT. */
	expect_names("WebApp\\nControllers!CpuController\\nfib\\nWebApp",
		     "WebApp.Controllers!CpuController.fib WebApp",
		     "WebApp.Controllers!CpuController.fib",
		     "WebApp.Controllers!CpuController.fib WebApp",
		     "WebApp.Controllers!CpuController.fib",
		     "WebApp.Controllers!CpuController.fib WebApp");
	expect_names("WebApp\\nControllers!CpuController\\nfib\\nWebApp", NULL,
		     "WebApp.Controllers!CpuController.fib.WebApp",
		     "WebApp.Controllers!CpuController.fib.WebApp",
		     "WebApp.Controllers!CpuController.fib.WebApp",
		     "WebApp.Controllers!CpuController.fib.WebApp");
	/* Ruby's C functions: file "(unknown)", no line. */
	expect_names("(unknown):-1 - (unknown) [c function]\\n(unknown)",
		     "(unknown):-1 - (unknown) [c function] (unknown)",
		     "(unknown):-1 - (unknown) [c function]",
		     "(unknown):-1 - (unknown) [c function] (unknown)",
		     "(unknown):-1 - (unknown) [c function]",
		     "(unknown):-1 - (unknown) [c function] (unknown)");
	/* A Go name's last line is never the tooltip's last token. */
	expect_names("main\\nmain", "main.main", "main.main", "main.main", "main.main",
		     "main.main");
	/* Rust: "file:line - name" is all name. */
	expect_names("libunwind\\nrs:93 - backtrace\\ntrace", "libunwind.rs:93 - backtrace::trace",
		     "libunwind.rs:93 - backtrace::trace", "libunwind.rs:93 - backtrace::trace",
		     "libunwind.rs:93 - backtrace.trace", "libunwind.rs:93 - backtrace.trace");
	/* Cleaned DOT (no tooltip): the label alone decides. */
	expect_names("Pattern$GroupTail\\nmatch\\n:4811", NULL, "Pattern$GroupTail.match",
		     "Pattern$GroupTail.match :4811", "Pattern$GroupTail.match",
		     "Pattern$GroupTail.match :4811");
	expect_names("emit\\nnode:events:520", NULL, "emit", "emit node:events:520", "emit",
		     "emit node:events:520");
	expect_names("main\\nyyParse\\nyaccpar:36", NULL, "main.yyParse", "main.yyParse yaccpar:36",
		     "main.yyParse", "main.yyParse yaccpar:36");
}

/* mcp-grafana's cleanup up to v1.0 deletes the "other" node line and keeps its edges:
 * an id only edges name is "other", holding what the legend has beyond the declared
 * flats. A declared node without a label is still an error. */
static void test_undeclared_other(void **state)
{
	(void)state;
	static const char text[] =
		"digraph \"api\" {\n"
		"subgraph cluster_L { \"File: api\" [label=\"File: api\\lType: cpu\\lShowing nodes "
		"accounting for 4.50s, 100% of 4.50s total\\l\"] }\n"
		"N1 [label=\"handlers\\nWork\\nwork.go:40\\n3s (66.67%)\\nof 3.90s (86.67%)\" ]\n"
		"N3 [label=\"main\\nmain\\nmain.go:12\\n0 of 4.30s (95.56%)\" ]\n"
		"N4 [label=\"http\\n(*conn)\\nserve\\nserver.go:2039\\n0 of 4.30s (95.56%)\" ]\n"
		"N3 -> N4\nN4 -> N1\nN1 -> N2\nN4 -> N2\n}\n";
	pd_profile *p = parse(text);
	const pd_profile_info *in = pd_profile_get_info(p);
	assert_true(in->has_other);
	assert_int_equal(in->other_undeclared, 1);
	assert_int_equal(in->other, 1500000000LL);
	assert_true(in->trimmed);
	assert_int_equal(find(p, "other")->flat, 1500000000LL);
	assert_int_equal(p->nedges, 4); /* the edges to it are kept */
	/* Missing functions: within other's 1.50s (nothing else was dropped). */
	assert_int_equal(p->unknown_flat_max, 1500000000LL);
	assert_int_equal(p->unknown_cum_max, 1500000000LL);
	pd_profile_free(p);

	const char *declared = "digraph g { N7 [label=\"a\\n1s (33%)\"] N8 [tooltip=\"x (1s)\"] "
			       "N7 -> N8 }";
	expect_error(declared, strlen(declared), PD_EINPUT, "node N8 has no label");
	const char *lone = "digraph g { N7 [label=\"a\\n1s (33%)\"] N8 }";
	expect_error(lone, strlen(lone), PD_EINPUT, "node N8 has no label");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pprof_dialect),	 cmocka_unit_test(test_pyroscope_lines),
		cmocka_unit_test(test_cleaned),	 cmocka_unit_test(test_bad_inputs),
		cmocka_unit_test(test_lexer_state_does_not_leak),
		cmocka_unit_test(test_negative_and_mixed_units), cmocka_unit_test(test_huge_name),
		cmocka_unit_test(test_names_by_language),
		cmocka_unit_test(test_undeclared_other),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
