/* Optional shared libraries, opened on first use instead of linked: the fetch layer's
 * libcurl and the SVG renderer's libgvc, so commands that use neither start fast.
 * Handles are never closed. Messages name the library: "cannot load libgvc.so.6: ...". */
#ifndef PD_DL_H
#define PD_DL_H

#include "profdiff/profdiff.h"

/* dlopen(soname) with RTLD_NOW | RTLD_LOCAL. NULL with err (PD_EINTERNAL) on failure. */
void *pd_dl_open(const char *soname, pd_error *err);

/* The address of symbol name in lib (opened as soname), or NULL with err set. Cast it
 * to the function's type, e.g. (__typeof__(curl_easy_init) *). */
void *pd_dl_sym(void *lib, const char *soname, const char *name, pd_error *err);

#endif
