/* Fuzz harness for the gate file (src/gate/gatefile.c, from memory as pd_gatefile_load
 * reads it): any text parses or fails with PD_EUSAGE and one "FILE:LINE: ..." line,
 * leaving the gate file empty; a parsed file answers look-ups. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gate/gate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_gatefile: %s (%.300s)\n", what, detail);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pd_gatefile gf;
	pd_error err = {0};
	memset(&gf, 0, sizeof gf);
	pd_status rc = pd_gatefile_parse("gate.json", (const char *)data, size, "2026-05-01", &gf,
					 &err);
	if (rc != PD_OK) {
		/* PD_EINTERNAL is out of memory, the one message that names no line. */
		if ((rc != PD_EUSAGE && rc != PD_EINTERNAL) || !err.msg[0] ||
		    strpbrk(err.msg, "\r\n") ||
		    (rc == PD_EUSAGE && strncmp(err.msg, "gate.json:", 10) != 0))
			fail("failure without a usage error naming the file in one line", err.msg);
		if (gf.nrules || gf.nallow || gf.nwarnings || gf.rules || gf.allow)
			fail("a failed parse left entries", err.msg);
		pd_gatefile_fini(&gf);
		return 0;
	}
	static const char *const names[] = {"main.main", "encoding/json.Marshal", "runtime.mallocgc",
					     "", "a", "net/http.(*conn).serve"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		(void)pd_gatefile_rule_for(&gf, names[i]);
		(void)pd_gatefile_allowed(&gf, names[i]);
	}
	for (size_t i = 0; i < gf.nwarnings; i++)
		if (!gf.warnings[i] || strpbrk(gf.warnings[i], "\r\n"))
			fail("a warning that is not one line", gf.warnings[i] ? gf.warnings[i] : "NULL");
	pd_gatefile_fini(&gf);
	return 0;
}
