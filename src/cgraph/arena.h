/* Internal to src/cgraph: the arena memory discipline (arena.c) that cgraph.c hands to
 * libcgraph for PD_CG_ARENA. Nothing outside the folder includes this. */
#ifndef PD_CGRAPH_ARENA_H
#define PD_CGRAPH_ARENA_H

#include <graphviz/cgraph.h>

#include <stdbool.h>

extern Agmemdisc_t pd_cg_arena_disc;

/* Allocates the state of the next arena graph ahead of agread, which cannot survive a
 * failure of its first allocation; false when out of memory. Lock held. */
bool pd_cg_arena_ready(void);

#endif
