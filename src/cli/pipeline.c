/* The diff options shared by `diff` and `compare` (their table and defaults) and the
 * diff pipeline: parse the inputs, diff (one pair, or several profiles per side into the
 * gate's samples), run the gate when asked, render the report, the --dot/--svg and
 * --junit files and the annotations, write them, and summarise the warnings on stderr.
 * Output files are rendered in memory first and then written atomically, so a failure
 * never leaves a half-written or clobbered file; the report for stdout is written here,
 * never by the library. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"
#include "cli/cli.h"
#include "exact/exact.h" /* exact: .pb.gz, .pb and flamegraph JSON are read too */
#include "parse/parse.h"
#include "fetch/fetch.h" /* pd_parse_size */
#include "report/report.h"
#include "report/verdict.h"

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
	c->report.top = PD_TOP_UNSET;
	pd_gate_rules_init(&c->gate.rules);
	c->color = PD_COLOR_AUTO;
	c->nodes = 80;
	c->limits = (pd_parse_limits){PD_PARSE_MAX_INPUT, PD_PARSE_MAX_SUBGRAPHS, PD_PARSE_MAX_DEPTH};
}

static pd_status input_size(const pd_option *o, const char *arg, pd_error *err)
{
	if (!pd_parse_size(arg, o->value))
		return pd_error_set(err, PD_EUSAGE,
				    "--%s: want a positive byte count like 1GiB, got \"%s\"", o->name,
				    arg);
	return PD_OK;
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
		PD_OPTION(PD_OPT_COUNT, "top", 0, &c->report.top, "N", "rows in the report; 0 = all",
		 .apply = pd_cli_top_opt, .def = "20; JSON: every row"),
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
		PD_OPTION(PD_OPT_FLAG, "force", 0, &c->diff.force, NULL,
		 "diff profiles of different sample types or units anyway (with a warning)"),
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
		PD_OPTION(PD_OPT_STRING, "sample-index", 0, &c->sample_index, "INDEX|NAME",
		 "pprof input: the sample type to read, as pprof's -sample_index",
		 .def = "pprof's: default_sample_type, else the last"),
		PD_OPTION(PD_OPT_SIZE, "max-input-size", 0, &c->limits.max_input, "BYTES",
		 "refuse a larger input (k/M/G, KiB/MiB/GiB suffixes)", .apply = input_size),
		PD_OPTION(PD_OPT_COUNT, "max-subgraphs", 0, &c->limits.max_subgraphs, "N",
		 "refuse an input with more subgraphs (pprof and Pyroscope write one)"),
		PD_OPTION(PD_OPT_COUNT, "max-nesting", 0, &c->limits.max_depth, "N",
		 "refuse an input with subgraphs nested deeper (at most 1000)"),
		PD_OPTION(PD_OPT_STRING, "bundle", 0, &c->bundle_dir, "DIR",
		 "write an incident bundle to the new directory DIR: report.md, report.html, "
		 "diff.dot, diff.svg, both inputs, provenance.json"),
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

/* How the CLI reads any input: DOT (with the arena and the limits), pprof protobuf
 * (--sample-index; line nodes for --granularity line) or flamegraph JSON. */
static pd_exact_opts exact_opts(const pd_diff_cli *c)
{
	pd_exact_opts o;
	pd_exact_opts_init(&o);
	o.dot_flags = cli_parse_flags;
	o.limits = &c->limits;
	o.sample_index = c->sample_index;
	o.lines = c->diff.granularity == PD_GRAN_LINE;
	o.profile_type = c->profile_type;
	return o;
}

pd_status pd_diff_cli_parse(const pd_diff_cli *c, const char *src, const char *dot, size_t len,
			    pd_profile **out, pd_error *err)
{
	pd_exact_opts o = exact_opts(c);
	return pd_exact_parse_any(src, dot, len, &o, out, err);
}

pd_status pd_diff_cli_read(const pd_diff_cli *c, const char *path, pd_profile **out,
			   pd_error *err)
{
	pd_exact_opts o = exact_opts(c);
	return pd_exact_read_any(path, &o, out, err);
}

pd_status pd_diff_cli_run(const pd_diff_cli *c, const char *base_src, const char *base_dot,
			  size_t base_len, const char *new_src, const char *new_dot, size_t new_len,
			  FILE *out, FILE *warn, pd_error *err)
{
	pd_profile *bp = NULL, *np = NULL;
	pd_status rc;
	if ((rc = pd_diff_cli_parse(c, base_src, base_dot, base_len, &bp, err)) == PD_OK &&
	    (rc = pd_diff_cli_parse(c, new_src, new_dot, new_len, &np, err)) == PD_OK)
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
	char *tmps[4] = {NULL, NULL, NULL, NULL};
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

/* Appends the Markdown report to the file GitHub names in $GITHUB_STEP_SUMMARY (the
 * runner shows it on the run's page). Appending, not replacing: steps share the file. */
static pd_status step_summary(const pd_buf *md, pd_error *err)
{
	const char *path = getenv("GITHUB_STEP_SUMMARY");
	if (!path || !*path)
		return PD_OK;
	FILE *f = fopen(path, "a");
	bool ok = f && fwrite(md->data, 1, md->len, f) == md->len;
	if (f && fclose(f) != 0)
		ok = false;
	if (!ok)
		return pd_error_set(err, PD_EINTERNAL, "cannot append to $GITHUB_STEP_SUMMARY (%s): %s",
				    path, strerror(errno));
	return PD_OK;
}

static void warn_gate(const pd_gate_result *r, FILE *warn)
{
	for (size_t i = 0; warn && r && i < r->nwarnings; i++)
		fprintf(warn, "profdiff: warning: %s\n", r->warnings[i]);
}

/* Renders every output of a diff (gated when g is not NULL) and writes them: the files
 * atomically first, then stdout (the annotations, then the report), the step summary,
 * the warnings. Returns the verdict's status when gated, else PD_OK. */
static pd_status deliver(const pd_diff_cli *c, const pd_diff *d, const pd_report_gate *g,
			 FILE *out, FILE *warn, pd_error *err)
{
	pd_buf report, dot, svg, junit, annot, md;
	pd_buf *bufs_all[] = {&report, &dot, &svg, &junit, &annot, &md};
	for (size_t i = 0; i < sizeof bufs_all / sizeof bufs_all[0]; i++)
		pd_buf_init(bufs_all[i], 0);
	bool gated = g && g->gated;
	pd_report_opts ro = c->report;
	ro.color = want_color(c, out);
	char *bundle = NULL;
	pd_status rc = pd_report_gated(d, g, c->format, &ro, &report, err);
	if (rc == PD_OK && c->format != PD_FORMAT_JSON)
		rc = pd_run_header_insert(&report, c->info, c->format == PD_FORMAT_MARKDOWN, gated, err);
	if (rc == PD_OK && c->format != PD_FORMAT_JSON && pd_cli_ascii())
		rc = pd_report_ascii(&report, err);
	if (rc == PD_OK && (c->dot_path || c->svg_path || c->bundle_dir))
		rc = pd_diff_dot(d, c->nodes, &dot, err);
	/* The graph guard: an SVG too big to lay out is refused; with --svg everything else
	 * is still written (the error comes last), a bundle is not written at all. */
	pd_error svg_err = {0};
	bool graph_ok = !(c->svg_path || c->bundle_dir) ||
			pd_diff_svg_check(d, c->nodes, &svg_err) == PD_OK;
	const char *svg_path = graph_ok ? c->svg_path : NULL;
	if (rc == PD_OK && !graph_ok && c->bundle_dir)
		rc = pd_error_set(err, svg_err.code, "--bundle %s: %s", c->bundle_dir, svg_err.msg);
	if (rc == PD_OK && graph_ok && (c->svg_path || c->bundle_dir))
		rc = pd_render_svg(dot.data, dot.len, &svg, err);
	if (rc == PD_OK && gated && c->gate.junit_path)
		rc = pd_report_junit(d, g, &junit, err);
	if (rc == PD_OK && gated && c->gate.annotations) {
		rc = pd_report_annotations(d, g, &annot, err);
		const char *sum = getenv("GITHUB_STEP_SUMMARY");
		pd_report_opts mo = {.top = c->report.top ? c->report.top : 20};
		if (rc == PD_OK && sum && *sum)
			rc = pd_report_markdown_gated(d, g, &mo, &md, err);
	}
	if (rc == PD_OK && c->bundle_dir)
		rc = pd_bundle_stage(c, d, g, &dot, &svg, &bundle, err);
	if (rc != PD_OK)
		goto out;
	const char *paths[4] = {c->dot_path, svg_path, c->out_path, c->gate.junit_path};
	const pd_buf *bufs[4] = {&dot, &svg, &report, &junit};
	if ((rc = write_files(paths, bufs, 4, err)) != PD_OK)
		goto out;
	if (bundle) { /* last, so a failure before leaves no bundle */
		rc = pd_bundle_commit(bundle, c->bundle_dir, err);
		bundle = NULL;
		if (rc != PD_OK)
			goto out;
	}
	if (annot.len)
		rc = pd_cli_write(out, annot.data, annot.len, "the annotations", err);
	if (rc == PD_OK && (!c->out_path || strcmp(c->out_path, "-") == 0))
		rc = pd_cli_write(out, report.data, report.len, "the report", err);
	if (rc == PD_OK && md.len)
		rc = step_summary(&md, err);
	if (rc == PD_OK && !c->quiet) {
		if (!g || !g->samples)
			warn_about(d, warn);
		warn_gate(g ? g->res : NULL, warn);
	}
	if (rc == PD_OK && c->svg_path && !svg_path)
		rc = pd_error_set(err, svg_err.code, "--svg %s: %s", c->svg_path, svg_err.msg);
	else if (rc == PD_OK && gated)
		rc = pd_verdict_status(g->res->verdict);
out:
	pd_bundle_discard(bundle);
	for (size_t i = 0; i < sizeof bufs_all / sizeof bufs_all[0]; i++)
		pd_buf_fini(bufs_all[i]);
	return rc;
}

pd_status pd_diff_cli_run_profiles(const pd_diff_cli *c, const pd_profile *bp,
				   const pd_profile *np, FILE *out, FILE *warn, pd_error *err)
{
	pd_diff *d = NULL;
	pd_gate_result res;
	memset(&res, 0, sizeof res);
	err->msg[0] = '\0'; /* a verdict leaves no message: the caller tells them apart */
	pd_status rc = pd_diff_new(bp, np, &c->diff, &d, err);
	if (rc == PD_OK && c->gate.on)
		rc = pd_gate_eval_diff(d, &c->gate.rules, &res, err);
	if (rc == PD_OK) {
		pd_report_gate g = {.res = &res, .rules = &c->gate.rules, .nbase = 1, .nhead = 1,
				    .gated = true};
		rc = deliver(c, d, c->gate.on ? &g : NULL, out, warn, err);
	}
	pd_gate_result_fini(&res);
	pd_diff_free(d);
	return rc;
}

/* Values per second of each profile's window (compare --slices): the library gives
 * per second of the profile's Duration, or shares of its total without one. */
static void per_window(pd_gate_samples_owned *o, const pd_diff *const *dd, const double *bsecs,
		       const double *hsecs)
{
	size_t nf = o->s.nfuncs, nb = o->s.nbase, nh = o->s.nhead;
	for (int side = 0; side < 2; side++) {
		size_t n = side ? nh : nb;
		double *vals = side ? o->head : o->base, *tot = side ? o->head_total : o->base_total;
		for (size_t i = 0; i < n; i++) {
			const pd_profile_info *in = side ? &dd[i]->head : &dd[i]->base;
			double secs = side ? hsecs[i] : bsecs[i];
			double have = o->s.per_second ? (double)in->duration_ns / 1e9 : (double)in->total;
			double k = secs > 0 && have > 0 ? have / secs : 0;
			for (size_t f = 0; f < nf; f++)
				vals[f * n + i] *= k;
			tot[i] *= k;
		}
	}
	o->s.per_second = true;
}

pd_status pd_diff_cli_run_samples(const pd_diff_cli *c, const pd_sides *s, FILE *out, FILE *warn,
				  pd_error *err)
{
	size_t n = s->nbase > s->nhead ? s->nbase : s->nhead, kept = 0;
	pd_diff **dd = pd_calloc(n ? n : 1, sizeof *dd);
	double *secs = pd_calloc(2 * (n ? n : 1), sizeof *secs);
	pd_gate_samples_owned own;
	pd_gate_result res;
	memset(&own, 0, sizeof own);
	memset(&res, 0, sizeof res);
	err->msg[0] = '\0';
	pd_status rc = dd && secs ? PD_OK : pd_error_oom(err);
	if (rc == PD_OK && (c->dot_path || c->svg_path || c->bundle_dir))
		rc = pd_error_set(err, PD_EUSAGE,
				  "--dot, --svg and --bundle draw one pair: give one profile per side");
	for (size_t i = 0; rc == PD_OK && i < n; i++) {
		pd_error e;
		rc = pd_diff_new(s->base[i % s->nbase], s->head[i % s->nhead], &c->diff, &dd[kept], &e);
		/* An empty slice of a window cannot be diffed: that pair is dropped from both
		 * sides (the statistics drop samples with no data anyway). */
		if (rc == PD_ENODATA && s->base_secs && s->nbase == s->nhead) {
			if (warn && !c->quiet)
				fprintf(warn, "profdiff: warning: slice %zu has no data in a window: "
					      "dropped from both sides\n", i + 1);
			rc = PD_OK;
			continue;
		}
		if (rc != PD_OK) {
			*err = e;
			break;
		}
		if (s->base_secs) {
			secs[kept] = s->base_secs[i % s->nbase];
			secs[n + kept] = s->head_secs[i % s->nhead];
		}
		kept++;
	}
	if (rc == PD_OK && kept == 0)
		rc = pd_error_set(err, PD_ENODATA, "no slice has data in both windows");
	size_t nb = s->nbase == s->nhead ? kept : s->nbase, nh = s->nbase == s->nhead ? kept : s->nhead;
	if (rc == PD_OK)
		rc = pd_gate_samples_from_diffs((const pd_diff *const *)dd, kept, nb, nh,
						c->gate.rules.metric, &own, err);
	if (rc == PD_OK && s->base_secs)
		per_window(&own, (const pd_diff *const *)dd, secs, secs + n);
	if (rc == PD_OK)
		rc = pd_gate_eval_samples(&own.s, &c->gate.rules, &res, err);
	if (rc == PD_OK) {
		pd_report_gate g = {.res = &res, .rules = &c->gate.rules, .samples = &own.s,
				    .base_src = s->base_src, .head_src = s->head_src,
				    .nbase = s->nbase, .nhead = s->nhead, .gated = c->gate.on,
				    .per_window = s->base_secs != NULL};
		rc = deliver(c, dd[0], &g, out, warn, err);
	}
	pd_gate_result_fini(&res);
	pd_gate_samples_fini(&own);
	for (size_t i = 0; dd && i < n; i++)
		pd_diff_free(dd[i]);
	pd_free(dd);
	pd_free(secs);
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
	/* Messages quote file names, server replies and options: escape what could drive
	 * the terminal (and line breaks, so the error stays one line). */
	pd_buf line;
	pd_buf_init(&line, 0);
	pd_put_escaped(&line, err->msg, &pd_escape_text);
	fprintf(stderr, "profdiff: %s\n", line.data && !line.failed ? line.data : err->msg);
	pd_buf_fini(&line);
	return err->code;
}
