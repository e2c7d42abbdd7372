/* Values as pprof prints them ("10.50s", "12650ms", "0.09kB", "4000") <-> int64 in the
 * family's base unit (ns, bytes, count, nano-GCU). Parsing is exact decimal arithmetic
 * (no floating point), so "10.50s" and "10500ms" give the same integer. */
#include <stdio.h>
#include <string.h>

#include "base/base.h"

typedef struct unit_def {
	const char *suffix;
	pd_unit family;
	int64_t factor; /* base units per printed unit */
} unit_def;

/* Every suffix pprof's measurement package prints, plus the aliases it accepts. */
static const unit_def units[] = {
	{"ns", PD_UNIT_NANOS, 1},
	{"us", PD_UNIT_NANOS, 1000},
	{"\xc2\xb5s", PD_UNIT_NANOS, 1000}, /* micro sign */
	{"\xce\xbcs", PD_UNIT_NANOS, 1000}, /* greek mu */
	{"ms", PD_UNIT_NANOS, 1000000},
	{"s", PD_UNIT_NANOS, 1000000000},
	{"sec", PD_UNIT_NANOS, 1000000000},
	{"mins", PD_UNIT_NANOS, 60LL * 1000000000},
	{"min", PD_UNIT_NANOS, 60LL * 1000000000},
	{"hrs", PD_UNIT_NANOS, 3600LL * 1000000000},
	{"hr", PD_UNIT_NANOS, 3600LL * 1000000000},
	{"days", PD_UNIT_NANOS, 86400LL * 1000000000},
	{"B", PD_UNIT_BYTES, 1},
	{"kB", PD_UNIT_BYTES, 1LL << 10},
	{"KB", PD_UNIT_BYTES, 1LL << 10},
	{"MB", PD_UNIT_BYTES, 1LL << 20},
	{"GB", PD_UNIT_BYTES, 1LL << 30},
	{"TB", PD_UNIT_BYTES, 1LL << 40},
	{"PB", PD_UNIT_BYTES, 1LL << 50},
	{"n*GCU", PD_UNIT_NGCU, 1},
	{"u*GCU", PD_UNIT_NGCU, 1000},
	{"m*GCU", PD_UNIT_NGCU, 1000000},
	{"GCU", PD_UNIT_NGCU, 1000000000},
	{"k*GCU", PD_UNIT_NGCU, 1000000000000LL},
	{"M*GCU", PD_UNIT_NGCU, 1000000000000000LL},
	{"G*GCU", PD_UNIT_NGCU, 1000000000000000000LL},
};

static const char *const unit_names[PD_UNIT_KINDS] = {
	[PD_UNIT_UNKNOWN] = "unknown",
	[PD_UNIT_COUNT] = "count",
	[PD_UNIT_NANOS] = "nanoseconds",
	[PD_UNIT_BYTES] = "bytes",
	[PD_UNIT_NGCU] = "nanogcu",
};

const char *pd_unit_name(pd_unit u)
{
	return (unsigned)u < PD_UNIT_KINDS ? unit_names[u] : "unknown";
}

#define MAX_DIGITS 36 /* fits unsigned __int128 with room for one more digit */
#define MAX_POW10 37  /* the largest decimal count whose power of ten is computed */

pd_status pd_value_parse(const char *s, size_t n, int64_t *out, pd_unit *unit, int64_t *res,
			 pd_error *err)
{
	__extension__ typedef unsigned __int128 u128;
	size_t i = 0;
	bool neg = false;
	if (i < n && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	u128 mant = 0;
	int digits = 0, decimals = 0;
	bool dot = false, seen = false;
	for (; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9') {
			seen = true;
			if (digits >= MAX_DIGITS)
				goto overflow;
			if (digits || s[i] != '0')
				digits++;
			mant = mant * 10 + (u128)(s[i] - '0');
			if (dot)
				decimals++;
		} else if (s[i] == '.' && !dot) {
			dot = true;
		} else {
			break;
		}
	}
	if (!seen)
		return pd_error_set(err, PD_EINPUT, "not a number: '%.*s'", (int)(n > 40 ? 40 : n), s);
	const char *suf = s + i;
	size_t suflen = n - i;
	int64_t factor = 1;
	pd_unit fam = PD_UNIT_COUNT;
	if (suflen) {
		const unit_def *u = NULL;
		for (size_t k = 0; k < sizeof units / sizeof units[0]; k++)
			if (strlen(units[k].suffix) == suflen && memcmp(units[k].suffix, suf, suflen) == 0)
				u = &units[k];
		if (!u)
			return pd_error_set(err, PD_EINPUT, "unknown unit '%.*s' in value '%.*s'",
					    (int)(suflen > 20 ? 20 : suflen), suf, (int)(n > 40 ? 40 : n), s);
		factor = u->factor;
		fam = u->family;
	} else if (mant == 0) {
		fam = PD_UNIT_UNKNOWN; /* pprof prints any value that rounds to zero as "0" */
	}
	/* value = mant * factor / 10^decimals, rounded half away from zero. */
	if (mant && (u128)factor > ((u128)1 << 120) / mant)
		goto overflow;
	u128 scaled = mant * (u128)factor, q = 0, half = 0;
	/* scaled < 2^120 < 10^37 / 2: with more decimals the value rounds to 0, and 10^39
	 * would not fit in 128 bits. */
	if (decimals <= MAX_POW10) {
		u128 pow10 = 1;
		for (int k = 0; k < decimals; k++)
			pow10 *= 10;
		q = (scaled + pow10 / 2) / pow10;
		half = (u128)factor / pow10 / 2;
	}
	if (q > (u128)INT64_MAX)
		goto overflow;
	*out = neg ? -(int64_t)q : (int64_t)q;
	*unit = fam;
	if (res)
		*res = (int64_t)half;
	return PD_OK;
overflow:
	return pd_error_set(err, PD_EINPUT, "number out of range: '%.*s'", (int)(n > 40 ? 40 : n), s);
}

typedef struct fmt_unit {
	const char *suffix;
	double factor;
} fmt_unit;

static const fmt_unit time_fmt[] = {
	{"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}, {"hrs", 3600e9}, {NULL, 0}};
static const fmt_unit byte_fmt[] = {{"B", 1},
				    {"kB", 1024.0},
				    {"MB", 1024.0 * 1024},
				    {"GB", 1024.0 * 1024 * 1024},
				    {"TB", 1024.0 * 1024 * 1024 * 1024},
				    {"PB", 1024.0 * 1024 * 1024 * 1024 * 1024},
				    {NULL, 0}};
static const fmt_unit gcu_fmt[] = {{"n*GCU", 1},   {"u*GCU", 1e3},	{"m*GCU", 1e6},
				   {"GCU", 1e9},   {"k*GCU", 1e12}, {"M*GCU", 1e15},
				   {"G*GCU", 1e18}, {NULL, 0}};

char *pd_value_format(char *dst, size_t size, int64_t v, pd_unit u, bool sign)
{
	const fmt_unit *table = u == PD_UNIT_NANOS ? time_fmt
				: u == PD_UNIT_BYTES ? byte_fmt
				: u == PD_UNIT_NGCU  ? gcu_fmt
						     : NULL;
	const char *plus = sign && v > 0 ? "+" : "";
	if (v == 0) {
		snprintf(dst, size, "0");
		return dst;
	}
	if (!table) {
		snprintf(dst, size, "%s%lld", plus, (long long)v);
		return dst;
	}
	double a = v < 0 ? -(double)v : (double)v;
	const fmt_unit *best = &table[0];
	for (const fmt_unit *t = table; t->suffix; t++)
		if (a >= t->factor)
			best = t;
	char num[48];
	snprintf(num, sizeof num, "%.2f", (double)v / best->factor);
	size_t len = strlen(num);
	if (len > 3 && strcmp(num + len - 3, ".00") == 0)
		num[len - 3] = '\0';
	snprintf(dst, size, "%s%s%s", plus, num, best->suffix);
	return dst;
}
