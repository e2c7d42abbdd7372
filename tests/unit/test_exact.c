/* Unit tests for the exact readers (src/exact/): pprof protobuf built here with
 * protobuf-c or by hand (inline frames, recursion, sample index, units, names, gzip,
 * wire forms, bad input), dispatch by content, the fetch request bodies, and every
 * allocation failing in turn. The flamegraph reader's own tests: test_flamegraph.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "base/alloc.h"
#include "exact/exact.h"
#include "exact/internal.h"
#include "fetch/pyroscope.h"
#include "profile.pb-c.h"

/* ---- building profiles ------------------------------------------------------------ */
typedef Perftools__Profiles__Profile Prof;

typedef struct pb {
	Prof p;
	char *strs[32];
	Perftools__Profiles__ValueType vt[4], *vtp[4];
	Perftools__Profiles__Function fn[8], *fnp[8];
	Perftools__Profiles__Line ln[16], *lnp[16];
	Perftools__Profiles__Location loc[8], *locp[8];
	Perftools__Profiles__Sample smp[8], *smpp[8];
	uint64_t ids[8][8];
	int64_t vals[8][4];
	size_t nln;
} pb;

static int64_t str(pb *b, const char *s)
{
	for (size_t i = 0; i < b->p.n_string_table; i++)
		if (strcmp(b->strs[i], s) == 0)
			return (int64_t)i;
	b->strs[b->p.n_string_table] = (char *)(uintptr_t)s;
	return (int64_t)b->p.n_string_table++;
}

static void pb_init(pb *b, const char *const types[][2], size_t nt)
{
	memset(b, 0, sizeof *b);
	perftools__profiles__profile__init(&b->p);
	b->p.string_table = b->strs;
	str(b, "");
	for (size_t i = 0; i < nt; i++) {
		perftools__profiles__value_type__init(&b->vt[i]);
		b->vt[i].type = str(b, types[i][0]);
		b->vt[i].unit = str(b, types[i][1]);
		b->vtp[i] = &b->vt[i];
	}
	b->p.sample_type = b->vtp;
	b->p.n_sample_type = nt;
	b->p.function = b->fnp;
	b->p.location = b->locp;
	b->p.sample = b->smpp;
}

static void fn(pb *b, const char *name, const char *file)
{
	size_t i = b->p.n_function++;
	perftools__profiles__function__init(&b->fn[i]);
	b->fn[i].id = i + 1;
	b->fn[i].name = b->fn[i].system_name = str(b, name);
	b->fn[i].filename = str(b, file);
	b->fnp[i] = &b->fn[i];
}

/* A location of n lines {function id, line}, innermost first. */
static void loc(pb *b, size_t n, const int64_t (*lines)[2])
{
	size_t i = b->p.n_location++;
	perftools__profiles__location__init(&b->loc[i]);
	b->loc[i].id = i + 1;
	b->loc[i].line = &b->lnp[b->nln];
	b->loc[i].n_line = n;
	for (size_t k = 0; k < n; k++) {
		perftools__profiles__line__init(&b->ln[b->nln]);
		b->ln[b->nln].function_id = (uint64_t)lines[k][0];
		b->ln[b->nln].line = lines[k][1];
		b->lnp[b->nln] = &b->ln[b->nln];
		b->nln++;
	}
	b->locp[i] = &b->loc[i];
}

/* A sample: location ids leaf first, one value per sample type. */
static void sample(pb *b, size_t nl, const uint64_t *ids, const int64_t *v)
{
	size_t i = b->p.n_sample++;
	perftools__profiles__sample__init(&b->smp[i]);
	memcpy(b->ids[i], ids, nl * sizeof *ids);
	memcpy(b->vals[i], v, b->p.n_sample_type * sizeof *v);
	b->smp[i].location_id = b->ids[i];
	b->smp[i].n_location_id = nl;
	b->smp[i].value = b->vals[i];
	b->smp[i].n_value = b->p.n_sample_type;
	b->smpp[i] = &b->smp[i];
}

static uint8_t *pack(pb *b, size_t *len)
{
	*len = perftools__profiles__profile__get_packed_size(&b->p);
	uint8_t *d = malloc(*len + 1);
	perftools__profiles__profile__pack(&b->p, d);
	return d;
}

static uint8_t *gzip(const uint8_t *d, size_t n, size_t *out)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
	size_t cap = deflateBound(&z, n) + 64;
	uint8_t *g = malloc(cap);
	z.next_in = (Bytef *)(uintptr_t)d;
	z.avail_in = (uInt)n;
	z.next_out = g;
	z.avail_out = (uInt)cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	*out = cap - z.avail_out;
	deflateEnd(&z);
	return g;
}

static const char *const cpu_types[][2] = {{"samples", "count"}, {"cpu", "nanoseconds"}};

/* main.A (a.go) -> main.B (b.go) -> main.C inlined into B, and A -> B -> A -> B. */
static void recursion_profile(pb *b)
{
	pb_init(b, cpu_types, 2);
	fn(b, "main.A", "/src/a.go");
	fn(b, "main.B", "/src/./b.go");
	fn(b, "main.C", "/src/b.go");
	loc(b, 2, (const int64_t[][2]){{3, 5}, {2, 7}}); /* C inlined into B */
	loc(b, 1, (const int64_t[][2]){{1, 3}});
	loc(b, 1, (const int64_t[][2]){{2, 9}});
	sample(b, 2, (const uint64_t[]){1, 2}, (const int64_t[]){1, 10});
	sample(b, 4, (const uint64_t[]){3, 2, 3, 2}, (const int64_t[]){1, 5});
	sample(b, 1, (const uint64_t[]){2}, (const int64_t[]){1, 0}); /* zero: skipped */
}

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
	return NULL;
}

static pd_profile *read_pb(pb *b, const pd_exact_opts *o, bool gz)
{
	size_t n, gn;
	uint8_t *d = pack(b, &n), *g = gz ? gzip(d, n, &gn) : NULL;
	pd_profile *p = NULL;
	pd_error err = {0};
	if (pd_exact_parse_any("t.pb", gz ? g : d, gz ? gn : n, o, &p, &err))
		fail_msg("%s", err.msg);
	free(d);
	free(g);
	return p;
}

static void test_recursion_and_inlining(void **s)
{
	(void)s;
	pb b;
	recursion_profile(&b);
	pd_profile *p = read_pb(&b, NULL, true);
	assert_string_equal(p->info.type, "cpu");
	assert_int_equal(p->info.unit, PD_UNIT_NANOS);
	assert_int_equal(p->info.total, 15);
	assert_int_equal(p->nnodes, 3);
	assert_false(p->info.trimmed);
	assert_true(p->info.has_tooltips);
	const pd_node *a = node(p, "main.A", false), *bb = node(p, "main.B", false),
		      *c = node(p, "main.C", false);
	/* cum once per stack: A -> B -> A -> B adds 5 to A and to B once each */
	assert_int_equal(a->flat, 0);
	assert_int_equal(a->cum, 15);
	assert_int_equal(bb->flat, 5);
	assert_int_equal(bb->cum, 15);
	assert_int_equal(c->flat, 10);
	assert_int_equal(c->cum, 10);
	assert_int_equal(p->nedges, 3);
	const pd_pedge *ab = edge(p, "main.A", "main.B"), *bc = edge(p, "main.B", "main.C"),
		       *ba = edge(p, "main.B", "main.A");
	assert_non_null(ab);
	assert_non_null(bc);
	assert_non_null(ba);
	assert_int_equal(ab->weight, 15); /* once per stack, not 20 */
	assert_false(ab->inlined);
	assert_int_equal(bc->weight, 10);
	assert_true(bc->inlined); /* C is an inlined line of B's location */
	assert_int_equal(ba->weight, 5);
	pd_profile_free(p);

	/* a sample without a stack counts in the total only, as in pprof */
	recursion_profile(&b);
	sample(&b, 0, (const uint64_t[]){0}, (const int64_t[]){1, 7});
	p = read_pb(&b, NULL, false);
	assert_int_equal(p->info.total, 22);
	assert_int_equal(p->flat_sum, 15);
	assert_int_equal(p->nnodes, 3);
	pd_profile_free(p);

	/* -lines: one node per function + file:line; the path is cleaned */
	pd_exact_opts o;
	pd_exact_opts_init(&o);
	o.lines = true;
	p = read_pb(&b, &o, false);
	assert_true(p->info.has_lines);
	assert_int_equal(p->nnodes, 4);
	const pd_node *b7 = node(p, "main.B /src/b.go:7", true), *b9 = node(p, "main.B /src/b.go:9", true);
	assert_string_equal(b7->func, "main.B");
	assert_string_equal(b7->short_line, "main.B b.go:7");
	assert_int_equal(b7->cum, 10);
	assert_int_equal(b9->flat, 5);
	assert_int_equal(b9->cum, 5);
	assert_string_equal(node(p, "main.C /src/b.go:5", true)->short_func, "main.C");
	pd_profile_free(p);
}

static void test_sample_index(void **s)
{
	(void)s;
	pb b;
	recursion_profile(&b);
	pd_exact_opts o;
	pd_exact_opts_init(&o);
	const char *const pick[][2] = {{"0", "samples"}, {"samples", "samples"}, {"1", "cpu"},
				       {"cpu", "cpu"}, {"", "cpu"}};
	for (size_t i = 0; i < sizeof pick / sizeof pick[0]; i++) {
		o.sample_index = pick[i][0];
		pd_profile *p = read_pb(&b, &o, false);
		assert_string_equal(p->info.type, pick[i][1]);
		assert_int_equal(p->info.unit,
				 strcmp(pick[i][1], "cpu") == 0 ? PD_UNIT_NANOS : PD_UNIT_COUNT);
		/* the zero-cpu sample counts as one sample */
		assert_int_equal(p->info.total, strcmp(pick[i][1], "cpu") == 0 ? 15 : 3);
		pd_profile_free(p);
	}
	size_t n;
	uint8_t *d = pack(&b, &n);
	pd_profile *p = NULL;
	pd_error err = {0};
	o.sample_index = "wall";
	assert_int_equal(pd_pprof_parse("t.pb", d, n, &o, &p, &err), PD_EINPUT);
	assert_string_equal(err.msg, "t.pb: sample_index \"wall\" must be one of: [samples cpu]");
	o.sample_index = "2";
	assert_int_equal(pd_pprof_parse("t.pb", d, n, &o, &p, &err), PD_EINPUT);
	assert_string_equal(err.msg, "t.pb: sample_index 2 is outside the range [0..1]");
	assert_null(p);
	free(d);

	/* default_sample_type wins over "last"; "inuse_" may be left out */
	static const char *const heap[][2] = {{"objects", "count"}, {"space", "bytes"}};
	pb_init(&b, heap, 2);
	b.p.default_sample_type = str(&b, "objects");
	fn(&b, "main.f", "f.go");
	loc(&b, 1, (const int64_t[][2]){{1, 1}});
	sample(&b, 1, (const uint64_t[]){1}, (const int64_t[]){2, 4096});
	o.sample_index = NULL;
	p = read_pb(&b, &o, false);
	assert_string_equal(p->info.type, "objects");
	pd_profile_free(p);
	o.sample_index = "inuse_space";
	p = read_pb(&b, &o, false);
	assert_string_equal(p->info.type, "space");
	assert_int_equal(p->info.unit, PD_UNIT_BYTES);
	assert_int_equal(p->nodes[0].flat, 4096);
	pd_profile_free(p);
}

static void test_units_and_names(void **s)
{
	(void)s;
	static const char *const ms[][2] = {{"wall", "milliseconds"}};
	pb b;
	pb_init(&b, ms, 1);
	fn(&b, "java/util/regex/Pattern$GroupTail.match", "");
	fn(&b, "emit", "node:events");
	fn(&b, "main.yyParse", "yaccpar");
	fn(&b, "WebApplication1.Controllers!CpuController.fib", "WebApplication1");
	loc(&b, 1, (const int64_t[][2]){{1, 4811}});
	loc(&b, 1, (const int64_t[][2]){{2, 520}});
	loc(&b, 1, (const int64_t[][2]){{3, 36}});
	loc(&b, 1, (const int64_t[][2]){{4, 0}});
	sample(&b, 4, (const uint64_t[]){1, 2, 3, 4}, (const int64_t[]){7});
	pd_exact_opts o;
	pd_exact_opts_init(&o);
	o.lines = true;
	pd_profile *p = read_pb(&b, &o, false);
	assert_int_equal(p->info.unit, PD_UNIT_NANOS);
	assert_int_equal(p->info.total, 7000000); /* ms scaled to ns */
	const pd_node *j = node(p, "java/util/regex/Pattern$GroupTail.match :4811", true);
	assert_string_equal(j->func, "java/util/regex/Pattern$GroupTail.match");
	assert_string_equal(j->short_func, "Pattern$GroupTail.match");
	assert_string_equal(j->short_line, "Pattern$GroupTail.match :4811");
	assert_int_equal(j->flat, 7000000);
	assert_string_equal(node(p, "emit node:events:520", true)->short_line, "emit node:events:520");
	assert_string_equal(node(p, "main.yyParse yaccpar:36", true)->short_line,
			    "main.yyParse yaccpar:36");
	/* line 0 with a file: "name file" (pprof prints the file alone) */
	const pd_node *net = node(p, "WebApplication1.Controllers!CpuController.fib WebApplication1",
				  true);
	assert_string_equal(net->func, "WebApplication1.Controllers!CpuController.fib");
	assert_string_equal(net->short_func, "WebApplication1.Controllers!CpuController.fib");
	pd_profile_free(p);
}

static void test_short_names(void **s)
{
	(void)s;
	/* pprof's own ShortenFunctionName cases (graph_test.go, Go 1.19's copy) */
	static const char *const cases[][2] = {
		{"foo", "foo"},
		{"foo.bar", "foo.bar"},
		{"path/to/foo.bar", "foo.bar"},
		{"foo::bar", "foo.bar"},
		{"foo::bar::baz", "foo.bar.baz"},
		{"path/to/foo::bar::baz", "foo.bar.baz"},
		{"github.com/blah/blah/vendor/gopkg.in/yaml%2ev2.(*parser).parse",
		 "yaml%2ev2.(*parser).parse"},
		{"example.com/shop/v2/internal/pricing.Quote", "pricing.Quote"},
		{"example.org/v2xyz.Foo", "v2xyz.Foo"},
		{"github.com/foo/bar/v4.(*Foo).Bar", "bar.(*Foo).Bar"},
		{"github.com/foo/bar/v4/baz.Foo.Bar", "baz.Foo.Bar"},
		{"github.com/foo/bar/v123.(*Foo).Bar", "bar.(*Foo).Bar"},
		{"github.com/foobar/v0.(*Foo).Bar", "v0.(*Foo).Bar"},
		{"github.com/foobar/v1.(*Foo).Bar", "v1.(*Foo).Bar"},
		{"example.org/v2xyz.Foo", "v2xyz.Foo"},
		{"java.util.concurrent.ThreadPoolExecutor$Worker.run",
		 "ThreadPoolExecutor$Worker.run"},
		{"java.bar.foo.FooBar.run(java.lang.Runnable)", "FooBar.run"},
		{"(anonymous namespace)::Bar::Foo", "Bar.Foo"},
		{"(anonymous namespace)::foo", "foo"},
		{"cpp::namespace::Class::method()::$_100::operator()", "Class.method"},
		{"foo_bar::Foo::bar", "Foo.bar"},
		{"cpp::namespace::Class::method<float, float>", "Class.method<float, float>"},
		{"java/util/regex/Pattern$GroupTail.match", "Pattern$GroupTail.match"},
		{".unknown_Java", ".unknown_Java"},
		{"libc.so.6.__GI___futex_abstimed_wait_cancelable64",
		 "libc.so.6.__GI___futex_abstimed_wait_cancelable64"},
		{"", ""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = pd_exact_short_name(cases[i][0]);
		if (strcmp(got, cases[i][1]) != 0)
			fail_msg("short name of '%s': '%s', want '%s'", cases[i][0], got, cases[i][1]);
		pd_free(got);
	}
}

static void test_bad_pprof(void **s)
{
	(void)s;
	pb b;
	recursion_profile(&b);
	size_t n, gn;
	uint8_t *d = pack(&b, &n), *g = gzip(d, n, &gn);
	pd_profile *p = NULL;
	pd_error err = {0};
	assert_int_equal(pd_pprof_parse("t.pb.gz", g, gn - 9, NULL, &p, &err), PD_EINPUT);
	assert_string_equal(err.msg, "t.pb.gz: gzip data is truncated");
	g[12] ^= 0xff;
	assert_int_equal(pd_pprof_parse("t.pb.gz", g, gn, NULL, &p, &err), PD_EINPUT);
	assert_non_null(strstr(err.msg, "t.pb.gz: corrupt gzip data"));
	assert_int_equal(pd_pprof_parse("t.pb", d, n / 2, NULL, &p, &err), PD_EINPUT);
	assert_string_equal(err.msg, "t.pb: not a pprof profile (the protobuf does not decode at byte 101)");
	free(d);
	free(g);
	/* a string index past the table */
	b.fn[0].name = 99;
	d = pack(&b, &n);
	assert_int_equal(pd_pprof_parse("t.pb", d, n, NULL, &p, &err), PD_EINPUT);
	assert_string_equal(err.msg, "t.pb: function name string index 99 out of range");
	free(d);
	/* a sample naming a location that does not exist */
	recursion_profile(&b);
	b.ids[0][1] = 42;
	d = pack(&b, &n);
	assert_int_equal(pd_pprof_parse("t.pb", d, n, NULL, &p, &err), PD_EINPUT);
	assert_string_equal(err.msg, "t.pb: sample 0: no location 42");
	free(d);
	/* values that do not match the sample types */
	recursion_profile(&b);
	b.smp[1].n_value = 1;
	d = pack(&b, &n);
	assert_int_equal(pd_pprof_parse("t.pb", d, n, NULL, &p, &err), PD_EINPUT);
	assert_string_equal(err.msg, "t.pb: sample 1 has 1 values for 2 sample types");
	free(d);
	/* no sample types at all */
	pb_init(&b, cpu_types, 0);
	d = pack(&b, &n);
	assert_int_equal(pd_pprof_parse("t.pb", d, n, NULL, &p, &err), PD_EINPUT);
	assert_string_equal(err.msg, "t.pb: profile has no sample types");
	free(d);
	/* overflow of int64 sums */
	recursion_profile(&b);
	b.vals[0][1] = INT64_MAX;
	d = pack(&b, &n);
	assert_int_equal(pd_pprof_parse("t.pb", d, n, NULL, &p, &err), PD_EINPUT);
	assert_string_equal(err.msg, "values overflow 64 bits");
	assert_null(p);
	free(d);
}

/* Hand-encoded: unpacked repeated fields (wire type 0), unknown and fixed-size fields,
 * sub-messages in an unusual order. Readers must accept what protobuf allows. */
static void test_wire_forms(void **s)
{
	(void)s;
	static const unsigned char pbuf[] = {
		0x12, 0x07, 0x08, 0x01, 0x10, 0x05, 0x98, 0x06, /* sample: loc 1, value 5, field 99 */
		0x01,
		0x0a, 0x04, 0x08, 0x01, 0x10, 0x02,                   /* sample_type cpu/nanoseconds */
		0x2a, 0x04, 0x08, 0x01, 0x10, 0x03,                   /* function 1 main.f */
		0x7d, 0x01, 0x02, 0x03, 0x04,                         /* fixed32 field 15 */
		0x22, 0x08, 0x08, 0x01, 0x22, 0x04, 0x08, 0x01, 0x10, 0x03, /* location 1 */
		0x32, 0x00, 0x32, 0x03, 'c', 'p', 'u', 0x32, 0x0b, 'n', 'a', 'n', 'o', 's', 'e', 'c',
		'o', 'n', 'd', 's', 0x32, 0x06, 'm', 'a', 'i', 'n', '.', 'f',
		0x12, 0x04, 0x08, 0x01, 0x10, 0x07,                   /* a later sample: value 7 */
	};
	pd_profile *p = NULL;
	pd_error err = {0};
	if (pd_pprof_parse("w.pb", pbuf, sizeof pbuf, NULL, &p, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(p->nnodes, 1);
	assert_string_equal(p->nodes[0].func, "main.f");
	assert_int_equal(p->nodes[0].flat, 12);
	assert_int_equal(p->info.unit, PD_UNIT_NANOS);
	pd_profile_free(p);
	/* a length running past the end */
	unsigned char bad[sizeof pbuf];
	memcpy(bad, pbuf, sizeof pbuf);
	bad[1] = 0x7f;
	assert_int_equal(pd_pprof_parse("w.pb", bad, sizeof bad, NULL, &p, &err), PD_EINPUT);
	assert_string_equal(err.msg, "w.pb: not a pprof profile (the protobuf does not decode at byte 2)");
	/* a sample whose inside does not decode (a truncated varint) */
	memcpy(bad, pbuf, sizeof pbuf);
	bad[sizeof bad - 1] = 0x87;
	assert_int_equal(pd_pprof_parse("w.pb", bad, sizeof bad, NULL, &p, &err), PD_EINPUT);
	assert_string_equal(err.msg, "w.pb: sample 1 does not decode");
}

/* A small flamegraph for the dispatch tests (test_flamegraph.c has the reader's). */
static const char fg_json[] =
	"{\"flamegraph\":{\"names\":[\"total\",\"main\",\"a\",\"b\"],\"levels\":["
	"{\"values\":[\"0\",\"100\",\"0\",\"0\"]},{\"values\":[\"0\",\"100\",\"10\",\"1\"]},"
	"{\"values\":[\"0\",\"60\",\"20\",\"2\",\"0\",\"30\",\"30\",\"3\"]}]}}";

static void test_sniff(void **s)
{
	(void)s;
	assert_int_equal(pd_exact_sniff("\x1f\x8b\x08", 3), PD_INPUT_PPROF);
	assert_int_equal(pd_exact_sniff("\n\x08\x01\x10\x02\x32\x00", 7), PD_INPUT_PPROF);
	assert_int_equal(pd_exact_sniff(" \n{\"flamegraph\":{}}", 19), PD_INPUT_FLAMEGRAPH);
	assert_int_equal(pd_exact_sniff("\xef\xbb\xbf{}", 5), PD_INPUT_FLAMEGRAPH);
	assert_int_equal(pd_exact_sniff("digraph \"x\" {}", 14), PD_INPUT_DOT);
	assert_int_equal(pd_exact_sniff("\n\ndigraph x {}", 13), PD_INPUT_DOT);
	assert_int_equal(pd_exact_sniff("", 0), PD_INPUT_DOT);
	/* DOT goes to the DOT parser, with its own messages */
	pd_profile *p = NULL;
	pd_error err = {0};
	assert_int_equal(pd_exact_parse_any("x.dot", "  ", 2, NULL, &p, &err), PD_EINPUT);
	assert_string_equal(err.msg, "x.dot: empty file");
	const char *dir = getenv("PD_FIXTURES");
	char path[4096];
	snprintf(path, sizeof path, "%s/cpu_base.dot", dir ? dir : "fixtures");
	assert_int_equal(pd_exact_read_any(path, NULL, &p, &err), PD_OK);
	pd_profile *q = NULL;
	assert_int_equal(pd_profile_read(path, &q, &err), PD_OK);
	assert_int_equal(p->nnodes, q->nnodes);
	pd_profile_free(p);
	pd_profile_free(q);
	/* gzipped flamegraph JSON */
	size_t gn;
	uint8_t *g = gzip((const uint8_t *)fg_json, strlen(fg_json), &gn);
	assert_int_equal(pd_exact_parse_any("fg.json.gz", g, gn, NULL, &p, &err), PD_OK);
	assert_int_equal(p->nnodes, 3);
	pd_profile_free(p);
	free(g);
}

static void test_clean_path(void **s)
{
	(void)s;
	static const char *const cases[][2] = {
		{"", "."},		 {"abc", "abc"},	 {"a/./b", "a/b"},	{"a//b/", "a/b"},
		{"/../a", "/a"},	 {"a/../../b", "../b"}, {"/a/b/../c", "/a/c"}, {"node:events", "node:events"},
		{"./x.go", "x.go"},	 {"/", "/"},		 {"..", ".."},		{"a/..", "."},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = pd_exact_clean_path(cases[i][0]);
		if (strcmp(got, cases[i][1]) != 0)
			fail_msg("Clean(%s) = %s, want %s", cases[i][0], got, cases[i][1]);
		pd_free(got);
	}
}

/* The SelectMergeProfile request as protobuf: fields 1-4, no NUL byte. */
static void test_merge_profile_body(void **s)
{
	(void)s;
	pd_buf b;
	pd_buf_init(&b, 0);
	assert_true(pd_pyro_merge_profile_body("t:cpu:ns:cpu:ns", "{}", 1777622400000, 300, 0, &b));
	static const unsigned char want[] = {0x0a, 0x0f, 't', ':', 'c', 'p', 'u', ':', 'n', 's', ':',
					     'c', 'p', 'u', ':', 'n', 's', 0x12, 0x02, '{', '}',
					     0x18, 0x80, 0xf8, 0xb4, 0x94, 0xde, 0x33, 0x20, 0xac,
					     0x02};
	assert_int_equal(b.len, sizeof want);
	assert_memory_equal(b.data, want, sizeof want);
	assert_int_equal(strlen(b.data), b.len);
	pd_buf_fini(&b);
	char *j = pd_pyro_flamegraph_body("t:cpu:ns:cpu:ns", "{a=\"b\"}", 1, 2, 16);
	assert_string_equal(j, "{\"profileTypeID\":\"t:cpu:ns:cpu:ns\",\"labelSelector\":\"{a=\\\"b\\\"}\","
			       "\"start\":1,\"end\":2,\"maxNodes\":16,\"format\":\"PROFILE_FORMAT_FLAMEGRAPH\"}");
	pd_free(j);
}

/* Every allocation fails in turn: a clean PD_EINTERNAL each time (ASan checks leaks). */
static void test_alloc_failures(void **s)
{
	(void)s;
	pb b;
	recursion_profile(&b);
	size_t n, gn;
	uint8_t *d = pack(&b, &n), *g = gzip(d, n, &gn);
	struct {
		const void *data;
		size_t len;
		bool lines;
	} in[] = {{g, gn, false}, {g, gn, true}, {fg_json, strlen(fg_json), false}};
	for (size_t k = 0; k < sizeof in / sizeof in[0]; k++) {
		pd_exact_opts o;
		pd_exact_opts_init(&o);
		o.lines = in[k].lines;
		for (long i = 1;; i++) {
			pd_profile *p = NULL;
			pd_error err = {0};
			pd_alloc_fail_at(i);
			pd_status rc = pd_exact_parse_any("x", in[k].data, in[k].len, &o, &p, &err);
			pd_alloc_fail_at(0);
			if (rc == PD_OK) {
				assert_true(i > 3);
				pd_profile_free(p);
				break;
			}
			if (rc != PD_EINTERNAL)
				fail_msg("input %zu, allocation %ld: %d %s", k, i, rc, err.msg);
			assert_null(p);
		}
	}
	free(d);
	free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recursion_and_inlining),
		cmocka_unit_test(test_sample_index),
		cmocka_unit_test(test_units_and_names),
		cmocka_unit_test(test_short_names),
		cmocka_unit_test(test_bad_pprof),
		cmocka_unit_test(test_wire_forms),
		cmocka_unit_test(test_sniff),
		cmocka_unit_test(test_clean_path),
		cmocka_unit_test(test_merge_profile_body),
		cmocka_unit_test(test_alloc_failures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
