/* Files: whole-file reads into a pd_buf, and output writes that never leave a
 * half-written or clobbered file: a regular file (or a new one) is replaced atomically
 * by a temporary file beside it, fsync'd and renamed over it; symlinks are followed to
 * that file; FIFOs and devices are written in place. Plain read(2)/write(2): no stdio,
 * and the process umask is never changed (other threads of a caller may create files). */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#ifdef __linux__
#include <sys/vfs.h>
#endif
#include <time.h>
#include <unistd.h>

#include "base/base.h"

pd_status pd_read_file(const char *path, pd_buf *buf, pd_error *err)
{
	bool is_stdin = strcmp(path, "-") == 0;
	int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return pd_error_set(err, PD_EINPUT, "%s: cannot open: %s", path, strerror(errno));
	pd_status rc = PD_OK;
	struct stat st;
	bool have_st = fstat(fd, &st) == 0;
	if (have_st && S_ISDIR(st.st_mode)) {
		rc = pd_error_set(err, PD_EINPUT, "%s: is a directory", path);
		goto out;
	}
	/* Size the buffer once for regular files: doubling would hold up to twice the
	 * input at the peak. Over the cap, the reads below fail with the right message. */
	if (have_st && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (!buf->limit || (uintmax_t)st.st_size <= buf->limit - buf->len) &&
	    !pd_buf_reserve(buf, (size_t)st.st_size)) {
		rc = pd_error_oom(err);
		goto out;
	}
	char chunk[65536];
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = pd_error_set(err, PD_EINPUT, "%s: read error: %s", path, strerror(errno));
			break;
		}
		if (n == 0)
			break;
		if (!pd_buf_append(buf, chunk, (size_t)n)) {
			/* Over the cap, the input is at fault (PD_EINPUT), not the output. */
			rc = buf->over_limit ? pd_error_set(err, PD_EINPUT, "%s: larger than %zu bytes",
							    path, buf->limit)
					     : pd_error_oom(err);
			break;
		}
	}
	/* An empty file still yields a NUL-terminated (empty) buffer. */
	if (rc == PD_OK && !buf->data && !pd_buf_append(buf, "", 0))
		rc = pd_error_oom(err);
out:
	if (!is_stdin)
		close(fd);
	return rc;
}

/* ---- outputs that are inputs ------------------------------------------------------- */
/* path made absolute with "." and empty components dropped and ".." taking the previous
 * one off: lexically, as it is used only for names that do not exist. NULL when out of
 * memory or when the working directory cannot be found. */
static char *normalize(const char *path)
{
	char cwd[PATH_MAX] = "";
	if (path[0] != '/' && !getcwd(cwd, sizeof cwd))
		return NULL;
	size_t clen = strlen(cwd), plen = strlen(path);
	char *in = pd_malloc(clen + plen + 2), *out = pd_malloc(clen + plen + 2);
	if (!in || !out) {
		pd_free(in);
		pd_free(out);
		return NULL;
	}
	memcpy(in, cwd, clen);
	in[clen] = '/';
	memcpy(in + clen + 1, path, plen + 1);
	size_t o = 0;
	for (char *p = in, *end; *p; p = end) {
		while (*p == '/')
			p++;
		end = p + strcspn(p, "/");
		size_t n = (size_t)(end - p);
		if (n == 0 || (n == 1 && p[0] == '.'))
			continue;
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			while (o > 0 && out[--o] != '/')
				;
			continue;
		}
		out[o++] = '/';
		memcpy(out + o, p, n);
		o += n;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	pd_free(in);
	return out;
}

bool pd_file_same(const char *a, const char *b)
{
	struct stat sa, sb;
	bool ea = stat(a, &sa) == 0, eb = stat(b, &sb) == 0;
	if (ea && eb)
		return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino && !S_ISCHR(sa.st_mode) &&
		       !S_ISBLK(sa.st_mode);
	if (ea || eb)
		return false;
	char *na = normalize(a), *nb = normalize(b);
	bool same = na && nb ? strcmp(na, nb) == 0 : strcmp(a, b) == 0;
	pd_free(na);
	pd_free(nb);
	return same;
}

static bool is_file(const char *path)
{
	return path && strcmp(path, "-") != 0;
}

pd_status pd_file_check_outputs(const char *const *inputs, size_t ninputs,
				const char *const *outputs, size_t noutputs, pd_error *err)
{
	for (size_t o = 0; o < noutputs; o++) {
		if (!is_file(outputs[o]))
			continue;
		for (size_t i = 0; i < ninputs; i++)
			if (is_file(inputs[i]) && pd_file_same(outputs[o], inputs[i]))
				return pd_error_set(err, PD_EUSAGE, "%s: is also an input (%s)",
						    outputs[o], inputs[i]);
		for (size_t k = 0; k < o; k++)
			if (is_file(outputs[k]) && pd_file_same(outputs[o], outputs[k]))
				return pd_error_set(err, PD_EUSAGE, "%s: is also another output (%s)",
						    outputs[o], outputs[k]);
	}
	return PD_OK;
}

/* ---- the registry of temporary files, for signal handlers ---------------------------
 * Fixed slots with the names copied in, so that pd_file_cleanup_staged needs nothing but
 * atomic loads and unlink(2). A name is armed before its file is created (a signal
 * between the two unlinks a name that does not exist yet) and disarmed after the file
 * is renamed or removed. Staged files beyond SLOTS, or with names of PATH_MAX bytes or
 * more, still work but are not registered. */
#define SLOTS 16
enum { FREE, BUSY, ARMED };
static struct {
	atomic_int state;
	char path[PATH_MAX];
} slots[SLOTS];
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "the registry needs lock-free atomics");

static int slot_claim(void)
{
	for (int i = 0; i < SLOTS; i++) {
		int expect = FREE;
		if (atomic_compare_exchange_strong(&slots[i].state, &expect, BUSY))
			return i;
	}
	return -1;
}

static void slot_arm(int i, const char *name)
{
	size_t n = strlen(name);
	if (i < 0 || n >= PATH_MAX)
		return;
	memcpy(slots[i].path, name, n + 1);
	atomic_store(&slots[i].state, ARMED);
}

static void slot_disarm(int i)
{
	if (i >= 0)
		atomic_store(&slots[i].state, BUSY);
}

static void slot_release(int i)
{
	if (i >= 0)
		atomic_store(&slots[i].state, FREE);
}

void pd_file_cleanup_staged(void)
{
	int saved = errno;
	for (int i = 0; i < SLOTS; i++)
		if (atomic_load(&slots[i].state) == ARMED)
			unlink(slots[i].path);
	errno = saved;
}

/* ---- staged writes ------------------------------------------------------------------ */
/* What pd_file_stage hands out is name, with this header before it (as sds strings
 * do), so that callers hold a plain string they can print. */
typedef struct staged {
	int fd;       /* in place: the target, open; -1: a temporary file to rename */
	char *data;   /* in place: a copy of the contents, written by the commit */
	size_t len;
	int slot;     /* registry slot of the temporary file, -1 when none */
	char *target; /* the file renamed over (links resolved); NULL in place */
	char name[];  /* the temporary file, or in place the target */
} staged;

static staged *of_name(char *name)
{
	return (staged *)(void *)(name - offsetof(staged, name));
}

static staged *staged_new(const char *name_prefix, size_t extra)
{
	size_t n = strlen(name_prefix);
	staged *s = pd_malloc(sizeof *s + n + extra + 1);
	if (s) {
		memset(s, 0, sizeof *s);
		s->fd = -1;
		s->slot = -1;
		memcpy(s->name, name_prefix, n + 1);
	}
	return s;
}

static void staged_free(staged *s)
{
	if (s->fd >= 0)
		close(s->fd);
	slot_release(s->slot);
	pd_free(s->data);
	pd_free(s->target);
	pd_free(s);
}

/* Whether the link cur (whose directory part is cur[0..dir)) is one of procfs's: such
 * links (/proc/self/fd/1, which /dev/stdout and /dev/fd/1 lead to) are followed by the
 * kernel to an open file, not to the name readlink shows ("pipe:[123]", or the path a
 * file had when opened). */
static bool in_procfs(const char *cur, size_t dir)
{
#ifdef __linux__
	char d[PATH_MAX];
	if (dir >= sizeof d)
		return false;
	memcpy(d, dir ? cur : ".", dir ? dir : 1);
	d[dir ? dir : 1] = '\0';
	struct statfs fs;
	return statfs(d, &fs) == 0 && fs.f_type == 0x9fa0; /* PROC_SUPER_MAGIC */
#else
	(void)cur;
	(void)dir;
	return false;
#endif
}

/* The name a write to path lands on: path with symlinks followed, as open(2) follows
 * them, to a name that is not a link (and may not exist: a dangling link creates its
 * target, as a shell's > does). Only links in the last component matter, as a rename
 * in the directory that holds the final name replaces it whatever links lead there.
 * Sets *out (owned by the caller), *st and *exists for the final name; *out is NULL
 * when the chain passes a procfs link, which only the kernel can follow. */
static pd_status resolve(const char *path, char **out, struct stat *st, bool *exists,
			 pd_error *err)
{
	char *cur = pd_strdup(path);
	char link[PATH_MAX];
	for (int hops = 0; cur; hops++) {
		bool missing = lstat(cur, st) != 0;
		if (missing && errno != ENOENT)
			break;
		if (missing || !S_ISLNK(st->st_mode)) {
			*exists = !missing;
			*out = cur;
			return PD_OK;
		}
		if (hops == 40) { /* Linux's own limit */
			errno = ELOOP;
			break;
		}
		const char *slash = strrchr(cur, '/');
		size_t dir = slash ? (size_t)(slash - cur) + (slash == cur) : 0;
		if (in_procfs(cur, dir)) {
			pd_free(cur);
			*out = NULL;
			return PD_OK;
		}
		ssize_t n = readlink(cur, link, sizeof link);
		if (n < 0)
			break;
		if ((size_t)n == sizeof link) {
			errno = ENAMETOOLONG;
			break;
		}
		/* A relative target is relative to the link's directory. */
		dir = link[0] == '/' || !slash ? 0 : (size_t)(slash - cur) + 1;
		char *next = pd_malloc(dir + (size_t)n + 1);
		if (next) {
			memcpy(next, cur, dir);
			memcpy(next + dir, link, (size_t)n);
			next[dir + (size_t)n] = '\0';
		}
		pd_free(cur);
		cur = next;
	}
	if (!cur)
		return pd_error_oom(err);
	pd_free(cur);
	return pd_error_set(err, PD_EINTERNAL, "%s: cannot create: %s", path, strerror(errno));
}

/* Creates s->name + ".tmp.XXXXXX" exclusively, mode 0666 minus the umask (mkstemp would
 * make it 0600, and fixing that up means reading the umask, which only umask(2) can do
 * by setting it). The suffix need not be unpredictable: O_EXCL never follows or reuses
 * an existing name; a taken name just means trying the next. */
static int create_beside(staged *s)
{
	static atomic_uint counter;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	unsigned seed = (unsigned)getpid() * 2654435761u ^ (unsigned)ts.tv_nsec;
	static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	size_t plen = strlen(s->name);
	s->slot = slot_claim();
	for (int attempt = 0; attempt < 100; attempt++) {
		unsigned v = seed + atomic_fetch_add(&counter, 1) * 40503u;
		char *t = s->name + plen;
		memcpy(t, ".tmp.", 5);
		for (int i = 0; i < 6; i++, v /= 36)
			t[5 + i] = digits[v % 36];
		t[11] = '\0';
		slot_arm(s->slot, s->name);
		int fd = open(s->name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd >= 0)
			return fd;
		slot_disarm(s->slot);
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}

static pd_status write_all(int fd, const char *data, size_t len, const char *path,
			   pd_error *err)
{
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return pd_error_set(err, PD_EINTERNAL, "%s: write error: %s", path,
					    strerror(errno));
		off += (size_t)w;
	}
	return PD_OK;
}

/* Gives the new file fd the owner, group and mode of the file it replaces. Only root
 * may give a file away, and only to a group one belongs to: a refused chown (EPERM)
 * leaves the new file ours, as a plain create would, and is no error. chown comes
 * first because it clears the set-id bits. */
static pd_status keep_attributes(int fd, const struct stat *old, const char *path,
				 pd_error *err)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		return pd_error_set(err, PD_EINTERNAL, "%s: fstat: %s", path, strerror(errno));
	if (st.st_uid != old->st_uid || st.st_gid != old->st_gid) {
		int rc = fchown(fd, old->st_uid, old->st_gid);
		if (rc != 0 && errno == EPERM) /* not root: at least the group, if ours */
			rc = fchown(fd, (uid_t)-1, old->st_gid);
		if (rc != 0 && errno != EPERM)
			return pd_error_set(err, PD_EINTERNAL, "%s: chown: %s", path, strerror(errno));
	}
	if (fchmod(fd, old->st_mode & 07777) != 0)
		return pd_error_set(err, PD_EINTERNAL, "%s: chmod: %s", path, strerror(errno));
	return PD_OK;
}

/* A regular file, or none yet: a temporary file beside target, renamed by the commit. */
static pd_status stage_atomic(const char *path, char *target, const struct stat *old,
			      const char *data, size_t len, staged **out, pd_error *err)
{
	staged *s = staged_new(target, 11);
	if (!s) {
		pd_free(target);
		return pd_error_oom(err);
	}
	s->target = target;
	int fd = create_beside(s);
	if (fd < 0) {
		pd_status rc =
			pd_error_set(err, PD_EINTERNAL, "%s: cannot create: %s", path, strerror(errno));
		staged_free(s);
		return rc;
	}
	pd_status rc = write_all(fd, data, len, path, err);
	if (rc == PD_OK && old)
		rc = keep_attributes(fd, old, path, err);
	/* EINVAL: the file cannot be synced (some special file systems). */
	if (rc == PD_OK && fsync(fd) != 0 && errno != EINVAL)
		rc = pd_error_set(err, PD_EINTERNAL, "%s: fsync: %s", path, strerror(errno));
	if (close(fd) != 0 && rc == PD_OK)
		rc = pd_error_set(err, PD_EINTERNAL, "%s: close: %s", path, strerror(errno));
	if (rc != PD_OK) {
		unlink(s->name);
		staged_free(s);
		return rc;
	}
	*out = s;
	return PD_OK;
}

/* A FIFO, a device, a socket, or a file behind a procfs link: the path is opened now,
 * so that a refusal comes before any file is replaced, and written by the commit (not
 * atomically: there is nothing to rename). Opening a FIFO waits for its reader.
 * O_APPEND, not O_TRUNC: a file behind /dev/stdout is the shell's redirection, which
 * truncated it already for > and wants it kept for >> (as bash's own /dev/stdout
 * writes through the shell's descriptor); and if a regular file took the name of a
 * FIFO meanwhile, it must not be cut. */
static pd_status stage_in_place(const char *path, const char *data, size_t len, char **out,
				pd_error *err)
{
	staged *s = staged_new(path, 0);
	if (!s || !(s->data = pd_malloc(len ? len : 1))) {
		if (s)
			staged_free(s);
		return pd_error_oom(err);
	}
	memcpy(s->data, data, len);
	s->len = len;
	s->fd = open(path, O_WRONLY | O_APPEND | O_NOCTTY | O_CLOEXEC);
	if (s->fd < 0) {
		pd_status rc =
			pd_error_set(err, PD_EINTERNAL, "%s: cannot open: %s", path, strerror(errno));
		staged_free(s);
		return rc;
	}
	*out = s->name;
	return PD_OK;
}

pd_status pd_file_stage(const char *path, const char *data, size_t len, char **tmp_out,
			pd_error *err)
{
	*tmp_out = NULL;
	/* What the kernel finds at path decides; resolve() then names the file to replace. */
	struct stat st, final;
	bool exists = stat(path, &st) == 0, final_exists;
	if (!exists && errno != ENOENT)
		return pd_error_set(err, PD_EINTERNAL, "%s: cannot create: %s", path,
				    strerror(errno));
	if (exists && S_ISDIR(st.st_mode))
		return pd_error_set(err, PD_EINTERNAL, "%s: is a directory", path);
	staged *s = NULL;
	pd_status rc;
	if (exists && !S_ISREG(st.st_mode))
		return stage_in_place(path, data, len, tmp_out, err);
	char *target;
	if ((rc = resolve(path, &target, &final, &final_exists, err)) != PD_OK)
		return rc;
	/* A procfs link (/dev/stdout, /dev/fd/N) to a file; or a race made the name we
	 * found another file than the one the kernel found. */
	if (!target ||
	    (exists && !(final_exists && final.st_dev == st.st_dev && final.st_ino == st.st_ino))) {
		pd_free(target);
		return stage_in_place(path, data, len, tmp_out, err);
	}
	const struct stat *old = exists ? &st : final_exists && S_ISREG(final.st_mode) ? &final
										 : NULL;
	rc = stage_atomic(path, target, old, data, len, &s, err);
	if (rc == PD_OK)
		*tmp_out = s->name;
	return rc;
}

pd_status pd_file_commit(char *tmp, const char *path, pd_error *err)
{
	staged *s = of_name(tmp);
	pd_status rc = PD_OK;
	if (s->fd >= 0) {
		rc = write_all(s->fd, s->data, s->len, path, err);
		int fd = s->fd;
		s->fd = -1;
		if (close(fd) != 0 && rc == PD_OK)
			rc = pd_error_set(err, PD_EINTERNAL, "%s: close: %s", path, strerror(errno));
	} else if (rename(s->name, s->target) != 0) {
		rc = pd_error_set(err, PD_EINTERNAL, "%s: cannot rename into place: %s", path,
				  strerror(errno));
		unlink(s->name);
	}
	staged_free(s);
	return rc;
}

void pd_file_discard(char *tmp)
{
	if (!tmp)
		return;
	staged *s = of_name(tmp);
	if (s->fd < 0)
		unlink(s->name);
	staged_free(s);
}

pd_status pd_write_file_atomic(const char *path, const char *data, size_t len, pd_error *err)
{
	char *tmp;
	pd_status rc = pd_file_stage(path, data, len, &tmp, err);
	return rc == PD_OK ? pd_file_commit(tmp, path, err) : rc;
}
