/* Pyroscope API calls. Connect replies are decoded leniently like protojson with
 * DiscardUnknown: unknown fields ignored, missing fields empty. The DOT from
 * /pyroscope/render is returned untouched (no mcp-grafana cleanup). */
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fetch/curl_dl.h"
#include "fetch/pyroscope.h"
#include "fetch/timespec.h"
#include "base/alloc.h"

#define CONNECT_PREFIX "/querier.v1.QuerierService/"

void pd_strlist_fini(pd_strlist *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		pd_free(l->v[i]);
	pd_free(l->v);
	l->v = NULL;
	l->n = 0;
}

static bool strlist_push(pd_strlist *l, const char *s)
{
	char **v = pd_realloc(l->v, (l->n + 1) * sizeof *v);
	if (!v)
		return false;
	l->v = v;
	if (!(v[l->n] = pd_strdup(s)))
		return false;
	l->n++;
	return true;
}

char *pd_pyro_matchers(const char *user)
{
	const char *s = user ? user : "";
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if (n == 0)
		return pd_strdup("{}");
	bool braced = s[0] == '{' && s[n - 1] == '}';
	char *out = pd_malloc(n + 3);
	if (!out)
		return NULL;
	if (braced)
		snprintf(out, n + 3, "%.*s", (int)n, s);
	else
		snprintf(out, n + 3, "{%.*s}", (int)n, s);
	return out;
}

bool pd_pyro_add_window(cJSON *o, int64_t start_ms, int64_t end_ms)
{
	/* int64 as JSON numbers (exact: cJSON would go through double, so add raw). */
	char num[32];
	snprintf(num, sizeof num, "%" PRId64, start_ms);
	if (!cJSON_AddRawToObject(o, "start", num))
		return false;
	snprintf(num, sizeof num, "%" PRId64, end_ms);
	return cJSON_AddRawToObject(o, "end", num) != NULL;
}

char *pd_pyro_connect_body(const char *name, const char *matchers, int64_t start_ms,
			   int64_t end_ms)
{
	pd_alloc_init_cjson();
	cJSON *o = cJSON_CreateObject();
	char *out = NULL;
	if (!o)
		return NULL;
	if (name && !cJSON_AddStringToObject(o, "name", name))
		goto out;
	if (matchers) {
		cJSON *a = cJSON_AddArrayToObject(o, "matchers");
		cJSON *m = cJSON_CreateString(matchers);
		if (!a || !m || !cJSON_AddItemToArray(a, m)) {
			cJSON_Delete(m);
			goto out;
		}
	}
	if (!pd_pyro_add_window(o, start_ms, end_ms))
		goto out;
	out = cJSON_PrintUnformatted(o);
out:
	cJSON_Delete(o);
	return out;
}

char *pd_pyro_render_path(const char *type, const char *matchers, int64_t from_ms,
			  int64_t until_ms, long max_nodes)
{
	const pd_curl *cu = pd_curl_get(NULL);
	pd_buf q, b;
	char *enc;
	if (!cu)
		return NULL;
	pd_buf_init(&q, 0);
	pd_buf_init(&b, 0);
	pd_buf_printf(&q, "%s%s", type, matchers);
	if (q.failed || !(enc = cu->easy_escape(NULL, q.data, (int)q.len))) {
		pd_buf_fini(&q);
		return NULL;
	}
	pd_buf_printf(&b, "/pyroscope/render?query=%s&from=%" PRId64 "&until=%" PRId64
		      "&format=dot&max-nodes=%ld",
		      enc, from_ms, until_ms, max_nodes > 0 ? max_nodes : 100);
	cu->free(enc);
	pd_buf_fini(&q);
	if (b.failed) {
		pd_buf_fini(&b);
		return NULL;
	}
	return b.data;
}

pd_status pd_pyro_preflight(const pd_http_conf *c, pd_error *err)
{
	if (!c->datasource)
		return PD_OK;
	const pd_curl *cu = pd_curl_get(err);
	if (!cu)
		return PD_EINTERNAL;
	char *uid = cu->easy_escape(NULL, c->datasource, 0);
	pd_buf path, body;
	long status = 0;
	pd_status st;
	pd_buf_init(&path, 0);
	pd_buf_init(&body, 0);
	if (!uid) {
		st = pd_error_oom(err);
		goto out;
	}
	pd_buf_printf(&path, "/api/datasources/uid/%s", uid);
	pd_http_req r = {.method = "GET", .path = path.data, .grafana_api = true,
			 .what = "datasource lookup"};
	st = path.failed ? pd_error_oom(err) : pd_http_do(c, &r, &body, &status, err);
	if (st != PD_OK && status == 404)
		st = pd_error_set(err, PD_EINPUT,
				  "datasource with UID '%s' not found. Please check if the datasource "
				  "exists and is accessible",
				  c->datasource);
out:
	cu->free(uid);
	pd_buf_fini(&path);
	pd_buf_fini(&body);
	return st;
}

pd_status pd_pyro_decode_list(const char *what, const char *json, size_t len, const char *field,
			      pd_strlist *out, pd_error *err)
{
	pd_status st = PD_OK;
	pd_alloc_init_cjson();
	cJSON *j = cJSON_ParseWithLength(json ? json : "", len);
	if (!j) {
		/* cJSON reports out of memory as a parse failure; a probe tells them apart
		 * (as in gate/gatefile.c), so no OOM passes for a server's fault. */
		void *probe = pd_malloc(64);
		pd_free(probe);
		if (!probe)
			return pd_error_oom(err);
	}
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return pd_error_set(err, PD_EINPUT, "%s: invalid JSON in the server's reply", what);
	}
	cJSON *arr = cJSON_GetObjectItemCaseSensitive(j, field);
	cJSON *it;
	bool types = strcmp(field, "profileTypes") == 0;
	if (arr && !cJSON_IsArray(arr) && !cJSON_IsNull(arr)) {
		st = pd_error_set(err, PD_EINPUT, "%s: \"%s\" in the server's reply is not a list",
				  what, field);
		goto out;
	}
	cJSON_ArrayForEach(it, arr)
	{
		bool ok;
		if (types) {
			static const char *const keys[] = {"name", "sampleType", "sampleUnit",
							   "periodType", "periodUnit"};
			pd_buf b;
			pd_buf_init(&b, 0);
			for (size_t k = 0; k < 5; k++) {
				const char *v = cJSON_GetStringValue(
					cJSON_GetObjectItemCaseSensitive(it, keys[k]));
				pd_buf_printf(&b, "%s%s", k ? ":" : "", v ? v : "");
			}
			ok = !b.failed && strlist_push(out, b.data);
			pd_buf_fini(&b);
		} else {
			const char *v = cJSON_GetStringValue(it);
			ok = strlist_push(out, v ? v : "");
		}
		if (!ok) {
			st = pd_error_oom(err);
			goto out;
		}
	}
out:
	cJSON_Delete(j);
	return st;
}

static pd_status connect_list(const pd_http_conf *c, const char *method, const char *name,
			      const char *matchers, int64_t start_ms, int64_t end_ms,
			      const char *field, pd_strlist *out, pd_error *err)
{
	pd_buf path, body;
	pd_status st;
	char *req = pd_pyro_connect_body(name, matchers, start_ms, end_ms);
	pd_buf_init(&path, 0);
	pd_buf_init(&body, 0);
	pd_buf_printf(&path, CONNECT_PREFIX "%s", method);
	if (!req || path.failed) {
		st = pd_error_oom(err);
		goto out;
	}
	pd_http_req r = {.method = "POST", .path = path.data, .body = req,
			 .content_type = "application/json", .what = method};
	st = pd_http_do(c, &r, &body, NULL, err);
	if (st == PD_OK)
		st = pd_pyro_decode_list(method, body.data, body.len, field, out, err);
out:
	pd_free(req);
	pd_buf_fini(&path);
	pd_buf_fini(&body);
	return st;
}

pd_status pd_pyro_profile_types(const pd_http_conf *c, int64_t start_ms, int64_t end_ms,
				pd_strlist *out, pd_error *err)
{
	return connect_list(c, "ProfileTypes", NULL, NULL, start_ms, end_ms, "profileTypes", out,
			    err);
}

pd_status pd_pyro_label_names(const pd_http_conf *c, const char *matchers, int64_t start_ms,
			      int64_t end_ms, pd_strlist *out, pd_error *err)
{
	return connect_list(c, "LabelNames", NULL, matchers, start_ms, end_ms, "names", out, err);
}

pd_status pd_pyro_label_values(const pd_http_conf *c, const char *name, const char *matchers,
			       int64_t start_ms, int64_t end_ms, pd_strlist *out, pd_error *err)
{
	return connect_list(c, "LabelValues", name, matchers, start_ms, end_ms, "names", out, err);
}

static bool only_space(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isspace((unsigned char)s[i]))
			return false;
	return true;
}

pd_status pd_pyro_render(const pd_http_conf *c, const char *type, const char *matchers,
			 int64_t from_ms, int64_t until_ms, long max_nodes, pd_buf *out,
			 pd_error *err)
{
	static const char zero[] = "Showing nodes accounting for 0, 0% of 0 total";
	if (!pd_curl_get(err)) /* so that NULL below means out of memory */
		return PD_EINTERNAL;
	char *path = pd_pyro_render_path(type, matchers, from_ms, until_ms, max_nodes);
	if (!path)
		return pd_error_oom(err);
	pd_http_req r = {.method = "GET", .path = path, .what = "render"};
	pd_status st = pd_http_do(c, &r, out, NULL, err);
	pd_free(path);
	if (st != PD_OK)
		return st;
	bool empty = out->len == 0 || only_space(out->data, out->len);
	if (empty || (out->len >= sizeof zero - 1 && memmem(out->data, out->len, zero, sizeof zero - 1))) {
		char a[32], b[32];
		return pd_error_set(err, PD_ENODATA, "no data for %s%s in [%s, %s): %s", type, matchers,
				    pd_time_format(from_ms, a), pd_time_format(until_ms, b),
				    empty ? "the server returned an empty response"
					  : "the server returned an empty profile (0 total)");
	}
	return PD_OK;
}
