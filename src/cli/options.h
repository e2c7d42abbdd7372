/* The command line's one option engine, in the spirit of git's parse-options: each
 * command declares its options as one table of pd_option entries, and parsing, --help
 * (defaults included, read from the variables the options set), error messages with a
 * "did you mean", hints for pprof's spellings and the option list the man-page test
 * reads (--dump-options) all come from that table. Rules: exact long names only (never
 * a prefix), "--opt value" and "--opt=value", short options bundled as getopt does,
 * options and operands in any order, "--" ends the options, "-" alone is an operand.
 * A message never echoes the argument of an option the table does not know. */
#ifndef PD_CLI_OPTIONS_H
#define PD_CLI_OPTIONS_H

#include <stdio.h>

#include "base/names.h"
#include "profdiff/profdiff.h"

typedef enum pd_opt_kind {
	PD_OPT_END,     /* terminates a table */
	PD_OPT_GROUP,   /* a heading in --help (help = "Connection:"); not an option */
	PD_OPT_TABLE,   /* splices in another table (value = const pd_option *) */
	PD_OPT_FLAG,    /* bool *value = true */
	PD_OPT_SET,     /* int *value = set, e.g. --no-color sets --color's variable */
	PD_OPT_STRING,  /* const char **value = the argument, borrowed from argv */
	PD_OPT_COUNT,   /* size_t *value, 0..1e9 */
	PD_OPT_LONG,    /* long *value, any integer */
	PD_OPT_SIZE,    /* size_t *value in bytes; parsed only by .apply (shown as 64MiB) */
	PD_OPT_SECONDS, /* long *value in milliseconds, from seconds > 0 (fractions allowed) */
	PD_OPT_ENUM,    /* enum *value (int-sized) = the value the names table gives */
	PD_OPT_HELP,    /* prints the help; the command exits 0 */
	PD_OPT_VERSION, /* prints the version; the command exits 0 */
} pd_opt_kind;

typedef struct pd_option pd_option;
struct pd_option {
	pd_opt_kind kind;
	const char *name;  /* long name without "--"; NULL for a short-only option */
	char letter;       /* short option letter, or 0 */
	void *value;       /* what the kind stores into (see pd_opt_kind) */
	const char *arg;   /* argument name in --help ("FILE"); enums list their names */
	const char *help;  /* what it does; --help appends "(default X)" read from *value */
	const pd_enum_names *names; /* PD_OPT_ENUM */
	int set;                    /* PD_OPT_SET */
	/* Replaces the kind's parsing (the kind still decides whether an argument is taken
	 * and how the default shows): store through o->value, or return PD_EUSAGE with err
	 * set. Needed for PD_OPT_SIZE. */
	pd_status (*apply)(const pd_option *o, const char *arg, pd_error *err);
	const char *def;   /* the default in words, when *value cannot show it; "" = none */
	const char *alias; /* another long name for it, the one profilecli or pprof users
			    * know ("tenant-id" for "tenant"); shown in --help */
};

/* One entry: PD_OPTION(PD_OPT_STRING, "focus", 0, &c->focus, "REGEX", "keep only ..."),
 * with any other field after, designated: PD_OPTION(..., .apply = check). */
#define PD_OPTION(kind_, name_, letter_, value_, arg_, help_, ...)                            \
	{.kind = (kind_), .name = (name_), .letter = (letter_), .value = (value_), .arg = (arg_), \
	 .help = (help_), __VA_ARGS__}

typedef struct pd_opt_cmd {
	const char *name;   /* "diff"; usage errors start with it ("" at the top level) */
	const char *usage;  /* synopsis after "Usage: profdiff " */
	const char *about;  /* paragraph after the usage line, or NULL */
	const pd_option *opts;
	const char *footer; /* text after the options (e.g. the environment), or NULL */
} pd_opt_cmd;

/* pd_opt_parse's result when it printed --help, --version or --dump-options. */
#define PD_OPT_EXIT (-1)

/* Parses argv[1..argc) (argv[0] is the command's name) against cmd->opts, storing each
 * option's value as its kind says. On PD_OK the operands are moved, in order, to
 * argv[1..*nops]. --help, --version and the hidden --dump-options print to out and
 * return PD_OPT_EXIT. A usage error returns PD_EUSAGE with err set. */
int pd_opt_parse(const pd_opt_cmd *cmd, int argc, char **argv, int *nops, FILE *out,
		 pd_error *err);

/* Whether o takes an argument (every kind but flags, help and version). */
bool pd_opt_takes_arg(const pd_option *o);

/* Appends cmd's --help text; false when the buffer failed. */
bool pd_opt_help(const pd_opt_cmd *cmd, pd_buf *out);

/* Appends every option of cmd, one per line ("--format", "-o"), for the man-page test. */
bool pd_opt_dump(const pd_opt_cmd *cmd, pd_buf *out);

/* Appends "did you mean 'x'?" naming the words of cand[0..n) closest to word[0..len):
 * those it begins, else those within a small edit distance (as git's help.c), each
 * written with prefix ("--" for options). Appends nothing when none is close. Returns
 * how many it named (at most 3). */
size_t pd_opt_suggest(pd_buf *out, const char *word, size_t len, const char *const *cand,
		      size_t n, const char *prefix);

/* The exit codes, shared by every command's --help. */
extern const char pd_exit_codes_help[];

#endif
