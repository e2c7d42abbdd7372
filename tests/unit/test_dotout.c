/* Unit tests for the diff graph (src/report/dotout.c): escaping round-trips through
 * libcgraph and renders without a graphviz message, the node budget keeps the top
 * changes and their connector, the legend (wrapped, counts, the percentages' name),
 * labels, emphasis and fading, colors. SVG rendering: test_svg.c. */
#include "graph_fixture.h"

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


/* The legend's label text: its lines (split at \\l, continuation indents dropped, DOT
 * escapes undone) joined with spaces into *joined; returns the widest line in columns
 * (code points). */
static size_t legend_lines(const char *dot, char **joined)
{
	const char *start = strstr(dot, "\"legend\" [shape=box fontsize=16 label=\"");
	assert_non_null(start);
	start = strchr(start, '=') + 1;
	start = strstr(start, "label=\"") + 7;
	const char *end = strstr(start, "\" tooltip=\"profdiff\"");
	assert_non_null(end);
	char *text = strndup(start, (size_t)(end - start));
	char *out = calloc(strlen(text) + 2, 1);
	size_t widest = 0;
	for (char *line = text, *next; line && *line; line = next) {
		next = strstr(line, "\\l");
		assert_non_null(next); /* every line ends with \l */
		*next = '\0';
		next += 2;
		unescape(line);
		size_t cols = 0;
		for (const unsigned char *p = (const unsigned char *)line; *p; p++)
			cols += (*p & 0xc0) != 0x80;
		if (cols > widest)
			widest = cols;
		const char *nb = "\xc2\xa0";
		bool cont = strncmp(line, nb, 2) == 0;
		while (strncmp(line, nb, 2) == 0)
			line += 2;
		if (*out)
			strcat(out, cont ? " " : "\n");
		strcat(out, line);
	}
	free(text);
	*joined = out;
	return widest;
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

/* Long warnings and values wrap: no legend line over 60 columns, nothing lost. */
static void test_legend_wraps(void **state)
{
	(void)state;
	fixture f;
	setup(&f);
	add_row(&f, "main.a", PD_ROW_CHANGED, 0, 0, 100 * MS, 100 * MS);
	f.d.base.trimmed = f.d.head.trimmed = true;
	f.d.base.dropped_nodes = 41;
	f.d.head.dropped_nodes = 48;
	char path[201];
	memset(path, 'p', 200);
	path[200] = '\0';
	f.d.base.source = path; /* no space to wrap at: cut anywhere */
	f.d.opts.focus = "^(main|runtime)\\. or a regex with spaces in it that is long enough";
	pd_buf b;
	char *text;
	const char *dot = dot_of(&f.d, 0, &b);
	assert_true(legend_lines(dot, &text) <= 60);
	/* Continuation lines are joined back with a space, so the words survive whole. */
	assert_non_null(strstr(text, "warning: the base input is trimmed (dropped 41 nodes"));
	assert_non_null(strstr(text, "regex with spaces in it that is long enough"));
	size_t run = 0, best = 0;
	for (const char *p = text; *p; p++) {
		run = *p == 'p' ? run + 1 : 0;
		best = run > best ? run : best;
	}
	assert_int_equal(best, 60 - 4); /* "base: " + 54, then indent + 56 per line */
	/* The percentage's name and meaning, next to the report's. */
	assert_non_null(strstr(text, "% of base total: a change divided by the base total (10s)"));
	assert_non_null(strstr(text, "not the text report's \xce\x94% (of the function's own base)"));
	render_quietly(dot);
	free(text);
	pd_buf_fini(&b);
}

/* Every percentage in a node label carries its name; no edge is labelled 0. */
static void test_percentages_named_no_zero_labels(void **state)
{
	(void)state;
	fixture f;
	budget_fixture(&f);
	add_edge(&f, 2, 3, 20 * MS, 20 * MS); /* C -> E unchanged */
	f.edges[4].inlined = true;
	pd_buf b;
	const char *dot = dot_of(&f.d, 0, &b);
	size_t pcts = 0;
	for (const char *line = dot; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		const char *eol = strchr(line, '\n');
		if (line[0] != 'N' || !strstr(line, " [label=") || strstr(line, " -> ") < eol)
			continue; /* node lines only */
		for (const char *p = line; (p = strchr(p, '%')) != NULL && p < eol; p++) {
			assert_int_equal(strncmp(p, "% of base total)", 16), 0);
			pcts++;
		}
	}
	assert_int_equal(pcts, 2 * 6); /* flat and cum of six nodes */
	/* Edge labels are signed ("+1ms"); "0" alone, or before "(inline)", is the bug. */
	assert_null(strstr(dot, "label=\" 0\""));
	assert_null(strstr(dot, "label=\" 0\\n"));
	assert_non_null(strstr(dot, "N3 -> N4 [color=\"#b2b2b2\" penwidth=0.5"));
	pd_buf_fini(&b);
}

/* The largest changes get the thickest borders; context below the color threshold
 * fades to grey text whatever its rank. */
static void test_emphasis_and_fading(void **state)
{
	(void)state;
	fixture f;
	budget_fixture(&f); /* A 100, B -90, C 80, E 50, F 40, D 1 (ms, of a 10s total) */
	pd_buf b;
	const char *dot = dot_of(&f.d, 0, &b);
	const char *want[][2] = {
		{"A", "penwidth=3]"}, {"B", "penwidth=3]"}, {"E", "penwidth=3]"},
		{"F", "penwidth=2]"}, {"D", "fontcolor=\"#767676\"]"},
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		char tip[32];
		snprintf(tip, sizeof tip, "tooltip=\"%s (", want[i][0]);
		const char *node = strstr(dot, tip);
		assert_non_null(node);
		const char *eol = strchr(node, '\n');
		const char *attr = strstr(node, want[i][1]);
		assert_true(attr && attr < eol);
	}
	/* Fading comes from the one color mapping: grey there, grey here. */
	char fg[8];
	pd_color_hex(1.0 / 10000.0, false, fg);
	assert_string_equal(fg, "#b2b2b2");
	const char *d_node = strstr(dot, "tooltip=\"D (");
	const char *d_pen = strstr(d_node, "penwidth");
	assert_true(!d_pen || d_pen > strchr(d_node, '\n'));
	/* Font size still grows with the change: A 24, D small. */
	assert_non_null(strstr(dot, "id=\"node1\" fontsize=24"));
	pd_buf_fini(&b);
}

/* A chain of n rows, row i changed by (n - i) ms, each calling the next. */
static void chain(pd_diff *d, size_t n, pd_diff_row *rows, pd_diff_edge *edges, char (*names)[24])
{
	fixture f;
	setup(&f);
	*d = f.d;
	d->rows = rows;
	d->edges = edges;
	d->nrows = n;
	d->nedges = n - 1;
	for (size_t i = 0; i < n; i++) {
		snprintf(names[i], sizeof names[i], "f%zu", i);
		int64_t v = (int64_t)(n - i) * MS;
		rows[i] = (pd_diff_row){.name = names[i], .short_name = names[i],
					.status = PD_ROW_CHANGED, .in_base = true, .in_new = true,
					.head = {v, v}, .delta = {v, v}};
		rows[i].delta_min = rows[i].delta_max = rows[i].delta;
		if (i + 1 < n)
			edges[i] = (pd_diff_edge){.from = i, .to = i + 1, .head = v, .delta = v,
						  .in_base = true, .in_new = true};
	}
}

/* Above 250 nodes edge labels become xlabels (placed after the layout). */
static void test_big_graphs_use_xlabels(void **state)
{
	(void)state;
	enum { N = 251 };
	pd_diff d;
	pd_diff_row *rows = calloc(N, sizeof *rows);
	pd_diff_edge *edges = calloc(N, sizeof *edges);
	char (*names)[24] = calloc(N, sizeof *names);
	chain(&d, N, rows, edges, names);
	pd_buf b;
	const char *dot = dot_of(&d, 250, &b);
	assert_non_null(strstr(dot, "N1 -> N2 [label=\" +251ms\""));
	assert_null(strstr(dot, "xlabel="));
	pd_buf_fini(&b);
	dot = dot_of(&d, 0, &b);
	assert_non_null(strstr(dot, "N1 -> N2 [xlabel=\" +251ms\""));
	assert_null(strstr(dot, "[label=\" ")); /* edge labels start with a space */
	pd_buf_fini(&b);
	free(rows);
	free(edges);
	free(names);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escaping_round_trip),
		cmocka_unit_test(test_unprintable_bytes_become_visible),
		cmocka_unit_test(test_huge_names_are_cut),
		cmocka_unit_test(test_nodes_edges_legend),
		cmocka_unit_test(test_budget_keeps_top_changes_and_connector),
		cmocka_unit_test(test_legend_wraps),
		cmocka_unit_test(test_percentages_named_no_zero_labels),
		cmocka_unit_test(test_emphasis_and_fading),
		cmocka_unit_test(test_big_graphs_use_xlabels),
		cmocka_unit_test(test_ties_by_name_and_determinism),
		cmocka_unit_test(test_empty_and_failures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
