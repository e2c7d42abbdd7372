/* Internal to src/parse: what its files share while one DOT graph becomes a pd_profile
 * (load.c -> walk.c -> legend.c, node.c, edge.c, with text.c's helpers). Nothing
 * outside the folder includes this; parse.h says what the folder offers. */
#ifndef PD_PARSE_INTERNAL_H
#define PD_PARSE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "cgraph/cgraph.h"
#include "parse/prepass.h"

/* A borrowed slice of a string. */
typedef struct str {
	const char *p;
	size_t n;
} str;

static inline bool starts(str s, const char *prefix)
{
	size_t k = strlen(prefix);
	return s.n >= k && memcmp(s.p, prefix, k) == 0;
}

/* Last occurrence of needle in s, or NULL. */
static inline const char *rfind(str s, const char *needle)
{
	size_t k = strlen(needle);
	if (s.n < k)
		return NULL;
	for (size_t i = s.n - k + 1; i-- > 0;)
		if (memcmp(s.p + i, needle, k) == 0)
			return s.p + i;
	return NULL;
}

/* "V (P%)" or "V": the value before " (". */
static inline str value_part(str s)
{
	const char *q = rfind(s, " (");
	return q ? (str){s.p, (size_t)(q - s.p)} : s;
}

/* An attribute of obj, or NULL when the graph never declared it. */
static inline const char *attr_of(void *obj, Agsym_t *sym)
{
	return sym ? agxget(obj, sym) : NULL;
}

/* One parse: where errors go and what is being filled. */
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

/* guard.c: refuses text over lim's bounds (NULL: defaults) or with anything but blanks
 * and comments after the graph, before libcgraph reads it. */
pd_status pd_parse_guard(const char *source, const char *text, size_t len,
			 const pd_parse_limits *lim, pd_error *err);

/* text.c: DOT escapes decoded into a new string (NULL when out of memory); text split
 * on '\n' into at most max lines; one value, checked against the file's unit family
 * (where names the place in messages; res may be NULL). */
char *pd_parse_unescape(const char *s);
size_t pd_parse_lines(const char *text, str *lines, size_t max);
pd_status pd_parse_value(parse_ctx *c, const char *where, str s, int64_t *v, int64_t *res);

/* legend.c: whether a label is the legend's, and its fields into c->prof->info. */
bool pd_parse_is_legend(const char *label);
pd_status pd_parse_legend(parse_ctx *c, const char *label);

/* node.c: node name classes, one function node from its raw label and tooltip (out is
 * filled even on failure: release it with pd_parse_node_fini). */
bool pd_parse_is_node_id(const char *name);
bool pd_parse_is_nodelet(const char *name, const char *shape);
pd_status pd_parse_node(parse_ctx *c, const char *id, const char *label_raw,
			const char *tooltip_raw, pd_node *out);
void pd_parse_node_fini(pd_node *n);

/* edge.c: the call edges between function nodes; index maps a node's pd_cg_seq (below
 * nseq) to its index in c->prof->nodes, SIZE_MAX for nodes that are not functions. */
pd_status pd_parse_edges(parse_ctx *c, Agraph_t *g, const size_t *index, size_t nseq);

/* walk.c: fills c->prof from the graph (lock held). With c->refs set, PD_EINTERNAL and
 * c->refs_lost when reference mode does not hold, without a message. */
pd_status pd_parse_walk(parse_ctx *c, Agraph_t *g);

#endif
