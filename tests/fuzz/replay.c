/* Runs a fuzz harness over the files named on the command line (regression replay) in
 * child processes: a failed check (the harness aborts), a sanitizer report, a leak or a
 * signal fails the input that caused it, by name, and the others still run. Prints
 * "N passed, M failed"; exits 1 when an input failed or could not be read, 2 when there
 * was none (a seed glob that matched nothing must not pass). */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "profdiff/profdiff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What a child tells its parent through the pipe, input by input. */
typedef struct note {
	int input;
	enum { STARTED, UNREADABLE, ALL_DONE } what;
} note;

static void say(int fd, int input, int what)
{
	note n = {input, what};
	if (write(fd, &n, sizeof n) != (ssize_t)sizeof n)
		_exit(4);
}

/* The child: inputs [from, to) in turn, then exit (where the leak check runs). */
static void child(char **argv, int from, int to, int fd)
{
	for (int i = from; i < to; i++) {
		pd_buf b;
		pd_error err;
		pd_buf_init(&b, 0);
		say(fd, i, STARTED);
		if (pd_read_file(argv[i], &b, &err) == PD_OK)
			LLVMFuzzerTestOneInput((const uint8_t *)b.data, b.len);
		else
			say(fd, i, UNREADABLE);
		pd_buf_fini(&b);
	}
	say(fd, to, ALL_DONE);
	close(fd);
	exit(0);
}

/* Runs inputs [from, to) in one child and marks bad[i] for each failed input. Returns
 * where the next child must start: to, or the input after the one that crashed (those
 * before it run again, for the leak check their child never reached). A failure at exit
 * (a leak) is pinned on an input by running each one alone. */
static int batch(char **argv, int from, int to, bool *bad)
{
	int fds[2];
	fflush(stdout);
	fflush(stderr);
	pid_t pid = pipe(fds) == 0 ? fork() : -1;
	if (pid < 0) {
		fprintf(stderr, "FAIL %s: cannot start a child: %s\n", argv[from], strerror(errno));
		bad[from] = true;
		return from + 1;
	}
	if (pid == 0) {
		close(fds[0]);
		child(argv, from, to, fds[1]);
	}
	close(fds[1]);
	int current = -1;
	bool done = false;
	note n;
	while (read(fds[0], &n, sizeof n) == (ssize_t)sizeof n) {
		if (n.what == STARTED)
			current = n.input;
		else if (n.what == UNREADABLE) {
			if (!bad[n.input]) /* once, though a rerun reads it again */
				fprintf(stderr, "FAIL %s: unreadable\n", argv[n.input]);
			bad[n.input] = true;
		} else
			done = true;
	}
	close(fds[0]);
	int st = 0;
	waitpid(pid, &st, 0);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0 && done)
		return to;
	if (!done && current >= from) {
		if (WIFSIGNALED(st))
			fprintf(stderr, "FAIL %s: killed by signal %d\n", argv[current], WTERMSIG(st));
		else
			fprintf(stderr, "FAIL %s: exit status %d\n", argv[current], WEXITSTATUS(st));
		bad[current] = true;
		/* The inputs before it ran, but the child never reached its leak check. */
		for (int i = from; i < current;)
			i = batch(argv, i, current, bad);
		return current + 1;
	}
	if (to - from == 1) {
		fprintf(stderr, "FAIL %s: failed at exit (status %d)\n", argv[from],
			WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
		bad[from] = true;
		return to;
	}
	bool any = false;
	for (int i = from; i < to; i++) {
		batch(argv, i, i + 1, bad);
		any = any || bad[i];
	}
	if (!any) { /* together, not alone: still a failure */
		fprintf(stderr, "FAIL %s (and the %d inputs after it): failed at exit together\n",
			argv[from], to - from - 1);
		bad[from] = true;
	}
	return to;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "%s: no inputs to replay\n", argv[0]);
		return 2;
	}
	bool *bad = calloc((size_t)argc, sizeof *bad);
	if (!bad)
		return 2;
	for (int i = 1; i < argc;)
		i = batch(argv, i, argc, bad);
	int failed = 0;
	for (int i = 1; i < argc; i++)
		failed += bad[i];
	printf("%d passed, %d failed\n", argc - 1 - failed, failed);
	free(bad);
	return failed ? 1 : 0;
}
