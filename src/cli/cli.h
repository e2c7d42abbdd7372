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
