/* Unit tests for the diff graph (src/dotout.c) and SVG rendering (src/svg.c): escaping
 * round-trips through libcgraph and renders without a graphviz message, the node
 * budget keeps the top changes and their connector, legend counts, styles, colors. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <graphviz/cgraph.h>

#include "profdiff/profdiff.h"

#define MS 1000000LL

typedef struct fixture {
	pd_diff d;
	pd_diff_row rows[8];
	pd_diff_edge edges[8];
} fixture;

static void add_row(fixture *f, const char *name, pd_row_status st, int64_t bflat, int64_t bcum,
		    int64_t nflat, int64_t ncum)
{
	pd_diff_row *r = &f->rows[f->d.nrows++];
	memset(r, 0, sizeof *r);
	r->name = name;
	r->short_name = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
	r->status = st;
	r->in_base = st != PD_ROW_NEW;
	r->in_new = st != PD_ROW_REMOVED;
	r->base = (pd_vals){bflat, bcum};
	r->head = (pd_vals){nflat, ncum};
	r->delta = (pd_vals){nflat - bflat, ncum - bcum};
	r->delta_min = r->delta_max = r->delta;
}

static void add_edge(fixture *f, size_t from, size_t to, int64_t base, int64_t new)
{
	pd_diff_edge *e = &f->edges[f->d.nedges++];
	memset(e, 0, sizeof *e);
	*e = (pd_diff_edge){.from = from, .to = to, .base = base, .head = new, .delta = new - base,
			    .in_base = true, .in_new = true};
}

static void setup(fixture *f)
{
	memset(f, 0, sizeof *f);
	pd_diff *d = &f->d;
	d->base.source = "base.dot";
	d->head.source = "new.dot";
	d->base.type = d->head.type = "cpu";
	d->unit = PD_UNIT_NANOS;
	d->scale = 1.0;
	d->base_total = 10000 * MS;
	d->new_total = 11000 * MS;
	d->rows = f->rows;
	d->edges = f->edges;
}

static char *dot_of(const pd_diff *d, size_t max_nodes, pd_buf *b)
{
	pd_error err;
	pd_buf_init(b, 0);
	assert_int_equal(pd_diff_dot(d, max_nodes, b, &err), PD_OK);
	assert_non_null(b->data);
	return b->data;
}

/* pd_render_svg with stderr redirected to a file; *printed gets how many bytes graphviz
 * wrote there. */
static pd_status render_capturing(const char *dot, pd_buf *svg, pd_error *err, off_t *printed)
{
	char path[] = "/tmp/pd_test_dotout_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	fflush(stderr);
	int saved = dup(2);
	dup2(fd, 2);
	pd_status st = pd_render_svg(dot, strlen(dot), svg, err);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	*printed = lseek(fd, 0, SEEK_END);
	close(fd);
	unlink(path);
	return st;
}

/* Renders in-process and checks that graphviz printed nothing and produced an SVG. */
static void render_quietly(const char *dot)
{
	pd_buf svg;
	pd_error err = {0};
	pd_buf_init(&svg, 0);
	off_t size;
	pd_status st = render_capturing(dot, &svg, &err, &size);
	if (st != PD_OK)
		fail_msg("render failed: %s", err.msg);
	assert_int_equal(size, 0);
	assert_non_null(strstr(svg.data, "<svg"));
	/* No raw control bytes may reach the XML. */
	for (const char *p = svg.data; *p; p++)
		assert_true((unsigned char)*p >= 0x20 || *p == '\n' || *p == '\t' || *p == '\r');
	pd_buf_fini(&svg);
}

/* DOT's unescaping of our strings: \\ -> \, \" -> ", \n -> newline. */
static void unescape(char *s)
{
	char *w = s;
	for (const char *p = s; *p; p++) {
		if (*p == '\\' && (p[1] == '\\' || p[1] == '"')) {
			*w++ = *++p;
		} else if (*p == '\\' && p[1] == 'n') {
			*w++ = '\n';
			p++;
		} else {
			*w++ = *p;
		}
	}
	*w = '\0';
}

static const char *const nasty[] = {
	"say \"hi\"\\there",
	"ends with a backslash\\",
	"line1\nline2 {braces} [brackets] <angles> |pipe| &amp; &foo; $x",
	"\\N\\G\\L \\\" \\\\\"\" label=x ] ; digraph",
	"std::function<void (int)>::operator()",
	"caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x94\xa5",
};

static void test_escaping_round_trip(void **state)
{
	(void)state;
	fixture f;
	setup(&f);
	size_t n = sizeof nasty / sizeof nasty[0];
	for (size_t i = 0; i < n; i++)
		add_row(&f, nasty[i], PD_ROW_CHANGED, 100 * MS, 200 * MS,
			(int64_t)(n - i) * 300 * MS, 900 * MS);
	for (size_t i = 0; i + 1 < n; i++)
		add_edge(&f, i, i + 1, 10 * MS, 50 * MS);
	pd_buf b;
	const char *dot = dot_of(&f.d, 0, &b);

	Agraph_t *g = agmemread(dot);
	assert_non_null(g);
	assert_int_equal(agnnodes(g), (int)n + 1); /* + legend */
	assert_int_equal(agnedges(g), (int)n - 1);
	for (size_t i = 0; i < n; i++) {
		char id[16];
		snprintf(id, sizeof id, "N%zu", i + 1);
		Agnode_t *node = agnode(g, id, 0);
		assert_non_null(node);
		char k_tip[] = "tooltip", k_label[] = "label";
		char *tip = strdup(agget(node, k_tip));
		char *label = strdup(agget(node, k_label));
		unescape(tip);
		unescape(label);
		/* tooltip = full name + " (status Δcum)"; label starts with the name. */
		char *cut = strrchr(tip, '(');
		assert_non_null(cut);
		cut[-1] = '\0';
		assert_string_equal(tip, nasty[i]);
		assert_int_equal(strncmp(label, nasty[i], strlen(nasty[i])), 0);
		assert_int_equal(label[strlen(nasty[i])], '\n');
		free(tip);
		free(label);
	}
	agclose(g);
	render_quietly(dot);
	pd_buf_fini(&b);
}

static void test_unprintable_bytes_become_visible(void **state)
{
	(void)state;
	fixture f;
	setup(&f);
	add_row(&f, "ctl\x01\t\r\x7f bad\xff\xc3( \xed\xa0\x80 \xef\xbf\xbe over\xc0\xaf", PD_ROW_NEW,
		0, 0, 100 * MS, 100 * MS);
	pd_buf b;
	const char *dot = dot_of(&f.d, 0, &b);
	assert_non_null(strstr(dot, "tooltip=\"ctl\\\\x01\\\\x09\\\\x0d\\\\x7f bad\\\\xff\\\\xc3( "
				    "\\\\xed\\\\xa0\\\\x80 \\\\xef\\\\xbf\\\\xbe over\\\\xc0\\\\xaf (new +100ms)\""));
	render_quietly(dot);
	pd_buf_fini(&b);
}

/* graphviz caps quoted strings at 16384 bytes: long names are cut with an ellipsis. */
static void test_huge_names_are_cut(void **state)
{
	(void)state;
	fixture f;
	setup(&f);
	char *huge = malloc(40001), *path = malloc(5001);
	for (size_t i = 0; i < 40000; i += 2)
		memcpy(huge + i, "\xc3\xa9", 2); /* é: the cut must not split it */
	huge[40000] = '\0';
	memset(path, '/', 5000);
	path[5000] = '\0';
	add_row(&f, huge, PD_ROW_CHANGED, 0, 0, 10 * MS, 10 * MS);
	add_row(&f, "\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"", PD_ROW_CHANGED, 0, 0, 5 * MS, 5 * MS);
	add_edge(&f, 0, 1, 0, 1 * MS);
	add_edge(&f, 1, 0, 0, 1 * MS);
	f.d.base.source = f.d.head.source = f.d.opts.focus = f.d.opts.ignore = path;
	pd_buf b;
	const char *dot = dot_of(&f.d, 0, &b);
	assert_non_null(strstr(dot, "\xc3\xa9\xe2\x80\xa6 (changed +10ms)\""));
	assert_true(strlen(dot) < 40000);
	render_quietly(dot);
	pd_buf_fini(&b);
	free(huge);
	free(path);
}

static void test_nodes_edges_legend(void **state)
{
	(void)state;
	fixture f;
	setup(&f);
	add_row(&f, "example.com/x/main.parse", PD_ROW_CHANGED, 1000 * MS, 2000 * MS, 2200 * MS,
		3300 * MS);
	add_row(&f, "main.old", PD_ROW_REMOVED, 500 * MS, 500 * MS, 0, 0);
	add_row(&f, "main.fresh", PD_ROW_NEW, 0, 0, 300 * MS, 300 * MS);
	add_row(&f, "main.gone", PD_ROW_HIDDEN, 500 * MS, 500 * MS, 0, 0);
	f.rows[3].in_new = false;
	f.rows[3].delta_min = (pd_vals){-500 * MS, -500 * MS};
	f.rows[3].delta = f.rows[3].delta_max = (pd_vals){-470 * MS, -470 * MS};
	add_row(&f, "main.same", PD_ROW_UNCHANGED, 0, 100 * MS, 0, 100 * MS);
	add_edge(&f, 0, 2, 0, 300 * MS);
	f.edges[0].in_base = false;
	add_edge(&f, 0, 1, 500 * MS, 0);
	f.edges[1].residual = true;
	f.edges[1].inlined = true;
	add_edge(&f, 4, 0, 100 * MS, 100 * MS);
	pd_buf b;
	const char *dot = dot_of(&f.d, 0, &b);

	assert_int_equal(strncmp(dot, "digraph \"profdiff\" {\n", 21), 0);
	char want[512];
	char fg[8], bg[8];
	pd_color_hex(0.13, false, fg); /* Δcum +1.3s over the 10s base total */
	pd_color_hex(0.13, true, bg);
	snprintf(want, sizeof want,
		 "N1 [label=\"main.parse\\nflat 1s \xe2\x86\x92 2.20s (+1.20s, +12.00%% of base total)"
		 "\\ncum 2s \xe2\x86\x92 3.30s (+1.30s, +13.00%% of base total)\" id=\"node1\" "
		 "fontsize=24 shape=box tooltip=\"example.com/x/main.parse (changed +1.30s)\" "
		 "color=\"%s\" fillcolor=\"%s\" penwidth=3]\n",
		 fg, bg);
	assert_non_null(strstr(dot, want));
	assert_non_null(strstr(dot, "N2 [label=\"main.old\\nflat 500ms \xe2\x86\x92 0 (-500ms, -5.00% of base total)"));
	assert_non_null(strstr(dot, "tooltip=\"main.old (removed -500ms)\" color=\"#a0b285\" "
				    "fillcolor=\"#eaede7\" penwidth=2 style=\"filled,dashed\"]\n"));
	assert_non_null(strstr(dot, "(new +300ms)\" color=\"#b2a997\" fillcolor=\"#edebe9\" "
				    "peripheries=2]\n"));
	assert_non_null(strstr(dot, "N4 [label=\"? main.gone\\nflat 500ms \xe2\x86\x92 ? "
				    "(-500ms..-470ms, -5.00%..-4.70% of base total)"));
	assert_non_null(strstr(dot, "style=\"filled,dotted\"]\n"));
	assert_non_null(strstr(dot, "N5 [label=\"main.same\\nflat 0 \xe2\x86\x92 0 (0, +0.00% of base total)"));
	/* Unchanged context: the mapping's grey, grey text, no emphasis. */
	assert_non_null(strstr(dot, "fontsize=8 shape=box tooltip=\"main.same (unchanged 0)\" "
				    "color=\"#b2b2b2\" fillcolor=\"#ededed\" fontcolor=\"#767676\"]\n"));
	/* Edges in d->edges order, signed labels, pprof weight/penwidth, residual dotted. */
	assert_non_null(strstr(dot, "N1 -> N3 [label=\" +300ms\" weight=4 color=\"#b2a997\" "
				    "tooltip=\"example.com/x/main.parse -> main.fresh (+300ms)\""));
	assert_non_null(strstr(dot, "N1 -> N2 [label=\" -500ms\\n (inline)\" weight=6 "
				    "color=\"#a0b285\" tooltip=\"example.com/x/main.parse ... main.old "
				    "(-500ms)\""));
	assert_non_null(strstr(dot, "(-500ms)\" style=\"dotted\"]\n"));
	/* An unchanged edge: no label, faded, its weight in the tooltip. */
	assert_non_null(strstr(dot, "N5 -> N1 [color=\"#b2b2b2\" penwidth=0.5 fontcolor=\"#767676\" "
				    "tooltip=\"main.same -> example.com/x/main.parse (unchanged, 100ms)\""));
	/* Legend: inputs, totals, net change, normalization, counts. */
	assert_non_null(strstr(dot, "subgraph cluster_L { \"legend\" [shape=box fontsize=16 "
				    "label=\"profdiff: new - base\\lbase: base.dot\\lnew: new.dot\\l"
				    "type: cpu\\ltotal: 10s \xe2\x86\x92 11s\\lnet change: +1s "
				    "(+10.00%)\\lnormalize: none\\lgranularity: function\\l"));
	assert_non_null(strstr(dot, "\\lshowing all 5 functions\\l"));
	assert_true(dot[strlen(dot) - 2] == '}');
	render_quietly(dot);
	pd_buf_fini(&b);
}

/* Rows A..F ranked by change; D changes little but sits between A and B. */
static void budget_fixture(fixture *f)
{
	setup(f);
	add_row(f, "A", PD_ROW_CHANGED, 0, 0, 100 * MS, 100 * MS);
	add_row(f, "B", PD_ROW_CHANGED, 0, 0, 0, -90 * MS);
	add_row(f, "C", PD_ROW_CHANGED, 0, 0, 80 * MS, 80 * MS);
	add_row(f, "E", PD_ROW_CHANGED, 0, 0, 50 * MS, 50 * MS);
	add_row(f, "F", PD_ROW_CHANGED, 0, 0, 40 * MS, 40 * MS);
	add_row(f, "D", PD_ROW_CHANGED, 0, 0, 1 * MS, 1 * MS);
	add_edge(f, 0, 5, 0, 1 * MS);  /* A -> D */
	add_edge(f, 5, 1, 0, 1 * MS);  /* D -> B */
	add_edge(f, 3, 0, 0, 5 * MS);  /* E -> A: touches one core node only */
	add_edge(f, 0, 2, 0, 7 * MS);  /* A -> C */
}

static bool has_node(const char *dot, const char *name)
{
	char want[64];
	snprintf(want, sizeof want, "tooltip=\"%s (", name);
	return strstr(dot, want) != NULL;
}

static void test_budget_keeps_top_changes_and_connector(void **state)
{
	(void)state;
	fixture f;
	budget_fixture(&f);
	pd_buf b;
	/* Budget 4: core = 3 (A, B, C), reserve 1: D links A and B, E only A. */
	const char *dot = dot_of(&f.d, 4, &b);
	assert_true(has_node(dot, "A") && has_node(dot, "B") && has_node(dot, "C"));
	assert_true(has_node(dot, "D"));
	assert_false(has_node(dot, "E") || has_node(dot, "F"));
	assert_non_null(strstr(dot, "showing 4 of 6 functions: 2 left out (node budget 4)"));
	/* Ids follow the ranked rows: A N1, B N2, C N3, D N4; no edge to a dropped node. */
	assert_non_null(strstr(dot, "N1 -> N4 ["));
	assert_non_null(strstr(dot, "N4 -> N2 ["));
	assert_non_null(strstr(dot, "N1 -> N3 ["));
	assert_null(strstr(dot, "N5"));
	assert_null(strstr(dot, "-> N1 ["));
	render_quietly(dot);
	pd_buf_fini(&b);

	/* Budget 5: core 4 (A, B, C, E), reserve 1 for D. */
	dot = dot_of(&f.d, 5, &b);
	assert_true(has_node(dot, "D") && has_node(dot, "E"));
	assert_false(has_node(dot, "F"));
	assert_non_null(strstr(dot, "showing 5 of 6 functions: 1 left out (node budget 5)"));
	pd_buf_fini(&b);

	/* Without a connector the reserve goes to the next largest change. */
	f.d.nedges = 0;
	dot = dot_of(&f.d, 4, &b);
	assert_true(has_node(dot, "E"));
	assert_false(has_node(dot, "D") || has_node(dot, "F"));
	pd_buf_fini(&b);

	/* 0 = no budget; a budget >= rows keeps everything. */
	for (size_t max = 0; max <= 6; max += 6) {
		dot = dot_of(&f.d, max, &b);
		assert_non_null(strstr(dot, "showing all 6 functions"));
		assert_non_null(strstr(dot, "N6 ["));
		pd_buf_fini(&b);
	}
}

static void test_ties_by_name_and_determinism(void **state)
{
	(void)state;
	fixture f;
	setup(&f);
	add_row(&f, "zeta", PD_ROW_CHANGED, 0, 0, 10 * MS, 10 * MS);
	add_row(&f, "alpha", PD_ROW_CHANGED, 0, 0, -10 * MS, -10 * MS);
	add_row(&f, "mid", PD_ROW_CHANGED, 0, 0, 0, 10 * MS); /* same magnitude via cum */
	pd_buf a, b;
	dot_of(&f.d, 1, &a);
	assert_true(has_node(a.data, "alpha"));
	assert_false(has_node(a.data, "zeta") || has_node(a.data, "mid"));
	dot_of(&f.d, 1, &b);
	assert_string_equal(a.data, b.data);
	pd_buf_fini(&a);
	pd_buf_fini(&b);
}

static void test_empty_and_failures(void **state)
{
	(void)state;
	fixture f;
	setup(&f);
	pd_buf b;
	const char *dot = dot_of(&f.d, 80, &b);
	assert_non_null(strstr(dot, "showing all 0 functions"));
	render_quietly(dot);
	pd_buf_fini(&b);

	budget_fixture(&f);
	pd_error err = {0};
	pd_buf_init(&b, 100);
	assert_int_equal(pd_diff_dot(&f.d, 0, &b, &err), PD_EINTERNAL);
	assert_int_equal(err.code, PD_EINTERNAL);
	pd_buf_fini(&b);
}

static void test_render_errors_are_captured(void **state)
{
	(void)state;
	const char *bad[] = {"digraph {", "not a graph at all", "", "digraph { a -> b [label=\"x]; }"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		pd_buf svg;
		pd_error err = {0};
		pd_buf_init(&svg, 0);
		off_t size;
		pd_status st = render_capturing(bad[i], &svg, &err, &size);
		assert_int_equal(st, PD_EINTERNAL);
		assert_int_equal(size, 0);
		assert_true(strlen(err.msg) > 12);
		assert_null(strchr(err.msg, '\n'));
		pd_buf_fini(&svg);
	}
	/* A good graph renders after the failures (no stale parser or error state). */
	render_quietly("digraph { a -> b }");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escaping_round_trip),
		cmocka_unit_test(test_unprintable_bytes_become_visible),
		cmocka_unit_test(test_huge_names_are_cut),
		cmocka_unit_test(test_nodes_edges_legend),
		cmocka_unit_test(test_budget_keeps_top_changes_and_connector),
		cmocka_unit_test(test_ties_by_name_and_determinism),
		cmocka_unit_test(test_empty_and_failures),
		cmocka_unit_test(test_render_errors_are_captured),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
