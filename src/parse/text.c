/* Text helpers of the DOT parse: DOT escapes, label lines and values with units. A
 * value's unit family (time, bytes, count) must agree across one file: the first value
 * with a unit sets it in the profile's info. */
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "parse/internal.h"

/* Decodes DOT escapes in one left-to-right pass: "\\" -> '\', "\n" "\l" "\r" -> '\n'
 * (a line break), anything else after a backslash is kept as written. libcgraph has
 * already turned \" into ". The result is never longer than the input. */
char *pd_parse_unescape(const char *s)
{
	size_t n = strlen(s);
	char *d = pd_malloc(n + 1), *o = d;
	if (!d)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n) {
			char c = s[i + 1];
			if (c == '\\') {
				*o++ = '\\';
				i++;
				continue;
			}
			if (c == 'n' || c == 'l' || c == 'r') {
				*o++ = '\n';
				i++;
				continue;
			}
		}
		*o++ = s[i];
	}
	*o = '\0';
	return d;
}

/* Empty trailing line dropped. */
size_t pd_parse_lines(const char *text, str *lines, size_t max)
{
	size_t k = 0;
	const char *p = text;
	while (*p && k < max) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		lines[k++] = (str){p, len};
		if (!e)
			break;
		p = e + 1;
	}
	return k;
}

pd_status pd_parse_value(parse_ctx *c, const char *where, str s, int64_t *v, int64_t *res)
{
	pd_unit u;
	pd_error e;
	if (pd_value_parse(s.p, s.n, v, &u, res, &e) != PD_OK)
		return pd_error_set(c->err, PD_EINPUT, "%s: %s: %s", c->source, where, e.msg);
	pd_unit *fam = &c->prof->info.unit;
	if (u != PD_UNIT_UNKNOWN) {
		if (*fam == PD_UNIT_UNKNOWN)
			*fam = u;
		else if (*fam != u)
			return pd_error_set(c->err, PD_EINPUT,
					    "%s: %s: value '%.*s' is in %s but the file uses %s", c->source,
					    where, (int)(s.n > 40 ? 40 : s.n), s.p, pd_unit_name(u),
					    pd_unit_name(*fam));
	}
	if (*v < 0)
		c->prof->info.has_negative = true;
	return PD_OK;
}
