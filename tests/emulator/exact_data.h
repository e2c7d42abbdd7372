/* The emulator's exact inputs (exact_data.c): the pprof profile behind each DOT fixture
 * (data/X.pb.gz next to data/X.dot), served as SelectMergeProfile's protobuf and as
 * SelectMergeStacktraces' flamegraph JSON, cut to max_nodes like Pyroscope does. */
#ifndef PD_EMU_EXACT_DATA_H
#define PD_EMU_EXACT_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct emu_prof emu_prof;

/* Loads the .pb.gz beside dot_path ("x.dot" -> "x.pb.gz"); NULL when there is none.
 * Exits with a message when it exists but cannot be read. */
emu_prof *emu_prof_load(const char *dot_path);
void emu_prof_free(emu_prof *p);
/* The profile as uncompressed protobuf bytes (owned by p), whole: SelectMergeProfile's
 * max_nodes is accepted but not applied (the fixtures are far below any limit). */
const char *emu_pprof(const emu_prof *p, size_t *len);
/* {"flamegraph":{names,levels,total,maxSelf}} with int64 as strings; subtrees under
 * the max_nodes-th largest total are merged into `other`. Caller frees. */
char *emu_flamegraph(const emu_prof *p, long max_nodes);
/* Decodes SelectMergeProfileRequest fields start (3), end (4), max_nodes (5) from
 * protobuf; false when the bytes are not a well-formed message. */
bool emu_merge_request(const char *b, size_t n, int64_t *start, int64_t *end, int64_t *max_nodes);

#endif
