/* What the fetch commands (types, labels, values, fetch, compare) share: their option
 * values, the time window and connection options (one table), and the resolution of
 * options plus environment into a pd_http_conf, a window and label matchers. Secrets
 * come only from the environment or --token-file and never reach output. */
#ifndef PD_CLI_FETCH_CONF_H
#define PD_CLI_FETCH_CONF_H

#include "cli/cli.h"
#include "fetch/fetch.h"

typedef struct pd_fetch_cli {
	const char *name; /* subcommand */
	bool need_type;   /* fetch, compare: --type is required */
	const char *from, *to, *query;
	const char *url, *datasource, *tenant, *org_id, *token_file, *cacert;
	bool verbose, json;
	const char *type, *out;
	const char *base_query, *base_from, *base_to, *save_dir;
	const char *label; /* values NAME */
	long max_nodes;    /* --max-nodes (default 100; only N > 0 changes it) */
	long max_time_ms;  /* --max-time: budget of the whole command, 0 = none */
	/* resolved; http also holds --insecure, --timeout and --max-body */
	pd_http_conf http;
	char *token;      /* owned copy (file or env); wiped on fini */
	char *token_from; /* owned description */
	char *matchers;   /* owned */
	int64_t from_ms, to_ms;
} pd_fetch_cli;

/* The defaults, which --help shows. */
void pd_fetch_cli_init(pd_fetch_cli *f, const char *name, bool need_type);
void pd_fetch_cli_fini(pd_fetch_cli *f);

/* Fills t with the time window and connection options over f (room for PD_CONN_OPTS). */
#define PD_CONN_OPTS 16
void pd_fetch_conn_options(pd_fetch_cli *f, pd_option t[PD_CONN_OPTS]);

/* The options several fetch commands take, each written once. */
#define PD_FETCH_OPT_QUERY(f)                                                                \
	PD_OPTION(PD_OPT_STRING, "query", 0, &(f)->query, "SELECTOR",                                  \
	 "label selector, e.g. '{service_name=\"api\"}'; braces are added when missing",       \
	 .def = "{}, every series")
#define PD_FETCH_OPT_JSON(f)                                                                 \
	PD_OPTION(PD_OPT_FLAG, "json", 0, &(f)->json, NULL, "print a JSON array instead of one item per line")
#define PD_FETCH_OPT_TYPE(f)                                                                 \
	PD_OPTION(PD_OPT_STRING, "type", 0, &(f)->type, "TYPE",                                        \
	 "profile type, e.g. process_cpu:cpu:nanoseconds:cpu:nanoseconds", .alias = "profile-type")
#define PD_FETCH_OPT_MAX_NODES(f)                                                            \
	PD_OPTION(PD_OPT_LONG, "max-nodes", 0, &(f)->max_nodes, "N",                                    \
	 "DOT node count requested; only N > 0 changes it", .apply = pd_fetch_max_nodes)
#define PD_FETCH_OPT_HELP {PD_OPT_HELP, "help", 'h', .help = "show this help"}

pd_status pd_fetch_max_nodes(const pd_option *o, const char *arg, pd_error *err);

/* The environment variables, for the end of --help. */
extern const char pd_fetch_env_help[];

/* Parses argv with the command's table (values NAME is the one operand any fetch
 * command takes), then turns options + environment into f->http, the window and the
 * matchers, and checks --type when required. Returns PD_OK, PD_OPT_EXIT after --help
 * (nothing to do), or a failure with err set. */
int pd_fetch_start(pd_fetch_cli *f, const pd_opt_cmd *cmd, int argc, char **argv,
		   pd_error *err);

#endif
