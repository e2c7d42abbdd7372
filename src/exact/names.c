/* Names as pprof prints them: ShortenFunctionName of the google/pprof vendored with
 * Go 1.19 (the four regular expressions of internal/graph/graph.go, hand-matched with
 * RE2's leftmost-first semantics), and Go's filepath.Clean for file names. */
#include <string.h>

#include "exact/internal.h"

static bool word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

static bool digit(char c)
{
	return c >= '0' && c <= '9';
}

/* goVerRegExp `^(.*?)/v(?:[2-9]|[1-9][0-9]+)([./].*)$`: drop the first "/vN" that is
 * followed by '.' or '/'. Writes into d (room for strlen(s) + 1). */
static void drop_version(const char *s, char *d)
{
	for (const char *p = s; (p = strstr(p, "/v")); p++) {
		const char *q = p + 2;
		size_t l = 0;
		while (digit(q[l]))
			l++;
		if (l == 0 || (q[l] != '.' && q[l] != '/') || q[0] == '0' || (l == 1 && q[0] == '1'))
			continue;
		size_t a = (size_t)(p - s);
		memcpy(d, s, a);
		strcpy(d + a, q + l);
		return;
	}
	strcpy(d, s);
}

/* goRegExp `^(?:[\w\-\.]+\/)+(.+)`: what follows the longest run of "segment/" that
 * leaves something (up to a newline) after it; NULL when there is no match. */
static const char *go_match(const char *s, size_t *n)
{
	const char *p = s, *best = NULL;
	for (;;) {
		const char *q = p;
		while (word(*q) || *q == '-' || *q == '.')
			q++;
		if (q == p || *q != '/')
			break;
		p = q + 1;
		if (*p && *p != '\n')
			best = p;
	}
	if (!best)
		return NULL;
	*n = strcspn(best, "\n");
	return best;
}

/* javaRegExp `^(?:[a-z]\w*\.)*([A-Z][\w\$]*\.(?:<init>|[a-z][\w\$]*(?:\$\d+)?))(?:(?:\()|$)`. */
static const char *java_match(const char *s, size_t *n)
{
	const char *p = s;
	for (;;) { /* package segments start lowercase, the class uppercase: no backtracking */
		const char *q = p;
		if (!(*q >= 'a' && *q <= 'z'))
			break;
		while (word(*q))
			q++;
		if (*q != '.')
			break;
		p = q + 1;
	}
	const char *c = p;
	if (!(*p >= 'A' && *p <= 'Z'))
		return NULL;
	while (word(*p) || *p == '$')
		p++;
	if (*p++ != '.')
		return NULL;
	if (strncmp(p, "<init>", 6) == 0)
		p += 6;
	else if (*p >= 'a' && *p <= 'z')
		while (word(*p) || *p == '$')
			p++;
	else
		return NULL;
	if (*p != '(' && *p != '\0')
		return NULL;
	*n = (size_t)(p - c);
	return c;
}

/* After "Class::" at p: `_*[A-Z]\w*::~?[_a-zA-Z]\w*(?:<.*>)?`; length or 0. */
static size_t cpp_tail(const char *p)
{
	const char *q = p;
	while (*q == '_')
		q++;
	if (!(*q >= 'A' && *q <= 'Z'))
		return 0;
	while (word(*q))
		q++;
	if (q[0] != ':' || q[1] != ':')
		return 0;
	q += 2;
	if (*q == '~')
		q++;
	if (!(*q == '_' || (*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z')))
		return 0;
	while (word(*q))
		q++;
	if (*q == '<') { /* greedy: up to the last '>' before a newline */
		size_t line = strcspn(q, "\n");
		for (size_t i = line; i-- > 1;)
			if (q[i] == '>') {
				q += i + 1;
				break;
			}
	}
	return (size_t)(q - p);
}

/* cppRegExp `^(?:[_a-zA-Z]\w*::)+(...)`: the most namespace segments that still leave
 * a match (greedy, backtracking one segment at a time). */
static const char *cpp_match(const char *s, size_t *n)
{
	const char *ends[64];
	size_t k = 0;
	for (const char *p = s; k < 64;) {
		const char *q = p;
		if (!(*q == '_' || (*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z')))
			break;
		while (word(*q))
			q++;
		if (q[0] != ':' || q[1] != ':')
			break;
		p = q + 2;
		ends[k++] = p;
	}
	while (k-- > 0) {
		size_t l = cpp_tail(ends[k]);
		if (l) {
			*n = l;
			return ends[k];
		}
	}
	return NULL;
}

char *pd_exact_short_name(const char *name)
{
	static const char anon[] = "(anonymous namespace)::";
	if (strncmp(name, anon, sizeof anon - 1) == 0)
		name += sizeof anon - 1;
	char *v = pd_malloc(strlen(name) + 1);
	if (!v)
		return NULL;
	drop_version(name, v);
	const char *m = NULL;
	size_t n = 0;
	if (!(m = go_match(v, &n)) && !(m = java_match(v, &n)) && !(m = cpp_match(v, &n))) {
		m = v;
		n = strlen(v);
	}
	/* The DOT label splits on "::" and "."; joined by '.', "::" reads as ".". */
	char *d = pd_malloc(n + 1), *o = d;
	if (d) {
		for (size_t i = 0; i < n; i++) {
			*o++ = m[i];
			if (m[i] == ':' && i + 1 < n && m[i + 1] == ':') {
				o[-1] = '.';
				i++;
			}
		}
		*o = '\0';
	}
	pd_free(v);
	return d;
}

char *pd_exact_clean_path(const char *p)
{
	size_t n = strlen(p);
	if (n == 0)
		return pd_strdup(".");
	char *d = pd_malloc(n + 2);
	if (!d)
		return NULL;
	bool rooted = p[0] == '/';
	size_t w = 0, r = 0, dotdot = 0;
	if (rooted)
		d[w++] = '/', r = 1, dotdot = 1;
	while (r < n) {
		if (p[r] == '/') {
			r++;
		} else if (p[r] == '.' && (r + 1 == n || p[r + 1] == '/')) {
			r++;
		} else if (p[r] == '.' && p[r + 1] == '.' && (r + 2 == n || p[r + 2] == '/')) {
			r += 2;
			if (w > dotdot) { /* back up to the previous separator */
				w--;
				while (w > dotdot && d[w] != '/')
					w--;
			} else if (!rooted) {
				if (w > 0)
					d[w++] = '/';
				d[w++] = '.';
				d[w++] = '.';
				dotdot = w;
			}
		} else {
			if ((rooted && w != 1) || (!rooted && w != 0))
				d[w++] = '/';
			while (r < n && p[r] != '/')
				d[w++] = p[r++];
		}
	}
	if (w == 0)
		d[w++] = '.';
	d[w] = '\0';
	return d;
}
