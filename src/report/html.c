/* The HTML page of an incident bundle: one self-contained file (inline CSS, inline SVG
 * graph, a little inline JS to sort and search the table) that opens offline. A
 * Content-Security-Policy forbids every fetch, so the page can never load anything;
 * links are the caller's (Grafana, Pyroscope). Every piece of input text goes through
 * the escaping table below; the SVG is graphviz's, which escapes names itself. */
#include <math.h>
#include <string.h>

#include "base/base.h"
#include "report/report.h"
#include "report/verdict.h"

static const pd_escape html = {
	.ascii = {['<'] = "&lt;", ['>'] = "&gt;", ['&'] = "&amp;", ['"'] = "&quot;",
		  ['\''] = "&#39;"},
	.bad = "\\x", .bad_hex = true,
};

static void esc(pd_buf *b, const char *s)
{
	pd_put_escaped(b, s ? s : "", &html);
}

static const char style[] =
	"body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}"
	"h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.5em}"
	"table{border-collapse:collapse}td,th{padding:2px 8px;border-bottom:1px solid #ddd}"
	"th{cursor:pointer;background:#f3f3f3;text-align:left;user-select:none}"
	"td.n{text-align:right;font-variant-numeric:tabular-nums}"
	"td.name{font-family:monospace}"
	"tr.up td.d{color:#b00}tr.down td.d{color:#070}"
	".verdict{font-weight:bold;padding:6px 10px;border-radius:4px;display:inline-block}"
	".pass{background:#dfd}.regression{background:#fdd}.inconclusive{background:#ffd}"
	".none{background:#eee}#graph{overflow:auto;border:1px solid #ccc;max-height:80vh}"
	"#graph svg{max-width:100%;height:auto}pre{background:#f6f6f6;padding:8px;overflow:auto}";

/* Sorting: a click on a header sorts by that column (numbers by data-v), again reverses
 * it; "#sort=COL" or "#sort=-COL" in the URL sorts on load (COL is a data-k key), and
 * the search box hides rows whose name does not contain the text. */
static const char script[] =
	"(function(){var t=document.getElementById('rows');if(!t)return;"
	"var tb=t.tBodies[0],hs=t.tHead.rows[0].cells,q=document.getElementById('q');"
	"function val(r,i,num){var c=r.cells[i];return num?parseFloat(c.getAttribute('data-v')):"
	"c.textContent;}"
	"function sort(i,desc){var num=hs[i].getAttribute('data-num')==='1';"
	"var rs=Array.prototype.slice.call(tb.rows);rs.sort(function(a,b){var x=val(a,i,num),"
	"y=val(b,i,num);var c=num?(x-y):(x<y?-1:x>y?1:0);if(c===0)c=a.cells[0].getAttribute("
	"'data-v')-b.cells[0].getAttribute('data-v');return desc?-c:c;});"
	"rs.forEach(function(r){tb.appendChild(r);});"
	"for(var j=0;j<hs.length;j++)hs[j].removeAttribute('aria-sort');"
	"hs[i].setAttribute('aria-sort',desc?'descending':'ascending');}"
	"Array.prototype.forEach.call(hs,function(h,i){h.addEventListener('click',function(){"
	"sort(i,h.getAttribute('aria-sort')==='ascending');});});"
	"q.addEventListener('input',function(){var s=q.value.toLowerCase();"
	"Array.prototype.forEach.call(tb.rows,function(r){var n=r.querySelector('td.name');"
	"r.hidden=s!==''&&n.textContent.toLowerCase().indexOf(s)<0;});});"
	"var m=/^#sort=(-?)([a-z]+)$/.exec(location.hash);if(m){for(var k=0;k<hs.length;k++)"
	"if(hs[k].getAttribute('data-k')===m[2])sort(k,m[1]==='-');}})();";

/* The columns: key for #sort=, header, numeric. */
static const struct col {
	const char *key, *head;
	bool num;
} cols[] = {
	{"rank", "rank", true},	  {"delta", "\xce\x94" "flat", true},
	{"pct", "\xce\x94%", true}, {"base", "base", true},
	{"new", "new", true},	  {"cum", "\xce\x94" "cum", true},
	{"status", "status", false}, {"name", "name", false},
};

static double pct_value(const pd_diff_row *r, pd_metric m)
{
	double p;
	int64_t base = pd_vals_get(&r->base, m);
	if (!pd_report_pct_value(pd_vals_get(&r->delta, m), base, &p))
		return base == 0 && pd_vals_get(&r->head, m) ? 1e300 : 0;
	return p;
}

static void put_rows(pd_buf *b, const pd_diff *d, size_t n)
{
	pd_metric m = d->opts.by;
	pd_buf_puts(b, "<p><label>Search names: <input id=\"q\" type=\"search\"></label> "
		       "(click a column to sort; the page takes #sort=delta or #sort=-delta)</p>\n"
		       "<table id=\"rows\"><thead><tr>");
	for (size_t k = 0; k < sizeof cols / sizeof cols[0]; k++)
		pd_buf_printf(b, "<th data-k=\"%s\" data-num=\"%d\">%s</th>", cols[k].key,
			      cols[k].num, cols[k].head);
	pd_buf_puts(b, "</tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < n; i++) {
		const pd_diff_row *r = &d->rows[i];
		pd_report_cells c;
		pd_report_cells_fill(d, i, &c);
		int64_t dv = pd_vals_get(&r->delta, m);
		double v[PD_COLS] = {
			[PD_COL_RANK] = (double)(i + 1),
			[PD_COL_DFLAT] = (double)dv,
			[PD_COL_DPCT] = pct_value(r, m),
			[PD_COL_BASE] = (double)pd_vals_get(&r->base, m),
			[PD_COL_NEW] = (double)pd_vals_get(&r->head, m),
			[PD_COL_DCUM] = (double)r->delta.cum,
		};
		pd_buf_printf(b, "<tr class=\"%s\">", dv > 0 ? "up" : dv < 0 ? "down" : "same");
		for (int k = 0; k < PD_COLS; k++) {
			if (k == PD_COL_NAME) {
				pd_buf_puts(b, "<td class=\"name\">");
			} else if (k == PD_COL_STATUS) {
				pd_buf_puts(b, "<td>");
			} else {
				pd_buf_printf(b, "<td class=\"n%s\" data-v=\"%.17g\">",
					      k == PD_COL_DFLAT || k == PD_COL_DPCT ? " d" : "", v[k]);
			}
			esc(b, c.cell[k]);
			pd_buf_puts(b, "</td>");
		}
		pd_buf_puts(b, "</tr>\n");
	}
	pd_buf_puts(b, "</tbody></table>\n");
}

static void put_verdict(pd_buf *b, const pd_diff *d, const pd_report_gate *g)
{
	pd_buf_puts(b, "<h2>Verdict</h2>\n");
	if (!g || !g->gated || !g->res) {
		pd_buf_puts(b, "<p><span class=\"verdict none\">no gate</span> (no threshold was "
			       "given: this is a diff, not a verdict)</p>\n");
		return;
	}
	const char *cls = g->res->verdict == PD_VERDICT_PASS ? "pass"
			  : g->res->verdict == PD_VERDICT_REGRESSION ? "regression"
								       : "inconclusive";
	pd_buf line;
	pd_buf_init(&line, 0);
	pd_verdict_summary(&line, d, g);
	pd_buf_printf(b, "<p><span class=\"verdict %s\">", cls);
	esc(b, line.data);
	pd_buf_puts(b, "</span></p>\n<ul>\n");
	for (size_t i = 0; i < g->res->nv; i++) {
		pd_finding_text t;
		pd_finding_describe(d, g, &g->res->v[i], &t);
		pd_buf_printf(b, "<li>%s (%s): <code>", t.state, t.rule);
		esc(b, t.name ? t.name : "total");
		pd_buf_puts(b, "</code> ");
		esc(b, t.change);
		pd_buf_puts(b, ", ");
		esc(b, t.limit);
		pd_buf_puts(b, " (");
		esc(b, t.source);
		pd_buf_puts(b, ")</li>\n");
	}
	pd_buf_puts(b, "</ul>\n");
	if (line.failed) /* out of memory: the page must not go out without it */
		b->failed = true;
	pd_buf_fini(&line);
}

/* The graph: graphviz's SVG without its XML prolog and DOCTYPE, which are not allowed
 * inside HTML. */
static void put_graph(pd_buf *b, const char *svg, size_t len)
{
	pd_buf_puts(b, "<h2>Graph</h2>\n<div id=\"graph\">\n");
	const char *start = svg ? memmem(svg, len, "<svg", 4) : NULL;
	if (start)
		pd_buf_append(b, start, len - (size_t)(start - svg));
	else
		pd_buf_puts(b, "<p>(no graph)</p>");
	pd_buf_puts(b, "\n</div>\n");
}

pd_status pd_report_html(const pd_diff *d, const pd_report_gate *g, const pd_html_page *p,
			 pd_buf *out, pd_error *err)
{
	pd_report_fact facts[PD_REPORT_FACTS_MAX];
	pd_warning w[PD_REPORT_WARN_MAX];
	size_t nf = pd_report_facts(d, facts), nw = pd_report_warnings(d, w);
	pd_buf_puts(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
			 "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
			 "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
			 "<title>profdiff: ");
	esc(out, p->title);
	pd_buf_printf(out, "</title>\n<style>%s</style></head><body>\n<h1>profdiff: ", style);
	esc(out, p->title);
	pd_buf_puts(out, "</h1>\n");
	put_verdict(out, d, g);
	pd_buf_puts(out, "<h2>Summary</h2>\n<table class=\"facts\">\n");
	for (size_t i = 0; i < p->nfacts; i++) {
		pd_buf_puts(out, "<tr><th>");
		esc(out, p->facts[i][0]);
		pd_buf_puts(out, "</th><td>");
		esc(out, p->facts[i][1]);
		pd_buf_puts(out, "</td></tr>\n");
	}
	for (size_t i = 0; i < nf; i++) {
		pd_buf_puts(out, "<tr><th>");
		esc(out, facts[i].key);
		pd_buf_puts(out, "</th><td>");
		esc(out, facts[i].text);
		pd_buf_puts(out, "</td></tr>\n");
	}
	pd_buf_puts(out, "</table>\n");
	if (p->nlinks) {
		pd_buf_puts(out, "<h2>The data</h2>\n<ul>\n");
		for (size_t i = 0; i < p->nlinks; i++) {
			pd_buf_puts(out, "<li><a rel=\"noreferrer\" href=\"");
			esc(out, p->links[i][1]);
			pd_buf_puts(out, "\">");
			esc(out, p->links[i][0]);
			pd_buf_puts(out, "</a></li>\n");
		}
		pd_buf_puts(out, "</ul>\n");
	}
	bool any = false;
	for (size_t i = 0; i < nw; i++) {
		if (!pd_report_warning_shown(w[i].kind, PD_WARN_REPORT))
			continue;
		pd_buf_puts(out, any ? "<li>" : "<h2>Warnings</h2>\n<ul>\n<li>");
		any = true;
		pd_buf line;
		pd_buf_init(&line, 0);
		pd_report_warning_text(&line, d, &w[i], PD_WARN_REPORT);
		esc(out, line.data);
		if (line.failed)
			out->failed = true;
		pd_buf_fini(&line);
		pd_buf_puts(out, "</li>\n");
	}
	if (any)
		pd_buf_puts(out, "</ul>\n");
	put_graph(out, p->svg, p->svg_len);
	pd_buf_puts(out, "<h2>Functions</h2>\n");
	put_rows(out, d, pd_report_shown(d, &(pd_report_opts){.top = p->top}));
	if (p->provenance) {
		pd_buf_puts(out, "<h2>Provenance</h2>\n<pre id=\"provenance\">");
		esc(out, p->provenance);
		pd_buf_puts(out, "</pre>\n");
	}
	pd_buf_printf(out, "<script>%s</script>\n</body></html>\n", script);
	return pd_buf_error(out, "the HTML report", err);
}
