/* Exact inputs for the emulator: a pprof profile loaded once, its Pyroscope-style
 * function tree (one frame per location line, function names only, children in name
 * order), and the flamegraph encoding with Pyroscope's truncation into `other`
 * (pkg/model/flamegraph.go: nodes whose total is below the max_nodes-th largest go). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "exact/exact.h"
#include "exact_data.h"
#include "profile.pb-c.h"

typedef struct tnode {
	const char *name;
	int64_t total, self;
	size_t first, next; /* first child, next sibling (0 = none; 0 is the root) */
} tnode;

struct emu_prof {
	pd_buf raw;
	Perftools__Profiles__Profile *p;
	tnode *t;
	size_t n, cap;
};

static void die(const char *what, const char *path)
{
	fprintf(stderr, "emulator: %s: %s\n", path, what);
	exit(2);
}

static size_t child(emu_prof *e, size_t parent, const char *name)
{
	size_t *link = &e->t[parent].first;
	while (*link && strcmp(e->t[*link].name, name) < 0)
		link = &e->t[*link].next;
	if (*link && strcmp(e->t[*link].name, name) == 0)
		return *link;
	if (e->n == e->cap) {
		e->cap = e->cap ? 2 * e->cap : 64;
		e->t = realloc(e->t, e->cap * sizeof *e->t);
		if (!e->t)
			die("out of memory", "tree");
		link = &e->t[parent].first; /* t moved: find the slot again */
		while (*link && strcmp(e->t[*link].name, name) < 0)
			link = &e->t[*link].next;
	}
	size_t k = e->n++;
	e->t[k] = (tnode){.name = name, .next = *link};
	*link = k;
	return k;
}

static const Perftools__Profiles__Function *fn_of(const Perftools__Profiles__Profile *p,
						  uint64_t id)
{
	for (size_t i = 0; i < p->n_function; i++)
		if (p->function[i]->id == id)
			return p->function[i];
	return NULL;
}

static const Perftools__Profiles__Location *loc_of(const Perftools__Profiles__Profile *p,
						   uint64_t id)
{
	for (size_t i = 0; i < p->n_location; i++)
		if (p->location[i]->id == id)
			return p->location[i];
	return NULL;
}

emu_prof *emu_prof_load(const char *dot_path)
{
	char path[4096];
	size_t n = strlen(dot_path);
	if (n < 4 || strcmp(dot_path + n - 4, ".dot") != 0 || n + 3 >= sizeof path)
		return NULL;
	snprintf(path, sizeof path, "%.*s.pb.gz", (int)(n - 4), dot_path);
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fclose(f);
	emu_prof *e = calloc(1, sizeof *e);
	pd_buf gz;
	pd_error err;
	pd_buf_init(&gz, 0);
	pd_buf_init(&e->raw, 0);
	if (pd_read_file(path, &gz, &err) || pd_gunzip(path, gz.data, gz.len, &e->raw, &err))
		die(err.msg, path);
	pd_buf_fini(&gz);
	e->p = perftools__profiles__profile__unpack(NULL, e->raw.len, (const uint8_t *)e->raw.data);
	if (!e->p || e->p->n_sample_type == 0)
		die("not a pprof profile", path);
	const Perftools__Profiles__Profile *p = e->p;
	size_t si = p->n_sample_type - 1; /* pprof's default for these fixtures */
	e->cap = 64;
	e->t = calloc(e->cap, sizeof *e->t);
	e->t[e->n++] = (tnode){.name = "total"}; /* the root, index 0 */
	for (size_t s = 0; s < p->n_sample; s++) {
		int64_t v = p->sample[s]->value[si];
		size_t at = 0;
		e->t[0].total += v;
		for (size_t k = p->sample[s]->n_location_id; k-- > 0;) {
			const Perftools__Profiles__Location *l = loc_of(p, p->sample[s]->location_id[k]);
			if (!l)
				die("sample with an unknown location", path);
			for (size_t j = l->n_line; j-- > 0;) {
				const Perftools__Profiles__Function *fn = fn_of(p, l->line[j]->function_id);
				if (!fn || fn->name < 0 || (size_t)fn->name >= p->n_string_table)
					die("line with an unknown function", path);
				at = child(e, at, p->string_table[fn->name]);
				e->t[at].total += v;
			}
		}
		e->t[at].self += v;
	}
	return e;
}

void emu_prof_free(emu_prof *e)
{
	if (!e)
		return;
	perftools__profiles__profile__free_unpacked(e->p, NULL);
	pd_buf_fini(&e->raw);
	free(e->t);
	free(e);
}

const char *emu_pprof(const emu_prof *e, size_t *len)
{
	*len = e->raw.len;
	return e->raw.data;
}

static int cmp_desc(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x > y ? -1 : x < y;
}

typedef struct out {
	char **names;
	size_t nnames;
	pd_buf *levels; /* one "v,v,v,v" list per level */
	int64_t *end;   /* x where the last node of each level ends */
	size_t nlevels;
	int64_t max_self;
} out;

static size_t name_index(out *o, const char *name)
{
	for (size_t i = 0; i < o->nnames; i++)
		if (strcmp(o->names[i], name) == 0)
			return i;
	o->names = realloc(o->names, (o->nnames + 1) * sizeof *o->names);
	o->names[o->nnames] = (char *)(uintptr_t)name;
	return o->nnames++;
}

static void put(out *o, size_t depth, int64_t x, int64_t total, int64_t self, const char *name)
{
	if (depth == o->nlevels) {
		o->levels = realloc(o->levels, (depth + 1) * sizeof *o->levels);
		o->end = realloc(o->end, (depth + 1) * sizeof *o->end);
		pd_buf_init(&o->levels[depth], 0);
		o->end[depth] = 0;
		o->nlevels++;
	}
	pd_buf *b = &o->levels[depth];
	pd_buf_printf(b, "%s\"%lld\",\"%lld\",\"%lld\",\"%zu\"", b->len ? "," : "",
		      (long long)(x - o->end[depth]), (long long)total, (long long)self,
		      name_index(o, name));
	o->end[depth] = x + total;
	if (self > o->max_self)
		o->max_self = self;
}

static void emit(const emu_prof *e, out *o, size_t k, size_t depth, int64_t x, int64_t min)
{
	const tnode *t = &e->t[k];
	put(o, depth, x, t->total, t->self, t->name);
	int64_t cx = x, other = 0;
	for (size_t c = t->first; c; c = e->t[c].next) {
		if (e->t[c].total >= min && strcmp(e->t[c].name, "other") != 0) {
			emit(e, o, c, depth + 1, cx, min);
			cx += e->t[c].total;
		} else {
			other += e->t[c].total;
		}
	}
	if (other)
		put(o, depth + 1, cx, other, other, "other");
}

char *emu_flamegraph(const emu_prof *e, long max_nodes)
{
	int64_t min = 0;
	if (max_nodes > 0 && (size_t)max_nodes < e->n) { /* root excluded: n - 1 nodes */
		int64_t *tot = malloc(e->n * sizeof *tot);
		for (size_t i = 1; i < e->n; i++)
			tot[i - 1] = e->t[i].total;
		qsort(tot, e->n - 1, sizeof *tot, cmp_desc);
		min = tot[max_nodes - 1];
		free(tot);
	}
	out o = {0};
	emit(e, &o, 0, 0, 0, min);
	pd_buf j;
	pd_buf_init(&j, 0);
	pd_buf_puts(&j, "{\"flamegraph\":{\"names\":[");
	for (size_t i = 0; i < o.nnames; i++)
		pd_buf_printf(&j, "%s\"%s\"", i ? "," : "", o.names[i]); /* fixture names need no escapes */
	pd_buf_puts(&j, "],\"levels\":[");
	for (size_t i = 0; i < o.nlevels; i++) {
		pd_buf_printf(&j, "%s{\"values\":[%s]}", i ? "," : "", o.levels[i].data);
		pd_buf_fini(&o.levels[i]);
	}
	pd_buf_printf(&j, "],\"total\":\"%lld\",\"maxSelf\":\"%lld\"}}", (long long)e->t[0].total,
		      (long long)o.max_self);
	free(o.names);
	free(o.levels);
	free(o.end);
	return j.data;
}

static bool varint(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
	*v = 0;
	for (int s = 0; s < 64 && *p < end; s += 7) {
		unsigned char c = *(*p)++;
		*v |= (uint64_t)(c & 0x7f) << s;
		if (!(c & 0x80))
			return true;
	}
	return false;
}

bool emu_merge_request(const char *b, size_t n, int64_t *start, int64_t *end, int64_t *max_nodes)
{
	const unsigned char *p = (const unsigned char *)b, *e = p + n;
	*start = *end = *max_nodes = 0;
	while (p < e) {
		uint64_t key, v;
		if (!varint(&p, e, &key))
			return false;
		if ((key & 7) == 0) {
			if (!varint(&p, e, &v))
				return false;
			if (key >> 3 == 3)
				*start = (int64_t)v;
			else if (key >> 3 == 4)
				*end = (int64_t)v;
			else if (key >> 3 == 5)
				*max_nodes = (int64_t)v;
		} else if ((key & 7) == 2) {
			if (!varint(&p, e, &v) || v > (uint64_t)(e - p))
				return false;
			p += v;
		} else {
			return false;
		}
	}
	return true;
}
