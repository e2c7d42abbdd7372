/* Time argument parsing for the fetch subcommands. Civil dates are converted with
 * Howard Hinnant's days-from-civil algorithm, so nothing depends on TZ or timegm. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fetch/timespec.h"

#define MS_PER_DAY INT64_C(86400000)

static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

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
	if (*p || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59)
		return false;
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap))
		return false;
	int64_t t = days_from_civil(y, mo, d) * MS_PER_DAY +
		    ((int64_t)h * 3600 + mi * 60 + sec - (int64_t)off_min * 60) * 1000 + ms;
	*out = t;
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
	int64_t days = ms >= 0 ? ms / MS_PER_DAY : -((-ms + MS_PER_DAY - 1) / MS_PER_DAY);
	int64_t rem = ms - days * MS_PER_DAY, y;
	int m, d;
	civil_from_days(days, &y, &m, &d);
	int h = (int)(rem / 3600000), mi = (int)(rem / 60000 % 60), s = (int)(rem / 1000 % 60);
	int frac = (int)(rem % 1000);
	char tmp[80]; /* the compiler cannot see the field ranges; out gets at most 31 */
	if (frac)
		snprintf(tmp, sizeof tmp, "%04" PRId64 "-%02d-%02dT%02d:%02d:%02d.%03dZ", y, m, d, h,
			 mi, s, frac);
	else
		snprintf(tmp, sizeof tmp, "%04" PRId64 "-%02d-%02dT%02d:%02d:%02dZ", y, m, d, h, mi, s);
	size_t n = strlen(tmp) < 31 ? strlen(tmp) : 31;
	memcpy(out, tmp, n);
	out[n] = '\0';
	return out;
}

int64_t pd_time_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
