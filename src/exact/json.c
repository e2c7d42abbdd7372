/* A small pull reader for the JSON of flamegraphs: strings (decoded to UTF-8),
 * integers written as numbers or as strings (protojson's int64), and skipping of
 * anything else. No tree is built, so a flamegraph of millions of nodes costs only its
 * decoded arrays. Nesting deeper than JX_DEPTH is refused (fuzzed input). */
#include <stdlib.h>
#include <string.h>

#include "exact/json.h"

#define JX_DEPTH 64

void pd_jx_ws(jx *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

bool pd_jx_fail(jx *j, const char *what)
{
	if (!j->failed) {
		j->failed = true;
		j->what = what;
		j->at = (size_t)(j->p - j->start);
	}
	return false;
}

bool pd_jx_peek(jx *j, char c)
{
	pd_jx_ws(j);
	return j->p < j->end && *j->p == c;
}

bool pd_jx_eat(jx *j, char c)
{
	if (!pd_jx_peek(j, c))
		return false;
	j->p++;
	return true;
}

static int hex(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
		: c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static bool u4(jx *j, unsigned *v)
{
	if (j->end - j->p < 4)
		return false;
	*v = 0;
	for (int i = 0; i < 4; i++) {
		int h = hex(j->p[i]);
		if (h < 0)
			return false;
		*v = *v << 4 | (unsigned)h;
	}
	j->p += 4;
	return true;
}

static size_t utf8(unsigned c, char *o)
{
	if (c < 0x80) {
		o[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (char)(0xc0 | c >> 6);
		o[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		o[0] = (char)(0xe0 | c >> 12);
		o[1] = (char)(0x80 | (c >> 6 & 0x3f));
		o[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | c >> 18);
	o[1] = (char)(0x80 | (c >> 12 & 0x3f));
	o[2] = (char)(0x80 | (c >> 6 & 0x3f));
	o[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

/* Decodes the string at p into a new NUL-terminated string (*out; NULL when only
 * skipping). NUL characters (\u0000) are refused: names are C strings. */
bool pd_jx_string(jx *j, char **out)
{
	if (out)
		*out = NULL;
	if (!pd_jx_eat(j, '"'))
		return pd_jx_fail(j, "a string");
	const char *s = j->p;
	size_t n = 0;
	bool plain = true;
	while (j->p < j->end && *j->p != '"') {
		if ((unsigned char)*j->p < 0x20)
			return pd_jx_fail(j, "no control character in a string");
		if (*j->p == '\\') {
			plain = false;
			j->p++;
			if (j->p == j->end)
				break;
		}
		j->p++;
		n++;
	}
	if (j->p == j->end)
		return pd_jx_fail(j, "the end of a string");
	const char *e = j->p++;
	if (!out)
		return true;
	/* Escapes only shrink (\uXXXX: 6 bytes -> at most 3; a pair: 12 -> 4). */
	char *d = pd_malloc((size_t)(e - s) + 1), *o = d;
	if (!d) {
		j->oom = true;
		return pd_jx_fail(j, "memory");
	}
	if (plain) {
		memcpy(d, s, (size_t)(e - s));
		o += e - s;
	} else {
		const char *save = j->p;
		j->p = s;
		while (j->p < e) {
			char c = *j->p++;
			if (c != '\\') {
				*o++ = c;
				continue;
			}
			c = *j->p++;
			const char *simple = strchr("\"\\/bfnrt", c);
			if (c && simple) {
				*o++ = "\"\\/\b\f\n\r\t"[simple - "\"\\/bfnrt"];
				continue;
			}
			unsigned v, w;
			if (c != 'u' || !u4(j, &v))
				goto bad;
			if (v >= 0xd800 && v < 0xdc00) {
				if (e - j->p < 6 || j->p[0] != '\\' || j->p[1] != 'u')
					goto bad;
				j->p += 2;
				if (!u4(j, &w) || w < 0xdc00 || w >= 0xe000)
					goto bad;
				v = 0x10000 + ((v - 0xd800) << 10) + (w - 0xdc00);
			} else if (v >= 0xdc00 && v < 0xe000) {
				goto bad;
			}
			if (v == 0)
				goto bad;
			o += utf8(v, o);
		}
		j->p = save;
	}
	*o = '\0';
	if (strlen(d) != (size_t)(o - d)) {
		pd_free(d);
		return pd_jx_fail(j, "no NUL in a string");
	}
	*out = d;
	return true;
bad:
	pd_free(d);
	j->p = s;
	return pd_jx_fail(j, "a valid escape in a string");
}

/* An integer: -?digits, as a number or inside a string; overflow is refused. */
bool pd_jx_int(jx *j, int64_t *v)
{
	pd_jx_ws(j);
	bool quoted = pd_jx_eat(j, '"');
	bool neg = j->p < j->end && *j->p == '-';
	if (neg)
		j->p++;
	const char *d = j->p;
	uint64_t u = 0;
	while (j->p < j->end && *j->p >= '0' && *j->p <= '9') {
		if (u > (UINT64_MAX - 9) / 10)
			return pd_jx_fail(j, "an integer within 64 bits");
		u = u * 10 + (uint64_t)(*j->p++ - '0');
	}
	if (j->p == d)
		return pd_jx_fail(j, "an integer");
	if (j->p < j->end && (*j->p == '.' || *j->p == 'e' || *j->p == 'E'))
		return pd_jx_fail(j, "an integer (no fraction or exponent)");
	if (quoted && !pd_jx_eat(j, '"'))
		return pd_jx_fail(j, "the end of a quoted integer");
	if (u > (uint64_t)INT64_MAX + neg)
		return pd_jx_fail(j, "an integer within 64 bits");
	*v = neg ? (int64_t)(0 - u) : (int64_t)u;
	return true;
}

static bool skip(jx *j, int depth)
{
	if (depth > JX_DEPTH)
		return pd_jx_fail(j, "nesting of at most 64 levels");
	pd_jx_ws(j);
	if (j->p == j->end)
		return pd_jx_fail(j, "a value");
	char c = *j->p;
	if (c == '"')
		return pd_jx_string(j, NULL);
	if (c == '{' || c == '[') {
		char close = c == '{' ? '}' : ']';
		j->p++;
		if (pd_jx_eat(j, close))
			return true;
		do {
			if (c == '{' && (!pd_jx_string(j, NULL) || !pd_jx_eat(j, ':')))
				return pd_jx_fail(j, "a key and ':'");
			if (!skip(j, depth + 1))
				return false;
		} while (pd_jx_eat(j, ','));
		return pd_jx_eat(j, close) || pd_jx_fail(j, "',' or the end of a list");
	}
	static const char *const words[] = {"true", "false", "null"};
	for (int i = 0; i < 3; i++) {
		size_t n = strlen(words[i]);
		if ((size_t)(j->end - j->p) >= n && memcmp(j->p, words[i], n) == 0) {
			j->p += n;
			return true;
		}
	}
	const char *s = j->p;
	if (*j->p == '-')
		j->p++;
	while (j->p < j->end && strchr("0123456789.eE+-", *j->p))
		j->p++;
	return j->p > s || pd_jx_fail(j, "a value");
}

bool pd_jx_skip(jx *j)
{
	return skip(j, 0);
}

bool pd_jx_key(jx *j, bool *first, char key[32])
{
	if (!*first && !pd_jx_eat(j, ',')) {
		if (pd_jx_eat(j, '}'))
			return false;
		return pd_jx_fail(j, "',' or '}'");
	}
	if (*first) {
		*first = false;
		if (pd_jx_eat(j, '}'))
			return false;
	}
	pd_jx_ws(j);
	const char *s = j->p;
	if (!pd_jx_string(j, NULL))
		return false;
	size_t n = (size_t)(j->p - s) - 2;
	/* Keys we look for are short and plain; a longer one is copied cut, never matched. */
	memcpy(key, s + 1, n < 31 ? n : 31);
	key[n < 31 ? n : 31] = '\0';
	if (n >= 31)
		key[0] = '\1';
	if (!pd_jx_eat(j, ':'))
		return pd_jx_fail(j, "':'");
	return true;
}

bool pd_jx_item(jx *j, bool *first, char close)
{
	if (*first) {
		*first = false;
		return !pd_jx_eat(j, close);
	}
	if (pd_jx_eat(j, ','))
		return true;
	if (!pd_jx_eat(j, close))
		pd_jx_fail(j, close == ']' ? "',' or ']'" : "',' or '}'");
	return false;
}
