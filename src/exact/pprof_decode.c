/* profile.proto in two passes over the wire bytes. The first unpacks the small
 * messages (sample types, mappings, locations, functions) one by one with protobuf-c
 * and copies the string table into one block; the second streams the samples through
 * a callback, decoding their packed ids and values in place. Unpacking a whole Profile
 * with protobuf-c costs an allocation per sample and per list (1.8 M samples at 100k
 * functions): that was most of the reader's time and memory. */
#include <string.h>

#include "exact/pprof_decode.h"

static bool varint(const uint8_t **p, const uint8_t *e, uint64_t *v)
{
	uint64_t r = 0;
	for (int s = 0; s < 64 && *p < e; s += 7) {
		uint8_t c = *(*p)++;
		r |= (uint64_t)(c & 0x7f) << s;
		if (!(c & 0x80)) {
			*v = r;
			return true;
		}
	}
	return false;
}

/* The next field at *p: 1 with its number and wire type (a LEN payload in sub/n, a
 * varint in v; fixed-size values skipped), 0 at the end, -1 when malformed. */
static int field(const uint8_t **p, const uint8_t *e, uint32_t *num, uint32_t *wire,
		 const uint8_t **sub, size_t *n, uint64_t *v)
{
	uint64_t key;
	if (*p == e)
		return 0;
	if (!varint(p, e, &key) || key >> 3 == 0 || key >> 3 > UINT32_MAX)
		return -1;
	*num = (uint32_t)(key >> 3);
	*wire = (uint32_t)(key & 7);
	switch (*wire) {
	case 0:
		return varint(p, e, v) ? 1 : -1;
	case 1:
	case 5: {
		size_t k = *wire == 1 ? 8 : 4;
		if ((size_t)(e - *p) < k)
			return -1;
		*p += k;
		return 1;
	}
	case 2:
		if (!varint(p, e, v) || *v > (uint64_t)(e - *p))
			return -1;
		*sub = *p;
		*n = (size_t)*v;
		*p += *n;
		return 1;
	default:
		return -1; /* groups: not in profile.proto */
	}
}

static bool push(void ***arr, size_t *n, size_t *cap, void *x)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 64;
		void **a = pd_realloc(*arr, c * sizeof *a);
		if (!a)
			return false;
		*arr = a;
		*cap = c;
	}
	(*arr)[(*n)++] = x;
	return true;
}

typedef struct strref {
	const uint8_t *p;
	size_t n;
} strref;

pd_status pd_pprof_decode(const char *source, const uint8_t *d, size_t len,
			  ProtobufCAllocator *a, const bool *oom, pd_pprof_msg *m, pd_error *err)
{
	memset(m, 0, sizeof *m);
	perftools__profiles__profile__init(&m->p);
	m->a = a;
	m->data = d;
	m->len = len;
	size_t caps[4] = {0}, nstr = 0, strcap = 0, bytes = 0;
	strref *strs = NULL;
	const uint8_t *p = d, *e = d + len, *sub = NULL;
	uint32_t num, wire;
	size_t n = 0;
	uint64_t v = 0;
	int f;
	pd_status rc = PD_OK;
	while ((f = field(&p, e, &num, &wire, &sub, &n, &v)) == 1) {
		void *x = NULL;
		bool ok = true;
		if (wire == 2 && num >= 1 && num <= 5 && num != 2) {
			switch (num) {
			case 1:
				x = perftools__profiles__value_type__unpack(a, n, sub);
				ok = x && push((void ***)&m->p.sample_type, &m->p.n_sample_type, &caps[0], x);
				break;
			case 3:
				x = perftools__profiles__mapping__unpack(a, n, sub);
				ok = x && push((void ***)&m->p.mapping, &m->p.n_mapping, &caps[1], x);
				break;
			case 4:
				x = perftools__profiles__location__unpack(a, n, sub);
				ok = x && push((void ***)&m->p.location, &m->p.n_location, &caps[2], x);
				break;
			case 5:
				x = perftools__profiles__function__unpack(a, n, sub);
				ok = x && push((void ***)&m->p.function, &m->p.n_function, &caps[3], x);
				break;
			}
			if (x && !ok) /* not in the list yet: free it here */
				protobuf_c_message_free_unpacked(x, a);
		} else if (wire == 2 && num == 6) {
			if (nstr == strcap) {
				strcap = strcap ? 2 * strcap : 256;
				strref *s = pd_realloc(strs, strcap * sizeof *s);
				if (!s) {
					rc = pd_error_oom(err);
					goto out;
				}
				strs = s;
			}
			strs[nstr++] = (strref){sub, n};
			bytes += n + 1;
		} else if (wire == 0 && num == 10) {
			m->p.duration_nanos = (int64_t)v;
		} else if (wire == 0 && num == 14) {
			m->p.default_sample_type = (int64_t)v;
		}
		if (!ok) {
			rc = *oom || x ? pd_error_oom(err)
				       : pd_error_set(err, PD_EINPUT,
						      "%s: not a pprof profile (field %u does not decode)",
						      source, num);
			goto out;
		}
	}
	if (f < 0) {
		rc = pd_error_set(err, PD_EINPUT,
				  "%s: not a pprof profile (the protobuf does not decode at byte %zu)",
				  source, (size_t)(p - d));
		goto out;
	}
	/* NUL-terminated copies, as protobuf-c would give (a NUL inside ends the name) */
	m->strings = pd_malloc(bytes + 1);
	m->p.string_table = pd_malloc((nstr + 1) * sizeof *m->p.string_table);
	if (!m->strings || !m->p.string_table) {
		rc = pd_error_oom(err);
		goto out;
	}
	char *w = m->strings;
	for (size_t i = 0; i < nstr; i++) {
		memcpy(w, strs[i].p, strs[i].n);
		w[strs[i].n] = '\0';
		m->p.string_table[i] = w;
		w += strs[i].n + 1;
	}
	m->p.n_string_table = nstr;
out:
	pd_free(strs);
	return rc;
}

void pd_pprof_msg_fini(pd_pprof_msg *m)
{
	ProtobufCMessage **lists[] = {(ProtobufCMessage **)m->p.sample_type,
				      (ProtobufCMessage **)m->p.mapping,
				      (ProtobufCMessage **)m->p.location,
				      (ProtobufCMessage **)m->p.function};
	size_t counts[] = {m->p.n_sample_type, m->p.n_mapping, m->p.n_location, m->p.n_function};
	for (size_t k = 0; k < 4; k++) {
		for (size_t i = 0; i < counts[k]; i++)
			protobuf_c_message_free_unpacked(lists[k][i], m->a);
		pd_free(lists[k]);
	}
	pd_free(m->p.string_table);
	pd_free(m->strings);
	memset(m, 0, sizeof *m);
}

/* Appends the varints of a packed (wire 2) or single (wire 0) repeated field. */
static bool repeated(uint32_t wire, const uint8_t *sub, size_t n, uint64_t v, uint64_t **arr,
		     size_t *len, size_t *cap, bool *oom)
{
	const uint8_t *p = sub, *e = sub ? sub + n : sub; /* no sub for a single varint */
	for (;;) {
		if (wire == 2) {
			if (p == e)
				return true;
			if (!varint(&p, e, &v))
				return false;
		}
		if (*len == *cap) {
			size_t c = *cap * 2;
			uint64_t *a = pd_realloc(*arr, c * sizeof *a);
			if (!a) {
				*oom = true;
				return false;
			}
			*arr = a;
			*cap = c;
		}
		(*arr)[(*len)++] = v;
		if (wire != 2)
			return true;
	}
}

pd_status pd_pprof_each_sample(const pd_pprof_msg *m, const char *source, pd_pprof_sample_fn fn,
			       void *ctx, pd_error *err)
{
	size_t lcap = 64, vcap = 8;
	uint64_t *locs = pd_malloc(lcap * sizeof *locs), *vals = pd_malloc(vcap * sizeof *vals);
	pd_status rc = PD_OK;
	if (!locs || !vals) {
		rc = pd_error_oom(err);
		goto out;
	}
	const uint8_t *p = m->data, *e = m->data + m->len, *sub = NULL;
	uint32_t num, wire;
	size_t n = 0, index = 0;
	uint64_t v = 0;
	while (rc == PD_OK && field(&p, e, &num, &wire, &sub, &n, &v) == 1) {
		if (num != 2 || wire != 2)
			continue;
		const uint8_t *q = sub, *qe = sub + n, *s2 = NULL;
		size_t nl = 0, nv = 0, n2 = 0;
		uint32_t f2, w2;
		uint64_t v2 = 0;
		bool oom = false;
		int k;
		while ((k = field(&q, qe, &f2, &w2, &s2, &n2, &v2)) == 1) {
			bool ok = true;
			if (f2 == 1 && (w2 == 0 || w2 == 2))
				ok = repeated(w2, s2, n2, v2, &locs, &nl, &lcap, &oom);
			else if (f2 == 2 && (w2 == 0 || w2 == 2))
				ok = repeated(w2, s2, n2, v2, &vals, &nv, &vcap, &oom);
			if (!ok) {
				k = -1;
				break;
			}
		}
		if (oom)
			rc = pd_error_oom(err);
		else if (k < 0)
			rc = pd_error_set(err, PD_EINPUT, "%s: sample %zu does not decode", source,
					  index);
		else
			rc = fn(ctx, index++, locs, nl, (const int64_t *)(const void *)vals, nv);
	}
out:
	pd_free(locs);
	pd_free(vals);
	return rc;
}
