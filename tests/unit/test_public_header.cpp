// The public header compiles as C++11 with strict warnings (built with -Wall -Wextra
// -Werror -pedantic) and links against libprofdiff: a C++ caller can parse, diff and
// report. Only <profdiff/profdiff.h> is included, as an installed user would.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <profdiff/profdiff.h>

static int failures;

#define CHECK(cond)                                                                    \
	do {                                                                           \
		if (!(cond)) {                                                         \
			std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, \
				     #cond);                                            \
			failures++;                                                    \
		}                                                                      \
	} while (0)

int main()
{
	const char *fixtures = std::getenv("PD_FIXTURES");
	CHECK(fixtures != nullptr);
	if (!fixtures)
		return 1;
	std::string dir(fixtures);
	pd_error err = pd_error();
	pd_profile *base = nullptr, *head = nullptr;
	CHECK(pd_profile_read((dir + "/cpu_base.dot").c_str(), &base, &err) == PD_OK);
	CHECK(pd_profile_read((dir + "/cpu_new.dot").c_str(), &head, &err) == PD_OK);
	if (!base || !head)
		return 1;
	CHECK(std::strcmp(pd_profile_get_info(base)->type, "cpu") == 0);

	pd_diff_opts opts;
	pd_diff_opts_init(&opts);
	pd_diff *d = nullptr;
	CHECK(pd_diff_new(base, head, &opts, &d, &err) == PD_OK);
	if (!d)
		return 1;
	CHECK(d->nrows > 0);
	const pd_diff_row &top = d->rows[0];
	CHECK(std::strcmp(top.name, "main.parseRecords") == 0);
	CHECK(top.head.flat - top.base.flat == top.delta.flat); // the NEW side is "head"
	CHECK(std::strcmp(pd_row_status_name(top.status), "changed") == 0);
	CHECK(top.share_new > 0 && !std::isnan(top.share_new));
	char v[32];
	pd_value_format(v, sizeof v, top.delta.flat, d->unit, true);
	CHECK(std::strcmp(v, "+2.04s") == 0);

	pd_buf out;
	pd_buf_init(&out, 0);
	pd_report_opts ro = {5, false};
	CHECK(pd_report(d, PD_FORMAT_JSON, &ro, &out, &err) == PD_OK);
	CHECK(out.len > 0 && !out.failed && std::strstr(out.data, "main.parseRecords"));
	pd_buf_fini(&out);

	// Errors come back as a status and a message, never on stderr.
	pd_profile *none = nullptr;
	CHECK(pd_profile_parse("empty", "", 0, &none, &err) == PD_EINPUT);
	CHECK(none == nullptr && err.code == PD_EINPUT && err.msg[0] != '\0');

	pd_diff_free(d);
	pd_profile_free(head);
	pd_profile_free(base);
	std::printf("%s\n", failures ? "FAILED" : "ok");
	return failures ? 1 : 0;
}
