/* `profdiff mcp`: the MCP server's transports around the library's dispatcher
 * (src/mcp/). stdio (default): newline-delimited JSON-RPC; stdout carries only replies
 * (a private descriptor; fd 1 is pointed at stderr so nothing else can reach it), logs go
 * to stderr, EOF ends the process. --listen: Streamable HTTP at /mcp with libmicrohttpd,
 * one thread per connection, until SIGINT/SIGTERM. Options are parsed by hand here for
 * now (they move onto the option engine later). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "mcp/mcp.h"
#include "base/dl.h"

/* libmicrohttpd (and the TLS stack behind it) is opened only by `mcp --listen`, so
 * every other command starts without it (see src/base/dl.h). */
#define MHD_SONAME "libmicrohttpd.so.12"
#define MHD_FUNCTIONS(X)                                                                   \
	X(start_daemon) X(stop_daemon) X(get_daemon_info) X(create_response_from_buffer)   \
	X(add_response_header) X(destroy_response) X(queue_response) X(lookup_connection_value)
static struct {
#define MHD_FIELD(name) __typeof__(MHD_##name) *name;
	MHD_FUNCTIONS(MHD_FIELD)
#undef MHD_FIELD
} mhd;

static pd_status mhd_load(pd_error *err)
{
	void *lib = pd_dl_open(MHD_SONAME, err);
	if (!lib)
		return err->code;
#define MHD_LOAD(name)                                                                     \
	if (!(mhd.name = (__typeof__(mhd.name))pd_dl_sym(lib, MHD_SONAME, "MHD_" #name, err))) \
		return err->code;
	MHD_FUNCTIONS(MHD_LOAD)
#undef MHD_LOAD
	return PD_OK;
}

#define MAX_LIST 32

/* A repeatable option's values (borrowed from argv). */
typedef struct pathlist {
	const char *v[MAX_LIST];
	size_t n;
} pathlist;

typedef struct mcp_cli {
	const char *listen, *port_file, *url, *grafana_url, *datasource, *tenant, *org_id;
	const char *token_file, *cacert, *timeout, *max_body;
	bool insecure, verbose;
	pathlist dirs, origins;
	char *token;
} mcp_cli;

static const char *env(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

static void log_line(void *ctx, const char *line)
{
	if (ctx)
		fprintf(stderr, "profdiff mcp: %s\n", line);
}

static pd_status add_to_list(const pd_option *o, const char *arg, pd_error *err)
{
	pathlist *l = o->value;
	if (l->n == MAX_LIST)
		return pd_error_set(err, PD_EUSAGE, "mcp: at most %d --%s", MAX_LIST, o->name);
	l->v[l->n++] = arg;
	return PD_OK;
}

/* Parses argv; PD_OPT_EXIT after --help, else a status. */
static int parse(int argc, char **argv, mcp_cli *m, pd_error *err)
{
	const pd_option opts[] = {
		{PD_OPT_GROUP, .help = "Transport:"},
		PD_OPTION(PD_OPT_STRING, "listen", 0, &m->listen, "ADDR:PORT",
			  "serve Streamable HTTP at http://ADDR:PORT/mcp instead of stdio (PORT 0 = "
			  "any; keep ADDR 127.0.0.1: there is no authentication)", .def = "stdio"),
		PD_OPTION(PD_OPT_STRING, "port-file", 0, &m->port_file, "FILE",
			  "with --listen: write the bound port to FILE"),
		PD_OPTION(PD_OPT_STRING, "allow-origin", 0, &m->origins, "ORIGIN",
			  "accept browser requests from ORIGIN (repeatable)", .apply = add_to_list,
			  .def = "none"),
		PD_OPTION(PD_OPT_STRING, "allow-dir", 0, &m->dirs, "DIR",
			  "diff_profile_files may read files under DIR (repeatable)",
			  .apply = add_to_list, .def = "none"),
		{PD_OPT_GROUP, .help = "Connection (defaults for the tools):"},
		PD_OPTION(PD_OPT_STRING, "url", 0, &m->url, "URL",
			  "Pyroscope root (or the Grafana root with --datasource)"),
		PD_OPTION(PD_OPT_STRING, "grafana-url", 0, &m->grafana_url, "URL",
			  "Grafana root, for calls with data_source_uid"),
		PD_OPTION(PD_OPT_STRING, "datasource", 0, &m->datasource, "UID",
			  "default data_source_uid"),
		PD_OPTION(PD_OPT_STRING, "tenant", 0, &m->tenant, "ID", "X-Scope-OrgID (direct mode)"),
		PD_OPTION(PD_OPT_STRING, "org-id", 0, &m->org_id, "N", "X-Grafana-Org-Id (Grafana mode)"),
		PD_OPTION(PD_OPT_STRING, "token-file", 0, &m->token_file, "FILE",
			  "bearer token read from FILE"),
		PD_OPTION(PD_OPT_STRING, "cacert", 0, &m->cacert, "FILE", "CA bundle for TLS verification"),
		PD_OPTION(PD_OPT_FLAG, "insecure", 0, &m->insecure, NULL,
			  "skip TLS certificate verification"),
		PD_OPTION(PD_OPT_STRING, "timeout", 0, &m->timeout, "SECONDS",
			  "bound on each request a tool makes", .def = "20"),
		PD_OPTION(PD_OPT_STRING, "max-body", 0, &m->max_body, "BYTES",
			  "fail a tool call when a response is larger", .def = "64MiB"),
		PD_OPTION(PD_OPT_FLAG, "verbose", 0, &m->verbose, NULL,
			  "log tool failures and protocol oddities to stderr"),
		PD_OPTION(PD_OPT_HELP, "help", 'h', NULL, NULL, "show this help"),
		{PD_OPT_END},
	};
	const pd_opt_cmd cmd = {
		.name = "mcp",
		.usage = "mcp [options]",
		.about = "Serve the Model Context Protocol: Pyroscope list/fetch tools (mcp-grafana's\n"
			 "names) and profdiff's diff tools, over stdio (default) or Streamable HTTP.",
		.opts = opts,
		.footer = "Environment: PROFDIFF_URL, GRAFANA_URL, PROFDIFF_DATASOURCE, PROFDIFF_TENANT_ID,\n"
			  "GRAFANA_ORG_ID, PROFDIFF_TOKEN (else GRAFANA_SERVICE_ACCOUNT_TOKEN),\n"
			  "PROFDIFF_USERNAME, PROFDIFF_PASSWORD.\n",
	};
	int nops;
	int rc = pd_opt_parse(&cmd, argc, argv, &nops, stdout, err);
	if (rc == PD_OK && nops > 0)
		return pd_error_set(err, PD_EUSAGE, "mcp: takes no arguments (see profdiff mcp --help)");
	return rc;
}

/* Flags and environment into the server configuration (like the fetch commands). */
static pd_status configure(mcp_cli *m, pd_mcp_config *c, pd_error *err)
{
	pd_http_conf *h = &c->http;
	memset(c, 0, sizeof *c);
	pd_http_conf_init(h);
	h->timeout_ms = 20000; /* two attempts stay below the clients' 60 s */
	h->max_attempts = 2;
	h->retry_cap_ms = 2000;
	c->datasource = m->datasource ? m->datasource : env("PROFDIFF_DATASOURCE");
	const char *url = m->url ? m->url : env("PROFDIFF_URL");
	c->grafana_url = m->grafana_url ? m->grafana_url : env("GRAFANA_URL");
	if (c->datasource && !c->grafana_url)
		c->grafana_url = url; /* as in the fetch commands: --url is Grafana's root */
	else
		c->pyroscope_url = url;
	h->tenant = m->tenant ? m->tenant : env("PROFDIFF_TENANT_ID");
	const char *org = m->org_id ? m->org_id : env("GRAFANA_ORG_ID");
	if (org) {
		char *end;
		h->org_id = strtol(org, &end, 10);
		if (end == org || *end)
			return pd_error_set(err, PD_EUSAGE, "--org-id: not a number: \"%s\"", org);
	}
	h->cacert = m->cacert;
	h->insecure = m->insecure;
	if (m->timeout) {
		char *end;
		double t = strtod(m->timeout, &end);
		if (end == m->timeout || *end || !(t > 0) || t > 3600)
			return pd_error_set(err, PD_EUSAGE, "--timeout: want seconds > 0, got \"%s\"",
					    m->timeout);
		h->timeout_ms = (long)(t * 1000 + 0.5) ? (long)(t * 1000 + 0.5) : 1;
	}
	if (m->max_body && !pd_parse_size(m->max_body, &h->max_body))
		return pd_error_set(err, PD_EUSAGE, "--max-body: want a byte count, got \"%s\"",
				    m->max_body);
	const char *user = env("PROFDIFF_USERNAME"), *tok = env("PROFDIFF_TOKEN");
	h->token_from = "PROFDIFF_TOKEN";
	if (!tok) {
		tok = env("GRAFANA_SERVICE_ACCOUNT_TOKEN");
		h->token_from = "GRAFANA_SERVICE_ACCOUNT_TOKEN";
	}
	if (m->token_file) {
		pd_buf b;
		pd_error e;
		pd_buf_init(&b, 64 * 1024);
		if (pd_read_file(m->token_file, &b, &e) != PD_OK || b.len == 0) {
			pd_buf_fini(&b);
			return pd_error_set(err, PD_EINPUT, "--token-file: cannot read %s", m->token_file);
		}
		while (b.len && strchr("\r\n \t", b.data[b.len - 1]))
			b.data[--b.len] = '\0';
		m->token = b.data;
		h->auth = PD_AUTH_BEARER;
		h->token = m->token;
		h->token_from = "the token file";
	} else if (tok && !(user && c->pyroscope_url && !c->datasource)) {
		h->auth = PD_AUTH_BEARER;
		h->token = tok;
	} else if (user) {
		h->auth = PD_AUTH_BASIC;
		h->username = user;
		h->password = getenv("PROFDIFF_PASSWORD");
	}
	c->allow_dirs = m->dirs.v;
	c->nallow_dirs = m->dirs.n;
	c->allow_origins = m->origins.v;
	c->nallow_origins = m->origins.n;
	c->log = log_line;
	c->log_ctx = m->verbose ? (void *)m : NULL;
	return pd_http_global_init(err);
}

/* ---- stdio ------------------------------------------------------------------------- */

static bool write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

/* stdio: the main thread reads stdin and queues complete lines; one worker answers them
 * in order (so replies keep the order of requests) and is the only writer of stdout.
 * At EOF the worker gets EOF_GRACE_MS to finish what is queued; a call still waiting on
 * the server then is abandoned: the process exits 0 without answering it. */
#define EOF_GRACE_MS 1000

typedef struct job {
	struct job *next;
	size_t len;
	bool too_large; /* the line passed the cap: answer -32600 */
	char text[];
} job;

typedef struct stdio_loop {
	pd_mcp_server *s;
	int out;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	job *head, **tail;
	bool eof, idle;
	pd_buf line;   /* the line being read */
	bool skipping; /* the current line passed the cap: discard through its newline */
} stdio_loop;

static void *worker(void *arg)
{
	stdio_loop *l = arg;
	pd_mcp_session ss;
	pd_buf reply;
	bool gone = false;
	pd_mcp_session_init(&ss);
	pd_buf_init(&reply, 0);
	for (;;) {
		pthread_mutex_lock(&l->mu);
		while (!l->head && !l->eof)
			pthread_cond_wait(&l->cv, &l->mu);
		job *j = l->head;
		if (j && !(l->head = j->next))
			l->tail = &l->head;
		l->idle = !j;
		pthread_cond_broadcast(&l->cv);
		pthread_mutex_unlock(&l->mu);
		if (!j)
			break;
		reply.len = 0;
		pd_status st = j->too_large ? pd_mcp_too_large(&reply)
					    : pd_mcp_handle(l->s, &ss, j->text, j->len, &reply);
		if (st != PD_OK)
			fprintf(stderr, "profdiff mcp: out of memory handling a message\n");
		else if (!gone && reply.len &&
			 (!pd_buf_puts(&reply, "\n") || !write_all(l->out, reply.data, reply.len)))
			gone = true; /* client gone (EPIPE): keep draining, write nothing */
		free(j);
	}
	pd_buf_fini(&reply);
	return NULL;
}

static void line_done(stdio_loop *l)
{
	size_t n = l->skipping ? 0 : l->line.len;
	job *j = malloc(sizeof *j + n + 1);
	if (j) {
		j->next = NULL;
		j->len = n;
		j->too_large = l->skipping;
		memcpy(j->text, l->line.data ? l->line.data : "", n);
		j->text[n] = '\0';
		pthread_mutex_lock(&l->mu);
		*l->tail = j;
		l->tail = &j->next;
		pthread_cond_broadcast(&l->cv);
		pthread_mutex_unlock(&l->mu);
	} else {
		fprintf(stderr, "profdiff mcp: out of memory: a message was dropped\n");
	}
	l->skipping = false;
	l->line.len = 0;
	if (l->line.cap > ((size_t)4 << 20)) { /* give a huge line's memory back */
		pd_buf_fini(&l->line);
		pd_buf_init(&l->line, 0);
	}
}

static void line_add(stdio_loop *l, const char *p, size_t n)
{
	if (l->skipping)
		return;
	if (l->line.len + n > PD_MCP_MAX_REQUEST + 1 || !pd_buf_append(&l->line, p, n)) {
		l->skipping = true;
		l->line.len = 0;
	}
}

/* SIGTERM/SIGINT on stdio: like EOF with no grace (the client gave up on us). */
static void on_term(int sig)
{
	(void)sig;
	_exit(PD_OK);
}

static int serve_stdio(pd_mcp_server *s)
{
	stdio_loop l = {.s = s, .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
	pthread_t th;
	l.tail = &l.head;
	l.out = fcntl(1, F_DUPFD_CLOEXEC, 3); /* the protocol's private stdout */
	if (l.out < 0 || dup2(2, 1) < 0) {
		perror("profdiff mcp: stdout");
		return PD_EINTERNAL;
	}
	pd_buf_init(&l.line, 0);
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	if (pthread_create(&th, NULL, worker, &l) != 0) {
		fprintf(stderr, "profdiff mcp: cannot start a thread\n");
		return PD_EINTERNAL;
	}
	char chunk[65536];
	for (;;) {
		ssize_t n = read(0, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) { /* EOF (or a dead stdin): an unterminated last line still counts */
			if (l.line.len || l.skipping)
				line_done(&l);
			break;
		}
		size_t start = 0;
		for (size_t i = 0; i < (size_t)n; i++)
			if (chunk[i] == '\n') {
				line_add(&l, chunk + start, i - start);
				line_done(&l);
				start = i + 1;
			}
		line_add(&l, chunk + start, (size_t)n - start);
	}
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += EOF_GRACE_MS / 1000;
	until.tv_nsec += (long)(EOF_GRACE_MS % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L)
		until.tv_sec++, until.tv_nsec -= 1000000000L;
	pthread_mutex_lock(&l.mu);
	l.eof = true;
	pthread_cond_broadcast(&l.cv);
	int w = 0;
	while (!l.idle && w == 0)
		w = pthread_cond_timedwait(&l.cv, &l.mu, &until);
	bool idle = l.idle;
	pthread_mutex_unlock(&l.mu);
	if (!idle) /* a call is still waiting on its server: abandon it */
		_exit(PD_OK);
	pthread_join(th, NULL);
	pd_buf_fini(&l.line);
	close(l.out);
	return PD_OK;
}

/* ---- Streamable HTTP --------------------------------------------------------------- */

typedef struct http_ctx {
	pd_mcp_server *s;
	bool loopback;
	unsigned port;
} http_ctx;

typedef struct conn {
	pd_buf body;
	bool too_large;
} conn;

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
			       const char *method, const char *version, const char *data,
			       size_t *size, void **state)
{
	http_ctx *h = cls;
	conn *k = *state;
	(void)version;
	if (!k) {
		if (!(k = calloc(1, sizeof *k)))
			return MHD_NO;
		pd_buf_init(&k->body, PD_MCP_MAX_REQUEST);
		*state = k;
		return MHD_YES;
	}
	if (*size) {
		if (!k->too_large && !pd_buf_append(&k->body, data, *size))
			k->too_large = true; /* keep reading, answer 413 at the end */
		*size = 0;
		return MHD_YES;
	}
#define HDR(name) mhd.lookup_connection_value(c, MHD_HEADER_KIND, name)
	pd_mcp_http_req q = {
		.method = method, .path = url, .origin = HDR("Origin"), .host = HDR("Host"),
		.content_type = HDR("Content-Type"), .accept = HDR("Accept"),
		.protocol_version = HDR("MCP-Protocol-Version"), .mcp_method = HDR("Mcp-Method"),
		.mcp_name = HDR("Mcp-Name"), .body = k->body.data ? k->body.data : "",
		.len = k->body.len, .body_too_large = k->too_large, .loopback = h->loopback,
		.port = h->port};
#undef HDR
	pd_mcp_http_resp r;
	static char none[1];
	pd_mcp_http(h->s, &q, &r);
	struct MHD_Response *resp = mhd.create_response_from_buffer(
		r.body.len, r.body.data ? r.body.data : none, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret = MHD_NO;
	if (resp) {
		if (r.content_type)
			mhd.add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r.content_type);
		if (r.allow)
			mhd.add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r.allow);
		ret = mhd.queue_response(c, (unsigned)r.status, resp);
		mhd.destroy_response(resp);
	}
	pd_buf_fini(&r.body);
	return ret;
}

static void completed(void *cls, struct MHD_Connection *c, void **state,
		      enum MHD_RequestTerminationCode toe)
{
	conn *k = *state;
	(void)cls, (void)c, (void)toe;
	if (k) {
		pd_buf_fini(&k->body);
		free(k);
		*state = NULL;
	}
}

/* ADDR:PORT (IPv4 or localhost) into sin and host. */
static pd_status parse_listen(const char *listen, struct sockaddr_in *sin, char host[64],
			      pd_error *err)
{
	const char *colon = strrchr(listen, ':');
	char *end;
	long port = colon ? strtol(colon + 1, &end, 10) : -1;
	if (!colon || colon == listen || !colon[1] || *end || port < 0 || port > 65535 ||
	    colon - listen >= 64)
		return pd_error_set(err, PD_EUSAGE, "--listen: want ADDR:PORT, e.g. 127.0.0.1:8000");
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	memset(sin, 0, sizeof *sin);
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)port);
	if (!strcmp(host, "localhost"))
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	else if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
		return pd_error_set(err, PD_EUSAGE, "--listen: \"%s\" is not an IPv4 address", host);
	return PD_OK;
}

static int serve_http(pd_mcp_server *s, const char *listen, const char *port_file, pd_error *err)
{
	struct sockaddr_in sin;
	char host[64];
	pd_status st = parse_listen(listen, &sin, host, err);
	if (st == PD_OK)
		st = mhd_load(err);
	if (st != PD_OK)
		return st;
	http_ctx h = {.s = s, .loopback = (ntohl(sin.sin_addr.s_addr) >> 24) == 127,
		      .port = ntohs(sin.sin_port)};
	if (!h.loopback)
		fprintf(stderr, "profdiff mcp: SECURITY: listening on %s without authentication; "
				"anyone who can reach it can query your profiles\n", host);
	/* Signals are taken by sigwait below; the daemon's threads inherit the mask. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	struct MHD_Daemon *d = mhd.start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG,
		0, NULL, NULL, handler, &h, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)120, MHD_OPTION_CONNECTION_LIMIT,
		(unsigned int)64, MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_END);
	if (!d)
		return pd_error_set(err, PD_EINPUT, "--listen: cannot listen on %s", listen);
	const union MHD_DaemonInfo *info = mhd.get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	if (info && h.port == 0) /* port 0: nobody can have connected before we learn it */
		h.port = info->port;
	fprintf(stderr, "profdiff mcp: serving http://%s:%u/mcp\n", host, h.port);
	if (port_file) {
		char p[16];
		int n = snprintf(p, sizeof p, "%u\n", h.port);
		pd_error e;
		if (pd_write_file_atomic(port_file, p, (size_t)n, &e) != PD_OK)
			fprintf(stderr, "profdiff mcp: %s\n", e.msg);
	}
	int sig;
	sigwait(&set, &sig);
	mhd.stop_daemon(d);
	return PD_OK;
}


int pd_cmd_mcp(int argc, char **argv)
{
	mcp_cli m = {0};
	pd_mcp_config cfg;
	pd_mcp_server *s = NULL;
	pd_error err = {0};
	signal(SIGPIPE, SIG_IGN);
	int rc = parse(argc, argv, &m, &err);
	if (rc == PD_OPT_EXIT)
		return PD_OK;
	if (rc == PD_OK && m.listen) { /* checked before anything is said about the server */
		struct sockaddr_in sin;
		char host[64];
		rc = parse_listen(m.listen, &sin, host, &err);
	}
	if (rc == PD_OK)
		rc = configure(&m, &cfg, &err);
	if (rc == PD_OK)
		rc = pd_mcp_server_new(&cfg, &s, &err);
	if (rc == PD_OK && !cfg.pyroscope_url && !cfg.grafana_url)
		fprintf(stderr, "profdiff mcp: no server configured (--url, PROFDIFF_URL or "
				"GRAFANA_URL): only the local diff tools will work\n");
	if (rc == PD_OK)
		rc = m.listen ? serve_http(s, m.listen, m.port_file, &err) : serve_stdio(s);
	pd_mcp_server_free(s);
	if (m.token) {
		memset(m.token, 0, strlen(m.token));
		free(m.token);
	}
	return rc == PD_OK ? PD_OK : pd_cli_fail(&err);
}
