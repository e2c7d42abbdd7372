/* uthash, configured for the library: its memory goes through the allocation hook and
 * running out of it is not fatal (uthash's default calls exit). After HASH_ADD*, an
 * element whose hh.tbl is NULL was not added: the caller frees it and fails. Include
 * this instead of <uthash.h>. */
#ifndef PD_HASH_H
#define PD_HASH_H

#include "base/alloc.h"

#define uthash_malloc(sz) pd_malloc(sz)
#define uthash_free(ptr, sz) pd_free(ptr)
#define HASH_NONFATAL_OOM 1
#include <uthash.h>

/* True when the HASH_ADD* just made for elt failed for want of memory. */
#define PD_HASH_ADD_FAILED(elt) ((elt)->hh.tbl == NULL)

#endif
