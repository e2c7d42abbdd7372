/* A cheap pre-pass over DOT text that drops the attributes profdiff never reads (colors,
 * ids, font sizes, edge tooltips, labeltooltips, URLs...) before libcgraph sees them:
 * libcgraph interns every attribute value, and that dominates its cost on pprof DOT.
 * The scanner models only the DOT that pprof, Pyroscope and mcp-grafana emit; on
 * anything else it gives up and the caller parses the original text. */
#ifndef PD_PREPASS_H
#define PD_PREPASS_H

#include <stddef.h>

#include "profile.h"

/* Copies text[0..len) into a new NUL-terminated buffer (caller frees) keeping, in the
 * attribute lists of node statements, only label, tooltip, shape and style; in those of
 * edge statements only label and style; attribute statements (graph/node/edge [...])
 * and everything outside brackets verbatim. Newlines inside dropped attributes are
 * kept, so line numbers do not move. Returns NULL when out of memory or when the text
 * holds a construct the scanner does not model (comments, HTML strings, '+'
 * concatenation, macros, unterminated strings or lists). *outlen gets the length. */
char *pd_prepass(const char *text, size_t len, size_t *outlen);

/* Flags of pd_profile_parse_flags. */
enum {
	PD_PARSE_PLAIN = 1u << 0,      /* no pre-pass, agmemread with default disciplines */
	PD_PARSE_KEEP_GRAPH = 1u << 1, /* skip agclose (leaks the graph: exit paths only) */
};

/* pd_profile_parse with flags (0 = what pd_profile_parse does). Tests use
 * PD_PARSE_PLAIN to compare the pre-pass against plain libcgraph parsing. */
pd_status pd_profile_parse_flags(const char *source, const char *data, size_t len,
				 unsigned flags, pd_profile **out, pd_error *err);

#endif
