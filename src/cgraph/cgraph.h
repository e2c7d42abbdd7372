/* The only place that knows libcgraph's internals: its global lexer and error hook
 * (hence one lock), the undeclared lexer reset, a chunked memory reader, node IDs for
 * pprof's N<k> names, an arena memory discipline, and dense node sequence numbers.
 * Callers use libcgraph's public API (agfstnode, agxget, ...) on the graph it returns,
 * with the lock held, and never see the disciplines behind it. */
#ifndef PD_CGRAPH_H
#define PD_CGRAPH_H

#include <stdbool.h>
#include <stddef.h>

#include <graphviz/cgraph.h>

/* How pd_cg_read builds the graph. */
typedef enum pd_cg_mode {
	PD_CG_PLAIN, /* agmemread: libcgraph's default disciplines (the reference) */
	PD_CG_FAST,  /* chunked reader, N<k> node IDs as numbers, malloc'ed objects */
	PD_CG_ARENA, /* PD_CG_FAST with objects in an arena dropped whole by pd_cg_close.
		      * libcdt mallocs its dictionary headers outside any discipline, and
		      * they stay (1.2 KB per graph, 0.6 KB more per subgraph): for a
		      * short-lived process, not a long-lived caller. In ASan builds the
		      * arena poisons its slack, red zones and freed blocks. */
} pd_cg_mode;

/* libcgraph is not reentrant (global lexer, error hook, ID name buffer): hold this lock
 * from pd_cg_read until the graph is closed and no name from it is used any more. */
void pd_cg_lock(void);
void pd_cg_unlock(void);

/* Parses text[0..len) as one graph, with line numbers from 1 and a lexer reset from any
 * earlier read. text[len] and text[len + 1] must be NUL: libcgraph's scanner reads it in
 * place (linear in the longest token) and writes into it, so its contents are
 * unspecified afterwards; it may be freed once this returns. NULL when libcgraph finds
 * no graph or a syntax error: pd_cg_error then says why. Lock held. */
Agraph_t *pd_cg_read(char *text, size_t len, pd_cg_mode mode);

/* libcgraph's first error message since the last pd_cg_read or pd_cg_render_begin, as
 * one line: the token it quotes cut to 60 bytes ("..."), control characters and bytes
 * that are not UTF-8 as \xNN, characters whole. "" when it gave none (no graph at
 * all). Valid until the next read; lock held. */
const char *pd_cg_error(void);

/* For the SVG renderer, which reads and lays out DOT with libcgraph and libgvc itself:
 * takes the lock, resets the lexer, line numbers and error state as pd_cg_read does,
 * and has warnings captured too; pd_cg_failed says whether any message came since,
 * pd_cg_error gives the first. pd_cg_render_end restores the error level and
 * releases the lock (the graph must be closed before). */
void pd_cg_render_begin(void);
bool pd_cg_failed(void);
void pd_cg_render_end(void);

/* Closes a graph from pd_cg_read (NULL: no-op); its strings and names die with it. */
void pd_cg_close(Agraph_t *g);

/* The graph's name, or "" when it has none (libcgraph names anonymous graphs by a
 * counter, "%<n>", which changes from one read to the next). Owned by the graph. */
const char *pd_cg_graph_name(Agraph_t *g);

/* Whether a node name is one libcgraph made up ("%<n>", for IDs starting with '%'),
 * which differs from one read to the next and so must not appear in messages. */
static inline bool pd_cg_name_is_made_up(const char *name)
{
	return name[0] == '%';
}

/* Node sequence numbers of a graph from pd_cg_read are dense, from 1 in creation order
 * (nothing is deleted while reading): every node's pd_cg_seq is below
 * pd_cg_seq_bound(g), so they can index an array. */
static inline size_t pd_cg_seq(Agnode_t *n)
{
	return (size_t)AGSEQ(n);
}

static inline size_t pd_cg_seq_bound(Agraph_t *g)
{
	return (size_t)agnnodes(g) + 2;
}

#endif
