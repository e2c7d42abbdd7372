/* Differential fuzz harness for the pre-pass (src/parse/prepass.c): any input must give
 * the same result, profile or error, with the pre-pass (with and without references,
 * and with the arena) and with plain libcgraph parsing.
 * Profiles are compared through a canonical dump of every field. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse/prepass.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void dump(pd_buf *b, pd_status rc, const pd_profile *p, const pd_error *e)
{
	if (rc != PD_OK) {
		pd_buf_printf(b, "error %d %s\n", rc, e->msg);
		return;
	}
	const pd_profile_info *i = &p->info;
	pd_buf_printf(b, "%s|%s|%d|%lld|%d|%lld|%lld|%ld|%lld|%ld|%lld|%ld|%ld|%d%d%d%d|%zu|%zu\n",
		      i->title ? i->title : "-", i->type ? i->type : "-", (int)i->unit,
		      (long long)i->total, i->has_total, (long long)i->shown,
		      (long long)i->duration_ns, i->dropped_nodes, (long long)i->node_cutoff,
		      i->dropped_edges, (long long)i->edge_cutoff, i->top_k, i->top_of, i->trimmed,
		      i->has_tooltips, i->has_lines, i->has_negative, p->nnodes, p->nedges);
	for (size_t k = 0; k < p->nnodes; k++) {
		const pd_node *n = &p->nodes[k];
		pd_buf_printf(b, "n %s|%s|%s|%s|%lld %lld %lld %lld\n", n->func, n->line,
			      n->short_func, n->short_line, (long long)n->flat, (long long)n->cum,
			      (long long)n->flat_res, (long long)n->cum_res);
	}
	for (size_t k = 0; k < p->nedges; k++) {
		const pd_pedge *g = &p->edges[k];
		pd_buf_printf(b, "e %zu %zu %lld %d%d%d\n", g->from, g->to, (long long)g->weight,
			      g->weighted, g->residual, g->inlined);
	}
}

/* libcgraph 2.42's own reader (the plain mode, agmemread) garbles its message for a
 * syntax error near a token longer than its refill buffer ("(null)", or the raw token);
 * the pre-pass modes hand libcgraph the text in one buffer and get the real message. So
 * two malformed-DOT errors count as the same result: their wording is not compared. */
static bool plain_garbled(const pd_buf *plain, const pd_buf *x)
{
	static const char head[] = "error 3 fuzz: malformed DOT: ";
	return plain->len >= sizeof head - 1 && strncmp(plain->data, head, sizeof head - 1) == 0 &&
	       x->len >= sizeof head - 1 && strncmp(x->data, head, sizeof head - 1) == 0;
}

/* Parses with flags and appends the canonical dump to b. */
static void parse_dump(const uint8_t *data, size_t size, unsigned flags, pd_buf *b)
{
	pd_profile *p = NULL;
	pd_error e = {0};
	pd_status rc = pd_profile_parse_flags("fuzz", (const char *)data, size, flags, &p, &e);
	dump(b, rc, p, &e);
	pd_profile_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pd_buf plain;
	pd_buf_init(&plain, 0);
	parse_dump(data, size, PD_PARSE_PLAIN, &plain);
	/* The pre-pass with references (the default) and without; the CLI's arena. */
	static const unsigned modes[] = {0, PD_PARSE_NOREFS, PD_PARSE_ARENA};
	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
		pd_buf x;
		pd_buf_init(&x, 0);
		parse_dump(data, size, modes[i], &x);
		if ((x.len != plain.len || memcmp(x.data, plain.data, x.len) != 0) &&
		    !plain_garbled(&plain, &x)) {
			fprintf(stderr, "pre-pass (flags %u) differs:\n--- with\n%.2000s\n--- without\n%.2000s\n",
				modes[i], x.data, plain.data);
			abort();
		}
		pd_buf_fini(&x);
	}
	pd_buf_fini(&plain);
	return 0;
}
