/* Unit tests for the option engine (src/cli/options.c, options_help.c) on a table built
 * here: exact long names only, --opt=value and --opt value, short bundles, missing
 * values, "--" and "-", did-you-mean, pprof hints, enum values, and --help whose
 * defaults come from the variables. No message may echo an unknown option's value. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli/options.h"

typedef struct vals {
	const char *token_file, *out;
	pd_format format;
	size_t top;
	bool quiet;
	int color;
	long timeout_ms;
} vals;

typedef struct harness {
	vals v;
	pd_option opts[16];
	pd_opt_cmd cmd;
	pd_error err;
	int nops;
	char *argv[16];
	char words[16][64]; /* argv's strings (the parser may move argv's pointers) */
	char *printed; /* what the parser wrote to its FILE (help, version) */
} harness;

static void setup(harness *h)
{
	memset(h, 0, sizeof *h);
	h->v.format = PD_FORMAT_TEXT;
	h->v.top = 20;
	h->v.timeout_ms = 30000;
	const pd_option o[] = {
		{PD_OPT_GROUP, .help = "Options:"},
		PD_OPTION(PD_OPT_STRING, "token-file", 0, &h->v.token_file, "FILE", "bearer token file"),
		PD_OPTION(PD_OPT_STRING, "output", 'o', &h->v.out, "FILE", "write to FILE"),
		PD_OPTION(PD_OPT_ENUM, "format", 0, &h->v.format, NULL, "report format",
			  .names = &pd_format_names),
		PD_OPTION(PD_OPT_COUNT, "top", 0, &h->v.top, "N", "rows; 0 = all"),
		PD_OPTION(PD_OPT_FLAG, "quiet", 'q', &h->v.quiet, NULL, "no warnings"),
		PD_OPTION(PD_OPT_SET, "no-color", 0, &h->v.color, NULL, "no color", .set = 7),
		PD_OPTION(PD_OPT_SECONDS, "timeout", 0, &h->v.timeout_ms, "SECONDS", "per request"),
		{PD_OPT_HELP, "help", 'h', .help = "show this help"},
		{PD_OPT_VERSION, "version", .help = "print the version"},
		{PD_OPT_END},
	};
	memcpy(h->opts, o, sizeof o);
	h->cmd = (pd_opt_cmd){"demo", "demo [options] FILE", "A command for tests.", h->opts,
			      "Environment:\n  DEMO  nothing\n"};
}

/* Parses the NULL-terminated words after the command name. */
static int parse(harness *h, ...)
{
	va_list ap;
	int argc = 0;
	size_t size = 0;
	va_start(ap, h);
	for (const char *a = "demo"; a; a = va_arg(ap, const char *)) {
		snprintf(h->words[argc], sizeof h->words[argc], "%s", a);
		h->argv[argc] = h->words[argc];
		argc++;
	}
	va_end(ap);
	h->argv[argc] = NULL;
	free(h->printed);
	h->printed = NULL;
	FILE *out = open_memstream(&h->printed, &size);
	assert_non_null(out);
	memset(&h->err, 0, sizeof h->err);
	int rc = pd_opt_parse(&h->cmd, argc, h->argv, &h->nops, out, &h->err);
	fclose(out);
	return rc;
}

static void teardown_harness(harness *h)
{
	free(h->printed);
}

#define PARSE(h, ...) parse(h, __VA_ARGS__, (const char *)NULL)

static void test_long_forms(void **state)
{
	(void)state;
	harness h;
	setup(&h);
	assert_int_equal(PARSE(&h, "--token-file", "t.txt", "--output=o.txt", "--top=5"), PD_OK);
	assert_string_equal(h.v.token_file, "t.txt");
	assert_string_equal(h.v.out, "o.txt");
	assert_int_equal(h.v.top, 5);
	assert_int_equal(h.nops, 0);
	/* An empty value after '=' is a value. */
	assert_int_equal(PARSE(&h, "--output="), PD_OK);
	assert_string_equal(h.v.out, "");
	teardown_harness(&h);
}

static void test_abbreviation_refused(void **state)
{
	(void)state;
	harness h;
	setup(&h);
	/* getopt_long took "--token" as --token-file and echoed the value in its error. */
	assert_int_equal(PARSE(&h, "--token", "SECRET"), PD_EUSAGE);
	assert_null(h.v.token_file);
	assert_null(strstr(h.err.msg, "SECRET"));
	assert_non_null(strstr(h.err.msg, "unknown option '--token'"));
	assert_non_null(strstr(h.err.msg, "did you mean '--token-file'?"));
	assert_int_equal(PARSE(&h, "--token=SECRET"), PD_EUSAGE);
	assert_null(strstr(h.err.msg, "SECRET"));
	assert_int_equal(PARSE(&h, "--form", "json"), PD_EUSAGE);
	assert_int_equal(h.v.format, PD_FORMAT_TEXT);
	teardown_harness(&h);
}

static void test_missing_and_extra_values(void **state)
{
	(void)state;
	harness h;
	setup(&h);
	assert_int_equal(PARSE(&h, "--output"), PD_EUSAGE);
	assert_string_equal(h.err.msg, "demo: missing value for option '--output' (see 'profdiff demo --help')");
	assert_int_equal(PARSE(&h, "-o"), PD_EUSAGE);
	assert_non_null(strstr(h.err.msg, "missing value for option '-o'"));
	assert_int_equal(PARSE(&h, "--quiet=yes"), PD_EUSAGE);
	assert_non_null(strstr(h.err.msg, "option '--quiet' takes no value"));
	/* Like getopt, a value may start with '-': the option asked for one. */
	assert_int_equal(PARSE(&h, "--output", "-x"), PD_OK);
	assert_string_equal(h.v.out, "-x");
	teardown_harness(&h);
}

static void test_operands(void **state)
{
	(void)state;
	harness h;
	setup(&h);
	/* Options and operands mix; "-" is an operand; "--" ends the options. */
	assert_int_equal(PARSE(&h, "a", "-q", "-", "--top", "3", "--", "--format", "-o"), PD_OK);
	assert_int_equal(h.nops, 4);
	assert_string_equal(h.argv[1], "a");
	assert_string_equal(h.argv[2], "-");
	assert_string_equal(h.argv[3], "--format");
	assert_string_equal(h.argv[4], "-o");
	assert_true(h.v.quiet);
	assert_int_equal(h.v.top, 3);
	assert_int_equal(h.v.format, PD_FORMAT_TEXT);
	teardown_harness(&h);
}

static void test_short_options(void **state)
{
	(void)state;
	harness h;
	setup(&h);
	assert_int_equal(PARSE(&h, "-qo", "f.txt"), PD_OK);
	assert_true(h.v.quiet);
	assert_string_equal(h.v.out, "f.txt");
	assert_int_equal(PARSE(&h, "-og.txt"), PD_OK);
	assert_string_equal(h.v.out, "g.txt");
	/* An unknown letter is named alone: what follows it may be a value. */
	assert_int_equal(PARSE(&h, "-Xsecret"), PD_EUSAGE);
	assert_string_equal(h.err.msg, "demo: unknown option '-X' (see 'profdiff demo --help')");
	/* A long name with one dash is pointed at its two-dash spelling. */
	assert_int_equal(PARSE(&h, "-format", "json"), PD_EUSAGE);
	assert_string_equal(h.err.msg, "demo: unknown option '-format' (did you mean '--format'?)");
	teardown_harness(&h);
}

static void test_did_you_mean(void **state)
{
	(void)state;
	harness h;
	setup(&h);
	assert_int_equal(PARSE(&h, "--fromat", "json"), PD_EUSAGE);
	assert_string_equal(h.err.msg, "demo: unknown option '--fromat' (did you mean '--format'?)");
	assert_int_equal(PARSE(&h, "--quite"), PD_EUSAGE);
	assert_non_null(strstr(h.err.msg, "did you mean '--quiet'?"));
	assert_int_equal(PARSE(&h, "--bogus"), PD_EUSAGE);
	assert_string_equal(h.err.msg, "demo: unknown option '--bogus' (see 'profdiff demo --help')");

	const char *cand[] = {"diff", "compare", "fetch", "types", "labels", "values"};
	pd_buf b;
	pd_buf_init(&b, 0);
	assert_int_equal(pd_opt_suggest(&b, "dif", 3, cand, 6, ""), 1);
	assert_string_equal(b.data, "did you mean 'diff'?");
	b.len = 0;
	assert_int_equal(pd_opt_suggest(&b, "valeus", 6, cand, 6, ""), 1);
	assert_string_equal(b.data, "did you mean 'values'?");
	b.len = 0;
	assert_int_equal(pd_opt_suggest(&b, "frobnicate", 10, cand, 6, ""), 0);
	assert_int_equal(b.len, 0);
	pd_buf_fini(&b);
	teardown_harness(&h);
}

static void test_pprof_hints(void **state)
{
	(void)state;
	harness h;
	setup(&h);
	assert_int_equal(PARSE(&h, "-diff_base", "old.dot", "new.dot"), PD_EUSAGE);
	assert_string_equal(h.err.msg, "demo: '-diff_base' is pprof's; profdiff takes the base as its "
				       "first file: profdiff diff BASE.dot NEW.dot");
	assert_int_equal(PARSE(&h, "--diff_base=old.dot"), PD_EUSAGE);
	assert_non_null(strstr(h.err.msg, "'--diff_base' is pprof's"));
	assert_null(strstr(h.err.msg, "old.dot"));
	/* This table has no --focus: the hint says where it is. */
	assert_int_equal(PARSE(&h, "-focus=SECRET"), PD_EUSAGE);
	assert_string_equal(h.err.msg, "demo: '-focus' is pprof's; use --focus REGEX (in 'profdiff "
				       "diff' and 'profdiff compare')");
	/* -output is not -o with "utput" attached. */
	assert_int_equal(PARSE(&h, "-output", "x"), PD_EUSAGE);
	assert_non_null(strstr(h.err.msg, "'-output' is pprof's; use -o FILE or --output FILE"));
	assert_null(h.v.out);
	teardown_harness(&h);
}

static void test_enum_values(void **state)
{
	(void)state;
	harness h;
	setup(&h);
	assert_int_equal(PARSE(&h, "--format", "json"), PD_OK);
	assert_int_equal(h.v.format, PD_FORMAT_JSON);
	assert_int_equal(PARSE(&h, "--format", "md"), PD_OK);
	assert_int_equal(h.v.format, PD_FORMAT_MARKDOWN);
	assert_int_equal(PARSE(&h, "--format", "xml"), PD_EUSAGE);
	assert_string_equal(h.err.msg, "--format: invalid value 'xml' (expected text|json|markdown)");
	assert_int_equal(PARSE(&h, "--format", "mardown"), PD_EUSAGE);
	assert_string_equal(h.err.msg, "--format: invalid value 'mardown' (expected "
				       "text|json|markdown); did you mean 'markdown'?");
	assert_int_equal(PARSE(&h, "--top", "-3"), PD_EUSAGE);
	assert_string_equal(h.err.msg, "--top: expected a count, got '-3'");
	assert_int_equal(PARSE(&h, "--timeout", "0.25"), PD_OK);
	assert_int_equal(h.v.timeout_ms, 250);
	assert_int_equal(PARSE(&h, "--timeout", "0"), PD_EUSAGE);
	assert_int_equal(PARSE(&h, "--no-color"), PD_OK);
	assert_int_equal(h.v.color, 7);
	teardown_harness(&h);
}

static void test_help_and_version(void **state)
{
	(void)state;
	harness h;
	setup(&h);
	assert_int_equal(PARSE(&h, "--top", "0", "--help", "--bogus"), PD_OPT_EXIT);
	/* Defaults are read from the variables at the time --help runs. */
	assert_non_null(strstr(h.printed, "Usage: profdiff demo [options] FILE\n\nA command for tests.\n"));
	assert_non_null(strstr(h.printed, "  --top N  "));
	assert_non_null(strstr(h.printed, "rows; 0 = all (default 0)\n"));
	assert_non_null(strstr(h.printed, "report format (default text)\n"));
	assert_non_null(strstr(h.printed, "  --format text|json|markdown  "));
	assert_non_null(strstr(h.printed, "  -o, --output FILE  "));
	assert_non_null(strstr(h.printed, "per request (default 30)\n"));
	assert_non_null(strstr(h.printed, "Environment:\n  DEMO  nothing\n\nexit codes:\n"));
	assert_null(strstr(h.printed, "write to FILE (default"));
	teardown_harness(&h);
	setup(&h);
	assert_int_equal(PARSE(&h, "-h"), PD_OPT_EXIT);
	assert_non_null(strstr(h.printed, "rows; 0 = all (default 20)\n"));
	assert_int_equal(PARSE(&h, "--version"), PD_OPT_EXIT);
	assert_string_equal(h.printed, "profdiff " PD_VERSION "\n");
	assert_int_equal(PARSE(&h, "--dump-options"), PD_OPT_EXIT);
	assert_string_equal(h.printed, "--token-file\n--output\n-o\n--format\n--top\n--quiet\n-q\n"
				       "--no-color\n--timeout\n--help\n-h\n--version\n");
	teardown_harness(&h);
}

/* A table spliced into another is parsed, suggested and helped like its own entries. */
static void test_nested_table(void **state)
{
	(void)state;
	harness h;
	setup(&h);
	const char *dir = NULL;
	pd_option outer[] = {
		PD_OPTION(PD_OPT_STRING, "save-inputs", 0, &dir, "DIR", "keep the inputs"),
		{PD_OPT_GROUP, .help = "Shared:"},
		{PD_OPT_TABLE, .value = h.opts},
		{PD_OPT_END},
	};
	h.cmd.opts = outer;
	assert_int_equal(PARSE(&h, "--save-inputs", "d", "-q", "x"), PD_OK);
	assert_string_equal(dir, "d");
	assert_true(h.v.quiet);
	assert_int_equal(h.nops, 1);
	assert_int_equal(PARSE(&h, "--qiuet"), PD_EUSAGE);
	assert_non_null(strstr(h.err.msg, "did you mean '--quiet'?"));
	assert_int_equal(PARSE(&h, "--help"), PD_OPT_EXIT);
	assert_non_null(strstr(h.printed, "Shared:\nOptions:\n"));
	assert_non_null(strstr(h.printed, "  --save-inputs DIR  "));
	teardown_harness(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_long_forms),
		cmocka_unit_test(test_abbreviation_refused),
		cmocka_unit_test(test_missing_and_extra_values),
		cmocka_unit_test(test_operands),
		cmocka_unit_test(test_short_options),
		cmocka_unit_test(test_did_you_mean),
		cmocka_unit_test(test_pprof_hints),
		cmocka_unit_test(test_enum_values),
		cmocka_unit_test(test_help_and_version),
		cmocka_unit_test(test_nested_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
