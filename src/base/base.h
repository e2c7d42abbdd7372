/* What src/base offers the rest of the library and the CLI (not library callers: the
 * public half of base, pd_error and pd_buf, is in profdiff/profdiff.h):
 *   error.c  pd_error_set, pd_error_oom (the one out-of-memory message)
 *   buf.c    pd_buf, a growable text buffer with a size cap and a sticky failure flag
 *   file.c   whole-file reads, atomic writes (stage, commit, discard)
 *   units.c  pprof values <-> integers in base units
 *   alloc.h  the allocation hook; hash.h uthash configured for it (include for tables)
 * Nothing here prints or exits: files are written with write(2), errors go to pd_error. */
#ifndef PD_BASE_H
#define PD_BASE_H

#include <stdbool.h>
#include <stddef.h>

#include "profdiff/profdiff.h"
#include "base/alloc.h"

/* Makes room for extra more bytes (plus the NUL) at once, e.g. before reading a file of
 * known size. False, with b->failed set, past b->limit or out of memory. */
bool pd_buf_reserve(pd_buf *b, size_t extra);

/* PD_OK for a buffer that never failed; else the failure in err: "<what>: larger than
 * <limit> bytes" (PD_EINTERNAL) when the cap stopped it, or out of memory. For code
 * that appends many pieces and checks once. */
pd_status pd_buf_error(const pd_buf *b, const char *what, pd_error *err);

/* Writes data to path atomically: a temporary file in the same directory, fsync'd,
 * then rename(2). On failure the previous file (if any) is untouched and no temporary
 * file is left. path is always a file name: "-" is a file called "-", not stdout (the
 * CLI handles "-" itself). Errors: PD_EINTERNAL, naming path. */
pd_status pd_write_file_atomic(const char *path, const char *data, size_t len, pd_error *err);

/* The two halves of an atomic write, for writing several files all-or-nothing:
 * pd_file_stage writes data to a new temporary file beside path (created with mode
 * 0666 minus the umask, as a plain create would) and returns its name in *tmp, owned by
 * the caller; *tmp is NULL on failure. pd_file_commit renames it over path and frees
 * tmp, removing the temporary file if the rename fails. pd_file_discard removes and
 * frees it (NULL is a no-op). */
pd_status pd_file_stage(const char *path, const char *data, size_t len, char **tmp,
			pd_error *err);
pd_status pd_file_commit(char *tmp, const char *path, pd_error *err);
void pd_file_discard(char *tmp);

#endif
