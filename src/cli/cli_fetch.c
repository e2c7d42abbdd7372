/* Fetch subcommands: types, labels, values, fetch and compare. Each parses its flags
 * and the environment into a pd_http_conf, calls src/fetch/, prints the result and
 * maps failures to exit codes through pd_cli_fail. Secrets come only from the
 * environment or --token-file and never reach output. */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "cli/cli.h"
#include "fetch/http.h"
#include "fetch/pyroscope.h"
#include "fetch/timespec.h"

enum {
	OPT_FROM = 0x1000, /* above the diff options' range (PD_DIFF_OPT_FIRST) */
	OPT_TO,
	OPT_QUERY,
	OPT_URL,
	OPT_DATASOURCE,
	OPT_TENANT,
	OPT_ORG_ID,
	OPT_TOKEN_FILE,
	OPT_CACERT,
	OPT_INSECURE,
	OPT_TIMEOUT,
	OPT_MAX_BODY,
	OPT_VERBOSE,
	OPT_JSON,
	OPT_TYPE,
	OPT_MAX_NODES,
	OPT_BASE_QUERY,
	OPT_BASE_FROM,
	OPT_BASE_TO,
	OPT_SAVE_INPUTS,
};

/* Which optional flags a subcommand takes. */
enum { F_QUERY = 1, F_JSON = 2, F_PROFILE = 4, F_OUT = 8, F_COMPARE = 16 };

static const struct option conn_options[] = {
	{"from", required_argument, NULL, OPT_FROM},
	{"to", required_argument, NULL, OPT_TO},
	{"url", required_argument, NULL, OPT_URL},
	{"datasource", required_argument, NULL, OPT_DATASOURCE},
	{"tenant", required_argument, NULL, OPT_TENANT},
	{"org-id", required_argument, NULL, OPT_ORG_ID},
	{"token-file", required_argument, NULL, OPT_TOKEN_FILE},
	{"cacert", required_argument, NULL, OPT_CACERT},
	{"insecure", no_argument, NULL, OPT_INSECURE},
	{"timeout", required_argument, NULL, OPT_TIMEOUT},
	{"max-body", required_argument, NULL, OPT_MAX_BODY},
	{"verbose", no_argument, NULL, OPT_VERBOSE},
	{"help", no_argument, NULL, 'h'},
	{0, 0, 0, 0},
};
static const struct option query_options[] = {
	{"query", required_argument, NULL, OPT_QUERY},
	{0, 0, 0, 0},
};
static const struct option json_options[] = {
	{"json", no_argument, NULL, OPT_JSON},
	{0, 0, 0, 0},
};
static const struct option profile_options[] = {
	{"type", required_argument, NULL, OPT_TYPE},
	{"max-nodes", required_argument, NULL, OPT_MAX_NODES},
	{0, 0, 0, 0},
};
static const struct option out_options[] = {
	{"output", required_argument, NULL, 'o'},
	{0, 0, 0, 0},
};
static const struct option compare_options[] = {
	{"baseline-query", required_argument, NULL, OPT_BASE_QUERY},
	{"baseline-from", required_argument, NULL, OPT_BASE_FROM},
	{"baseline-to", required_argument, NULL, OPT_BASE_TO},
	{"save-inputs", required_argument, NULL, OPT_SAVE_INPUTS},
	{0, 0, 0, 0},
};

static const char conn_help[] =
	"Time window:\n"
	"  --from T, --to T      window to query (default: the last hour, to=now, from=to-1h);\n"
	"                        T is RFC 3339 with a zone, now, now-30m (s m h d w), Unix\n"
	"                        seconds or milliseconds (13 digits)\n"
	"Connection:\n"
	"  --url URL             Pyroscope root (direct) or Grafana root (with --datasource)\n"
	"  --datasource UID      go through Grafana's datasource proxy for this datasource\n"
	"  --tenant ID           X-Scope-OrgID (direct mode only)\n"
	"  --org-id N            X-Grafana-Org-Id, sent when N > 0 (Grafana mode)\n"
	"  --token-file FILE     bearer token read from FILE (trailing newline trimmed)\n"
	"  --cacert FILE         CA bundle for TLS verification\n"
	"  --insecure            skip TLS certificate verification\n"
	"  --timeout SECONDS     bound on each request (default 30)\n"
	"  --max-body BYTES      fail when a response is larger (default 64MiB; k/M/G, KiB/MiB/GiB,\n"
	"                        kB/MB/GB suffixes)\n"
	"  --verbose             trace requests to stderr (credentials redacted)\n"
	"  -h, --help            show this help\n"
	"Environment:\n"
	"  PROFDIFF_URL          default for --url; GRAFANA_URL is used with --datasource\n"
	"  PROFDIFF_DATASOURCE   default for --datasource\n"
	"  PROFDIFF_TENANT_ID    default for --tenant\n"
	"  GRAFANA_ORG_ID        default for --org-id\n"
	"  PROFDIFF_TOKEN        bearer token (else GRAFANA_SERVICE_ACCOUNT_TOKEN)\n"
	"  PROFDIFF_USERNAME, PROFDIFF_PASSWORD\n"
	"                        basic auth (wins over an env token in direct mode; an env\n"
	"                        token wins in Grafana mode; --token-file always wins)\n";

typedef struct fetch_cli {
	const char *name; /* subcommand */
	unsigned features;
	const char *from, *to, *query;
	const char *url, *datasource, *tenant, *org_id, *token_file, *cacert;
	bool insecure, verbose, json;
	const char *timeout, *max_body;
	const char *type, *max_nodes, *out;
	const char *base_query, *base_from, *base_to, *save_dir;
	const char *label; /* values NAME */
	/* resolved */
	pd_http_conf http;
	char *token;      /* owned copy (file or env); wiped on fini */
	char *token_from; /* owned description */
	char *matchers;   /* owned */
	int64_t from_ms, to_ms;
	long max_nodes_n;
} fetch_cli;

static void usage(const fetch_cli *f)
{
	static const char *const synopsis[] = {
		"types [--json]",
		"labels [--query SELECTOR] [--json]",
		"values NAME [--query SELECTOR] [--json]",
		"fetch --type TYPE [--query SELECTOR] [--max-nodes N] [-o FILE]",
		"compare --type TYPE [--query SELECTOR] [--baseline-query SELECTOR]\n"
		"                        [--baseline-from T --baseline-to T] [--save-inputs DIR]\n"
		"                        [diff options]",
	};
	static const char *const what[] = {
		"List the profile types in the window, one name:sample_type:sample_unit:period_type:period_unit\nper line.",
		"List the label names in the window (unfiltered, internal __names__ included).",
		"List the values of label NAME in the window.",
		"Print the window's profile as DOT, exactly as the server sent it.",
		"Fetch a baseline and a problem window concurrently and diff them. The baseline\n"
		"defaults to the window of the same length immediately before the problem window.",
	};
	size_t i = f->features & F_COMPARE ? 4
		 : f->features & F_PROFILE ? 3
		 : f->label || !strcmp(f->name, "values") ? 2
		 : f->features & F_QUERY ? 1
		 : 0;
	printf("Usage: profdiff %s [connection and time options]\n\n%s\n\n", synopsis[i], what[i]);
	if (f->features & (F_QUERY | F_PROFILE | F_JSON))
		printf("Options:\n");
	if (f->features & F_PROFILE)
		printf("  --type TYPE           profile type, e.g. process_cpu:cpu:nanoseconds:cpu:nanoseconds\n"
		       "  --max-nodes N         DOT node count requested (default 100; only N > 0 changes it)\n");
	if (f->features & F_QUERY)
		printf("  --query SELECTOR      label selector, e.g. '{service_name=\"api\"}' (braces added\n"
		       "                        when missing; default {})\n");
	if (f->features & F_COMPARE)
		printf("  --baseline-query SEL  selector for the baseline (default: --query)\n"
		       "  --baseline-from T, --baseline-to T\n"
		       "                        baseline window (default: the window just before --from)\n"
		       "  --save-inputs DIR     write base.dot, new.dot and provenance.json to DIR\n");
	if (f->features & F_OUT)
		printf("  -o, --output FILE     write the DOT to FILE (atomically) instead of stdout\n");
	if (f->features & F_JSON)
		printf("  --json                print a JSON array instead of one item per line\n");
	if (f->features & F_COMPARE)
		printf("Diff options:\n%s", pd_diff_options_help);
	printf("%s\n%s", conn_help, pd_exit_codes_help);
}

/* Concatenates zero-terminated option tables into one malloc'd table. */
static struct option *concat_options(const struct option *const *tabs, size_t ntabs)
{
	size_t n = 0;
	for (size_t t = 0; t < ntabs; t++)
		for (const struct option *o = tabs[t]; o->name; o++)
			n++;
	struct option *all = calloc(n + 1, sizeof *all);
	if (!all)
		return NULL;
	n = 0;
	for (size_t t = 0; t < ntabs; t++)
		for (const struct option *o = tabs[t]; o->name; o++)
			all[n++] = *o;
	return all;
}

static void fetch_cli_fini(fetch_cli *f)
{
	if (f->token) {
		memset(f->token, 0, strlen(f->token));
		free(f->token);
	}
	free(f->token_from);
	free(f->matchers);
}

static const char *env(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

/* Reads the token file: only trailing blanks and newlines are trimmed. The file's
 * content never appears in messages. */
static pd_status read_token_file(fetch_cli *f, pd_error *err)
{
	pd_buf b;
	pd_error e;
	pd_buf_init(&b, 64 * 1024);
	if (pd_read_file(f->token_file, &b, &e) != PD_OK) {
		if (b.data) /* a partial read may hold part of the token */
			memset(b.data, 0, b.cap);
		pd_buf_fini(&b);
		return pd_error_set(err, PD_EINPUT, "--token-file: %s", e.msg);
	}
	while (b.len > 0 && (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == '\r' ||
			     b.data[b.len - 1] == ' ' || b.data[b.len - 1] == '\t'))
		b.data[--b.len] = '\0';
	if (b.len == 0 || memchr(b.data, '\n', b.len)) {
		if (b.data)
			memset(b.data, 0, b.len);
		pd_buf_fini(&b);
		return pd_error_set(err, PD_EINPUT, "--token-file: %s must hold one non-empty line",
				    f->token_file);
	}
	f->token = b.data; /* taken over from the buffer */
	return PD_OK;
}

/* --verbose: the library hands over each trace line, already redacted. */
static void trace_stderr(void *ud, const char *line)
{
	(void)ud;
	fprintf(stderr, "%s\n", line);
}

/* Turns flags + environment into f->http, the window and the matchers. */
static pd_status resolve(fetch_cli *f, pd_error *err)
{
	pd_http_conf *c = &f->http;
	pd_buf desc;
	pd_http_conf_init(c);
	c->datasource = f->datasource ? f->datasource : env("PROFDIFF_DATASOURCE");
	if (c->datasource && !*c->datasource)
		return pd_error_set(err, PD_EUSAGE, "--datasource: empty UID");
	c->url = f->url ? f->url : env("PROFDIFF_URL");
	if (!c->url && c->datasource)
		c->url = env("GRAFANA_URL");
	if (!c->url || !*c->url)
		return pd_error_set(err, PD_EUSAGE,
				    "no server URL: pass --url URL or set PROFDIFF_URL "
				    "(with --datasource, GRAFANA_URL is used too)");
	if (f->tenant && c->datasource)
		return pd_error_set(err, PD_EUSAGE,
				    "--tenant is for direct mode only; through Grafana the datasource "
				    "sets X-Scope-OrgID");
	c->tenant = c->datasource ? NULL : f->tenant ? f->tenant : env("PROFDIFF_TENANT_ID");
	const char *org = f->org_id ? f->org_id : env("GRAFANA_ORG_ID");
	if (org) {
		char *end;
		errno = 0;
		long v = strtol(org, &end, 10);
		if (errno || end == org || *end)
			return pd_error_set(err, PD_EUSAGE, "--org-id: not a number: \"%s\"", org);
		c->org_id = v;
	}
	c->cacert = f->cacert;
	c->insecure = f->insecure;
	c->trace = f->verbose ? trace_stderr : NULL;
	if (f->timeout) {
		char *end;
		double t = strtod(f->timeout, &end);
		if (end == f->timeout || *end || !(t > 0) || t > 86400)
			return pd_error_set(err, PD_EUSAGE, "--timeout: want seconds > 0, got \"%s\"",
					    f->timeout);
		c->timeout_ms = (long)(t * 1000 + 0.5);
		if (c->timeout_ms < 1)
			c->timeout_ms = 1;
	}
	if (f->max_body && !pd_parse_size(f->max_body, &c->max_body))
		return pd_error_set(err, PD_EUSAGE,
				    "--max-body: want a positive byte count like 65536 or 64MiB, got \"%s\"",
				    f->max_body);

	/* Credentials: --token-file, then the mode's preference between env token and basic. */
	const char *user = env("PROFDIFF_USERNAME");
	const char *etok = env("PROFDIFF_TOKEN");
	const char *etok_from = "PROFDIFF_TOKEN";
	if (!etok) {
		etok = env("GRAFANA_SERVICE_ACCOUNT_TOKEN");
		etok_from = "GRAFANA_SERVICE_ACCOUNT_TOKEN";
	}
	pd_buf_init(&desc, 0);
	if (f->token_file) {
		pd_status st = read_token_file(f, err);
		if (st)
			return st;
		pd_buf_printf(&desc, "token file %s", f->token_file);
		c->auth = PD_AUTH_BEARER;
	} else if (etok && !(user && !c->datasource)) {
		f->token = strdup(etok);
		pd_buf_puts(&desc, etok_from);
		c->auth = PD_AUTH_BEARER;
	} else if (user) {
		c->auth = PD_AUTH_BASIC;
		c->username = user;
		c->password = getenv("PROFDIFF_PASSWORD");
	}
	if ((c->auth == PD_AUTH_BEARER && !f->token) || desc.failed) {
		pd_buf_fini(&desc);
		return pd_error_set(err, PD_EINTERNAL, "out of memory");
	}
	f->token_from = desc.data;
	c->token = f->token;
	c->token_from = f->token_from;

	pd_status st = pd_time_window(f->from, f->to, pd_time_now_ms(), &f->from_ms, &f->to_ms, err);
	if (st)
		return st;
	if (!(f->matchers = pd_pyro_matchers(f->query)))
		return pd_error_set(err, PD_EINTERNAL, "out of memory");
	f->max_nodes_n = 100;
	if (f->max_nodes) {
		char *end;
		errno = 0;
		long n = strtol(f->max_nodes, &end, 10);
		if (errno || end == f->max_nodes || *end)
			return pd_error_set(err, PD_EUSAGE, "--max-nodes: not a number: \"%s\"",
					    f->max_nodes);
		if (n > 0) /* like Pyroscope: only a positive value changes the default */
			f->max_nodes_n = n;
	}
	if (f->features & F_PROFILE) {
		if (!f->type || !*f->type)
			return pd_error_set(err, PD_EUSAGE,
					    "%s: --type is required (list them with profdiff types)", f->name);
		size_t colons = 0;
		for (const char *p = f->type; *p; p++)
			colons += *p == ':';
		if ((colons != 4 && colons != 5) || strpbrk(f->type, "{} "))
			return pd_error_set(err, PD_EUSAGE,
					    "--type: want name:sample_type:sample_unit:period_type:period_unit, "
					    "got \"%s\"",
					    f->type);
	}
	return pd_http_global_init(err);
}

static int diff_option(const fetch_cli *f, pd_diff_cli *diff, int ch, pd_error *err)
{
	int a = diff && (f->features & F_COMPARE) ? pd_diff_cli_apply(diff, ch, optarg, err) : 0;
	if (a < 0)
		return err->code ? (int)err->code : PD_EUSAGE;
	if (a == 0)
		return pd_error_set(err, PD_EUSAGE, "%s: unexpected option (see profdiff %s --help)",
				    f->name, f->name);
	return PD_OK;
}

/* Parses argv. Returns PD_OK to go on, -1 after printing help, or a usage error. */
static int parse(int argc, char **argv, fetch_cli *f, pd_diff_cli *diff, pd_error *err)
{
	const struct option *tabs[8];
	size_t nt = 0;
	tabs[nt++] = conn_options;
	if (f->features & (F_QUERY | F_PROFILE))
		tabs[nt++] = query_options;
	if (f->features & F_JSON)
		tabs[nt++] = json_options;
	if (f->features & F_PROFILE)
		tabs[nt++] = profile_options;
	if (f->features & F_OUT)
		tabs[nt++] = out_options;
	if (f->features & F_COMPARE) {
		tabs[nt++] = compare_options;
		tabs[nt++] = pd_diff_long_options;
	}
	struct option *opts = concat_options(tabs, nt);
	if (!opts)
		return pd_error_set(err, PD_EINTERNAL, "out of memory");
	const char *shortopts = f->features & F_COMPARE ? ":h" PD_DIFF_SHORTOPTS
				: f->features & F_OUT   ? ":ho:"
							: ":h";
	int rc = PD_OK, ch;
	optind = 0;
	opterr = 0;
	while (rc == PD_OK && (ch = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			usage(f);
			rc = -1;
			break;
		case OPT_FROM: f->from = optarg; break;
		case OPT_TO: f->to = optarg; break;
		case OPT_QUERY: f->query = optarg; break;
		case OPT_URL: f->url = optarg; break;
		case OPT_DATASOURCE: f->datasource = optarg; break;
		case OPT_TENANT: f->tenant = optarg; break;
		case OPT_ORG_ID: f->org_id = optarg; break;
		case OPT_TOKEN_FILE: f->token_file = optarg; break;
		case OPT_CACERT: f->cacert = optarg; break;
		case OPT_INSECURE: f->insecure = true; break;
		case OPT_TIMEOUT: f->timeout = optarg; break;
		case OPT_MAX_BODY: f->max_body = optarg; break;
		case OPT_VERBOSE: f->verbose = true; break;
		case OPT_JSON: f->json = true; break;
		case OPT_TYPE: f->type = optarg; break;
		case OPT_MAX_NODES: f->max_nodes = optarg; break;
		case OPT_BASE_QUERY: f->base_query = optarg; break;
		case OPT_BASE_FROM: f->base_from = optarg; break;
		case OPT_BASE_TO: f->base_to = optarg; break;
		case OPT_SAVE_INPUTS: f->save_dir = optarg; break;
		case ':':
			rc = pd_error_set(err, PD_EUSAGE, "%s: option %s needs a value (see profdiff %s --help)",
					  f->name, argv[optind - 1], f->name);
			break;
		case '?':
			if (optopt && optopt < 0x100)
				rc = pd_error_set(err, PD_EUSAGE, "%s: unknown option -%c (see profdiff %s --help)",
						  f->name, optopt, f->name);
			else
				rc = pd_error_set(err, PD_EUSAGE, "%s: unknown option %s (see profdiff %s --help)",
						  f->name, argv[optind - 1], f->name);
			break;
		case 'o':
			if (!(f->features & F_COMPARE)) {
				f->out = optarg;
				break;
			}
			rc = diff_option(f, diff, ch, err); /* compare's -o is the diff report's */
			break;
		default:
			rc = diff_option(f, diff, ch, err);
			break;
		}
	}
	free(opts);
	if (rc != PD_OK)
		return rc;
	int want = !strcmp(f->name, "values") ? 1 : 0;
	if (argc - optind != want) {
		if (want && argc - optind == 0)
			return pd_error_set(err, PD_EUSAGE, "values: name is required (profdiff values NAME)");
		return pd_error_set(err, PD_EUSAGE, "%s: unexpected argument \"%s\" (see profdiff %s --help)",
				    f->name, argv[optind + want], f->name);
	}
	if (want) {
		char *name = argv[optind]; /* trimmed in place, like mcp-grafana */
		size_t n = strlen(name);
		while (n > 0 && (name[n - 1] == ' ' || name[n - 1] == '\t'))
			name[--n] = '\0';
		while (*name == ' ' || *name == '\t')
			name++;
		f->label = name;
		if (!*f->label)
			return pd_error_set(err, PD_EUSAGE, "values: name is required");
	}
	return PD_OK;
}

static pd_status print_list(const fetch_cli *f, const pd_strlist *l, pd_error *err)
{
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
		if (!s)
			return pd_error_set(err, PD_EINTERNAL, "out of memory");
		printf("%s\n", s);
		cJSON_free(s);
	} else {
		for (size_t i = 0; i < l->n; i++)
			printf("%s\n", l->v[i]);
	}
	if (fflush(stdout) != 0 || ferror(stdout))
		return pd_error_set(err, PD_EINTERNAL, "cannot write to stdout: %s", strerror(errno));
	return PD_OK;
}

/* The common start of the one-window commands: options, connection, and the Grafana
 * datasource check. Returns -1 when --help was printed, else a status. */
static int start(int argc, char **argv, fetch_cli *f, pd_error *err)
{
	int rc = parse(argc, argv, f, NULL, err);
	if (rc == PD_OK)
		rc = resolve(f, err);
	if (rc == PD_OK)
		rc = pd_pyro_preflight(&f->http, err);
	return rc;
}

static int run_list(int argc, char **argv, const char *name, unsigned features)
{
	fetch_cli f = {.name = name, .features = features};
	pd_error err = {0};
	pd_strlist l = {0};
	int rc = start(argc, argv, &f, &err);
	if (rc == -1)
		return PD_OK;
	if (rc == PD_OK) {
		if (!strcmp(name, "types"))
			rc = pd_pyro_profile_types(&f.http, f.from_ms, f.to_ms, &l, &err);
		else if (!strcmp(name, "labels"))
			rc = pd_pyro_label_names(&f.http, f.matchers, f.from_ms, f.to_ms, &l, &err);
		else
			rc = pd_pyro_label_values(&f.http, f.label, f.matchers, f.from_ms, f.to_ms, &l,
						  &err);
	}
	if (rc == PD_OK)
		rc = print_list(&f, &l, &err);
	pd_strlist_fini(&l);
	fetch_cli_fini(&f);
	return rc == PD_OK ? PD_OK : pd_cli_fail(&err);
}

int pd_cmd_types(int argc, char **argv)
{
	return run_list(argc, argv, "types", F_JSON);
}

int pd_cmd_labels(int argc, char **argv)
{
	return run_list(argc, argv, "labels", F_QUERY | F_JSON);
}

int pd_cmd_values(int argc, char **argv)
{
	return run_list(argc, argv, "values", F_QUERY | F_JSON);
}

int pd_cmd_fetch(int argc, char **argv)
{
	fetch_cli f = {.name = "fetch", .features = F_PROFILE | F_OUT};
	pd_error err = {0};
	pd_buf dot;
	pd_buf_init(&dot, 0);
	int rc = start(argc, argv, &f, &err);
	if (rc == -1)
		return PD_OK;
	if (rc == PD_OK)
		rc = pd_pyro_render(&f.http, f.type, f.matchers, f.from_ms, f.to_ms, f.max_nodes_n,
				    &dot, &err);
	if (rc == PD_OK) {
		if (f.out) {
			rc = pd_write_file_atomic(f.out, dot.data, dot.len, &err);
		} else if (fwrite(dot.data, 1, dot.len, stdout) != dot.len || fflush(stdout) != 0) {
			rc = pd_error_set(&err, PD_EINTERNAL, "cannot write to stdout: %s",
					  strerror(errno));
		}
	}
	pd_buf_fini(&dot);
	fetch_cli_fini(&f);
	return rc == PD_OK ? PD_OK : pd_cli_fail(&err);
}

/* ---- compare ----------------------------------------------------------------------- */

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

static pd_status save_inputs(const fetch_cli *f, const side *base, const side *new_,
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
		st = pd_error_set(err, PD_EINTERNAL, "out of memory");
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
	cJSON_AddNumberToObject(o, "max_nodes", (double)f->max_nodes_n);
	add_window(o, "baseline", base);
	add_window(o, "new", new_);
	json = cJSON_Print(o);
	if (!json) {
		st = pd_error_set(err, PD_EINTERNAL, "out of memory");
		goto out;
	}
	static const char *const names[] = {"base.dot", "new.dot", "provenance.json"};
	const char *data[] = {base->dot.data, new_->dot.data, json};
	size_t len[] = {base->dot.len, new_->dot.len, strlen(json)};
	for (size_t i = 0; i < 3 && st == PD_OK; i++) {
		path.len = 0;
		pd_buf_printf(&path, "%s/%s", f->save_dir, names[i]);
		st = path.failed ? pd_error_set(err, PD_EINTERNAL, "out of memory")
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

int pd_cmd_compare(int argc, char **argv)
{
	fetch_cli f = {.name = "compare", .features = F_PROFILE | F_COMPARE};
	pd_diff_cli cli;
	pd_error err = {0};
	char *base_matchers = NULL;
	side base = {0}, new_ = {0};
	pd_buf_init(&base.dot, 0);
	pd_buf_init(&new_.dot, 0);
	pd_diff_cli_init(&cli);
	int rc = parse(argc, argv, &f, &cli, &err);
	if (rc == -1)
		return PD_OK;
	if (rc == PD_OK)
		rc = resolve(&f, &err);
	if (rc == PD_OK) {
		/* Baseline: as given, else the same length right before the problem window. */
		int64_t len = f.to_ms - f.from_ms, now = pd_time_now_ms();
		base.from_ms = f.from_ms - len;
		base.to_ms = f.from_ms;
		if (f.base_from && (rc = pd_time_parse("--baseline-from", f.base_from, now,
						       &base.from_ms, &err)) == PD_OK && !f.base_to)
			base.to_ms = base.from_ms + len;
		if (rc == PD_OK && f.base_to &&
		    (rc = pd_time_parse("--baseline-to", f.base_to, now, &base.to_ms, &err)) == PD_OK &&
		    !f.base_from)
			base.from_ms = base.to_ms - len;
		if (rc == PD_OK && base.from_ms >= base.to_ms) {
			char a[32], b[32];
			rc = pd_error_set(&err, PD_EUSAGE,
					  "baseline start timestamp \"%s\" must be strictly before end "
					  "timestamp \"%s\"",
					  pd_time_format(base.from_ms, a), pd_time_format(base.to_ms, b));
		}
		if (rc == PD_OK && !(base_matchers = pd_pyro_matchers(f.base_query ? f.base_query
										    : f.query)))
			rc = pd_error_set(&err, PD_EINTERNAL, "out of memory");
	}
	if (rc == PD_OK)
		rc = pd_pyro_preflight(&f.http, &err);
	if (rc == PD_OK) {
		base.http = new_.http = f.http;
		base.http.trace_tag = "[baseline] ";
		new_.http.trace_tag = "[new] ";
		base.type = new_.type = f.type;
		base.max_nodes = new_.max_nodes = f.max_nodes_n;
		base.matchers = base_matchers;
		new_.matchers = f.matchers;
		new_.from_ms = f.from_ms;
		new_.to_ms = f.to_ms;
		/* Both windows at once: the baseline in a thread, the problem window here. */
		pthread_t t;
		bool threaded = pthread_create(&t, NULL, fetch_side, &base) == 0;
		fetch_side(&new_);
		if (threaded)
			pthread_join(t, NULL);
		else
			fetch_side(&base);
		if (base.st != PD_OK) {
			rc = pd_error_set(&err, base.st, "baseline: %s", base.err.msg);
		} else if (new_.st != PD_OK) {
			rc = pd_error_set(&err, new_.st, "problem window: %s", new_.err.msg);
		}
	}
	if (rc == PD_OK && f.save_dir)
		rc = save_inputs(&f, &base, &new_, &err);
	if (rc == PD_OK) {
		char bs[96], ns[96], a[32], b[32];
		snprintf(bs, sizeof bs, "baseline %s/%s", pd_time_format(base.from_ms, a),
			 pd_time_format(base.to_ms, b));
		snprintf(ns, sizeof ns, "new %s/%s", pd_time_format(new_.from_ms, a),
			 pd_time_format(new_.to_ms, b));
		err.msg[0] = '\0';
		rc = pd_diff_cli_run(&cli, bs, base.dot.data, base.dot.len, ns, new_.dot.data,
				     new_.dot.len, stdout, cli.quiet ? NULL : stderr, &err);
		if (rc != PD_OK && (rc == PD_REGRESSION || !err.msg[0])) {
			/* A gate result (or a failure already reported): no message to add. */
			pd_buf_fini(&base.dot);
			pd_buf_fini(&new_.dot);
			free(base_matchers);
			fetch_cli_fini(&f);
			return rc;
		}
	}
	pd_buf_fini(&base.dot);
	pd_buf_fini(&new_.dot);
	free(base_matchers);
	fetch_cli_fini(&f);
	return rc == PD_OK ? PD_OK : pd_cli_fail(&err);
}
