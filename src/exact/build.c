/* The exact readers' common builder: pprof's graph semantics (internal/graph newGraph)
 * on interned nodes. Per stack, a node's cum and an edge's weight count once (stamps
 * for samples, open-counts for a flamegraph walk); flat goes to the leaf; self-edges
 * are dropped. pd_xb_finish moves the strings into pd_nodes, which then own them. */
#include <stdio.h>
#include <string.h>

#include "exact/internal.h"

void pd_xb_init(pd_xb *b, pd_error *err)
{
	memset(b, 0, sizeof *b);
	b->err = err;
}

void pd_xb_fini(pd_xb *b)
{
	for (size_t i = 0; i < b->n; i++) {
		if (b->nodes[i].line != b->nodes[i].func)
			pd_free(b->nodes[i].line);
		pd_free(b->nodes[i].func);
		pd_free(b->nodes[i].suffix);
	}
	pd_free(b->nodes);
	xkey *k, *kt;
	HASH_ITER(hh, b->keys, k, kt) {
		HASH_DEL(b->keys, k);
		pd_free(k);
	}
	pd_free(b->edges);
	pd_free(b->slots);
	pd_error *err = b->err;
	memset(b, 0, sizeof *b);
	b->err = err;
}

static char *fmt_fileline(const char *lead, const char *file, int64_t lineno)
{
	size_t n = strlen(lead) + strlen(file) + 32;
	char *s = pd_malloc(n);
	if (s) {
		if (lineno)
			snprintf(s, n, "%s%s:%lld", lead, file, (long long)lineno);
		else
			snprintf(s, n, "%s%s", lead, file);
	}
	return s;
}

/* The node's strings, as pprof -lines prints them (graph.NodeInfo.NameComponents with
 * the address cleared): "name file:line", "name file" when line is 0, "name" alone
 * when there is neither. The label shows the file's basename. */
static bool make_names(xnode *x, const char *func, const char *file, int64_t lineno,
		       bool lines)
{
	x->func = pd_strdup(func);
	if (!x->func)
		return false;
	x->line = x->func;
	if (!lines || (!lineno && (!file || !*file)))
		return true;
	char *clean = file && *file ? pd_exact_clean_path(file) : pd_strdup("");
	if (!clean)
		return false;
	char *full = pd_malloc(strlen(func) + 2);
	bool ok = false;
	if (full) {
		memcpy(full, func, strlen(func));
		memcpy(full + strlen(func), " ", 2);
		x->line = fmt_fileline(full, clean, lineno);
		const char *slash = strrchr(clean, '/');
		x->suffix = fmt_fileline(" ", slash ? slash + 1 : clean, lineno);
		ok = x->line && x->suffix;
		if (!x->line)
			x->line = x->func;
	}
	pd_free(full);
	pd_free(clean);
	return ok;
}

static void drop_names(xnode *x)
{
	if (x->line != x->func)
		pd_free(x->line);
	pd_free(x->func);
	pd_free(x->suffix);
	x->func = x->line = x->suffix = NULL;
}

pd_status pd_xb_node(pd_xb *b, const char *func, const char *file, int64_t lineno,
		     bool lines, uint32_t *idx)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;
		xnode *nn = pd_realloc(b->nodes, cap * sizeof *nn);
		if (!nn)
			return pd_error_oom(b->err);
		b->nodes = nn;
		b->cap = cap;
	}
	if (b->n >= UINT32_MAX)
		return pd_error_set(b->err, PD_EINPUT, "more than %u distinct frames",
				    (unsigned)UINT32_MAX);
	xnode *x = &b->nodes[b->n];
	memset(x, 0, sizeof *x);
	x->stamp = SIZE_MAX;
	if (!make_names(x, func, file, lineno, lines))
		goto oom;
	xkey *k;
	HASH_FIND_STR(b->keys, x->line, k);
	if (k) { /* already known: drop the strings just made */
		*idx = k->idx;
		drop_names(x);
		return PD_OK;
	}
	k = pd_malloc(sizeof *k);
	if (!k)
		goto oom;
	k->key = x->line;
	k->idx = (uint32_t)b->n;
	HASH_ADD_KEYPTR(hh, b->keys, k->key, strlen(k->key), k);
	if (PD_HASH_ADD_FAILED(k)) {
		pd_free(k);
		goto oom;
	}
	*idx = (uint32_t)b->n++;
	return PD_OK;
oom:
	drop_names(x);
	return pd_error_oom(b->err);
}

static pd_status add(pd_xb *b, int64_t *to, int64_t v)
{
	if (__builtin_add_overflow(*to, v, to))
		return pd_error_set(b->err, PD_EINPUT, "values overflow 64 bits");
	return PD_OK;
}

static size_t slot_of(uint64_t key, size_t mask)
{
	return (size_t)((key * 0x9e3779b97f4a7c15u) >> 32) & mask; /* Fibonacci hashing */
}

/* Doubles the slot table; false when out of memory (the table is unchanged). */
static bool rehash(pd_xb *b)
{
	size_t n = b->nslots ? b->nslots * 2 : 1024;
	uint32_t *s = pd_calloc(n, sizeof *s);
	if (!s)
		return false;
	for (size_t i = 0; i < b->nedges; i++) {
		size_t k = slot_of(b->edges[i].key, n - 1);
		while (s[k])
			k = (k + 1) & (n - 1);
		s[k] = (uint32_t)i + 1;
	}
	pd_free(b->slots);
	b->slots = s;
	b->nslots = n;
	return true;
}

/* The edge from -> to, created on first use: an open-addressing table, because this
 * runs once per frame of every sample. UINT32_MAX when out of memory. */
static uint32_t edge(pd_xb *b, uint32_t from, uint32_t to)
{
	uint64_t key = (uint64_t)from << 32 | to;
	if (2 * (b->nedges + 1) > b->nslots && !rehash(b))
		return UINT32_MAX;
	size_t mask = b->nslots - 1, k = slot_of(key, mask);
	for (; b->slots[k]; k = (k + 1) & mask)
		if (b->edges[b->slots[k] - 1].key == key)
			return b->slots[k] - 1;
	if (b->nedges == b->ecap) {
		size_t cap = b->ecap ? 2 * b->ecap : 256;
		xedge *ne = cap < UINT32_MAX ? pd_realloc(b->edges, cap * sizeof *ne) : NULL;
		if (!ne)
			return UINT32_MAX;
		b->edges = ne;
		b->ecap = cap;
	}
	xedge *e = &b->edges[b->nedges];
	memset(e, 0, sizeof *e);
	e->key = key;
	e->stamp = SIZE_MAX;
	e->inlined = true;
	b->slots[k] = (uint32_t)b->nedges + 1;
	return (uint32_t)b->nedges++;
}

pd_status pd_xb_sample(pd_xb *b, const uint32_t *frames, const uint8_t *inl, size_t n,
		       int64_t v)
{
	if (v == 0)
		return PD_OK;
	/* pprof's total (report.computeTotal): every sample's |value|, stack or not */
	pd_status rc;
	if (v == INT64_MIN || (rc = add(b, &b->total, v < 0 ? -v : v)))
		return pd_error_set(b->err, PD_EINPUT, "values overflow 64 bits");
	b->negative |= v < 0;
	if (n == 0)
		return PD_OK;
	size_t s = b->stamp++;
	uint32_t parent = UINT32_MAX;
	for (size_t i = n; i-- > 0;) {
		uint32_t f = frames[i];
		xnode *x = &b->nodes[f];
		if (x->stamp != s) {
			x->stamp = s;
			if ((rc = add(b, &x->cum, v)))
				return rc;
		}
		if (parent != UINT32_MAX && parent != f) {
			uint32_t ei = edge(b, parent, f);
			if (ei == UINT32_MAX)
				return pd_error_oom(b->err);
			xedge *e = &b->edges[ei];
			if (e->stamp != s) {
				e->stamp = s;
				e->inlined &= inl[i] != 0;
				if ((rc = add(b, &e->w, v)))
					return rc;
			}
		}
		parent = f;
	}
	return add(b, &b->nodes[frames[0]].flat, v);
}

pd_status pd_xb_open(pd_xb *b, uint32_t parent, uint32_t idx, int64_t total, int64_t self,
		     uint32_t *e)
{
	xnode *x = &b->nodes[idx];
	pd_status rc;
	*e = UINT32_MAX;
	if (x->active++ == 0 && (rc = add(b, &x->cum, total)))
		return rc;
	if ((rc = add(b, &x->flat, self)))
		return rc;
	if (parent == UINT32_MAX || parent == idx)
		return PD_OK;
	uint32_t ei = edge(b, parent, idx);
	if (ei == UINT32_MAX)
		return pd_error_oom(b->err);
	xedge *ed = &b->edges[ei];
	ed->inlined = false;
	*e = ei;
	if (ed->active++ == 0)
		return add(b, &ed->w, total);
	return PD_OK;
}

void pd_xb_close(pd_xb *b, uint32_t idx, uint32_t e)
{
	b->nodes[idx].active--;
	if (e != UINT32_MAX)
		b->edges[e].active--;
}

static pd_status scale_val(pd_xb *b, int64_t *v, int64_t scale)
{
	if (scale != 1 && __builtin_mul_overflow(*v, scale, v))
		return pd_error_set(b->err, PD_EINPUT, "values overflow 64 bits in base units");
	return PD_OK;
}

static void move_node(pd_node *d, xnode *x, char *short_func, char *short_line)
{
	d->func = x->func;
	d->line = x->line;
	d->short_func = short_func;
	d->short_line = short_line;
	d->flat = x->flat;
	d->cum = x->cum;
	x->func = x->line = NULL;
}

pd_status pd_xb_finish(pd_xb *b, const pd_xb_meta *m, pd_profile **out)
{
	pd_status rc = PD_OK;
	*out = NULL;
	uint32_t *map = pd_malloc((b->n + 1) * sizeof *map);
	pd_profile *p = pd_calloc(1, sizeof *p);
	if (!map || !p)
		goto oom;
	p->nodes = pd_calloc(b->n + 1, sizeof *p->nodes);
	p->edges = pd_calloc(b->nedges + 1, sizeof *p->edges);
	p->source = pd_strdup(m->source);
	p->title = pd_strdup(m->title ? m->title : "unnamed");
	p->type = m->type ? pd_strdup(m->type) : NULL;
	if (!p->nodes || !p->edges || !p->source || !p->title || (m->type && !p->type))
		goto oom;
	int64_t other_cum = -1, other_flat = 0;
	for (size_t i = 0; i < b->n; i++) {
		xnode *x = &b->nodes[i];
		map[i] = UINT32_MAX;
		if (x->flat == 0 && x->cum == 0)
			continue; /* pprof drops them too */
		if ((rc = scale_val(b, &x->flat, m->scale)) || (rc = scale_val(b, &x->cum, m->scale)))
			goto fail;
		char *sf = pd_exact_short_name(x->func), *sl = sf;
		if (sf && x->suffix) {
			size_t a = strlen(sf), c = strlen(x->suffix);
			sl = pd_malloc(a + c + 1);
			if (sl) {
				memcpy(sl, sf, a);
				memcpy(sl + a, x->suffix, c + 1);
			}
		}
		if (!sf || !sl) {
			pd_free(sf);
			goto oom;
		}
		if (strcmp(x->line, "other") == 0) { /* Pyroscope's stub for what it cut */
			other_cum = x->cum;
			other_flat = x->flat;
		}
		map[i] = (uint32_t)p->nnodes;
		move_node(&p->nodes[p->nnodes++], x, sf, sl);
		if ((rc = add(b, &p->flat_sum, p->nodes[p->nnodes - 1].flat)))
			goto fail;
	}
	for (size_t i = 0; i < b->nedges; i++) {
		const xedge *e = &b->edges[i];
		uint32_t from = map[e->key >> 32], to = map[e->key & UINT32_MAX];
		if (from == UINT32_MAX || to == UINT32_MAX || e->w == 0)
			continue;
		pd_pedge *pe = &p->edges[p->nedges++];
		pe->from = from;
		pe->to = to;
		pe->weight = e->w;
		if ((rc = scale_val(b, &pe->weight, m->scale)))
			goto fail;
		pe->weighted = true;
		pe->inlined = e->inlined;
	}
	int64_t total = b->total;
	if ((rc = scale_val(b, &total, m->scale)))
		goto fail;
	pd_profile_info *in = &p->info;
	in->source = p->source;
	in->title = p->title;
	in->type = p->type;
	in->unit = m->unit;
	in->total = total;
	in->has_total = true;
	in->shown = p->flat_sum;
	in->duration_ns = m->duration_ns;
	in->has_tooltips = true;
	in->has_lines = m->lines;
	in->has_negative = b->negative;
	in->nodes = p->nnodes;
	in->edges = p->nedges;
	if (other_cum >= 0) {
		/* A function absent here sits wholly inside `other`. */
		in->trimmed = true;
		in->has_other = true; /* reports state each side's share in `other` */
		in->other = other_flat;
		p->unknown_flat_max = other_cum;
		p->unknown_cum_max = other_cum;
	}
	pd_free(map);
	*out = p;
	return PD_OK;
oom:
	rc = pd_error_oom(b->err);
fail:
	pd_free(map);
	pd_profile_free(p);
	return rc;
}

pd_unit pd_exact_unit(const char *name, int64_t *scale)
{
	static const struct {
		const char *name;
		pd_unit unit;
		int64_t scale;
	} units[] = {
		{"nanoseconds", PD_UNIT_NANOS, 1}, {"nanosecond", PD_UNIT_NANOS, 1},
		{"ns", PD_UNIT_NANOS, 1},	   {"microseconds", PD_UNIT_NANOS, 1000},
		{"us", PD_UNIT_NANOS, 1000},	   {"milliseconds", PD_UNIT_NANOS, 1000000},
		{"ms", PD_UNIT_NANOS, 1000000},   {"seconds", PD_UNIT_NANOS, 1000000000},
		{"s", PD_UNIT_NANOS, 1000000000}, {"bytes", PD_UNIT_BYTES, 1},
		{"byte", PD_UNIT_BYTES, 1},	   {"B", PD_UNIT_BYTES, 1},
		{"kilobytes", PD_UNIT_BYTES, 1024}, {"megabytes", PD_UNIT_BYTES, 1024 * 1024},
		{"count", PD_UNIT_COUNT, 1},	   {"samples", PD_UNIT_COUNT, 1},
		{"objects", PD_UNIT_COUNT, 1},	   {"", PD_UNIT_COUNT, 1},
	};
	*scale = 1;
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (strcmp(name, units[i].name) == 0) {
			*scale = units[i].scale;
			return units[i].unit;
		}
	return PD_UNIT_COUNT; /* pprof prints unknown units as bare numbers */
}
