/* The option engine (options.h): parsing argv against a command's table, and the usage
 * errors with their suggestions and pprof hints. Help, the option dump and the
 * did-you-mean measure are in options_help.c. Values are stored as each entry's kind says; strings are borrowed
 * from argv, so they live as long as the process. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "cli/options.h"

#define MAX_NAMES 128 /* long names a command may have (for suggestions) */

static const pd_option *find_long(const pd_option *t, const char *name, size_t len)
{
	for (; t->kind != PD_OPT_END; t++) {
		const pd_option *o = NULL;
		if (t->kind == PD_OPT_TABLE)
			o = find_long(t->value, name, len);
		else if (t->kind != PD_OPT_GROUP && t->name &&
			 ((strlen(t->name) == len && memcmp(t->name, name, len) == 0) ||
			  (t->alias && strlen(t->alias) == len && memcmp(t->alias, name, len) == 0)))
			o = t;
		if (o)
			return o;
	}
	return NULL;
}

static const pd_option *find_short(const pd_option *t, char c)
{
	for (; t->kind != PD_OPT_END; t++) {
		const pd_option *o = NULL;
		if (t->kind == PD_OPT_TABLE)
			o = find_short(t->value, c);
		else if (t->kind != PD_OPT_GROUP && t->letter && t->letter == c)
			o = t;
		if (o)
			return o;
	}
	return NULL;
}

static void collect_names(const pd_option *t, const char **names, size_t *n)
{
	for (; t->kind != PD_OPT_END; t++) {
		if (t->kind == PD_OPT_TABLE)
			collect_names(t->value, names, n);
		else if (t->kind != PD_OPT_GROUP && t->name && *n < MAX_NAMES) {
			names[(*n)++] = t->name;
			if (t->alias && *n < MAX_NAMES)
				names[(*n)++] = t->alias;
		}
	}
}

bool pd_opt_takes_arg(const pd_option *o)
{
	return o->kind != PD_OPT_FLAG && o->kind != PD_OPT_SET && o->kind != PD_OPT_HELP &&
	       o->kind != PD_OPT_VERSION;
}

/* ---- pprof's spellings -------------------------------------------------------------- */

/* pprof's single-dash options people type from habit, and profdiff's way to say it.
 * opt names the long option the hint points at, when there is one. */
static const struct pprof_hint {
	const char *pprof, *opt, *hint;
} pprof_hints[] = {
	{"diff_base", NULL, "profdiff takes the base as its first file: profdiff diff BASE.dot NEW.dot"},
	{"base", NULL, "profdiff takes the base as its first file: profdiff diff BASE.dot NEW.dot"},
	{"focus", "focus", "use --focus REGEX"},
	{"show", "focus", "use --focus REGEX"},
	{"ignore", "ignore", "use --ignore REGEX"},
	{"hide", "ignore", "use --ignore REGEX"},
	{"normalize", "normalize", "use --normalize total"},
	{"top", "top", "the report is a top list already; --top N sets its rows"},
	{"nodecount", "nodes", "use --nodes N"},
	{"output", "output", "use -o FILE or --output FILE"},
	{"lines", "granularity", "use --granularity line"},
	{"functions", "granularity", "use --granularity function (the default)"},
	{"cum", "by", "use --by cum"},
	{"flat", "by", "use --by flat (the default)"},
	{"svg", "svg", "use --svg FILE"},
	{"dot", "dot", "use --dot FILE"},
	{"png", "svg", "profdiff renders SVG: --svg FILE"},
	{"pdf", "svg", "profdiff renders SVG: --svg FILE"},
	{"text", "format", "use --format text (the default)"},
	{"nodefraction", "nodes", "profdiff bounds the graph by count: --nodes N"},
};

static const struct pprof_hint *pprof_hint(const char *word, size_t len)
{
	for (size_t i = 0; i < sizeof pprof_hints / sizeof pprof_hints[0]; i++)
		if (strlen(pprof_hints[i].pprof) == len && memcmp(pprof_hints[i].pprof, word, len) == 0)
			return &pprof_hints[i];
	return NULL;
}

/* ---- errors ------------------------------------------------------------------------- */

/* Usage errors read "diff: unknown option '--x' (see 'profdiff diff --help')"; the top
 * level's command name is empty, and its messages have no prefix. */
static void lead(pd_buf *m, const pd_opt_cmd *cmd)
{
	if (*cmd->name)
		pd_buf_printf(m, "%s: ", cmd->name);
}

static void see_help(pd_buf *m, const pd_opt_cmd *cmd)
{
	pd_buf_printf(m, " (see 'profdiff %s%s--help')", cmd->name, *cmd->name ? " " : "");
}

static pd_status usage_error(pd_error *err, const pd_opt_cmd *cmd, pd_buf *msg)
{
	pd_status st = msg->failed ? pd_error_set(err, PD_EUSAGE, "%s: bad option", cmd->name)
				   : pd_error_set(err, PD_EUSAGE, "%s", msg->data);
	pd_buf_fini(msg);
	return st;
}

/* Appends " (did you mean ...?)" when a name of cmd is close to word[0..len). */
static bool suggest_option(pd_buf *m, const pd_opt_cmd *cmd, const char *word, size_t len)
{
	const char *names[MAX_NAMES];
	size_t n = 0;
	pd_buf s;
	pd_buf_init(&s, 0);
	collect_names(cmd->opts, names, &n);
	bool found = pd_opt_suggest(&s, word, len, names, n, "--") > 0 && !s.failed;
	if (found)
		pd_buf_printf(m, " (%s)", s.data);
	pd_buf_fini(&s);
	return found;
}

/* An option the table lacks: dashes + word[0..len) as typed (never what follows '='),
 * with a pprof hint or the closest names. pprof's options have one dash (and some an
 * underscore, which no profdiff option has, so "--diff_base" gets the hint too). */
static pd_status unknown(const pd_opt_cmd *cmd, const char *dashes, const char *word,
			 size_t len, pd_error *err)
{
	pd_buf m;
	const struct pprof_hint *h = pprof_hint(word, len);
	pd_buf_init(&m, 0);
	if (h && (dashes[1] != '-' || memchr(word, '_', len))) {
		lead(&m, cmd);
		pd_buf_printf(&m, "'%s%.*s' is pprof's; %s", dashes, (int)len, word, h->hint);
		if (h->opt && !find_long(cmd->opts, h->opt, strlen(h->opt))) /* the diff options */
			pd_buf_puts(&m, " (in 'profdiff diff' and 'profdiff compare')");
		return usage_error(err, cmd, &m);
	}
	lead(&m, cmd);
	pd_buf_printf(&m, "unknown option '%s%.*s'", dashes, (int)len, word);
	if (!suggest_option(&m, cmd, word, len))
		see_help(&m, cmd);
	return usage_error(err, cmd, &m);
}

static pd_status set_enum(const pd_option *o, const char *arg, pd_error *err)
{
	int v = pd_enum_value(o->names, arg);
	if (v >= 0) {
		*(int *)o->value = v;
		return PD_OK;
	}
	pd_buf m;
	pd_buf_init(&m, 0);
	pd_buf_printf(&m, "--%s: invalid value '%s' (expected ", o->name, arg);
	pd_enum_list(o->names, "|", &m);
	pd_buf_puts(&m, ")");
	if (m.failed) {
		pd_buf_fini(&m);
		return pd_error_set(err, PD_EUSAGE, "--%s: invalid value", o->name);
	}
	pd_buf s;
	pd_buf_init(&s, 0);
	if (pd_opt_suggest(&s, arg, strlen(arg), o->names->names, (size_t)o->names->count, "") &&
	    !s.failed)
		pd_buf_printf(&m, "; %s", s.data);
	pd_buf_fini(&s);
	pd_status st = pd_error_set(err, PD_EUSAGE, "%s", m.failed ? "invalid value" : m.data);
	pd_buf_fini(&m);
	return st;
}

/* Stores arg (NULL for options without one) as o's kind says. */
static pd_status apply(const pd_option *o, const char *arg, pd_error *err)
{
	char *end;
	if (o->apply)
		return o->apply(o, arg, err);
	switch (o->kind) {
	case PD_OPT_FLAG:
		*(bool *)o->value = true;
		return PD_OK;
	case PD_OPT_SET:
		*(int *)o->value = o->set;
		return PD_OK;
	case PD_OPT_STRING:
		*(const char **)o->value = arg;
		return PD_OK;
	case PD_OPT_ENUM:
		return set_enum(o, arg, err);
	case PD_OPT_COUNT: {
		errno = 0;
		unsigned long long v = strtoull(arg, &end, 10);
		if (!*arg || *end || arg[0] == '-' || errno || v > 1000000000ULL)
			return pd_error_set(err, PD_EUSAGE, "--%s: expected a count, got '%s'", o->name,
					    arg);
		*(size_t *)o->value = (size_t)v;
		return PD_OK;
	}
	case PD_OPT_LONG: {
		errno = 0;
		long v = strtol(arg, &end, 10);
		if (errno || end == arg || *end)
			return pd_error_set(err, PD_EUSAGE, "--%s: not a number: \"%s\"", o->name, arg);
		*(long *)o->value = v;
		return PD_OK;
	}
	case PD_OPT_SECONDS: {
		double t = strtod(arg, &end);
		if (end == arg || *end || !(t > 0) || t > 86400)
			return pd_error_set(err, PD_EUSAGE, "--%s: want seconds > 0, got \"%s\"", o->name,
					    arg);
		long ms = (long)(t * 1000 + 0.5);
		*(long *)o->value = ms < 1 ? 1 : ms;
		return PD_OK;
	}
	default: /* PD_OPT_SIZE without .apply: a table bug */
		return pd_error_set(err, PD_EINTERNAL, "--%s: no parser", o->name ? o->name : "?");
	}
}

/* ---- parsing ------------------------------------------------------------------------ */

/* Prints what build appends (the help, the option dump) to out: PD_OPT_EXIT. */
static int print(const pd_opt_cmd *cmd, bool (*build)(const pd_opt_cmd *, pd_buf *), FILE *out,
		 pd_error *err)
{
	pd_buf b;
	pd_buf_init(&b, 0);
	bool ok = build(cmd, &b);
	if (ok)
		fwrite(b.data, 1, b.len, out);
	pd_buf_fini(&b);
	if (!ok)
		return pd_error_oom(err);
	return PD_OPT_EXIT;
}

/* Runs o; PD_OPT_EXIT after printing the help or the version. */
static int run(const pd_opt_cmd *cmd, const pd_option *o, const char *arg, FILE *out,
	       pd_error *err)
{
	if (o->kind == PD_OPT_VERSION) {
		fprintf(out, "profdiff %s\n", PD_VERSION);
		return PD_OPT_EXIT;
	}
	if (o->kind == PD_OPT_HELP)
		return print(cmd, pd_opt_help, out, err);
	return apply(o, arg, err);
}

static int parse_long(const pd_opt_cmd *cmd, int argc, char **argv, int *i, FILE *out,
		      pd_error *err)
{
	const char *name = argv[*i] + 2;
	size_t len = strcspn(name, "=");
	const char *arg = name[len] == '=' ? name + len + 1 : NULL;
	const pd_option *o = find_long(cmd->opts, name, len);
	if (!o && len == 12 && memcmp(name, "dump-options", 12) == 0)
		return print(cmd, pd_opt_dump, out, err);
	if (!o)
		return unknown(cmd, "--", name, len, err);
	bool want = pd_opt_takes_arg(o);
	if ((arg && !want) || (!arg && want && *i + 1 >= argc)) {
		pd_buf m;
		pd_buf_init(&m, 0);
		lead(&m, cmd);
		pd_buf_printf(&m, arg ? "option '--%s' takes no value" : "missing value for option '--%s'",
			      o->name);
		see_help(&m, cmd);
		return usage_error(err, cmd, &m);
	}
	if (want && !arg)
		arg = argv[++*i];
	return run(cmd, o, arg, out, err);
}

/* "-q", "-oFILE", "-o FILE", "-qo FILE"; and the words that are not short options at
 * all: pprof's "-focus", or a long name with one dash ("-format"). */
static int parse_short(const pd_opt_cmd *cmd, int argc, char **argv, int *i, FILE *out,
		       pd_error *err)
{
	const char *word = argv[*i] + 1;
	size_t len = strcspn(word, "=");
	if (len > 1 && (pprof_hint(word, len) || find_long(cmd->opts, word, len)))
		return unknown(cmd, "-", word, len, err);
	for (const char *p = word; *p; p++) {
		const pd_option *o = find_short(cmd->opts, *p);
		if (!o) {
			/* The whole word is shown only when it looks like a misspelt name;
			 * else just the letter, as the rest may be a value. */
			pd_buf m;
			pd_buf_init(&m, 0);
			if (p == word && len > 1 && suggest_option(&m, cmd, word, len)) {
				pd_buf_fini(&m);
				return unknown(cmd, "-", word, len, err);
			}
			lead(&m, cmd);
			pd_buf_printf(&m, "unknown option '-%c'", *p);
			see_help(&m, cmd);
			return usage_error(err, cmd, &m);
		}
		if (!pd_opt_takes_arg(o)) {
			int rc = run(cmd, o, NULL, out, err);
			if (rc != PD_OK)
				return rc;
			continue;
		}
		const char *arg = p[1] ? p + 1 : NULL;
		if (!arg && *i + 1 >= argc) {
			pd_buf m;
			pd_buf_init(&m, 0);
			lead(&m, cmd);
			pd_buf_printf(&m, "missing value for option '-%c'", *p);
			see_help(&m, cmd);
			return usage_error(err, cmd, &m);
		}
		if (!arg)
			arg = argv[++*i];
		return run(cmd, o, arg, out, err);
	}
	return PD_OK;
}

int pd_opt_parse(const pd_opt_cmd *cmd, int argc, char **argv, int *nops, FILE *out,
		 pd_error *err)
{
	bool options = true;
	*nops = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int rc = PD_OK;
		if (options && strcmp(a, "--") == 0) {
			options = false;
			continue;
		}
		if (!options || a[0] != '-' || a[1] == '\0') {
			argv[++*nops] = argv[i]; /* never ahead of i: the order is kept */
			continue;
		}
		rc = a[1] == '-' ? parse_long(cmd, argc, argv, &i, out, err)
				 : parse_short(cmd, argc, argv, &i, out, err);
		if (rc != PD_OK)
			return rc;
	}
	return PD_OK;
}
