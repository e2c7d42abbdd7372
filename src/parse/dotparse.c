/* DOT text -> pd_profile, through libcgraph. Recognizes pprof's and Pyroscope's
 * dialect: the legend node (type, totals, trimming), function nodes N<k> (full name from
 * the tooltip, values from the end of the label), nodelets (skipped) and call edges.
 * libcgraph is not reentrant (global lexer and error hook), so parsing is serialized by
 * one mutex; the graph is closed before pd_profile_parse returns. */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <graphviz/cgraph.h>

#include "parse/prepass.h"
#include "parse/profile.h"
#include "base/alloc.h"

/* ---- libcgraph error capture ------------------------------------------------------ */
static pthread_mutex_t cgraph_lock = PTHREAD_MUTEX_INITIALIZER;
static char cg_errbuf[512];
static bool cg_capturing, cg_want_sep;

/* libcgraph hands each message over in pieces: the level ("Error" or "Warning"), ": ",
 * then the text (continuations come without a level). Keep the text of the first
 * error only: warnings are noise here, and later errors are consequences. */
static int capture_error(char *msg)
{
	if (strcmp(msg, "Error") == 0 || strcmp(msg, "Warning") == 0) {
		cg_capturing = msg[0] == 'E' && !cg_errbuf[0];
		cg_want_sep = true;
		return 0;
	}
	if (cg_want_sep && strcmp(msg, ": ") == 0) {
		cg_want_sep = false;
		return 0;
	}
	cg_want_sep = false;
	if (cg_capturing) {
		size_t used = strlen(cg_errbuf);
		snprintf(cg_errbuf + used, sizeof cg_errbuf - used, "%s", msg);
	}
	return 0;
}

/* The scanner of libcgraph (flex, prefix "aag") is global and keeps its start condition
 * across reads: a file that ends inside a quoted string leaves it in the string state
 * and the next read fails. Exported by libcgraph but not declared in cgraph.h. */
extern int aaglex_destroy(void);

/* ---- string helpers ---------------------------------------------------------------- */
typedef struct str {
	const char *p;
	size_t n;
} str;

static char *dupn(const char *s, size_t n)
{
	char *d = pd_malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

static bool starts(str s, const char *prefix)
{
	size_t k = strlen(prefix);
	return s.n >= k && memcmp(s.p, prefix, k) == 0;
}

/* Last occurrence of needle in s, or NULL. */
static const char *rfind(str s, const char *needle)
{
	size_t k = strlen(needle);
	if (s.n < k)
		return NULL;
	for (size_t i = s.n - k + 1; i-- > 0;)
		if (memcmp(s.p + i, needle, k) == 0)
			return s.p + i;
	return NULL;
}

/* Decodes DOT escapes in one left-to-right pass: "\\" -> '\', "\n" "\l" "\r" -> '\n'
 * (a line break), anything else after a backslash is kept as written. libcgraph has
 * already turned \" into ". The result is never longer than the input. */
static char *unescape(const char *s)
{
	size_t n = strlen(s);
	char *d = pd_malloc(n + 1), *o = d;
	if (!d)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n) {
			char c = s[i + 1];
			if (c == '\\') {
				*o++ = '\\';
				i++;
				continue;
			}
			if (c == 'n' || c == 'l' || c == 'r') {
				*o++ = '\n';
				i++;
				continue;
			}
		}
		*o++ = s[i];
	}
	*o = '\0';
	return d;
}

/* Splits text on '\n' into at most max lines (empty trailing line dropped). */
static size_t split_lines(const char *text, str *lines, size_t max)
{
	size_t k = 0;
	const char *p = text;
	while (*p && k < max) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		lines[k++] = (str){p, len};
		if (!e)
			break;
		p = e + 1;
	}
	return k;
}

/* ---- values ------------------------------------------------------------------------- */
typedef struct parse_ctx {
	const char *source;
	pd_profile *prof;
	pd_error *err;
	/* Reference mode (pd_prepass_refs): node attributes live in the original text. */
	const char *data;
	size_t len;
	const pd_refs *refs;
	Agsym_t *s_ref;
	pd_buf scratch;
	bool refs_lost; /* a reference reached no node: parse again without them */
} parse_ctx;

/* Parses one value and checks that its unit family agrees with the rest of the file. */
static pd_status value(parse_ctx *c, const char *where, str s, int64_t *v, int64_t *res)
{
	pd_unit u;
	pd_error e;
	if (pd_value_parse(s.p, s.n, v, &u, res, &e) != PD_OK)
		return pd_error_set(c->err, PD_EINPUT, "%s: %s: %s", c->source, where, e.msg);
	pd_unit *fam = &c->prof->info.unit;
	if (u != PD_UNIT_UNKNOWN) {
		if (*fam == PD_UNIT_UNKNOWN)
			*fam = u;
		else if (*fam != u)
			return pd_error_set(c->err, PD_EINPUT,
					    "%s: %s: value '%.*s' is in %s but the file uses %s", c->source,
					    where, (int)(s.n > 40 ? 40 : s.n), s.p, pd_unit_name(u),
					    pd_unit_name(*fam));
	}
	if (*v < 0)
		c->prof->info.has_negative = true;
	return PD_OK;
}

/* "V (P%)" or "V": the value before " (". */
static str value_part(str s)
{
	const char *q = rfind(s, " (");
	return q ? (str){s.p, (size_t)(q - s.p)} : s;
}

/* ---- legend -------------------------------------------------------------------------- */
static bool is_legend(const char *label)
{
	return strstr(label, "Showing nodes accounting for") || strstr(label, "Type: ");
}

/* Parses "<prefix><V><stop>" in line, storing V. Returns false when absent. */
static pd_status legend_value(parse_ctx *c, str line, const char *prefix, const char *stop,
			      int64_t *v, bool *found)
{
	*found = false;
	if (!starts(line, prefix))
		return PD_OK;
	str rest = {line.p + strlen(prefix), line.n - strlen(prefix)};
	const char *e = stop ? rfind(rest, stop) : NULL;
	if (stop && !e)
		return PD_OK;
	str num = {rest.p, e ? (size_t)(e - rest.p) : rest.n};
	*found = true;
	return value(c, "legend", num, v, NULL);
}

static pd_status parse_legend(parse_ctx *c, const char *label)
{
	pd_profile_info *in = &c->prof->info;
	str lines[64];
	size_t n = split_lines(label, lines, 64);
	for (size_t i = 0; i < n; i++) {
		str l = lines[i];
		bool found;
		pd_status rc;
		if (starts(l, "Type: ")) {
			pd_free(c->prof->type);
			c->prof->type = dupn(l.p + 6, l.n - 6);
			if (!c->prof->type)
				return pd_error_set(c->err, PD_EINTERNAL, "out of memory");
			in->type = c->prof->type;
		} else if (starts(l, "Showing nodes accounting for ")) {
			/* "Showing nodes accounting for X, P% of T total" */
			str rest = {l.p + 29, l.n - 29};
			const char *comma = memchr(rest.p, ',', rest.n);
			const char *of = rfind(rest, " of ");
			const char *tot = rfind(rest, " total");
			if (!comma || !of || !tot || tot < of)
				return pd_error_set(c->err, PD_EINPUT, "%s: legend: cannot read '%.*s'",
						    c->source, (int)l.n, l.p);
			if ((rc = value(c, "legend", (str){rest.p, (size_t)(comma - rest.p)}, &in->shown,
					NULL)))
				return rc;
			if ((rc = value(c, "legend", (str){of + 4, (size_t)(tot - of - 4)}, &in->total,
					NULL)))
				return rc;
			in->has_total = true;
		} else if (starts(l, "Dropped ")) {
			long cnt = strtol(l.p + 8, NULL, 10);
			const char *open = memchr(l.p, '(', l.n);
			if (!open)
				continue;
			str in_par = {open + 1, l.n - (size_t)(open + 1 - l.p)};
			if (starts(in_par, "cum <= ")) {
				in->dropped_nodes = cnt;
				if ((rc = legend_value(c, in_par, "cum <= ", ")", &in->node_cutoff, &found)))
					return rc;
			} else if (starts(in_par, "freq <= ")) {
				in->dropped_edges = cnt;
				if ((rc = legend_value(c, in_par, "freq <= ", ")", &in->edge_cutoff, &found)))
					return rc;
			}
		} else if (starts(l, "Showing top ")) {
			char *end;
			in->top_k = strtol(l.p + 12, &end, 10);
			const char *out = strstr(end, " out of ");
			in->top_of = out ? strtol(out + 8, NULL, 10) : 0;
		} else if (starts(l, "Duration: ")) {
			str rest = {l.p + 10, l.n - 10};
			const char *comma = memchr(rest.p, ',', rest.n);
			int64_t d;
			pd_unit u;
			pd_error ignored;
			/* Optional: keep the duration only when it reads as a time. */
			if (comma && pd_value_parse(rest.p, (size_t)(comma - rest.p), &d, &u, NULL,
						    &ignored) == PD_OK &&
			    u == PD_UNIT_NANOS)
				in->duration_ns = d;
		}
	}
	return PD_OK;
}

/* ---- nodes and edges ------------------------------------------------------------------ */
static bool is_hex16(str s)
{
	if (s.n != 16)
		return false;
	for (size_t i = 0; i < 16; i++)
		if (!isxdigit((unsigned char)s.p[i]))
			return false;
	return true;
}

/* pprof's label lines never keep a '.' of the function name (they split on it), so a
 * name line with a '.' and no space is the file basename, optionally ":line[:col]". */
static bool is_file_line(str s)
{
	if (!memchr(s.p, '.', s.n) || memchr(s.p, ' ', s.n))
		return false;
	const char *colon = memchr(s.p, ':', s.n);
	if (!colon)
		return true;
	for (const char *p = colon; p < s.p + s.n; p++)
		if (*p != ':' && !isdigit((unsigned char)*p))
			return false;
	return true;
}

static bool is_node_id(const char *name)
{
	if (name[0] != 'N' || !isdigit((unsigned char)name[1]))
		return false;
	for (const char *p = name + 1; *p; p++)
		if (!isdigit((unsigned char)*p))
			return false;
	return true;
}

static bool is_nodelet(const char *name, const char *shape)
{
	if (shape && strcmp(shape, "box3d") == 0)
		return true;
	if (strncmp(name, "NN", 2) == 0)
		return true;
	return name[0] == 'N' && isdigit((unsigned char)name[1]) && strchr(name, '_');
}

static char *join(const str *parts, size_t n, char sep)
{
	size_t len = 0;
	for (size_t i = 0; i < n; i++)
		len += parts[i].n + 1;
	char *d = pd_malloc(len + 1), *o = d;
	if (!d)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (i)
			*o++ = sep;
		memcpy(o, parts[i].p, parts[i].n);
		o += parts[i].n;
	}
	*o = '\0';
	return d;
}

static char *concat3(const char *a, const char *sep, str b)
{
	size_t la = strlen(a), ls = strlen(sep);
	char *d = pd_malloc(la + ls + b.n + 1);
	if (d) {
		memcpy(d, a, la);
		memcpy(d + la, sep, ls);
		memcpy(d + la + ls, b.p, b.n);
		d[la + ls + b.n] = '\0';
	}
	return d;
}

static void node_fini(pd_node *n)
{
	if (n->line != n->func)
		pd_free(n->line);
	if (n->short_line != n->short_func)
		pd_free(n->short_line);
	pd_free(n->func);
	pd_free(n->short_func);
}

/* Fills out from one function node. label and tooltip are raw attribute values. */
static pd_status parse_node(parse_ctx *c, const char *id, const char *label_raw,
			    const char *tooltip_raw, pd_node *out)
{
	pd_status rc = PD_OK;
	char *label = unescape(label_raw), *tip = NULL;
	size_t cap = 1;
	for (const char *p = label_raw; *p; p++)
		cap += *p == '\\';
	str *lines = pd_calloc(cap + 1, sizeof *lines);
	if (!label || !lines) {
		rc = pd_error_set(c->err, PD_EINTERNAL, "out of memory");
		goto out;
	}
	size_t n = split_lines(label, lines, cap + 1);
	char where[96];
	/* libcgraph keeps no name for a node whose name starts with '%': agnameof gives
	 * "%<counter>", which changes from one parse to the next. */
	if (id[0] == '%')
		snprintf(where, sizeof where, "a node named '%%...'");
	else
		snprintf(where, sizeof where, "node %.60s", id);
	if (n < 2) {
		rc = pd_error_set(c->err, PD_EINPUT, "%s: %s: label has no name and value", c->source,
				  where);
		goto out;
	}
	/* Value text, read from the right (pprof-dot.md A.3 lists the four shapes). */
	str last = lines[n - 1];
	size_t names = n - 1;
	if (starts(last, "of ") && n >= 3) {
		if ((rc = value(c, where, value_part((str){last.p + 3, last.n - 3}), &out->cum,
				&out->cum_res)))
			goto out;
		if ((rc = value(c, where, value_part(lines[n - 2]), &out->flat, &out->flat_res)))
			goto out;
		names = n - 2;
	} else if (starts(last, "0 of ")) {
		out->flat = 0;
		if ((rc = value(c, where, value_part((str){last.p + 5, last.n - 5}), &out->cum,
				&out->cum_res)))
			goto out;
	} else {
		if ((rc = value(c, where, value_part(last), &out->flat, &out->flat_res)))
			goto out;
		out->cum = out->flat;
		out->cum_res = out->flat_res;
	}
	str *nm = lines;
	if (names > 1 && is_hex16(nm[0])) { /* -addresses: the address comes first */
		nm++;
		names--;
	}
	str fileline = {NULL, 0};
	if (names > 1 && is_file_line(nm[names - 1]))
		fileline = nm[--names];
	out->short_func = join(nm, names, '.');
	if (!out->short_func)
		goto oom;
	out->short_line = fileline.p ? concat3(out->short_func, " ", fileline) : out->short_func;
	if (!out->short_line)
		goto oom;

	if (tooltip_raw && *tooltip_raw) {
		tip = unescape(tooltip_raw);
		if (!tip)
			goto oom;
		str full = {tip, strlen(tip)};
		const char *cut = rfind(full, " (");
		if (cut)
			full.n = (size_t)(cut - full.p);
		if (full.n > 17 && is_hex16((str){full.p, 16}) && full.p[16] == ' ') {
			full.p += 17;
			full.n -= 17;
		}
		out->line = dupn(full.p, full.n);
		if (!out->line)
			goto oom;
		out->func = out->line;
		/* With file:line in the label, the tooltip ends in " <path>:<line>" whose
		 * basename is that label line: cut it off to get the function. */
		const char *sp = fileline.p ? rfind(full, " ") : NULL;
		if (sp) {
			str path = {sp + 1, full.n - (size_t)(sp + 1 - full.p)};
			const char *slash = rfind(path, "/");
			str base = slash ? (str){slash + 1, path.n - (size_t)(slash + 1 - path.p)} : path;
			if (base.n == fileline.n && memcmp(base.p, fileline.p, base.n) == 0) {
				out->func = dupn(full.p, (size_t)(sp - full.p));
				if (!out->func)
					goto oom;
			}
		}
	} else {
		out->func = pd_strdup(out->short_func);
		if (!out->func)
			goto oom;
		out->line = fileline.p ? concat3(out->func, " ", fileline) : out->func;
		if (!out->line)
			goto oom;
	}
	goto out;
oom:
	rc = pd_error_set(c->err, PD_EINTERNAL, "out of memory");
out:
	pd_free(label);
	pd_free(tip);
	pd_free(lines);
	return rc;
}

static pd_status parse_edge(parse_ctx *c, const char *label_raw, const char *style, pd_pedge *e)
{
	e->residual = style && strstr(style, "dotted");
	if (!label_raw || !*label_raw)
		return PD_OK;
	char *label = unescape(label_raw);
	if (!label)
		return pd_error_set(c->err, PD_EINTERNAL, "out of memory");
	e->inlined = strstr(label, "(inline)") != NULL;
	const char *p = label;
	while (*p == ' ')
		p++;
	size_t len = strcspn(p, "\n");
	while (len && p[len - 1] == ' ')
		len--;
	pd_status rc = value(c, "edge", (str){p, len}, &e->weight, NULL);
	e->weighted = rc == PD_OK;
	pd_free(label);
	return rc;
}

static const char *attr(void *obj, Agsym_t *sym)
{
	return sym ? agxget(obj, sym) : NULL;
}

static char k_ref[] = "pdref"; /* the pre-pass's reference attribute */

/* Whether node n carries a reference; *k gets its index, or SIZE_MAX when the value is
 * not one the pre-pass wrote. */
static bool node_ref(parse_ctx *c, Agnode_t *n, size_t *k)
{
	const char *r = attr(n, c->s_ref);
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
		v[i] = attr(n, syms[i]);
	size_t k;
	if (!c->refs || !node_ref(c, n, &k)) /* refs_hold ruled out malformed ones */
		return PD_OK;
	static const char *const keys[3] = {"label", "tooltip", "shape"};
	const char *got[3];
	if (!pd_prepass_lookup(c->data, c->len, c->refs->ref[k].off, keys, 3, got, &c->scratch))
		return pd_error_set(c->err, PD_EINTERNAL, "out of memory");
	for (size_t i = 0; i < 3; i++)
		if (got[i])
			v[i] = got[i];
	return PD_OK;
}

/* Walks the parsed graph and fills c->prof. */
static pd_status walk(parse_ctx *c, Agraph_t *g)
{
	pd_profile *p = c->prof;
	int count = agnnodes(g);
	/* agattr takes char *; these are never written. */
	static char k_label[] = "label", k_tooltip[] = "tooltip", k_shape[] = "shape",
		    k_style[] = "style";
	Agsym_t *s_label = agattr(g, AGNODE, k_label, NULL);
	Agsym_t *s_tip = agattr(g, AGNODE, k_tooltip, NULL);
	Agsym_t *s_shape = agattr(g, AGNODE, k_shape, NULL);
	Agsym_t *s_elabel = agattr(g, AGEDGE, k_label, NULL);
	Agsym_t *s_style = agattr(g, AGEDGE, k_style, NULL);
	Agsym_t *const nsyms[3] = {s_label, s_tip, s_shape};
	if (c->refs) {
		c->s_ref = agattr(g, AGNODE, k_ref, NULL);
		if (!refs_hold(c, g)) {
			c->refs_lost = true;
			return PD_EINTERNAL;
		}
	}
	/* Node sequence numbers are dense from 1 within a graph: map them to indices. */
	size_t nseq = (size_t)count + 2;
	size_t *index = pd_malloc(nseq * sizeof *index);
	p->nodes = pd_calloc((size_t)count + 1, sizeof *p->nodes);
	if (!index || !p->nodes) {
		pd_free(index);
		return pd_error_set(c->err, PD_EINTERNAL, "out of memory");
	}
	for (size_t i = 0; i < nseq; i++)
		index[i] = SIZE_MAX;
	pd_status rc = PD_OK;
	bool legend = false, tips = true;
	int64_t res_sum = 0;
	for (Agnode_t *n = agfstnode(g); n && rc == PD_OK; n = agnxtnode(g, n)) {
		const char *name = agnameof(n);
		const char *v[3];
		if ((rc = node_attrs(c, n, nsyms, v)))
			break;
		const char *label = v[0], *tip = v[1];
		if (is_nodelet(name, v[2]))
			continue;
		if (label && is_legend(label) && !is_node_id(name)) {
			char *text = unescape(label);
			if (!text)
				rc = pd_error_set(c->err, PD_EINTERNAL, "out of memory");
			else
				rc = parse_legend(c, text);
			pd_free(text);
			legend = true;
			continue;
		}
		if (!label || !*label || strcmp(label, "\\N") == 0) {
			if (!is_node_id(name))
				continue; /* plain graphviz node: decided below */
			rc = pd_error_set(c->err, PD_EINPUT, "%s: node %.60s has no label", c->source,
					  name);
			break;
		}
		if (!tip || !*tip)
			tips = false;
		pd_node *nd = &p->nodes[p->nnodes];
		rc = parse_node(c, name, label, tip, nd);
		if (rc != PD_OK) {
			node_fini(nd);
			memset(nd, 0, sizeof *nd);
			break;
		}
		size_t seq = (size_t)AGSEQ(n);
		if (seq < nseq)
			index[seq] = p->nnodes;
		p->flat_sum += nd->flat;
		res_sum += nd->flat_res;
		p->nnodes++;
	}
	if (rc == PD_OK && !legend && p->nnodes == 0)
		rc = pd_error_set(c->err, PD_EINPUT,
				  "%s: not a pprof/Pyroscope profile (no legend, no function nodes)",
				  c->source);
	size_t ecap = 0;
	for (Agnode_t *n = agfstnode(g); n && rc == PD_OK; n = agnxtnode(g, n)) {
		size_t seq = (size_t)AGSEQ(n);
		if (seq >= nseq || index[seq] == SIZE_MAX)
			continue;
		for (Agedge_t *e = agfstout(g, n); e && rc == PD_OK; e = agnxtout(g, e)) {
			size_t hseq = (size_t)AGSEQ(aghead(e));
			if (hseq >= nseq || index[hseq] == SIZE_MAX)
				continue; /* to a nodelet */
			if (p->nedges == ecap) {
				size_t ncap = ecap ? ecap * 2 : 64;
				pd_pedge *ne = pd_realloc(p->edges, ncap * sizeof *ne);
				if (!ne) {
					rc = pd_error_set(c->err, PD_EINTERNAL, "out of memory");
					break;
				}
				p->edges = ne;
				ecap = ncap;
			}
			pd_pedge *pe = &p->edges[p->nedges];
			memset(pe, 0, sizeof *pe);
			pe->from = index[seq];
			pe->to = index[hseq];
			rc = parse_edge(c, attr(e, s_elabel), attr(e, s_style), pe);
			if (rc == PD_OK)
				p->nedges++;
		}
	}
	pd_free(index);
	if (rc != PD_OK)
		return rc;

	pd_profile_info *in = &p->info;
	in->nodes = p->nnodes;
	in->edges = p->nedges;
	in->has_tooltips = tips && p->nnodes > 0;
	for (size_t i = 0; i < p->nnodes; i++)
		if (p->nodes[i].line != p->nodes[i].func ||
		    p->nodes[i].short_line != p->nodes[i].short_func)
			in->has_lines = true;
	if (!in->has_total) {
		in->total = p->flat_sum;
		in->shown = p->flat_sum;
	}
	/* Trimmed: the legend says so, or the shown nodes hold less than the total by more
	 * than rounding (e.g. mcp-grafana removed the synthetic "other" nodes). */
	int64_t unassigned = in->total - (in->shown < p->flat_sum ? in->shown : p->flat_sum);
	in->trimmed = in->dropped_nodes > 0 || in->top_k > 0 || unassigned > res_sum;
	int64_t flat_max = unassigned > 0 ? unassigned : 0;
	int64_t cum_max = in->total;
	if (in->dropped_nodes > 0 && in->top_k == 0)
		cum_max = in->node_cutoff;
	p->unknown_cum_max = cum_max;
	p->unknown_flat_max = flat_max < cum_max ? flat_max : cum_max;
	return PD_OK;
}

/* agmemread's line-at-a-time reader, but in big chunks: flex refills its buffer less
 * often and nothing else changes (libcgraph counts lines itself). */
typedef struct memchan {
	const char *p, *e;
} memchan;

static int mem_read(void *chan, char *buf, int size)
{
	memchan *m = chan;
	size_t n = (size_t)(m->e - m->p);
	if (n > (size_t)size)
		n = (size_t)size;
	memcpy(buf, m->p, n);
	m->p += n;
	return (int)n;
}

/* ---- arena memory discipline (PD_PARSE_ARENA) ------------------------------------- */
/* The graph is parsed, walked once and dropped, so its memory comes from a bump
 * allocator over fresh (zeroed) mappings, and agclose, seeing a close method, releases
 * the whole heap at once instead of deleting object by object. The parser frees many
 * small temporaries (attribute items, one list per statement): each allocation carries
 * its size in an 8-byte header, and freed ones up to 512 bytes are reused by size. */
enum { ARENA_HDR = 8, ARENA_SMALL = 512 };

typedef struct arena_block {
	struct arena_block *next;
	size_t size;
} arena_block;

typedef struct arena {
	arena_block *blocks;
	char *cur, *end, *last; /* last: the most recent bump allocation */
	size_t next_size;
	void *free_list[ARENA_SMALL / 8 + 1]; /* by size / 8 */
} arena;

static size_t *arena_size(void *ptr)
{
	return (size_t *)((char *)ptr - ARENA_HDR);
}

static void *arena_open(Agdisc_t *disc)
{
	(void)disc;
	arena *a = pd_calloc(1, sizeof *a);
	if (a)
		a->next_size = (size_t)1 << 18;
	return a;
}

static void *arena_alloc(void *state, size_t req)
{
	arena *a = state;
	if (!a)
		return NULL;
	size_t n = req ? (req + 7) & ~(size_t)7 : 8;
	if (n <= ARENA_SMALL && a->free_list[n / 8]) {
		void *p = a->free_list[n / 8];
		a->free_list[n / 8] = *(void **)p;
		return memset(p, 0, n);
	}
	if ((size_t)(a->end - a->cur) < n + ARENA_HDR) {
		size_t size = a->next_size;
		while (size < n + ARENA_HDR + sizeof(arena_block))
			size *= 2;
		void *m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			return NULL;
		arena_block *b = m;
		b->next = a->blocks;
		b->size = size;
		a->blocks = b;
		a->cur = (char *)m + sizeof(arena_block);
		a->end = (char *)m + size;
		if (a->next_size < ((size_t)1 << 24))
			a->next_size *= 2;
	}
	a->last = a->cur + ARENA_HDR;
	*arena_size(a->last) = n;
	a->cur += ARENA_HDR + n;
	return a->last; /* bump memory comes from a fresh mapping: already zero */
}

static void arena_free(void *state, void *ptr)
{
	arena *a = state;
	if (!ptr)
		return;
	size_t n = *arena_size(ptr);
	if (n <= ARENA_SMALL) {
		*(void **)ptr = a->free_list[n / 8];
		a->free_list[n / 8] = ptr;
	}
}

static void *arena_resize(void *state, void *ptr, size_t old, size_t req)
{
	arena *a = state;
	if (!ptr)
		return arena_alloc(state, req);
	size_t have = *arena_size(ptr), n = (req + 7) & ~(size_t)7;
	if (n <= have || (ptr == a->last && (size_t)(a->end - (char *)ptr) >= n)) {
		if (n > have) {
			a->cur = (char *)ptr + n;
			*arena_size(ptr) = n;
		}
		if (req > old) /* a shrink may have left old bytes past old */
			memset((char *)ptr + old, 0, req - old);
		return ptr;
	}
	void *q = arena_alloc(state, req);
	if (q) {
		memcpy(q, ptr, old < req ? old : req);
		arena_free(state, ptr);
	}
	return q;
}

static void arena_close(void *state)
{
	arena *a = state;
	if (!a)
		return;
	for (arena_block *b = a->blocks, *next; b; b = next) {
		next = b->next;
		munmap(b, b->size);
	}
	pd_free(a);
}

static Agmemdisc_t arena_disc = {arena_open, arena_alloc, arena_resize, arena_free, arena_close};

/* ---- ID discipline: pprof's node names N<k> as numbers ----------------------------- */
/* libcgraph's default discipline makes a named object's ID the pointer to its interned
 * name (even, 8-aligned) and an anonymous one's an odd counter. A node named N<k>
 * (canonical decimal, k < 2^60) gets (k << 2) | 2 instead: no second lookup of the name
 * in the string dictionary (the lexer has interned the token already), which at 100k
 * nodes misses the cache on every edge end. Everything else goes to the default. Keep
 * the bound: libcgraph 2.43 compares node IDs by subtraction, which must not wrap. */
static bool id_of(int objtype, const char *name, IDTYPE *id)
{
	if (objtype != AGNODE || !name || name[0] != 'N' || name[1] < '0' || name[1] > '9' ||
	    (name[1] == '0' && name[2]))
		return false;
	IDTYPE k = 0;
	for (const char *p = name + 1; *p; p++) {
		if (*p < '0' || *p > '9' || k >= ((IDTYPE)1 << 56))
			return false;
		k = k * 10 + (IDTYPE)(*p - '0');
	}
	*id = (k << 2) | 2;
	return true;
}

static bool is_num_id(IDTYPE id)
{
	return (id & 3) == 2;
}

static long num_map(void *state, int objtype, char *name, IDTYPE *id, int createflag)
{
	if (id_of(objtype, name, id))
		return 1;
	return AgIdDisc.map(state, objtype, name, id, createflag);
}

static void num_free(void *state, int objtype, IDTYPE id)
{
	if (!is_num_id(id))
		AgIdDisc.free(state, objtype, id);
}

/* The name of a numbered node, in one buffer: valid until the next call (parsing and
 * walking run under cgraph_lock, and the walk uses one name at a time). */
static char *num_print(void *state, int objtype, IDTYPE id)
{
	static char buf[24];
	if (!is_num_id(id))
		return AgIdDisc.print(state, objtype, id);
	snprintf(buf, sizeof buf, "N%llu", (unsigned long long)(id >> 2));
	return buf;
}

static Agiddisc_t num_iddisc;

static Agraph_t *read_graph(const char *text, size_t len, unsigned flags)
{
	if (flags & PD_PARSE_PLAIN)
		return agmemread(text);
	static Agiodisc_t io;
	static Agdisc_t disc;
	io = AgIoDisc;
	io.afread = mem_read;
	num_iddisc = AgIdDisc;
	num_iddisc.map = num_map;
	num_iddisc.free = num_free;
	num_iddisc.print = num_print;
	disc = (Agdisc_t){(flags & PD_PARSE_ARENA) ? &arena_disc : &AgMemDisc, &num_iddisc, &io};
	memchan m = {text, text + len};
	return agread(&m, &disc);
}

/* Runs libcgraph on text; on failure fills err from the captured libcgraph message.
 * Called with cgraph_lock held. */
static Agraph_t *parse_locked(const char *source, const char *text, size_t len, unsigned flags,
			      pd_error *err)
{
	cg_errbuf[0] = '\0';
	cg_capturing = cg_want_sep = false;
	agseterrf(capture_error);
	agreseterrors();
	aaglex_destroy();
	agsetfile(NULL); /* line numbers from 1 again; no file name (we prefix our own) */
	Agraph_t *g = read_graph(text, len, flags);
	if (!g) {
		char *msg = cg_errbuf;
		msg[strcspn(msg, "\n")] = '\0';
		if (*msg)
			pd_error_set(err, PD_EINPUT, "%s: malformed DOT: %s", source, msg);
		else
			pd_error_set(err, PD_EINPUT,
				     "%s: no graph in input (not DOT, or cut inside a quoted string)",
				     source);
	}
	return g;
}

pd_status pd_profile_parse_flags(const char *source, const char *data, size_t len,
				 unsigned flags, pd_profile **out, pd_error *err)
{
	*out = NULL;
	size_t i = 0;
	while (i < len && isspace((unsigned char)data[i]))
		i++;
	if (i == len)
		return pd_error_set(err, PD_EINPUT, "%s: empty file", source);
	if (len >= 2 && (unsigned char)data[0] == 0x1f && (unsigned char)data[1] == 0x8b)
		return pd_error_set(err, PD_EINPUT,
				    "%s: gzip data, not DOT (a .pb.gz profile? render it with "
				    "'go tool pprof -dot')",
				    source);
	const char *nul = memchr(data, '\0', len);
	if (nul)
		return pd_error_set(err, PD_EINPUT, "%s: binary data (NUL byte at offset %zu), not DOT",
				    source, (size_t)(nul - data));
	pd_profile *p = pd_calloc(1, sizeof *p);
	if (!p)
		return pd_error_set(err, PD_EINTERNAL, "out of memory");
	/* The text libcgraph sees: stripped of unread attributes when the pre-pass
	 * understands it, else a NUL-terminated copy. */
	size_t tlen = len;
	pd_refs refs = {0};
	char *text = NULL;
	if (!(flags & (PD_PARSE_PLAIN | PD_PARSE_NOREFS)))
		text = pd_prepass_refs(data, len, &tlen, &refs);
	bool with_refs = text != NULL;
	if (!with_refs && (flags & PD_PARSE_REFS_ONLY)) {
		pd_free(p);
		return pd_error_set(err, PD_EINTERNAL, "%s: reference mode refused", source);
	}
	if (!text && !(flags & PD_PARSE_PLAIN))
		text = pd_prepass(data, len, &tlen);
	bool stripped = text != NULL;
	if (!text && !(text = dupn(data, len))) {
		pd_free(p);
		return pd_error_set(err, PD_EINTERNAL, "out of memory");
	}
	p->source = pd_strdup(source);
	p->info.source = p->source;
	parse_ctx c = {source, p, err, data, len, NULL, NULL, {0}, false};
	pd_buf_init(&c.scratch, 0);

	pthread_mutex_lock(&cgraph_lock);
	Agraph_t *g = parse_locked(source, text, tlen, flags, err);
	if (!g && stripped) {
		with_refs = false;
		/* Report libcgraph's words about the original text, not the stripped one. */
		pd_free(text);
		if ((text = dupn(data, len)))
			g = parse_locked(source, text, len, flags, err);
		else
			pd_error_set(err, PD_EINTERNAL, "out of memory");
	}
	pd_status rc = g ? PD_OK : err ? err->code : PD_EINPUT;
	if (g) {
		/* An anonymous graph gets an internal name "%<seq>" that changes from one
		 * read to the next: report it as untitled. */
		const char *title = agnameof(g);
		if (title[0] == '%' && strspn(title + 1, "0123456789") == strlen(title + 1))
			title = "";
		p->title = pd_strdup(title);
		p->info.title = p->title;
		c.refs = with_refs ? &refs : NULL;
		rc = walk(&c, g);
		agclose(g);
	}
	pthread_mutex_unlock(&cgraph_lock);
	pd_free(text);
	pd_free(refs.ref);
	pd_buf_fini(&c.scratch);
	if (rc != PD_OK) {
		pd_profile_free(p);
		if (c.refs_lost && (flags & PD_PARSE_REFS_ONLY))
			return pd_error_set(err, PD_EINTERNAL, "%s: reference mode left", source);
		if (c.refs_lost) /* a node with two lists: the plain pre-pass keeps both */
			return pd_profile_parse_flags(source, data, len, flags | PD_PARSE_NOREFS, out,
						      err);
		return rc;
	}
	*out = p;
	return PD_OK;
}

pd_status pd_profile_parse(const char *source, const char *data, size_t len, pd_profile **out,
			   pd_error *err)
{
	return pd_profile_parse_flags(source, data, len, 0, out, err);
}

pd_status pd_profile_read_flags(const char *path, unsigned flags, pd_profile **out,
				pd_error *err)
{
	pd_buf b;
	pd_buf_init(&b, 0);
	pd_status rc = pd_read_file(path, &b, err);
	if (rc == PD_OK)
		rc = pd_profile_parse_flags(strcmp(path, "-") == 0 ? "<stdin>" : path, b.data, b.len,
					    flags, out, err);
	pd_buf_fini(&b);
	return rc;
}

pd_status pd_profile_read(const char *path, pd_profile **out, pd_error *err)
{
	return pd_profile_read_flags(path, 0, out, err);
}

void pd_profile_free(pd_profile *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nnodes; i++)
		node_fini(&p->nodes[i]);
	pd_free(p->nodes);
	pd_free(p->edges);
	pd_free(p->source);
	pd_free(p->title);
	pd_free(p->type);
	pd_free(p);
}

const pd_profile_info *pd_profile_get_info(const pd_profile *p)
{
	return &p->info;
}
