/* Phase timing driver: runs profdiff's pipeline one library call at a time and prints
 * each phase's median wall time over R repetitions (clock_gettime, CLOCK_MONOTONIC) as
 * "phase <name> <median_s> <min_s> <max_s>" lines. Reads are from the page cache.
 * Usage: phases BASE.dot NEW.dot [R] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "parse/parse.h"
#include "profdiff/profdiff.h"
#include "table/table.h"

enum { P_READ, P_PARSE_BASE, P_PARSE_NEW, P_TABLES, P_DIFF, P_TEXT, P_JSON, P_MD, P_DOT,
       P_DOT_ALL, P_SVG, P_FREE, P_COUNT };
static const char *const names[P_COUNT] = {
	[P_READ] = "read_files", [P_PARSE_BASE] = "parse_base", [P_PARSE_NEW] = "parse_new",
	[P_TABLES] = "table_build_x2", [P_DIFF] = "diff_new", [P_TEXT] = "report_text",
	[P_JSON] = "report_json", [P_MD] = "report_markdown", [P_DOT] = "diff_dot_80",
	[P_DOT_ALL] = "diff_dot_all", [P_SVG] = "render_svg_80", [P_FREE] = "free_all"};

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void die(const char *what, const pd_error *e)
{
	fprintf(stderr, "phases: %s: %s\n", what, e->msg);
	exit(1);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: phases BASE.dot NEW.dot [REPS]\n");
		return 2;
	}
	int reps = argc > 3 ? atoi(argv[3]) : 3;
	if (reps < 1)
		reps = 1;
	double *t = calloc((size_t)reps * P_COUNT, sizeof *t);
	pd_error err = {0};
	const char *fl = getenv("PD_PARSE_FLAGS");
	unsigned flags = fl ? (unsigned)strtoul(fl, NULL, 0) : 0;
	for (int r = 0; r < reps; r++) {
		double *tr = t + (size_t)r * P_COUNT, t0 = now();
		pd_buf in[2];
		for (int i = 0; i < 2; i++) {
			pd_buf_init(&in[i], 0);
			if (pd_read_file(argv[1 + i], &in[i], &err))
				die("read", &err);
		}
		tr[P_READ] = now() - t0;
		pd_profile *bp, *np;
		t0 = now();
		if (pd_profile_parse_flags(argv[1], in[0].data, in[0].len, flags, &bp, &err))
			die("parse base", &err);
		tr[P_PARSE_BASE] = now() - t0;
		t0 = now();
		if (pd_profile_parse_flags(argv[2], in[1].data, in[1].len, flags, &np, &err))
			die("parse new", &err);
		tr[P_PARSE_NEW] = now() - t0;
		/* The tables are built again inside pd_diff_new; timed alone here. */
		pd_table tb, tn;
		t0 = now();
		if (pd_table_build(bp, false, PD_GRAN_FUNCTION, &tb, &err) ||
		    pd_table_build(np, false, PD_GRAN_FUNCTION, &tn, &err))
			die("table", &err);
		tr[P_TABLES] = now() - t0;
		pd_table_fini(&tb);
		pd_table_fini(&tn);
		pd_diff_opts o;
		pd_diff_opts_init(&o);
		pd_diff *d;
		t0 = now();
		if (pd_diff_new(bp, np, &o, &d, &err))
			die("diff", &err);
		tr[P_DIFF] = now() - t0;
		pd_report_opts ro = {.top = 20, .color = false};
		pd_buf out[6];
		for (int i = 0; i < 6; i++)
			pd_buf_init(&out[i], 0);
		t0 = now();
		if (pd_report_text(d, &ro, &out[0], &err))
			die("text", &err);
		tr[P_TEXT] = now() - t0;
		t0 = now();
		if (pd_report_json(d, &ro, &out[1], &err))
			die("json", &err);
		tr[P_JSON] = now() - t0;
		t0 = now();
		if (pd_report_markdown(d, &ro, &out[2], &err))
			die("markdown", &err);
		tr[P_MD] = now() - t0;
		t0 = now();
		if (pd_diff_dot(d, 80, &out[3], &err))
			die("dot", &err);
		tr[P_DOT] = now() - t0;
		t0 = now();
		if (pd_diff_dot(d, 0, &out[4], &err))
			die("dot all", &err);
		tr[P_DOT_ALL] = now() - t0;
		t0 = now();
		if (pd_render_svg(out[3].data, out[3].len, &out[5], &err))
			die("svg", &err);
		tr[P_SVG] = now() - t0;
		t0 = now();
		for (int i = 0; i < 6; i++)
			pd_buf_fini(&out[i]);
		pd_diff_free(d);
		pd_profile_free(np);
		pd_profile_free(bp);
		pd_buf_fini(&in[0]);
		pd_buf_fini(&in[1]);
		tr[P_FREE] = now() - t0;
	}
	double *col = malloc((size_t)reps * sizeof *col);
	for (int p = 0; p < P_COUNT; p++) {
		for (int r = 0; r < reps; r++)
			col[r] = t[(size_t)r * P_COUNT + p];
		qsort(col, (size_t)reps, sizeof *col, cmp);
		printf("phase %s %.6f %.6f %.6f\n", names[p], col[reps / 2], col[0], col[reps - 1]);
	}
	free(col);
	free(t);
	return 0;
}
