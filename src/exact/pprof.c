/* pprof protobuf (profile.proto, gzipped or not) -> pd_profile, with zlib and
 * protobuf-c (pprof_decode.c streams the samples). Frames come from locations, one per
 * Line (Line[0] is the innermost inlined frame), named like pprof's functions/-lines
 * granularity; the sample value is picked like pprof's -sample_index. Every index into
 * the string table is checked. Not applied: drop_frames/keep_frames (pprof's
 * RemoveUninteresting), which Go and Pyroscope leave empty. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "exact/internal.h"
#include "exact/pprof_decode.h"

#define GUNZIP_MAX ((size_t)1 << 30)

pd_status pd_gunzip(const char *source, const void *data, size_t len, pd_buf *out,
		    pd_error *err)
{
	size_t limit = out->limit ? out->limit : GUNZIP_MAX;
	z_stream z;
	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 15 + 16) != Z_OK)
		return pd_error_oom(err);
	z.next_in = (Bytef *)(uintptr_t)data;
	pd_status rc = PD_OK;
	int zr = Z_OK;
	while (zr != Z_STREAM_END) {
		if (len == 0 && z.avail_in == 0) {
			rc = pd_error_set(err, PD_EINPUT, "%s: gzip data is truncated", source);
			break;
		}
		if (z.avail_in == 0) { /* feed at most 1 GiB at a time (uInt) */
			z.avail_in = len > (1u << 30) ? (1u << 30) : (uInt)len;
			len -= z.avail_in;
		}
		size_t room = out->len < 65536 ? 65536 : out->len;
		if (out->len + room > limit)
			room = limit - out->len;
		if (room == 0) {
			rc = pd_error_set(err, PD_EINPUT, "%s: inflates to more than %zu bytes", source,
					  limit);
			break;
		}
		if (!pd_buf_reserve(out, room)) {
			rc = out->over_limit ? pd_error_set(err, PD_EINPUT,
							    "%s: inflates to more than %zu bytes",
							    source, limit)
					     : pd_error_oom(err);
			break;
		}
		z.next_out = (Bytef *)out->data + out->len;
		z.avail_out = (uInt)room;
		zr = inflate(&z, Z_NO_FLUSH);
		out->len += room - z.avail_out;
		out->data[out->len] = '\0';
		if (zr == Z_MEM_ERROR) {
			rc = pd_error_oom(err);
			break;
		}
		if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR) {
			rc = pd_error_set(err, PD_EINPUT, "%s: corrupt gzip data (%s)", source,
					  z.msg ? z.msg : "inflate failed");
			break;
		}
		if (zr == Z_BUF_ERROR && z.avail_in == 0 && len == 0) {
			rc = pd_error_set(err, PD_EINPUT, "%s: gzip data is truncated", source);
			break;
		}
	}
	inflateEnd(&z);
	return rc;
}

/* protobuf-c's allocations through the hook; ctx records a failure, since unpack
 * returns NULL alike for malformed input and for want of memory. */
static void *pc_alloc(void *ctx, size_t n)
{
	void *p = pd_malloc(n ? n : 1);
	if (!p)
		*(bool *)ctx = true;
	return p;
}

static void pc_free(void *ctx, void *p)
{
	(void)ctx;
	pd_free(p);
}

typedef struct reader {
	const char *source;
	const Perftools__Profiles__Profile *p;
	const pd_exact_opts *o;
	pd_xb b;
	uint32_t **loc_nodes;  /* per location (in message order): its frames' nodes */
	uint8_t **loc_inl;
	size_t *loc_n;
	pd_error *err;
} reader;

/* string_table[i], or NULL (error set) when i is out of range. */
static const char *str_at(reader *r, int64_t i, const char *what)
{
	if (i < 0 || (uint64_t)i >= r->p->n_string_table) {
		pd_error_set(r->err, PD_EINPUT, "%s: %s string index %lld out of range", r->source,
			     what, (long long)i);
		return NULL;
	}
	return r->p->string_table[i];
}

static int cmp_id(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* ids[k] = {id, position}: sorted for bsearch; NULL when out of memory. */
static uint64_t *index_ids(size_t n, uint64_t (*id)(const void *, size_t), const void *arr)
{
	uint64_t *ids = pd_malloc((2 * n + 1) * sizeof *ids);
	if (!ids)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		ids[2 * i] = id(arr, i);
		ids[2 * i + 1] = i;
	}
	qsort(ids, n, 2 * sizeof *ids, cmp_id);
	return ids;
}

static long find_id(const uint64_t *ids, size_t n, uint64_t id)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ids[2 * mid] < id)
			lo = mid + 1;
		else if (ids[2 * mid] > id)
			hi = mid;
		else
			return (long)ids[2 * mid + 1];
	}
	return -1;
}

static uint64_t fn_id(const void *a, size_t i)
{
	return ((Perftools__Profiles__Function *const *)a)[i]->id;
}
static uint64_t loc_id(const void *a, size_t i)
{
	return ((Perftools__Profiles__Location *const *)a)[i]->id;
}
static uint64_t map_id(const void *a, size_t i)
{
	return ((Perftools__Profiles__Mapping *const *)a)[i]->id;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s && s[1] ? s + 1 : path;
}

/* The node of a location without a function: pprof's "[binary]" or "<unknown>". */
static pd_status bare_node(reader *r, const Perftools__Profiles__Location *l,
			   const uint64_t *maps, uint32_t *idx)
{
	const char *obj = "";
	long m = l->mapping_id ? find_id(maps, r->p->n_mapping, l->mapping_id) : -1;
	if (m >= 0 && !(obj = str_at(r, r->p->mapping[m]->filename, "mapping file")))
		return PD_EINPUT;
	char name[512];
	if (*obj)
		snprintf(name, sizeof name, "[%s]", base_name(obj));
	else
		snprintf(name, sizeof name, "<unknown>");
	return pd_xb_node(&r->b, name, NULL, 0, false, idx);
}

static pd_status locations(reader *r)
{
	const Perftools__Profiles__Profile *p = r->p;
	pd_status rc = PD_OK;
	uint64_t *fns = index_ids(p->n_function, fn_id, p->function);
	uint64_t *maps = index_ids(p->n_mapping, map_id, p->mapping);
	/* Function granularity: a function's node depends on its name only, so it is
	 * looked up once, not once per location line. */
	uint32_t *fn_node = pd_malloc((p->n_function + 1) * sizeof *fn_node);
	if (fn_node)
		memset(fn_node, 0xff, (p->n_function + 1) * sizeof *fn_node);
	r->loc_nodes = pd_calloc(p->n_location + 1, sizeof *r->loc_nodes);
	r->loc_inl = pd_calloc(p->n_location + 1, sizeof *r->loc_inl);
	r->loc_n = pd_calloc(p->n_location + 1, sizeof *r->loc_n);
	if (!fns || !maps || !fn_node || !r->loc_nodes || !r->loc_inl || !r->loc_n) {
		rc = pd_error_oom(r->err);
		goto out;
	}
	for (size_t i = 0; i < p->n_location && !rc; i++) {
		const Perftools__Profiles__Location *l = p->location[i];
		size_t n = l->n_line ? l->n_line : 1;
		r->loc_nodes[i] = pd_malloc(n * sizeof **r->loc_nodes);
		r->loc_inl[i] = pd_malloc(n);
		if (!r->loc_nodes[i] || !r->loc_inl[i]) {
			rc = pd_error_oom(r->err);
			break;
		}
		r->loc_n[i] = n;
		for (size_t k = 0; k < n && !rc; k++) {
			r->loc_inl[i][k] = k + 1 < n; /* inlined into the next line */
			long f = l->n_line ? find_id(fns, p->n_function, l->line[k]->function_id) : -1;
			const char *name = "", *file = NULL;
			if (f >= 0) {
				const Perftools__Profiles__Function *fn = p->function[f];
				if (!(name = str_at(r, fn->name, "function name")) ||
				    !(file = str_at(r, fn->filename, "file name"))) {
					rc = PD_EINPUT;
					break;
				}
			} else if (l->n_line && l->line[k]->function_id) {
				rc = pd_error_set(r->err, PD_EINPUT,
						  "%s: location %llu: no function %llu", r->source,
						  (unsigned long long)l->id,
						  (unsigned long long)l->line[k]->function_id);
				break;
			}
			uint32_t *node = &r->loc_nodes[i][k];
			if (!*name)
				rc = bare_node(r, l, maps, node);
			else if (!r->o->lines && fn_node[f] != UINT32_MAX)
				*node = fn_node[f];
			else if (!(rc = pd_xb_node(&r->b, name, file, l->line[k]->line, r->o->lines,
						   node)) && !r->o->lines)
				fn_node[f] = *node;
		}
	}
out:
	pd_free(fns);
	pd_free(maps);
	pd_free(fn_node);
	return rc;
}

/* pprof's SampleIndexByName. */
static pd_status sample_index(reader *r, size_t *out)
{
	const Perftools__Profiles__Profile *p = r->p;
	const char *want = r->o->sample_index;
	if (p->n_sample_type == 0)
		return pd_error_set(r->err, PD_EINPUT, "%s: profile has no sample types", r->source);
	const char *dflt = "";
	if ((!want || !*want) && p->default_sample_type) {
		if (!(dflt = str_at(r, p->default_sample_type, "default sample type")))
			return PD_EINPUT;
		want = dflt;
	}
	if (!want || !*want) {
		*out = p->n_sample_type - 1;
		return PD_OK;
	}
	char *end;
	long long v = strtoll(want, &end, 10);
	if (want != dflt && *want && !*end) {
		if (v < 0 || (unsigned long long)v >= p->n_sample_type)
			return pd_error_set(r->err, PD_EINPUT,
					    "%s: sample_index %s is outside the range [0..%zu]",
					    r->source, want, p->n_sample_type - 1);
		*out = (size_t)v;
		return PD_OK;
	}
	const char *no_inuse = strncmp(want, "inuse_", 6) == 0 ? want + 6 : want;
	pd_buf names;
	pd_buf_init(&names, 4096);
	for (size_t i = 0; i < p->n_sample_type; i++) {
		const char *t = str_at(r, p->sample_type[i]->type, "sample type");
		if (!t) {
			pd_buf_fini(&names);
			return PD_EINPUT;
		}
		if (strcmp(t, want) == 0 || strcmp(t, no_inuse) == 0) {
			pd_buf_fini(&names);
			*out = i;
			return PD_OK;
		}
		pd_buf_printf(&names, "%s%s", i ? " " : "", t);
	}
	if (want == dflt) { /* a default naming no type: pprof falls back to the last */
		pd_buf_fini(&names);
		*out = p->n_sample_type - 1;
		return PD_OK;
	}
	pd_error_set(r->err, PD_EINPUT, "%s: sample_index \"%s\" must be one of: [%s]", r->source,
		     want, names.data ? names.data : "");
	pd_buf_fini(&names);
	return PD_EINPUT;
}

/* Per-sample state of the second pass. */
typedef struct walk {
	reader *r;
	size_t si;
	const uint64_t *locs; /* sorted {id, position} pairs, when ids are not 1..n */
	bool dense;
	uint32_t *frames;
	uint8_t *inl;
	size_t cap;
} walk;

static pd_status one_sample(void *ctx, size_t s, const uint64_t *ids, size_t nids,
			    const int64_t *vals, size_t nvals)
{
	walk *w = ctx;
	reader *r = w->r;
	const Perftools__Profiles__Profile *p = r->p;
	if (nvals != p->n_sample_type)
		return pd_error_set(r->err, PD_EINPUT, "%s: sample %zu has %zu values for %zu sample types",
				    r->source, s, nvals, p->n_sample_type);
	if (vals[w->si] == 0)
		return PD_OK; /* pprof skips them before looking at the stack */
	size_t n = 0;
	for (size_t k = 0; k < nids; k++) {
		uint64_t id = ids[k];
		long li = w->dense ? (id >= 1 && id <= p->n_location ? (long)(id - 1) : -1)
				   : find_id(w->locs, p->n_location, id);
		if (li < 0)
			return pd_error_set(r->err, PD_EINPUT, "%s: sample %zu: no location %llu",
					    r->source, s, (unsigned long long)id);
		size_t ln = r->loc_n[li];
		if (n + ln > w->cap) {
			size_t cap = w->cap;
			while (n + ln > cap)
				cap *= 2;
			uint32_t *nf = pd_realloc(w->frames, cap * sizeof *nf);
			if (nf)
				w->frames = nf;
			uint8_t *ni = pd_realloc(w->inl, cap);
			if (ni)
				w->inl = ni;
			if (!nf || !ni)
				return pd_error_oom(r->err);
			w->cap = cap;
		}
		memcpy(w->frames + n, r->loc_nodes[li], ln * sizeof *w->frames);
		memcpy(w->inl + n, r->loc_inl[li], ln);
		n += ln;
	}
	return pd_xb_sample(&r->b, w->frames, w->inl, n, vals[w->si]);
}

static pd_status samples(reader *r, const pd_pprof_msg *m, size_t si)
{
	const Perftools__Profiles__Profile *p = r->p;
	walk w = {.r = r, .si = si, .cap = 64, .dense = true};
	pd_status rc;
	w.locs = index_ids(p->n_location, loc_id, p->location);
	w.frames = pd_malloc(w.cap * sizeof *w.frames);
	w.inl = pd_malloc(w.cap);
	if (!w.locs || !w.frames || !w.inl) {
		rc = pd_error_oom(r->err);
		goto out;
	}
	/* Go writes ids 1..n in order: index directly when so. */
	for (size_t i = 0; i < p->n_location && w.dense; i++)
		w.dense = p->location[i]->id == i + 1;
	rc = pd_pprof_each_sample(m, r->source, one_sample, &w, r->err);
out:
	pd_free((void *)(uintptr_t)w.locs);
	pd_free(w.frames);
	pd_free(w.inl);
	return rc;
}

static pd_status build(reader *r, const pd_pprof_msg *msg, pd_profile **out)
{
	const Perftools__Profiles__Profile *p = r->p;
	size_t si = 0;
	pd_status rc;
	if ((rc = sample_index(r, &si)) || (rc = locations(r)) || (rc = samples(r, msg, si)))
		return rc;
	const char *type = str_at(r, p->sample_type[si]->type, "sample type");
	const char *unit = str_at(r, p->sample_type[si]->unit, "sample unit");
	if (!type || !unit)
		return PD_EINPUT;
	pd_xb_meta m = {.source = r->source, .type = type, .lines = r->o->lines,
			.duration_ns = p->duration_nanos};
	m.unit = pd_exact_unit(unit, &m.scale);
	/* pprof's title: the main binary's base name. */
	if (p->n_mapping) {
		const char *f = str_at(r, p->mapping[0]->filename, "mapping file");
		if (!f)
			return PD_EINPUT;
		if (*f)
			m.title = base_name(f);
	}
	return pd_xb_finish(&r->b, &m, out);
}

pd_status pd_pprof_parse(const char *source, const void *data, size_t len,
			 const pd_exact_opts *o, pd_profile **out, pd_error *err)
{
	pd_exact_opts dflt;
	if (!o) {
		pd_exact_opts_init(&dflt);
		o = &dflt;
	}
	*out = NULL;
	pd_buf raw;
	pd_buf_init(&raw, 0);
	const unsigned char *d = data;
	pd_status rc;
	if (len >= 2 && d[0] == 0x1f && d[1] == 0x8b) {
		if ((rc = pd_gunzip(source, data, len, &raw, err))) {
			pd_buf_fini(&raw);
			return rc;
		}
		d = raw.data ? (const unsigned char *)raw.data : (const unsigned char *)"";
		len = raw.len;
	}
	bool oom = false;
	ProtobufCAllocator a = {pc_alloc, pc_free, &oom};
	pd_pprof_msg m;
	reader r = {.source = source, .p = &m.p, .o = o, .err = err};
	pd_xb_init(&r.b, err);
	rc = pd_pprof_decode(source, d, len, &a, &oom, &m, err);
	if (rc == PD_OK)
		rc = build(&r, &m, out);
	for (size_t i = 0; i < m.p.n_location; i++) {
		if (r.loc_nodes)
			pd_free(r.loc_nodes[i]);
		if (r.loc_inl)
			pd_free(r.loc_inl[i]);
	}
	pd_free(r.loc_nodes);
	pd_free(r.loc_inl);
	pd_free(r.loc_n);
	pd_xb_fini(&r.b);
	pd_pprof_msg_fini(&m);
	pd_buf_fini(&raw);
	return rc;
}
