/* Errors: every failure of the library ends as a pd_status plus one line of text in a
 * caller-owned pd_error. Out of memory is worded here once (pd_error_oom). */
#include <stdarg.h>
#include <stdio.h>

#include "base/base.h"

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

pd_status pd_error_oom(pd_error *err)
{
	return pd_error_set(err, PD_EINTERNAL, "out of memory");
}
