/* Exact inputs: pprof protobuf (.pb.gz, .pb) and Pyroscope flamegraph JSON -> the same
 * pd_profile the DOT parser builds (src/parse/parse.h), with exact integer values: flat,
 * cum counted once per stack (pprof's semantics), caller->callee edges. Nothing is
 * trimmed unless the input holds Pyroscope's synthetic `other` node. Profiles built
 * here are freed with pd_profile_free like any other. */
#ifndef PD_EXACT_H
#define PD_EXACT_H

#include <stdbool.h>
#include <stddef.h>

#include "parse/parse.h"

typedef struct pd_exact_opts {
	/* pprof's -sample_index: a number or a sample type name ("alloc_space"; an
	 * "inuse_" prefix may be left out, as pprof allows); NULL or "" = pprof's default
	 * (default_sample_type when set, else the last sample type). */
	const char *sample_index;
	/* One node per function + file:line, like `pprof -lines` and Pyroscope's DOT.
	 * Function-level tables then sum line nodes (cum becomes an upper bound), as
	 * they do for such DOTs; leave it off for exact function cums. pprof only:
	 * flamegraphs carry no lines. */
	bool lines;
	/* Flamegraph only: the Pyroscope profile type ID
	 * ("process_cpu:cpu:nanoseconds:cpu:nanoseconds") giving type and unit, which
	 * the JSON does not carry. NULL: a top-level "profileTypeID" key of the JSON, or
	 * the legacy flamebearer's metadata, else type unknown and unit unknown. */
	const char *profile_type;
	/* DOT input: the flags for pd_profile_parse_flags (the CLI's PD_PARSE_ARENA). */
	unsigned dot_flags;
	/* The input bounds (NULL: the defaults): max_input also bounds a file read and
	 * what a .gz inflates to; the rest apply to DOT input. */
	const pd_parse_limits *limits;
} pd_exact_opts;

void pd_exact_opts_init(pd_exact_opts *o);

typedef enum pd_input_kind {
	PD_INPUT_DOT,        /* anything else: handed to the DOT parser */
	PD_INPUT_PPROF,      /* gzip, or binary that starts like a profile.proto message */
	PD_INPUT_FLAMEGRAPH, /* JSON (first non-blank byte '{') */
	PD_INPUT_KINDS
} pd_input_kind;

/* What data[0..len) looks like, from its first bytes. Gzip is PD_INPUT_PPROF (gzipped
 * JSON is recognised by pd_exact_parse_any after inflating). */
pd_input_kind pd_exact_sniff(const void *data, size_t len);

/* Parses a pprof profile, gzipped or not. source names the input in messages.
 * Errors: PD_EINPUT (bad gzip, bad protobuf, out-of-range indices, unknown sample
 * index, no sample types), PD_EINTERNAL (out of memory). */
pd_status pd_pprof_parse(const char *source, const void *data, size_t len,
			 const pd_exact_opts *o, pd_profile **out, pd_error *err);

/* Parses SelectMergeStacktraces' flamegraph JSON ({"flamegraph":{names,levels,total}},
 * int64 as strings or numbers), the bare flamegraph object, or /render's legacy
 * flamebearer ({"flamebearer":{names,levels:[[...]]},"metadata":{...}}).
 * Errors: PD_EINPUT (not JSON, wrong shape, a node outside its parent, a name index
 * out of range, overflow), PD_EINTERNAL (out of memory). */
pd_status pd_flamegraph_parse(const char *source, const char *data, size_t len,
			      const pd_exact_opts *o, pd_profile **out, pd_error *err);

/* Sniffs and dispatches: pprof (inflating gzip first; gzipped JSON goes to the
 * flamegraph reader), flamegraph JSON, or DOT (pd_profile_parse_flags with
 * o->dot_flags). o may be NULL. */
pd_status pd_exact_parse_any(const char *source, const void *data, size_t len,
			     const pd_exact_opts *o, pd_profile **out, pd_error *err);
/* Reads path ("-" = stdin, named "<stdin>") and calls pd_exact_parse_any: what the
 * CLI's `diff` uses so a .pb.gz, a .pb, a flamegraph JSON or a DOT all just work. */
pd_status pd_exact_read_any(const char *path, const pd_exact_opts *o, pd_profile **out,
			    pd_error *err);

/* Inflates gzip data into out (appending); refuses output beyond out->limit (or
 * 1 GiB when out has no limit). Errors: PD_EINPUT (corrupt, truncated, too large),
 * PD_EINTERNAL (out of memory). Shared with tests and the emulator. */
pd_status pd_gunzip(const char *source, const void *data, size_t len, pd_buf *out,
		    pd_error *err);

/* pprof's ShortenFunctionName (Go 1.19's google/pprof) with "::" -> ".": the name the
 * DOT label's name lines give when joined by '.'. Returns a new string or NULL (OOM). */
char *pd_exact_short_name(const char *name);

#endif
