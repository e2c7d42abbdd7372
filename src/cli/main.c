/* profdiff command line: picks the subcommand and hands over to the CLI layer
 * (src/cli/), which parses its options, calls the library and returns the exit code. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

int pd_cmd_mcp(int argc, char **argv); /* cmd_mcp.c; TEMPORARY here, belongs in cli.h */

typedef struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} command;

static const command commands[] = {
	{"diff", pd_cmd_diff, "diff two profile DOT files (pprof -dot, Pyroscope format=dot)"},
	{"compare", pd_cmd_compare, "fetch a baseline and a problem window from Pyroscope and diff them"},
	{"fetch", pd_cmd_fetch, "fetch one window's profile as DOT"},
	{"types", pd_cmd_types, "list profile types"},
	{"labels", pd_cmd_labels, "list label names"},
	{"values", pd_cmd_values, "list the values of one label"},
	{"mcp", pd_cmd_mcp, "serve MCP tools (Pyroscope fetch and diff) over stdio or HTTP"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: profdiff <command> [options] [args]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-8s  %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nRun 'profdiff <command> --help' for its options.\n\n%s", pd_exit_codes_help);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return PD_EUSAGE;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
		usage(stdout);
		return PD_OK;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
		printf("profdiff %s\n", PD_VERSION);
		return PD_OK;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(cmd, commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "profdiff: unknown command '%s' (try 'profdiff --help')\n", cmd);
	return PD_EUSAGE;
}
