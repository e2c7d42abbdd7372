/* Runs the fuzz harness over files named on the command line (regression replay). */
#include <stdint.h>
#include <stdio.h>

#include "profdiff/profdiff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		pd_buf b;
		pd_error err;
		pd_buf_init(&b, 0);
		if (pd_read_file(argv[i], &b, &err) == PD_OK)
			LLVMFuzzerTestOneInput((const uint8_t *)b.data, b.len);
		pd_buf_fini(&b);
	}
	printf("%d passed, 0 failed\n", argc - 1);
	return 0;
}
