/* libcurl, loaded on first use: the binary does not link it, so commands that never
 * fetch do not pay for mapping libcurl and its TLS, Kerberos and LDAP stack at start-up.
 * The table holds only the functions src/fetch/ calls, typed from the real header. */
#ifndef PD_FETCH_CURL_DL_H
#define PD_FETCH_CURL_DL_H

#include <curl/curl.h>

#include "profdiff/profdiff.h"

#define PD_CURL_SONAME "libcurl.so.4"

/* X(name) for each function curl_<name> that the fetch layer uses. */
#define PD_CURL_FUNCTIONS(X)                                                                      \
	X(global_init) X(easy_strerror) X(easy_init) X(easy_reset) X(easy_setopt) X(easy_perform) \
	X(easy_getinfo) X(easy_cleanup) X(easy_escape) X(free) X(slist_append)                 \
	X(slist_free_all) X(url) X(url_set) X(url_get) X(url_cleanup) X(url_strerror)

/* curl->easy_setopt(h, CURLOPT_URL, url) calls curl_easy_setopt, and so on. The
 * variadic setopt/getinfo lose the compile-time checks of curl's typecheck-gcc.h:
 * pass long, curl_off_t and pointers exactly as curl_easy_setopt(3) says. */
typedef struct pd_curl {
#define PD_CURL_FIELD(name) __typeof__(curl_##name) *name;
	PD_CURL_FUNCTIONS(PD_CURL_FIELD)
#undef PD_CURL_FIELD
} pd_curl;

/* Loads libcurl and runs curl_global_init, once per process (thread-safe: the first
 * caller does it, concurrent callers wait). Returns the table, or NULL with err set to
 * PD_EINTERNAL "cannot load libcurl.so.4: <reason>" (every later call fails the same
 * way). err may be NULL. */
const pd_curl *pd_curl_get(pd_error *err);

#endif
