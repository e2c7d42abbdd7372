/* The legend node of pprof's DOT (a box in its own subgraph): profile type, shown and
 * total values, what was dropped (nodes, edges, with their cutoffs), top-k trimming and
 * the duration. Lines it does not know are ignored; fields it finds go to the info. */
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "parse/internal.h"

bool pd_parse_is_legend(const char *label)
{
	return strstr(label, "Showing nodes accounting for") || strstr(label, "Type: ");
}

/* Parses "<prefix><V><stop>" in line, storing V. *found is false when absent. */
static pd_status legend_value(parse_ctx *c, str line, const char *prefix, const char *stop,
			      int64_t *v, bool *found)
{
	*found = false;
	if (!starts(line, prefix))
		return PD_OK;
	str rest = {line.p + strlen(prefix), line.n - strlen(prefix)};
	const char *e = stop ? rfind(rest, stop) : NULL;
	if (stop && !e)
		return PD_OK;
	str num = {rest.p, e ? (size_t)(e - rest.p) : rest.n};
	*found = true;
	return pd_parse_value(c, "legend", num, v, NULL);
}

pd_status pd_parse_legend(parse_ctx *c, const char *label)
{
	pd_profile_info *in = &c->prof->info;
	str lines[64];
	size_t n = pd_parse_lines(label, lines, 64);
	for (size_t i = 0; i < n; i++) {
		str l = lines[i];
		bool found;
		pd_status rc;
		if (starts(l, "Type: ")) {
			pd_free(c->prof->type);
			c->prof->type = pd_strndup(l.p + 6, l.n - 6);
			if (!c->prof->type)
				return pd_error_oom(c->err);
			in->type = c->prof->type;
		} else if (starts(l, "Showing nodes accounting for ")) {
			/* "Showing nodes accounting for X, P% of T total" */
			str rest = {l.p + 29, l.n - 29};
			const char *comma = memchr(rest.p, ',', rest.n);
			const char *of = rfind(rest, " of ");
			const char *tot = rfind(rest, " total");
			if (!comma || !of || !tot || tot < of)
				return pd_error_set(c->err, PD_EINPUT, "%s: legend: cannot read '%.*s'",
						    c->source, (int)l.n, l.p);
			if ((rc = pd_parse_value(c, "legend", (str){rest.p, (size_t)(comma - rest.p)},
						 &in->shown, NULL)))
				return rc;
			if ((rc = pd_parse_value(c, "legend", (str){of + 4, (size_t)(tot - of - 4)},
						 &in->total, NULL)))
				return rc;
			in->has_total = true;
		} else if (starts(l, "Dropped ")) {
			long cnt = strtol(l.p + 8, NULL, 10);
			const char *open = memchr(l.p, '(', l.n);
			if (!open)
				continue;
			str in_par = {open + 1, l.n - (size_t)(open + 1 - l.p)};
			if (starts(in_par, "cum <= ")) {
				in->dropped_nodes = cnt;
				if ((rc = legend_value(c, in_par, "cum <= ", ")", &in->node_cutoff, &found)))
					return rc;
			} else if (starts(in_par, "freq <= ")) {
				in->dropped_edges = cnt;
				if ((rc = legend_value(c, in_par, "freq <= ", ")", &in->edge_cutoff, &found)))
					return rc;
			}
		} else if (starts(l, "Showing top ")) {
			char *end;
			in->top_k = strtol(l.p + 12, &end, 10);
			const char *out = strstr(end, " out of ");
			in->top_of = out ? strtol(out + 8, NULL, 10) : 0;
		} else if (starts(l, "Duration: ")) {
			str rest = {l.p + 10, l.n - 10};
			const char *comma = memchr(rest.p, ',', rest.n);
			int64_t d;
			pd_unit u;
			pd_error ignored;
			/* Optional: keep the duration only when it reads as a time. */
			if (comma && pd_value_parse(rest.p, (size_t)(comma - rest.p), &d, &u, NULL,
						    &ignored) == PD_OK &&
			    u == PD_UNIT_NANOS)
				in->duration_ns = d;
		}
	}
	return PD_OK;
}
