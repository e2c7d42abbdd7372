/* DOT -> SVG in-process with libgvc, which is opened on first use (libgvc.so.6 and the
 * pango/cairo stack behind it cost start-up time that only --svg needs; libcgraph, the
 * parser, stays linked). libcgraph's lexer and error hook are global: the render holds
 * src/cgraph's lock, starts from a reset lexer and has every message captured there
 * (pd_cg_render_begin), so nothing reaches stderr and the first message lands in the
 * caller's pd_error. Any message, even a warning, fails the render: the DOT we render
 * is our own, so a warning means a bug to surface, not a picture to ship. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <graphviz/gvc.h>

#include "profdiff/profdiff.h"
#include "base/alloc.h"
#include "base/dl.h"
#include "report/report.h"

#define GVC_SONAME "libgvc.so.6"

/* X(name) for each function gv<name> of libgvc that we call. */
#define GVC_FUNCTIONS(X) X(Context) X(Layout) X(RenderData) X(FreeRenderData) X(FreeLayout)

static struct {
#define GVC_FIELD(name) __typeof__(gv##name) *name;
	GVC_FUNCTIONS(GVC_FIELD)
#undef GVC_FIELD
} gv;
static pthread_once_t gv_once = PTHREAD_ONCE_INIT;
static pd_error gv_load_err; /* code != PD_OK: loading failed (written once) */

static void gv_load(void)
{
	void *lib = pd_dl_open(GVC_SONAME, &gv_load_err);
	if (!lib)
		return;
#define GVC_LOAD(name)                                                                     \
	if (!(gv.name = (__typeof__(gv.name))pd_dl_sym(lib, GVC_SONAME, "gv" #name, &gv_load_err))) \
		return;
	GVC_FUNCTIONS(GVC_LOAD)
#undef GVC_LOAD
}
#include "cgraph/cgraph.h"

/* One context for the process, never freed: graphviz 2.43's pango plugin keeps a
 * pointer into the first context's font table, so a second context reads freed memory
 * (seen with ASan). The context holds only plugin and font state, no graph. */
static GVC_t *gvc;

/* The first message of the render, or what to say when there was none. */
static const char *message(void)
{
	const char *m = pd_cg_error();
	return *m ? m : "no graph found";
}

pd_status pd_svg_too_big(size_t nodes, pd_error *err)
{
	return pd_error_set(err, PD_EUSAGE,
			    "the diff graph has %zu nodes, too many to lay out (at most %d); "
			    "narrow it with --nodes N (N <= %d) or --focus REGEX",
			    nodes, PD_SVG_MAX_NODES, PD_SVG_MAX_NODES);
}

/* Nodes besides the legend: what PD_SVG_MAX_NODES bounds. */
static size_t graph_nodes(Agraph_t *g)
{
	char legend[] = "legend";
	int n = agnnodes(g);
	if (agnode(g, legend, 0))
		n--;
	return n > 0 ? (size_t)n : 0;
}

pd_status pd_render_svg(const char *dot, size_t len, pd_buf *out, pd_error *err)
{
	pd_status st = PD_OK;
	char *text = NULL, *svg = NULL;
	unsigned int svglen = 0;
	Agraph_t *g = NULL;
	bool laid_out = false;

	if (memchr(dot, '\0', len))
		return pd_error_set(err, PD_EINPUT, "DOT text contains a NUL byte");
	pthread_once(&gv_once, gv_load);
	if (gv_load_err.code != PD_OK)
		return pd_error_set(err, gv_load_err.code, "%s", gv_load_err.msg);
	text = pd_malloc(len + 1);
	if (!text)
		return pd_error_oom(err);
	memcpy(text, dot, len);
	text[len] = '\0';

	/* The lock, a lexer reset from any earlier parse (one cut inside a string would
	 * fail this read) and every message captured, warnings included. */
	pd_cg_render_begin();

	if (!gvc)
		gvc = gv.Context();
	if (!gvc) {
		st = pd_error_set(err, PD_EINTERNAL, "graphviz: cannot create a context");
		goto done;
	}
	g = agmemread(text);
	if (!g || pd_cg_failed()) {
		st = pd_error_set(err, PD_EINTERNAL, "invalid DOT: %s", message());
		goto done;
	}
	/* The layout, not the parse, is what runs for minutes on a big graph. */
	if (graph_nodes(g) > PD_SVG_MAX_NODES) {
		st = pd_svg_too_big(graph_nodes(g), err);
		goto done;
	}
	if (gv.Layout(gvc, g, "dot") != 0 || pd_cg_failed()) {
		st = pd_error_set(err, PD_EINTERNAL, "graphviz layout failed: %s", message());
		goto done;
	}
	laid_out = true;
	if (gv.RenderData(gvc, g, "svg", &svg, &svglen) != 0 || !svg || pd_cg_failed()) {
		st = pd_error_set(err, PD_EINTERNAL, "graphviz SVG rendering failed: %s", message());
		goto done;
	}
	if (out->limit && out->len + svglen > out->limit)
		st = pd_error_set(err, PD_EINTERNAL, "SVG output: larger than the limit of %zu bytes",
				  out->limit);
	else if (!pd_buf_append(out, svg, svglen))
		st = pd_error_oom(err);
done:
	if (svg)
		gv.FreeRenderData(svg);
	if (laid_out)
		gv.FreeLayout(gvc, g);
	if (g)
		agclose(g);
	pd_cg_render_end();
	pd_free(text);
	return st;
}
