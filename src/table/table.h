/* Per-function weight tables (uthash) built from a parsed profile: the nodes that share
 * a join key (function name, or function + file:line) are summed. Keys and short names
 * are borrowed from the pd_profile, which must outlive the table. */
#ifndef PD_TABLE_H
#define PD_TABLE_H

#include "base/hash.h"

#include "parse/parse.h"

typedef struct pd_fn {
	const char *key;        /* borrowed from the profile */
	const char *short_name; /* borrowed from the profile */
	int64_t flat, cum;      /* summed over the nodes with this key */
	int64_t flat_res, cum_res;
	unsigned nodes;         /* > 1: line nodes aggregated, cum is an upper bound */
	size_t row;             /* scratch for the diff: row index, SIZE_MAX when none */
	UT_hash_handle hh;
} pd_fn;

typedef struct pd_tedge {
	struct {
		const pd_fn *from, *to;
	} key;
	int64_t weight;
	bool weighted, residual, inlined;
	UT_hash_handle hh;
} pd_tedge;

typedef struct pd_table {
	pd_fn *fns;       /* uthash head, owned */
	pd_tedge *edges;  /* uthash head, owned */
} pd_table;

/* Builds the table of p keyed as asked: short_keys joins on label-derived names (for
 * inputs without tooltips); PD_GRAN_LINE keeps one entry per file:line. Edges between
 * nodes that collapse into one entry are dropped. On failure t is left empty: out of
 * memory, or PD_EINPUT "<source>: values overflow a 64-bit integer (sum of ...)". */
pd_status pd_table_build(const pd_profile *p, bool short_keys, pd_granularity g, pd_table *t,
			 pd_error *err);
void pd_table_fini(pd_table *t);

#endif
