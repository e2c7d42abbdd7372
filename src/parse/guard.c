/* The checks on DOT text before libcgraph reads it: size, subgraph count and nesting
 * depth within pd_parse_limits, and nothing but blanks and comments after the graph's
 * closing '}' (libcgraph reads one graph and silently leaves the rest). One scan that
 * skips strings and comments as libcgraph's lexer does; where the text is malformed in
 * a way libcgraph reports (an unterminated string, a stray '}'), it leaves it to it. */
#include <string.h>

#include "parse/internal.h"
#include "parse/prepass.h"

/* Past the HTML string at p ('<'), nested '<' '>' counted; NULL when unterminated. */
static const char *hstring(const char *p, const char *e)
{
	size_t depth = 0;
	for (; p < e; p++) {
		if (*p == '<')
			depth++;
		else if (*p == '>' && --depth == 0)
			return p + 1;
	}
	return NULL;
}

/* Past the comment at p, or p when there is none there; NULL when unterminated. */
static const char *comment(const char *p, const char *e)
{
	if (*p == '#' || (*p == '/' && p + 1 < e && p[1] == '/')) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		return nl ? nl : e;
	}
	if (*p == '/' && p + 1 < e && p[1] == '*') {
		const char *end = memmem(p + 2, (size_t)(e - p - 2), "*/", 2);
		return end ? end + 2 : NULL;
	}
	return p;
}

static size_t line_of(const char *text, const char *p)
{
	size_t line = 1;
	for (const char *q = text; (q = memchr(q, '\n', (size_t)(p - q))); q++)
		line++;
	return line;
}

/* After the graph's closing '}': only blanks and comments may follow. */
static pd_status tail(const char *source, const char *text, const char *p, const char *e,
		      pd_error *err)
{
	while (p < e) {
		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
			p++;
			continue;
		}
		const char *q = comment(p, e);
		if (q == p)
			return pd_error_set(err, PD_EINPUT,
					    "%s: text after the graph's closing '}' in line %zu "
					    "(one graph per file)",
					    source, line_of(text, p));
		if (!q)
			return PD_OK; /* an unterminated comment: libcgraph's to report */
		p = q;
	}
	return PD_OK;
}

static const bool special[256] = {['"'] = 1, ['<'] = 1, ['#'] = 1, ['/'] = 1, ['{'] = 1,
				   ['}'] = 1};

pd_status pd_parse_guard(const char *source, const char *text, size_t len,
			 const pd_parse_limits *lim, pd_error *err)
{
	size_t max_input = lim && lim->max_input ? lim->max_input : PD_PARSE_MAX_INPUT;
	size_t max_sub = lim && lim->max_subgraphs ? lim->max_subgraphs : PD_PARSE_MAX_SUBGRAPHS;
	size_t max_depth = lim && lim->max_depth ? lim->max_depth : PD_PARSE_MAX_DEPTH;
	bool ceiling = max_depth >= PD_PARSE_DEPTH_CEILING;
	if (ceiling)
		max_depth = PD_PARSE_DEPTH_CEILING;
	if (len > max_input)
		return pd_error_set(err, PD_EINPUT,
				    "%s: larger than %zu bytes (raise the limit with --max-input-size)",
				    source, max_input);
	size_t depth = 0, blocks = 0;
	const char *p = text, *e = text + len;
	while (p < e) {
		/* Most of a pprof DOT is quoted strings, skipped by memchr; between them,
		 * jump to the next byte that matters (text is not NUL-terminated). */
		while (p < e && !special[(unsigned char)*p])
			p++;
		if (p >= e)
			break;
		const char *q;
		switch (*p) {
		case '"':
			q = pd_dot_qend(p, e);
			break;
		case '<':
			q = hstring(p, e);
			break;
		case '{':
			if (++depth > max_depth)
				return pd_error_set(
					err, PD_EINPUT,
					ceiling ? "%s: subgraphs nested deeper than %zu levels in line %zu, "
						  "more than libcgraph can read"
						: "%s: subgraphs nested deeper than %zu levels in line %zu "
						  "(raise the limit with --max-nesting)",
					source, max_depth, line_of(text, p));
			if (blocks++ > max_sub)
				return pd_error_set(err, PD_EINPUT,
						    "%s: more than %zu subgraphs (raise the limit with "
						    "--max-subgraphs)",
						    source, max_sub);
			q = p + 1;
			break;
		case '}':
			if (depth == 0)
				return PD_OK; /* a stray '}': libcgraph's syntax error */
			if (--depth == 0)
				return tail(source, text, p + 1, e, err);
			q = p + 1;
			break;
		default: /* '#' or '/' */
			q = comment(p, e);
			if (q == p)
				q = p + 1;
			break;
		}
		if (!q)
			return PD_OK; /* unterminated: libcgraph's to report */
		p = q;
	}
	return PD_OK;
}
