/* Time argument parsing for the fetch subcommands. Civil dates are converted by libc's
 * timegm and gmtime_r, which work in UTC whatever TZ says. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fetch/timespec.h"

#define MS_PER_DAY INT64_C(86400000)

/* Reads exactly n digits at *p. */
static bool digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return false;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return true;
}

static bool parse_rfc3339(const char *s, int64_t *out)
{
	int y, mo, d, h, mi, sec, ms = 0;
	const char *p = s;
	if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' ||
	    !digits(&p, 2, &d))
		return false;
	if (*p != 'T' && *p != 't' && *p != ' ')
		return false;
	p++;
	if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi) || *p++ != ':' ||
	    !digits(&p, 2, &sec))
		return false;
	if (*p == '.') {
		p++;
		int n = 0;
		while (isdigit((unsigned char)*p)) {
			if (n < 3)
				ms = ms * 10 + (*p - '0');
			n++;
			p++;
		}
		if (n == 0)
			return false;
		for (; n < 3; n++)
			ms *= 10;
	}
	int off_min = 0;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1, oh, om;
		if (!digits(&p, 2, &oh) || *p++ != ':' || !digits(&p, 2, &om) || oh > 23 || om > 59)
			return false;
		off_min = sign * (oh * 60 + om);
	} else {
		return false; /* a zone is required, as in Go's time.RFC3339 */
	}
	if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59)
		return false;
	struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
			.tm_min = mi, .tm_sec = sec};
	time_t t = timegm(&tm);
	/* timegm normalizes an impossible date (April 31 -> May 1, February 29 of a
	 * common year -> March 1): a changed day means the date does not exist. */
	if (tm.tm_mday != d || tm.tm_mon != mo - 1)
		return false;
	*out = ((int64_t)t - (int64_t)off_min * 60) * 1000 + ms;
	return true;
}

static bool parse_relative(const char *s, int64_t now_ms, int64_t *out)
{
	if (strncmp(s, "now", 3) != 0)
		return false;
	s += 3;
	if (!*s) {
		*out = now_ms;
		return true;
	}
	if (*s != '-' && *s != '+')
		return false;
	int sign = *s++ == '-' ? -1 : 1;
	if (!isdigit((unsigned char)*s))
		return false;
	int64_t n = 0;
	while (isdigit((unsigned char)*s)) {
		if (n > INT64_C(1000000000))
			return false;
		n = n * 10 + (*s++ - '0');
	}
	int64_t unit;
	if (!strcmp(s, "s"))
		unit = 1000;
	else if (!strcmp(s, "m"))
		unit = 60000;
	else if (!strcmp(s, "h"))
		unit = 3600000;
	else if (!strcmp(s, "d"))
		unit = MS_PER_DAY;
	else if (!strcmp(s, "w"))
		unit = 7 * MS_PER_DAY;
	else
		return false;
	*out = now_ms + sign * n * unit;
	return true;
}

static bool parse_epoch(const char *s, int64_t *out)
{
	size_t n = strlen(s);
	if (n == 0 || n > 13)
		return false;
	int64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = n == 13 ? v : v * 1000; /* 13 digits = ms, as Pyroscope's attime */
	return true;
}

pd_status pd_time_parse(const char *what, const char *s, int64_t now_ms, int64_t *out_ms,
			pd_error *err)
{
	if (s && (parse_relative(s, now_ms, out_ms) || parse_epoch(s, out_ms) ||
		  parse_rfc3339(s, out_ms)))
		return PD_OK;
	return pd_error_set(err, PD_EUSAGE,
			    "%s: invalid time \"%s\" (want RFC 3339 with a zone, now, now-1h, "
			    "Unix seconds or milliseconds)",
			    what, s ? s : "");
}

pd_status pd_time_window(const char *from, const char *to, int64_t now_ms, int64_t *from_ms,
			 int64_t *to_ms, pd_error *err)
{
	int64_t f, t = now_ms;
	if (to && pd_time_parse("--to", to, now_ms, &t, err))
		return err ? err->code : PD_EUSAGE;
	f = t - 3600000;
	if (from && pd_time_parse("--from", from, now_ms, &f, err))
		return err ? err->code : PD_EUSAGE;
	if (f >= t) {
		char a[32], b[32];
		return pd_error_set(err, PD_EUSAGE,
				    "start timestamp \"%s\" must be strictly before end timestamp \"%s\"",
				    pd_time_format(f, a), pd_time_format(t, b));
	}
	*from_ms = f;
	*to_ms = t;
	return PD_OK;
}

char *pd_time_format(int64_t ms, char out[32])
{
	/* Floor division: -1 ms is 1969-12-31T23:59:59.999Z. */
	int64_t sec = ms / 1000, frac = ms % 1000;
	if (frac < 0) {
		frac += 1000;
		sec--;
	}
	struct tm tm;
	time_t t = (time_t)sec;
	/* Any int64 ms is within gmtime_r's range (years below 2^31) with a 64-bit time_t. */
	if (!gmtime_r(&t, &tm)) {
		snprintf(out, 32, "(out of range)");
		return out;
	}
	/* At most 30 characters: the year has up to 10 (with its sign). */
	int n = snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	if (n < 0 || n > 26)
		return out;
	if (frac)
		snprintf(out + n, 32 - (size_t)n, ".%03dZ", (int)frac);
	else
		snprintf(out + n, 32 - (size_t)n, "Z");
	return out;
}

int64_t pd_time_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
