/* `profdiff diff BASE.dot NEW.dot`: two files (one may be stdin) through the shared
 * diff pipeline (pipeline.c). */
#include <string.h>

#include "cli/cli.h"

int pd_cmd_diff(int argc, char **argv)
{
	pd_diff_cli c;
	pd_option diff_opts[PD_DIFF_OPTS];
	pd_diff_cli_init(&c);
	pd_diff_cli_options(&c, diff_opts);
	pd_option opts[] = {
		{PD_OPT_GROUP, .help = "Options:"},
		{PD_OPT_TABLE, .value = diff_opts},
		{PD_OPT_HELP, "help", 'h', .help = "show this help"},
		{PD_OPT_VERSION, "version", .help = "print the version"},
		{PD_OPT_END},
	};
	const pd_opt_cmd cmd = {
		.name = "diff",
		.usage = "diff [options] BASE.dot NEW.dot",
		.about = "Compares two call graphs in the DOT dialect of 'go tool pprof -dot' and of\n"
			 "Pyroscope's /pyroscope/render?format=dot, and ranks the functions by how much\n"
			 "more (or less) they cost in NEW. '-' reads one input from stdin.",
		.opts = opts,
	};
	pd_error err = {0};
	int nops;
	int rc = pd_opt_parse(&cmd, argc, argv, &nops, stdout, &err);
	if (rc == PD_OPT_EXIT)
		return PD_OK;
	if (rc != PD_OK)
		return pd_cli_fail(&err);
	if (nops != 2) {
		pd_error_set(&err, PD_EUSAGE,
			     "diff: expected 2 files (BASE.dot NEW.dot), got %d (see 'profdiff diff --help')",
			     nops);
		return pd_cli_fail(&err);
	}
	const char *paths[2] = {argv[1], argv[2]};
	if (strcmp(paths[0], "-") == 0 && strcmp(paths[1], "-") == 0) {
		pd_error_set(&err, PD_EUSAGE, "diff: only one input can be read from stdin");
		return pd_cli_fail(&err);
	}
	const char *outs[3] = {c.dot_path, c.svg_path, c.out_path};
	if (pd_file_check_outputs(paths, 2, outs, 3, &err) != PD_OK)
		return pd_cli_fail(&err);
	/* Read and parse one file at a time, dropping its text before the next: the peak
	 * memory holds one input's text, not both. */
	pd_profile *prof[2] = {NULL, NULL};
	pd_status st = PD_OK;
	for (int i = 0; i < 2 && st == PD_OK; i++)
		st = pd_diff_cli_read(&c, paths[i], &prof[i], &err);
	if (st == PD_OK)
		st = pd_diff_cli_run_profiles(&c, prof[0], prof[1], stdout, stderr, &err);
	pd_profile_free(prof[1]);
	pd_profile_free(prof[0]);
	return st == PD_OK ? PD_OK : pd_cli_fail(&err);
}
