/* The builder both exact readers feed (build.c): interns nodes by their full name,
 * accumulates flat, cum (once per stack) and edges (once per stack) from pprof
 * samples or from a flamegraph tree walk, and finally moves everything into a
 * pd_profile. The builder owns its strings until pd_xb_finish hands them over. */
#ifndef PD_EXACT_INTERNAL_H
#define PD_EXACT_INTERNAL_H

#include <stdint.h>

#include "base/base.h"
#include "base/hash.h"
#include "exact/exact.h"

typedef struct xnode {
	char *func;    /* full function name */
	char *line;    /* func, or func + " " + file:line (may be func itself) */
	char *suffix;  /* NULL, or " " + basename:line for the short line name */
	int64_t flat, cum;
	size_t stamp;  /* last sample that added cum */
	uint32_t active; /* flamegraph walk: open tree nodes with this name */
} xnode;

typedef struct xkey {
	const char *key; /* the node's line string */
	uint32_t idx;
	UT_hash_handle hh;
} xkey;

typedef struct xedge {
	uint64_t key;    /* from << 32 | to */
	int64_t w;
	size_t stamp;
	uint32_t active;
	bool inlined;    /* every contribution came through an inlined call */
} xedge;

typedef struct pd_xb {
	xnode *nodes;
	size_t n, cap;
	xkey *keys;
	xedge *edges;     /* in order of creation */
	size_t nedges, ecap;
	uint32_t *slots;  /* open addressing over edges: index + 1, 0 = empty */
	size_t nslots;    /* a power of two, at least twice nedges */
	size_t stamp;
	int64_t total;
	bool negative;
	pd_error *err;
} pd_xb;

void pd_xb_init(pd_xb *b, pd_error *err);
void pd_xb_fini(pd_xb *b);

/* The node for func (+ file:line when lines is set), created on first use; its index
 * in *idx. file may be NULL or "". PD_EINTERNAL when out of memory; PD_EINPUT when
 * the profile has more than 2^32-1 distinct nodes. */
pd_status pd_xb_node(pd_xb *b, const char *func, const char *file, int64_t lineno,
		     bool lines, uint32_t *idx);

/* One pprof sample: frames[0] is the leaf, frames[n-1] the root; inl[i] says frame i
 * was inlined into frame i+1 (both may come from one location). v == 0 is skipped,
 * like pprof does. */
pd_status pd_xb_sample(pd_xb *b, const uint32_t *frames, const uint8_t *inl, size_t n,
		       int64_t v);

/* Flamegraph walk: a tree node of name idx opens under parent (UINT32_MAX at a root)
 * with its total and self; *e receives the edge it counted through (UINT32_MAX for
 * none) for pd_xb_close. */
pd_status pd_xb_open(pd_xb *b, uint32_t parent, uint32_t idx, int64_t total, int64_t self,
		     uint32_t *e);
void pd_xb_close(pd_xb *b, uint32_t idx, uint32_t e);

typedef struct pd_xb_meta {
	const char *source, *title, *type;
	pd_unit unit;
	int64_t scale;       /* multiply every value by this (units given in ms, kB...) */
	int64_t duration_ns;
	bool lines;
} pd_xb_meta;

/* Moves the nodes with a value and their edges into a new profile. The builder is
 * left empty (call pd_xb_fini anyway). */
pd_status pd_xb_finish(pd_xb *b, const pd_xb_meta *m, pd_profile **out);

/* Unit of a pprof/Pyroscope unit name ("nanoseconds", "bytes", "count"...), and the
 * factor to the family's base unit (1 for the base unit itself). */
pd_unit pd_exact_unit(const char *name, int64_t *scale);

/* Go's filepath.Clean into a new string; NULL when out of memory. */
char *pd_exact_clean_path(const char *p);

#endif
