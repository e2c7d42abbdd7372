/* profdiff command line: picks the subcommand and hands over to it (src/cli/cmd_*.c),
 * which parses its options with the option engine, calls the library and returns the
 * exit code. The top level has options of its own (--help, --version) and suggests a
 * command when the word given is close to one. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

/* A run killed while its outputs are staged removes the temporary files, then dies of
 * the same signal: SA_RESETHAND restored the default action, and the raised signal,
 * blocked while the handler runs, is delivered when it returns. */
static void on_fatal_signal(int sig)
{
	pd_file_cleanup_staged();
	raise(sig);
}

static void install_cleanup(void)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
	struct sigaction sa, old;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_fatal_signal;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaddset(&sa.sa_mask, sigs[i]); /* one cleanup at a time */
	/* A signal ignored when we started (nohup, SIGINT in a background job) stays so. */
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
			sigaction(sigs[i], &sa, NULL);
}

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
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static const pd_option top_opts[] = {
	{PD_OPT_GROUP, .help = "Options:"},
	{PD_OPT_HELP, "help", 'h', .help = "show this help"},
	{PD_OPT_VERSION, "version", .help = "print the version"},
	{PD_OPT_END},
};

/* The top level as a command: the list of commands (written into about) and its own
 * options. */
static pd_opt_cmd top_cmd(pd_buf *about)
{
	pd_buf_puts(about, "Commands:");
	for (size_t i = 0; i < NCOMMANDS; i++)
		pd_buf_printf(about, "\n  %-8s  %s", commands[i].name, commands[i].summary);
	return (pd_opt_cmd){"", "<command> [options] [args]", about->failed ? NULL : about->data,
			    top_opts, "\nRun 'profdiff <command> --help' for its options.\n"};
}

static int top_help(FILE *f, int rc)
{
	pd_buf about, help;
	pd_buf_init(&about, 0);
	pd_buf_init(&help, 0);
	pd_opt_cmd top = top_cmd(&about);
	if (pd_opt_help(&top, &help))
		fputs(help.data, f);
	pd_buf_fini(&help);
	pd_buf_fini(&about);
	return rc;
}

/* "unknown command 'x'", with the commands close to x, or the diff command when x looks
 * like a profile file (pprof's habit: the files come first). */
static int unknown_command(const char *word)
{
	const char *names[NCOMMANDS];
	pd_buf m, s;
	pd_error err;
	size_t len = strlen(word);
	for (size_t i = 0; i < NCOMMANDS; i++)
		names[i] = commands[i].name;
	pd_buf_init(&m, 0);
	pd_buf_init(&s, 0);
	pd_buf_printf(&m, "unknown command '%s'", word);
	if (len > 4 && strcmp(word + len - 4, ".dot") == 0)
		pd_buf_puts(&m, " (to diff two files: profdiff diff BASE.dot NEW.dot)");
	else if (pd_opt_suggest(&s, word, len, names, NCOMMANDS, "") && !s.failed)
		pd_buf_printf(&m, " (%s)", s.data);
	else
		pd_buf_puts(&m, " (try 'profdiff --help')");
	pd_error_set(&err, PD_EUSAGE, "%s", m.failed ? "unknown command" : m.data);
	pd_buf_fini(&s);
	pd_buf_fini(&m);
	return pd_cli_fail(&err);
}

/* Test hooks, for tests/fault/test_alloc_fail.sh only (not user options, not in --help
 * or the man page): PD_TEST_ALLOC_FAIL_AT=N makes the N-th allocation through the
 * library's hook (base/alloc.h) and every later one fail; PD_TEST_ALLOC_COUNT=1 prints
 * "profdiff: test: N allocations" on stderr at exit, to size such a run. libgvc, libcurl
 * and libc's own allocations do not pass the hook. */
static void print_alloc_count(void)
{
	fprintf(stderr, "profdiff: test: %ld allocations\n", pd_alloc_count());
}

static void test_hooks(void)
{
	const char *at = getenv("PD_TEST_ALLOC_FAIL_AT");
	const char *count = getenv("PD_TEST_ALLOC_COUNT");
	if (at && *at)
		pd_alloc_fail_at(strtol(at, NULL, 10));
	if (count && strcmp(count, "1") == 0)
		atexit(print_alloc_count);
}

int main(int argc, char **argv)
{
	test_hooks();
	install_cleanup();
	if (argc < 2)
		return top_help(stderr, PD_EUSAGE);
	const char *cmd = argv[1];
	if (strcmp(cmd, "help") == 0)
		return top_help(stdout, PD_OK);
	if (strcmp(cmd, "version") == 0) {
		printf("profdiff %s\n", PD_VERSION);
		return PD_OK;
	}
	if (cmd[0] == '-' && cmd[1]) {
		/* Only argv[1] is the top level's: what follows belongs to a command. */
		pd_buf about;
		pd_error err = {0};
		int nops;
		pd_buf_init(&about, 0);
		pd_opt_cmd top = top_cmd(&about);
		int rc = pd_opt_parse(&top, 2, argv, &nops, stdout, &err);
		pd_buf_fini(&about);
		if (rc == PD_OPT_EXIT)
			return PD_OK;
		if (rc != PD_OK)
			return pd_cli_fail(&err);
		return top_help(stderr, PD_EUSAGE); /* "--": no command */
	}
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(cmd, commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	return unknown_command(cmd);
}
