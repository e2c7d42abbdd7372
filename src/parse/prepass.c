/* Attribute-dropping pre-pass for DOT (see prepass.h). One left-to-right scan; the
 * output is never longer than the input. An attribute list belongs to an edge when it
 * follows "a -> b" directly; an ID after the head starts a new node statement. A node's
 * list keeps a superset of an edge's, so a misjudged edge only keeps more. Every
 * divergence from plain libcgraph parsing is a bug: tests/fuzz/fuzz_prepass hunts them. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse/prepass.h"
#include "base/alloc.h"

/* DOT ID characters of an unquoted identifier or numeral (bytes >= 0x80 included). */
static bool idchar(unsigned char c)
{
	return c == '_' || c == '.' || c == '-' || c >= 0x80 || (c >= '0' && c <= '9') ||
	       ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

static bool alpha(unsigned char c)
{
	return c == '_' || c >= 0x80 || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

static bool digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* One ID (quoted or bare) at p, or NULL when there is none / it is unsupported. A bare
 * ID must lex as exactly one DOT token, a name ([A-Za-z_\200-\377][A-Za-z_0-9\200-\377]*)
 * or a numeral (-?(.[0-9]+|[0-9]+(.[0-9]*)?)): anything else ("2\2534", "1.2.3") is
 * something libcgraph splits, warns about or rejects, so the caller must see the
 * original text. */
static const char *idend(const char *p, const char *e)
{
	if (p < e && *p == '"')
		return pd_dot_qend(p, e);
	const char *s = p;
	if (p < e && alpha((unsigned char)*p)) {
		while (p < e && (alpha((unsigned char)*p) || digit((unsigned char)*p)))
			p++;
	} else {
		if (p < e && *p == '-')
			p++;
		const char *digits = p;
		while (p < e && digit((unsigned char)*p))
			p++;
		bool before = p > digits;
		if (p < e && *p == '.') {
			p++;
			const char *frac = p;
			while (p < e && digit((unsigned char)*p))
				p++;
			if (!before && p == frac)
				return NULL;
		} else if (!before) {
			return NULL;
		}
	}
	if (p == s || (p < e && idchar((unsigned char)*p)))
		return NULL;
	return p;
}

static const char *skipws(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* White space and at most one ',' or ';' — allowed only after an assignment, as in
 * DOT's grammar ("[,a=b]" and "[a=b,,c=d]" are syntax errors). NULL when misplaced. */
static const char *skipsep(const char *p, const char *e, bool after_attr)
{
	p = skipws(p, e);
	if (p < e && (*p == ',' || *p == ';')) {
		if (!after_attr)
			return NULL;
		p = skipws(p + 1, e);
		if (p < e && (*p == ',' || *p == ';'))
			return NULL;
	}
	return p;
}

static bool keyis(const char *k, size_t n, const char *name)
{
	return strlen(name) == n && memcmp(k, name, n) == 0;
}

static bool keep(const char *k, size_t n, bool edge)
{
	/* key: libcgraph merges edge statements with the same key into one edge. */
	if (keyis(k, n, "label") || keyis(k, n, "style") || keyis(k, n, "key"))
		return true;
	return !edge && (keyis(k, n, "tooltip") || keyis(k, n, "shape"));
}

/* The first n of DOT's keywords (any case): node, edge and graph start attribute
 * statements; none of the six is an ID, so none can be a key or a value. */
static bool keyword_of(const char *k, size_t len, size_t n)
{
	static const char *const kw[] = {"node", "edge", "graph", "digraph", "subgraph", "strict"};
	for (size_t i = 0; i < n; i++)
		if (strlen(kw[i]) == len && strncasecmp(k, kw[i], len) == 0)
			return true;
	return false;
}

static bool keyword(const char *k, size_t n)
{
	return keyword_of(k, n, 3);
}

/* Where node lists go in reference mode (refs != NULL): text is the input's start. */
typedef struct scan {
	const char *text;
	pd_refs *refs;
	const char *id, *id_end; /* the last node ID read: whose list a reference is */
} scan;

static bool ref_add(pd_refs *r, size_t off, size_t name, size_t name_len)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 1024;
		pd_ref *no = pd_realloc(r->ref, cap * sizeof *no);
		if (!no)
			return false;
		r->ref = no;
		r->cap = cap;
	}
	r->ref[r->n++] = (pd_ref){off, name, name_len};
	return true;
}

/* Copies the attribute list at p ('[') to *o, filtered. Returns the position after ']'.
 * In reference mode a node list that holds a kept attribute becomes "[pdref=K]" (its
 * newlines kept): K indexes sc->refs, which records where the list starts. */
static const char *alist(const char *p, const char *e, char **o, bool edge, const scan *sc)
{
	char *d = *o;
	const char *open = p;
	bool ref = sc->refs && !edge, kept = false;
	*d++ = *p++;
	const char *last_in = p; /* input and output just after '[' or the last kept attr */
	const char *last_out = d;
	bool first = true, after_attr = false;
	for (;;) {
		const char *s = p;
		p = skipsep(p, e, after_attr);
		if (!p)
			return NULL;
		after_attr = true;
		for (const char *q = s; q < p; q++) /* keep line numbers */
			if (*q == '\n')
				*d++ = '\n';
		if (p >= e)
			return NULL;
		if (*p == ']') {
			if (kept) {
				char tag[40];
				int k = snprintf(tag, sizeof tag, "pdref=%zu]", sc->refs->n);
				/* Must fit in what the list spent, like everything else. */
				if ((size_t)(p + 1 - open) < (size_t)(d - *o) + (size_t)k || !sc->id ||
				    !ref_add(sc->refs, (size_t)(open - sc->text), (size_t)(sc->id - sc->text),
					     (size_t)(sc->id_end - sc->id)))
					return NULL;
				memcpy(d, tag, (size_t)k);
				d += k;
			} else
				*d++ = ']';
			*o = d;
			return p + 1;
		}
		const char *k = p, *ke = idend(p, e);
		if (!ke)
			return NULL;
		p = ke;
		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
		if (p >= e || *p != '=')
			return NULL;
		p++;
		while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
			p++;
		const char *v = p, *ve = idend(p, e);
		if (!ve || keyword_of(k, (size_t)(ke - k), 6) || keyword_of(p, (size_t)(ve - p), 6))
			return NULL; /* a syntax error for libcgraph to report */
		p = ve;
		/* "a" + "b" concatenation: not modelled. */
		const char *q = p;
		while (q < e && (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r'))
			q++;
		if (q < e && *q == '+')
			return NULL;
		bool quoted_key = *k == '"';
		if (ref && (quoted_key || keep(k, (size_t)(ke - k), false))) {
			/* "label"=x: the lookup compares bare keys only. A raw newline in a
			 * value: libcgraph's lexer keeps or drops it depending on the
			 * backslashes around it and on the next line; not modelled. */
			if (quoted_key || memchr(v, '\n', (size_t)(ve - v)))
				return NULL;
			kept = true;
			for (const char *c = k; c < ve; c++)
				if (*c == '\n')
					*d++ = '\n';
		} else if (quoted_key || keep(k, (size_t)(ke - k), edge)) {
			/* Two kept attributes need a separator unless a newline went out. The
			 * space must fit in what the input spent since the last kept byte, so
			 * the output never outgrows the input (the buffer is the input's size);
			 * without room the two were adjacent in the input too. */
			bool slack = (size_t)(k - last_in) > (size_t)(d - last_out);
			if (!first && d[-1] != '\n' && slack)
				*d++ = ' ';
			memcpy(d, k, (size_t)(ve - k));
			d += ve - k;
			first = false;
			last_in = ve;
			last_out = d;
		} else {
			for (const char *c = k; c < ve; c++)
				if (*c == '\n')
					*d++ = '\n';
		}
	}
}

/* Copies the ID [*p, q) to *o. After the head of an edge ("a -> b") an ID starts a new
 * statement, so the edge flag holds only while an "->" waits for its head. */
static void copy_id(char **o, const char **p, const char *q, bool *edge, bool *target)
{
	memcpy(*o, *p, (size_t)(q - *p));
	*o += q - *p;
	*p = q;
	*edge = *edge && *target;
	*target = false;
}

char *pd_prepass_refs(const char *text, size_t len, size_t *outlen, pd_refs *refs)
{
	/* A "pdref" already in the text could masquerade as a reference. A byte-order mark
	 * is skipped by libcgraph's lexer wherever it stands but would be an ID here. */
	if ((refs && memmem(text, len, "pdref", 5)) || memmem(text, len, "\xEF\xBB\xBF", 3))
		return NULL;
	char *out = pd_malloc(len + 2), *o = out;
	if (!out)
		return NULL;
	scan sc = {text, refs, NULL, NULL};
	const char *p = text, *e = text + len;
	/* edge: the statement being read is an edge chain; target: an "->" still waits for
	 * its head. After the head, a further ID without "->" starts a new (node)
	 * statement: "a -> b c [..]" gives the list to node c, not to the edge. */
	bool edge = false, target = false, attr_stmt = false;
	/* list_ok: a list here would follow an ID or a list directly, on the same line. A
	 * node list anywhere else ("N1\n[..]", "node N1=[..]", a defaults statement over
	 * two lines) is not given a reference: libcgraph may read it as defaults. */
	bool list_ok = false;
	while (p < e) {
		char c = *p;
		if (c == '"') {
			const char *q = pd_dot_qend(p, e);
			if (!q)
				goto fail;
			sc.id = p;
			sc.id_end = q;
			attr_stmt = false; /* an ID starts the next statement */
			list_ok = true;
			copy_id(&o, &p, q, &edge, &target);
		} else if (c == '[') {
			if (refs && !attr_stmt && !edge && !list_ok)
				goto fail;
			list_ok = true;
			if (attr_stmt) { /* graph/node/edge defaults: verbatim */
				const char *q = p;
				while (q < e && *q != ']') {
					if (*q == '"') {
						q = pd_dot_qend(q, e);
						if (!q)
							goto fail;
					} else if (*q == '/' || *q == '#' || *q == '<')
						goto fail; /* a comment or HTML string could hide a quote */
					else
						q++;
				}
				if (q >= e)
					goto fail;
				memcpy(o, p, (size_t)(q + 1 - p));
				o += q + 1 - p;
				p = q + 1;
			} else if (!(p = alist(p, e, &o, edge, &sc)))
				goto fail;
		} else if (c == '/' || c == '#' || c == '<' || c == '@' || c == ':') {
			goto fail; /* comments, HTML strings, macros, ports */
		} else if (c == '\n' || c == ';' || c == '{' || c == '}') {
			*o++ = c;
			p++;
			edge = target = attr_stmt = list_ok = false;
		} else if (c == '-' && p + 1 < e && (p[1] == '>' || p[1] == '-')) {
			*o++ = *p++;
			*o++ = *p++;
			edge = target = true;
			list_ok = false;
		} else if (idchar((unsigned char)c)) {
			/* One token, as libcgraph lexes it ("0N1" is two: not modelled). */
			const char *q = idend(p, e);
			if (!q)
				goto fail;
			/* node, edge and graph are keywords in any case and anywhere, even
			 * right after another statement's list on the same line; any other ID
			 * starts a statement that is not an attribute statement. */
			attr_stmt = keyword(p, (size_t)(q - p));
			if (!attr_stmt) {
				sc.id = p;
				sc.id_end = q;
			}
			list_ok = true;
			copy_id(&o, &p, q, &edge, &target);
		} else {
			if (c != ' ' && c != '\t' && c != '\r')
				list_ok = false; /* '=', ',' and the like */
			*o++ = c;
			p++;
		}
	}
	o[0] = o[1] = '\0'; /* two: pd_cg_read scans in place */
	*outlen = (size_t)(o - out);
	return out;
fail:
	pd_free(out);
	if (refs) {
		pd_free(refs->ref);
		*refs = (pd_refs){0};
	}
	return NULL;
}

char *pd_prepass(const char *text, size_t len, size_t *outlen)
{
	return pd_prepass_refs(text, len, outlen, NULL);
}

/* Appends the value [v, ve) to b as libcgraph's lexer reads it: a quoted string loses
 * its quotes, \" becomes ", a \\ pair stays, all else stays as written (no raw
 * newlines: pd_prepass_refs refuses values holding one). */
static void decode(const char *v, const char *ve, pd_buf *b)
{
	if (*v != '"') {
		pd_buf_append(b, v, (size_t)(ve - v));
		return;
	}
	for (const char *s = v + 1, *end = ve - 1; s < end;) {
		const char *bs = memchr(s, '\\', (size_t)(end - s));
		if (!bs) {
			pd_buf_append(b, s, (size_t)(end - s));
			break;
		}
		pd_buf_append(b, s, (size_t)(bs - s));
		if (bs + 1 < end && bs[1] == '"')
			pd_buf_append(b, "\"", 1);
		else if (bs + 1 < end && bs[1] == '\\')
			pd_buf_append(b, "\\\\", 2);
		else /* no raw newlines here: pd_prepass_refs refuses them */
			pd_buf_append(b, bs, bs + 1 < end ? 2 : 1);
		s = bs + 2;
	}
}

bool pd_prepass_lookup(const char *text, size_t len, size_t off, const char *const *keys,
		       size_t nkeys, const char **vals, pd_buf *scratch)
{
	enum { MAXK = 8 };
	const char *vs[MAXK] = {0}, *ves[MAXK] = {0};
	const char *p = text + off + 1, *e = text + len;
	if (nkeys > MAXK)
		return false;
	bool after_attr = false;
	for (;;) {
		p = skipsep(p, e, after_attr);
		after_attr = true;
		if (!p || p >= e)
			return false;
		if (*p == ']')
			break;
		const char *k = p, *ke = idend(p, e);
		if (!ke)
			return false;
		p = skipws(ke, e);
		if (p >= e || *p != '=')
			return false;
		p = skipws(p + 1, e);
		const char *ve = idend(p, e);
		if (!ve)
			return false;
		for (size_t i = 0; i < nkeys; i++)
			if (keyis(k, (size_t)(ke - k), keys[i])) {
				vs[i] = p;
				ves[i] = ve;
			}
		p = ve;
	}
	scratch->len = 0;
	size_t at[MAXK];
	for (size_t i = 0; i < nkeys; i++) {
		at[i] = scratch->len;
		if (vs[i]) {
			decode(vs[i], ves[i], scratch);
			pd_buf_append(scratch, "", 1);
		}
	}
	if (scratch->failed)
		return false;
	for (size_t i = 0; i < nkeys; i++)
		vals[i] = vs[i] ? scratch->data + at[i] : NULL;
	return true;
}

bool pd_prepass_name_is(const char *text, const pd_ref *r, const char *name, pd_buf *scratch)
{
	const char *v = text + r->name, *ve = v + r->name_len;
	if (*v != '"')
		return strlen(name) == r->name_len && memcmp(v, name, r->name_len) == 0;
	scratch->len = 0;
	decode(v, ve, scratch);
	pd_buf_append(scratch, "", 0);
	return !scratch->failed && strcmp(scratch->data, name) == 0;
}
