/* `profdiff types`, `labels` and `values NAME`: list one window's profile types, label
 * names or label values, one per line or as a JSON array. */
#include <errno.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "base/alloc.h"
#include "cli/fetch_conf.h"
#include "fetch/fetch.h"
#include "report/report.h"

static pd_status print_list(const pd_fetch_cli *f, const pd_strlist *l, pd_error *err)
{
	pd_buf out;
	pd_status st;
	pd_buf_init(&out, 0);
	if (f->json) {
		cJSON *a = cJSON_CreateArray();
		char *s = NULL;
		bool ok = a != NULL;
		for (size_t i = 0; ok && i < l->n; i++) {
			cJSON *it = cJSON_CreateString(l->v[i]);
			ok = it && cJSON_AddItemToArray(a, it);
		}
		if (ok)
			s = cJSON_PrintUnformatted(a);
		cJSON_Delete(a);
		if (s)
			pd_buf_printf(&out, "%s\n", s);
		else
			out.failed = true;
		cJSON_free(s);
	} else {
		for (size_t i = 0; i < l->n; i++) {
			pd_put_escaped(&out, l->v[i], &pd_escape_text);
			pd_buf_puts(&out, "\n");
		}
	}
	if (out.failed)
		st = pd_error_oom(err);
	else
		st = pd_cli_write(stdout, out.data ? out.data : "", out.len, "the list", err);
	pd_buf_fini(&out);
	return st;
}

typedef enum list_kind { LIST_TYPES, LIST_LABELS, LIST_VALUES } list_kind;

static int run_list(int argc, char **argv, list_kind kind)
{
	static const char *const names[] = {"types", "labels", "values"};
	static const char *const usage[] = {
		"types [--json] [connection and time options]",
		"labels [--query SELECTOR] [--json] [connection and time options]",
		"values NAME [--query SELECTOR] [--json] [connection and time options]",
	};
	static const char *const about[] = {
		"List the profile types in the window, one "
		"name:sample_type:sample_unit:period_type:period_unit\nper line.",
		"List the label names in the window (unfiltered, internal __names__ included).",
		"List the values of label NAME in the window.",
	};
	pd_fetch_cli f;
	pd_option conn[PD_CONN_OPTS];
	pd_error err = {0};
	pd_strlist l = {0};
	pd_fetch_cli_init(&f, names[kind], false);
	pd_fetch_conn_options(&f, conn);
	pd_option query[] = {PD_FETCH_OPT_QUERY(&f), {PD_OPT_END}};
	pd_option no_query[] = {{PD_OPT_END}}; /* types lists every series' types */
	pd_option opts[] = {
		{PD_OPT_GROUP, .help = "Options:"},
		{PD_OPT_TABLE, .value = kind == LIST_TYPES ? no_query : query},
		PD_FETCH_OPT_JSON(&f),
		PD_FETCH_OPT_HELP,
		{PD_OPT_TABLE, .value = conn},
		{PD_OPT_END},
	};
	const pd_opt_cmd cmd = {names[kind], usage[kind], about[kind], opts, pd_fetch_env_help};
	int rc = pd_fetch_start(&f, &cmd, argc, argv, &err);
	if (rc == PD_OK)
		rc = pd_pyro_preflight(&f.http, &err);
	if (rc == PD_OK) {
		if (kind == LIST_TYPES)
			rc = pd_pyro_profile_types(&f.http, f.from_ms, f.to_ms, &l, &err);
		else if (kind == LIST_LABELS)
			rc = pd_pyro_label_names(&f.http, f.matchers, f.from_ms, f.to_ms, &l, &err);
		else
			rc = pd_pyro_label_values(&f.http, f.label, f.matchers, f.from_ms, f.to_ms, &l,
						  &err);
	}
	if (rc == PD_OK)
		rc = print_list(&f, &l, &err);
	pd_strlist_fini(&l);
	pd_fetch_cli_fini(&f);
	return rc == PD_OK || rc == PD_OPT_EXIT ? PD_OK : pd_cli_fail(&err);
}

int pd_cmd_types(int argc, char **argv)
{
	return run_list(argc, argv, LIST_TYPES);
}

int pd_cmd_labels(int argc, char **argv)
{
	return run_list(argc, argv, LIST_LABELS);
}

int pd_cmd_values(int argc, char **argv)
{
	return run_list(argc, argv, LIST_VALUES);
}
