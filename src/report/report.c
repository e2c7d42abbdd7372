/* pd_report dispatcher and the helpers every output format shares (report.h): row
 * selection, delta/percentage/interval text, header facts and warnings, and the one
 * escaping engine. Percentages here are fixed precision so output is deterministic. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/names.h"
#include "report/report.h"
#include "report/verdict.h"

pd_status pd_report(const pd_diff *d, pd_format f, const pd_report_opts *o, pd_buf *out,
		    pd_error *err)
{
	return pd_report_gated(d, NULL, f, o, out, err);
}

pd_status pd_report_gated(const pd_diff *d, const pd_report_gate *g, pd_format f,
			  const pd_report_opts *o, pd_buf *out, pd_error *err)
{
	switch (f) {
	case PD_FORMAT_TEXT:
		return pd_report_text_gated(d, g, o, out, err);
	case PD_FORMAT_JSON:
		return pd_report_json_gated(d, g, o, out, err);
	case PD_FORMAT_MARKDOWN:
		return pd_report_markdown_gated(d, g, o, out, err);
	default:
		return pd_error_set(err, PD_EUSAGE, "unknown report format %d", (int)f);
	}
}

size_t pd_report_shown(const pd_diff *d, const pd_report_opts *o)
{
	if (o && o->top && o->top < d->nrows)
		return o->top;
	return d->nrows;
}

int64_t pd_vals_get(const pd_vals *v, pd_metric m)
{
	return m == PD_METRIC_CUM ? v->cum : v->flat;
}

const char *pd_metric_name(pd_metric m)
{
	const char *name = pd_enum_name(&pd_metric_names, (int)m);
	return name ? name : pd_metric_names.names[PD_METRIC_FLAT];
}

void pd_report_delta(char *dst, size_t size, const pd_diff *d, const pd_diff_row *r,
		     pd_metric m)
{
	int64_t lo = pd_vals_get(&r->delta_min, m), hi = pd_vals_get(&r->delta_max, m);
	if (r->status == PD_ROW_HIDDEN && lo != hi) {
		char a[48], b[48];
		pd_value_format(a, sizeof a, lo, d->unit, true);
		pd_value_format(b, sizeof b, hi, d->unit, true);
		snprintf(dst, size, "%s..%s", a, b);
		return;
	}
	pd_value_format(dst, size, pd_vals_get(&r->delta, m), d->unit, true);
}

bool pd_report_pct_value(int64_t delta, int64_t base, double *pct)
{
	if (base == 0)
		return false;
	*pct = (double)delta / (double)base * 100.0;
	return true;
}

/* "%+.1f%%" but never "-0.0%". */
static void put_pct(char *dst, size_t size, double pct)
{
	if (fabs(pct) < 0.05)
		pct = 0.0;
	snprintf(dst, size, "%+.1f%%", pct);
}

void pd_report_pct(char *dst, size_t size, const pd_diff_row *r, pd_metric m)
{
	int64_t base = pd_vals_get(&r->base, m);
	double lo, hi;
	if (r->status == PD_ROW_NEW) {
		snprintf(dst, size, "new");
	} else if (!r->in_base || !pd_report_pct_value(pd_vals_get(&r->delta_min, m), base, &lo)) {
		snprintf(dst, size, "n/a");
	} else if (r->status == PD_ROW_HIDDEN &&
		   pd_vals_get(&r->delta_min, m) != pd_vals_get(&r->delta_max, m)) {
		char a[48], b[48];
		pd_report_pct_value(pd_vals_get(&r->delta_max, m), base, &hi);
		put_pct(a, sizeof a, lo);
		put_pct(b, sizeof b, hi);
		snprintf(dst, size, "%s..%s", a, b);
	} else {
		pd_report_pct_value(pd_vals_get(&r->delta, m), base, &lo);
		put_pct(dst, size, lo);
	}
}

void pd_report_side(char *dst, size_t size, const pd_diff *d, const pd_diff_row *r,
		    pd_metric m, bool new_side)
{
	bool present = new_side ? r->in_new : r->in_base;
	if (r->status == PD_ROW_HIDDEN && !present) {
		snprintf(dst, size, "?");
		return;
	}
	pd_value_format(dst, size, pd_vals_get(new_side ? &r->head : &r->base, m), d->unit, false);
}

void pd_report_of_total(char *dst, size_t size, const pd_diff *d, int64_t v)
{
	char val[48];
	pd_value_format(val, sizeof val, v, d->unit, true);
	double pct;
	if (!pd_report_pct_value(v, d->base_total, &pct)) {
		snprintf(dst, size, "%s", val);
		return;
	}
	if (fabs(pct) < 0.005)
		pct = 0.0;
	snprintf(dst, size, "%s (%+.2f%%)", val, pct);
}

double pd_report_score(const pd_diff *d, int64_t v)
{
	if (d->base_total == 0)
		return 0.0;
	return (double)v / fabs((double)d->base_total);
}

const char *const pd_report_header[PD_COLS] = {
	[PD_COL_RANK] = "rank",	  [PD_COL_DFLAT] = "\xce\x94" "flat", [PD_COL_DPCT] = "\xce\x94%",
	[PD_COL_BASE] = "base",	  [PD_COL_NEW] = "new",	       [PD_COL_DCUM] = "\xce\x94" "cum",
	[PD_COL_STATUS] = "status", [PD_COL_NAME] = "name",
};

void pd_report_cells_fill(const pd_diff *d, size_t i, pd_report_cells *c)
{
	const pd_diff_row *r = &d->rows[i];
	pd_metric by = d->opts.by;
	for (int k = 0; k <= PD_COL_DCUM; k++)
		c->cell[k] = c->store[k];
	snprintf(c->store[PD_COL_RANK], PD_CELL, "%zu", i + 1);
	pd_report_delta(c->store[PD_COL_DFLAT], PD_CELL, d, r, PD_METRIC_FLAT);
	pd_report_pct(c->store[PD_COL_DPCT], PD_CELL, r, by);
	pd_report_side(c->store[PD_COL_BASE], PD_CELL, d, r, by, false);
	pd_report_side(c->store[PD_COL_NEW], PD_CELL, d, r, by, true);
	pd_report_delta(c->store[PD_COL_DCUM], PD_CELL, d, r, PD_METRIC_CUM);
	c->cell[PD_COL_STATUS] = pd_row_status_name(r->status);
	c->cell[PD_COL_NAME] = r->name ? r->name : "";
}

static pd_report_fact *fact(pd_report_fact *f, size_t *n, const char *key)
{
	pd_report_fact *x = &f[(*n)++];
	x->key = key;
	x->text = x->buf;
	x->literal = false;
	x->buf[0] = '\0';
	return x;
}

static void literal_fact(pd_report_fact *f, size_t *n, const char *key, const char *s)
{
	pd_report_fact *x = fact(f, n, key);
	x->text = s ? s : "";
	x->literal = true;
}

/* "1.50s (15.00%)": a side's other value and its share of that side's own total. */
static void other_share(char *dst, size_t size, const pd_profile_info *p, pd_unit unit)
{
	char v[32];
	pd_value_format(v, sizeof v, p->other, unit, false);
	if (p->total > 0)
		snprintf(dst, size, "%s (%.2f%%)", v, (double)p->other / (double)p->total * 100.0);
	else
		snprintf(dst, size, "%s", v);
}

size_t pd_report_facts(const pd_diff *d, pd_report_fact *f)
{
	size_t n = 0;
	char a[48], b[48];
	pd_report_fact *x;

	literal_fact(f, &n, "base", d->base.source);
	literal_fact(f, &n, "new", d->head.source);
	if (d->base.type && d->head.type && strcmp(d->base.type, d->head.type) != 0) {
		x = fact(f, &n, "type"); /* only under --force */
		snprintf(x->buf, sizeof x->buf, "%.100s \xe2\x86\x92 %.100s", d->base.type,
			 d->head.type);
		x->literal = true;
	} else if (d->base.type) {
		literal_fact(f, &n, "type", d->base.type);
	}

	x = fact(f, &n, "total");
	pd_value_format(a, sizeof a, d->base_total, d->unit, false);
	pd_value_format(b, sizeof b, d->new_total, d->unit, false);
	snprintf(x->buf, sizeof x->buf, "%s \xe2\x86\x92 %s", a, b);

	/* The share of each side that Pyroscope cut into "other": what the diff cannot
	 * attribute to functions (pyroscope-api.md 4.6). */
	if (d->base.has_other || d->head.has_other) {
		x = fact(f, &n, "in other");
		other_share(a, sizeof a, &d->base, d->unit);
		other_share(b, sizeof b, &d->head, d->unit);
		snprintf(x->buf, sizeof x->buf, "base %s, new %s; stacks Pyroscope cut off: in the totals, in no row", a, b);
	}

	x = fact(f, &n, "net change");
	pd_report_of_total(x->buf, sizeof x->buf, d, d->new_total - d->base_total);

	x = fact(f, &n, "normalize");
	if (d->opts.normalize == PD_NORMALIZE_TOTAL) {
		pd_value_format(a, sizeof a, d->head.total, d->unit, false);
		snprintf(x->buf, sizeof x->buf, "total (new scaled by %.4f from %s)", d->scale, a);
	} else {
		snprintf(x->buf, sizeof x->buf, "none");
	}

	x = fact(f, &n, "granularity");
	const char *gran = pd_enum_name(&pd_granularity_names, (int)d->opts.granularity);
	snprintf(x->buf, sizeof x->buf, "%s", gran ? gran : "?");

	x = fact(f, &n, "ranked by");
	snprintf(x->buf, sizeof x->buf, "|\xce\x94%s| (\xce\x94%%, base and new are %s)",
		 pd_metric_name(d->opts.by), pd_metric_name(d->opts.by));

	size_t count[PD_ROW_STATUS_KINDS] = {0};
	for (size_t i = 0; i < d->nrows; i++)
		if ((unsigned)d->rows[i].status < PD_ROW_STATUS_KINDS)
			count[d->rows[i].status]++;
	x = fact(f, &n, "functions");
	size_t len = (size_t)snprintf(x->buf, sizeof x->buf, "%zu", d->nrows);
	const char *sep = " (";
	for (int s = 0; s < PD_ROW_STATUS_KINDS && len < sizeof x->buf; s++) {
		if (!count[s])
			continue;
		len += (size_t)snprintf(x->buf + len, sizeof x->buf - len, "%s%s %zu", sep,
					pd_row_status_name((pd_row_status)s), count[s]);
		sep = ", ";
	}
	if (len < sizeof x->buf && *sep == ',')
		len += (size_t)snprintf(x->buf + len, sizeof x->buf - len, ")");
	if (d->nfiltered && len < sizeof x->buf)
		snprintf(x->buf + len, sizeof x->buf - len, "; %zu filtered out by focus/ignore",
			 d->nfiltered);

	if (d->opts.focus)
		literal_fact(f, &n, "focus", d->opts.focus);
	if (d->opts.ignore)
		literal_fact(f, &n, "ignore", d->opts.ignore);
	return n;
}

size_t pd_report_warnings(const pd_diff *d, pd_warning w[PD_REPORT_WARN_MAX])
{
	size_t n = 0, upper = 0, hidden = 0;
	const pd_profile_info *sides[2] = {&d->base, &d->head};
	if (d->forced)
		w[n++] = (pd_warning){.kind = PD_WARN_FORCED};
	for (int i = 0; i < 2; i++)
		if (sides[i]->other_undeclared)
			w[n++] = (pd_warning){.kind = PD_WARN_UNDECLARED, .head = i == 1,
					      .count = sides[i]->other_undeclared};
	for (int i = 0; i < 2; i++)
		if (sides[i]->trimmed)
			w[n++] = (pd_warning){.kind = PD_WARN_TRIMMED, .head = i == 1};
	/* A trimmed line-level side can hold some lines of a function and not others. */
	for (int i = 0; i < 2; i++)
		if (sides[i]->trimmed && sides[i]->has_lines &&
		    d->opts.granularity == PD_GRAN_FUNCTION)
			w[n++] = (pd_warning){.kind = PD_WARN_TRIMMED_LINES, .head = i == 1};
	if (d->short_names)
		w[n++] = (pd_warning){.kind = PD_WARN_SHORT_NAMES};
	for (size_t i = 0; i < d->nrows; i++) {
		upper += d->rows[i].cum_upper_bound;
		hidden += d->rows[i].status == PD_ROW_HIDDEN;
	}
	if (upper)
		w[n++] = (pd_warning){.kind = PD_WARN_CUM_UPPER_BOUND, .count = upper};
	if (hidden)
		w[n++] = (pd_warning){.kind = PD_WARN_HIDDEN, .count = hidden};
	return n;
}

static void trim_sentence(pd_buf *b, const char *side, const pd_profile_info *p, pd_unit unit)
{
	char c[48];
	const char *sep = " (";
	pd_buf_printf(b, "the %s input is trimmed", side);
	if (p->dropped_nodes) {
		pd_value_format(c, sizeof c, p->node_cutoff, unit, false);
		pd_buf_printf(b, "%sdropped %ld nodes with cum <= %s", sep, p->dropped_nodes, c);
		sep = "; ";
	}
	if (p->top_k) {
		pd_buf_printf(b, "%sshowing top %ld of %ld nodes", sep, p->top_k, p->top_of);
		sep = "; ";
	}
	if (p->has_other) {
		pd_value_format(c, sizeof c, p->other, unit, false);
		pd_buf_printf(b, "%s%s cut into \"other\"", sep, c);
		sep = "; ";
	}
	pd_buf_printf(b, "%s: functions missing from it are \"hidden\" and their change is only "
			 "known within an interval",
		      *sep == ';' ? ")" : "");
}

bool pd_report_warning_shown(pd_warning_kind k, pd_warning_style style)
{
	/* A report says what the summary's hidden count says in its trimmed warnings and
	 * status column; the summary keeps to what can change how a reader joins names. */
	if (style == PD_WARN_SUMMARY)
		return k == PD_WARN_SHORT_NAMES || k == PD_WARN_HIDDEN || k == PD_WARN_UNDECLARED ||
		       k == PD_WARN_FORCED;
	return k != PD_WARN_HIDDEN;
}

static const char *const warning_names[PD_WARN_KINDS] = {
	[PD_WARN_TRIMMED] = "trimmed",
	[PD_WARN_TRIMMED_LINES] = "trimmed_lines",
	[PD_WARN_SHORT_NAMES] = "short_names",
	[PD_WARN_CUM_UPPER_BOUND] = "cum_upper_bound",
	[PD_WARN_HIDDEN] = "hidden",
	[PD_WARN_UNDECLARED] = "undeclared_other",
	[PD_WARN_FORCED] = "forced",
};

const char *pd_report_warning_name(pd_warning_kind k)
{
	return (unsigned)k < PD_WARN_KINDS ? warning_names[k] : "unknown";
}

void pd_report_warning_text(pd_buf *b, const pd_diff *d, const pd_warning *w,
			    pd_warning_style style)
{
	const char *side = w->head ? "new" : "base";
	switch (w->kind) {
	case PD_WARN_TRIMMED:
		trim_sentence(b, side, w->head ? &d->head : &d->base, d->unit);
		break;
	case PD_WARN_TRIMMED_LINES:
		pd_buf_printf(b, "the %s input is trimmed and line-level: a function's value there "
				 "sums only its kept lines, so it may be too low",
			      side);
		break;
	case PD_WARN_SHORT_NAMES:
		pd_buf_puts(b, style == PD_WARN_SUMMARY
				       ? "an input has no tooltips (cleaned DOT): functions are joined "
					 "on shortened names, which can collide"
				       : "an input has no tooltips: functions were joined on shortened "
					 "label names, which can collide");
		break;
	case PD_WARN_CUM_UPPER_BOUND:
		pd_buf_printf(b, "the cum of %zu function%s is an upper bound (line-level input: "
				 "recursion counts a sample more than once)",
			      w->count, w->count == 1 ? "" : "s");
		break;
	case PD_WARN_UNDECLARED: {
		const pd_profile_info *p = w->head ? &d->head : &d->base;
		char v[48];
		pd_value_format(v, sizeof v, p->other, d->unit, false);
		pd_buf_printf(b, "the %s input names %zu node%s only in edges (a cleanup deleted "
				 "the node line, as mcp-grafana up to v1.0 does with Pyroscope's "
				 "\"other\"): read as \"other\", holding %s",
			      side, w->count, w->count == 1 ? "" : "s",
			      p->has_total ? v : "an unknown value (no legend)");
		break;
	}
	case PD_WARN_FORCED:
		pd_buf_puts(b, "the inputs have different sample types or units and were diffed "
			       "anyway (--force): their numbers may not be comparable");
		break;
	case PD_WARN_HIDDEN:
		pd_buf_printf(b, "%zu function(s) are missing from a trimmed input; their change "
				 "is reported as an interval (status 'hidden')",
			      w->count);
		break;
	default:
		break;
	}
}

/* Length of the valid UTF-8 sequence at s that XML allows, or 0. */
static size_t utf8_ok(const unsigned char *s)
{
	unsigned c = s[0];
	size_t n;
	uint32_t cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) /* also stops at the terminating NUL */
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp == 0xfffe || cp == 0xffff)
		return 0;
	return n;
}

const pd_escape pd_escape_text = {.bad = "\\x", .bad_hex = true};

bool pd_put_escaped(pd_buf *b, const char *s, const pd_escape *e)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	const unsigned char *run = p; /* start of bytes passed through unchanged */
	while (*p) {
		unsigned c = *p;
		const char *rep = NULL;
		size_t n = 1;
		bool bad = false;
		if (c < 0x80) {
			rep = e->ascii[c];
			if (!rep && (c < 0x20 || c == 0x7f) && !e->keep_controls)
				bad = true;
		} else if (!(n = utf8_ok(p))) {
			n = 1;
			bad = true;
		}
		if (!rep && !bad) {
			p += n;
			continue;
		}
		pd_buf_append(b, (const char *)run, (size_t)(p - run));
		if (rep) {
			pd_buf_puts(b, rep);
		} else {
			pd_buf_puts(b, e->bad);
			if (e->bad_hex)
				pd_buf_printf(b, "%02x", c);
		}
		p += n;
		run = p;
	}
	pd_buf_append(b, (const char *)run, (size_t)(p - run));
	return !b->failed;
}

size_t pd_text_width(const char *s)
{
	size_t w = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		w += (*p & 0xc0) != 0x80;
	return w;
}
