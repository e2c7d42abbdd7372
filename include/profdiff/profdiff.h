/* profdiff: public API of the profile-diff engine.
 * Data path: pd_profile_parse (DOT text -> node list) -> pd_diff_new (per-function
 * tables joined, truncation-aware) -> pd_report_* / pd_diff_dot (text, JSON, Markdown,
 * DOT, SVG). The library never prints and never exits; every fallible call returns a
 * pd_status and fills a caller-owned pd_error. Arguments are borrowed unless noted.
 * Link with `pkg-config --cflags --libs --static profdiff`. */
#ifndef PROFDIFF_H
#define PROFDIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Compiles as C11 and C++. "head" is the NEW input of a diff (C++ reserves `new`). */
#ifdef __cplusplus
extern "C" {
#endif

#define PD_VERSION "0.1.0"

/* Status codes double as the CLI's exit codes (documented in README and --help). */
typedef enum pd_status {
	PD_OK = 0,
	PD_REGRESSION = 1, /* a gate found a regression */
	PD_EUSAGE = 2,     /* bad flags or arguments */
	PD_EINPUT = 3,     /* unreadable, malformed or incompatible input; fetch failure */
	PD_ENODATA = 4,    /* not enough data to decide (empty profile, empty window) */
	PD_EINTERNAL = 5   /* out of memory, bug, I/O failure writing output */
} pd_status;

typedef struct pd_error {
	pd_status code;
	char msg[1024]; /* one line, no trailing newline, never holds a secret */
} pd_error;

/* Formats msg into err (when err is not NULL) and returns code. For callers that report
 * their own failures (a CLI's usage errors) in the same shape as the library's. */
pd_status pd_error_set(pd_error *err, pd_status code, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

/* ---- growable text buffer with a size cap ---------------------------------------- */
/* Reports are appended to a caller's pd_buf. Callers read data and len (and may append
 * text of their own); cap and failed belong to the buffer. pd_buf_fini frees data. */
typedef struct pd_buf {
	char *data;   /* NULL until the first append, then always NUL-terminated */
	size_t len;
	size_t cap;
	size_t limit; /* 0 = unlimited; an append past it fails */
	bool failed;  /* sticky: an append failed (out of memory or over limit) and every
		       * later one fails too, so a caller may check once at the end */
	bool over_limit; /* the failure was the limit, not memory */
} pd_buf;

void pd_buf_init(pd_buf *b, size_t limit);
void pd_buf_fini(pd_buf *b); /* NULL is a no-op; b is left as pd_buf_init(b, 0) left it */
/* Appends; false (contents unchanged, failed set) when over limit or out of memory. */
bool pd_buf_append(pd_buf *b, const char *s, size_t n);
bool pd_buf_puts(pd_buf *b, const char *s);
bool pd_buf_printf(pd_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/* Appends the whole file at path to buf; "-" reads standard input to its end. Fails with
 * PD_EINPUT naming path (cannot open, a directory, read error, larger than buf->limit)
 * or PD_EINTERNAL when out of memory; on failure buf may hold part of the file. */
pd_status pd_read_file(const char *path, pd_buf *buf, pd_error *err);

/* ---- units ------------------------------------------------------------------------ */
/* Every value is an integer in the family's base unit. */
typedef enum pd_unit {
	PD_UNIT_UNKNOWN, /* no unit-bearing value seen yet */
	PD_UNIT_COUNT,   /* bare numbers */
	PD_UNIT_NANOS,   /* ns us ms s hrs */
	PD_UNIT_BYTES,   /* B kB MB GB TB PB, powers of 1024 */
	PD_UNIT_NGCU,    /* n*GCU .. P*GCU, base unit nano-GCU */
	PD_UNIT_KINDS
} pd_unit;

/* "count", "nanoseconds", "bytes", "nanogcu"; "unknown" for PD_UNIT_UNKNOWN. */
const char *pd_unit_name(pd_unit u);

/* Parses one pprof value ("10.50s", "-0.53s", "12650ms", "0.09kB", "4000", "0").
 * On success sets *out (rounded to the nearest base unit), *unit (PD_UNIT_UNKNOWN for
 * "0" alone, PD_UNIT_COUNT for other bare numbers) and, if res is not NULL, *res to
 * half a unit of the last printed digit, in base units (the rounding uncertainty).
 * Fails (PD_EINPUT) on unknown units, junk and overflow of int64. */
pd_status pd_value_parse(const char *s, size_t n, int64_t *out, pd_unit *unit, int64_t *res,
			 pd_error *err);

/* Formats v for humans in the best-fitting unit of the family, pprof style
 * ("1.50s", "-320ms", "12.25MB", "4000"). With sign, positive values get a '+'.
 * Writes at most size bytes (size >= 32 is always enough). Returns dst. */
char *pd_value_format(char *dst, size_t size, int64_t v, pd_unit u, bool sign);

/* ---- profiles -------------------------------------------------------------------- */
typedef struct pd_profile pd_profile;

/* What the legend (and the file as a whole) said. Strings belong to the profile. */
typedef struct pd_profile_info {
	const char *source;   /* name given to pd_profile_parse, e.g. the path */
	const char *title;    /* digraph name, e.g. "api" or "unnamed" */
	const char *type;     /* "Type:" legend line, e.g. "cpu"; NULL when absent */
	pd_unit unit;         /* family of the values in this file */
	int64_t total;        /* "of T total"; when no legend: sum of node flats */
	bool has_total;       /* the legend gave T */
	int64_t shown;        /* "Showing nodes accounting for X" (sum of shown flat) */
	int64_t duration_ns;  /* "Duration:" line, 0 when absent */
	long dropped_nodes;   /* "Dropped N nodes (cum <= C)", 0 when absent */
	int64_t node_cutoff;  /* C */
	long dropped_edges;   /* "Dropped N edges (freq <= F)" */
	int64_t edge_cutoff;  /* F */
	long top_k, top_of;   /* "Showing top K nodes out of M", 0 when absent */
	bool trimmed;         /* anything was left out of this file */
	bool has_tooltips;    /* every function node carried a tooltip (full names) */
	bool has_lines;       /* nodes are per file:line (pprof -lines, Pyroscope) */
	bool has_negative;    /* some value was negative: the file is itself a diff */
	size_t nodes;         /* function nodes parsed (nodelets and legend excluded) */
	size_t edges;         /* call edges parsed (edges to nodelets excluded) */
	/* Pyroscope's synthetic "other" node: the stacks it cut server-side (its flat, or
	 * for undeclared nodes the legend's "accounting for" minus the declared flats).
	 * A profile with one counts as trimmed; "other" is in the total, never a row. */
	bool has_other;
	int64_t other;
	size_t other_undeclared; /* N<k> ids that only edges name (a cleanup deleted their
				  * node lines, as mcp-grafana up to v1.0 does with "other"):
				  * read as "other" */
} pd_profile_info;

/* Parses one DOT call graph held in data[0..len) (need not be NUL-terminated).
 * source names the input in error messages. On success *out owns copies of every
 * string it needs (the libcgraph graph is closed before returning).
 * Errors: PD_EINPUT for empty, binary, malformed or non-profile input, unknown units,
 * overflow; PD_EINTERNAL for out of memory. */
pd_status pd_profile_parse(const char *source, const char *data, size_t len, pd_profile **out,
			   pd_error *err);
/* Reads path ("-" = stdin) and parses it. */
pd_status pd_profile_read(const char *path, pd_profile **out, pd_error *err);
void pd_profile_free(pd_profile *p);
const pd_profile_info *pd_profile_get_info(const pd_profile *p);

/* ---- diff ------------------------------------------------------------------------- */
typedef enum pd_metric { PD_METRIC_FLAT, PD_METRIC_CUM, PD_METRIC_KINDS } pd_metric;
typedef enum pd_normalize { PD_NORMALIZE_NONE, PD_NORMALIZE_TOTAL, PD_NORMALIZE_KINDS } pd_normalize;
typedef enum pd_granularity { PD_GRAN_FUNCTION, PD_GRAN_LINE, PD_GRAN_KINDS } pd_granularity;

typedef enum pd_row_status {
	PD_ROW_CHANGED,
	PD_ROW_UNCHANGED,
	PD_ROW_NEW,     /* absent from an untrimmed base */
	PD_ROW_REMOVED, /* absent from an untrimmed new side */
	PD_ROW_HIDDEN,  /* absent from a trimmed side: delta known only within bounds */
	PD_ROW_STATUS_KINDS
} pd_row_status;

const char *pd_row_status_name(pd_row_status s); /* "changed", "unchanged", ... */

typedef struct pd_vals {
	int64_t flat;
	int64_t cum;
} pd_vals;

typedef struct pd_diff_row {
	const char *name;       /* join key: full function name (or "name file:line") */
	const char *short_name; /* label-style name for graphs, e.g. "pricing.Quote" */
	pd_row_status status;
	bool in_base, in_new;   /* present as a node in that file */
	pd_vals base, head;     /* 0 where absent (see bound_* for hidden rows) */
	pd_vals delta;          /* new - base; for hidden rows the bound nearest zero */
	pd_vals delta_min, delta_max; /* == delta except for hidden rows */
	pd_vals tol;            /* rounding tolerance of delta (both files' last digit) */
	bool cum_upper_bound;   /* cum summed over several line nodes (recursion overcounts) */
	double share_base, share_new; /* flat / side total, 0..1; NaN when that total is 0 */
} pd_diff_row;

typedef struct pd_diff_edge {
	size_t from, to;        /* indices into pd_diff.rows */
	int64_t base, head, delta;
	bool in_base, in_new;
	bool residual;          /* dotted in some input: a path through trimmed nodes */
	bool inlined;           /* "(inline)" in some input */
	bool unweighted;        /* an input had no edge weights (DOT cleaned by mcp-grafana) */
} pd_diff_edge;

typedef struct pd_diff_opts {
	pd_metric by;
	pd_normalize normalize;
	pd_granularity granularity;
	const char *focus;  /* POSIX ERE on the full name, or NULL */
	const char *ignore; /* POSIX ERE on the full name, or NULL */
	bool force;         /* diff inputs of different sample types or units (a warning) */
} pd_diff_opts;

void pd_diff_opts_init(pd_diff_opts *o);

typedef struct pd_diff {
	pd_profile_info base, head; /* copies; strings still belong to the profiles */
	pd_unit unit;
	pd_diff_opts opts;         /* focus/ignore strings borrowed from the caller */
	double scale;              /* factor applied to the new side (1 without --normalize) */
	int64_t base_total, new_total; /* new_total after scaling */
	bool short_names;          /* a file had no tooltips: joined on label names */
	pd_diff_row *rows;         /* ranked: |delta.<by>| desc, then name */
	size_t nrows;
	size_t nfiltered;          /* rows removed by focus/ignore */
	pd_diff_edge *edges;       /* sorted by |delta| desc, then names */
	size_t nedges;
	bool forced;               /* types or units differ: diffed because of opts.force */
} pd_diff;

/* Joins base and new. The profiles must outlive the diff (rows point at their names).
 * Errors: PD_EINPUT for incompatible inputs (type or unit family differ, unless
 * o->force: then (*out)->forced is set; an input is itself a diff) or values whose sums, differences or --normalize scaling overflow
 * int64, PD_EUSAGE for a bad regex, PD_ENODATA when a side has no samples. */
pd_status pd_diff_new(const pd_profile *base, const pd_profile *head, const pd_diff_opts *o,
		      pd_diff **out, pd_error *err);
void pd_diff_free(pd_diff *d);

/* ---- outputs ---------------------------------------------------------------------- */
typedef enum pd_format { PD_FORMAT_TEXT, PD_FORMAT_JSON, PD_FORMAT_MARKDOWN, PD_FORMAT_KINDS } pd_format;

typedef struct pd_report_opts {
	size_t top;  /* rows to show; 0 = all */
	bool color;  /* ANSI colors (text only) */
} pd_report_opts;

/* Appends the report to out. Output is deterministic for a given diff. */
pd_status pd_report(const pd_diff *d, pd_format f, const pd_report_opts *o, pd_buf *out,
		    pd_error *err);
pd_status pd_report_text(const pd_diff *d, const pd_report_opts *o, pd_buf *out, pd_error *err);
pd_status pd_report_json(const pd_diff *d, const pd_report_opts *o, pd_buf *out, pd_error *err);
pd_status pd_report_markdown(const pd_diff *d, const pd_report_opts *o, pd_buf *out,
			     pd_error *err);

/* Appends the colored diff graph as DOT. max_nodes = 0 means no budget. */
pd_status pd_diff_dot(const pd_diff *d, size_t max_nodes, pd_buf *out, pd_error *err);

/* The largest graph pd_render_svg lays out, in nodes besides the legend. graphviz's dot
 * layout time grows 5-8x per doubling of the graph (measured on bench/gen.py call
 * graphs, 3 edges per node: 1 s at 500 nodes, 5-8 s at 1000, 40 s at 2000), so bigger
 * graphs are refused instead of running for minutes. Nobody reads one that big. */
#define PD_SVG_MAX_NODES 1000
/* PD_OK when the graph pd_diff_dot(d, max_nodes) draws can be laid out (at most
 * PD_SVG_MAX_NODES function nodes); else PD_EUSAGE, with a message that says how to
 * narrow it (--nodes, --focus). Cheap: it counts, it does not lay out. */
pd_status pd_diff_svg_check(const pd_diff *d, size_t max_nodes, pd_error *err);
/* Lays out and renders DOT text to SVG in-process with libgvc. Meant for the DOT that
 * pd_diff_dot writes: any graphviz error or warning fails with PD_EINTERNAL; a graph of
 * more than PD_SVG_MAX_NODES nodes (a node named "legend" not counted) fails with
 * PD_EUSAGE before the layout starts. */
pd_status pd_render_svg(const char *dot, size_t len, pd_buf *out, pd_error *err);

/* Severity in [-1, 1] (the change over the base total) to pprof's dotColor. */
void pd_color_hex(double score, bool background, char out[8]);

#ifdef __cplusplus
}
#endif

#endif
