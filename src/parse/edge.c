/* Call edges of pprof's DOT between function nodes (edges to nodelets are skipped):
 * the weight from the label, dotted style for residual paths through trimmed nodes,
 * "(inline)" for inlined calls. The profile owns the edge array. */
#include <stdint.h>
#include <string.h>

#include "base/alloc.h"
#include "parse/internal.h"

static pd_status parse_edge(parse_ctx *c, const char *label_raw, const char *style, pd_pedge *e)
{
	e->residual = style && strstr(style, "dotted");
	if (!label_raw || !*label_raw)
		return PD_OK;
	char *label = pd_parse_unescape(label_raw);
	if (!label)
		return pd_error_oom(c->err);
	e->inlined = strstr(label, "(inline)") != NULL;
	const char *p = label;
	while (*p == ' ')
		p++;
	size_t len = strcspn(p, "\n");
	while (len && p[len - 1] == ' ')
		len--;
	pd_status rc = pd_parse_value(c, "edge", (str){p, len}, &e->weight, NULL);
	e->weighted = rc == PD_OK;
	pd_free(label);
	return rc;
}

pd_status pd_parse_edges(parse_ctx *c, Agraph_t *g, const size_t *index, size_t nseq)
{
	pd_profile *p = c->prof;
	/* agattr takes char *; these are never written. */
	static char k_label[] = "label", k_style[] = "style";
	Agsym_t *s_label = agattr(g, AGEDGE, k_label, NULL);
	Agsym_t *s_style = agattr(g, AGEDGE, k_style, NULL);
	size_t cap = 0;
	pd_status rc = PD_OK;
	for (Agnode_t *n = agfstnode(g); n && rc == PD_OK; n = agnxtnode(g, n)) {
		size_t seq = pd_cg_seq(n);
		if (seq >= nseq || index[seq] == SIZE_MAX)
			continue;
		for (Agedge_t *e = agfstout(g, n); e && rc == PD_OK; e = agnxtout(g, e)) {
			size_t hseq = pd_cg_seq(aghead(e));
			if (hseq >= nseq || index[hseq] == SIZE_MAX)
				continue; /* to a nodelet */
			if (p->nedges == cap) {
				size_t ncap = cap ? cap * 2 : 64;
				pd_pedge *ne = pd_realloc(p->edges, ncap * sizeof *ne);
				if (!ne)
					return pd_error_oom(c->err);
				p->edges = ne;
				cap = ncap;
			}
			pd_pedge *pe = &p->edges[p->nedges];
			memset(pe, 0, sizeof *pe);
			pe->from = index[seq];
			pe->to = index[hseq];
			rc = parse_edge(c, attr_of(e, s_label), attr_of(e, s_style), pe);
			if (rc == PD_OK)
				p->nedges++;
		}
	}
	return rc;
}
