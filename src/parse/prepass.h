/* A cheap pre-pass over DOT text that drops the attributes profdiff never reads (colors,
 * ids, font sizes, edge tooltips, labeltooltips, URLs...) before libcgraph sees them:
 * libcgraph interns every attribute value, and that dominates its cost on pprof DOT.
 * The scanner models only the DOT that pprof, Pyroscope and mcp-grafana emit; on
 * anything else it gives up and the caller parses the original text. Internal to
 * src/parse (and its tests); includes parse.h for callers that still reach the parse
 * API through it. */
#ifndef PD_PREPASS_H
#define PD_PREPASS_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "parse/parse.h"

/* Copies text[0..len) into a new buffer ending in two NULs (caller frees) keeping, in the
 * attribute lists of node statements, only label, tooltip, shape, style and key; in
 * those of edge statements only label, style and key; attribute statements
 * (graph/node/edge [...]) and everything outside brackets verbatim. Newlines inside
 * dropped attributes are kept, so line numbers do not move. Returns NULL when out of
 * memory or when the text holds a construct the scanner does not model (comments, HTML
 * strings, '+' concatenation, macros, byte-order marks, unterminated strings or lists).
 * *outlen gets the length. */
char *pd_prepass(const char *text, size_t len, size_t *outlen);

/* Reference mode. Even with only label and tooltip left, libcgraph interns two unique
 * strings per node and those dominate its cost; here each node statement's list that
 * holds label, tooltip, shape or style becomes one attribute, pdref=K, where
 * refs->ref[K] records where that list's '[' and its node's ID are in text (refs->ref is
 * malloc'ed; caller frees). Edge lists are filtered as above, attribute statements kept.
 * Returns NULL (and refs empty) where pd_prepass would, and also when the text already
 * says "pdref" or a list has a quoted key, a kept value with a raw newline, or too few
 * bytes for its reference, or a node list does not directly follow an ID or a list on
 * its line (libcgraph could read it as defaults: "node N1=[..]", "node\n[..]"). The
 * caller must check that every reference reached a node and only the node its statement
 * names (pd_prepass_name_is): a node given two lists keeps only the last one's
 * reference, and a default ("node [...]") the pre-pass did not recognize could hand one
 * reference to other nodes. */
typedef struct pd_ref {
	size_t off;           /* the list's '[' */
	size_t name, name_len; /* the node ID before it, as written (quoted or not) */
} pd_ref;
typedef struct pd_refs {
	pd_ref *ref;
	size_t n, cap;
} pd_refs;
char *pd_prepass_refs(const char *text, size_t len, size_t *outlen, pd_refs *refs);

/* The values of keys[0..nkeys) (at most 8) in the attribute list at text[off] ('['),
 * as libcgraph would have set them: the last occurrence wins, quoted strings decoded
 * as its lexer does. vals[i] points into scratch, or is NULL when the key is absent.
 * False when out of memory or the list is not one pd_prepass_refs accepted. */
bool pd_prepass_lookup(const char *text, size_t len, size_t off, const char *const *keys,
		       size_t nkeys, const char **vals, pd_buf *scratch);

/* Whether the node ID of r, read as libcgraph reads it, is name. */
bool pd_prepass_name_is(const char *text, const pd_ref *r, const char *name, pd_buf *scratch);

/* End of the quoted string starting at p[0] == '"', just past the closing quote, or
 * NULL when unterminated. A quote after an odd run of backslashes is escaped (as
 * libcgraph too reads "x\\" as a whole string). memchr keeps this near memory speed.
 * The pre-pass and guard.c scan with it (inline: it is on the hot path). */
static inline const char *pd_dot_qend(const char *p, const char *e)
{
	const char *s = ++p;
	for (;;) {
		const char *q = memchr(p, '"', (size_t)(e - p));
		if (!q)
			return NULL;
		size_t bs = 0;
		for (const char *b = q; b > s && b[-1] == '\\'; b--)
			bs++;
		if (!(bs & 1))
			return q + 1;
		p = q + 1;
	}
}

#endif
