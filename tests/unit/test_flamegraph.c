/* Unit tests for the flamegraph JSON reader (src/exact/flamegraph.c, json.c): both
 * shapes (Connect flamegraph, legacy flamebearer), recursion counted once per stack,
 * `other`, and every kind of bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "exact/exact.h"

static const pd_node *node(const pd_profile *p, const char *key, bool line)
{
	for (size_t i = 0; i < p->nnodes; i++)
		if (strcmp(line ? p->nodes[i].line : p->nodes[i].func, key) == 0)
			return &p->nodes[i];
	fail_msg("no node '%s'", key);
	return NULL;
}

static const pd_pedge *edge(const pd_profile *p, const char *from, const char *to)
{
	for (size_t i = 0; i < p->nedges; i++)
		if (strcmp(p->nodes[p->edges[i].from].line, from) == 0 &&
		    strcmp(p->nodes[p->edges[i].to].line, to) == 0)
			return &p->edges[i];
	fail_msg("no edge %s -> %s", from, to);
	return NULL;
}

/* total(100) -> main(100, self 10) -> {a(60, self 20) -> b(40, self 10) -> a(30, self 30);
 *                                      b(30, self 30)} */
static const char fg_json[] =
	"{\"flamegraph\":{\"names\":[\"total\",\"main\",\"a\",\"b\"],\"levels\":["
	"{\"values\":[\"0\",\"100\",\"0\",\"0\"]},{\"values\":[\"0\",\"100\",\"10\",\"1\"]},"
	"{\"values\":[\"0\",\"60\",\"20\",\"2\",\"0\",\"30\",\"30\",\"3\"]},"
	"{\"values\":[\"0\",\"40\",\"10\",\"3\"]},{\"values\":[0,30,30,2]}],"
	"\"total\":\"100\",\"maxSelf\":\"30\",\"unknown\":[{\"x\":null},true,1.5e3]}}";

static pd_profile *read_fg(const char *json, const pd_exact_opts *o)
{
	pd_profile *p = NULL;
	pd_error err = {0};
	if (pd_exact_parse_any("fg.json", json, strlen(json), o, &p, &err))
		fail_msg("%s", err.msg);
	return p;
}

static void test_flamegraph(void **s)
{
	(void)s;
	pd_exact_opts o;
	pd_exact_opts_init(&o);
	o.profile_type = "process_cpu:cpu:nanoseconds:cpu:nanoseconds";
	pd_profile *p = read_fg(fg_json, &o);
	assert_string_equal(p->info.type, "cpu");
	assert_int_equal(p->info.unit, PD_UNIT_NANOS);
	assert_int_equal(p->info.total, 100);
	assert_int_equal(p->nnodes, 3); /* "total" is no function */
	assert_int_equal(node(p, "main", false)->flat, 10);
	assert_int_equal(node(p, "main", false)->cum, 100);
	assert_int_equal(node(p, "a", false)->flat, 50);
	assert_int_equal(node(p, "a", false)->cum, 60); /* the inner a is inside the outer */
	assert_int_equal(node(p, "b", false)->flat, 40);
	assert_int_equal(node(p, "b", false)->cum, 70);
	assert_int_equal(edge(p, "main", "a")->weight, 60);
	assert_int_equal(edge(p, "a", "b")->weight, 40);
	assert_int_equal(edge(p, "b", "a")->weight, 30);
	assert_int_equal(edge(p, "main", "b")->weight, 30);
	assert_int_equal(p->nedges, 4);
	pd_profile_free(p);

	/* no type given: unknown */
	p = read_fg(fg_json, NULL);
	assert_null(p->info.type);
	assert_int_equal(p->info.unit, PD_UNIT_UNKNOWN);
	pd_profile_free(p);

	/* /render's flamebearer: plain number lists, metadata with units */
	p = read_fg("{\"version\":1,\"flamebearer\":{\"names\":[\"total\",\"x\"],"
		    "\"levels\":[[0,8,0,0],[0,8,8,1]],\"numTicks\":8,\"maxSelf\":8},"
		    "\"metadata\":{\"format\":\"single\",\"spyName\":\"\",\"sampleRate\":100,"
		    "\"units\":\"bytes\",\"name\":\"alloc_space\"},\"timeline\":null}",
		    NULL);
	assert_string_equal(p->info.type, "alloc_space");
	assert_int_equal(p->info.unit, PD_UNIT_BYTES);
	assert_int_equal(node(p, "x", false)->flat, 8);
	pd_profile_free(p);

	/* `other`: the cut makes the profile trimmed, bounded by other's value */
	p = read_fg("{\"flamegraph\":{\"names\":[\"total\",\"main\",\"other\"],\"levels\":["
		    "{\"values\":[\"0\",\"10\",\"0\",\"0\"]},{\"values\":[\"0\",\"10\",\"7\",\"1\"]},"
		    "{\"values\":[\"0\",\"3\",\"3\",\"2\"]}]}}",
		    NULL);
	assert_true(p->info.trimmed);
	assert_int_equal(p->unknown_flat_max, 3);
	assert_int_equal(p->unknown_cum_max, 3);
	pd_profile_free(p);

	/* "{}" is Pyroscope's answer for no data: an empty profile */
	p = read_fg(" {}\n", NULL);
	assert_int_equal(p->nnodes, 0);
	assert_int_equal(p->info.total, 0);
	pd_profile_free(p);
}

static void test_bad_flamegraph(void **s)
{
	(void)s;
	static const char *const cases[][2] = {
		{"{\"flamegraph\":{\"names\":[\"total\"],\"levels\":[{\"values\":[\"0\",\"1\",\"0\",\"5\"]}]}}",
		 "fg.json: flamegraph name index 5 out of range (1 names)"},
		{"{\"flamegraph\":{\"names\":[\"total\",\"a\"],\"levels\":[{\"values\":[0,10,0,0]},"
		 "{\"values\":[5,10,0,1]}]}}",
		 "fg.json: flamegraph level 1: a node at 5 lies outside every node of the level above"},
		{"{\"flamegraph\":{\"levels\":[{\"values\":[0,10,0]}]}}",
		 "fg.json: not a flamegraph: expected values in groups of four at byte 43"},
		{"{\"flamegraph\":{\"levels\":[{\"values\":[0,10,11,0]}]}}",
		 "fg.json: not a flamegraph: expected offset, total, self, name: non-negative, self "
		 "<= total at byte 45"},
		{"{\"flamegraph\":{\"levels\":[{\"values\":[\"99999999999999999999\"]}]}}",
		 "fg.json: not a flamegraph: expected an integer within 64 bits at byte 56"},
		{"{\"a\":1,}", "fg.json: not a flamegraph: expected a string at byte 7"},
		{"{\"names\":[\"x\\u0000y\"]}",
		 "fg.json: not a flamegraph: expected a valid escape in a string at byte 11"},
		{"{} trailing", "fg.json: not a flamegraph: expected the end of the input at byte 3"},
		{"{\"metadata\":{\"format\":\"double\"}}",
		 "fg.json: a flamebearer of format \"double\" (a diff?) is not a single profile"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		pd_profile *p = NULL;
		pd_error err = {0};
		assert_int_equal(pd_flamegraph_parse("fg.json", cases[i][0], strlen(cases[i][0]), NULL,
						     &p, &err),
				 PD_EINPUT);
		if (strcmp(err.msg, cases[i][1]) != 0)
			fail_msg("case %zu: '%s', want '%s'", i, err.msg, cases[i][1]);
		assert_null(p);
	}
	/* deep nesting is refused, not recursed into */
	char deep[400];
	memset(deep, '[', sizeof deep);
	memcpy(deep, "{\"x\":", 5);
	pd_profile *p = NULL;
	pd_error err = {0};
	assert_int_equal(pd_flamegraph_parse("fg.json", deep, sizeof deep, NULL, &p, &err), PD_EINPUT);
	assert_non_null(strstr(err.msg, "nesting"));
	/* escapes decode to UTF-8 */
	p = read_fg("{\"names\":[\"total\",\"caf\\u00e9 \\ud83d\\ude00 \\\"q\\\"\"],\"levels\":[[0,1,0,0],[0,1,1,1]]}",
		    NULL);
	assert_string_equal(p->nodes[0].func, "caf\xc3\xa9 \xf0\x9f\x98\x80 \"q\"");
	pd_profile_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flamegraph),
		cmocka_unit_test(test_bad_flamegraph),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
