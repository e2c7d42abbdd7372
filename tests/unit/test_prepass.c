/* Differential test of the attribute-dropping pre-pass (src/parse/prepass.c): every
 * DOT file under fixtures/ and bench/samples/, and hand-written edge cases, is parsed
 * with the pre-pass (with and without references and the arena) and with plain
 * agmemread; the profiles (legend fields, nodes, edges) or the error status and message
 * must be identical. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "parse/prepass.h"

static void same_str(const char *what, const char *a, const char *b)
{
	if (!a || !b) {
		if (a != b)
			fail_msg("%s: %s vs %s", what, a ? a : "(null)", b ? b : "(null)");
		return;
	}
	if (strcmp(a, b) != 0)
		fail_msg("%s: '%s' vs '%s'", what, a, b);
}

/* Asserts that profile a (or error ea) equals b (eb) field by field. */
static void same_result(const char *name, pd_status ra, const pd_profile *a, const pd_error *ea,
			pd_status rb, const pd_profile *b, const pd_error *eb)
{
	if (ra != rb)
		fail_msg("%s: status %d (%s) with the pre-pass, %d (%s) without", name, ra, ea->msg, rb,
			 eb->msg);
	if (ra != PD_OK) {
		same_str(name, ea->msg, eb->msg);
		return;
	}
	const pd_profile_info *x = &a->info, *y = &b->info;
	same_str("title", x->title, y->title);
	same_str("type", x->type, y->type);
	assert_int_equal(x->unit, y->unit);
	assert_int_equal(x->total, y->total);
	assert_int_equal(x->has_total, y->has_total);
	assert_int_equal(x->shown, y->shown);
	assert_int_equal(x->duration_ns, y->duration_ns);
	assert_int_equal(x->dropped_nodes, y->dropped_nodes);
	assert_int_equal(x->node_cutoff, y->node_cutoff);
	assert_int_equal(x->dropped_edges, y->dropped_edges);
	assert_int_equal(x->edge_cutoff, y->edge_cutoff);
	assert_int_equal(x->top_k, y->top_k);
	assert_int_equal(x->top_of, y->top_of);
	assert_int_equal(x->trimmed, y->trimmed);
	assert_int_equal(x->has_tooltips, y->has_tooltips);
	assert_int_equal(x->has_lines, y->has_lines);
	assert_int_equal(x->has_negative, y->has_negative);
	assert_int_equal(a->nnodes, b->nnodes);
	assert_int_equal(a->nedges, b->nedges);
	assert_int_equal(a->flat_sum, b->flat_sum);
	assert_int_equal(a->unknown_flat_max, b->unknown_flat_max);
	assert_int_equal(a->unknown_cum_max, b->unknown_cum_max);
	for (size_t i = 0; i < a->nnodes; i++) {
		const pd_node *n = &a->nodes[i], *m = &b->nodes[i];
		same_str("func", n->func, m->func);
		same_str("line", n->line, m->line);
		same_str("short_func", n->short_func, m->short_func);
		same_str("short_line", n->short_line, m->short_line);
		assert_int_equal(n->flat, m->flat);
		assert_int_equal(n->cum, m->cum);
		assert_int_equal(n->flat_res, m->flat_res);
		assert_int_equal(n->cum_res, m->cum_res);
	}
	for (size_t i = 0; i < a->nedges; i++) {
		const pd_pedge *e = &a->edges[i], *f = &b->edges[i];
		assert_int_equal(e->from, f->from);
		assert_int_equal(e->to, f->to);
		assert_int_equal(e->weight, f->weight);
		assert_int_equal(e->weighted, f->weighted);
		assert_int_equal(e->residual, f->residual);
		assert_int_equal(e->inlined, f->inlined);
	}
}

/* Parses text plainly and with the pre-pass, with and without references and the arena,
 * and asserts identical results. Returns the status. */
static pd_status both_ways(const char *name, const char *text, size_t len)
{
	pd_profile *plain = NULL;
	pd_error ep = {0};
	pd_status rp = pd_profile_parse_flags(name, text, len, PD_PARSE_PLAIN, &plain, &ep);
	/* The arena runs under ASan too: it poisons what its clients must not touch. */
	static const unsigned modes[] = {0, PD_PARSE_NOREFS, PD_PARSE_ARENA,
					 PD_PARSE_ARENA | PD_PARSE_NOREFS};
	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
		pd_profile *a = NULL;
		pd_error ea = {0};
		pd_status ra = pd_profile_parse_flags(name, text, len, modes[i], &a, &ea);
		same_result(name, ra, a, &ea, rp, plain, &ep);
		pd_profile_free(a);
	}
	pd_profile_free(plain);
	return rp;
}

static size_t files_seen, files_stripped, files_by_ref;

static void check_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *d = malloc((size_t)n + 1);
	assert_non_null(d);
	assert_int_equal(fread(d, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	size_t olen;
	char *o = pd_prepass(d, (size_t)n, &olen);
	files_stripped += o != NULL;
	free(o);
	if (both_ways(path, d, (size_t)n) == PD_OK && !strstr(path, "/edge/") && !strstr(path, "/samples/")) {
		/* Real pprof output takes the fast path: references, none lost. */
		pd_profile *p = NULL;
		pd_error e = {0};
		if (pd_profile_parse_flags(path, d, (size_t)n, PD_PARSE_REFS_ONLY, &p, &e) != PD_OK)
			fail_msg("%s: %s", path, e.msg);
		pd_profile_free(p);
		files_by_ref++;
	}
	files_seen++;
	free(d);
}

/* Every *.dot below dir, recursively. */
static void walk_dir(const char *dir)
{
	DIR *dp = opendir(dir);
	if (!dp)
		return;
	struct dirent *de;
	while ((de = readdir(dp))) {
		if (de->d_name[0] == '.')
			continue;
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		struct stat st;
		if (stat(path, &st) != 0)
			continue;
		size_t k = strlen(de->d_name);
		if (S_ISDIR(st.st_mode))
			walk_dir(path);
		else if (k > 4 && strcmp(de->d_name + k - 4, ".dot") == 0)
			check_file(path);
	}
	closedir(dp);
}

static void test_fixtures_and_samples(void **state)
{
	(void)state;
	const char *src = getenv("PD_SRC");
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/fixtures", src ? src : ".");
	walk_dir(dir);
	snprintf(dir, sizeof dir, "%s/bench/samples", src ? src : ".");
	size_t before = files_seen;
	walk_dir(dir);
	assert_true(files_seen > before); /* the bench samples are in the repository */
	assert_true(files_by_ref > 0);
	print_message("%zu DOT files, %zu taken by the pre-pass, %zu real pprof ones by reference\n",
		      files_seen, files_stripped, files_by_ref);
}

static const char head[] = "digraph \"t\" {\n"
			   "subgraph cluster_L { \"Type: cpu\" [shape=box label=\"Type: cpu\\l"
			   "Showing nodes accounting for 3s, 100% of 3s total\\l\"] }\n";

static pd_status case_(const char *body)
{
	char text[4096];
	snprintf(text, sizeof text, "%s%s", head, body);
	return both_ways("case.dot", text, strlen(text));
}

static void test_edge_cases(void **state)
{
	(void)state;
	/* Attribute lists over several lines, commas and semicolons, odd spacing. */
	assert_int_equal(case_("N1 [label=\"a\\nb\\n1s (33%)\",\n  id = \"node1\";\n"
			       "  tooltip=\"a.b (1s)\" color=\"#b20000\"]\n"
			       "N2 [ label = \"c\\nd\\n2s (66%)\" , tooltip = \"c.d (2s)\" ]\n"
			       "N1->N2 [label=\" 1s\" tooltip=\"a -> c\" style=dotted]\n"
			       "N1 -> N2 [color=red]\n}\n"),
			 PD_OK);
	/* Quoted keys, defaults that must stay, a second list on one statement. */
	assert_int_equal(case_("node [style=filled tooltip=\"dflt (1s)\"]\nedge [style=dotted]\n"
			       "N1 [\"label\"=\"a\\n1s (33%)\"] [tooltip=\"x.a (1s)\" fontsize=9]\n"
			       "N2 [label=\"b\\n2s (66%)\"]\nN1 -> N2 [label=\" 1s\"]\n}\n"),
			 PD_OK);
	/* Constructs the pre-pass leaves to libcgraph: comments, HTML, concatenation. */
	assert_int_equal(case_("/* c */ N1 [label=\"a\\n1s (33%)\"] // x\n"
			       "N2 [label=<b> tooltip=\"b (2s)\"]\n}\n"),
			 PD_EINPUT);
	assert_int_equal(case_("N1 [label=\"a\\n\" + \"1s (33%)\" tooltip=\"a (1s)\"]\n}\n"), PD_OK);
	assert_int_equal(case_("# 1\nN1 [label=\"a\\n1s (33%)\"]\n}\n"), PD_OK);
	/* Errors: same message, same line number, after a dropped multi-line attribute. */
	assert_int_equal(case_("N1 [label=\"a\\n1s (33%)\" color=\n\"#b20000\"\n id=\"x\"]\n"
			       "N2 [label=\"b\\n2s\" ]]\n}\n"),
			 PD_EINPUT);
	assert_int_equal(case_("N1 [label=\"a\\n1s (33%)\" tooltip=\"unterminated]\n}\n"), PD_EINPUT);
	assert_int_equal(case_("N1 [label=\"a\\n1s (33%)\" color=]\n}\n"), PD_EINPUT);
	assert_int_equal(case_("N1 [label=\"a\\n1s (33%)\" color\n"), PD_EINPUT);
	assert_int_equal(case_("N1 [label=\"a\\nfurlongs\" color=red]\n}\n"), PD_EINPUT);
	/* A node name starting with '%' is internal to libcgraph, which names it by a
	 * counter that differs from one parse to the next (found by fuzz_prepass). */
	assert_int_equal(case_("\"%x\" [label=\"a\\nNov 14,\"]\n}\n"), PD_EINPUT);
	/* Keywords are not IDs: as a dropped key or value they are still syntax errors. */
	assert_int_equal(case_("N1 [label=\"a\\n1s (33%)\" node=1]\n}\n"), PD_EINPUT);
	assert_int_equal(case_("N1 [label=\"a\\n1s (33%)\" color=Graph]\n}\n"), PD_EINPUT);
	assert_int_equal(case_("N1 [label=\"a\\n1s (33%)\"]\nN1 -> N2 [weight=strict]\n}\n"),
			 PD_EINPUT);
}

/* Reference mode: what it must give up on, and what it must read as libcgraph does. */
static void test_reference_cases(void **state)
{
	(void)state;
	/* A node with two lists keeps only the last reference: parsed again without. */
	assert_int_equal(case_("N1 [label=\"a\\n1s (33%)\" fontsize=8]\n"
			       "N1 [tooltip=\"x.a (1s)\" color=\"#b20000\"]\n}\n"),
			 PD_OK);
	assert_int_equal(case_("N1 [label=\"a\\n1s (33%)\"] [tooltip=\"x.a (1s)\" id=n1]\n}\n"),
			 PD_OK);
	/* A default label for nodes whose own lists have none. */
	assert_int_equal(case_("node [label=\"d\\n2s (66%)\"]\nN1 [tooltip=\"x.d (2s)\" id=n1]\n"
			       "N2 [label=\"b\\n1s (33%)\" id=n2]\n}\n"),
			 PD_OK);
	/* A subgraph as the head: the pre-pass takes its list for a node's. */
	assert_int_equal(case_("N1 [label=\"a\\n1s (33%)\" tooltip=\"x.a (1s)\"]\n"
			       "N2 [label=\"b\\n2s (66%)\" tooltip=\"x.b (2s)\"]\n"
			       "N1 -> {N2} [label=\" 1s\" weight=2]\n}\n"),
			 PD_OK);
	/* A raw newline in a quoted value: libcgraph keeps or drops it depending on the
	 * backslashes around it and on what follows (found by fuzz_prepass). */
	assert_int_equal(case_("N1 [label=\"a\\n1s (33%)\" tooltip=\"x.a /of \\\\\n\\.b (1s)\"]\n}\n"),
			 PD_OK);
	assert_int_equal(case_("N1 [label=\"a\\n1s (33%)\" tooltip=\"x.a\\\\\n.b (1s)\"]\n}\n"),
			 PD_OK);
	/* Node IDs as numbers (src/cgraph): canonical N<k> only; N01, N0, huge k and N1_0
	 * stay names, and the walk still sees every name as written. */
	assert_int_equal(case_("N1 [label=\"a\\n1s (20%)\" tooltip=\"x.a (1s)\"]\n"
			       "N01 [label=\"b\\n1s (20%)\" tooltip=\"x.b (1s)\"]\n"
			       "N0 [label=\"c\\n1s (20%)\" tooltip=\"x.c (1s)\"]\n"
			       "N123456789012345678901 [label=\"d\\n1s (20%)\" tooltip=\"x.d (1s)\"]\n"
			       "N1_0 [label=\"tag\" shape=box3d]\n"
			       "N1 -> N01 [label=\" 1s\"]\nN01 -> N0 [label=\" 1s\"]\n"
			       "N0 -> N123456789012345678901 [label=\" 1s\"]\nN1 -> N1_0\n}\n"),
			 PD_OK);
	assert_int_equal(case_("N7 [label=\"a\\n1s (33%)\"]\nN8 [tooltip=\"x (1s)\"]\nN7 -> N8\n}\n"),
			 PD_EINPUT); /* "node N8 has no label": the name comes back from the ID */
	/* Attribute statements with two lists, and one right after a node's list. */
	assert_int_equal(case_("node [fontsize=8] [label=\"d\\n2s (66%)\"]\n"
			       "N1 [tooltip=\"x.d (2s)\"] N2 [label=\"a\\n1s (33%)\"] nOdE [shape=box3d]\n"
			       "N3 [label=\"t\"]\nN1 -> N2\n}\n"),
			 PD_OK);
	/* The marker itself in the text. */
	assert_int_equal(case_("N1 [label=\"pdref\\n1s (33%)\" pdref=3 tooltip=\"x.pdref (1s)\"]\n}\n"),
			 PD_OK);
	/* Escapes the lexer decodes: \", \\, a backslash-newline (reference mode refuses
	 * it); the last label wins. */
	assert_int_equal(case_("N1 [label=\"old\\n9s\" tooltip=\"q.\\\"a\\\\b\\\"\\\n.c (1s)\" "
			       "label=\"a\\\\\\n1s (33%)\" shape=box]\n}\n"),
			 PD_OK);
}

static void test_prepass_output(void **state)
{
	(void)state;
	const char in[] = "N1 [label=\"a\" id=\"n\" fontsize=8 tooltip=\"t\" color=\"#fff\"]\n"
			  "N1 -> N2 [label=\" 1s\" weight=3 tooltip=\"x\" labeltooltip=\"y\" "
			  "style=\"dotted\"]\nnode [color=red]\n";
	size_t n;
	char *o = pd_prepass(in, sizeof in - 1, &n);
	assert_non_null(o);
	assert_string_equal(o, "N1 [label=\"a\" tooltip=\"t\"]\n"
			       "N1 -> N2 [label=\" 1s\" style=\"dotted\"]\nnode [color=red]\n");
	assert_int_equal(n, strlen(o));
	free(o);
	/* Never longer than the input (the buffer is sized for that): a newline or nothing
	 * between two kept attributes must not gain a space. */
	const char *tight[] = {"N1 [label=\"a\"\ntooltip=\"b\"]", "N1 [label=\"a\"tooltip=\"b\"]",
			       "N1 [label=\"a\"\n\ntooltip=\"b\"\nshape=box]"};
	for (size_t i = 0; i < sizeof tight / sizeof tight[0]; i++) {
		o = pd_prepass(tight[i], strlen(tight[i]), &n);
		assert_non_null(o);
		if (n > strlen(tight[i]))
			fail_msg("pre-pass output longer than its input: '%s' -> '%s'", tight[i], o);
		free(o);
	}
	/* Reference mode: node lists become one reference, edge lists are filtered. */
	pd_refs refs = {0};
	o = pd_prepass_refs(in, sizeof in - 1, &n, &refs);
	assert_non_null(o);
	assert_string_equal(o, "N1 [pdref=0]\n"
			       "N1 -> N2 [label=\" 1s\" style=\"dotted\"]\nnode [color=red]\n");
	assert_int_equal(refs.n, 1);
	assert_int_equal(refs.ref[0].off, 3);
	assert_int_equal(refs.ref[0].name, 0);
	assert_int_equal(refs.ref[0].name_len, 2);
	static const char *const keys[] = {"label", "tooltip", "shape", "fontsize"};
	const char *v[4];
	pd_buf scratch;
	pd_buf_init(&scratch, 0);
	assert_true(pd_prepass_lookup(in, sizeof in - 1, refs.ref[0].off, keys, 4, v, &scratch));
	assert_string_equal(v[0], "a");
	assert_string_equal(v[1], "t");
	assert_null(v[2]);
	assert_string_equal(v[3], "8");
	free(o);
	free(refs.ref);
	/* Decoding as libcgraph's lexer: \" -> ", \\ stays, other escapes stay; the last
	 * occurrence wins. */
	const char esc[] = "x [label=a tooltip=\"p\\\"q\\\\rs\\nt\" label=\"b\"]";
	refs = (pd_refs){0};
	o = pd_prepass_refs(esc, sizeof esc - 1, &n, &refs);
	assert_non_null(o);
	assert_true(pd_prepass_lookup(esc, sizeof esc - 1, refs.ref[0].off, keys, 2, v, &scratch));
	assert_string_equal(v[0], "b");
	assert_string_equal(v[1], "p\"q\\\\rs\\nt");
	free(o);
	free(refs.ref);
	/* Refused: the marker in the text, a quoted key, a raw newline in a kept value, a
	 * list too short for K. */
	refs = (pd_refs){0};
	assert_null(pd_prepass_refs("a [label=\"x\ny\"]", 15, &n, &refs));
	assert_null(pd_prepass_refs("a [label=pdref]", 15, &n, &refs));
	assert_null(pd_prepass_refs("a [\"label\"=x]", 13, &n, &refs));
	const char eleven[] = "a [label=x] b [label=x] c [label=x] d [label=x] e [label=x] "
			      "f [label=x] g [label=x] h [label=x] i [label=x] j [label=x] "
			      "k [label=x]"; /* "[pdref=10]" is longer than "[label=x]" */
	o = pd_prepass_refs(eleven, 10 * 12 + 11, &n, &refs);
	assert_null(o);
	/* Ten references were recorded before the eleventh failed: a refusal frees them
	 * and leaves refs empty (the caller may reuse it). */
	assert_null(refs.ref);
	assert_int_equal(refs.n, 0);
	assert_int_equal(refs.cap, 0);
	o = pd_prepass_refs(eleven, 10 * 12 - 1, &n, &refs);
	assert_non_null(o);
	assert_int_equal(refs.n, 10);
	free(o);
	free(refs.ref);
	pd_buf_fini(&scratch);
	assert_null(pd_prepass("a [b=<x>]", 9, &n));
	assert_null(pd_prepass("a [b=\"x]", 8, &n));
	assert_null(pd_prepass("a [b]", 5, &n));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prepass_output),
		cmocka_unit_test(test_edge_cases),
		cmocka_unit_test(test_reference_cases),
		cmocka_unit_test(test_fixtures_and_samples),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
