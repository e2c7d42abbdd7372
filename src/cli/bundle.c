/* --bundle DIR: everything an incident ticket needs from one diff, written as a set.
 * The files are written into a fresh temporary directory beside DIR (same filesystem)
 * and the directory is renamed into place only after the run's other outputs are
 * written, so a failed run leaves neither DIR nor the temporary directory. DIR must
 * not exist or be an empty directory (rename(2) replaces an empty one): a bundle is
 * never merged into, or replaces, earlier files. Also here: the report header of a
 * fetched run (server, query, type, windows in local time and UTC). */
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "base/alloc.h"
#include "base/names.h"
#include "cli/cli.h"
#include "fetch/fetch.h"
#include "report/report.h"
#include "report/verdict.h"

/* The files of a bundle, in the order they are written (and removed on failure). */
enum { F_MD, F_HTML, F_DOT, F_SVG, F_BASE, F_NEW, F_PROV, F_COUNT };
static const char *const file_names[F_COUNT] = {
	"report.md", "report.html", "diff.dot", "diff.svg", "base.dot", "new.dot", "provenance.json",
};

bool pd_cli_ascii(void)
{
	static int ascii = -1;
	if (ascii < 0) {
		/* Only asked, then put back: the C locale stays in force for everything else
		 * (regcomp's meaning of --focus must not depend on the terminal). */
		const char *cur = setlocale(LC_CTYPE, NULL);
		char *saved = cur ? pd_strdup(cur) : NULL;
		const char *cs = setlocale(LC_CTYPE, "") ? nl_langinfo(CODESET) : "ANSI_X3.4-1968";
		ascii = !(cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0));
		setlocale(LC_CTYPE, saved ? saved : "C");
		pd_free(saved);
	}
	return ascii;
}

void pd_time_both(char *dst, size_t size, int64_t ms)
{
	char utc[32], local[64] = "";
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	if (localtime_r(&t, &tm))
		strftime(local, sizeof local, "%Y-%m-%d %H:%M:%S %Z", &tm);
	snprintf(dst, size, "%s (%s)", local, pd_time_format(ms, utc));
}

static void window(char *dst, size_t size, int64_t from, int64_t to)
{
	char a[112], b[112];
	pd_time_both(a, sizeof a, from);
	pd_time_both(b, sizeof b, to);
	snprintf(dst, size, "%s to %s", a, b);
}

void pd_run_header(pd_buf *b, const pd_run_info *i, bool markdown)
{
	if (!i || !i->server)
		return;
	char base[240], head[240];
	window(head, sizeof head, i->new_from, i->new_to);
	window(base, sizeof base, i->base_from, i->base_to);
	const char *lines[][2] = {
		{"server", i->server},
		{"datasource", i->datasource ? i->datasource : "none (direct to Pyroscope)"},
		{"query", i->query},
		{"profile type", i->type},
		{"problem", head},
		{"baseline", base},
	};
	for (size_t k = 0; k < sizeof lines / sizeof lines[0]; k++) {
		if (markdown) {
			pd_buf_printf(b, "- %s: `", lines[k][0]);
			pd_put_escaped(b, lines[k][1], &(pd_escape){.ascii = {['`'] = "'"}, .bad = "\\x",
								    .bad_hex = true});
			pd_buf_puts(b, "`\n");
		} else {
			pd_buf_printf(b, "%-13s", lines[k][0]);
			pd_buf_puts(b, ": ");
			pd_put_escaped(b, lines[k][1], &pd_escape_text);
			pd_buf_puts(b, "\n");
		}
	}
	if (i->base_query && i->query && strcmp(i->base_query, i->query) != 0) {
		pd_buf_puts(b, markdown ? "- baseline query: `" : "baseline query: ");
		pd_put_escaped(b, i->base_query, &pd_escape_text);
		pd_buf_puts(b, markdown ? "`\n" : "\n");
	}
	pd_buf_puts(b, "\n");
}

/* Puts the run's header (compare: server, query, type, windows) at the top of the
 * report, or, in a gated report, right after the verdict line, which stays first. */
pd_status pd_run_header_insert(pd_buf *report, const pd_run_info *info, bool markdown,
			       bool gated, pd_error *err)
{
	pd_buf out;
	pd_buf_init(&out, report->limit);
	pd_run_header(&out, info, markdown);
	if (!out.len) {
		pd_buf_fini(&out);
		return PD_OK;
	}
	const char *cut = gated && report->data ? strstr(report->data, "\n\n") : NULL;
	size_t at = cut ? (size_t)(cut - report->data) + 2 : 0;
	pd_buf head;
	pd_buf_init(&head, report->limit);
	pd_buf_append(&head, report->data ? report->data : "", at);
	pd_buf_append(&head, out.data, out.len);
	pd_buf_append(&head, report->data ? report->data + at : "", report->len - at);
	pd_status rc = pd_buf_error(&head, "the report", err);
	if (rc == PD_OK) {
		pd_buf t = *report;
		*report = head;
		head = t;
	}
	pd_buf_fini(&head);
	pd_buf_fini(&out);
	return rc;
}

pd_status pd_bundle_check(const char *dir, pd_error *err)
{
	struct stat st;
	if (lstat(dir, &st) != 0)
		return errno == ENOENT ? PD_OK
				       : pd_error_set(err, PD_EUSAGE, "--bundle %s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return pd_error_set(err, PD_EUSAGE, "--bundle %s: exists and is not a directory", dir);
	DIR *d = opendir(dir);
	if (!d)
		return pd_error_set(err, PD_EUSAGE, "--bundle %s: %s", dir, strerror(errno));
	struct dirent *e;
	bool empty = true;
	while (empty && (e = readdir(d)))
		empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
	closedir(d);
	if (!empty)
		return pd_error_set(err, PD_EUSAGE,
				    "--bundle %s: the directory is not empty (give a new name; a bundle "
				    "never replaces files)", dir);
	return PD_OK;
}

/* Percent-encodes s for a URL query value. */
static void urlenc(pd_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~", *p)) {
			pd_buf_append(b, (const char *)p, 1);
		} else {
			char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
			pd_buf_append(b, e, 3);
		}
	}
}

/* The server root without a trailing slash. */
static void root(pd_buf *b, const char *server)
{
	size_t n = strlen(server);
	while (n && server[n - 1] == '/')
		n--;
	pd_buf_append(b, server, n);
}

/* One link per window (and per UI): Grafana Explore and Profiles Drilldown in Grafana
 * mode, Pyroscope's own UI in direct mode. */
static void add_links(pd_buf *url, size_t at[6], const pd_run_info *i)
{
	const int64_t w[2][2] = {{i->new_from, i->new_to}, {i->base_from, i->base_to}};
	size_t n = 0;
	for (int k = 0; k < 2; k++) {
		const char *q = k ? (i->base_query ? i->base_query : i->query) : i->query;
		char from[24], to[24];
		snprintf(from, sizeof from, "%lld", (long long)w[k][0]);
		snprintf(to, sizeof to, "%lld", (long long)w[k][1]);
		if (i->datasource) {
			cJSON *o = cJSON_CreateObject(), *pane = cJSON_AddObjectToObject(o, "pd");
			cJSON_AddStringToObject(pane, "datasource", i->datasource);
			cJSON *qs = cJSON_AddArrayToObject(pane, "queries"), *x = cJSON_CreateObject();
			cJSON_AddItemToArray(qs, x);
			cJSON_AddStringToObject(x, "refId", "A");
			cJSON *ds = cJSON_AddObjectToObject(x, "datasource");
			cJSON_AddStringToObject(ds, "type", "grafana-pyroscope-datasource");
			cJSON_AddStringToObject(ds, "uid", i->datasource);
			cJSON_AddStringToObject(x, "queryType", "profile");
			cJSON_AddStringToObject(x, "profileTypeId", i->type);
			cJSON_AddStringToObject(x, "labelSelector", q);
			cJSON_AddArrayToObject(x, "groupBy");
			cJSON *r = cJSON_AddObjectToObject(pane, "range");
			cJSON_AddStringToObject(r, "from", from);
			cJSON_AddStringToObject(r, "to", to);
			char *json = cJSON_PrintUnformatted(o);
			at[n++] = url->len;
			root(url, i->server);
			pd_buf_puts(url, "/explore?schemaVersion=1&orgId=1&panes=");
			urlenc(url, json ? json : "{}");
			pd_buf_append(url, "", 1);
			if (json)
				cJSON_free(json);
			cJSON_Delete(o);
			at[n++] = url->len;
			root(url, i->server);
			pd_buf_printf(url, "/a/grafana-pyroscope-app/explore?explorationType=flame-graph"
					   "&from=%s&to=%s&var-dataSource=", from, to);
			urlenc(url, i->datasource);
			pd_buf_puts(url, "&var-profileMetricId=");
			urlenc(url, i->type);
			pd_buf_append(url, "", 1);
		} else {
			at[n++] = url->len;
			root(url, i->server);
			pd_buf_puts(url, "/?query=");
			pd_buf q2;
			pd_buf_init(&q2, 0);
			pd_buf_printf(&q2, "%s%s", i->type, q);
			urlenc(url, q2.data ? q2.data : "");
			pd_buf_fini(&q2);
			/* Pyroscope's UI takes from/until in seconds. */
			pd_buf_printf(url, "&from=%lld&until=%lld", (long long)(w[k][0] / 1000),
				      (long long)((w[k][1] + 999) / 1000));
			pd_buf_append(url, "", 1);
		}
	}
}

static cJSON *side_json(const pd_profile_info *in, const char *src, const char *file,
			const char *data, size_t len)
{
	char sha[PD_SHA256_HEX];
	cJSON *o = cJSON_CreateObject();
	pd_sha256_hex(data ? data : "", data ? len : 0, sha);
	cJSON_AddStringToObject(o, "source", src);
	cJSON_AddStringToObject(o, "file", file);
	cJSON_AddNumberToObject(o, "bytes", (double)len);
	cJSON_AddStringToObject(o, "sha256", sha);
	if (in->type)
		cJSON_AddStringToObject(o, "type", in->type);
	cJSON_AddStringToObject(o, "unit", pd_unit_name(in->unit));
	cJSON_AddNumberToObject(o, "total", (double)in->total);
	cJSON_AddNumberToObject(o, "shown", (double)in->shown);
	/* The share of the total the file left out (pprof's trimming, Pyroscope's "other"). */
	if (in->total > 0)
		cJSON_AddNumberToObject(o, "other_share",
					(double)(in->total - in->shown) / (double)in->total);
	else
		cJSON_AddNullToObject(o, "other_share");
	cJSON_AddNumberToObject(o, "nodes", (double)in->nodes);
	cJSON_AddNumberToObject(o, "edges", (double)in->edges);
	cJSON_AddBoolToObject(o, "trimmed", in->trimmed);
	return o;
}

static void add_window(cJSON *o, const char *key, int64_t from, int64_t to)
{
	char a[32], b[32];
	cJSON *w = cJSON_AddObjectToObject(o, key);
	cJSON_AddStringToObject(w, "from", pd_time_format(from, a));
	cJSON_AddStringToObject(w, "to", pd_time_format(to, b));
	cJSON_AddNumberToObject(w, "from_ms", (double)from);
	cJSON_AddNumberToObject(w, "to_ms", (double)to);
}

static char *provenance(const pd_diff_cli *c, const pd_diff *d, const pd_report_gate *g,
			const pd_buf *links, const size_t *at, size_t nlinks)
{
	const pd_run_info *i = c->info;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "tool", "profdiff");
	cJSON_AddStringToObject(o, "version", PD_VERSION);
	cJSON_AddStringToObject(o, "command", i->command);
	if (i->server) {
		cJSON_AddStringToObject(o, "server", i->server);
		cJSON_AddStringToObject(o, "mode", i->datasource ? "grafana" : "direct");
		if (i->datasource)
			cJSON_AddStringToObject(o, "datasource", i->datasource);
		else
			cJSON_AddNullToObject(o, "datasource");
		cJSON_AddStringToObject(o, "query", i->query);
		cJSON_AddStringToObject(o, "baseline_query", i->base_query ? i->base_query : i->query);
		cJSON_AddStringToObject(o, "type", i->type);
		cJSON_AddNumberToObject(o, "max_nodes", (double)i->max_nodes);
		cJSON *w = cJSON_AddObjectToObject(o, "windows");
		add_window(w, "baseline", i->base_from, i->base_to);
		add_window(w, "new", i->new_from, i->new_to);
	} else {
		cJSON_AddStringToObject(o, "mode", "files");
	}
	cJSON *in = cJSON_AddObjectToObject(o, "inputs");
	cJSON_AddItemToObject(in, "base", side_json(&d->base, i->base_src, "base.dot", i->base_data,
						    i->base_len));
	cJSON_AddItemToObject(in, "new", side_json(&d->head, i->new_src, "new.dot", i->new_data,
						   i->new_len));
	cJSON *df = cJSON_AddObjectToObject(o, "diff");
	cJSON_AddStringToObject(df, "by", pd_enum_name(&pd_metric_names, d->opts.by));
	cJSON_AddStringToObject(df, "normalize", pd_enum_name(&pd_normalize_names, d->opts.normalize));
	cJSON_AddStringToObject(df, "granularity",
				pd_enum_name(&pd_granularity_names, d->opts.granularity));
	cJSON_AddNumberToObject(df, "functions", (double)d->nrows);
	cJSON_AddNumberToObject(df, "graph_nodes", (double)c->nodes);
	cJSON *gt = cJSON_AddObjectToObject(o, "gate");
	bool gated = g && g->gated && g->res;
	cJSON_AddBoolToObject(gt, "on", gated);
	if (gated) {
		pd_buf r;
		pd_buf_init(&r, 0);
		pd_gate_rules_text(&r, g->rules);
		cJSON_AddStringToObject(gt, "thresholds", r.data ? r.data : "");
		pd_buf_fini(&r);
		cJSON_AddStringToObject(gt, "verdict", pd_verdict_name(g->res->verdict));
		cJSON_AddNumberToObject(gt, "violations", (double)g->res->nviolations);
	}
	cJSON *l = cJSON_AddArrayToObject(o, "links");
	for (size_t k = 0; k < nlinks; k++)
		cJSON_AddItemToArray(l, cJSON_CreateString(links->data + at[k]));
	char *s = cJSON_Print(o);
	cJSON_Delete(o);
	return s;
}

/* Removes the files of a staged bundle and the directory itself. */
static void remove_dir(const char *dir)
{
	char path[4096];
	for (int k = 0; k < F_COUNT; k++) {
		snprintf(path, sizeof path, "%s/%s", dir, file_names[k]);
		unlink(path);
	}
	rmdir(dir);
}

static pd_status put(const char *dir, int k, const char *data, size_t len, pd_error *err)
{
	pd_buf path;
	pd_buf_init(&path, 0);
	pd_buf_printf(&path, "%s/%s", dir, file_names[k]);
	pd_status rc = path.failed ? pd_error_oom(err)
				   : pd_write_file_atomic(path.data, data ? data : "", len, err);
	pd_buf_fini(&path);
	return rc;
}

/* "diff base.dot new.dot", "compare {service_name="api"}". */
static void title(pd_buf *b, const pd_run_info *i)
{
	if (i->server)
		pd_buf_printf(b, "compare %s %s", i->type, i->query);
	else
		pd_buf_printf(b, "diff %s %s", i->base_src, i->new_src);
}

pd_status pd_bundle_stage(const pd_diff_cli *c, const pd_diff *d, const pd_report_gate *g,
			  const pd_buf *dot, const pd_buf *svg, char **tmp, pd_error *err)
{
	const pd_run_info *i = c->info;
	pd_buf md, page, links, name, ttl;
	size_t at[6] = {0}, nlinks = 0;
	char *prov = NULL, *dir = NULL;
	pd_buf *bufs[] = {&md, &page, &links, &name, &ttl};
	for (size_t k = 0; k < sizeof bufs / sizeof bufs[0]; k++)
		pd_buf_init(bufs[k], 0);
	*tmp = NULL;
	pd_status rc = PD_OK;
	size_t n = strlen(c->bundle_dir);
	while (n > 1 && c->bundle_dir[n - 1] == '/')
		n--;
	pd_buf_append(&name, c->bundle_dir, n);
	pd_buf_puts(&name, ".tmp-XXXXXX");
	if (name.failed || !(dir = pd_strdup(name.data)))
		return pd_error_oom(err);
	if (!mkdtemp(dir)) {
		rc = pd_error_set(err, PD_EINTERNAL, "--bundle: cannot create a directory beside %s: %s",
				  c->bundle_dir, strerror(errno));
		pd_free(dir);
		dir = NULL;
		goto out;
	}
	mode_t um = umask(0);
	umask(um);
	chmod(dir, 0777 & ~um);
	if (i->server) {
		add_links(&links, at, i);
		nlinks = i->datasource ? 4 : 2;
	}
	if (!(prov = provenance(c, d, g, &links, at, nlinks))) {
		rc = pd_error_oom(err);
		goto out;
	}
	pd_report_opts mo = {.top = c->report.top == PD_TOP_UNSET ? 20 : c->report.top};
	if ((rc = pd_report_markdown_gated(d, g, &mo, &md, err)) != PD_OK ||
	    (rc = pd_run_header_insert(&md, i, true, g && g->gated, err)) != PD_OK)
		goto out;
	title(&ttl, i);
	const char *labels[4] = {"problem window in Grafana Explore",
				 "problem window in Profiles Drilldown",
				 "baseline in Grafana Explore", "baseline in Profiles Drilldown"};
	const char *direct[2] = {"problem window in Pyroscope", "baseline in Pyroscope"};
	const char *lk[4][2];
	for (size_t k = 0; k < nlinks; k++) {
		lk[k][0] = i->datasource ? labels[k] : direct[k];
		lk[k][1] = links.data + at[k];
	}
	char head[240], base[240];
	const char *facts[6][2];
	size_t nf = 0;
	if (i->server) {
		window(head, sizeof head, i->new_from, i->new_to);
		window(base, sizeof base, i->base_from, i->base_to);
		facts[nf][0] = "server", facts[nf++][1] = i->server;
		facts[nf][0] = "query", facts[nf++][1] = i->query;
		facts[nf][0] = "profile type", facts[nf++][1] = i->type;
		facts[nf][0] = "problem window", facts[nf++][1] = head;
		facts[nf][0] = "baseline window", facts[nf++][1] = base;
	}
	pd_html_page p = {
		.title = ttl.data, .facts = (const char *const(*)[2])facts, .nfacts = nf,
		.links = (const char *const(*)[2])lk, .nlinks = nlinks,
		.svg = svg->data, .svg_len = svg->len, .provenance = prov, .top = 0,
	};
	if (links.failed || ttl.failed) {
		rc = pd_error_oom(err);
		goto out;
	}
	if ((rc = pd_report_html(d, g, &p, &page, err)) != PD_OK)
		goto out;
	const pd_buf *data[F_COUNT] = {&md, &page, dot, svg};
	for (int k = 0; k < F_COUNT && rc == PD_OK; k++) {
		if (k == F_BASE)
			rc = put(dir, k, i->base_data, i->base_len, err);
		else if (k == F_NEW)
			rc = put(dir, k, i->new_data, i->new_len, err);
		else if (k == F_PROV)
			rc = put(dir, k, prov, strlen(prov), err);
		else
			rc = put(dir, k, data[k]->data, data[k]->len, err);
	}
out:
	if (rc != PD_OK && dir) {
		remove_dir(dir);
		pd_free(dir);
		dir = NULL;
	}
	*tmp = dir;
	if (prov)
		cJSON_free(prov);
	for (size_t k = 0; k < sizeof bufs / sizeof bufs[0]; k++)
		pd_buf_fini(bufs[k]);
	return rc;
}

pd_status pd_bundle_commit(char *tmp, const char *dir, pd_error *err)
{
	pd_status rc = PD_OK;
	if (rename(tmp, dir) != 0) {
		rc = pd_error_set(err, PD_EINTERNAL, "--bundle: cannot rename %s to %s: %s", tmp, dir,
				  strerror(errno));
		remove_dir(tmp);
	}
	pd_free(tmp);
	return rc;
}

void pd_bundle_discard(char *tmp)
{
	if (!tmp)
		return;
	remove_dir(tmp);
	pd_free(tmp);
}
