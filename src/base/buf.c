/* pd_buf: a growable, NUL-terminated text buffer with an optional size cap. The buffer
 * owns its data. A failed append (out of memory, or over the cap) leaves the contents as
 * they were and sets the sticky `failed` flag, after which every append fails: callers
 * append many pieces and check once at the end. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/base.h"

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

bool pd_buf_reserve(pd_buf *b, size_t extra)
{
	if (b->failed)
		return false;
	if (extra > SIZE_MAX - b->len - 1 || (b->limit && b->len + extra > b->limit)) {
		b->failed = true;
		b->over_limit = b->limit != 0;
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
	if (!pd_buf_reserve(b, n))
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
	/* Most pieces are short: format once on the stack, and a second time in place only
	 * when the piece did not fit. */
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
	if (!pd_buf_reserve(b, (size_t)n))
		return false;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return true;
}

pd_status pd_buf_error(const pd_buf *b, const char *what, pd_error *err)
{
	if (!b->failed)
		return PD_OK;
	if (b->over_limit)
		return pd_error_set(err, PD_EINTERNAL, "%s: larger than %zu bytes", what, b->limit);
	return pd_error_oom(err);
}
