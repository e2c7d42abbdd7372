/* Runs the gate's samples mode (pd_gate_eval_samples) on K DOT files per side once per
 * BH family (PD_FAMILY_PRACTICAL, the default, and PD_FAMILY_TESTABLE), for
 * bench/gate/run.py: the CLI exposes only the default family. Prints one line per
 * family: "FAMILY VERDICT M=<family size> <violating functions, tab-separated>".
 * Usage: gate_family PCT FLOOR ALPHA BASE... -- NEW...   (e.g. 5 0.5% 0.05) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gate/gate.h"
#include "profdiff/profdiff.h"

static void die(const char *what, const pd_error *e)
{
	fprintf(stderr, "gate_family: %s: %s\n", what, e->msg);
	exit(3);
}

int main(int argc, char **argv)
{
	if (argc < 7) {
		fprintf(stderr, "usage: gate_family PCT FLOOR ALPHA BASE... -- NEW...\n");
		return 2;
	}
	pd_error err;
	pd_gate_rules r;
	pd_gate_rules_init(&r);
	r.has_increase = true;
	r.increase_pct = atof(argv[1]);
	if (pd_amount_parse(argv[2], &r.min_delta, &err) != PD_OK)
		die(argv[2], &err);
	r.alpha = atof(argv[3]);
	int sep = 4;
	while (sep < argc && strcmp(argv[sep], "--") != 0)
		sep++;
	size_t nb = (size_t)(sep - 4), nh = (size_t)(argc - sep - 1);
	if (sep >= argc || nb == 0 || nh == 0 || nb != nh) {
		fprintf(stderr, "gate_family: give as many base as new files, split by --\n");
		return 2;
	}
	pd_profile **prof = calloc(nb + nh, sizeof *prof);
	pd_diff **dd = calloc(nb, sizeof *dd);
	if (!prof || !dd)
		return 3;
	for (size_t i = 0; i < nb + nh; i++) {
		const char *path = argv[i < nb ? 4 + i : sep + 1 + (i - nb)];
		if (pd_profile_read(path, &prof[i], &err) != PD_OK)
			die(path, &err);
	}
	pd_diff_opts o;
	pd_diff_opts_init(&o);
	for (size_t i = 0; i < nb; i++)
		if (pd_diff_new(prof[i], prof[nb + i], &o, &dd[i], &err) != PD_OK)
			die("diff", &err);
	pd_gate_samples_owned own;
	if (pd_gate_samples_from_diffs((const pd_diff *const *)dd, nb, nb, nh, r.metric, &own,
				       &err) != PD_OK)
		die("samples", &err);
	static const char *const fam[PD_FAMILY_KINDS] = {"practical", "testable"};
	for (int f = 0; f < PD_FAMILY_KINDS; f++) {
		pd_gate_result res;
		r.family = (pd_gate_family)f;
		if (pd_gate_eval_samples(&own.s, &r, &res, &err) != PD_OK)
			die("gate", &err);
		printf("%s %s M=%zu", fam[f], pd_verdict_name(res.verdict), res.family);
		for (size_t i = 0; i < res.nv; i++)
			if (res.v[i].state == PD_FINDING_VIOLATION)
				printf("\t%s", res.v[i].name ? res.v[i].name : "(total)");
		printf("\n");
		pd_gate_result_fini(&res);
	}
	pd_gate_samples_fini(&own);
	for (size_t i = 0; i < nb; i++)
		pd_diff_free(dd[i]);
	for (size_t i = 0; i < nb + nh; i++)
		pd_profile_free(prof[i]);
	free(dd);
	free(prof);
	return 0;
}
