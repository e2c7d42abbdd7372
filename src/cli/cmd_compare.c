/* `profdiff compare`: fetch a baseline and a problem window concurrently (the baseline
 * in a thread), optionally keep both DOTs and their provenance (--save-inputs), and
 * run the shared diff pipeline on them. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "base/alloc.h"
#include "cli/fetch_conf.h"
#include "fetch/fetch.h"

typedef struct side {
	pd_http_conf http; /* a copy, tagged for --verbose */
	const char *type;
	const char *matchers;
	int64_t from_ms, to_ms;
	long max_nodes;
	pd_buf dot;
	pd_error err;
	pd_status st;
} side;

static void *fetch_side(void *arg)
{
	side *s = arg;
	s->st = pd_pyro_render(&s->http, s->type, s->matchers, s->from_ms, s->to_ms, s->max_nodes,
			       &s->dot, &s->err);
	return NULL;
}

static void add_window(cJSON *o, const char *key, const side *s)
{
	char a[32], b[32];
	cJSON *w = cJSON_AddObjectToObject(o, key);
	if (!w)
		return;
	cJSON_AddStringToObject(w, "query", s->matchers);
	cJSON_AddStringToObject(w, "from", pd_time_format(s->from_ms, a));
	cJSON_AddStringToObject(w, "to", pd_time_format(s->to_ms, b));
	cJSON_AddNumberToObject(w, "from_ms", (double)s->from_ms); /* exact below 2^53 */
	cJSON_AddNumberToObject(w, "to_ms", (double)s->to_ms);
}

static pd_status save_inputs(const pd_fetch_cli *f, const side *base, const side *new_,
			     pd_error *err)
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
	add_window(o, "baseline", base);
	add_window(o, "new", new_);
	json = cJSON_Print(o);
	if (!json) {
		st = pd_error_oom(err);
		goto out;
	}
	static const char *const names[] = {"base.dot", "new.dot", "provenance.json"};
	const char *data[] = {base->dot.data, new_->dot.data, json};
	size_t len[] = {base->dot.len, new_->dot.len, strlen(json)};
	for (size_t i = 0; i < 3 && st == PD_OK; i++) {
		path.len = 0;
		pd_buf_printf(&path, "%s/%s", f->save_dir, names[i]);
		st = path.failed ? pd_error_oom(err)
				 : pd_write_file_atomic(path.data, data[i], len[i], err);
	}
out:
	if (json)
		cJSON_free(json);
	cJSON_Delete(o);
	free(server);
	pd_buf_fini(&path);
	return st;
}

/* The baseline window: as given, else the same length right before the problem window. */
static pd_status baseline(const pd_fetch_cli *f, side *base, pd_error *err)
{
	int64_t len = f->to_ms - f->from_ms, now = pd_time_now_ms();
	pd_status rc = PD_OK;
	base->from_ms = f->from_ms - len;
	base->to_ms = f->from_ms;
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

/* Both windows at once: the baseline in a thread, the problem window here. */
static pd_status fetch_both(const pd_fetch_cli *f, side *base, side *new_, pd_error *err)
{
	base->http = new_->http = f->http;
	base->http.trace_tag = "[baseline] ";
	new_->http.trace_tag = "[new] ";
	base->type = new_->type = f->type;
	base->max_nodes = new_->max_nodes = f->max_nodes;
	new_->matchers = f->matchers;
	new_->from_ms = f->from_ms;
	new_->to_ms = f->to_ms;
	pthread_t t;
	bool threaded = pthread_create(&t, NULL, fetch_side, base) == 0;
	fetch_side(new_);
	if (threaded)
		pthread_join(t, NULL);
	else
		fetch_side(base);
	if (base->st != PD_OK)
		return pd_error_set(err, base->st, "baseline: %s", base->err.msg);
	if (new_->st != PD_OK)
		return pd_error_set(err, new_->st, "problem window: %s", new_->err.msg);
	return PD_OK;
}

int pd_cmd_compare(int argc, char **argv)
{
	pd_fetch_cli f;
	pd_diff_cli cli;
	pd_option conn[PD_CONN_OPTS], diff_opts[PD_DIFF_OPTS];
	pd_error err = {0};
	char *base_matchers = NULL;
	side base = {0}, new_ = {0};
	pd_fetch_cli_init(&f, "compare", true);
	pd_fetch_conn_options(&f, conn);
	pd_diff_cli_init(&cli);
	pd_diff_cli_options(&cli, diff_opts);
	pd_option opts[] = {
		{PD_OPT_GROUP, .help = "Options:"},
		PD_FETCH_OPT_TYPE(&f),
		PD_FETCH_OPT_QUERY(&f),
		PD_FETCH_OPT_MAX_NODES(&f),
		PD_OPTION(PD_OPT_STRING, "baseline-query", 0, &f.base_query, "SELECTOR",
		 "selector for the baseline", .def = "--query"),
		PD_OPTION(PD_OPT_STRING, "baseline-from", 0, &f.base_from, "T", "start of the baseline window",
		 .def = "one window length before --baseline-to, or before --from"),
		PD_OPTION(PD_OPT_STRING, "baseline-to", 0, &f.base_to, "T", "end of the baseline window",
		 .def = "one window length after --baseline-from"),
		PD_OPTION(PD_OPT_STRING, "save-inputs", 0, &f.save_dir, "DIR",
		 "write base.dot, new.dot and provenance.json to DIR"),
		PD_FETCH_OPT_HELP,
		{PD_OPT_GROUP, .help = "Diff options:"},
		{PD_OPT_TABLE, .value = diff_opts},
		{PD_OPT_TABLE, .value = conn},
		{PD_OPT_END},
	};
	const pd_opt_cmd cmd = {
		.name = "compare",
		.usage = "compare --type TYPE [--query SELECTOR] [--baseline-query SELECTOR]\n"
			 "                        [--baseline-from T --baseline-to T] [--save-inputs DIR]\n"
			 "                        [diff options] [connection and time options]",
		.about = "Fetch a baseline and a problem window concurrently and diff them. The baseline\n"
			 "defaults to the window of the same length immediately before the problem window.",
		.opts = opts,
		.footer = pd_fetch_env_help,
	};
	pd_buf_init(&base.dot, 0);
	pd_buf_init(&new_.dot, 0);
	int rc = pd_fetch_start(&f, &cmd, argc, argv, &err);
	if (rc == PD_OK)
		rc = baseline(&f, &base, &err);
	if (rc == PD_OK && !(base_matchers = pd_pyro_matchers(f.base_query ? f.base_query : f.query)))
		rc = pd_error_oom(&err);
	base.matchers = base_matchers;
	if (rc == PD_OK)
		rc = pd_pyro_preflight(&f.http, &err);
	if (rc == PD_OK)
		rc = fetch_both(&f, &base, &new_, &err);
	if (rc == PD_OK && f.save_dir)
		rc = save_inputs(&f, &base, &new_, &err);
	bool reported = false;
	if (rc == PD_OK) {
		char bs[96], ns[96], a[32], b[32];
		snprintf(bs, sizeof bs, "baseline %s/%s", pd_time_format(base.from_ms, a),
			 pd_time_format(base.to_ms, b));
		snprintf(ns, sizeof ns, "new %s/%s", pd_time_format(new_.from_ms, a),
			 pd_time_format(new_.to_ms, b));
		err.msg[0] = '\0';
		rc = pd_diff_cli_run(&cli, bs, base.dot.data, base.dot.len, ns, new_.dot.data,
				     new_.dot.len, stdout, cli.quiet ? NULL : stderr, &err);
		/* A gate result (or a failure already reported) has no message to add. */
		reported = rc == PD_REGRESSION || !err.msg[0];
	}
	pd_buf_fini(&base.dot);
	pd_buf_fini(&new_.dot);
	free(base_matchers);
	pd_fetch_cli_fini(&f);
	if (rc == PD_OPT_EXIT)
		return PD_OK;
	return rc == PD_OK || reported ? rc : pd_cli_fail(&err);
}
