/* The one allocation hook of the library. Every allocation the library makes (and
 * cJSON's and uthash's on its behalf) goes through pd_malloc and friends, which wrap the
 * C allocator: memory from them may be released with free() and vice versa. Tests make
 * the N-th allocation fail (pd_alloc_fail_at) to prove every failure path ends in a
 * clean PD_EINTERNAL; out-of-memory messages are worded once, by pd_error_oom
 * (error.c). Include base/base.h, which includes this. */
#ifndef PD_ALLOC_H
#define PD_ALLOC_H

#include <stddef.h>

#include "profdiff/profdiff.h"

void *pd_malloc(size_t n);
void *pd_calloc(size_t count, size_t size);
void *pd_realloc(void *p, size_t n);
char *pd_strdup(const char *s);
char *pd_strndup(const char *s, size_t n);
void pd_free(void *p);

/* Fault injection for tests: the n-th allocation from now (1 = the next one) and every
 * later one fail until pd_alloc_fail_at(0) switches injection off. Thread-safe. */
void pd_alloc_fail_at(long n);
/* Allocations counted since the last pd_alloc_fail_at call (to size an injection run). */
long pd_alloc_count(void);

/* Routes cJSON's allocations through the hook (idempotent, thread-safe). Call before
 * any cJSON use in the library. */
void pd_alloc_init_cjson(void);

/* Fills err with the library's one out-of-memory message and returns PD_EINTERNAL. */
pd_status pd_error_oom(pd_error *err);

#endif
