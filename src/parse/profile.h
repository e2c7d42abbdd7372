/* Internal shape of a parsed profile: the function nodes and call edges of one DOT
 * file, with every string copied out of libcgraph. A pd_profile owns all of it;
 * several key pointers of a node may point at the same string (see pd_node). */
#ifndef PD_PROFILE_H
#define PD_PROFILE_H

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

#endif
