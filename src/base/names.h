/* Enum <-> name tables for the values users type and reports print (--format, --by,
 * --normalize, --granularity): each written once, indexed by the enum, and shared by
 * the CLI's parser and help, and by every report. The row-status and unit names live
 * next to their owners (pd_row_status_name in diff.c, pd_unit_name in units.c). */
#ifndef PD_BASE_NAMES_H
#define PD_BASE_NAMES_H

#include "profdiff/profdiff.h"

/* An extra spelling accepted when parsing, never printed (e.g. "md" for markdown). */
typedef struct pd_name_alias {
	const char *name;
	int value;
} pd_name_alias;

typedef struct pd_enum_names {
	const char *const *names;     /* names[v] for v in [0, count) */
	int count;
	const pd_name_alias *aliases; /* terminated by a NULL name; may be NULL */
} pd_enum_names;

extern const pd_enum_names pd_format_names;      /* text json markdown (+ md) */
extern const pd_enum_names pd_metric_names;      /* flat cum */
extern const pd_enum_names pd_normalize_names;   /* none total */
extern const pd_enum_names pd_granularity_names; /* function line */

/* The name of v, or NULL when v is out of range. */
const char *pd_enum_name(const pd_enum_names *e, int v);
/* The value named s (a name or an alias, exact and case-sensitive), or -1. */
int pd_enum_value(const pd_enum_names *e, const char *s);
/* Appends the names joined by sep ("text|json|markdown"); aliases are not listed.
 * Returns false when the buffer failed. */
bool pd_enum_list(const pd_enum_names *e, const char *sep, pd_buf *out);

#endif
