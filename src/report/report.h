/* Pieces shared by the text, JSON, Markdown and DOT outputs: which rows are shown, how
 * a delta, its percentage or an interval is written, the header facts and warnings,
 * and one escaping engine with a table per output format. Everything here is pure
 * formatting of a pd_diff; nothing allocates except appends to a caller's pd_buf. */
#ifndef PD_REPORT_H
#define PD_REPORT_H

#include "profdiff/profdiff.h"

#define PD_CELL 128 /* room for any cell: two values and an interval */

/* Rows to show: o->top (0 = all) capped at d->nrows. o may be NULL (all). */
size_t pd_report_shown(const pd_diff *d, const pd_report_opts *o);

int64_t pd_vals_get(const pd_vals *v, pd_metric m);
/* "flat" / "cum". */
const char *pd_metric_name(pd_metric m);

/* The change as text: a signed value ("+1.20s", "-320ms", "0"), or for hidden rows the
 * interval delta_min..delta_max ("+1.70s..+2s"). */
void pd_report_delta(char *dst, size_t size, const pd_diff *d, const pd_diff_row *r,
		     pd_metric m);
/* The row's change relative to its own base value for metric m, "%+.1f%%" (an
 * interval for hidden rows); "new" for new rows and "n/a" when the base value is 0. */
void pd_report_pct(char *dst, size_t size, const pd_diff_row *r, pd_metric m);
/* delta / base * 100 when base != 0. */
bool pd_report_pct_value(int64_t delta, int64_t base, double *pct);
/* One side's value; "?" when the row is hidden and absent from that side. */
void pd_report_side(char *dst, size_t size, const pd_diff *d, const pd_diff_row *r,
		    pd_metric m, bool new_side);
/* v with its share of the base total: "+2.15s (+20.48%)"; no percentage when the base
 * total is 0. This is pprof -diff_base's percentage, and the DOT label's. */
void pd_report_of_total(char *dst, size_t size, const pd_diff *d, int64_t v);
/* Color severity of a change: v / base total (0 when the total is 0). */
double pd_report_score(const pd_diff *d, int64_t v);

/* The ranked table's columns, shared by text and Markdown. base/new show the ranked
 * metric (d->opts.by), like Δ%. */
enum { PD_COL_RANK, PD_COL_DFLAT, PD_COL_DPCT, PD_COL_BASE, PD_COL_NEW, PD_COL_DCUM,
       PD_COL_STATUS, PD_COL_NAME, PD_COLS };
extern const char *const pd_report_header[PD_COLS];

typedef struct pd_report_cells {
	const char *cell[PD_COLS]; /* the name cell is the raw, unescaped full name */
	char store[PD_COL_DCUM + 1][PD_CELL];
} pd_report_cells;

/* Cells of d->rows[i], ranked i + 1. */
void pd_report_cells_fill(const pd_diff *d, size_t i, pd_report_cells *c);

/* Header lines shared by every format: key and value, value sometimes untrusted text
 * (a path, a regex) that a format must quote. */
typedef struct pd_report_fact {
	const char *key;
	const char *text; /* points at buf or at a string of the diff */
	bool literal;     /* user/input text: quote it (Markdown code span) */
	char buf[256];
} pd_report_fact;

#define PD_REPORT_FACTS_MAX 14
/* Fills f (room for PD_REPORT_FACTS_MAX) and returns the count. Order: base, new, type,
 * total, in other (when a side has Pyroscope's "other"), net change, normalize,
 * granularity, ranked by, functions, focus, ignore. */
size_t pd_report_facts(const pd_diff *d, pd_report_fact *f);

/* Warnings a reader must not miss, computed once from a diff as data. Every output
 * (text and Markdown reports, the CLI's stderr summary) renders that list through
 * pd_report_warning_text, where all the wording lives. */
typedef enum pd_warning_kind {
	PD_WARN_TRIMMED,         /* an input was trimmed: its missing functions are hidden */
	PD_WARN_TRIMMED_LINES,   /* ... and is line-level while keyed by function */
	PD_WARN_SHORT_NAMES,     /* an input had no tooltips: joined on short names */
	PD_WARN_CUM_UPPER_BOUND, /* count functions' cum is an upper bound */
	PD_WARN_HIDDEN,          /* count functions are hidden (missing from a trimmed side) */
	PD_WARN_UNDECLARED,      /* count node ids of an input only edges name: read as other */
	PD_WARN_FORCED,          /* the inputs' types or units differ: diffed under --force */
	PD_WARN_KINDS
} pd_warning_kind;

typedef struct pd_warning {
	pd_warning_kind kind;
	bool head;    /* TRIMMED, TRIMMED_LINES, UNDECLARED: the NEW input (else BASE) */
	size_t count; /* CUM_UPPER_BOUND, HIDDEN, UNDECLARED */
} pd_warning;

#define PD_REPORT_WARN_MAX 12
/* Fills w (room for PD_REPORT_WARN_MAX) in the order the reports show them: forced,
 * undeclared nodes of base and new, trimmed base, trimmed new, their line-level notes,
 * short names, cum bounds, hidden rows. Returns the count. */
size_t pd_report_warnings(const pd_diff *d, pd_warning w[PD_REPORT_WARN_MAX]);
/* Two renderings of the list: the reports' (text and Markdown), and the one-line
 * summary a command line prints on stderr, which words some kinds more briefly. */
typedef enum pd_warning_style { PD_WARN_REPORT, PD_WARN_SUMMARY } pd_warning_style;
/* Whether a rendering in style shows kind k. */
bool pd_report_warning_shown(pd_warning_kind k, pd_warning_style style);
/* A stable name for kind k ("trimmed", "undeclared_other", ...), for JSON. */
const char *pd_report_warning_name(pd_warning_kind k);
/* Appends the sentence for w in style (no trailing period; only numbers and our own
 * words, never input text). */
void pd_report_warning_text(pd_buf *b, const pd_diff *d, const pd_warning *w,
			    pd_warning_style style);

/* Escaping engine: printable, valid UTF-8 passes through except the ASCII characters
 * the table replaces; control characters (unless keep_controls), DEL, invalid UTF-8,
 * and U+FFFE/U+FFFF (not allowed in XML/SVG) become `bad` followed, when bad_hex, by
 * two lowercase hex digits of the byte. */
typedef struct pd_escape {
	const char *ascii[128]; /* replacement for an ASCII character; NULL keeps it */
	const char *bad;
	bool bad_hex;
	bool keep_controls;     /* pass control characters to ascii[] / through as-is */
} pd_escape;

bool pd_put_escaped(pd_buf *b, const char *s, const pd_escape *e);

/* Text for a terminal: control characters, DEL and invalid UTF-8 as \xNN, so a name or
 * label value cannot move the cursor, retitle the window or change colors. */
extern const pd_escape pd_escape_text;

/* Display width of UTF-8 text in columns (one per code point; no wide characters). */
size_t pd_text_width(const char *s);

/* The error for a graph of `nodes` nodes, over PD_SVG_MAX_NODES: PD_EUSAGE, saying how
 * to narrow it. Shared by pd_diff_svg_check and pd_render_svg. */
pd_status pd_svg_too_big(size_t nodes, pd_error *err);

/* ---- colors: one severity -> color mapping (pprof's dotColor) feeds the DOT fill
 * colors and the terminal colors, so a row red in the graph is red in the table. The
 * score is a change over the base total, clamped to [-1, 1]; NaN counts as 0. */
/* pprof's dotColor channels for score, each in 0..255 (truncated like pprof). */
void pd_color_rgb(double score, bool background, unsigned char rgb[3]);

/* Whether the foreground color of score is grey (R == G): the change is too small to
 * tint it, under about 0.3% of the base total. The graph fades such nodes and edges as
 * context; the terminal leaves such rows uncolored. */
bool pd_color_is_grey(double score);

/* Text color of faded context in the graph: the lightest grey that keeps a 4.5:1
 * contrast on white (WCAG AA), so faded labels stay legible. */
#define PD_COLOR_FADED_TEXT "#767676"

/* ANSI SGR prefix for a change of this severity: red for increases, green for
 * decreases, bold when the graph color is fully saturated (|score| >= 0.2), and ""
 * when the graph color is grey (the change is too small to tint the foreground color).
 * Static strings; end a colored span with PD_ANSI_RESET. */
const char *pd_color_ansi(double score);

#define PD_ANSI_RESET "\033[0m"

/* Rewrites b in plain ASCII (report_text.c): the reports' own characters (Δ → "d",
 * → "->", … "...", — "--") get fallbacks, any other byte >= 0x80 becomes \xNN. For a
 * terminal whose locale is not UTF-8. b is unchanged on failure (out of memory). */
pd_status pd_report_ascii(pd_buf *b, pd_error *err);

/* ---- html.c: the page of an incident bundle ---- */
struct pd_report_gate; /* report/verdict.h */
/* What the page shows besides the diff; every string is borrowed and escaped. */
typedef struct pd_html_page {
	const char *title;             /* "diff a.dot b.dot", "compare api{...}" */
	const char *const (*facts)[2]; /* extra summary lines (server, windows): key, value */
	size_t nfacts;
	const char *const (*links)[2]; /* label, URL: links back to the data */
	size_t nlinks;
	const char *svg;               /* the rendered graph (pd_render_svg), or NULL */
	size_t svg_len;
	const char *provenance;        /* provenance.json's text, shown as is, or NULL */
	size_t top;                    /* rows in the table; 0 = all */
} pd_html_page;
/* Appends one self-contained HTML page (no network: a Content-Security-Policy forbids
 * every fetch): verdict, summary, links, warnings, the inline SVG, the ranked table
 * (sortable, searchable) and the provenance. g may be NULL (no gate). Fails only when
 * out fails (out of memory, size cap). */
pd_status pd_report_html(const pd_diff *d, const struct pd_report_gate *g,
			 const pd_html_page *p, pd_buf *out, pd_error *err);

#endif
