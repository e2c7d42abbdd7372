/* What src/parse offers the rest of the library and the CLI: DOT text -> pd_profile
 * (the public pd_profile_parse/pd_profile_read, plus the variants with flags below),
 * and the internal shape of a parsed profile, read by the table stage. A pd_profile
 * owns all its strings, copied out of libcgraph; several key pointers of a node may
 * point at the same string (see pd_node). */
#ifndef PD_PARSE_H
#define PD_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "profdiff/profdiff.h"

/* The four join keys of a node. Without file:line, line == func and short_line ==
 * short_func (same pointer, freed once). */
typedef struct pd_node {
	char *func;       /* full function name from the tooltip (label fallback) */
	char *line;       /* func + " " + path:line from the tooltip, address dropped */
	char *short_func; /* label name lines joined by '.', e.g. "pricing.Quote" */
	char *short_line; /* short_func + " " + basename:line from the label */
	int64_t flat, cum;
	int64_t flat_res, cum_res; /* rounding uncertainty of the printed values */
} pd_node;

typedef struct pd_pedge {
	size_t from, to;  /* indices into pd_profile.nodes */
	int64_t weight;
	bool weighted;    /* the edge carried a label with its weight */
	bool residual;    /* style="dotted": a path through trimmed nodes */
	bool inlined;     /* label ends in "(inline)" */
} pd_pedge;

struct pd_profile {
	pd_profile_info info;
	char *source, *title, *type; /* owned copies behind info's pointers */
	pd_node *nodes;
	size_t nnodes;
	pd_pedge *edges;
	size_t nedges;
	int64_t flat_sum;            /* sum of node flats */
	int64_t unknown_flat_max;    /* bound on the flat of a function absent here */
	int64_t unknown_cum_max;     /* bound on the cum of a function absent here */
};

/* Flags of pd_profile_parse_flags. */
enum {
	PD_PARSE_PLAIN = 1u << 0,      /* no pre-pass, agmemread with default disciplines */
	PD_PARSE_ARENA = 1u << 1,      /* graph memory from an arena dropped whole by agclose;
					* leaks libcdt's malloc'ed dictionary headers
					* (1.2 KB per graph, 0.6 KB more per subgraph):
					* for the CLI, not for long-lived callers */
	PD_PARSE_NOREFS = 1u << 2,     /* pre-pass without references (pd_prepass) */
	PD_PARSE_REFS_ONLY = 1u << 3,  /* tests: fail (PD_EINTERNAL) instead of leaving
					* reference mode, to prove the fast path ran */
};

/* Bounds on one input, checked before libcgraph reads it: libcgraph recurses per nesting
 * level (about 3400 levels overflow its stack) and costs about 0.6 KB and a dictionary
 * per subgraph ("{}" three million times took 600 times its size), so hostile input is
 * refused (PD_EINPUT, naming the CLI flag that raises the bound) instead of ending in a
 * signal. pprof and Pyroscope emit one subgraph (the legend's) at depth 1, and 100 MB for
 * 100k functions (bench/README.md). 0 in a field means its default. */
typedef struct pd_parse_limits {
	size_t max_input;     /* bytes (CLI: --max-input-size); default 1 GiB */
	size_t max_subgraphs; /* '{' blocks inside the graph (--max-subgraphs); default 1000 */
	size_t max_depth;     /* nesting of '{' blocks (--max-nesting); default 64, at most
			       * PD_PARSE_DEPTH_CEILING whatever is asked */
} pd_parse_limits;
#define PD_PARSE_MAX_INPUT ((size_t)1 << 30)
#define PD_PARSE_MAX_SUBGRAPHS ((size_t)1000)
#define PD_PARSE_MAX_DEPTH ((size_t)64)
#define PD_PARSE_DEPTH_CEILING ((size_t)1000) /* libcgraph's parser stack ends near 3300 */

/* pd_profile_parse with flags and limits (NULL: the defaults). */
pd_status pd_profile_parse_limits(const char *source, const char *data, size_t len,
				  unsigned flags, const pd_parse_limits *lim, pd_profile **out,
				  pd_error *err);
/* pd_profile_read with flags and limits: a file over lim->max_input is refused while
 * it is read, before it is held whole. */
pd_status pd_profile_read_limits(const char *path, unsigned flags, const pd_parse_limits *lim,
				 pd_profile **out, pd_error *err);

/* pd_profile_parse with flags (0 = what pd_profile_parse does). Tests use
 * PD_PARSE_PLAIN to compare the pre-pass against plain libcgraph parsing. */
pd_status pd_profile_parse_flags(const char *source, const char *data, size_t len,
				 unsigned flags, pd_profile **out, pd_error *err);
/* pd_profile_read with flags: reads path ("-" = stdin, named "<stdin>") and parses it,
 * holding the text only for the parse. */
pd_status pd_profile_read_flags(const char *path, unsigned flags, pd_profile **out,
				pd_error *err);

#endif
