/* Pyroscope flamegraph JSON -> pd_profile. levels[i] holds 4-tuples [x delta, total,
 * self, name index]; a node's x is the previous node's x + total + delta, and its
 * parent is the node of the level above whose [x, x + total) holds it. Level 0 is the
 * synthetic "total" root. The tree is walked depth-first so that cum and edges count
 * once per stack (a recursive function's inner calls are inside its outer total). */
#include <stdio.h>
#include <string.h>

#include "exact/internal.h"
#include "exact/json.h"

typedef struct fnode {
	int64_t x, total, self;
	uint32_t name;         /* index into names */
	uint32_t first, nchild; /* children: a run of the next level */
} fnode;

typedef struct fg {
	char **names;
	size_t nnames, names_cap;
	fnode *v;               /* every level, one after the other */
	size_t n, cap;
	size_t *lv;             /* lv[i] = first node of level i; lv[nlv] = n */
	size_t nlv, lv_cap;
	char *ptype, *units, *mname, *format;
	int64_t rate;
} fg;

static void fg_fini(fg *f)
{
	for (size_t i = 0; i < f->nnames; i++)
		pd_free(f->names[i]);
	pd_free(f->names);
	pd_free(f->v);
	pd_free(f->lv);
	pd_free(f->ptype);
	pd_free(f->units);
	pd_free(f->mname);
	pd_free(f->format);
}

static bool grow(jx *j, void **arr, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return true;
	size_t c = *cap ? *cap : 16;
	while (c < need)
		c *= 2;
	void *n = pd_realloc(*arr, c * size);
	if (!n) {
		j->oom = true;
		return pd_jx_fail(j, "memory");
	}
	*arr = n;
	*cap = c;
	return true;
}

static bool names(jx *j, fg *f)
{
	if (!pd_jx_eat(j, '['))
		return pd_jx_fail(j, "a list of names");
	bool first = true;
	while (pd_jx_item(j, &first, ']')) {
		if (!grow(j, (void **)&f->names, &f->names_cap, f->nnames + 1, sizeof *f->names))
			return false;
		if (!pd_jx_string(j, &f->names[f->nnames]))
			return false;
		f->nnames++;
	}
	return !j->failed;
}

/* The values of one level: 4-tuples turned into nodes with absolute x. */
static bool values(jx *j, fg *f)
{
	if (!pd_jx_eat(j, '['))
		return pd_jx_fail(j, "a list of values");
	bool first = true;
	int64_t t[4], x = 0;
	size_t k = 0, start = f->n;
	while (pd_jx_item(j, &first, ']')) {
		if (!pd_jx_int(j, &t[k]))
			return false;
		if (++k < 4)
			continue;
		k = 0;
		if (t[0] < 0 || t[1] < 0 || t[2] < 0 || t[2] > t[1] || t[3] < 0 ||
		    t[3] > UINT32_MAX)
			return pd_jx_fail(j, "offset, total, self, name: non-negative, self <= total");
		if (f->n > start && __builtin_add_overflow(x, f->v[f->n - 1].total, &x))
			return pd_jx_fail(j, "offsets within 64 bits");
		if (__builtin_add_overflow(x, t[0], &x) || x > INT64_MAX - t[1])
			return pd_jx_fail(j, "offsets within 64 bits");
		if (!grow(j, (void **)&f->v, &f->cap, f->n + 1, sizeof *f->v))
			return false;
		f->v[f->n++] = (fnode){.x = x, .total = t[1], .self = t[2], .name = (uint32_t)t[3]};
	}
	if (k)
		return pd_jx_fail(j, "values in groups of four");
	return !j->failed;
}

static bool levels(jx *j, fg *f)
{
	if (!pd_jx_eat(j, '['))
		return pd_jx_fail(j, "a list of levels");
	bool first = true;
	while (pd_jx_item(j, &first, ']')) {
		if (!grow(j, (void **)&f->lv, &f->lv_cap, f->nlv + 2, sizeof *f->lv))
			return false;
		f->lv[f->nlv++] = f->n;
		if (pd_jx_peek(j, '[')) { /* flamebearer: a plain list */
			if (!values(j, f))
				return false;
			continue;
		}
		if (!pd_jx_eat(j, '{'))
			return pd_jx_fail(j, "a level");
		bool kf = true;
		char key[32];
		while (pd_jx_key(j, &kf, key))
			if (!(strcmp(key, "values") == 0 ? values(j, f) : pd_jx_skip(j)))
				return false;
		if (j->failed)
			return false;
	}
	if (f->lv)
		f->lv[f->nlv] = f->n;
	return !j->failed;
}

static bool str_field(jx *j, char **dst)
{
	pd_free(*dst);
	return pd_jx_string(j, dst);
}

/* An object holding names/levels (and, at the top, the other keys we read). */
static bool object(jx *j, fg *f, int depth)
{
	if (!pd_jx_eat(j, '{'))
		return pd_jx_fail(j, "a JSON object");
	bool first = true, ok = true;
	char key[32];
	while (ok && pd_jx_key(j, &first, key)) {
		if (strcmp(key, "names") == 0)
			ok = names(j, f);
		else if (strcmp(key, "levels") == 0)
			ok = levels(j, f);
		else if (depth == 0 && (strcmp(key, "flamegraph") == 0 ||
					strcmp(key, "flamebearer") == 0 ||
					strcmp(key, "metadata") == 0))
			ok = object(j, f, 1);
		else if (depth == 0 && strcmp(key, "profileTypeID") == 0)
			ok = str_field(j, &f->ptype);
		else if (depth == 1 && strcmp(key, "units") == 0)
			ok = str_field(j, &f->units);
		else if (depth == 1 && strcmp(key, "name") == 0 && pd_jx_peek(j, '"'))
			ok = str_field(j, &f->mname);
		else if (depth == 1 && strcmp(key, "format") == 0 && pd_jx_peek(j, '"'))
			ok = str_field(j, &f->format);
		else if (depth == 1 && strcmp(key, "sampleRate") == 0)
			ok = pd_jx_int(j, &f->rate);
		else
			ok = pd_jx_skip(j);
	}
	return ok && !j->failed;
}

/* Links every node to its parent's child run; PD_EINPUT when one is outside all. */
static pd_status link(fg *f, const char *source, pd_error *err)
{
	for (size_t l = 1; l < f->nlv; l++) {
		size_t p = f->lv[l - 1], pe = f->lv[l];
		for (size_t k = f->lv[l]; k < f->lv[l + 1]; k++) {
			fnode *c = &f->v[k];
			while (p < pe && f->v[p].x + f->v[p].total < c->x + c->total)
				p++;
			if (p == pe || f->v[p].x > c->x)
				return pd_error_set(err, PD_EINPUT,
						    "%s: flamegraph level %zu: a node at %lld lies "
						    "outside every node of the level above",
						    source, l, (long long)c->x);
			if (f->v[p].nchild++ == 0)
				f->v[p].first = (uint32_t)k;
		}
	}
	return PD_OK;
}

typedef struct frame {
	size_t node;
	uint32_t next;  /* children opened so far */
	uint32_t name;  /* builder node, UINT32_MAX for the synthetic root */
	uint32_t e;     /* the edge counted through, UINT32_MAX for none */
} frame;

static pd_status walk(fg *f, pd_xb *b, const uint32_t *ids, bool synthetic)
{
	frame *st = pd_malloc((f->nlv + 1) * sizeof *st);
	if (!st)
		return pd_error_oom(b->err);
	pd_status rc = PD_OK;
	for (size_t r = 0; r < f->lv[1] && !rc; r++) {
		size_t depth = 0;
		st[0] = (frame){.node = r, .name = UINT32_MAX, .e = UINT32_MAX};
		if (__builtin_add_overflow(b->total, f->v[r].total, &b->total)) {
			rc = pd_error_set(b->err, PD_EINPUT, "values overflow 64 bits");
			break;
		}
		if (!synthetic && (rc = pd_xb_open(b, UINT32_MAX, ids[f->v[r].name], f->v[r].total,
						   f->v[r].self, &st[0].e)))
			break;
		if (!synthetic)
			st[0].name = ids[f->v[r].name];
		for (;;) {
			frame *t = &st[depth];
			const fnode *n = &f->v[t->node];
			if (t->next == n->nchild) {
				if (t->name != UINT32_MAX)
					pd_xb_close(b, t->name, t->e);
				if (depth-- == 0)
					break;
				continue;
			}
			size_t c = n->first + t->next++;
			frame *u = &st[++depth];
			*u = (frame){.node = c, .name = ids[f->v[c].name]};
			if ((rc = pd_xb_open(b, t->name, u->name, f->v[c].total, f->v[c].self, &u->e)))
				break;
		}
	}
	pd_free(st);
	return rc;
}

static void profile_type(const fg *f, const pd_exact_opts *o, pd_xb_meta *m, char *type,
			 size_t size)
{
	const char *id = o->profile_type ? o->profile_type : f->ptype;
	m->unit = PD_UNIT_UNKNOWN;
	m->scale = 1;
	if (id) { /* name:sample-type:sample-unit:period-type:period-unit[:delta] */
		const char *a = strchr(id, ':'), *u = a ? strchr(a + 1, ':') : NULL;
		const char *e = u ? strchr(u + 1, ':') : NULL;
		if (e) {
			snprintf(type, size, "%.*s", (int)(u - a - 1), a + 1);
			m->type = type;
			char unit[64];
			snprintf(unit, sizeof unit, "%.*s", (int)(e - u - 1), u + 1);
			m->unit = pd_exact_unit(unit, &m->scale);
		}
		return;
	}
	if (f->mname) {
		snprintf(type, size, "%s", f->mname);
		m->type = type;
	}
	if (f->units) { /* /render: CPU is "samples" at a rate of 1e9, i.e. nanoseconds */
		if (strcmp(f->units, "samples") == 0 && f->rate == 1000000000)
			m->unit = PD_UNIT_NANOS;
		else
			m->unit = pd_exact_unit(f->units, &m->scale);
	}
}

static pd_status build(fg *f, const char *source, const pd_exact_opts *o, pd_profile **out,
		       pd_error *err)
{
	if (f->format && strcmp(f->format, "single") != 0)
		return pd_error_set(err, PD_EINPUT, "%s: a flamebearer of format \"%s\" (a diff?) "
				    "is not a single profile", source, f->format);
	pd_status rc = PD_OK;
	pd_xb b;
	pd_xb_init(&b, err);
	uint32_t *ids = pd_malloc((f->nnames + 1) * sizeof *ids);
	if (!ids)
		return pd_error_oom(err);
	for (size_t i = 0; i < f->n && !rc; i++)
		if (f->v[i].name >= f->nnames)
			rc = pd_error_set(err, PD_EINPUT, "%s: flamegraph name index %u out of range "
					  "(%zu names)", source, f->v[i].name, f->nnames);
	for (size_t i = 0; i < f->nnames && !rc; i++)
		rc = pd_xb_node(&b, f->names[i], NULL, 0, false, &ids[i]);
	bool synthetic = f->nlv > 0 && f->nnames > 0 && strcmp(f->names[0], "total") == 0;
	for (size_t i = 0; synthetic && f->nlv && i < f->lv[1]; i++)
		synthetic = f->v[i].name == 0;
	if (!rc && f->nlv)
		rc = link(f, source, err);
	if (!rc && f->nlv)
		rc = walk(f, &b, ids, synthetic);
	char type[128];
	pd_xb_meta m = {.source = source};
	profile_type(f, o, &m, type, sizeof type);
	if (!rc)
		rc = pd_xb_finish(&b, &m, out);
	pd_free(ids);
	pd_xb_fini(&b);
	return rc;
}

pd_status pd_flamegraph_parse(const char *source, const char *data, size_t len,
			      const pd_exact_opts *o, pd_profile **out, pd_error *err)
{
	pd_exact_opts dflt;
	if (!o) {
		pd_exact_opts_init(&dflt);
		o = &dflt;
	}
	*out = NULL;
	fg f;
	memset(&f, 0, sizeof f);
	jx j = {.start = data, .p = data, .end = data + len};
	pd_status rc = PD_OK;
	if (object(&j, &f, 0)) {
		pd_jx_ws(&j);
		if (j.p != j.end)
			pd_jx_fail(&j, "the end of the input");
	}
	if (j.oom)
		rc = pd_error_oom(err);
	else if (j.failed)
		rc = pd_error_set(err, PD_EINPUT, "%s: not a flamegraph: expected %s at byte %zu",
				  source, j.what, j.at);
	else
		rc = build(&f, source, o, out, err);
	fg_fini(&f);
	return rc;
}
