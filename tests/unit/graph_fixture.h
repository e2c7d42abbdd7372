/* Shared by the graph tests (test_dotout.c, test_svg.c): a diff built in code (up to 8
 * rows and edges), its DOT, and rendering with graphviz's stderr captured. Helpers are
 * static inline so a test file may leave some unused. */
#ifndef PD_GRAPH_FIXTURE_H
#define PD_GRAPH_FIXTURE_H

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

static inline void add_row(fixture *f, const char *name, pd_row_status st, int64_t bflat, int64_t bcum,
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

static inline void add_edge(fixture *f, size_t from, size_t to, int64_t base, int64_t new)
{
	pd_diff_edge *e = &f->edges[f->d.nedges++];
	memset(e, 0, sizeof *e);
	*e = (pd_diff_edge){.from = from, .to = to, .base = base, .head = new, .delta = new - base,
			    .in_base = true, .in_new = true};
}

static inline void setup(fixture *f)
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
static inline pd_status render_capturing(const char *dot, pd_buf *svg, pd_error *err, off_t *printed)
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
static inline void render_quietly(const char *dot)
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

/* Rows A..F ranked by change; D changes little but sits between A and B. */
static inline void budget_fixture(fixture *f)
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

#endif
