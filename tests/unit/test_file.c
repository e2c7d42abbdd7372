/* Unit tests for files (src/base/file.c): whole-file reads (caps, directories, stdin,
 * out of memory) and atomic writes: the old file survives every failure, no temporary
 * file is left, "-" is a file name, and the umask is honoured without being changed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/base.h"

static char dir[256]; /* a new, empty directory for each test */

static const char *at(const char *name)
{
	static char path[4][512];
	static int i;
	i = (i + 1) % 4;
	snprintf(path[i], sizeof path[i], "%s/%s", dir, name);
	return path[i];
}

static void put(const char *name, const char *text)
{
	FILE *f = fopen(at(name), "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
}

/* The contents of a file, NUL-terminated (static; "" when absent). */
static const char *get(const char *name)
{
	static char text[1 << 16];
	text[0] = '\0';
	FILE *f = fopen(at(name), "rb");
	if (!f)
		return text;
	size_t n = fread(text, 1, sizeof text - 1, f);
	text[n] = '\0';
	fclose(f);
	return text;
}

/* Entries in the test directory, "." and ".." excluded. */
static int entries(void)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	int n = 0;
	for (struct dirent *e; (e = readdir(d));)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	(void)state;
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof dir, "%s/pdfile.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

static void test_read(void **state)
{
	(void)state;
	pd_error err = {0};
	pd_buf b;
	put("a.txt", "hello\nworld\n");
	pd_buf_init(&b, 0);
	assert_int_equal(pd_read_file(at("a.txt"), &b, &err), PD_OK);
	assert_int_equal(b.len, 12);
	assert_string_equal(b.data, "hello\nworld\n");
	/* Reads append to what the buffer holds. */
	assert_int_equal(pd_read_file(at("a.txt"), &b, &err), PD_OK);
	assert_int_equal(b.len, 24);
	pd_buf_fini(&b);

	/* An empty file gives an empty string, not NULL. */
	put("empty", "");
	pd_buf_init(&b, 0);
	assert_int_equal(pd_read_file(at("empty"), &b, &err), PD_OK);
	assert_non_null(b.data);
	assert_string_equal(b.data, "");
	pd_buf_fini(&b);

	/* More than one read(2) chunk. */
	static char big[200001];
	for (size_t i = 0; i < sizeof big - 1; i++)
		big[i] = (char)('a' + i % 26);
	big[sizeof big - 1] = '\0';
	put("big", big);
	pd_buf_init(&b, 0);
	assert_int_equal(pd_read_file(at("big"), &b, &err), PD_OK);
	assert_int_equal(b.len, sizeof big - 1);
	assert_memory_equal(b.data, big, sizeof big);
	pd_buf_fini(&b);
}

static void test_read_errors(void **state)
{
	(void)state;
	pd_error err = {0};
	pd_buf b;
	pd_buf_init(&b, 0);
	assert_int_equal(pd_read_file(at("missing"), &b, &err), PD_EINPUT);
	assert_non_null(strstr(err.msg, "missing: cannot open: No such file"));
	assert_int_equal(pd_read_file(dir, &b, &err), PD_EINPUT);
	assert_non_null(strstr(err.msg, "is a directory"));
	assert_null(b.data);
	pd_buf_fini(&b);

	/* The cap: a file of exactly the cap is read, one byte more is refused. */
	put("ten", "0123456789");
	pd_buf_init(&b, 10);
	assert_int_equal(pd_read_file(at("ten"), &b, &err), PD_OK);
	assert_string_equal(b.data, "0123456789");
	pd_buf_fini(&b);
	pd_buf_init(&b, 9);
	assert_int_equal(pd_read_file(at("ten"), &b, &err), PD_EINPUT);
	assert_int_equal(err.code, PD_EINPUT);
	assert_non_null(strstr(err.msg, "ten: larger than 9 bytes"));
	pd_buf_fini(&b);

	/* Out of memory, whichever allocation fails. */
	for (long n = 1; n <= 2; n++) {
		pd_buf_init(&b, 0);
		pd_alloc_fail_at(n);
		pd_status rc = pd_read_file(at("ten"), &b, &err);
		long used = pd_alloc_count();
		pd_alloc_fail_at(0);
		if (used < n) { /* fewer allocations than n: nothing failed */
			assert_int_equal(rc, PD_OK);
		} else {
			assert_int_equal(rc, PD_EINTERNAL);
			assert_string_equal(err.msg, "out of memory");
		}
		pd_buf_fini(&b);
	}
}

static void test_read_stdin(void **state)
{
	(void)state;
	put("in", "from stdin");
	int saved = dup(STDIN_FILENO);
	int fd = open(at("in"), O_RDONLY);
	assert_true(saved >= 0 && fd >= 0);
	dup2(fd, STDIN_FILENO);
	close(fd);
	pd_error err = {0};
	pd_buf b;
	pd_buf_init(&b, 0);
	pd_status rc = pd_read_file("-", &b, &err);
	dup2(saved, STDIN_FILENO);
	close(saved);
	assert_int_equal(rc, PD_OK);
	assert_string_equal(b.data, "from stdin");
	pd_buf_fini(&b);
}

static void test_write_atomic(void **state)
{
	(void)state;
	pd_error err = {0};
	mode_t old = umask(022);
	assert_int_equal(pd_write_file_atomic(at("out"), "one", 3, &err), PD_OK);
	assert_string_equal(get("out"), "one");
	struct stat st;
	assert_int_equal(stat(at("out"), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	/* Replacing keeps nothing of the old file; no temporary file is left. */
	assert_int_equal(pd_write_file_atomic(at("out"), "second", 6, &err), PD_OK);
	assert_string_equal(get("out"), "second");
	assert_int_equal(entries(), 1);
	/* Another umask gives another mode, and the call leaves the umask as it was. */
	umask(077);
	assert_int_equal(pd_write_file_atomic(at("private"), "", 0, &err), PD_OK);
	assert_int_equal(stat(at("private"), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, 0);
	assert_int_equal(umask(old), 077);
	remove(at("out"));
	remove(at("private"));
}

/* "-" is a file called "-": the library never writes to stdout. */
static void test_dash_is_a_file(void **state)
{
	(void)state;
	char cwd[512];
	assert_non_null(getcwd(cwd, sizeof cwd));
	assert_int_equal(chdir(dir), 0);
	fflush(stdout);
	int saved = dup(STDOUT_FILENO);
	int fd = open("stdout.capture", O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(saved >= 0 && fd >= 0);
	dup2(fd, STDOUT_FILENO);
	close(fd);
	pd_error err = {0};
	pd_status rc = pd_write_file_atomic("-", "dash", 4, &err);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	assert_int_equal(chdir(cwd), 0);
	assert_int_equal(rc, PD_OK);
	assert_string_equal(get("-"), "dash");
	assert_string_equal(get("stdout.capture"), "");
	remove(at("-"));
	remove(at("stdout.capture"));
}

static void test_write_failures_keep_old_file(void **state)
{
	(void)state;
	pd_error err = {0};
	put("keep", "old contents");

	/* The directory does not exist: nothing can be created. */
	const char *nodir = at("no/such/dir/x");
	assert_int_equal(pd_write_file_atomic(nodir, "x", 1, &err), PD_EINTERNAL);
	assert_non_null(strstr(err.msg, "no/such/dir/x: cannot create:"));

	/* The rename fails (the target is a directory): it stays, the staged file goes. */
	assert_int_equal(mkdir(at("adir"), 0755), 0);
	assert_int_equal(pd_write_file_atomic(at("adir"), "x", 1, &err), PD_EINTERNAL);
	assert_non_null(strstr(err.msg, "adir: cannot rename into place:"));
	struct stat st;
	assert_int_equal(stat(at("adir"), &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(entries(), 2);

	/* A write fails half-way (file size limit; works as root, unlike permissions). */
	struct rlimit was, small = {1000, 0};
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &was), 0);
	small.rlim_max = was.rlim_max;
	void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	static char big[5000];
	memset(big, 'b', sizeof big);
	pd_status rc = pd_write_file_atomic(at("keep"), big, sizeof big, &err);
	setrlimit(RLIMIT_FSIZE, &was);
	signal(SIGXFSZ, old_handler);
	assert_int_equal(rc, PD_EINTERNAL);
	assert_non_null(strstr(err.msg, "keep: write error: File too large"));
	assert_string_equal(get("keep"), "old contents");
	assert_int_equal(entries(), 2);

	/* Out of memory before anything is created. */
	pd_alloc_fail_at(1);
	rc = pd_write_file_atomic(at("keep"), "new", 3, &err);
	pd_alloc_fail_at(0);
	assert_int_equal(rc, PD_EINTERNAL);
	assert_string_equal(err.msg, "out of memory");
	assert_string_equal(get("keep"), "old contents");
	assert_int_equal(entries(), 2);
	rmdir(at("adir"));
	remove(at("keep"));
}

static void test_stage_commit_discard(void **state)
{
	(void)state;
	pd_error err = {0};
	put("a", "old a");
	put("b", "old b");
	char *ta, *tb;
	assert_int_equal(pd_file_stage(at("a"), "new a", 5, &ta, &err), PD_OK);
	assert_int_equal(pd_file_stage(at("b"), "new b", 5, &tb, &err), PD_OK);
	assert_non_null(ta);
	assert_non_null(tb);
	assert_string_not_equal(ta, tb);
	assert_int_equal(strncmp(ta, at("a.tmp."), strlen(at("a.tmp."))), 0);
	/* Staged: the targets are untouched until the commit. */
	assert_int_equal(entries(), 4);
	assert_string_equal(get("a"), "old a");
	assert_int_equal(pd_file_commit(ta, at("a"), &err), PD_OK);
	pd_file_discard(tb);
	pd_file_discard(NULL);
	assert_string_equal(get("a"), "new a");
	assert_string_equal(get("b"), "old b");
	assert_int_equal(entries(), 2);

	/* A failed stage returns no name and leaves nothing behind. */
	char *t = (char *)1;
	assert_int_equal(pd_file_stage(at("none/x"), "x", 1, &t, &err), PD_EINTERNAL);
	assert_null(t);
	assert_int_equal(entries(), 2);
	remove(at("a"));
	remove(at("b"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_stdin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_atomic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dash_is_a_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_failures_keep_old_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stage_commit_discard, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
