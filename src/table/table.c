/* Per-function tables: sums the nodes of one profile by join key (see table.h). */
#include <stdlib.h>

#include "table/table.h"
#include "base/base.h"

static void node_key(const pd_node *n, bool short_keys, pd_granularity g, const char **key,
		     const char **short_name)
{
	bool line = g == PD_GRAN_LINE;
	*short_name = line ? n->short_line : n->short_func;
	if (short_keys)
		*key = *short_name;
	else
		*key = line ? n->line : n->func;
}

static pd_status overflow(const pd_profile *p, const char *what, pd_granularity g,
			  pd_error *err)
{
	return pd_error_set(err, PD_EINPUT, "%s: values overflow a 64-bit integer (sum of %s per %s)",
		     p->info.source, what, g == PD_GRAN_LINE ? "line" : "function");
}

pd_status pd_table_build(const pd_profile *p, bool short_keys, pd_granularity g, pd_table *t,
			 pd_error *err)
{
	t->fns = NULL;
	t->edges = NULL;
	pd_status rc;
	pd_fn **of_node = pd_malloc((p->nnodes + 1) * sizeof *of_node);
	if (!of_node)
		return pd_error_oom(err);
	for (size_t i = 0; i < p->nnodes; i++) {
		const pd_node *n = &p->nodes[i];
		const char *key, *short_name;
		node_key(n, short_keys, g, &key, &short_name);
		pd_fn *f;
		HASH_FIND_STR(t->fns, key, f);
		if (!f) {
			f = pd_calloc(1, sizeof *f);
			if (!f)
				goto oom;
			f->key = key;
			f->short_name = short_name;
			f->row = SIZE_MAX;
			HASH_ADD_KEYPTR(hh, t->fns, f->key, strlen(f->key), f);
			if (PD_HASH_ADD_FAILED(f)) {
				pd_free(f);
				goto oom;
			}
		}
		/* Flats of distinct lines add up exactly; cums add up to an upper bound when
		 * a sample passes through two lines of the function (recursion). */
		const char *what = !pd_add_i64(f->flat, n->flat, &f->flat) ? "flat values"
				 : !pd_add_i64(f->cum, n->cum, &f->cum) ? "cum values"
				 : !pd_add_i64(f->flat_res, n->flat_res, &f->flat_res)
					 ? "flat rounding errors"
				 : !pd_add_i64(f->cum_res, n->cum_res, &f->cum_res)
					 ? "cum rounding errors"
					 : NULL;
		if (what) {
			rc = overflow(p, what, g, err);
			goto fail;
		}
		f->nodes++;
		of_node[i] = f;
	}
	for (size_t i = 0; i < p->nedges; i++) {
		const pd_pedge *e = &p->edges[i];
		const pd_fn *from = of_node[e->from], *to = of_node[e->to];
		if (from == to)
			continue;
		pd_tedge probe, *te;
		memset(&probe, 0, sizeof probe);
		probe.key.from = from;
		probe.key.to = to;
		HASH_FIND(hh, t->edges, &probe.key, sizeof probe.key, te);
		if (!te) {
			te = pd_calloc(1, sizeof *te);
			if (!te)
				goto oom;
			te->key = probe.key;
			te->weighted = true;
			HASH_ADD(hh, t->edges, key, sizeof te->key, te);
			if (PD_HASH_ADD_FAILED(te)) {
				pd_free(te);
				goto oom;
			}
		}
		if (!pd_add_i64(te->weight, e->weight, &te->weight)) {
			rc = overflow(p, "edge weights", g, err);
			goto fail;
		}
		te->weighted &= e->weighted;
		te->residual |= e->residual;
		te->inlined |= e->inlined;
	}
	pd_free(of_node);
	return PD_OK;
oom:
	rc = pd_error_oom(err);
fail:
	pd_free(of_node);
	pd_table_fini(t);
	return rc;
}

void pd_table_fini(pd_table *t)
{
	pd_fn *f, *ftmp;
	HASH_ITER(hh, t->fns, f, ftmp) {
		HASH_DEL(t->fns, f);
		pd_free(f);
	}
	pd_tedge *e, *etmp;
	HASH_ITER(hh, t->edges, e, etmp) {
		HASH_DEL(t->edges, e);
		pd_free(e);
	}
}
