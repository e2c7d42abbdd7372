/* The --gate-file parser: JSON kept in the user's repository with per-function or
 * per-package thresholds and budgets, and an allow-list with reasons and expiry dates.
 * Every error reads "FILE:LINE: problem" (syntax errors add the column): cJSON gives the
 * offset of a syntax error; for a valid document a small scanner records the line of
 * every value and key in text order, which is the pre-order of cJSON's tree.
 * The pd_gatefile owns every string and compiled regex; pd_gatefile_fini frees them.
 *
 * Schema (version 1; unknown keys are errors; docs/gate-file.md has examples):
 *
 *   {
 *     "version": 1,                        optional; must be 1
 *     "rules": [                           optional; the FIRST matching entry applies
 *       {
 *         "match": "^encoding/json\\.",    POSIX ERE on the full function name, or
 *         "function": "main.hot",          an exact function name (exactly one of two)
 *         "fail_on_increase": 20,          percent of the function's own base, >= 0;
 *                                          false turns the rule off for these functions
 *         "min_delta": "5ms",              floor: "50ms", "2s", "10MB", "1000", "0.5%"
 *         "budget": "2s"                   the matched functions together (sum of the
 *       }                                  gated metric in the head) may cost at most
 *     ],                                   this; at least one of the three is required
 *     "allow": [                           optional; suppresses findings it matches
 *       {
 *         "match": "^runtime\\.",          or "function", as above
 *         "reason": "GC tuning, PERF-123", required, non-empty
 *         "expires": "2026-12-31"          required; last day it applies (UTC); after it
 *       }                                  the entry warns and no longer applies
 *     ]
 *   }
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "base/alloc.h"
#include "gate/gate.h"

typedef struct vpos {
	unsigned key_line; /* line of the member's key, 0 for array elements and the root */
	unsigned line;     /* line where the value starts */
} vpos;

typedef struct pctx {
	const char *path;
	const char *text;
	size_t len;
	const cJSON **items; /* cJSON items in pre-order */
	vpos *pos;           /* their positions, same index */
	size_t n;
	const char *today;
	pd_gatefile *gf;
} pctx;

/* ---- positions --------------------------------------------------------------------- */

static size_t count_items(const cJSON *it)
{
	size_t n = 1;
	for (const cJSON *c = it->child; c; c = c->next)
		n += count_items(c);
	return n;
}

static void list_items(const cJSON *it, const cJSON **out, size_t *k)
{
	out[(*k)++] = it;
	for (const cJSON *c = it->child; c; c = c->next)
		list_items(c, out, k);
}

static size_t skip_string(const char *t, size_t i, size_t len) /* i at the opening quote */
{
	for (i++; i < len && t[i] != '"'; i++)
		if (t[i] == '\\')
			i++;
	return i + 1;
}

/* Records the line of each value (and of its key) in text order. The text is valid
 * JSON: cJSON accepted it. */
static size_t scan_positions(const char *t, size_t len, vpos *pos, size_t max)
{
	size_t n = 0, i = 0;
	unsigned line = 1, key_line = 0;
	while (i < len && n < max) {
		char ch = t[i];
		if (ch == '\n') {
			line++;
			i++;
		} else if (ch == '"') {
			size_t end = skip_string(t, i, len), j = end;
			while (j < len && (t[j] == ' ' || t[j] == '\t' || t[j] == '\r'))
				j++;
			if (j < len && t[j] == ':') {
				key_line = line;
			} else {
				pos[n++] = (vpos){key_line, line};
				key_line = 0;
			}
			i = end;
		} else if (ch == '{' || ch == '[' || ch == '-' || isdigit((unsigned char)ch) ||
			   ch == 't' || ch == 'f' || ch == 'n') {
			pos[n++] = (vpos){key_line, line};
			key_line = 0;
			if (ch == '{' || ch == '[') {
				i++;
			} else { /* a number or literal: skip to its end */
				while (i < len && !strchr(",]} \t\r\n", t[i]))
					i++;
			}
		} else {
			i++;
		}
	}
	return n;
}

static vpos where(const pctx *c, const cJSON *it)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->items[i] == it)
			return c->pos[i];
	return (vpos){0, 1};
}

/* The line of a member's key (or of the value when it has no key). */
static unsigned line_of(const pctx *c, const cJSON *it)
{
	vpos p = where(c, it);
	return p.key_line ? p.key_line : p.line;
}

static pd_status fail(const pctx *c, const cJSON *it, pd_error *err, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 4, 5)))
#endif
	;

static pd_status fail(const pctx *c, const cJSON *it, pd_error *err, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return pd_error_set(err, PD_EUSAGE, "%s:%u: %s", c->path, it ? line_of(c, it) : 1, msg);
}

/* ---- dates -------------------------------------------------------------------------- */

static bool valid_date(const char *s)
{
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return false;
	int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m < 1 || m > 12 || d < 1)
		return false;
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return d <= mdays[m - 1] + (m == 2 && leap);
}

static void today_utc(char out[11])
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

/* ---- members -------------------------------------------------------------------------- */

static pd_status check_keys(const pctx *c, const cJSON *obj, const char *const *known,
			    const char *what, pd_error *err)
{
	for (const cJSON *m = obj->child; m; m = m->next) {
		bool ok = false;
		for (size_t i = 0; known[i]; i++)
			ok = ok || strcmp(m->string, known[i]) == 0;
		if (!ok) {
			char list[160] = "";
			for (size_t i = 0; known[i]; i++)
				snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
					 i ? ", " : "", known[i]);
			return fail(c, m, err, "unknown key '%s' in %s (expected %s)", m->string, what,
				    list);
		}
		for (const cJSON *o = obj->child; o != m; o = o->next)
			if (strcmp(o->string, m->string) == 0)
				return fail(c, m, err, "duplicate key '%s' in %s", m->string, what);
	}
	return PD_OK;
}

/* glibc's regcomp copies a repeated subexpression once per repetition, and a
 * repetition of a repetition ("a++", "a{99}*") multiplies the copies: about 40 stacked
 * '+' take all memory. Refused before regcomp: stacked repetition operators, and brace
 * counts whose product exceeds MAX_REPEAT (an over-estimate of the copies). */
#define MAX_REPEAT 1000

static bool is_quant(char ch)
{
	return ch == '*' || ch == '+' || ch == '?' || ch == '{';
}

static bool regex_too_costly(const char *p)
{
	unsigned long cost = 1;
	bool after_quant = false;
	for (size_t i = 0; p[i]; i++) {
		char ch = p[i];
		if (after_quant && is_quant(ch))
			return true;
		after_quant = false;
		if (ch == '\\') {
			if (p[i + 1])
				i++;
		} else if (ch == '[') { /* a bracket expression: its characters are literal */
			size_t j = i + 1;
			if (p[j] == '^')
				j++;
			if (p[j] == ']')
				j++;
			while (p[j] && p[j] != ']')
				j++;
			if (!p[j])
				return false; /* unbalanced: regcomp says so */
			i = j;
		} else if (ch == '{') {
			unsigned long n = 0, m = 0;
			size_t j = i + 1;
			for (; p[j] >= '0' && p[j] <= '9' && n <= MAX_REPEAT; j++)
				n = n * 10 + (unsigned long)(p[j] - '0');
			if (p[j] == ',')
				for (j++; p[j] >= '0' && p[j] <= '9' && m <= MAX_REPEAT; j++)
					m = m * 10 + (unsigned long)(p[j] - '0');
			if (m < n)
				m = n;
			cost *= m ? m : 1;
			if (cost > MAX_REPEAT)
				return true;
			while (p[j] && p[j] != '}')
				j++;
			if (!p[j])
				return false;
			i = j;
			after_quant = true;
		} else if (ch == '*' || ch == '+' || ch == '?') {
			after_quant = true;
		}
	}
	return false;
}

/* "match" (regex) or "function" (exact name): exactly one. */
static pd_status parse_pattern(const pctx *c, const cJSON *obj, const char *what, char **pattern,
			       bool *exact, regex_t *re, bool *compiled, pd_error *err)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, "match");
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(obj, "function");
	if (m && f)
		return fail(c, f, err, "%s has both \"match\" and \"function\"", what);
	if (!m && !f)
		return fail(c, obj, err, "%s needs \"match\" (a regular expression) or \"function\"",
			    what);
	const cJSON *p = m ? m : f;
	if (!cJSON_IsString(p) || !p->valuestring[0])
		return fail(c, p, err, "'%s' must be a non-empty string", p->string);
	if (!(*pattern = pd_strdup(p->valuestring)))
		return pd_error_oom(err);
	*exact = f != NULL;
	if (*exact)
		return PD_OK;
	if (regex_too_costly(p->valuestring))
		return fail(c, p, err,
			    "regular expression '%s' is too costly to compile (stacked repetitions, "
			    "or repetition counts multiplying past %d)",
			    p->valuestring, MAX_REPEAT);
	int rc = regcomp(re, p->valuestring, REG_EXTENDED | REG_NOSUB);
	if (rc != 0) {
		char msg[128];
		regerror(rc, re, msg, sizeof msg);
		regfree(re);
		return fail(c, p, err, "bad regular expression '%s': %s", p->valuestring, msg);
	}
	*compiled = true;
	return PD_OK;
}

static pd_status parse_amount(const pctx *c, const cJSON *it, pd_amount *out, pd_error *err)
{
	char num[64];
	const char *s = NULL;
	if (cJSON_IsString(it)) {
		s = it->valuestring;
	} else if (cJSON_IsNumber(it)) {
		snprintf(num, sizeof num, "%.17g", it->valuedouble);
		s = num;
	} else {
		return fail(c, it, err, "'%s' must be an amount such as \"50ms\", \"10MB\" or \"0.5%%\"",
			    it->string);
	}
	pd_error e;
	if (pd_amount_parse(s, out, &e) != PD_OK)
		return fail(c, it, err, "%s: %s", it->string, e.msg);
	return PD_OK;
}

static pd_status parse_rule(const pctx *c, const cJSON *obj, pd_gate_entry *e, pd_error *err)
{
	static const char *const keys[] = {"match", "function", "fail_on_increase", "min_delta",
					   "budget", NULL};
	if (!cJSON_IsObject(obj))
		return fail(c, obj, err, "each entry of \"rules\" must be an object");
	e->line = where(c, obj).line;
	pd_status rc = check_keys(c, obj, keys, "a rule", err);
	if (rc == PD_OK)
		rc = parse_pattern(c, obj, "a rule", &e->pattern, &e->exact, &e->re, &e->compiled,
				   err);
	if (rc != PD_OK)
		return rc;
	const cJSON *inc = cJSON_GetObjectItemCaseSensitive(obj, "fail_on_increase");
	if (inc) {
		e->has_increase = true;
		if (cJSON_IsFalse(inc))
			e->increase_pct = -1;
		else if (cJSON_IsNumber(inc) && inc->valuedouble >= 0)
			e->increase_pct = inc->valuedouble;
		else
			return fail(c, inc, err,
				    "'fail_on_increase' must be a percentage >= 0 or false");
	}
	const cJSON *md = cJSON_GetObjectItemCaseSensitive(obj, "min_delta");
	if (md && (rc = parse_amount(c, md, &e->min_delta, err)) != PD_OK)
		return rc;
	e->has_min_delta = md != NULL;
	const cJSON *b = cJSON_GetObjectItemCaseSensitive(obj, "budget");
	if (b && (rc = parse_amount(c, b, &e->budget, err)) != PD_OK)
		return rc;
	e->has_budget = b != NULL;
	if (!inc && !md && !b)
		return fail(c, obj, err,
			    "a rule must set \"fail_on_increase\", \"min_delta\" or \"budget\"");
	return PD_OK;
}

/* Adds a copy of line; a newline quoted from the file (a pattern or reason may hold
 * one) is folded to a space, as pd_error_set does for errors: a warning is one line. */
static pd_status add_warning(pd_gatefile *gf, const char *line, pd_error *err)
{
	char *s = pd_strdup(line);
	for (char *p = s; p && *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	char **w = s ? pd_realloc(gf->warnings, (gf->nwarnings + 1) * sizeof *w) : NULL;
	if (!w) {
		pd_free(s);
		return pd_error_oom(err);
	}
	gf->warnings = w;
	gf->warnings[gf->nwarnings++] = s;
	return PD_OK;
}

static pd_status parse_allow(const pctx *c, const cJSON *obj, pd_gate_allow *a, pd_error *err)
{
	static const char *const keys[] = {"match", "function", "reason", "expires", NULL};
	if (!cJSON_IsObject(obj))
		return fail(c, obj, err, "each entry of \"allow\" must be an object");
	a->line = where(c, obj).line;
	pd_status rc = check_keys(c, obj, keys, "an allow entry", err);
	if (rc == PD_OK)
		rc = parse_pattern(c, obj, "an allow entry", &a->pattern, &a->exact, &a->re,
				   &a->compiled, err);
	if (rc != PD_OK)
		return rc;
	const cJSON *r = cJSON_GetObjectItemCaseSensitive(obj, "reason");
	if (!r)
		return fail(c, obj, err, "an allow entry needs a \"reason\"");
	if (!cJSON_IsString(r) || !r->valuestring[0])
		return fail(c, r, err, "'reason' must be a non-empty string");
	if (!(a->reason = pd_strdup(r->valuestring)))
		return pd_error_oom(err);
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(obj, "expires");
	if (!x)
		return fail(c, obj, err, "an allow entry needs \"expires\" (YYYY-MM-DD)");
	if (!cJSON_IsString(x) || !valid_date(x->valuestring))
		return fail(c, x, err, "'expires' must be a date YYYY-MM-DD, got %s%s%s",
			    cJSON_IsString(x) ? "'" : "a non-string",
			    cJSON_IsString(x) ? x->valuestring : "", cJSON_IsString(x) ? "'" : "");
	memcpy(a->expires, x->valuestring, 11);
	if (strcmp(c->today, a->expires) > 0) {
		a->expired = true;
		char w[768];
		snprintf(w, sizeof w, "%s:%u: allow entry for '%s' expired on %s (%s): it no longer "
			 "applies", c->path, line_of(c, x), a->pattern, a->expires, a->reason);
		return add_warning(c->gf, w, err);
	}
	return PD_OK;
}

static pd_status parse_doc(pctx *c, const cJSON *root, pd_error *err)
{
	static const char *const keys[] = {"version", "rules", "allow", NULL};
	pd_gatefile *gf = c->gf;
	if (!cJSON_IsObject(root))
		return fail(c, root, err, "a gate file is a JSON object with \"rules\" and \"allow\"");
	pd_status rc = check_keys(c, root, keys, "the gate file", err);
	if (rc != PD_OK)
		return rc;
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "version");
	if (v && !(cJSON_IsNumber(v) && v->valuedouble == 1))
		return fail(c, v, err, "unsupported \"version\" (this profdiff reads version 1)");
	const cJSON *rules = cJSON_GetObjectItemCaseSensitive(root, "rules");
	const cJSON *allow = cJSON_GetObjectItemCaseSensitive(root, "allow");
	if (rules && !cJSON_IsArray(rules))
		return fail(c, rules, err, "\"rules\" must be an array");
	if (allow && !cJSON_IsArray(allow))
		return fail(c, allow, err, "\"allow\" must be an array");
	size_t nr = rules ? (size_t)cJSON_GetArraySize(rules) : 0;
	size_t na = allow ? (size_t)cJSON_GetArraySize(allow) : 0;
	gf->rules = pd_calloc(nr ? nr : 1, sizeof *gf->rules);
	gf->allow = pd_calloc(na ? na : 1, sizeof *gf->allow);
	if (!gf->rules || !gf->allow)
		return pd_error_oom(err);
	const cJSON *it;
	cJSON_ArrayForEach(it, rules)
	{
		rc = parse_rule(c, it, &gf->rules[gf->nrules++], err);
		if (rc != PD_OK)
			return rc;
	}
	cJSON_ArrayForEach(it, allow)
	{
		rc = parse_allow(c, it, &gf->allow[gf->nallow++], err);
		if (rc != PD_OK)
			return rc;
	}
	return PD_OK;
}

/* "FILE:LINE:COL" of a byte offset. */
static void line_col(const char *t, size_t off, unsigned *line, unsigned *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off; i++) {
		if (t[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

pd_status pd_gatefile_parse(const char *path, const char *text, size_t len, const char *today,
			    pd_gatefile *gf, pd_error *err)
{
	memset(gf, 0, sizeof *gf);
	char day[11];
	if (today && !valid_date(today))
		return pd_error_set(err, PD_EUSAGE, "bad date for today: '%s'", today);
	if (!today)
		today_utc(day);
	pctx c = {.path = path, .text = text, .len = len, .today = today ? today : day, .gf = gf};
	const char *nul = memchr(text, '\0', len);
	if (nul) {
		unsigned l, col;
		line_col(text, (size_t)(nul - text), &l, &col);
		return pd_error_set(err, PD_EUSAGE, "%s:%u:%u: NUL byte in a JSON file", path, l, col);
	}
	pd_alloc_init_cjson();
	char *copy = pd_strndup(text, len);
	if (!copy)
		return pd_error_oom(err);
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithOpts(copy, &end, 1);
	if (!root) {
		/* cJSON reports out of memory as a parse failure; a probe tells them apart. */
		void *probe = pd_malloc(64);
		pd_free(probe);
		if (!probe) {
			pd_free(copy);
			return pd_error_oom(err);
		}
		unsigned l, col;
		size_t off = end && end >= copy ? (size_t)(end - copy) : 0;
		if (off > len)
			off = len;
		line_col(text, off, &l, &col);
		pd_free(copy);
		/* cJSON's syntax errors carry no message; name the spot instead. */
		return pd_error_set(err, PD_EUSAGE, "%s:%u:%u: JSON syntax error%s", path, l, col,
				    off == len ? " at the end of the file" : "");
	}
	pd_status rc = PD_OK;
	gf->path = pd_strdup(path);
	c.n = count_items(root);
	c.items = pd_malloc(c.n * sizeof *c.items);
	c.pos = pd_calloc(c.n, sizeof *c.pos);
	if (!gf->path || !c.items || !c.pos) {
		rc = pd_error_oom(err);
	} else {
		size_t k = 0;
		list_items(root, c.items, &k);
		scan_positions(copy, len, c.pos, c.n);
		rc = parse_doc(&c, root, err);
	}
	cJSON_Delete(root);
	pd_free(copy);
	pd_free(c.items);
	pd_free(c.pos);
	if (rc != PD_OK)
		pd_gatefile_fini(gf);
	return rc;
}

pd_status pd_gatefile_load(const char *path, const char *today, pd_gatefile *gf, pd_error *err)
{
	memset(gf, 0, sizeof *gf);
	pd_buf b;
	pd_buf_init(&b, 16u << 20);
	pd_status rc = pd_read_file(path, &b, err);
	if (rc == PD_OK)
		rc = pd_gatefile_parse(path, b.data ? b.data : "", b.len, today, gf, err);
	pd_buf_fini(&b);
	return rc;
}

void pd_gatefile_fini(pd_gatefile *gf)
{
	if (!gf)
		return;
	for (size_t i = 0; i < gf->nrules; i++) {
		pd_free(gf->rules[i].pattern);
		if (gf->rules[i].compiled)
			regfree(&gf->rules[i].re);
	}
	for (size_t i = 0; i < gf->nallow; i++) {
		pd_free(gf->allow[i].pattern);
		pd_free(gf->allow[i].reason);
		if (gf->allow[i].compiled)
			regfree(&gf->allow[i].re);
	}
	for (size_t i = 0; i < gf->nwarnings; i++)
		pd_free(gf->warnings[i]);
	pd_free(gf->warnings);
	pd_free(gf->rules);
	pd_free(gf->allow);
	pd_free(gf->path);
	memset(gf, 0, sizeof *gf);
}

bool pd_gate_pattern_match(bool exact, const char *pattern, const regex_t *re, const char *name)
{
	if (!name)
		return false;
	if (exact)
		return strcmp(pattern, name) == 0;
	return regexec(re, name, 0, NULL, 0) == 0;
}

const pd_gate_entry *pd_gatefile_rule_for(const pd_gatefile *gf, const char *name)
{
	for (size_t i = 0; gf && i < gf->nrules; i++)
		if (pd_gate_pattern_match(gf->rules[i].exact, gf->rules[i].pattern, &gf->rules[i].re,
					  name))
			return &gf->rules[i];
	return NULL;
}

const pd_gate_allow *pd_gatefile_allowed(const pd_gatefile *gf, const char *name)
{
	for (size_t i = 0; gf && i < gf->nallow; i++) {
		const pd_gate_allow *a = &gf->allow[i];
		if (!a->expired && pd_gate_pattern_match(a->exact, a->pattern, &a->re, name))
			return a;
	}
	return NULL;
}
