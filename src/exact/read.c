/* Input dispatch: pprof protobuf (gzipped or raw), flamegraph JSON (maybe gzipped), or
 * DOT, told apart by content so `diff` reads whatever it is given. */
#include <string.h>

#include "exact/internal.h"

void pd_exact_opts_init(pd_exact_opts *o)
{
	memset(o, 0, sizeof *o);
}

pd_input_kind pd_exact_sniff(const void *data, size_t len)
{
	const unsigned char *d = data;
	if (len >= 2 && d[0] == 0x1f && d[1] == 0x8b)
		return PD_INPUT_PPROF;
	size_t i = 0;
	if (len >= 3 && d[0] == 0xef && d[1] == 0xbb && d[2] == 0xbf)
		i = 3; /* UTF-8 byte order mark */
	while (i < len && (d[i] == ' ' || d[i] == '\t' || d[i] == '\n' || d[i] == '\r'))
		i++;
	if (i < len && d[i] == '{')
		return PD_INPUT_FLAMEGRAPH;
	/* profile.proto's fields 1-14 as varint or length-delimited: a first byte
	 * (field << 3 | wire type) that no DOT text starts with. */
	if (len > 0 && (d[0] & 7) <= 2 && d[0] >> 3 >= 1 && d[0] >> 3 <= 14 && d[0] < 0x20 &&
	    d[0] != '\t' && d[0] != '\n' && d[0] != '\r')
		return PD_INPUT_PPROF;
	if (len > 0 && (d[0] >> 3) >= 1 && (d[0] >> 3) <= 14 && (d[0] & 7) <= 2 &&
	    memchr(d, '\0', len))
		return PD_INPUT_PPROF;
	return PD_INPUT_DOT;
}

static size_t max_input(const pd_exact_opts *o)
{
	return o && o->limits && o->limits->max_input ? o->limits->max_input : PD_PARSE_MAX_INPUT;
}

pd_status pd_exact_parse_any(const char *source, const void *data, size_t len,
			     const pd_exact_opts *o, pd_profile **out, pd_error *err)
{
	pd_exact_opts dflt;
	if (!o) {
		pd_exact_opts_init(&dflt);
		o = &dflt;
	}
	*out = NULL;
	const unsigned char *d = data;
	if (len >= 2 && d[0] == 0x1f && d[1] == 0x8b) {
		pd_buf raw;
		pd_buf_init(&raw, max_input(o));
		pd_status rc = pd_gunzip(source, data, len, &raw, err);
		if (rc == PD_OK) {
			pd_input_kind k = pd_exact_sniff(raw.data ? raw.data : "", raw.len);
			if (k == PD_INPUT_FLAMEGRAPH)
				rc = pd_flamegraph_parse(source, raw.data, raw.len, o, out, err);
			else if (k == PD_INPUT_DOT && raw.len && !memchr(raw.data, '\0', raw.len))
				rc = pd_profile_parse_limits(source, raw.data, raw.len, o->dot_flags,
							     o->limits, out, err);
			else
				rc = pd_pprof_parse(source, raw.data ? raw.data : "", raw.len, o, out,
						    err);
		}
		pd_buf_fini(&raw);
		return rc;
	}
	switch (pd_exact_sniff(data, len)) {
	case PD_INPUT_PPROF:
		return pd_pprof_parse(source, data, len, o, out, err);
	case PD_INPUT_FLAMEGRAPH:
		return pd_flamegraph_parse(source, data, len, o, out, err);
	default:
		return pd_profile_parse_limits(source, data, len, o->dot_flags, o->limits, out, err);
	}
}

pd_status pd_exact_read_any(const char *path, const pd_exact_opts *o, pd_profile **out,
			    pd_error *err)
{
	*out = NULL;
	const char *source = strcmp(path, "-") == 0 ? "<stdin>" : path;
	size_t max = max_input(o);
	pd_buf b;
	pd_buf_init(&b, max);
	pd_status rc = pd_read_file(path, &b, err);
	if (rc != PD_OK && b.over_limit) /* the same words as the DOT parser's */
		rc = pd_error_set(err, PD_EINPUT,
				  "%s: larger than %zu bytes (raise the limit with --max-input-size)",
				  source, max);
	if (rc == PD_OK && b.len >= 2 && (unsigned char)b.data[0] == 0x1f &&
	    (unsigned char)b.data[1] == 0x8b) {
		/* Inflate here so the compressed bytes are gone before the parse (74 MB of
		 * .pb.gz at 100k functions). */
		pd_buf raw;
		pd_buf_init(&raw, max);
		rc = pd_gunzip(source, b.data, b.len, &raw, err);
		pd_buf_fini(&b);
		b = raw;
	}
	if (rc == PD_OK)
		rc = pd_exact_parse_any(source, b.data ? b.data : "", b.len, o, out, err);
	pd_buf_fini(&b);
	return rc;
}
