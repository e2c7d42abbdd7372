/* What the fetch stage offers (HTTP → profile text): include this one header.
 *   http.h      - pd_http_conf (server, auth, limits, trace callback), pd_http_do with
 *                 retries, a body cap and redacted one-line errors
 *   pyroscope.h - the Connect list calls, /pyroscope/render (DOT), Grafana's datasource
 *                 pre-flight; request builders and decoders that tests call directly
 *   timespec.h  - --from/--to arguments (RFC 3339, now-30m, Unix s/ms) to milliseconds
 * curl_dl.h and redact.h are internal to src/fetch/. */
#ifndef PD_FETCH_H
#define PD_FETCH_H

#include "fetch/http.h"
#include "fetch/pyroscope.h"
#include "fetch/timespec.h"

#endif
