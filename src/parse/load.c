/* DOT text -> pd_profile: the entry points of src/parse. Recognizes pprof's and
 * Pyroscope's dialect; rejects empty, gzip and binary input up front; hands libcgraph
 * the pre-pass's stripped text when the pre-pass models it, else the original, and
 * words libcgraph's errors about the original. The graph is closed before returning. */
#include <ctype.h>
#include <string.h>

#include "base/alloc.h"
#include "parse/internal.h"

/* A copy of text[0..len) (which holds no NUL) ending in the two NULs pd_cg_read needs. */
static char *copy_text(const char *text, size_t len)
{
	char *d = pd_malloc(len + 2);
	if (d) {
		memcpy(d, text, len);
		d[len] = d[len + 1] = '\0';
	}
	return d;
}

/* Input that is clearly not DOT, with a message that says what it is. */
static pd_status not_dot(const char *source, const char *data, size_t len, pd_error *err)
{
	size_t i = 0;
	while (i < len && isspace((unsigned char)data[i]))
		i++;
	if (i == len)
		return pd_error_set(err, PD_EINPUT, "%s: empty file", source);
	if (len >= 2 && (unsigned char)data[0] == 0x1f && (unsigned char)data[1] == 0x8b)
		return pd_error_set(err, PD_EINPUT,
				    "%s: gzip data, not DOT (a .pb.gz profile? render it with "
				    "'go tool pprof -dot')",
				    source);
	const char *nul = memchr(data, '\0', len);
	if (nul)
		return pd_error_set(err, PD_EINPUT, "%s: binary data (NUL byte at offset %zu), not DOT",
				    source, (size_t)(nul - data));
	return PD_OK;
}

/* Runs libcgraph on text; on failure fills err from its message. Lock held. */
static Agraph_t *read_graph(const char *source, char *text, size_t len, unsigned flags,
			    pd_error *err)
{
	pd_cg_mode mode = (flags & PD_PARSE_PLAIN)   ? PD_CG_PLAIN
			  : (flags & PD_PARSE_ARENA) ? PD_CG_ARENA
						     : PD_CG_FAST;
	Agraph_t *g = pd_cg_read(text, len, mode);
	/* An error with a graph: libcgraph stopped early (its parser stack overflows at
	 * about 3400 nested subgraphs) and returns what it had. Never a partial profile. */
	if (g && *pd_cg_error()) {
		pd_cg_close(g);
		g = NULL;
	}
	if (!g) {
		const char *msg = pd_cg_error();
		if (strcmp(msg, "memory allocation failure") == 0) /* libcgraph's, pd_cg_read's */
			pd_error_oom(err);
		else if (*msg)
			pd_error_set(err, PD_EINPUT, "%s: malformed DOT: %s", source, msg);
		else
			pd_error_set(err, PD_EINPUT,
				     "%s: no graph in input (not DOT, or cut inside a quoted string)",
				     source);
	}
	return g;
}

pd_status pd_profile_parse_limits(const char *source, const char *data, size_t len,
				  unsigned flags, const pd_parse_limits *lim, pd_profile **out,
				  pd_error *err)
{
	*out = NULL;
	pd_status rc = not_dot(source, data, len, err);
	if (rc != PD_OK)
		return rc;
	/* A UTF-8 byte-order mark at the start (editors on Windows write one): libcgraph
	 * would read it as part of the first keyword. Dropped here, before the pre-pass,
	 * so that references are offsets into the text without it (c.data below). */
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
		data += 3;
		len -= 3;
	}
	if ((rc = pd_parse_guard(source, data, len, lim, err)) != PD_OK)
		return rc;
	pd_profile *p = pd_calloc(1, sizeof *p);
	if (!p)
		return pd_error_oom(err);
	/* The text libcgraph sees: stripped of unread attributes when the pre-pass
	 * understands it, else a NUL-terminated copy. */
	size_t tlen = len;
	pd_refs refs = {0};
	char *text = NULL;
	if (!(flags & (PD_PARSE_PLAIN | PD_PARSE_NOREFS)))
		text = pd_prepass_refs(data, len, &tlen, &refs);
	bool with_refs = text != NULL;
	if (!with_refs && (flags & PD_PARSE_REFS_ONLY)) {
		pd_free(p);
		return pd_error_set(err, PD_EINTERNAL, "%s: reference mode refused", source);
	}
	if (!text && !(flags & PD_PARSE_PLAIN))
		text = pd_prepass(data, len, &tlen);
	bool stripped = text != NULL;
	if (!text && !(text = copy_text(data, len))) {
		pd_free(p);
		return pd_error_oom(err);
	}
	p->source = pd_strdup(source);
	p->info.source = p->source;
	parse_ctx c = {source, p, err, data, len, NULL, NULL, {0}, false};
	pd_buf_init(&c.scratch, 0);

	pd_cg_lock();
	Agraph_t *g = read_graph(source, text, tlen, flags, err);
	if (!g && stripped) {
		with_refs = false;
		/* Report libcgraph's words about the original text, not the stripped one. */
		pd_free(text);
		if ((text = copy_text(data, len)))
			g = read_graph(source, text, len, flags, err);
		else
			pd_error_oom(err);
	}
	rc = g ? PD_OK : err ? err->code : PD_EINPUT;
	if (g) {
		p->title = pd_strdup(pd_cg_graph_name(g));
		p->info.title = p->title;
		c.refs = with_refs ? &refs : NULL;
		rc = pd_parse_walk(&c, g);
		pd_cg_close(g);
	}
	pd_cg_unlock();
	pd_free(text);
	pd_free(refs.ref);
	pd_buf_fini(&c.scratch);
	if (rc != PD_OK) {
		pd_profile_free(p);
		if (c.refs_lost && (flags & PD_PARSE_REFS_ONLY))
			return pd_error_set(err, PD_EINTERNAL, "%s: reference mode left", source);
		if (c.refs_lost) /* a node with two lists: the plain pre-pass keeps both */
			return pd_profile_parse_limits(source, data, len, flags | PD_PARSE_NOREFS, lim,
						       out, err);
		return rc;
	}
	*out = p;
	return PD_OK;
}

pd_status pd_profile_parse_flags(const char *source, const char *data, size_t len,
				 unsigned flags, pd_profile **out, pd_error *err)
{
	return pd_profile_parse_limits(source, data, len, flags, NULL, out, err);
}

pd_status pd_profile_parse(const char *source, const char *data, size_t len, pd_profile **out,
			   pd_error *err)
{
	return pd_profile_parse_limits(source, data, len, 0, NULL, out, err);
}

pd_status pd_profile_read_limits(const char *path, unsigned flags, const pd_parse_limits *lim,
				 pd_profile **out, pd_error *err)
{
	*out = NULL;
	size_t max = lim && lim->max_input ? lim->max_input : PD_PARSE_MAX_INPUT;
	const char *source = strcmp(path, "-") == 0 ? "<stdin>" : path;
	pd_buf b;
	pd_buf_init(&b, max);
	pd_status rc = pd_read_file(path, &b, err);
	if (rc != PD_OK && b.over_limit) /* the same words as pd_parse_guard's */
		rc = pd_error_set(err, PD_EINPUT,
				  "%s: larger than %zu bytes (raise the limit with --max-input-size)",
				  source, max);
	else if (rc == PD_OK)
		rc = pd_profile_parse_limits(source, b.data, b.len, flags, lim, out, err);
	pd_buf_fini(&b);
	return rc;
}

pd_status pd_profile_read_flags(const char *path, unsigned flags, pd_profile **out,
				pd_error *err)
{
	return pd_profile_read_limits(path, flags, NULL, out, err);
}

pd_status pd_profile_read(const char *path, pd_profile **out, pd_error *err)
{
	return pd_profile_read_limits(path, 0, NULL, out, err);
}

void pd_profile_free(pd_profile *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nnodes; i++)
		pd_parse_node_fini(&p->nodes[i]);
	pd_free(p->nodes);
	pd_free(p->edges);
	pd_free(p->source);
	pd_free(p->title);
	pd_free(p->type);
	pd_free(p);
}

const pd_profile_info *pd_profile_get_info(const pd_profile *p)
{
	return &p->info;
}
