/* The five biggest changes between two pprof DOT files, by flat value.
 * cc example.c $(pkg-config --cflags --libs --static profdiff) -o example */
#include <stdio.h>

#include <profdiff/profdiff.h>

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s BASE.dot NEW.dot\n", argv[0]);
		return PD_EUSAGE;
	}
	pd_error err;
	pd_profile *base = NULL, *head = NULL;
	pd_diff *d = NULL;
	pd_diff_opts opts;
	pd_diff_opts_init(&opts); /* by flat, per function, not normalized */
	pd_status rc = pd_profile_read(argv[1], &base, &err);
	if (rc == PD_OK)
		rc = pd_profile_read(argv[2], &head, &err);
	if (rc == PD_OK)
		rc = pd_diff_new(base, head, &opts, &d, &err);
	if (rc != PD_OK) {
		fprintf(stderr, "example: %s\n", err.msg);
	} else {
		for (size_t i = 0; i < d->nrows && i < 5; i++) {
			const pd_diff_row *r = &d->rows[i];
			char delta[32];
			pd_value_format(delta, sizeof delta, r->delta.flat, d->unit, true);
			printf("%-8s %-9s %s\n", delta, pd_row_status_name(r->status), r->name);
		}
	}
	pd_diff_free(d); /* before the profiles: rows point at their strings */
	pd_profile_free(head);
	pd_profile_free(base);
	return rc;
}
