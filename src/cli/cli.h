/* CLI layer: one pd_cmd_* entry point per subcommand, called by main.c with the
 * subcommand's argv (argv[0] is the subcommand name). Each declares its options as a
 * table for the option engine (options.h), returns the exit code and prints at most one
 * error line, "profdiff: <message>", to stderr. The diff options and the diff pipeline
 * (pipeline.c) are shared: `compare` splices in the same table and runs the same code.
 * The CLI is the only part of profdiff that writes to stdout and stderr. */
#ifndef PD_CLI_H
#define PD_CLI_H

#include <stdio.h>

#include "cli/options.h"
#include "profdiff/profdiff.h"
#include "base/base.h" /* atomic file writes */
#include "parse/parse.h" /* input limits */
#include "gate/gate.h"

typedef enum pd_color_mode { PD_COLOR_AUTO, PD_COLOR_ALWAYS, PD_COLOR_NEVER, PD_COLOR_KINDS } pd_color_mode;
extern const pd_enum_names pd_color_names; /* auto always never */

/* The gate's options (gate_cli.c). Any of them turns the gate on: the report states a
 * verdict and the exit code follows it (0 pass, 1 regression, 4 inconclusive). */
typedef struct pd_gate_cli {
	pd_gate_rules rules;    /* rules.file points at file once loaded */
	const char *file_path;  /* --gate-file */
	pd_gatefile file;
	const char *junit_path; /* --junit FILE */
	bool annotations;       /* --github-annotations */
	bool on;                /* some gate option was given */
} pd_gate_cli;

/* "Not given": --top's default is 20 rows for text and Markdown, every row for JSON. */
#define PD_TOP_UNSET ((size_t)-1)

/* Where a run's inputs came from, for the report header (compare), the bundle's
 * provenance and its links. Every pointer is borrowed. */
typedef struct pd_run_info {
	const char *command;              /* "diff" or "compare" */
	const char *base_src, *new_src;   /* the inputs as named (paths, or windows) */
	const char *base_data, *new_data; /* the inputs as given or fetched (bundle) */
	size_t base_len, new_len;
	/* compare only (server NULL for diff): */
	const char *server;               /* the URL, without credentials */
	const char *datasource;           /* Grafana mode's datasource uid, else NULL */
	const char *type, *query, *base_query;
	int64_t base_from, base_to, new_from, new_to; /* ms since the epoch */
	long max_nodes;
} pd_run_info;

typedef struct pd_diff_cli {
	pd_diff_opts diff;
	pd_format format;
	pd_report_opts report; /* report.color is decided by pd_diff_cli_run from color */
	pd_color_mode color;
	size_t nodes;          /* --nodes: DOT node budget, 0 = all */
	const char *dot_path;  /* --dot FILE */
	const char *svg_path;  /* --svg FILE */
	const char *out_path;  /* -o/--output FILE: the report, written atomically; "-" = stdout */
	bool quiet;            /* -q: no warnings on stderr */
	pd_parse_limits limits; /* --max-input-size, --max-subgraphs, --max-nesting */
	const char *sample_index; /* --sample-index: pprof input's sample type */
	const char *profile_type; /* compare: the fetched type (flamegraph JSON has none) */
	pd_gate_cli gate;
	const char *bundle_dir; /* --bundle DIR */
	const pd_run_info *info; /* set by the command before the run; NULL = none */
} pd_diff_cli;

/* The defaults, which --help shows. */
void pd_diff_cli_init(pd_diff_cli *c);

/* Fills t with the diff options over c, ended by PD_OPT_END (room for PD_DIFF_OPTS). */
#define PD_DIFF_OPTS 24
void pd_diff_cli_options(pd_diff_cli *c, pd_option t[PD_DIFF_OPTS]);

/* The gate options over c (room for PD_GATE_OPTS, ended by PD_OPT_END). */
#define PD_GATE_OPTS 12
void pd_gate_cli_options(pd_diff_cli *c, pd_option t[PD_GATE_OPTS]);
/* After parsing: resolves --top's default, loads the gate file (errors name its line:
 * PD_EUSAGE; unreadable: PD_EINPUT) and checks the combinations. */
pd_status pd_gate_cli_prepare(pd_diff_cli *c, pd_error *err);
void pd_gate_cli_fini(pd_diff_cli *c);
/* --top's parser: a count; the default stays PD_TOP_UNSET until prepare resolves it. */
pd_status pd_cli_top_opt(const pd_option *o, const char *arg, pd_error *err);

/* Several profiles per side (diff --base/--new, compare --slices): diff i pairs
 * base[i % nb] with head[i % nh]; the gate runs on the samples and the report shows the
 * per-function statistics. base_secs/head_secs, when not NULL, are each profile's
 * window in seconds: values are then normalised per second of window (compare). */
typedef struct pd_sides {
	const pd_profile *const *base, *const *head;
	const char *const *base_src, *const *head_src;
	size_t nbase, nhead;
	const double *base_secs, *head_secs;
} pd_sides;
pd_status pd_diff_cli_run_samples(const pd_diff_cli *c, const pd_sides *s, FILE *out, FILE *warn,
				  pd_error *err);

/* Parses both DOT texts, diffs them, runs the gate when c->gate.on, writes the report
 * to out (or --output; GitHub annotations before it) and the --dot/--svg/--junit files
 * atomically. Warnings go to warn (NULL = none). Returns the exit status: with a gate,
 * the verdict's (PD_OK, PD_REGRESSION, PD_ENODATA) with err->msg empty, as the report
 * said it; on failure err holds the message. The same for the two functions below and
 * pd_diff_cli_run_samples. */
pd_status pd_diff_cli_run(const pd_diff_cli *c, const char *base_src, const char *base_dot,
			  size_t base_len, const char *new_src, const char *new_dot, size_t new_len,
			  FILE *out, FILE *warn, pd_error *err);

/* Parses one input as the CLI does (with an arena for the graph, within c's limits; see
 * pipeline.c). */
pd_status pd_diff_cli_parse(const pd_diff_cli *c, const char *src, const char *dot, size_t len,
			    pd_profile **out, pd_error *err);
/* Reads path ("-" = stdin) and parses it the same way. */
pd_status pd_diff_cli_read(const pd_diff_cli *c, const char *path, pd_profile **out,
			   pd_error *err);
/* pd_diff_cli_run on parsed profiles (borrowed). */
pd_status pd_diff_cli_run_profiles(const pd_diff_cli *c, const pd_profile *bp,
				   const pd_profile *np, FILE *out, FILE *warn, pd_error *err);

/* Writes data to f (stdout), flushed; PD_EINTERNAL naming what on failure. */
pd_status pd_cli_write(FILE *f, const char *data, size_t len, const char *what, pd_error *err);

/* ---- bundle.c: --bundle DIR and the report header of a fetched run ---- */
/* Refuses (PD_EUSAGE) a DIR that exists and is not an empty directory, before any work. */
pd_status pd_bundle_check(const char *dir, pd_error *err);
/* Writes every file of the bundle into a new temporary directory beside dir (*tmp, to
 * commit or discard). dot and svg are the rendered graph. Nothing is left on failure. */
struct pd_report_gate;
pd_status pd_bundle_stage(const pd_diff_cli *c, const pd_diff *d, const struct pd_report_gate *g,
			  const pd_buf *dot, const pd_buf *svg, char **tmp, pd_error *err);
/* Renames tmp to dir (an empty dir is replaced) and frees tmp; on failure removes it. */
pd_status pd_bundle_commit(char *tmp, const char *dir, pd_error *err);
/* Removes the staged directory and frees tmp (NULL is a no-op). */
void pd_bundle_discard(char *tmp);
/* The lines naming the server, query, type and both windows (UTC and local time) that
 * open a compare report: "key: value" lines for text, a list for Markdown. Nothing for
 * a run without a server. */
void pd_run_header(pd_buf *b, const pd_run_info *i, bool markdown);
/* Puts that header at the top of a rendered report, or in a gated one right after the
 * verdict line, which stays first. report is unchanged on failure. */
pd_status pd_run_header_insert(pd_buf *report, const pd_run_info *i, bool markdown, bool gated,
			       pd_error *err);
/* A local time and its UTC: "2026-12-03 09:00:00 CET (2026-12-03T08:00:00Z)". */
void pd_time_both(char *dst, size_t size, int64_t ms);
/* Whether the locale's character set is not UTF-8 (reports are then plain ASCII). */
bool pd_cli_ascii(void);

/* Subcommands. */
int pd_cmd_diff(int argc, char **argv);
int pd_cmd_types(int argc, char **argv);
int pd_cmd_labels(int argc, char **argv);
int pd_cmd_values(int argc, char **argv);
int pd_cmd_fetch(int argc, char **argv);
int pd_cmd_compare(int argc, char **argv);
int pd_cmd_mcp(int argc, char **argv);

/* Prints "profdiff: <err->msg>" to stderr and returns err->code. */
int pd_cli_fail(const pd_error *err);

#endif
