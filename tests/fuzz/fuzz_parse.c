/* Fuzz harness for the DOT parser and everything downstream of it: any input must
 * either parse or fail with a one-line error; when it parses, diffing it against itself
 * and rendering every report and the diff DOT must succeed.
 * Built with -DPD_FUZZ=ON (clang, libFuzzer). Without libFuzzer, the same harness is
 * linked with replay.c and run over the fixtures by ctest. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "profdiff/profdiff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pd_profile *p = NULL;
	pd_error err = {0};
	pd_status rc = pd_profile_parse("fuzz", (const char *)data, size, &p, &err);
	if (rc != PD_OK) {
		if (p || !err.msg[0] || strchr(err.msg, '\n'))
			abort();
		return 0;
	}
	pd_diff_opts o;
	pd_diff_opts_init(&o);
	pd_diff *d = NULL;
	if (pd_diff_new(p, p, &o, &d, &err) == PD_OK) {
		pd_report_opts ro = {.top = 0, .color = true};
		for (int f = 0; f < PD_FORMAT_KINDS; f++) {
			pd_buf b;
			pd_buf_init(&b, 0);
			if (pd_report(d, (pd_format)f, &ro, &b, &err) != PD_OK)
				abort();
			pd_buf_fini(&b);
		}
		pd_buf b;
		pd_buf_init(&b, 0);
		if (pd_diff_dot(d, 80, &b, &err) != PD_OK)
			abort();
		pd_buf_fini(&b);
		pd_diff_free(d);
	}
	pd_profile_free(p);
	return 0;
}
