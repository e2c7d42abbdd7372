/* The pull JSON reader of src/exact (json.c): the caller walks the document it
 * expects and skips the rest. Every call returns false on failure, after which the
 * reader stays failed (what/at say what was expected where; oom when memory ran out). */
#ifndef PD_EXACT_JSON_H
#define PD_EXACT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"

typedef struct jx {
	const char *start, *p, *end;
	bool failed, oom;
	const char *what; /* what was expected */
	size_t at;        /* byte offset of the failure */
} jx;

void pd_jx_ws(jx *j);
bool pd_jx_fail(jx *j, const char *what);
bool pd_jx_peek(jx *j, char c);  /* next non-blank byte is c */
bool pd_jx_eat(jx *j, char c);   /* ... and consume it */
bool pd_jx_string(jx *j, char **out); /* out NULL: skip; else a new string */
bool pd_jx_int(jx *j, int64_t *v);    /* number or quoted integer */
bool pd_jx_skip(jx *j);               /* any value */
/* Object members, after the '{' was eaten: true with the next key in key (cut to 31
 * bytes; a longer key starts with '\1' so it matches nothing), false at '}' or on
 * failure (check j->failed). first starts true. */
bool pd_jx_key(jx *j, bool *first, char key[32]);
/* List items, after the '[' was eaten: true when an item follows, false at close or
 * on failure. */
bool pd_jx_item(jx *j, bool *first, char close);

#endif
