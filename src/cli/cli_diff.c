/* `profdiff diff` and the diff options shared with `compare`: the option table, the
 * name<->enum tables for option values, and pd_diff_cli_run, the whole pipeline from
 * two DOT texts to the report on stdout and the --dot/--svg files. Output files are
 * rendered in memory first and then written atomically, so a failure never leaves a
 * half-written or clobbered file. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "parse/prepass.h"

enum {
	OPT_FORMAT = PD_DIFF_OPT_FIRST,
	OPT_DOT,
	OPT_SVG,
	OPT_TOP,
	OPT_BY,
	OPT_NORMALIZE,
	OPT_GRANULARITY,
	OPT_FOCUS,
	OPT_IGNORE,
	OPT_NODES,
	OPT_COLOR,
	OPT_NO_COLOR,
};

const struct option pd_diff_long_options[] = {
	{"format", required_argument, NULL, OPT_FORMAT},
	{"dot", required_argument, NULL, OPT_DOT},
	{"svg", required_argument, NULL, OPT_SVG},
	{"top", required_argument, NULL, OPT_TOP},
	{"by", required_argument, NULL, OPT_BY},
	{"normalize", required_argument, NULL, OPT_NORMALIZE},
	{"granularity", required_argument, NULL, OPT_GRANULARITY},
	{"focus", required_argument, NULL, OPT_FOCUS},
	{"ignore", required_argument, NULL, OPT_IGNORE},
	{"nodes", required_argument, NULL, OPT_NODES},
	{"color", required_argument, NULL, OPT_COLOR},
	{"no-color", no_argument, NULL, OPT_NO_COLOR},
	{"output", required_argument, NULL, 'o'},
	{"quiet", no_argument, NULL, 'q'},
	{NULL, 0, NULL, 0},
};

const char pd_diff_options_help[] =
	"  --format text|json|markdown  report format on stdout (default text)\n"
	"  --top N                      rows in the report (default 20; 0 = all)\n"
	"  --by flat|cum                rank rows by |delta| of this metric (default flat)\n"
	"  --normalize none|total       total: scale NEW so its total equals BASE's (default none)\n"
	"  --granularity function|line  key nodes by function (default) or by file:line\n"
	"  --focus REGEX                keep only functions whose full name matches (POSIX ERE)\n"
	"  --ignore REGEX               drop functions whose full name matches (POSIX ERE)\n"
	"  --dot FILE                   write the colored diff graph as DOT\n"
	"  --svg FILE                   render the diff graph to SVG (graphviz, in-process)\n"
	"  --nodes N                    node budget of the diff graph (default 80; 0 = all)\n"
	"  -o, --output FILE            write the report to FILE instead of stdout\n"
	"  --color auto|always|never    color the text report (auto: only on a terminal and\n"
	"                               when NO_COLOR is unset); --no-color = --color never\n"
	"  -q, --quiet                  no warnings on stderr\n";

const char pd_exit_codes_help[] =
	"exit codes:\n"
	"  0  success\n"
	"  1  regression found (gate)\n"
	"  2  usage error\n"
	"  3  input or fetch error (unreadable, malformed, incompatible, HTTP failure)\n"
	"  4  not enough data to decide (e.g. an empty profile or window)\n"
	"  5  internal error (out of memory, cannot write an output file)\n";

static const char *const format_names[PD_FORMAT_KINDS] = {
	[PD_FORMAT_TEXT] = "text", [PD_FORMAT_JSON] = "json", [PD_FORMAT_MARKDOWN] = "markdown"};
static const char *const metric_names[PD_METRIC_KINDS] = {[PD_METRIC_FLAT] = "flat",
							   [PD_METRIC_CUM] = "cum"};
static const char *const normalize_names[PD_NORMALIZE_KINDS] = {
	[PD_NORMALIZE_NONE] = "none", [PD_NORMALIZE_TOTAL] = "total"};
static const char *const gran_names[PD_GRAN_KINDS] = {[PD_GRAN_FUNCTION] = "function",
						      [PD_GRAN_LINE] = "line"};
static const char *const color_names[PD_COLOR_KINDS] = {
	[PD_COLOR_AUTO] = "auto", [PD_COLOR_ALWAYS] = "always", [PD_COLOR_NEVER] = "never"};

/* Index of arg in names[0..n), or -1 (err filled naming the flag and the choices). */
static int pick(const char *flag, const char *arg, const char *const *names, int n,
		pd_error *err)
{
	for (int i = 0; i < n; i++)
		if (strcmp(arg, names[i]) == 0)
			return i;
	if (names == format_names && strcmp(arg, "md") == 0)
		return PD_FORMAT_MARKDOWN;
	char choices[128] = "";
	for (int i = 0; i < n; i++) {
		strcat(choices, names[i]);
		if (i + 1 < n)
			strcat(choices, "|");
	}
	pd_error_set(err, PD_EUSAGE, "%s: invalid value '%s' (expected %s)", flag, arg, choices);
	return -1;
}

static int count(const char *flag, const char *arg, size_t *out, pd_error *err)
{
	char *end;
	unsigned long long v = strtoull(arg, &end, 10);
	if (!*arg || *end || arg[0] == '-' || v > 1000000000ULL) {
		pd_error_set(err, PD_EUSAGE, "%s: expected a count, got '%s'", flag, arg);
		return -1;
	}
	*out = (size_t)v;
	return 1;
}

void pd_diff_cli_init(pd_diff_cli *c)
{
	memset(c, 0, sizeof *c);
	pd_diff_opts_init(&c->diff);
	c->format = PD_FORMAT_TEXT;
	c->report.top = 20;
	c->color = PD_COLOR_AUTO;
	c->nodes = 80;
}

#define PICK(flag, names, field, type)                                                      \
	do {                                                                                \
		int i_ = pick(flag, arg, names, (int)(sizeof names / sizeof names[0]), err); \
		if (i_ < 0)                                                                 \
			return -1;                                                          \
		field = (type)i_;                                                           \
	} while (0)

int pd_diff_cli_apply(pd_diff_cli *c, int val, const char *arg, pd_error *err)
{
	switch (val) {
	case OPT_FORMAT:
		PICK("--format", format_names, c->format, pd_format);
		return 1;
	case OPT_BY:
		PICK("--by", metric_names, c->diff.by, pd_metric);
		return 1;
	case OPT_NORMALIZE:
		PICK("--normalize", normalize_names, c->diff.normalize, pd_normalize);
		return 1;
	case OPT_GRANULARITY:
		PICK("--granularity", gran_names, c->diff.granularity, pd_granularity);
		return 1;
	case OPT_COLOR:
		PICK("--color", color_names, c->color, pd_color_mode);
		return 1;
	case OPT_NO_COLOR:
		c->color = PD_COLOR_NEVER;
		return 1;
	case OPT_TOP:
		return count("--top", arg, &c->report.top, err);
	case OPT_NODES:
		return count("--nodes", arg, &c->nodes, err);
	case OPT_DOT:
	case OPT_SVG:
		if (strcmp(arg, "-") == 0) {
			pd_error_set(err, PD_EUSAGE, "%s: give a file name ('-' is for the report)",
				     val == OPT_DOT ? "--dot" : "--svg");
			return -1;
		}
		*(val == OPT_DOT ? &c->dot_path : &c->svg_path) = arg;
		return 1;
	case OPT_FOCUS:
		c->diff.focus = arg;
		return 1;
	case OPT_IGNORE:
		c->diff.ignore = arg;
		return 1;
	case 'o':
		c->out_path = arg;
		return 1;
	case 'q':
		c->quiet = true;
		return 1;
	default:
		return 0;
	}
}

static bool want_color(const pd_diff_cli *c, FILE *out)
{
	if (c->color != PD_COLOR_AUTO)
		return c->color == PD_COLOR_ALWAYS;
	const char *no = getenv("NO_COLOR");
	if (no && *no)
		return false;
	return c->format == PD_FORMAT_TEXT && !c->out_path && isatty(fileno(out));
}

/* Warnings a reader of the report must not miss; the report repeats them. */
static void warn_about(const pd_diff *d, FILE *warn)
{
	if (!warn)
		return;
	size_t hidden = 0;
	for (size_t i = 0; i < d->nrows; i++)
		hidden += d->rows[i].status == PD_ROW_HIDDEN;
	if (d->short_names)
		fprintf(warn, "profdiff: warning: an input has no tooltips (cleaned DOT): functions "
			      "are joined on shortened names, which can collide\n");
	if (hidden)
		fprintf(warn,
			"profdiff: warning: %zu function(s) are missing from a trimmed input; their "
			"change is reported as an interval (status 'hidden')\n",
			hidden);
}

/* The CLI parses with an arena (PD_PARSE_ARENA): each graph is released whole as soon
 * as it is read, which is faster than agclose's object-by-object deletion and gives the
 * memory back before the next input and the diff. libcdt's dictionary headers, which
 * libcgraph mallocs outside the discipline, stay until exit (1.2 KB per graph and
 * 0.6 KB per subgraph; pprof's DOT has one subgraph, the legend).
 * Sanitizer builds use the default discipline, so leak checks stay exact. */
#ifndef PD_SANITIZE_BUILD
static const unsigned cli_parse_flags = PD_PARSE_ARENA;
#else
static const unsigned cli_parse_flags = 0;
#endif

pd_status pd_diff_cli_parse(const char *src, const char *dot, size_t len, pd_profile **out,
			    pd_error *err)
{
	return pd_profile_parse_flags(src, dot, len, cli_parse_flags, out, err);
}

pd_status pd_diff_cli_run(const pd_diff_cli *c, const char *base_src, const char *base_dot,
			  size_t base_len, const char *new_src, const char *new_dot, size_t new_len,
			  FILE *out, FILE *warn, pd_error *err)
{
	pd_profile *bp = NULL, *np = NULL;
	pd_status rc;
	if ((rc = pd_diff_cli_parse(base_src, base_dot, base_len, &bp, err)) == PD_OK &&
	    (rc = pd_diff_cli_parse(new_src, new_dot, new_len, &np, err)) == PD_OK)
		rc = pd_diff_cli_run_profiles(c, bp, np, out, warn, err);
	pd_profile_free(np);
	pd_profile_free(bp);
	return rc;
}

pd_status pd_diff_cli_run_profiles(const pd_diff_cli *c, const pd_profile *bp,
				   const pd_profile *np, FILE *out, FILE *warn, pd_error *err)
{
	pd_diff *d = NULL;
	pd_buf report, dot, svg;
	pd_buf_init(&report, 0);
	pd_buf_init(&dot, 0);
	pd_buf_init(&svg, 0);
	pd_status rc = pd_diff_new(bp, np, &c->diff, &d, err);
	if (rc != PD_OK)
		goto out;
	pd_report_opts ro = c->report;
	ro.color = want_color(c, out);
	if ((rc = pd_report(d, c->format, &ro, &report, err)) != PD_OK)
		goto out;
	if ((c->dot_path || c->svg_path) && (rc = pd_diff_dot(d, c->nodes, &dot, err)) != PD_OK)
		goto out;
	if (c->svg_path && (rc = pd_render_svg(dot.data, dot.len, &svg, err)) != PD_OK)
		goto out;
	/* Stage every output file, then rename them all: a failure to write any of them
	 * leaves every old file in place. (A rename failing after an earlier one succeeded,
	 * in the same directory, is the one case this cannot cover.) */
	const char *paths[3] = {c->dot_path, c->svg_path, c->out_path};
	const pd_buf *bufs[3] = {&dot, &svg, &report};
	char *tmps[3] = {NULL, NULL, NULL};
	for (int i = 0; i < 3 && rc == PD_OK; i++)
		if (paths[i] && strcmp(paths[i], "-") != 0)
			rc = pd_file_stage(paths[i], bufs[i]->data, bufs[i]->len, &tmps[i], err);
	for (int i = 0; i < 3; i++) {
		if (rc == PD_OK && tmps[i])
			rc = pd_file_commit(tmps[i], paths[i], err);
		else
			pd_file_discard(tmps[i]);
		tmps[i] = NULL;
	}
	if (rc != PD_OK)
		goto out;
	bool to_stdout = !c->out_path || strcmp(c->out_path, "-") == 0;
	if (to_stdout && (fwrite(report.data, 1, report.len, out) != report.len || fflush(out) != 0))
		rc = pd_error_set(err, PD_EINTERNAL, "cannot write the report to stdout");
	if (rc == PD_OK && !c->quiet)
		warn_about(d, warn);
out:
	pd_buf_fini(&svg);
	pd_buf_fini(&dot);
	pd_buf_fini(&report);
	pd_diff_free(d);
	return rc;
}

int pd_cli_fail(const pd_error *err)
{
	fprintf(stderr, "profdiff: %s\n", err->msg);
	return err->code;
}

static void diff_usage(FILE *f)
{
	fprintf(f,
		"usage: profdiff diff [options] BASE.dot NEW.dot\n\n"
		"Compares two call graphs in the DOT dialect of 'go tool pprof -dot' and of\n"
		"Pyroscope's /pyroscope/render?format=dot, and ranks the functions by how much\n"
		"more (or less) they cost in NEW. '-' reads one input from stdin.\n\n"
		"options:\n%s"
		"  -h, --help                   this help\n"
		"      --version                print the version\n\n%s",
		pd_diff_options_help, pd_exit_codes_help);
}

int pd_cmd_diff(int argc, char **argv)
{
	enum { OPT_HELP = 'h', OPT_VERSION = 0x1ff };
	struct option opts[32];
	size_t n = 0;
	for (const struct option *o = pd_diff_long_options; o->name; o++)
		opts[n++] = *o;
	opts[n++] = (struct option){"help", no_argument, NULL, OPT_HELP};
	opts[n++] = (struct option){"version", no_argument, NULL, OPT_VERSION};
	opts[n] = (struct option){NULL, 0, NULL, 0};

	pd_diff_cli c;
	pd_diff_cli_init(&c);
	pd_error err = {0};
	optind = 0; /* GNU: full reset, so the command can run more than once per process */
	opterr = 0;
	int val;
	while ((val = getopt_long(argc, argv, ":h" PD_DIFF_SHORTOPTS, opts, NULL)) != -1) {
		if (val == OPT_HELP) {
			diff_usage(stdout);
			return PD_OK;
		}
		if (val == OPT_VERSION) {
			printf("profdiff %s\n", PD_VERSION);
			return PD_OK;
		}
		if (val == '?' || val == ':') {
			pd_error_set(&err, PD_EUSAGE, "diff: %s '%s' (see 'profdiff diff --help')",
				     val == ':' ? "missing value for option" : "unknown option",
				     argv[optind - 1]);
			return pd_cli_fail(&err);
		}
		int r = pd_diff_cli_apply(&c, val, optarg, &err);
		if (r < 0)
			return pd_cli_fail(&err);
	}
	if (argc - optind != 2) {
		pd_error_set(&err, PD_EUSAGE,
			     "diff: expected 2 files (BASE.dot NEW.dot), got %d (see 'profdiff diff --help')",
			     argc - optind);
		return pd_cli_fail(&err);
	}
	const char *paths[2] = {argv[optind], argv[optind + 1]};
	if (strcmp(paths[0], "-") == 0 && strcmp(paths[1], "-") == 0) {
		pd_error_set(&err, PD_EUSAGE, "diff: only one input can be read from stdin");
		return pd_cli_fail(&err);
	}
	/* Read and parse one file at a time, dropping its text before the next: the peak
	 * memory holds one input's text, not both. */
	pd_profile *prof[2] = {NULL, NULL};
	pd_status rc = PD_OK;
	for (int i = 0; i < 2 && rc == PD_OK; i++)
		rc = pd_profile_read_flags(paths[i], cli_parse_flags, &prof[i], &err);
	if (rc == PD_OK)
		rc = pd_diff_cli_run_profiles(&c, prof[0], prof[1], stdout, stderr, &err);
	pd_profile_free(prof[1]);
	pd_profile_free(prof[0]);
	return rc == PD_OK ? PD_OK : pd_cli_fail(&err);
}
