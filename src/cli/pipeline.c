/* The diff options shared by `diff` and `compare` (their table and defaults) and the
 * diff pipeline: parse both inputs, diff, render the report and the --dot/--svg files,
 * write them, and summarise the warnings on stderr. Output files are rendered in memory
 * first and then written atomically, so a failure never leaves a half-written or
 * clobbered file; the report for stdout is written here, never by the library. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "exact/exact.h" /* exact: .pb.gz, .pb and flamegraph JSON are read too */
#include "parse/parse.h"
#include "report/report.h"

static const char *const color_names[PD_COLOR_KINDS] = {
	[PD_COLOR_AUTO] = "auto",
	[PD_COLOR_ALWAYS] = "always",
	[PD_COLOR_NEVER] = "never",
};
const pd_enum_names pd_color_names = {color_names, PD_COLOR_KINDS, NULL};

void pd_diff_cli_init(pd_diff_cli *c)
{
	memset(c, 0, sizeof *c);
	pd_diff_opts_init(&c->diff);
	c->format = PD_FORMAT_TEXT;
	c->report.top = 20;
	c->color = PD_COLOR_AUTO;
	c->nodes = 80;
}

/* --dot and --svg name files: '-' (stdout) is the report's. */
static pd_status graph_path(const pd_option *o, const char *arg, pd_error *err)
{
	if (strcmp(arg, "-") == 0)
		return pd_error_set(err, PD_EUSAGE, "--%s: give a file name ('-' is for the report)",
				    o->name);
	*(const char **)o->value = arg;
	return PD_OK;
}

void pd_diff_cli_options(pd_diff_cli *c, pd_option t[PD_DIFF_OPTS])
{
	const pd_option o[] = {
		PD_OPTION(PD_OPT_ENUM, "format", 0, &c->format, NULL, "report format on stdout",
		 .names = &pd_format_names),
		PD_OPTION(PD_OPT_COUNT, "top", 0, &c->report.top, "N", "rows in the report; 0 = all"),
		PD_OPTION(PD_OPT_ENUM, "by", 0, &c->diff.by, NULL, "rank rows by |delta| of this metric",
		 .names = &pd_metric_names),
		PD_OPTION(PD_OPT_ENUM, "normalize", 0, &c->diff.normalize, NULL,
		 "total: scale NEW so its total equals BASE's", .names = &pd_normalize_names),
		PD_OPTION(PD_OPT_ENUM, "granularity", 0, &c->diff.granularity, NULL,
		 "key nodes by function or by file:line", .names = &pd_granularity_names),
		PD_OPTION(PD_OPT_STRING, "focus", 0, &c->diff.focus, "REGEX",
		 "keep only functions whose full name matches (POSIX ERE)"),
		PD_OPTION(PD_OPT_STRING, "ignore", 0, &c->diff.ignore, "REGEX",
		 "drop functions whose full name matches (POSIX ERE)"),
		PD_OPTION(PD_OPT_STRING, "dot", 0, &c->dot_path, "FILE", "write the colored diff graph as DOT",
		 .apply = graph_path),
		PD_OPTION(PD_OPT_STRING, "svg", 0, &c->svg_path, "FILE",
		 "render the diff graph to SVG (graphviz, in-process)", .apply = graph_path),
		PD_OPTION(PD_OPT_COUNT, "nodes", 0, &c->nodes, "N", "node budget of the diff graph; 0 = all"),
		PD_OPTION(PD_OPT_STRING, "output", 'o', &c->out_path, "FILE",
		 "write the report to FILE instead of stdout"),
		PD_OPTION(PD_OPT_ENUM, "color", 0, &c->color, NULL,
		 "color the text report; auto: only on a terminal and when NO_COLOR is unset",
		 .names = &pd_color_names),
		PD_OPTION(PD_OPT_SET, "no-color", 0, &c->color, NULL, "the same as --color never",
		 .set = PD_COLOR_NEVER),
		PD_OPTION(PD_OPT_FLAG, "quiet", 'q', &c->quiet, NULL, "no warnings on stderr"),
		{PD_OPT_END},
	};
	_Static_assert(sizeof o / sizeof o[0] <= PD_DIFF_OPTS, "PD_DIFF_OPTS too small");
	memcpy(t, o, sizeof o);
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

/* The stderr summary of the diff's warnings (the report words them in full). */
static void warn_about(const pd_diff *d, FILE *warn)
{
	pd_warning w[PD_REPORT_WARN_MAX];
	size_t n = pd_report_warnings(d, w);
	pd_buf line;
	if (!warn)
		return;
	pd_buf_init(&line, 0);
	for (size_t i = 0; i < n; i++) {
		if (!pd_report_warning_shown(w[i].kind, PD_WARN_SUMMARY))
			continue;
		line.len = 0;
		pd_buf_puts(&line, "profdiff: warning: ");
		pd_report_warning_text(&line, d, &w[i], PD_WARN_SUMMARY);
		pd_buf_puts(&line, "\n");
		if (!line.failed)
			fputs(line.data, warn);
	}
	pd_buf_fini(&line);
}

/* The CLI parses with an arena (PD_PARSE_ARENA): each graph is released whole as soon
 * as it is read, which is faster than agclose's object-by-object deletion and gives the
 * memory back before the next input and the diff. libcdt's dictionary headers, which
 * libcgraph mallocs outside the discipline, stay until exit (1.2 KB per graph and
 * 0.6 KB per subgraph; pprof's DOT has one subgraph, the legend; tests/lsan.supp names
 * them). Sanitizer builds run this path too: the arena poisons what callers did not
 * ask for, so ASan sees overflows and uses after free inside it. */
static const unsigned cli_parse_flags = PD_PARSE_ARENA;

pd_status pd_diff_cli_parse(const char *src, const char *dot, size_t len, pd_profile **out,
			    pd_error *err)
{
	return pd_exact_parse_any(src, dot, len, &(pd_exact_opts){.dot_flags = cli_parse_flags}, out, err);
}

pd_status pd_diff_cli_read(const char *path, pd_profile **out, pd_error *err)
{
	return pd_exact_read_any(path, &(pd_exact_opts){.dot_flags = cli_parse_flags}, out, err);
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

/* Stages every output file, then renames them all: a failure to write any of them
 * leaves every old file in place. (A rename failing after an earlier one succeeded, in
 * the same directory, is the one case this cannot cover.) A NULL or "-" path is not a
 * file: the report for stdout is the caller's to write. */
static pd_status write_files(const char *const paths[], const pd_buf *const bufs[], int n,
			     pd_error *err)
{
	char *tmps[3] = {NULL, NULL, NULL};
	pd_status rc = PD_OK;
	for (int i = 0; i < n && rc == PD_OK; i++)
		if (paths[i] && strcmp(paths[i], "-") != 0)
			rc = pd_file_stage(paths[i], bufs[i]->data, bufs[i]->len, &tmps[i], err);
	for (int i = 0; i < n; i++) {
		if (rc == PD_OK && tmps[i])
			rc = pd_file_commit(tmps[i], paths[i], err);
		else
			pd_file_discard(tmps[i]);
		tmps[i] = NULL;
	}
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
	const char *paths[3] = {c->dot_path, c->svg_path, c->out_path};
	const pd_buf *bufs[3] = {&dot, &svg, &report};
	if ((rc = write_files(paths, bufs, 3, err)) != PD_OK)
		goto out;
	if (!c->out_path || strcmp(c->out_path, "-") == 0)
		rc = pd_cli_write(out, report.data, report.len, "the report", err);
	if (rc == PD_OK && !c->quiet)
		warn_about(d, warn);
out:
	pd_buf_fini(&svg);
	pd_buf_fini(&dot);
	pd_buf_fini(&report);
	pd_diff_free(d);
	return rc;
}

pd_status pd_cli_write(FILE *f, const char *data, size_t len, const char *what, pd_error *err)
{
	if (fwrite(data, 1, len, f) != len || fflush(f) != 0 || ferror(f))
		return pd_error_set(err, PD_EINTERNAL, "cannot write %s to stdout: %s", what,
				    strerror(errno));
	return PD_OK;
}

int pd_cli_fail(const pd_error *err)
{
	fprintf(stderr, "profdiff: %s\n", err->msg);
	return err->code;
}
