/* Test driver for the exact-input fetch calls (src/fetch/pyroscope_exact.c), until the
 * CLI's `compare --source` uses them: fetches one window as a flamegraph or as pprof
 * and writes the body to a file, so the shell test can diff it against the DOT.
 * Usage: exact_client flamegraph|pprof URL TYPE START_MS END_MS MAX_NODES OUT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "fetch/pyroscope.h"

int main(int argc, char **argv)
{
	if (argc != 8) {
		fprintf(stderr, "usage: exact_client flamegraph|pprof URL TYPE START END MAX_NODES OUT\n");
		return 2;
	}
	pd_http_conf c;
	pd_http_conf_init(&c);
	c.url = argv[2];
	c.max_attempts = 1;
	pd_error err = {0};
	pd_buf body;
	pd_buf_init(&body, 0);
	int64_t start = strtoll(argv[4], NULL, 10), end = strtoll(argv[5], NULL, 10);
	long max_nodes = strtol(argv[6], NULL, 10);
	pd_status st = strcmp(argv[1], "pprof") == 0
			       ? pd_pyro_merge_profile(&c, argv[3], "{}", start, end, max_nodes, &body, &err)
			       : pd_pyro_flamegraph(&c, argv[3], "{}", start, end, max_nodes, &body, &err);
	if (st == PD_OK)
		st = pd_write_file_atomic(argv[7], body.data ? body.data : "", body.len, &err);
	if (st != PD_OK)
		fprintf(stderr, "exact_client: %s\n", err.msg);
	pd_buf_fini(&body);
	return (int)st;
}
