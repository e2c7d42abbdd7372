/* The allocation hook: counts allocations and, when a test asks, fails from the N-th
 * one on. Memory always comes from the C allocator, so pd_free and free are
 * interchangeable (libraries that return malloc'ed memory need no special case). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "base/alloc.h"

static atomic_long count; /* allocations since the last pd_alloc_fail_at */
static atomic_long fail_at; /* 0: never fail */

static int should_fail(void)
{
	long n = atomic_fetch_add(&count, 1) + 1;
	long at = atomic_load(&fail_at);
	return at > 0 && n >= at;
}

void pd_alloc_fail_at(long n)
{
	atomic_store(&fail_at, n > 0 ? n : 0);
	atomic_store(&count, 0);
}

long pd_alloc_count(void)
{
	return atomic_load(&count);
}

void *pd_malloc(size_t n)
{
	return should_fail() ? NULL : malloc(n ? n : 1);
}

void *pd_calloc(size_t count_, size_t size)
{
	return should_fail() ? NULL : calloc(count_ ? count_ : 1, size ? size : 1);
}

void *pd_realloc(void *p, size_t n)
{
	return should_fail() ? NULL : realloc(p, n ? n : 1);
}

char *pd_strndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *d = pd_malloc(len + 1);
	if (d) {
		memcpy(d, s, len);
		d[len] = '\0';
	}
	return d;
}

char *pd_strdup(const char *s)
{
	return pd_strndup(s, strlen(s));
}

void pd_free(void *p)
{
	free(p);
}

static void *cjson_malloc(size_t n)
{
	return pd_malloc(n);
}

static void hook_cjson(void)
{
	cJSON_Hooks h = {cjson_malloc, free};
	cJSON_InitHooks(&h);
}

void pd_alloc_init_cjson(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, hook_cjson);
}
