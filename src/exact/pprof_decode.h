/* pprof_decode.c: profile.proto without unpacking the samples (see there). */
#ifndef PD_EXACT_PPROF_DECODE_H
#define PD_EXACT_PPROF_DECODE_H

#include "exact/internal.h"
#include "profile.pb-c.h"

/* Everything of a Profile but its samples (p.n_sample == 0): sub-messages unpacked
 * with a's allocator, string_table copied into strings. data is borrowed. */
typedef struct pd_pprof_msg {
	Perftools__Profiles__Profile p;
	char *strings;
	const uint8_t *data;
	size_t len;
	ProtobufCAllocator *a;
} pd_pprof_msg;

/* First pass. *oom is a's failure flag (it tells a malformed sub-message from a failed
 * allocation). On failure m holds what was decoded: pd_pprof_msg_fini it anyway. */
pd_status pd_pprof_decode(const char *source, const uint8_t *d, size_t len,
			  ProtobufCAllocator *a, const bool *oom, pd_pprof_msg *m, pd_error *err);
void pd_pprof_msg_fini(pd_pprof_msg *m);

/* Second pass: fn gets each sample's location ids and values, in order; a non-OK
 * return stops the walk and is returned. The arrays are reused between calls. */
typedef pd_status (*pd_pprof_sample_fn)(void *ctx, size_t index, const uint64_t *locs,
					size_t nlocs, const int64_t *vals, size_t nvals);
pd_status pd_pprof_each_sample(const pd_pprof_msg *m, const char *source, pd_pprof_sample_fn fn,
			       void *ctx, pd_error *err);

#endif
