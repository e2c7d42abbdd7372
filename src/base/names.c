/* The enum <-> name tables (names.h). Each table is a designated initializer indexed by
 * its enum, so adding an enum value without its name leaves a NULL that the unit test
 * (tests/unit/test_names.c) catches. */
#include <string.h>

#include "base/names.h"

static const char *const format[PD_FORMAT_KINDS] = {
	[PD_FORMAT_TEXT] = "text",
	[PD_FORMAT_JSON] = "json",
	[PD_FORMAT_MARKDOWN] = "markdown",
};
static const pd_name_alias format_alias[] = {{"md", PD_FORMAT_MARKDOWN}, {NULL, 0}};
const pd_enum_names pd_format_names = {format, PD_FORMAT_KINDS, format_alias};

static const char *const metric[PD_METRIC_KINDS] = {
	[PD_METRIC_FLAT] = "flat",
	[PD_METRIC_CUM] = "cum",
};
const pd_enum_names pd_metric_names = {metric, PD_METRIC_KINDS, NULL};

static const char *const normalize[PD_NORMALIZE_KINDS] = {
	[PD_NORMALIZE_NONE] = "none",
	[PD_NORMALIZE_TOTAL] = "total",
};
const pd_enum_names pd_normalize_names = {normalize, PD_NORMALIZE_KINDS, NULL};

static const char *const granularity[PD_GRAN_KINDS] = {
	[PD_GRAN_FUNCTION] = "function",
	[PD_GRAN_LINE] = "line",
};
const pd_enum_names pd_granularity_names = {granularity, PD_GRAN_KINDS, NULL};

const char *pd_enum_name(const pd_enum_names *e, int v)
{
	return v >= 0 && v < e->count ? e->names[v] : NULL;
}

int pd_enum_value(const pd_enum_names *e, const char *s)
{
	for (int i = 0; i < e->count; i++)
		if (e->names[i] && strcmp(s, e->names[i]) == 0)
			return i;
	for (const pd_name_alias *a = e->aliases; a && a->name; a++)
		if (strcmp(s, a->name) == 0)
			return a->value;
	return -1;
}

bool pd_enum_list(const pd_enum_names *e, const char *sep, pd_buf *out)
{
	for (int i = 0; i < e->count; i++)
		pd_buf_printf(out, "%s%s", i ? sep : "", e->names[i] ? e->names[i] : "?");
	return !out->failed;
}
