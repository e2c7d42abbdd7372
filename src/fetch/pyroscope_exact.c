/* The exact-input Pyroscope calls: SelectMergeStacktraces as a flamegraph (JSON) and
 * SelectMergeProfile as pprof (protobuf both ways, which needs no JSON pprof decoder).
 * Bodies come back untouched, so --save-inputs can keep them; a parse here only tells
 * "no data" apart from a profile. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "base/base.h"
#include "exact/exact.h"
#include "fetch/pyroscope.h"
#include "fetch/timespec.h"

char *pd_pyro_flamegraph_body(const char *type, const char *matchers, int64_t start_ms,
			      int64_t end_ms, long max_nodes)
{
	pd_alloc_init_cjson();
	cJSON *o = cJSON_CreateObject();
	char *out = NULL, num[32];
	if (!o)
		return NULL;
	if (!cJSON_AddStringToObject(o, "profileTypeID", type) ||
	    !cJSON_AddStringToObject(o, "labelSelector", matchers))
		goto out;
	if (!pd_pyro_add_window(o, start_ms, end_ms))
		goto out;
	snprintf(num, sizeof num, "%ld", max_nodes);
	if (max_nodes > 0 && !cJSON_AddRawToObject(o, "maxNodes", num))
		goto out;
	if (!cJSON_AddStringToObject(o, "format", "PROFILE_FORMAT_FLAMEGRAPH"))
		goto out;
	out = cJSON_PrintUnformatted(o);
out:
	cJSON_Delete(o);
	return out;
}

static pd_status no_data(const char *type, const char *matchers, int64_t start_ms,
			 int64_t end_ms, const char *why, pd_error *err)
{
	char a[32], b[32];
	return pd_error_set(err, PD_ENODATA, "no data for %s%s in [%s, %s): %s", type, matchers,
			    pd_time_format(start_ms, a), pd_time_format(end_ms, b), why);
}

/* A parse of the reply, only to tell no data from a profile and bad replies. */
static pd_status check_reply(const char *what, bool pprof, const pd_buf *body, const char *type,
			     const char *matchers, int64_t start_ms, int64_t end_ms,
			     pd_error *err)
{
	if (body->len == 0)
		return no_data(type, matchers, start_ms, end_ms,
			       "the server returned an empty response", err);
	pd_profile *p = NULL;
	pd_status st = pprof ? pd_pprof_parse(what, body->data, body->len, NULL, &p, err)
			     : pd_flamegraph_parse(what, body->data, body->len, NULL, &p, err);
	if (st != PD_OK)
		return st;
	bool empty = pd_profile_get_info(p)->total == 0;
	pd_profile_free(p);
	return empty ? no_data(type, matchers, start_ms, end_ms,
			       "the server returned an empty profile (0 total)", err)
		     : PD_OK;
}

pd_status pd_pyro_flamegraph(const pd_http_conf *c, const char *type, const char *matchers,
			     int64_t start_ms, int64_t end_ms, long max_nodes, pd_buf *out,
			     pd_error *err)
{
	char *req = pd_pyro_flamegraph_body(type, matchers, start_ms, end_ms, max_nodes);
	if (!req)
		return pd_error_oom(err);
	pd_http_req r = {.method = "POST",
			 .path = "/querier.v1.QuerierService/SelectMergeStacktraces",
			 .body = req,
			 .content_type = "application/json",
			 .what = "SelectMergeStacktraces"};
	pd_status st = pd_http_do(c, &r, out, NULL, err);
	pd_free(req);
	if (st == PD_OK)
		st = check_reply("SelectMergeStacktraces", false, out, type, matchers, start_ms,
				 end_ms, err);
	return st;
}

static void varint(pd_buf *b, uint64_t v)
{
	char d[10];
	size_t n = 0;
	do {
		d[n++] = (char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
	pd_buf_append(b, d, n);
}

static void field_str(pd_buf *b, unsigned field, const char *s)
{
	if (!s || !*s)
		return; /* proto3 leaves empty strings out (and a 0 length byte would be NUL) */
	varint(b, field << 3 | 2);
	varint(b, strlen(s));
	pd_buf_puts(b, s);
}

static void field_int(pd_buf *b, unsigned field, int64_t v)
{
	if (v == 0)
		return;
	varint(b, field << 3);
	varint(b, (uint64_t)v);
}

bool pd_pyro_merge_profile_body(const char *type, const char *matchers, int64_t start_ms,
				int64_t end_ms, long max_nodes, pd_buf *out)
{
	/* querier.v1.SelectMergeProfileRequest: profile_typeID = 1, label_selector = 2,
	 * start = 3, end = 4, max_nodes = 5 */
	field_str(out, 1, type);
	field_str(out, 2, matchers);
	field_int(out, 3, start_ms);
	field_int(out, 4, end_ms);
	if (max_nodes > 0)
		field_int(out, 5, max_nodes);
	return !out->failed;
}

pd_status pd_pyro_merge_profile(const pd_http_conf *c, const char *type, const char *matchers,
				int64_t start_ms, int64_t end_ms, long max_nodes, pd_buf *out,
				pd_error *err)
{
	pd_buf req;
	pd_buf_init(&req, 0);
	if (!pd_pyro_merge_profile_body(type, matchers, start_ms, end_ms, max_nodes, &req)) {
		pd_buf_fini(&req);
		return pd_error_oom(err);
	}
	if (strlen(req.data ? req.data : "") != req.len) { /* a NUL would cut the body */
		pd_buf_fini(&req);
		return pd_error_set(err, PD_EUSAGE, "SelectMergeProfile: request not encodable");
	}
	pd_http_req r = {.method = "POST",
			 .path = "/querier.v1.QuerierService/SelectMergeProfile",
			 .body = req.data ? req.data : "",
			 .content_type = "application/proto",
			 .what = "SelectMergeProfile"};
	pd_status st = pd_http_do(c, &r, out, NULL, err);
	pd_buf_fini(&req);
	if (st == PD_OK)
		st = check_reply("SelectMergeProfile", true, out, type, matchers, start_ms, end_ms,
				 err);
	return st;
}
