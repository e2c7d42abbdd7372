/* libcurl on first use (see curl_dl.h): opened, resolved and globally initialized
 * once per process under pthread_once. The handle is never closed: curl's global state
 * and the TLS library it pulled in live until exit, as when linked. */
#include <pthread.h>

#include "fetch/curl_dl.h"
#include "base/dl.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pd_curl api;
static pd_error load_err; /* code != PD_OK: loading failed; written once, then read-only */

static void load(void)
{
	void *lib = pd_dl_open(PD_CURL_SONAME, &load_err);
	if (!lib)
		return;
#define PD_CURL_LOAD(name)                                                          \
	api.name = (__typeof__(api.name))pd_dl_sym(lib, PD_CURL_SONAME, "curl_" #name, \
						    &load_err);                         \
	if (!api.name)                                                              \
		return;
	PD_CURL_FUNCTIONS(PD_CURL_LOAD)
#undef PD_CURL_LOAD
	/* Here, not per request: curl_global_init must run once before any thread uses
	 * curl, and pthread_once makes concurrent first callers wait for it. */
	CURLcode rc = api.global_init(CURL_GLOBAL_DEFAULT);
	if (rc != CURLE_OK)
		pd_error_set(&load_err, PD_EINTERNAL, "cannot initialize libcurl: %s",
			     api.easy_strerror(rc));
}

const pd_curl *pd_curl_get(pd_error *err)
{
	pthread_once(&once, load);
	if (load_err.code != PD_OK) {
		pd_error_set(err, load_err.code, "%s", load_err.msg);
		return NULL;
	}
	return &api;
}
