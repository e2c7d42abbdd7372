/* Files: whole-file reads into a pd_buf, and atomic writes (a temporary file beside the
 * target, fsync'd, renamed over it) so that a failed run never leaves a half-written or
 * clobbered file. Plain read(2)/write(2): no stdio, and the process umask is never
 * changed (other threads of a caller may be creating files). */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
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

/* Creates path + ".tmp.XXXXXX" exclusively, mode 0666 minus the umask (mkstemp would
 * make it 0600, and fixing that up means reading the umask, which only umask(2) can do
 * by setting it). The suffix need not be unpredictable: O_EXCL never follows or reuses
 * an existing name; a taken name just means trying the next. */
static int create_beside(const char *path, char *tmp, size_t plen)
{
	static atomic_uint counter;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	unsigned seed = (unsigned)getpid() * 2654435761u ^ (unsigned)ts.tv_nsec;
	static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	for (int attempt = 0; attempt < 100; attempt++) {
		unsigned v = seed + atomic_fetch_add(&counter, 1) * 40503u;
		memcpy(tmp, path, plen);
		memcpy(tmp + plen, ".tmp.", 5);
		for (int i = 0; i < 6; i++, v /= 36)
			tmp[plen + 5 + i] = digits[v % 36];
		tmp[plen + 11] = '\0';
		int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd >= 0 || errno != EEXIST)
			return fd;
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

pd_status pd_file_stage(const char *path, const char *data, size_t len, char **tmp_out,
			pd_error *err)
{
	*tmp_out = NULL;
	size_t plen = strlen(path);
	char *tmp = pd_malloc(plen + 12);
	if (!tmp)
		return pd_error_oom(err);
	int fd = create_beside(path, tmp, plen);
	if (fd < 0) {
		pd_status rc =
			pd_error_set(err, PD_EINTERNAL, "%s: cannot create: %s", path, strerror(errno));
		pd_free(tmp);
		return rc;
	}
	pd_status rc = write_all(fd, data, len, path, err);
	/* EINVAL: the file cannot be synced (a pipe, some special file systems). */
	if (rc == PD_OK && fsync(fd) != 0 && errno != EINVAL)
		rc = pd_error_set(err, PD_EINTERNAL, "%s: fsync: %s", path, strerror(errno));
	if (close(fd) != 0 && rc == PD_OK)
		rc = pd_error_set(err, PD_EINTERNAL, "%s: close: %s", path, strerror(errno));
	if (rc != PD_OK) {
		unlink(tmp);
		pd_free(tmp);
		return rc;
	}
	*tmp_out = tmp;
	return PD_OK;
}

pd_status pd_file_commit(char *tmp, const char *path, pd_error *err)
{
	pd_status rc = PD_OK;
	if (rename(tmp, path) != 0) {
		rc = pd_error_set(err, PD_EINTERNAL, "%s: cannot rename into place: %s", path,
				  strerror(errno));
		unlink(tmp);
	}
	pd_free(tmp);
	return rc;
}

void pd_file_discard(char *tmp)
{
	if (tmp)
		unlink(tmp);
	pd_free(tmp);
}

pd_status pd_write_file_atomic(const char *path, const char *data, size_t len, pd_error *err)
{
	char *tmp;
	pd_status rc = pd_file_stage(path, data, len, &tmp, err);
	return rc == PD_OK ? pd_file_commit(tmp, path, err) : rc;
}
