/* `profdiff compare`: fetch a baseline and a problem window concurrently, optionally
 * keep both DOTs and their provenance (--save-inputs), and run the shared diff pipeline
 * on them. With --slices K each window is cut into K equal sub-windows and the 2K
 * fetches run on a pool of --parallel threads; the slices are the gate's samples,
 * normalised per second of their window. One failed fetch fails the command (exit 3)
 * before anything is written. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "base/alloc.h"
#include "cli/fetch_conf.h"
#include "fetch/fetch.h"

/* --source: what each window is fetched as. */
typedef enum source { SRC_AUTO, SRC_FLAMEGRAPH, SRC_DOT, SRC_KINDS } source;
static const char *const source_names[SRC_KINDS] = {
	[SRC_AUTO] = "auto", [SRC_FLAMEGRAPH] = "flamegraph", [SRC_DOT] = "dot"};
static const pd_enum_names source_enum = {source_names, SRC_KINDS, NULL};

typedef struct side {
	pd_http_conf http; /* a copy, tagged for --verbose */
	source src;        /* asked for */
	bool flamegraph;   /* dot holds flamegraph JSON (exact values), not DOT */
	const char *type;
	const char *matchers;
	int64_t from_ms, to_ms;
	long max_nodes;
	pd_buf dot;
	pd_error err;
	pd_status st;
	char tag[48];
} side;

/* Flamegraph JSON (exact integers) when asked or when the server answers it (auto),
 * else the DOT render. auto falls back to DOT on any failure but an empty window. */
static void *fetch_side(void *arg)
{
	side *s = arg;
	if (s->src != SRC_DOT) {
		s->st = pd_pyro_flamegraph(&s->http, s->type, s->matchers, s->from_ms, s->to_ms,
					   s->max_nodes, &s->dot, &s->err);
		s->flamegraph = s->st == PD_OK;
		if (s->src == SRC_FLAMEGRAPH || s->st == PD_OK || s->st == PD_ENODATA)
			return NULL;
		pd_buf_fini(&s->dot);
		pd_buf_init(&s->dot, 0);
	}
	s->st = pd_pyro_render(&s->http, s->type, s->matchers, s->from_ms, s->to_ms, s->max_nodes,
			       &s->dot, &s->err);
	return NULL;
}

/* File name of job i of k per side: base.dot and new.dot, or base.01.dot... new.10.dot
 * with slices; .json for a flamegraph. */
static void input_name(char *dst, size_t size, const side *jobs, size_t i, size_t k)
{
	const char *who = i < k ? "base" : "new", *ext = jobs[i].flamegraph ? "json" : "dot";
	if (k == 1)
		snprintf(dst, size, "%s.%s", who, ext);
	else
		snprintf(dst, size, "%s.%02zu.%s", who, i % k + 1, ext);
}

/* The window of one side; with slices, each slice's window and file too. */
static void add_window(cJSON *o, const char *key, const side *s, const side *jobs, size_t k,
		       size_t first)
{
	char a[32], b[32], name[32];
	cJSON *w = cJSON_AddObjectToObject(o, key);
	if (!w)
		return;
	cJSON_AddStringToObject(w, "query", s->matchers);
	cJSON_AddStringToObject(w, "from", pd_time_format(s->from_ms, a));
	cJSON_AddStringToObject(w, "to", pd_time_format(s->to_ms, b));
	cJSON_AddNumberToObject(w, "from_ms", (double)s->from_ms); /* exact below 2^53 */
	cJSON_AddNumberToObject(w, "to_ms", (double)s->to_ms);
	cJSON *arr = k > 1 ? cJSON_AddArrayToObject(w, "slices") : NULL;
	for (size_t i = 0; arr && i < k; i++) {
		const side *j = &jobs[first + i];
		cJSON *x = cJSON_CreateObject();
		if (!x || !cJSON_AddItemToArray(arr, x)) {
			cJSON_Delete(x);
			return;
		}
		input_name(name, sizeof name, jobs, first + i, k);
		cJSON_AddStringToObject(x, "file", name);
		cJSON_AddStringToObject(x, "from", pd_time_format(j->from_ms, a));
		cJSON_AddStringToObject(x, "to", pd_time_format(j->to_ms, b));
		cJSON_AddNumberToObject(x, "from_ms", (double)j->from_ms);
		cJSON_AddNumberToObject(x, "to_ms", (double)j->to_ms);
	}
}

/* base.dot, new.dot (or one file per slice) and provenance.json, each atomically. */
static pd_status save_inputs(const pd_fetch_cli *f, const side *base, const side *new_,
			     const side *jobs, size_t k, pd_error *err)
{
	pd_buf path;
	pd_status st = PD_OK;
	char *server = pd_http_strip_userinfo(f->http.url);
	cJSON *o = cJSON_CreateObject();
	char *json = NULL;
	pd_buf_init(&path, 0);
	if (mkdir(f->save_dir, 0777) != 0 && errno != EEXIST) {
		st = pd_error_set(err, PD_EINTERNAL, "--save-inputs: cannot create %s: %s",
				  f->save_dir, strerror(errno));
		goto out;
	}
	if (!server || !o) {
		st = pd_error_oom(err);
		goto out;
	}
	cJSON_AddStringToObject(o, "tool", "profdiff");
	cJSON_AddStringToObject(o, "version", PD_VERSION);
	cJSON_AddStringToObject(o, "server", server);
	cJSON_AddStringToObject(o, "mode", f->http.datasource ? "grafana" : "direct");
	if (f->http.datasource)
		cJSON_AddStringToObject(o, "datasource", f->http.datasource);
	else
		cJSON_AddNullToObject(o, "datasource");
	cJSON_AddStringToObject(o, "type", f->type);
	cJSON_AddStringToObject(o, "query", new_->matchers);
	cJSON_AddStringToObject(o, "baseline_query", base->matchers);
	cJSON_AddNumberToObject(o, "max_nodes", (double)f->max_nodes);
	if (k > 1)
		cJSON_AddNumberToObject(o, "slices", (double)k);
	add_window(o, "baseline", base, jobs, k, 0);
	add_window(o, "new", new_, jobs, k, k);
	json = cJSON_Print(o);
	if (!json) {
		st = pd_error_oom(err);
		goto out;
	}
	for (size_t i = 0; i <= 2 * k && st == PD_OK; i++) {
		char name[32];
		if (i < 2 * k)
			input_name(name, sizeof name, jobs, i, k);
		else
			snprintf(name, sizeof name, "provenance.json");
		const char *data = i < 2 * k ? jobs[i].dot.data : json;
		size_t len = i < 2 * k ? jobs[i].dot.len : strlen(json);
		path.len = 0;
		pd_buf_printf(&path, "%s/%s", f->save_dir, name);
		st = path.failed ? pd_error_oom(err) : pd_write_file_atomic(path.data, data, len, err);
	}
out:
	if (json)
		cJSON_free(json);
	cJSON_Delete(o);
	free(server);
	pd_buf_fini(&path);
	return st;
}

/* --baseline's presets: the problem window shifted back by this much. */
static const struct {
	const char *name;
	int64_t shift_ms;
} presets[] = {
	{"1h-before", 3600000},
	{"24h-before", 86400000},
	{"7d-before", 604800000},
};

/* The baseline window: a preset, else as given, else the same length right before the
 * problem window. */
static pd_status baseline(const pd_fetch_cli *f, const char *preset, side *base, pd_error *err)
{
	int64_t len = f->to_ms - f->from_ms, now = pd_time_now_ms();
	pd_status rc = PD_OK;
	base->from_ms = f->from_ms - len;
	base->to_ms = f->from_ms;
	if (preset) {
		if (f->base_from || f->base_to)
			return pd_error_set(err, PD_EUSAGE, "--baseline %s: give either a preset or "
							    "--baseline-from/--baseline-to, not both", preset);
		for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++)
			if (strcmp(preset, presets[i].name) == 0) {
				base->from_ms = f->from_ms - presets[i].shift_ms;
				base->to_ms = f->to_ms - presets[i].shift_ms;
				return PD_OK;
			}
		return pd_error_set(err, PD_EUSAGE,
				    "--baseline: want 1h-before, 24h-before or 7d-before, got \"%s\"",
				    preset);
	}
	if (f->base_from &&
	    (rc = pd_time_parse("--baseline-from", f->base_from, now, &base->from_ms, err)) == PD_OK &&
	    !f->base_to)
		base->to_ms = base->from_ms + len;
	if (rc == PD_OK && f->base_to &&
	    (rc = pd_time_parse("--baseline-to", f->base_to, now, &base->to_ms, err)) == PD_OK &&
	    !f->base_from)
		base->from_ms = base->to_ms - len;
	if (rc == PD_OK && base->from_ms >= base->to_ms) {
		char a[32], b[32];
		rc = pd_error_set(err, PD_EUSAGE,
				  "baseline start timestamp \"%s\" must be strictly before end "
				  "timestamp \"%s\"",
				  pd_time_format(base->from_ms, a), pd_time_format(base->to_ms, b));
	}
	return rc;
}

/* The fetch jobs, taken in order by a pool of threads. After a failure no new job
 * starts (the command fails anyway); the progress line is drawn when stderr is a
 * terminal. */
typedef struct pool {
	side *jobs;
	size_t n, next, done;
	bool failed, progress;
	pthread_mutex_t mu;
} pool;

static void *worker(void *arg)
{
	pool *p = arg;
	for (;;) {
		pthread_mutex_lock(&p->mu);
		size_t i = p->failed ? p->n : p->next++;
		pthread_mutex_unlock(&p->mu);
		if (i >= p->n)
			return NULL;
		fetch_side(&p->jobs[i]);
		pthread_mutex_lock(&p->mu);
		p->done++;
		if (p->jobs[i].st != PD_OK)
			p->failed = true;
		if (p->progress)
			fprintf(stderr, "\rprofdiff: fetched %zu/%zu profiles", p->done, p->n);
		pthread_mutex_unlock(&p->mu);
	}
}

/* Runs every job on min(parallel, n) threads (this one included). */
static void run_pool(side *jobs, size_t n, size_t parallel, bool progress)
{
	pool p = {.jobs = jobs, .n = n, .progress = progress, .mu = PTHREAD_MUTEX_INITIALIZER};
	size_t nt = parallel < n ? parallel : n, started = 0;
	if (progress) /* at once: a long fetch shows that something is going on */
		fprintf(stderr, "\rprofdiff: fetching %zu profiles", n);
	pthread_t *t = nt > 1 ? pd_calloc(nt - 1, sizeof *t) : NULL;
	for (size_t i = 0; t && i + 1 < nt; i++)
		if (pthread_create(&t[started], NULL, worker, &p) == 0)
			started++;
	worker(&p);
	for (size_t i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	pd_free(t);
	if (progress)
		fputs("\r\033[K", stderr);
	pthread_mutex_destroy(&p.mu);
}

/* Cuts [from, to) into k equal slices (the last takes the rounding) as jobs. */
static void slice_jobs(const pd_fetch_cli *f, const side *w, const char *name, size_t k,
		       side *jobs)
{
	int64_t len = w->to_ms - w->from_ms;
	for (size_t i = 0; i < k; i++) {
		side *j = &jobs[i];
		*j = *w;
		pd_buf_init(&j->dot, 0);
		j->http = f->http;
		j->type = f->type;
		j->max_nodes = f->max_nodes;
		j->src = w->src;
		j->from_ms = w->from_ms + (int64_t)((double)len * (double)i / (double)k);
		j->to_ms = i + 1 == k ? w->to_ms : w->from_ms + (int64_t)((double)len * (double)(i + 1) / (double)k);
		if (k == 1)
			snprintf(j->tag, sizeof j->tag, "[%s] ", name);
		else
			snprintf(j->tag, sizeof j->tag, "[%s %zu/%zu] ", name, i + 1, k);
		j->http.trace_tag = j->tag;
	}
}

/* The first failure in job order, so the message does not depend on timing. */
static pd_status first_failure(const side *jobs, size_t n, size_t k, pd_error *err)
{
	for (size_t i = 0; i < n; i++) {
		if (jobs[i].st == PD_OK)
			continue;
		const char *what = i < k ? "baseline" : "problem window";
		if (k == 1)
			return pd_error_set(err, jobs[i].st, "%s: %s", what, jobs[i].err.msg);
		return pd_error_set(err, jobs[i].st, "%s slice %zu/%zu: %s", what, i % k + 1, k,
				    jobs[i].err.msg);
	}
	return PD_OK;
}

/* K slices per side: parse each, then the samples pipeline. */
static pd_status run_slices(const pd_diff_cli *cli, side *jobs, size_t k, pd_error *err)
{
	size_t n = 2 * k;
	pd_profile **prof = pd_calloc(n, sizeof *prof);
	char **src = pd_calloc(n, sizeof *src);
	double *secs = pd_calloc(n, sizeof *secs);
	pd_status rc = prof && src && secs ? PD_OK : pd_error_oom(err);
	for (size_t i = 0; rc == PD_OK && i < n; i++) {
		char a[32], b[32], name[128];
		snprintf(name, sizeof name, "%s %s/%s", i < k ? "baseline" : "new",
			 pd_time_format(jobs[i].from_ms, a), pd_time_format(jobs[i].to_ms, b));
		if (!(src[i] = pd_strdup(name))) {
			rc = pd_error_oom(err);
			break;
		}
		secs[i] = (double)(jobs[i].to_ms - jobs[i].from_ms) / 1000.0;
		rc = pd_diff_cli_parse(cli, src[i], jobs[i].dot.data, jobs[i].dot.len, &prof[i], err);
		pd_buf_fini(&jobs[i].dot); /* parsed: the text is not needed any more */
	}
	if (rc == PD_OK) {
		pd_sides s = {
			.base = (const pd_profile *const *)prof, .head = (const pd_profile *const *)prof + k,
			.base_src = (const char *const *)src, .head_src = (const char *const *)src + k,
			.nbase = k, .nhead = k, .base_secs = secs, .head_secs = secs + k,
		};
		rc = pd_diff_cli_run_samples(cli, &s, stdout, cli->quiet ? NULL : stderr, err);
	}
	for (size_t i = 0; prof && i < n; i++)
		pd_profile_free(prof[i]);
	for (size_t i = 0; src && i < n; i++)
		pd_free(src[i]);
	pd_free(prof);
	pd_free(src);
	pd_free(secs);
	return rc;
}

int pd_cmd_compare(int argc, char **argv)
{
	pd_fetch_cli f;
	pd_diff_cli cli;
	pd_option conn[PD_CONN_OPTS], diff_opts[PD_DIFF_OPTS], gate_opts[PD_GATE_OPTS];
	pd_error err = {0};
	char *base_matchers = NULL;
	side base = {0}, new_ = {0}, *jobs = NULL;
	size_t slices = 0, parallel = 4, k = 1;
	source src = SRC_AUTO;
	pd_fetch_cli_init(&f, "compare", true);
	pd_fetch_conn_options(&f, conn);
	pd_diff_cli_init(&cli);
	pd_diff_cli_options(&cli, diff_opts);
	pd_gate_cli_options(&cli, gate_opts);
	const char *preset = NULL;
	char *server = NULL;
	pd_run_info info = {.command = "compare"};
	pd_option opts[] = {
		{PD_OPT_GROUP, .help = "Options:"},
		PD_FETCH_OPT_TYPE(&f),
		PD_FETCH_OPT_QUERY(&f),
		PD_FETCH_OPT_MAX_NODES(&f),
		PD_OPTION(PD_OPT_STRING, "baseline-query", 0, &f.base_query, "SELECTOR",
		 "selector for the baseline", .def = "--query"),
		PD_OPTION(PD_OPT_STRING, "baseline", 0, &preset, "PRESET",
		 "the baseline window: 1h-before, 24h-before or 7d-before (the problem window "
		 "shifted back, same length)", .def = "the window right before the problem window"),
		PD_OPTION(PD_OPT_STRING, "baseline-from", 0, &f.base_from, "T", "start of the baseline window",
		 .def = "one window length before --baseline-to, or before --from"),
		PD_OPTION(PD_OPT_STRING, "baseline-to", 0, &f.base_to, "T", "end of the baseline window",
		 .def = "one window length after --baseline-from"),
		PD_OPTION(PD_OPT_STRING, "save-inputs", 0, &f.save_dir, "DIR",
		 "write base.dot, new.dot (with slices base.01.dot...) and provenance.json to DIR"),
		PD_OPTION(PD_OPT_COUNT, "slices", 0, &slices, "K",
		 "cut each window into K equal slices, the gate's samples (values per second of "
		 "window)", .def = "10 with a gate option, else 1"),
		PD_OPTION(PD_OPT_COUNT, "parallel", 0, &parallel, "N", "fetches in flight at most"),
		PD_OPTION(PD_OPT_ENUM, "source", 0, &src, NULL,
		 "fetch flamegraph JSON (exact values) or DOT (rounded); auto: flamegraph when the "
		 "server answers it, else DOT", .names = &source_enum),
		PD_FETCH_OPT_HELP,
		{PD_OPT_GROUP, .help = "Diff options:"},
		{PD_OPT_TABLE, .value = diff_opts},
		{PD_OPT_GROUP, .help = "Gate options (any of them turns the gate on):"},
		{PD_OPT_TABLE, .value = gate_opts},
		{PD_OPT_TABLE, .value = conn},
		{PD_OPT_END},
	};
	const pd_opt_cmd cmd = {
		.name = "compare",
		.usage = "compare --type TYPE [--query SELECTOR] [--baseline-query SELECTOR]\n"
			 "                        [--baseline PRESET | --baseline-from T --baseline-to T]\n"
			 "                        [--save-inputs DIR] [--bundle DIR]\n"
			 "                        [--slices K] [--parallel N] [diff and gate options]\n"
			 "                        [connection and time options]",
		.about = "Fetch a baseline and a problem window concurrently and diff them. The baseline\n"
			 "defaults to the window of the same length immediately before the problem window.\n"
			 "With --slices K (the default with a gate option is 10) each window is cut into K\n"
			 "equal slices, fetched --parallel at a time, and each function is tested for a\n"
			 "significant change between the slices of the two windows.",
		.opts = opts,
		.footer = pd_fetch_env_help,
	};
	int rc = pd_fetch_start(&f, &cmd, argc, argv, &err);
	if (rc == PD_OK)
		rc = pd_gate_cli_prepare(&cli, &err);
	if (rc == PD_OK) { /* two outputs must not name one file */
		const char *outs[] = {cli.dot_path, cli.svg_path, cli.out_path, cli.gate.junit_path};
		rc = pd_file_check_outputs(NULL, 0, outs, sizeof outs / sizeof outs[0], &err);
	}
	if (rc == PD_OK) {
		/* A bundle draws one pair: its gate runs on thresholds, not slices. */
		k = slices ? slices : cli.gate.on && !cli.bundle_dir ? 10 : 1;
		if (cli.bundle_dir && k > 1)
			rc = pd_error_set(&err, PD_EUSAGE, "--bundle draws one pair: it takes no --slices");
		else if (cli.bundle_dir && (rc = pd_bundle_check(cli.bundle_dir, &err)) != PD_OK)
			;
		else if (parallel == 0)
			rc = pd_error_set(&err, PD_EUSAGE, "--parallel: give at least 1");
		else if (k > 1000)
			rc = pd_error_set(&err, PD_EUSAGE, "--slices: at most 1000");
		else if (f.to_ms - f.from_ms < (int64_t)k)
			rc = pd_error_set(&err, PD_EUSAGE, "--slices %zu: the window is too short", k);
	}
	if (rc == PD_OK)
		rc = baseline(&f, preset, &base, &err);
	if (rc == PD_OK && !(base_matchers = pd_pyro_matchers(f.base_query ? f.base_query : f.query)))
		rc = pd_error_oom(&err);
	base.matchers = base_matchers;
	new_.matchers = f.matchers;
	base.src = new_.src = src;
	cli.profile_type = f.type; /* a flamegraph carries no type or unit */
	new_.from_ms = f.from_ms;
	new_.to_ms = f.to_ms;
	if (rc == PD_OK && !(jobs = pd_calloc(2 * k, sizeof *jobs)))
		rc = pd_error_oom(&err);
	if (rc == PD_OK)
		rc = pd_pyro_preflight(&f.http, &err);
	if (rc == PD_OK) {
		slice_jobs(&f, &base, "baseline", k, jobs);
		slice_jobs(&f, &new_, "new", k, jobs + k);
		run_pool(jobs, 2 * k, parallel, !cli.quiet && isatty(fileno(stderr)));
		rc = first_failure(jobs, 2 * k, k, &err);
	}
	if (rc == PD_OK && f.save_dir)
		rc = save_inputs(&f, &base, &new_, jobs, k, &err);
	bool reported = false;
	if (rc == PD_OK && !(server = pd_http_strip_userinfo(f.http.url)))
		rc = pd_error_oom(&err);
	if (rc == PD_OK) {
		info.server = server;
		info.datasource = f.http.datasource;
		info.type = f.type;
		info.query = new_.matchers;
		info.base_query = base.matchers;
		info.base_from = base.from_ms, info.base_to = base.to_ms;
		info.new_from = new_.from_ms, info.new_to = new_.to_ms;
		info.max_nodes = f.max_nodes;
		info.base_data = jobs[0].dot.data, info.base_len = jobs[0].dot.len;
		info.new_data = jobs[k].dot.data, info.new_len = jobs[k].dot.len;
		cli.info = &info;
	}
	if (rc == PD_OK) {
		err.msg[0] = '\0';
		if (k == 1) {
			char bs[96], ns[96], a[32], b[32];
			snprintf(bs, sizeof bs, "baseline %s/%s", pd_time_format(base.from_ms, a),
				 pd_time_format(base.to_ms, b));
			snprintf(ns, sizeof ns, "new %s/%s", pd_time_format(new_.from_ms, a),
				 pd_time_format(new_.to_ms, b));
			info.base_src = bs, info.new_src = ns;
			rc = pd_diff_cli_run(&cli, bs, jobs[0].dot.data, jobs[0].dot.len, ns,
					     jobs[1].dot.data, jobs[1].dot.len, stdout,
					     cli.quiet ? NULL : stderr, &err);
		} else {
			rc = run_slices(&cli, jobs, k, &err);
		}
		/* A gate result (or a failure already reported) has no message to add. */
		reported = rc == PD_REGRESSION || !err.msg[0];
	}
	for (size_t i = 0; jobs && i < 2 * k; i++)
		pd_buf_fini(&jobs[i].dot);
	pd_free(jobs);
	free(server);
	free(base_matchers);
	pd_gate_cli_fini(&cli);
	pd_fetch_cli_fini(&f);
	if (rc == PD_OPT_EXIT)
		return PD_OK;
	return rc == PD_OK || reported ? rc : pd_cli_fail(&err);
}
