/* DOT -> SVG in-process with libgvc. libcgraph reports problems through one global
 * error hook; while we render, it points at a collector, so nothing reaches stderr and
 * the first message lands in the caller's pd_error. Any message, even a warning, fails
 * the render: the DOT we render is our own, so a warning means a bug to surface, not
 * a picture to ship. Not thread-safe (neither is graphviz's error state). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include "profdiff/profdiff.h"
#include "base/alloc.h"

/* One context for the process, never freed: graphviz 2.43's pango plugin keeps a
 * pointer into the first context's font table, so a second context reads freed memory
 * (seen with ASan). The context holds only plugin and font state, no graph. */
static GVC_t *gvc;

static char gv_msg[512]; /* first message of the current render */
static bool gv_seen;

/* libcgraph calls this once per message piece ("Warning: ", then the text). */
static int collect(char *msg)
{
	size_t len = strlen(gv_msg);
	if (!gv_seen || len + 1 < sizeof gv_msg) {
		gv_seen = true;
		snprintf(gv_msg + len, sizeof gv_msg - len, "%s", msg);
	}
	return 0;
}

/* The collected message as one line, without graphviz's level prefix and trailing
 * blanks. */
static const char *message(void)
{
	size_t len = strlen(gv_msg);
	for (const char *prefix = "Error: "; prefix; prefix = *prefix == 'E' ? "Warning: " : NULL) {
		size_t n = strlen(prefix);
		if (strncmp(gv_msg, prefix, n) == 0) {
			memmove(gv_msg, gv_msg + n, len - n + 1);
			len -= n;
		}
	}
	for (char *p = gv_msg; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	while (len && gv_msg[len - 1] == ' ')
		gv_msg[--len] = '\0';
	return len ? gv_msg : "no graph found";
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
	text = pd_malloc(len + 1);
	if (!text)
		return pd_error_set(err, PD_EINTERNAL, "out of memory");
	memcpy(text, dot, len);
	text[len] = '\0';

	gv_msg[0] = '\0';
	gv_seen = false;
	agusererrf prev = agseterrf(collect);
	agerrlevel_t prev_level = agseterr(AGWARN); /* report everything, to collect() */

	if (!gvc)
		gvc = gvContext();
	if (!gvc) {
		st = pd_error_set(err, PD_EINTERNAL, "graphviz: cannot create a context");
		goto done;
	}
	g = agmemread(text);
	if (!g || gv_seen) {
		st = pd_error_set(err, PD_EINTERNAL, "invalid DOT: %s", message());
		goto done;
	}
	if (gvLayout(gvc, g, "dot") != 0 || gv_seen) {
		st = pd_error_set(err, PD_EINTERNAL, "graphviz layout failed: %s", message());
		goto done;
	}
	laid_out = true;
	if (gvRenderData(gvc, g, "svg", &svg, &svglen) != 0 || !svg || gv_seen) {
		st = pd_error_set(err, PD_EINTERNAL, "graphviz SVG rendering failed: %s", message());
		goto done;
	}
	if (!pd_buf_append(out, svg, svglen))
		st = pd_error_set(err, PD_EINTERNAL, "SVG output: out of memory or too large");
done:
	if (svg)
		gvFreeRenderData(svg);
	if (laid_out)
		gvFreeLayout(gvc, g);
	if (g)
		agclose(g);
	agreseterrors();
	agseterr(prev_level);
	agseterrf(prev);
	pd_free(text);
	return st;
}
