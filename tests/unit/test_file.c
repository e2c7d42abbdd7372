/* Unit tests for files (src/base/file.c): whole-file reads (caps, directories, stdin,
 * out of memory); output writes: the old file survives every failure, no temporary
 * file is left, "-" is a file name, the umask is honoured without being changed,
 * symlinks are followed, FIFOs and devices written in place, mode and owner kept;
 * outputs that are inputs; the registry of staged files a signal handler cleans up. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
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

	/* A directory is refused before anything is created. */
	assert_int_equal(mkdir(at("adir"), 0755), 0);
	assert_int_equal(pd_write_file_atomic(at("adir"), "x", 1, &err), PD_EINTERNAL);
	assert_non_null(strstr(err.msg, "adir: is a directory"));
	struct stat st;
	assert_int_equal(stat(at("adir"), &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(entries(), 2);

	/* The rename fails (a directory took the name after the stage): the directory
	 * stays, the staged file goes. */
	char *tmp;
	assert_int_equal(pd_file_stage(at("late"), "x", 1, &tmp, &err), PD_OK);
	assert_int_equal(mkdir(at("late"), 0755), 0);
	assert_int_equal(pd_file_commit(tmp, at("late"), &err), PD_EINTERNAL);
	assert_non_null(strstr(err.msg, "late: cannot rename into place:"));
	assert_int_equal(stat(at("late"), &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(rmdir(at("late")), 0);
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

/* A device file to write to: our own null device when root may make one (so a bug
 * that replaced it would not replace the system's /dev/null), else /dev/null, which a
 * non-root run cannot replace. Static storage. */
static const char *null_device(void)
{
	static char path[512];
	snprintf(path, sizeof path, "%s", at("null"));
	if (mknod(path, S_IFCHR | 0666, makedev(1, 3)) == 0) {
		int fd = open(path, O_WRONLY);
		if (fd >= 0) {
			close(fd);
			return path;
		}
		remove(path); /* a nodev mount */
	}
	return geteuid() == 0 ? NULL : "/dev/null";
}

static mode_t mode_of(const char *name)
{
	struct stat st;
	assert_int_equal(stat(at(name), &st), 0);
	return st.st_mode & 07777;
}

/* A symlink stays a link: its final target gets the contents, atomically, with its
 * mode kept; the temporary file is made beside the target, not beside the link. */
static void test_write_through_symlink(void **state)
{
	(void)state;
	pd_error err = {0};
	put("real", "old");
	assert_int_equal(chmod(at("real"), 0640), 0);
	assert_int_equal(symlink("real", at("link")), 0);
	assert_int_equal(symlink("link", at("link2")), 0); /* a chain */
	assert_int_equal(pd_write_file_atomic(at("link2"), "new", 3, &err), PD_OK);
	struct stat st;
	assert_int_equal(lstat(at("link"), &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(lstat(at("link2"), &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_string_equal(get("real"), "new");
	assert_int_equal(mode_of("real"), 0640);
	assert_int_equal(entries(), 3);

	/* An absolute link into another directory: staged there (one rename(2) suffices). */
	assert_int_equal(mkdir(at("other"), 0755), 0);
	char target[512];
	snprintf(target, sizeof target, "%s", at("other/t"));
	put("other/t", "old t");
	assert_int_equal(symlink(target, at("abs")), 0);
	char *tmp;
	assert_int_equal(pd_file_stage(at("abs"), "new t", 5, &tmp, &err), PD_OK);
	assert_int_equal(strncmp(tmp, at("other/t.tmp."), strlen(at("other/t.tmp."))), 0);
	assert_int_equal(pd_file_commit(tmp, at("abs"), &err), PD_OK);
	assert_string_equal(get("other/t"), "new t");
	assert_int_equal(lstat(at("abs"), &st), 0);
	assert_true(S_ISLNK(st.st_mode));

	/* A dangling link creates its target (as a shell's > does), relative to the link. */
	assert_int_equal(symlink("t2", at("other/dangling")), 0);
	assert_int_equal(pd_write_file_atomic(at("other/dangling"), "t2", 2, &err), PD_OK);
	assert_string_equal(get("other/t2"), "t2");
	assert_int_equal(lstat(at("other/dangling"), &st), 0);
	assert_true(S_ISLNK(st.st_mode));

	/* Out of memory at each allocation: the file is old or new, nothing is left over. */
	for (long n = 1; n <= 6; n++) {
		pd_alloc_fail_at(n);
		pd_status rc = pd_write_file_atomic(at("link2"), "oom", 3, &err);
		pd_alloc_fail_at(0);
		if (rc == PD_OK) {
			assert_string_equal(get("real"), "oom");
		} else {
			assert_string_equal(err.msg, "out of memory");
			assert_string_equal(get("real"), "new");
		}
		assert_int_equal(entries(), 5);
	}
	put("real", "new");

	/* A loop is an error, and nothing is created. */
	assert_int_equal(symlink("loop", at("loop")), 0);
	assert_int_equal(pd_write_file_atomic(at("loop"), "x", 1, &err), PD_EINTERNAL);
	assert_non_null(strstr(err.msg, "loop: cannot create:"));
	assert_int_equal(entries(), 6);
}

/* An existing file keeps its mode (and owner and group: root can set them) when it is
 * replaced; a new one gets 0666 minus the umask. */
static void test_write_keeps_mode_and_owner(void **state)
{
	(void)state;
	pd_error err = {0};
	mode_t old = umask(022);
	put("ro", "x");
	assert_int_equal(chmod(at("ro"), 0640), 0);
	assert_int_equal(pd_write_file_atomic(at("ro"), "y", 1, &err), PD_OK);
	assert_int_equal(mode_of("ro"), 0640);
	put("wide", "x");
	assert_int_equal(chmod(at("wide"), 0666), 0); /* wider than the umask allows */
	assert_int_equal(pd_write_file_atomic(at("wide"), "y", 1, &err), PD_OK);
	assert_int_equal(mode_of("wide"), 0666);
	put("exec", "x");
	assert_int_equal(chmod(at("exec"), 0751), 0);
	assert_int_equal(pd_write_file_atomic(at("exec"), "y", 1, &err), PD_OK);
	assert_int_equal(mode_of("exec"), 0751);
	assert_string_equal(get("exec"), "y");
	if (geteuid() == 0) {
		assert_int_equal(chown(at("exec"), 12345, 23456), 0);
		assert_int_equal(pd_write_file_atomic(at("exec"), "z", 1, &err), PD_OK);
		struct stat st;
		assert_int_equal(stat(at("exec"), &st), 0);
		assert_int_equal(st.st_uid, 12345);
		assert_int_equal(st.st_gid, 23456);
		assert_int_equal(st.st_mode & 07777, 0751);
	}
	assert_int_equal(umask(old), 022);
	assert_int_equal(entries(), 3);
}

/* A FIFO or a device is written in place: it stays what it was, nothing is staged
 * beside it, and a reader gets the contents. */
static void test_write_special_files_in_place(void **state)
{
	(void)state;
	pd_error err = {0};
	const char *dev = null_device();
	if (dev) {
		assert_int_equal(pd_write_file_atomic(dev, "gone", 4, &err), PD_OK);
		struct stat st;
		assert_int_equal(lstat(dev, &st), 0);
		assert_true(S_ISCHR(st.st_mode));
		assert_int_equal(st.st_rdev, makedev(1, 3));
	}
	int before = entries();

	/* A FIFO, read by a child; the write blocks until it opens the other end. */
	assert_int_equal(mkfifo(at("fifo"), 0600), 0);
	int pipefd[2];
	assert_int_equal(pipe(pipefd), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) { /* child: copy the FIFO into the pipe */
		close(pipefd[0]);
		int fd = open(at("fifo"), O_RDONLY);
		char b[256];
		ssize_t n;
		while (fd >= 0 && (n = read(fd, b, sizeof b)) > 0)
			if (write(pipefd[1], b, (size_t)n) != n)
				_exit(1);
		_exit(fd >= 0 ? 0 : 1);
	}
	close(pipefd[1]);
	pd_status rc = pd_write_file_atomic(at("fifo"), "through the fifo", 16, &err);
	struct stat st;
	bool fifo = lstat(at("fifo"), &st) == 0 && S_ISFIFO(st.st_mode);
	if (rc != PD_OK || !fifo)
		kill(pid, SIGKILL); /* it may wait for a writer that never comes */
	char got[64] = "";
	size_t off = 0;
	ssize_t n;
	while ((n = read(pipefd[0], got + off, sizeof got - 1 - off)) > 0)
		off += (size_t)n;
	got[off] = '\0';
	close(pipefd[0]);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(rc, PD_OK);
	assert_true(fifo);
	assert_string_equal(got, "through the fifo");
	assert_int_equal(entries(), before + 1);
	remove(at("fifo"));
}

/* Outputs that are inputs: by inode when both exist (links, "./x", "d/../x"), by name
 * when neither does; devices are never the same file. */
static void test_same_file(void **state)
{
	(void)state;
	char cwd[512];
	assert_non_null(getcwd(cwd, sizeof cwd));
	assert_int_equal(chdir(dir), 0);
	put("in.dot", "x");
	put("other.dot", "x");
	assert_int_equal(mkdir(at("d"), 0755), 0);
	assert_int_equal(symlink("in.dot", at("link")), 0);
	assert_int_equal(link(at("in.dot"), at("hard")), 0);
	assert_true(pd_file_same("in.dot", "in.dot"));
	assert_true(pd_file_same("./in.dot", "in.dot"));
	assert_true(pd_file_same(at("in.dot"), "in.dot"));
	assert_true(pd_file_same("d/../in.dot", "in.dot"));
	assert_true(pd_file_same("link", "in.dot"));
	assert_true(pd_file_same("hard", "in.dot"));
	assert_false(pd_file_same("other.dot", "in.dot"));
	assert_false(pd_file_same("new.dot", "in.dot")); /* one does not exist */
	/* Neither exists: by name. */
	assert_true(pd_file_same("new.dot", "./new.dot"));
	assert_true(pd_file_same("d//new.dot", "d/./new.dot"));
	assert_true(pd_file_same("d/x/../new.dot", at("d/new.dot")));
	assert_false(pd_file_same("d/new.dot", "new.dot"));
	assert_false(pd_file_same("new.dot", "new.dot.tmp"));
	assert_false(pd_file_same("/dev/null", "/dev/null"));

	pd_error err = {0};
	const char *in[] = {"in.dot", "-", NULL};
	const char *ok[] = {NULL, "-", "out.svg", "d/out.svg"};
	assert_int_equal(pd_file_check_outputs(in, 3, ok, 4, &err), PD_OK);
	const char *clash[] = {"out.txt", "./link"};
	assert_int_equal(pd_file_check_outputs(in, 3, clash, 2, &err), PD_EUSAGE);
	assert_string_equal(err.msg, "./link: is also an input (in.dot)");
	const char *twice[] = {"out.txt", NULL, "./out.txt"};
	assert_int_equal(pd_file_check_outputs(in, 3, twice, 3, &err), PD_EUSAGE);
	assert_string_equal(err.msg, "./out.txt: is also another output (out.txt)");
	/* "-" twice is stdout twice, which the caller deals with. */
	const char *dashes[] = {"-", "-"};
	assert_int_equal(pd_file_check_outputs(in, 3, dashes, 2, &err), PD_OK);
	assert_int_equal(chdir(cwd), 0);
}

/* Whether the file called name exists. */
static bool exists(const char *name)
{
	struct stat st;
	return lstat(name, &st) == 0;
}

/* The registry: cleanup removes every staged temporary file and nothing else (not a
 * target, not a committed or discarded file, not a device written in place). */
static void test_cleanup_staged(void **state)
{
	(void)state;
	pd_error err = {0};
	put("a", "old a");
	char *ta, *tb, *tc, *td;
	assert_int_equal(pd_file_stage(at("a"), "new a", 5, &ta, &err), PD_OK);
	assert_int_equal(pd_file_stage(at("b"), "new b", 5, &tb, &err), PD_OK);
	assert_int_equal(pd_file_stage(at("c"), "new c", 5, &tc, &err), PD_OK);
	assert_int_equal(pd_file_stage(at("d"), "new d", 5, &td, &err), PD_OK);
	char cname[512], dname[512];
	snprintf(cname, sizeof cname, "%s", tc);
	snprintf(dname, sizeof dname, "%s", td);
	assert_int_equal(pd_file_commit(tc, at("c"), &err), PD_OK);
	pd_file_discard(td);
	/* Files that reuse the committed and discarded names are not ours any more. */
	int fd = open(cname, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	close(fd);
	fd = open(dname, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	close(fd);
	const char *dev = null_device();
	char *tn = NULL;
	if (dev)
		assert_int_equal(pd_file_stage(dev, "n", 1, &tn, &err), PD_OK);
	int before = entries();
	assert_true(exists(ta) && exists(tb));

	pd_file_cleanup_staged();
	assert_false(exists(ta));
	assert_false(exists(tb));
	assert_int_equal(entries(), before - 2);
	assert_true(exists(cname) && exists(dname));
	assert_string_equal(get("a"), "old a");
	assert_string_equal(get("c"), "new c");
	if (dev)
		assert_true(exists(dev));
	/* The handles live on: a commit fails cleanly, a discard is fine. */
	assert_int_equal(pd_file_commit(ta, at("a"), &err), PD_EINTERNAL);
	assert_string_equal(get("a"), "old a");
	pd_file_discard(tb);
	pd_file_discard(tn);
	assert_false(exists(at("b")));
	remove(cname);
	remove(dname);

	/* Past the 16 slots files are staged all the same, unregistered. */
	char *t[17];
	for (int i = 0; i < 17; i++) {
		char name[16];
		snprintf(name, sizeof name, "many%d", i);
		assert_int_equal(pd_file_stage(at(name), "m", 1, &t[i], &err), PD_OK);
	}
	pd_file_cleanup_staged();
	int left = 0;
	for (int i = 0; i < 17; i++)
		left += exists(t[i]);
	assert_int_equal(left, 1);
	for (int i = 0; i < 17; i++)
		pd_file_discard(t[i]);
	/* Discarding freed the slots: all 16 are there again. */
	for (int i = 0; i < 16; i++)
		assert_int_equal(pd_file_stage(at("again"), "m", 1, &t[i], &err), PD_OK);
	pd_file_cleanup_staged();
	for (int i = 0; i < 16; i++) {
		assert_false(exists(t[i]));
		pd_file_discard(t[i]);
	}
}

static void on_term(int sig)
{
	pd_file_cleanup_staged();
	raise(sig); /* SA_RESETHAND restored the default action: the process dies of sig */
}

/* How a CLI uses the registry: a SIGTERM handler that cleans up and re-raises. A child
 * stages a file and is killed; its temporary file is gone and it died of SIGTERM. */
static void test_cleanup_in_signal_handler(void **state)
{
	(void)state;
	put("target", "old");
	int ready[2];
	assert_int_equal(pipe(ready), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(ready[0]);
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_term;
		sa.sa_flags = SA_RESETHAND;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGTERM, &sa, NULL);
		pd_error err = {0};
		char *tmp;
		if (pd_file_stage(at("target"), "new", 3, &tmp, &err) != PD_OK)
			_exit(1);
		size_t n = strlen(tmp) + 1;
		if (write(ready[1], tmp, n) != (ssize_t)n)
			_exit(1);
		for (;;)
			pause();
	}
	close(ready[1]);
	char name[512];
	ssize_t n = read(ready[0], name, sizeof name);
	close(ready[0]);
	assert_true(n > 0 && name[n - 1] == '\0');
	assert_true(exists(name));
	assert_int_equal(kill(pid, SIGTERM), 0);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGTERM);
	assert_false(exists(name));
	assert_string_equal(get("target"), "old");
	assert_int_equal(entries(), 1);
}

/* /dev/stdout and /dev/fd/N are links the kernel resolves itself (to "pipe:[123]" or a
 * file): written in place, whatever they lead to. */
static void test_write_proc_fd_links(void **state)
{
	(void)state;
	if (access("/proc/self/fd", F_OK) != 0)
		skip();
	pd_error err = {0};
	char path[64];
	/* A pipe. */
	int p[2];
	assert_int_equal(pipe(p), 0);
	snprintf(path, sizeof path, "/proc/self/fd/%d", p[1]);
	assert_int_equal(pd_write_file_atomic(path, "piped", 5, &err), PD_OK);
	close(p[1]);
	char got[16] = "";
	assert_int_equal(read(p[0], got, sizeof got - 1), 5);
	assert_string_equal(got, "piped");
	close(p[0]);
	/* A regular file, as a shell's >> or > opened it: appended to, never replaced (the
	 * shell's descriptor would point at a deleted file) nor cut. */
	put("log", "old;");
	int fd = open(at("log"), O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	struct stat before, after;
	assert_int_equal(stat(at("log"), &before), 0);
	snprintf(path, sizeof path, "/dev/fd/%d", fd);
	assert_int_equal(pd_write_file_atomic(path, "new;", 4, &err), PD_OK);
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	assert_int_equal(pd_write_file_atomic(path, "again", 5, &err), PD_OK);
	close(fd);
	assert_string_equal(get("log"), "old;new;again");
	assert_int_equal(stat(at("log"), &after), 0);
	assert_int_equal(before.st_ino, after.st_ino);
	fd = open(at("log"), O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	snprintf(path, sizeof path, "/dev/fd/%d", fd);
	assert_int_equal(pd_write_file_atomic(path, "fresh", 5, &err), PD_OK);
	close(fd);
	assert_string_equal(get("log"), "fresh");
	assert_int_equal(entries(), 1);
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
		cmocka_unit_test_setup_teardown(test_write_through_symlink, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_keeps_mode_and_owner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_special_files_in_place, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_proc_fd_links, setup, teardown),
		cmocka_unit_test_setup_teardown(test_same_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cleanup_staged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cleanup_in_signal_handler, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
