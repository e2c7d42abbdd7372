/* Function nodes of pprof's DOT: the four join keys (full and short function name, with
 * and without file:line) from the label's name lines and the tooltip, and flat/cum from
 * the end of the label. Also which node names are function nodes (N<k>) or nodelets
 * (tags, skipped). A pd_node owns its strings; line/short_line may alias func/short_func. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "parse/internal.h"

static bool is_hex16(str s)
{
	if (s.n != 16)
		return false;
	for (size_t i = 0; i < 16; i++)
		if (!isxdigit((unsigned char)s.p[i]))
			return false;
	return true;
}

/* Whether s ends in ":<digits>" (a line, or a column after one). */
static bool ends_in_line(str s)
{
	size_t d = 0;
	while (d < s.n && isdigit((unsigned char)s.p[s.n - 1 - d]))
		d++;
	return d > 0 && d < s.n && s.p[s.n - 1 - d] == ':';
}

/* How sure a label's last name line is the file part (pyroscope-api.md 4.5). */
enum {
	FILE_NO,        /* a name line */
	FILE_SURE,      /* has a '.' (pprof splits names on every '.'), optionally ":line" */
	FILE_LINE,      /* "<basename>:<line>[:<col>]" without a '.': JFR ":4811", goyacc
			 * "yaccpar:36", Node.js "node:events:520"; a Node.js name line
			 * "js:handler:29" has the same shape, so a tooltip must agree */
	FILE_BARE,      /* one word without '.' or ':' (a .NET assembly "WebApp", Ruby
			 * "(unknown)"): a file only when the tooltip ends in it */
};

static int file_kind(str s)
{
	if (s.n == 0 || memchr(s.p, ' ', s.n))
		return FILE_NO;
	if (memchr(s.p, '.', s.n)) {
		const char *colon = memchr(s.p, ':', s.n);
		if (!colon)
			return FILE_SURE;
		for (const char *p = colon; p < s.p + s.n; p++)
			if (*p != ':' && !isdigit((unsigned char)*p))
				return ends_in_line(s) ? FILE_LINE : FILE_NO;
		return FILE_SURE;
	}
	if (ends_in_line(s))
		return FILE_LINE;
	return memchr(s.p, ':', s.n) ? FILE_NO : FILE_BARE;
}

bool pd_parse_is_node_id(const char *name)
{
	if (name[0] != 'N' || !isdigit((unsigned char)name[1]))
		return false;
	for (const char *p = name + 1; *p; p++)
		if (!isdigit((unsigned char)*p))
			return false;
	return true;
}

bool pd_parse_is_nodelet(const char *name, const char *shape)
{
	if (shape && strcmp(shape, "box3d") == 0)
		return true;
	if (strncmp(name, "NN", 2) == 0)
		return true;
	return name[0] == 'N' && isdigit((unsigned char)name[1]) && strchr(name, '_');
}

static char *join(const str *parts, size_t n, char sep)
{
	size_t len = 0;
	for (size_t i = 0; i < n; i++)
		len += parts[i].n + 1;
	char *d = pd_malloc(len + 1), *o = d;
	if (!d)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (i)
			*o++ = sep;
		memcpy(o, parts[i].p, parts[i].n);
		o += parts[i].n;
	}
	*o = '\0';
	return d;
}

static char *concat3(const char *a, const char *sep, str b)
{
	size_t la = strlen(a), ls = strlen(sep);
	char *d = pd_malloc(la + ls + b.n + 1);
	if (d) {
		memcpy(d, a, la);
		memcpy(d + la, sep, ls);
		memcpy(d + la + ls, b.p, b.n);
		d[la + ls + b.n] = '\0';
	}
	return d;
}

void pd_parse_node_fini(pd_node *n)
{
	if (n->line != n->func)
		pd_free(n->line);
	if (n->short_line != n->short_func)
		pd_free(n->short_line);
	pd_free(n->func);
	pd_free(n->short_func);
}

/* flat and cum from the value text, read from the right (pprof-dot.md A.3 lists the four
 * shapes); *names gets how many lines before it hold the name. */
static pd_status values(parse_ctx *c, const char *where, const str *lines, size_t n,
			size_t *names, pd_node *out)
{
	str last = lines[n - 1];
	pd_status rc;
	*names = n - 1;
	if (starts(last, "of ") && n >= 3) {
		if ((rc = pd_parse_value(c, where, value_part((str){last.p + 3, last.n - 3}),
					 &out->cum, &out->cum_res)))
			return rc;
		*names = n - 2;
		return pd_parse_value(c, where, value_part(lines[n - 2]), &out->flat, &out->flat_res);
	}
	if (starts(last, "0 of ")) {
		out->flat = 0;
		return pd_parse_value(c, where, value_part((str){last.p + 5, last.n - 5}), &out->cum,
				      &out->cum_res);
	}
	if ((rc = pd_parse_value(c, where, value_part(last), &out->flat, &out->flat_res)))
		return rc;
	out->cum = out->flat;
	out->cum_res = out->flat_res;
	return PD_OK;
}

/* func and line from the tooltip: "[address ]name[ path:line] (values)". *cut is set
 * when the tooltip ends in " <path>" whose basename is the label's file line, which is
 * then cut off to get the function. False when out of memory. */
static bool from_tooltip(const char *tip, str fileline, pd_node *out, bool *cut_file)
{
	str full = {tip, strlen(tip)};
	const char *cut = rfind(full, " (");
	*cut_file = false;
	if (cut)
		full.n = (size_t)(cut - full.p);
	if (full.n > 17 && is_hex16((str){full.p, 16}) && full.p[16] == ' ') {
		full.p += 17;
		full.n -= 17;
	}
	out->line = pd_strndup(full.p, full.n);
	if (!out->line)
		return false;
	out->func = out->line;
	/* The file part is the last space-separated token (a function name may hold spaces
	 * and "file:line"-like text, never after its last space). */
	const char *sp = fileline.p ? rfind(full, " ") : NULL;
	if (sp) {
		str path = {sp + 1, full.n - (size_t)(sp + 1 - full.p)};
		const char *slash = rfind(path, "/");
		str base = slash ? (str){slash + 1, path.n - (size_t)(slash + 1 - path.p)} : path;
		if (base.n == fileline.n && memcmp(base.p, fileline.p, base.n) == 0) {
			*cut_file = true;
			out->func = pd_strndup(full.p, (size_t)(sp - full.p));
			if (!out->func)
				return false;
		}
	}
	return true;
}

pd_status pd_parse_node(parse_ctx *c, const char *id, const char *label_raw,
			const char *tooltip_raw, pd_node *out)
{
	pd_status rc = PD_OK;
	char *label = pd_parse_unescape(label_raw), *tip = NULL;
	size_t cap = 1;
	for (const char *p = label_raw; *p; p++)
		cap += *p == '\\';
	str *lines = pd_calloc(cap + 1, sizeof *lines);
	if (!label || !lines)
		goto oom;
	size_t n = pd_parse_lines(label, lines, cap + 1), names;
	char where[96];
	if (pd_cg_name_is_made_up(id))
		snprintf(where, sizeof where, "a node named '%%...'");
	else
		snprintf(where, sizeof where, "node %.60s", id);
	if (n < 2) {
		rc = pd_error_set(c->err, PD_EINPUT, "%s: %s: label has no name and value", c->source,
				  where);
		goto out;
	}
	if ((rc = values(c, where, lines, n, &names, out)))
		goto out;
	str *nm = lines;
	if (names > 1 && is_hex16(nm[0])) { /* -addresses: the address comes first */
		nm++;
		names--;
	}
	str fileline = {NULL, 0};
	bool confirmed = false, has_tip = tooltip_raw && *tooltip_raw;
	int kind = names > 1 ? file_kind(nm[names - 1]) : FILE_NO;
	if (kind == FILE_SURE || kind == FILE_LINE || (kind == FILE_BARE && has_tip))
		fileline = nm[names - 1];
	if (has_tip) {
		if (!(tip = pd_parse_unescape(tooltip_raw)) ||
		    !from_tooltip(tip, fileline, out, &confirmed))
			goto oom;
		/* Without a '.', only the tooltip's last token tells a file from a name. */
		if (kind != FILE_SURE && !confirmed)
			fileline = (str){NULL, 0};
	}
	if (fileline.p)
		names--;
	out->short_func = join(nm, names, '.');
	if (!out->short_func)
		goto oom;
	out->short_line = fileline.p ? concat3(out->short_func, " ", fileline) : out->short_func;
	if (!out->short_line)
		goto oom;
	if (!has_tip) {
		out->func = pd_strdup(out->short_func);
		if (!out->func)
			goto oom;
		out->line = fileline.p ? concat3(out->func, " ", fileline) : out->func;
		if (!out->line)
			goto oom;
	}
	goto out;
oom:
	rc = pd_error_oom(c->err);
out:
	pd_free(label);
	pd_free(tip);
	pd_free(lines);
	return rc;
}
