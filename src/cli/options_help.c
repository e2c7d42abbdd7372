/* --help and --dump-options from a command's option table (options.h), and the
 * did-you-mean for words that are not options or commands. A default is read from the
 * variable the option sets, after the command initialised it, so it is written once:
 * where the code sets it. */
#include <string.h>

#include "cli/options.h"

#define HELP_WIDTH 80 /* wrap help text before this column */
#define LEFT_MAX 30   /* a longer option column puts its help on the next line */

/* Optimal string alignment distance (Levenshtein plus adjacent transpositions), the
 * measure git's help.c builds on; pd_opt_suggest caps both words at 63 bytes. */
static size_t distance(const char *a, size_t la, const char *b, size_t lb)
{
	size_t d[64][64];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			size_t v = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[la][lb];
}

size_t pd_opt_suggest(pd_buf *out, const char *word, size_t len, const char *const *cand,
		      size_t n, const char *prefix)
{
	enum { MAX_SHOWN = 3 };
	const char *pick[MAX_SHOWN];
	size_t npick = 0, best = (size_t)-1;
	if (len < 2 || len > 63)
		return 0;
	/* A word that begins a name is the closest there is: "--token" for "--token-file". */
	for (size_t i = 0; i < n && npick < MAX_SHOWN; i++)
		if (strlen(cand[i]) > len && strncmp(cand[i], word, len) == 0)
			pick[npick++] = cand[i];
	/* Else the names nearest in edit distance, within about a third of the word. */
	size_t limit = len < 5 ? 1 : len < 9 ? 2 : 3;
	for (size_t i = 0; i < n && !npick; i++) {
		size_t lc = strlen(cand[i]);
		if (lc < 64) {
			size_t dist = distance(word, len, cand[i], lc);
			if (dist <= limit && dist < best)
				best = dist;
		}
	}
	for (size_t i = 0; i < n && best != (size_t)-1 && npick < MAX_SHOWN; i++) {
		size_t lc = strlen(cand[i]);
		if (lc < 64 && distance(word, len, cand[i], lc) == best)
			pick[npick++] = cand[i];
	}
	for (size_t i = 0; i < npick; i++)
		pd_buf_printf(out, "%s'%s%s'", i == 0 ? "did you mean " : i + 1 < npick ? ", " : " or ",
			      prefix, pick[i]);
	if (npick)
		pd_buf_puts(out, "?");
	return npick;
}

const char pd_exit_codes_help[] =
	"exit codes:\n"
	"  0  success\n"
	"  1  regression found (gate)\n"
	"  2  usage error\n"
	"  3  input or fetch error (unreadable, malformed, incompatible, HTTP failure)\n"
	"  4  inconclusive: not enough data to decide (e.g. an empty profile or window)\n"
	"  5  internal error (out of memory, cannot write an output file)\n";

/* "-o, --output FILE", "--format text|json|markdown". */
static void left(pd_buf *b, const pd_option *o)
{
	if (o->letter)
		pd_buf_printf(b, "-%c%s", o->letter, o->name ? ", " : "");
	if (o->name)
		pd_buf_printf(b, "--%s", o->name);
	if (o->alias)
		pd_buf_printf(b, ", --%s", o->alias);
	if (!pd_opt_takes_arg(o))
		return;
	pd_buf_puts(b, " ");
	if (o->kind == PD_OPT_ENUM)
		pd_enum_list(o->names, "|", b);
	else
		pd_buf_puts(b, o->arg ? o->arg : "VALUE");
}

/* "64MiB" for a whole number of KiB/MiB/GiB, else bytes. */
static void size_text(pd_buf *b, size_t v)
{
	static const char *const suffix[] = {"GiB", "MiB", "KiB"};
	for (int i = 0; i < 3; i++) {
		size_t unit = (size_t)1 << (10 * (3 - i));
		if (v && v % unit == 0) {
			pd_buf_printf(b, "%zu%s", v / unit, suffix[i]);
			return;
		}
	}
	pd_buf_printf(b, "%zu", v);
}

/* " (default X)" from *value, or the words in def. */
static void default_text(pd_buf *b, const pd_option *o)
{
	if (o->def) {
		if (*o->def)
			pd_buf_printf(b, " (default: %s)", o->def);
		return;
	}
	const char *s;
	switch (o->kind) {
	case PD_OPT_ENUM:
		s = pd_enum_name(o->names, *(const int *)o->value);
		if (s)
			pd_buf_printf(b, " (default %s)", s);
		break;
	case PD_OPT_COUNT:
		pd_buf_printf(b, " (default %zu)", *(const size_t *)o->value);
		break;
	case PD_OPT_LONG:
		pd_buf_printf(b, " (default %ld)", *(const long *)o->value);
		break;
	case PD_OPT_SECONDS:
		pd_buf_printf(b, " (default %g)", (double)*(const long *)o->value / 1000.0);
		break;
	case PD_OPT_SIZE:
		pd_buf_puts(b, " (default ");
		size_text(b, *(const size_t *)o->value);
		pd_buf_puts(b, ")");
		break;
	case PD_OPT_STRING:
		s = *(const char *const *)o->value;
		if (s)
			pd_buf_printf(b, " (default %s)", s);
		break;
	default:
		break;
	}
}

/* Appends text word-wrapped at HELP_WIDTH, continuation lines indented to col; the
 * first line starts at col already. Newlines in text are kept. */
static void wrap(pd_buf *b, const char *text, size_t col)
{
	size_t x = col;
	const char *p = text;
	while (*p) {
		if (*p == '\n') {
			pd_buf_printf(b, "\n%*s", (int)col, "");
			x = col;
			p++;
			continue;
		}
		size_t n = strcspn(p, " \n");
		if (x > col && x + 1 + n > HELP_WIDTH) {
			pd_buf_printf(b, "\n%*s", (int)col, "");
			x = col;
		} else if (x > col) {
			pd_buf_puts(b, " ");
			x++;
		}
		pd_buf_append(b, p, n);
		x += n;
		p += n;
		while (*p == ' ')
			p++;
	}
	pd_buf_puts(b, "\n");
}

static size_t left_width(const pd_option *t)
{
	size_t w = 0;
	for (; t->kind != PD_OPT_END; t++) {
		size_t x = 0;
		if (t->kind == PD_OPT_TABLE) {
			x = left_width(t->value);
		} else if (t->kind != PD_OPT_GROUP) {
			pd_buf b;
			pd_buf_init(&b, 0);
			left(&b, t);
			x = b.len;
			pd_buf_fini(&b);
		}
		if (x > w && x <= LEFT_MAX)
			w = x;
	}
	return w;
}

static void options(pd_buf *b, const pd_option *t, size_t col)
{
	pd_buf text;
	pd_buf_init(&text, 0);
	for (; t->kind != PD_OPT_END; t++) {
		if (t->kind == PD_OPT_TABLE) {
			options(b, t->value, col);
			continue;
		}
		if (t->kind == PD_OPT_GROUP) {
			pd_buf_printf(b, "%s\n", t->help);
			continue;
		}
		size_t start = b->len;
		pd_buf_puts(b, "  ");
		left(b, t);
		size_t w = b->len - start;
		if (w + 2 > col)
			pd_buf_printf(b, "\n%*s", (int)col, "");
		else
			pd_buf_printf(b, "%*s", (int)(col - w), "");
		text.len = 0;
		pd_buf_puts(&text, t->help ? t->help : "");
		default_text(&text, t);
		if (text.failed)
			b->failed = true;
		else
			wrap(b, text.data, col);
	}
	pd_buf_fini(&text);
}

bool pd_opt_help(const pd_opt_cmd *cmd, pd_buf *out)
{
	pd_buf_printf(out, "Usage: profdiff %s\n\n", cmd->usage);
	if (cmd->about)
		pd_buf_printf(out, "%s\n\n", cmd->about);
	options(out, cmd->opts, 2 + left_width(cmd->opts) + 2);
	if (cmd->footer)
		pd_buf_puts(out, cmd->footer);
	pd_buf_printf(out, "\n%s", pd_exit_codes_help);
	return !out->failed;
}

static void dump(pd_buf *b, const pd_option *t)
{
	for (; t->kind != PD_OPT_END; t++) {
		if (t->kind == PD_OPT_TABLE)
			dump(b, t->value);
		if (t->kind == PD_OPT_TABLE || t->kind == PD_OPT_GROUP)
			continue;
		if (t->name)
			pd_buf_printf(b, "--%s\n", t->name);
		if (t->alias)
			pd_buf_printf(b, "--%s\n", t->alias);
		if (t->letter)
			pd_buf_printf(b, "-%c\n", t->letter);
	}
}

bool pd_opt_dump(const pd_opt_cmd *cmd, pd_buf *out)
{
	dump(out, cmd->opts);
	return !out->failed;
}
