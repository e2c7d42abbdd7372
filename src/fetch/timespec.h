/* Time arguments of the fetch subcommands: RFC 3339, "now[-N<unit>]", Unix seconds or
 * milliseconds, all turned into milliseconds since the epoch (what Pyroscope wants).
 * Pure functions: the caller passes "now", so tests are deterministic. */
#ifndef PD_FETCH_TIMESPEC_H
#define PD_FETCH_TIMESPEC_H

#include <stdint.h>

#include "profdiff/profdiff.h"

/* Parses s into *out_ms. Accepted: "2026-05-01T10:00:00Z", "...T10:00:00.250+02:00"
 * (a zone is required), "now", "now-30s", "now-5m", "now-1h", "now-2d", "now-1w" (also
 * "now+N<unit>"), Unix seconds (up to 12 digits) or milliseconds (13 digits).
 * Fails with PD_EUSAGE naming what (e.g. "--from") and the bad text. */
pd_status pd_time_parse(const char *what, const char *s, int64_t now_ms, int64_t *out_ms,
			pd_error *err);

/* Resolves a --from/--to pair like mcp-grafana: to unset -> now; from unset -> to - 1h.
 * Either may be NULL. Fails with PD_EUSAGE when from is not strictly before to. */
pd_status pd_time_window(const char *from, const char *to, int64_t now_ms, int64_t *from_ms,
			 int64_t *to_ms, pd_error *err);

/* Formats ms as RFC 3339 in UTC ("2026-05-01T10:00:00Z", ".250" added when the
 * milliseconds are not zero). out needs 32 bytes. Returns out. */
char *pd_time_format(int64_t ms, char out[32]);

/* Current wall-clock time in ms since the epoch. */
int64_t pd_time_now_ms(void);

#endif
