/* Errors, the growable output buffer, and file I/O (whole-file reads, atomic writes).
 * pd_buf owns its data; a failed append leaves the buffer as it was and sets `failed`,
 * so callers may append many pieces and check once at the end. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profdiff/profdiff.h"
#include "base/alloc.h"

pd_status pd_error_set(pd_error *err, pd_status code, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
		va_end(ap);
		/* One line: fold any newline a message may have picked up. */
		for (char *p = err->msg; *p; p++)
			if (*p == '\n' || *p == '\r')
				*p = ' ';
		err->code = code;
	}
	return code;
}

void pd_buf_init(pd_buf *b, size_t limit)
{
	memset(b, 0, sizeof *b);
	b->limit = limit;
}

void pd_buf_fini(pd_buf *b)
{
	if (!b)
		return;
	pd_free(b->data);
	memset(b, 0, sizeof *b);
}

static bool reserve(pd_buf *b, size_t extra)
{
	if (b->failed)
		return false;
	if (extra > SIZE_MAX - b->len - 1 || (b->limit && b->len + extra > b->limit)) {
		b->failed = true;
		return false;
	}
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	char *p = pd_realloc(b->data, cap);
	if (!p) {
		b->failed = true;
		return false;
	}
	b->data = p;
	b->cap = cap;
	return true;
}

bool pd_buf_append(pd_buf *b, const char *s, size_t n)
{
	if (!reserve(b, n))
		return false;
	if (n)
		memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
	return true;
}

bool pd_buf_puts(pd_buf *b, const char *s)
{
	return pd_buf_append(b, s, strlen(s));
}

bool pd_buf_printf(pd_buf *b, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = true;
		return false;
	}
	if ((size_t)n < sizeof small)
		return pd_buf_append(b, small, (size_t)n);
	if (!reserve(b, (size_t)n))
		return false;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return true;
}

pd_status pd_read_file(const char *path, pd_buf *buf, pd_error *err)
{
	bool is_stdin = strcmp(path, "-") == 0;
	FILE *f = is_stdin ? stdin : fopen(path, "rb");
	if (!f)
		return pd_error_set(err, PD_EINPUT, "%s: cannot open: %s", path, strerror(errno));
	struct stat st;
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		if (!is_stdin)
			fclose(f);
		return pd_error_set(err, PD_EINPUT, "%s: is a directory", path);
	}
	/* Size the buffer once for regular files: doubling would hold up to twice the
	 * input at the peak. */
	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (!buf->limit || (size_t)st.st_size <= buf->limit))
		(void)reserve(buf, (size_t)st.st_size);
	pd_status rc = PD_OK;
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (!pd_buf_append(buf, chunk, n)) {
			rc = buf->limit && buf->len + n > buf->limit
				     ? pd_error_set(err, PD_EINPUT, "%s: larger than %zu bytes", path,
						    buf->limit)
				     : pd_error_set(err, PD_EINTERNAL, "%s: out of memory", path);
			break;
		}
	}
	if (rc == PD_OK && ferror(f))
		rc = pd_error_set(err, PD_EINPUT, "%s: read error: %s", path, strerror(errno));
	if (!is_stdin)
		fclose(f);
	if (rc == PD_OK && !buf->data && !pd_buf_append(buf, "", 0))
		rc = pd_error_set(err, PD_EINTERNAL, "%s: out of memory", path);
	return rc;
}

pd_status pd_file_stage(const char *path, const char *data, size_t len, char **tmp_out,
			pd_error *err)
{
	*tmp_out = NULL;
	size_t plen = strlen(path);
	char *tmp = pd_malloc(plen + 16);
	if (!tmp)
		return pd_error_set(err, PD_EINTERNAL, "%s: out of memory", path);
	memcpy(tmp, path, plen);
	memcpy(tmp + plen, ".tmp.XXXXXX", 12);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		pd_status rc =
			pd_error_set(err, PD_EINTERNAL, "%s: cannot create: %s", path, strerror(errno));
		pd_free(tmp);
		return rc;
	}
	/* mkstemp creates 0600; give the file the usual permissions under the umask. */
	mode_t um = umask(0);
	umask(um);
	(void)fchmod(fd, 0666 & ~um);
	pd_status rc = PD_OK;
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			rc = pd_error_set(err, PD_EINTERNAL, "%s: write error: %s", path,
					  strerror(errno));
			break;
		}
		off += (size_t)w;
	}
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
	if (strcmp(path, "-") == 0) {
		if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0)
			return pd_error_set(err, PD_EINTERNAL, "stdout: write error: %s",
					    strerror(errno));
		return PD_OK;
	}
	char *tmp;
	pd_status rc = pd_file_stage(path, data, len, &tmp, err);
	return rc == PD_OK ? pd_file_commit(tmp, path, err) : rc;
}
