/* Options and environment shared by the fetch commands (fetch_conf.h): the time window
 * and connection table, the token file, and the resolution into a pd_http_conf. The
 * token's text never appears in a message. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "cli/fetch_conf.h"
#include "fetch/fetch.h"

const char pd_fetch_env_help[] =
	"Environment:\n"
	"  PROFDIFF_URL          default for --url; GRAFANA_URL is used with --datasource\n"
	"  PROFDIFF_DATASOURCE   default for --datasource\n"
	"  PROFDIFF_TENANT_ID    default for --tenant\n"
	"  GRAFANA_ORG_ID        default for --org-id\n"
	"  PROFDIFF_TOKEN        bearer token (else GRAFANA_SERVICE_ACCOUNT_TOKEN)\n"
	"  PROFDIFF_USERNAME, PROFDIFF_PASSWORD\n"
	"                        basic auth (wins over an env token in direct mode; an env\n"
	"                        token wins in Grafana mode; --token-file always wins)\n";

void pd_fetch_cli_init(pd_fetch_cli *f, const char *name, bool need_type)
{
	memset(f, 0, sizeof *f);
	f->name = name;
	f->need_type = need_type;
	f->max_nodes = 100;
	pd_http_conf_init(&f->http);
}

void pd_fetch_cli_fini(pd_fetch_cli *f)
{
	if (f->token) {
		memset(f->token, 0, strlen(f->token));
		free(f->token);
	}
	free(f->token_from);
	free(f->matchers);
}

static pd_status max_body(const pd_option *o, const char *arg, pd_error *err)
{
	if (!pd_parse_size(arg, o->value))
		return pd_error_set(err, PD_EUSAGE,
				    "--max-body: want a positive byte count like 65536 or 64MiB, got \"%s\"",
				    arg);
	return PD_OK;
}

pd_status pd_fetch_max_nodes(const pd_option *o, const char *arg, pd_error *err)
{
	char *end;
	errno = 0;
	long n = strtol(arg, &end, 10);
	if (errno || end == arg || *end)
		return pd_error_set(err, PD_EUSAGE, "--max-nodes: not a number: \"%s\"", arg);
	if (n > 0) /* like Pyroscope: only a positive value changes the default */
		*(long *)o->value = n;
	return PD_OK;
}

void pd_fetch_conn_options(pd_fetch_cli *f, pd_option t[PD_CONN_OPTS])
{
	const pd_option o[] = {
		{PD_OPT_GROUP, .help = "Time window:"},
		PD_OPTION(PD_OPT_STRING, "from", 0, &f->from, "T",
		 "start of the window; T is RFC 3339 with a zone, now, now-30m (s m h d w), Unix "
		 "seconds or milliseconds (13 digits)",
		 .def = "an hour before --to"),
		PD_OPTION(PD_OPT_STRING, "to", 0, &f->to, "T", "end of the window", .def = "now"),
		{PD_OPT_GROUP, .help = "Connection:"},
		PD_OPTION(PD_OPT_STRING, "url", 0, &f->url, "URL",
		 "Pyroscope root (direct) or Grafana root (with --datasource)"),
		PD_OPTION(PD_OPT_STRING, "datasource", 0, &f->datasource, "UID",
		 "go through Grafana's datasource proxy for this datasource"),
		PD_OPTION(PD_OPT_STRING, "tenant", 0, &f->tenant, "ID", "X-Scope-OrgID (direct mode only)",
			  .alias = "tenant-id"),
		PD_OPTION(PD_OPT_STRING, "org-id", 0, &f->org_id, "N",
		 "X-Grafana-Org-Id, sent when N > 0 (Grafana mode)"),
		PD_OPTION(PD_OPT_STRING, "token-file", 0, &f->token_file, "FILE",
		 "bearer token read from FILE (trailing newline trimmed)"),
		PD_OPTION(PD_OPT_STRING, "cacert", 0, &f->http.cacert, "FILE",
		 "CA bundle for TLS verification"),
		PD_OPTION(PD_OPT_FLAG, "insecure", 0, &f->http.insecure, NULL,
		 "skip TLS certificate verification"),
		PD_OPTION(PD_OPT_SECONDS, "timeout", 0, &f->http.timeout_ms, "SECONDS",
		 "bound on each request, its retries and waits included"),
		PD_OPTION(PD_OPT_SECONDS, "max-time", 0, &f->max_time_ms, "SECONDS",
		 "bound on the whole command", .def = "none"),
		PD_OPTION(PD_OPT_SIZE, "max-body", 0, &f->http.max_body, "BYTES",
		 "fail when a response is larger (k/M/G, KiB/MiB/GiB, kB/MB/GB suffixes)",
		 .apply = max_body),
		PD_OPTION(PD_OPT_FLAG, "verbose", 0, &f->verbose, NULL,
		 "trace requests to stderr (credentials redacted)"),
		{PD_OPT_END},
	};
	_Static_assert(sizeof o / sizeof o[0] <= PD_CONN_OPTS, "PD_CONN_OPTS too small");
	memcpy(t, o, sizeof o);
}

static int parse(pd_fetch_cli *f, const pd_opt_cmd *cmd, int argc, char **argv, pd_error *err)
{
	int nops;
	int rc = pd_opt_parse(cmd, argc, argv, &nops, stdout, err);
	if (rc != PD_OK)
		return rc;
	int want = strcmp(f->name, "values") == 0 ? 1 : 0;
	if (nops != want) {
		if (want && nops == 0)
			return pd_error_set(err, PD_EUSAGE, "values: name is required (profdiff values NAME)");
		return pd_error_set(err, PD_EUSAGE, "%s: unexpected argument \"%s\" (see profdiff %s --help)",
				    f->name, argv[1 + want], f->name);
	}
	if (want) {
		char *name = argv[1]; /* trimmed in place, like mcp-grafana */
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

static const char *env(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

/* Reads the token file: only trailing blanks and newlines are trimmed. The file's
 * content never appears in messages. */
static pd_status read_token_file(pd_fetch_cli *f, pd_error *err)
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

/* Credentials: --token-file, then the mode's preference between env token and basic. */
static pd_status credentials(pd_fetch_cli *f, pd_error *err)
{
	pd_http_conf *c = &f->http;
	pd_buf desc;
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
		return pd_error_oom(err);
	}
	f->token_from = desc.data;
	c->token = f->token;
	c->token_from = f->token_from;
	return PD_OK;
}

static void trace_stderr(void *ud, const char *line)
{
	(void)ud;
	fprintf(stderr, "%s\n", line);
}

static pd_status resolve(pd_fetch_cli *f, pd_error *err)
{
	pd_http_conf *c = &f->http;
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
		if (errno || end == org || *end) /* not quoted: it may hold control characters */
			return pd_error_set(err, PD_EUSAGE, "--org-id (or GRAFANA_ORG_ID): not a number");
		c->org_id = v;
	}
	c->trace = f->verbose ? trace_stderr : NULL; /* lines arrive redacted */
	if (f->max_time_ms > 0)
		c->deadline_ms = pd_http_now_ms() + f->max_time_ms;
	pd_status st = credentials(f, err);
	if (!st)
		st = pd_http_conf_check(c, err);
	if (st)
		return st;
	st = pd_time_window(f->from, f->to, pd_time_now_ms(), &f->from_ms, &f->to_ms, err);
	if (st)
		return st;
	if (!(f->matchers = pd_pyro_matchers(f->query)))
		return pd_error_oom(err);
	if (f->need_type) {
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

int pd_fetch_start(pd_fetch_cli *f, const pd_opt_cmd *cmd, int argc, char **argv,
		   pd_error *err)
{
	int rc = parse(f, cmd, argc, argv, err);
	if (rc != PD_OK)
		return rc;
	return resolve(f, err);
}
