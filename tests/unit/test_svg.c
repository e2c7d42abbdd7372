/* Unit tests for SVG rendering (src/report/svg.c) of the diff graph: the node-count
 * guard, the canvas against the drawing, graphviz's messages captured. */
#include "graph_fixture.h"

/* The node-count guard: the check counts what pd_diff_dot would draw; the renderer
 * refuses a bigger DOT before laying it out. */
static void test_svg_node_guard(void **state)
{
	(void)state;
	pd_diff d;
	memset(&d, 0, sizeof d);
	pd_error err = {0};
	d.nrows = PD_SVG_MAX_NODES + 1;
	assert_int_equal(pd_diff_svg_check(&d, PD_SVG_MAX_NODES, &err), PD_OK);
	assert_int_equal(pd_diff_svg_check(&d, 80, &err), PD_OK);
	assert_int_equal(pd_diff_svg_check(&d, 0, &err), PD_EUSAGE);
	assert_non_null(strstr(err.msg, "1001 nodes"));
	assert_non_null(strstr(err.msg, "--nodes"));
	assert_non_null(strstr(err.msg, "--focus"));
	assert_int_equal(pd_diff_svg_check(&d, PD_SVG_MAX_NODES + 1, &err), PD_EUSAGE);
	d.nrows = PD_SVG_MAX_NODES;
	assert_int_equal(pd_diff_svg_check(&d, 0, &err), PD_OK);

	pd_buf dot, svg;
	pd_buf_init(&dot, 0);
	pd_buf_init(&svg, 0);
	pd_buf_puts(&dot, "digraph { legend\n");
	for (int i = 0; i <= PD_SVG_MAX_NODES; i++)
		pd_buf_printf(&dot, "n%d -> n%d\n", i, (i + 1) % (PD_SVG_MAX_NODES + 1));
	pd_buf_puts(&dot, "}\n");
	memset(&err, 0, sizeof err);
	off_t printed;
	assert_int_equal(render_capturing(dot.data, &svg, &err, &printed), PD_EUSAGE);
	assert_int_equal(printed, 0);
	assert_non_null(strstr(err.msg, "1001 nodes"));
	assert_int_equal(svg.len, 0);
	pd_buf_fini(&dot);
	pd_buf_fini(&svg);
}

/* Bounding box of what a graphviz SVG draws (polygons and paths, the background
 * polygon excluded), in SVG units; and of the legend's box. */
static void svg_boxes(const char *svg, double box[4], double legend[4])
{
	box[0] = box[1] = 1e9;
	box[2] = box[3] = -1e9;
	legend[0] = legend[1] = 1e9;
	legend[2] = legend[3] = -1e9;
	const char *p = strstr(svg, "<g id=\"clust");
	assert_non_null(p);
	const char *leg = strstr(svg, "<title>legend</title>");
	assert_non_null(leg);
	while ((p = strpbrk(p, "pd")) != NULL) {
		bool pts = strncmp(p, "points=\"", 8) == 0;
		if (!pts && (strncmp(p, "d=\"", 3) != 0 || p[-1] != ' ')) { /* not id="..." */
			p++;
			continue;
		}
		bool in_legend = p > leg && p < strstr(leg, "</g>");
		p = strchr(p, '"') + 1;
		const char *end = strchr(p, '"');
		double xy[2];
		int k = 0;
		while (p < end) {
			char *q;
			double v = strtod(p, &q);
			if (q == p) {
				p++;
				continue;
			}
			p = q;
			xy[k++] = v;
			if (k < 2)
				continue;
			k = 0;
			double *bx[2] = {box, in_legend ? legend : NULL};
			for (int j = 0; j < 2; j++) {
				if (!bx[j])
					continue;
				bx[j][0] = xy[0] < bx[j][0] ? xy[0] : bx[j][0];
				bx[j][1] = xy[1] < bx[j][1] ? xy[1] : bx[j][1];
				bx[j][2] = xy[0] > bx[j][2] ? xy[0] : bx[j][2];
				bx[j][3] = xy[1] > bx[j][3] ? xy[1] : bx[j][3];
			}
		}
	}
}

/* The canvas is the drawing's size (plus graphviz's 4-point pad), and the legend,
 * with two long warnings, stays narrow. */
static void test_svg_canvas_fits_drawing(void **state)
{
	(void)state;
	fixture f;
	budget_fixture(&f);
	f.d.base.trimmed = f.d.head.trimmed = true;
	f.d.base.dropped_nodes = 41;
	f.d.head.dropped_nodes = 48;
	pd_buf b, svg;
	pd_error err = {0};
	const char *dot = dot_of(&f.d, 0, &b);
	pd_buf_init(&svg, 0);
	assert_int_equal(pd_render_svg(dot, strlen(dot), &svg, &err), PD_OK);
	double w, h, box[4], legend[4];
	const char *tag = strstr(svg.data, "<svg width=\"");
	assert_non_null(tag);
	assert_int_equal(sscanf(tag, "<svg width=\"%lfpt\" height=\"%lfpt\"", &w, &h), 2);
	svg_boxes(svg.data, box, legend);
	double bw = box[2] - box[0], bh = box[3] - box[1];
	/* Edge label text may stick out of the polygons and paths a little. */
	assert_true(w >= bw && w <= bw + 8 + 0.05 * w);
	assert_true(h >= bh && h <= bh + 8 + 0.05 * h);
	/* 60 columns of 16-point text: under 600 points (the unwrapped one was 1380). */
	assert_true(legend[2] - legend[0] < 600);
	pd_buf_fini(&svg);
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
		cmocka_unit_test(test_svg_node_guard),
		cmocka_unit_test(test_svg_canvas_fits_drawing),
		cmocka_unit_test(test_render_errors_are_captured),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
