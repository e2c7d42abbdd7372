/* One walk over a parsed graph fills the profile: the legend, the function nodes (in
 * graph order, their index found by sequence number), then the edges, then the totals
 * and the bounds for functions absent from a trimmed profile. In reference mode a
 * node's label, tooltip and shape come from its list in the original text. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "parse/internal.h"

static char k_ref[] = "pdref"; /* the pre-pass's reference attribute */

/* Whether node n carries a reference; *k gets its index, or SIZE_MAX when the value is
 * not one the pre-pass wrote. */
static bool node_ref(parse_ctx *c, Agnode_t *n, size_t *k)
{
	const char *r = attr_of(n, c->s_ref);
	if (!r || !*r)
		return false;
	char *end;
	unsigned long long v = strtoull(r, &end, 10);
	*k = *end || v >= c->refs->n ? SIZE_MAX : (size_t)v;
	return true;
}

/* Reference mode holds only if every reference reached its own node and no other (none
 * was overwritten by a second list on the same node, none spread by a default) and no
 * edge got one: then each node's list in the original text is the whole truth about
 * its label, tooltip and shape. */
static bool refs_hold(parse_ctx *c, Agraph_t *g)
{
	if (agattr(g, AGEDGE, k_ref, NULL) || agattr(g, AGRAPH, k_ref, NULL))
		return false;
	unsigned char *seen = pd_calloc(c->refs->n + 1, 1);
	if (!seen)
		return false;
	size_t hits = 0, k;
	bool ok = true;
	for (Agnode_t *n = agfstnode(g); n && ok; n = agnxtnode(g, n)) {
		if (!node_ref(c, n, &k))
			continue;
		/* Malformed (cannot come from the pre-pass), or the reference of another
		 * node's statement, inherited from a default. */
		ok = k != SIZE_MAX &&
		     pd_prepass_name_is(c->data, &c->refs->ref[k], agnameof(n), &c->scratch);
		if (ok && !seen[k]) {
			seen[k] = 1;
			hits++;
		}
	}
	pd_free(seen);
	return ok && hits == c->refs->n;
}

/* label, tooltip and shape of node n: from its list in the original text in reference
 * mode (a key the list lacks keeps libcgraph's value, a default), else libcgraph's. */
static pd_status node_attrs(parse_ctx *c, Agnode_t *n, Agsym_t *const *syms, const char **v)
{
	for (size_t i = 0; i < 3; i++)
		v[i] = attr_of(n, syms[i]);
	size_t k;
	if (!c->refs || !node_ref(c, n, &k)) /* refs_hold ruled out malformed ones */
		return PD_OK;
	static const char *const keys[3] = {"label", "tooltip", "shape"};
	const char *got[3];
	if (!pd_prepass_lookup(c->data, c->len, c->refs->ref[k].off, keys, 3, got, &c->scratch))
		return pd_error_oom(c->err);
	for (size_t i = 0; i < 3; i++)
		if (got[i])
			v[i] = got[i];
	return PD_OK;
}

/* The legend, read from its escaped label. */
static pd_status legend(parse_ctx *c, const char *label)
{
	char *text = pd_parse_unescape(label);
	if (!text)
		return pd_error_oom(c->err);
	pd_status rc = pd_parse_legend(c, text);
	pd_free(text);
	return rc;
}

/* Totals, trimming and the bounds on functions absent from this profile. */
static pd_status summarize(parse_ctx *c, int64_t res_sum, bool tips)
{
	pd_profile *p = c->prof;
	pd_profile_info *in = &p->info;
	in->nodes = p->nnodes;
	in->edges = p->nedges;
	in->has_tooltips = tips && p->nnodes > in->other_undeclared;
	for (size_t i = 0; i < p->nnodes; i++)
		if (p->nodes[i].line != p->nodes[i].func ||
		    p->nodes[i].short_line != p->nodes[i].short_func)
			in->has_lines = true;
	if (!in->has_total) {
		in->total = p->flat_sum;
		in->shown = p->flat_sum;
	}
	/* Trimmed: the legend says so, or the shown nodes hold less than the total by more
	 * than rounding (e.g. mcp-grafana removed the synthetic "other" nodes), or Pyroscope
	 * cut stacks into "other". */
	int64_t unassigned;
	if (__builtin_sub_overflow(in->total, in->shown < p->flat_sum ? in->shown : p->flat_sum,
				   &unassigned))
		return pd_error_set(c->err, PD_EINPUT,
				    "%s: the legend's total minus the node values overflows int64",
				    c->source);
	bool dot_trim = in->dropped_nodes > 0 || in->top_k > 0 || unassigned > res_sum;
	in->trimmed = dot_trim || in->has_other;
	/* A function missing here was dropped by the DOT writer (flat within what no node
	 * holds, cum within the legend's cut-off or the total) or cut into "other" (both
	 * within other's value), or partly each. */
	int64_t other = in->other > 0 ? in->other : 0;
	int64_t flat_max = unassigned > 0 ? unassigned : 0;
	int64_t cum_max = dot_trim ? in->total : 0;
	if (in->dropped_nodes > 0 && in->top_k == 0)
		cum_max = in->node_cutoff;
	if (in->other_undeclared && !in->has_total)
		flat_max = cum_max = in->total; /* the deleted mass is unknown */
	if (__builtin_add_overflow(flat_max, other, &flat_max))
		flat_max = INT64_MAX;
	if (__builtin_add_overflow(cum_max, other, &cum_max))
		cum_max = INT64_MAX;
	if (cum_max > in->total && in->total >= 0)
		cum_max = in->total;
	p->unknown_cum_max = cum_max;
	p->unknown_flat_max = flat_max < cum_max ? flat_max : cum_max;
	return PD_OK;
}

/* Whether a raw label ends in a value line: "<number>[unit] (P%)", "0 of ...", "of ...". */
static bool value_label(const char *raw)
{
	char *text = pd_parse_unescape(raw);
	if (!text)
		return true; /* out of memory: keep the node's own error */
	const char *last = strrchr(text, '\n');
	bool value = false;
	if (last) {
		last++;
		value = isdigit((unsigned char)last[0]) || last[0] == '-' || last[0] == '+' ||
			last[0] == '.' || strncmp(last, "of ", 3) == 0;
	}
	pd_free(text);
	return value;
}

/* After a node without a value and before any legend: whether a later node is a legend
 * or has a value label, which makes the graph a profile with a bad node. */
static bool profile_ahead(parse_ctx *c, Agraph_t *g, Agnode_t *from, Agsym_t *const *syms)
{
	for (Agnode_t *n = agnxtnode(g, from); n; n = agnxtnode(g, n)) {
		const char *v[3];
		if (node_attrs(c, n, syms, v) != PD_OK)
			return true;
		if (!v[0] || pd_parse_is_nodelet(agnameof(n), v[2]))
			continue;
		if (pd_parse_is_legend(v[0]) || value_label(v[0]))
			return true;
	}
	return false;
}

/* Nodes only edges name become "other" nodes (so their edges are kept, like a declared
 * other's); the first holds what the legend's "accounting for" has beyond the declared
 * flats, the rest 0 (they share its key). Without a legend that mass is unknown (0),
 * and summarize bounds missing functions by the whole total. */
static pd_status add_undeclared(parse_ctx *c, Agnode_t **nodes, size_t n, size_t *index,
				size_t nseq)
{
	pd_profile *p = c->prof;
	pd_profile_info *in = &p->info;
	int64_t rest = 0;
	if (in->has_total && in->shown > p->flat_sum)
		rest = in->shown - p->flat_sum; /* no overflow: flat_sum >= 0 here */
	if (p->flat_sum < 0)
		rest = 0;
	for (size_t i = 0; i < n; i++) {
		pd_node *nd = &p->nodes[p->nnodes];
		nd->func = pd_strdup("other");
		nd->short_func = pd_strdup("other");
		if (!nd->func || !nd->short_func) {
			pd_parse_node_fini(nd);
			memset(nd, 0, sizeof *nd);
			return pd_error_oom(c->err);
		}
		nd->line = nd->func;
		nd->short_line = nd->short_func;
		nd->flat = nd->cum = i == 0 ? rest : 0;
		size_t seq = pd_cg_seq(nodes[i]);
		if (seq < nseq)
			index[seq] = p->nnodes;
		p->nnodes++;
	}
	p->flat_sum += rest;
	in->has_other = true;
	in->other += rest;
	in->other_undeclared = n;
	return PD_OK;
}

pd_status pd_parse_walk(parse_ctx *c, Agraph_t *g)
{
	pd_profile *p = c->prof;
	/* agattr takes char *; these are never written. */
	static char k_label[] = "label", k_tooltip[] = "tooltip", k_shape[] = "shape";
	Agsym_t *const nsyms[3] = {agattr(g, AGNODE, k_label, NULL),
				   agattr(g, AGNODE, k_tooltip, NULL),
				   agattr(g, AGNODE, k_shape, NULL)};
	if (c->refs) {
		c->s_ref = agattr(g, AGNODE, k_ref, NULL);
		if (!refs_hold(c, g)) {
			c->refs_lost = true;
			return PD_EINTERNAL;
		}
	}
	size_t nseq = pd_cg_seq_bound(g), nundeclared = 0;
	size_t *index = pd_malloc(nseq * sizeof *index);
	Agnode_t **undeclared = pd_malloc(nseq * sizeof *undeclared);
	p->nodes = pd_calloc(nseq - 1, sizeof *p->nodes);
	if (!index || !undeclared || !p->nodes) {
		pd_free(index);
		pd_free(undeclared);
		return pd_error_oom(c->err);
	}
	for (size_t i = 0; i < nseq; i++)
		index[i] = SIZE_MAX;
	pd_status rc = PD_OK;
	Agnode_t *failed = NULL;
	bool seen_legend = false, tips = true;
	int64_t res_sum = 0;
	for (Agnode_t *n = agfstnode(g); n && rc == PD_OK; n = agnxtnode(g, n)) {
		const char *name = agnameof(n);
		const char *v[3];
		if ((rc = node_attrs(c, n, nsyms, v)))
			break;
		const char *label = v[0], *tip = v[1];
		if (pd_parse_is_nodelet(name, v[2]))
			continue;
		if (label && pd_parse_is_legend(label) && !pd_parse_is_node_id(name)) {
			rc = legend(c, label);
			seen_legend = true;
			continue;
		}
		if (!label || !*label || strcmp(label, "\\N") == 0) {
			if (!pd_parse_is_node_id(name))
				continue; /* plain graphviz node: decided below */
			/* Named only by edges: a node line a cleanup deleted (pyroscope-api.md
			 * 4.6), read as "other" once the declared flats are known. */
			if ((!tip || !*tip) && agfstedge(g, n)) {
				undeclared[nundeclared++] = n;
				continue;
			}
			rc = pd_error_set(c->err, PD_EINPUT, "%s: node %.60s has no label", c->source,
					  name);
			break;
		}
		if (!tip || !*tip)
			tips = false;
		pd_node *nd = &p->nodes[p->nnodes];
		rc = pd_parse_node(c, name, label, tip, nd);
		if (rc != PD_OK) {
			pd_parse_node_fini(nd);
			memset(nd, 0, sizeof *nd);
			if (rc == PD_EINPUT && !seen_legend && p->nnodes == 0 && !value_label(label))
				failed = n;
			break;
		}
		size_t seq = pd_cg_seq(n);
		if (seq < nseq)
			index[seq] = p->nnodes;
		p->nnodes++;
		bool other = strcmp(nd->func, "other") == 0;
		p->info.has_other |= other;
		/* Checked: each value fits int64, their sum may not; everything downstream
		 * (totals, bounds, shares) trusts flat_sum. */
		if (__builtin_add_overflow(p->flat_sum, nd->flat, &p->flat_sum) ||
		    __builtin_add_overflow(res_sum, nd->flat_res, &res_sum) ||
		    (other && __builtin_add_overflow(p->info.other, nd->flat, &p->info.other))) {
			rc = pd_error_set(c->err, PD_EINPUT,
					  "%s: the node values add up to more than int64 holds "
					  "(overflow at node %.60s)",
					  c->source, name);
			break;
		}
	}
	/* A graph without a legend whose labels hold no values is some other graph (e.g.
	 * graphviz's examples): say so rather than blame its first node. */
	if (failed && !profile_ahead(c, g, failed, nsyms))
		rc = PD_OK; /* the node's error gives way to the one below */
	if (rc == PD_OK && !seen_legend && p->nnodes == 0)
		rc = pd_error_set(c->err, PD_EINPUT,
				  "%s: not a pprof/Pyroscope profile: no legend and no value labels",
				  c->source);
	if (rc == PD_OK && nundeclared)
		rc = add_undeclared(c, undeclared, nundeclared, index, nseq);
	if (rc == PD_OK)
		rc = pd_parse_edges(c, g, index, nseq);
	pd_free(index);
	pd_free(undeclared);
	if (rc == PD_OK)
		rc = summarize(c, res_sum, tips);
	return rc;
}
