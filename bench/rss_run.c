/* Runs a command and writes "<maxrss_kb> <user_s> <sys_s>" of it to the file named by
 * the first argument: rss_run OUT CMD [ARG...]. run.py starts every tool through it,
 * because wait4's ru_maxrss counts the pre-exec high-water mark of the process that
 * forked: from Python that floor is ≈15 MB, from this small program ≈1 MB. The exit
 * status is the command's (128+signal when killed). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: rss_run OUT CMD [ARG...]\n");
		return 2;
	}
	pid_t pid = fork();
	if (pid < 0) {
		perror("rss_run: fork");
		return 2;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		perror("rss_run: exec");
		_exit(127);
	}
	int status;
	struct rusage ru;
	if (wait4(pid, &status, 0, &ru) < 0) {
		perror("rss_run: wait4");
		return 2;
	}
	FILE *f = fopen(argv[1], "w");
	if (!f) {
		perror("rss_run: output");
		return 2;
	}
	fprintf(f, "%ld %.6f %.6f\n", ru.ru_maxrss, (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6,
		(double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
	fclose(f);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
