/* Fetch subcommands (types, labels, values, fetch, compare): placeholder entry points
 * so the project links; the real implementations follow. */
#include "cli/cli.h"

static int todo(const char *name)
{
	fprintf(stderr, "profdiff: %s: not implemented\n", name);
	return PD_EINTERNAL;
}

int pd_cmd_types(int argc, char **argv) { (void)argc; (void)argv; return todo("types"); }
int pd_cmd_labels(int argc, char **argv) { (void)argc; (void)argv; return todo("labels"); }
int pd_cmd_values(int argc, char **argv) { (void)argc; (void)argv; return todo("values"); }
int pd_cmd_fetch(int argc, char **argv) { (void)argc; (void)argv; return todo("fetch"); }
int pd_cmd_compare(int argc, char **argv) { (void)argc; (void)argv; return todo("compare"); }
