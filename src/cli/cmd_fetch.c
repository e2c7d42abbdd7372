/* `profdiff fetch --type TYPE`: one window's profile as DOT, byte for byte as the server
 * sent it, on stdout or atomically into -o FILE. */
#include <string.h>

#include "cli/fetch_conf.h"
#include "fetch/fetch.h"

int pd_cmd_fetch(int argc, char **argv)
{
	pd_fetch_cli f;
	pd_option conn[PD_CONN_OPTS];
	pd_error err = {0};
	pd_buf dot;
	pd_fetch_cli_init(&f, "fetch", true);
	pd_fetch_conn_options(&f, conn);
	pd_option opts[] = {
		{PD_OPT_GROUP, .help = "Options:"},
		PD_FETCH_OPT_TYPE(&f),
		PD_FETCH_OPT_QUERY(&f),
		PD_FETCH_OPT_MAX_NODES(&f),
		PD_OPTION(PD_OPT_STRING, "output", 'o', &f.out, "FILE",
		 "write the DOT to FILE (atomically) instead of stdout"),
		PD_FETCH_OPT_HELP,
		{PD_OPT_TABLE, .value = conn},
		{PD_OPT_END},
	};
	const pd_opt_cmd cmd = {
		.name = "fetch",
		.usage = "fetch --type TYPE [--query SELECTOR] [--max-nodes N] [-o FILE]\n"
			 "                      [connection and time options]",
		.about = "Print the window's profile as DOT, exactly as the server sent it.",
		.opts = opts,
		.footer = pd_fetch_env_help,
	};
	pd_buf_init(&dot, 0);
	int rc = pd_fetch_start(&f, &cmd, argc, argv, &err);
	if (rc == PD_OK)
		rc = pd_pyro_preflight(&f.http, &err);
	if (rc == PD_OK)
		rc = pd_pyro_render(&f.http, f.type, f.matchers, f.from_ms, f.to_ms, f.max_nodes, &dot,
				    &err);
	if (rc == PD_OK) {
		/* "-" is stdout here, not a file: the library never writes to stdout. */
		if (f.out && strcmp(f.out, "-") != 0)
			rc = pd_write_file_atomic(f.out, dot.data, dot.len, &err);
		else
			rc = pd_cli_write(stdout, dot.data ? dot.data : "", dot.len, "the DOT", &err);
	}
	pd_buf_fini(&dot);
	pd_fetch_cli_fini(&f);
	return rc == PD_OK || rc == PD_OPT_EXIT ? PD_OK : pd_cli_fail(&err);
}
