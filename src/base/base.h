/* What src/base offers the rest of the library and the CLI (not library callers: the
 * public half of base, pd_error and pd_buf, is in profdiff/profdiff.h):
 *   error.c  pd_error_set, pd_error_oom (the one out-of-memory message)
 *   buf.c    pd_buf, a growable text buffer with a size cap and a sticky failure flag
 *   file.c   whole-file reads, atomic writes (stage, commit, discard)
 *   units.c  pprof values <-> integers in base units
 *   sha256.c the SHA-256 of a byte string (nettle's), as hex
 *   here     checked int64 arithmetic (pd_add_i64 and friends)
 *   alloc.h  the allocation hook; hash.h uthash configured for it (include for tables)
 * Nothing here prints or exits: files are written with write(2), errors go to pd_error. */
#ifndef PD_BASE_H
#define PD_BASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "profdiff/profdiff.h"
#include "base/alloc.h"

/* ---- checked arithmetic ----
 * Values come from files we do not control and may be anything up to INT64_MAX: sums
 * and differences of them go through these, which return false on overflow (*out is
 * then unspecified). Callers fail with PD_EINPUT, "<file>: values overflow a 64-bit
 * integer (<what>)". */
static inline bool pd_add_i64(int64_t a, int64_t b, int64_t *out)
{
	return !__builtin_add_overflow(a, b, out);
}

static inline bool pd_sub_i64(int64_t a, int64_t b, int64_t *out)
{
	return !__builtin_sub_overflow(a, b, out);
}

static inline bool pd_mul_i64(int64_t a, int64_t b, int64_t *out)
{
	return !__builtin_mul_overflow(a, b, out);
}

/* Makes room for extra more bytes (plus the NUL) at once, e.g. before reading a file of
 * known size. False, with b->failed set, past b->limit or out of memory. */
bool pd_buf_reserve(pd_buf *b, size_t extra);

/* PD_OK for a buffer that never failed; else the failure in err: "<what>: larger than
 * <limit> bytes" (PD_EINTERNAL) when the cap stopped it, or out of memory. For code
 * that appends many pieces and checks once. */
pd_status pd_buf_error(const pd_buf *b, const char *what, pd_error *err);

/* ---- output files (file.c) ----
 * Every output is written whole or not at all, and a write never changes what kind of
 * file the path names:
 *  - a regular file, or a name that does not exist yet: a temporary file beside it,
 *    fsync'd, then rename(2) over it. A replaced file keeps its mode, and its owner and
 *    group where the process may set them (root; else the group if we belong to it);
 *    a new file gets 0666 minus the umask. ACLs, extended attributes and other hard
 *    links to the old file are not carried over.
 *  - a symlink: followed (chains too) to the file it names, which is then written as
 *    above, beside that file: the link stays a link. A dangling link creates its target.
 *  - a FIFO, a device or a socket, and any file reached through a procfs link
 *    (/dev/stdout, /dev/fd/N): opened when staged (a FIFO waits for its reader),
 *    written in place when committed (appending: a shell's > truncated already), with
 *    no rename and so NOT atomically.
 *  - a directory: refused when staged.
 * path is always a file name: "-" is a file called "-", not stdout (the CLI handles
 * "-" itself). Errors: PD_EINTERNAL naming path; out of memory. */

/* Stage and commit in one call. On failure the previous file (if any) is untouched and
 * no temporary file is left. */
pd_status pd_write_file_atomic(const char *path, const char *data, size_t len, pd_error *err);

/* The two halves of a write, for writing several files all-or-nothing: stage them all,
 * then commit them all (or discard them all when a stage fails).
 * pd_file_stage prepares the write of data to path and sets *tmp to its handle: the
 * name of the temporary file (or, written in place, of the target), a string that
 * callers may print but must release only through pd_file_commit or pd_file_discard;
 * *tmp is NULL on failure, with nothing left behind. data is copied (callers may free
 * it at once). pd_file_commit puts the file in place (a rename, or the in-place write)
 * and releases tmp; a failed rename removes the temporary file. pd_file_discard
 * removes the temporary file and releases tmp (NULL is a no-op). The temporary file is
 * registered for pd_file_cleanup_staged until its commit or discard. */
pd_status pd_file_stage(const char *path, const char *data, size_t len, char **tmp,
			pd_error *err);
pd_status pd_file_commit(char *tmp, const char *path, pd_error *err);
void pd_file_discard(char *tmp);

/* Whether writing path a would overwrite the file read from path b: the same file (by
 * device and inode, so links and other spellings of a name are caught) when both
 * exist, or the same name after normalizing ("./x", "d/../x", "x//") when neither does.
 * Char and block devices are never "the same" (a terminal may be both /dev/stdin and
 * /dev/stdout). */
bool pd_file_same(const char *a, const char *b);

/* Refuses outputs that would overwrite one of the inputs or another output: PD_EUSAGE
 * with "OUTPUT: is also an input (INPUT)" or "OUTPUT: is also another output (OTHER)".
 * NULL entries and "-" (stdin, stdout) are skipped. Call before reading anything. */
pd_status pd_file_check_outputs(const char *const *inputs, size_t ninputs,
				const char *const *outputs, size_t noutputs, pd_error *err);

/* Removes every temporary file staged and not yet committed or discarded, with
 * unlink(2) only: async-signal-safe, for a SIGINT/SIGTERM handler that then re-raises
 * the signal. It leaves the handles alive: a later commit fails, a discard is fine. The
 * registry holds 16 files at a time (more are staged, unregistered) by the names given
 * (relative ones to the working directory of that time); a signal handled on another
 * thread while a stage or commit runs may miss the file being staged. */
void pd_file_cleanup_staged(void);

/* ---- sha256.c ---- */
#define PD_SHA256_HEX 65 /* 64 hex digits and the NUL */
/* The SHA-256 digest of len bytes at data, as lowercase hex (what sha256sum prints). */
void pd_sha256_hex(const void *data, size_t len, char out[PD_SHA256_HEX]);

#endif
