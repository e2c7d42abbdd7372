/* dlopen/dlsym with profdiff's error messages (see dl.h). dlerror() is per thread, so
 * two threads loading at once each read their own reason. */
#include <dlfcn.h>
#include <string.h>

#include "base/dl.h"

/* dlerror() texts start with the file name ("libcurl.so.4: cannot open shared object
 * file", "/usr/lib/.../libcurl.so.4: undefined symbol: x"); our message names it
 * already, so that part goes. */
static pd_status fail(const char *soname, pd_error *err)
{
	const char *e = dlerror();
	const char *p = e ? strstr(e, soname) : NULL;
	if (p && strncmp(p + strlen(soname), ": ", 2) == 0)
		e = p + strlen(soname) + 2;
	return pd_error_set(err, PD_EINTERNAL, "cannot load %s: %s", soname, e ? e : "unknown error");
}

void *pd_dl_open(const char *soname, pd_error *err)
{
	void *lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	if (!lib)
		fail(soname, err);
	return lib;
}

void *pd_dl_sym(void *lib, const char *soname, const char *name, pd_error *err)
{
	dlerror(); /* clear a stale error */
	void *p = dlsym(lib, name);
	if (!p)
		fail(soname, err);
	return p;
}
