/* CLI layer: one pd_cmd_* entry point per subcommand, called by main.c with the
 * subcommand's argv (argv[0] is the subcommand name). Each returns the exit code and
 * prints at most one error line, "profdiff: <message>", to stderr. The diff options
 * are shared: `compare` parses them with the same table and runs the same pipeline. */
#ifndef PD_CLI_H
#define PD_CLI_H

#include <getopt.h>
#include <stdio.h>

#include "profdiff/profdiff.h"
#include "base/base.h" /* atomic file writes */

typedef enum pd_color_mode { PD_COLOR_AUTO, PD_COLOR_ALWAYS, PD_COLOR_NEVER, PD_COLOR_KINDS } pd_color_mode;

typedef struct pd_diff_cli {
	pd_diff_opts diff;
	pd_format format;
	pd_report_opts report; /* report.color is decided by pd_diff_cli_run from color */
	pd_color_mode color;
	size_t nodes;          /* --nodes: DOT node budget, 0 = all */
	const char *dot_path;  /* --dot FILE */
	const char *svg_path;  /* --svg FILE */
	const char *out_path;  /* -o/--output FILE: the report, written atomically */
	bool quiet;            /* -q: no warnings on stderr */
} pd_diff_cli;

void pd_diff_cli_init(pd_diff_cli *c);

/* getopt_long entries for the diff options, terminated by a zero entry; their .val
 * values are >= PD_DIFF_OPT_FIRST or one of the short letters in PD_DIFF_SHORTOPTS. */
#define PD_DIFF_OPT_FIRST 0x100
#define PD_DIFF_SHORTOPTS "o:q"
extern const struct option pd_diff_long_options[];
/* Help text for the diff options (one per line, indented by two), for --help. */
extern const char pd_diff_options_help[];
/* Help text for exit codes, shared by every subcommand's --help. */
extern const char pd_exit_codes_help[];

/* Applies one option returned by getopt_long. Returns 1 when consumed, 0 when val is not
 * a diff option, -1 on a bad value (err filled with PD_EUSAGE). */
int pd_diff_cli_apply(pd_diff_cli *c, int val, const char *arg, pd_error *err);

/* Parses both DOT texts, diffs them, writes the report to out (or --output), and the
 * --dot/--svg files atomically. Warnings go to warn (NULL = none). Returns the exit
 * status; on failure err holds the message. */
pd_status pd_diff_cli_run(const pd_diff_cli *c, const char *base_src, const char *base_dot,
			  size_t base_len, const char *new_src, const char *new_dot, size_t new_len,
			  FILE *out, FILE *warn, pd_error *err);

/* Parses one input as the CLI does (with an arena for the graph; see cli_diff.c). */
pd_status pd_diff_cli_parse(const char *src, const char *dot, size_t len, pd_profile **out,
			    pd_error *err);
/* pd_diff_cli_run on parsed profiles (borrowed). */
pd_status pd_diff_cli_run_profiles(const pd_diff_cli *c, const pd_profile *bp,
				   const pd_profile *np, FILE *out, FILE *warn, pd_error *err);

/* Subcommands. */
int pd_cmd_diff(int argc, char **argv);
int pd_cmd_types(int argc, char **argv);
int pd_cmd_labels(int argc, char **argv);
int pd_cmd_values(int argc, char **argv);
int pd_cmd_fetch(int argc, char **argv);
int pd_cmd_compare(int argc, char **argv);

/* Prints "profdiff: <err->msg>" to stderr and returns err->code. */
int pd_cli_fail(const pd_error *err);

#endif
