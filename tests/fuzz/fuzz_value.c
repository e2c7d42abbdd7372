/* Fuzz harness for the value-and-unit parser (pd_value_parse: node labels and legends)
 * and the gate's amounts (pd_amount_parse: --min-delta, gate-file budgets). A parsed
 * value printed by pd_value_format must parse back to nearly the same value in the
 * same family; a failure is PD_EINPUT / PD_EUSAGE with a one-line message. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "gate/gate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *in, size_t n, const char *detail)
{
	fprintf(stderr, "fuzz_value: %s: '%.*s' (%s)\n", what, (int)(n > 200 ? 200 : n), in,
		detail);
	abort();
}

static bool one_line(const pd_error *err)
{
	return err->msg[0] && !strchr(err->msg, '\n');
}

/* Base units per printed unit of the suffix pd_value_format chose (its own table). */
static double printed_factor(const char *text, pd_unit u)
{
	static const struct {
		const char *suffix;
		double factor;
	} sfx[] = {{"G*GCU", 1e18}, {"M*GCU", 1e15}, {"k*GCU", 1e12}, {"m*GCU", 1e6},
		   {"u*GCU", 1e3},  {"n*GCU", 1},    {"GCU", 1e9},    {"hrs", 3600e9},
		   {"ms", 1e6},     {"us", 1e3},     {"ns", 1},       {"s", 1e9},
		   {"kB", 1024.0},  {"MB", 1048576.0}, {"GB", 1073741824.0},
		   {"TB", 1099511627776.0}, {"PB", 1125899906842624.0}, {"B", 1}};
	if (u == PD_UNIT_COUNT || u == PD_UNIT_UNKNOWN || strcmp(text, "0") == 0)
		return 1; /* no suffix: counts, and zero in any family */
	size_t n = strlen(text);
	for (size_t i = 0; i < sizeof sfx / sizeof sfx[0]; i++) {
		size_t k = strlen(sfx[i].suffix);
		if (n > k && strcmp(text + n - k, sfx[i].suffix) == 0)
			return sfx[i].factor;
	}
	return 0;
}

static void value(const char *s, size_t n)
{
	int64_t v = 0, res = -1;
	pd_unit u = PD_UNIT_KINDS;
	pd_error err = {0};
	pd_status rc = pd_value_parse(s, n, &v, &u, &res, &err);
	if (rc != PD_OK) {
		if (rc != PD_EINPUT || !one_line(&err))
			fail("failure without PD_EINPUT and one line", s, n, err.msg);
		return;
	}
	if ((unsigned)u >= PD_UNIT_KINDS || res < 0)
		fail("bad unit or resolution", s, n, pd_unit_name(u));
	char text[64];
	pd_value_format(text, sizeof text, v, u, true);
	int64_t back = 0;
	pd_unit ub;
	/* "+1.50s": the formatter's sign is for diffs; the parser takes it too. */
	rc = pd_value_parse(text, strlen(text), &back, &ub, NULL, &err);
	if (rc != PD_OK) {
		/* Rounding to two decimals may push the largest values past int64. */
		if (fabs((double)v) < 9.0e18)
			fail("formatted value does not parse back", s, n, text);
		return;
	}
	if (ub != u && !(u == PD_UNIT_UNKNOWN && v == 0) && !(ub == PD_UNIT_UNKNOWN && back == 0))
		fail("formatted value changed family", s, n, text);
	double f = printed_factor(text, u);
	if (f == 0)
		fail("formatted value has an unknown suffix", s, n, text);
	/* Two decimals of the printed unit, plus double rounding of v itself. */
	double tol = f * 0.0051 + 1 + fabs((double)v) * 1e-14;
	if (fabs((double)back - (double)v) > tol)
		fail("formatted value parses back to another value", s, n, text);
}

static void amount(const char *s)
{
	pd_amount a;
	pd_error err = {0};
	pd_status rc = pd_amount_parse(s, &a, &err);
	if (rc != PD_OK) {
		if ((rc != PD_EUSAGE && rc != PD_EINPUT) || !one_line(&err))
			fail("amount failure without a usage error and one line", s, strlen(s), err.msg);
		return;
	}
	switch (a.kind) {
	case PD_AMOUNT_NONE:
		break;
	case PD_AMOUNT_ABS:
		if (a.value < 0 || (unsigned)a.unit >= PD_UNIT_KINDS)
			fail("negative or badly typed amount", s, strlen(s), err.msg);
		break;
	case PD_AMOUNT_SHARE:
		if (!(a.share >= 0 && a.share <= 1))
			fail("share outside [0, 100%]", s, strlen(s), err.msg);
		break;
	default:
		fail("amount of no kind", s, strlen(s), err.msg);
	}
	(void)pd_amount_resolve(&a, 1e12);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The exact bytes (no terminator: labels are slices), then as a C string. */
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	value(s, size);
	amount(s);
	free(s);
	return 0;
}
