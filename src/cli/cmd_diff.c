/* `profdiff diff BASE.dot NEW.dot`, or `diff --base F... --new F...` with several
 * profiles per side (a benchmark run several times): the files go through the shared
 * diff pipeline (pipeline.c), one pair or as the gate's samples. */
#include <string.h>

#include "base/alloc.h"
#include "cli/cli.h"

typedef struct file_list {
	const char **v; /* borrowed from argv */
	size_t n;
} file_list;

static pd_status add_file(const pd_option *o, const char *arg, pd_error *err)
{
	file_list *l = o->value;
	const char **v = pd_realloc(l->v, (l->n + 1) * sizeof *v);
	if (!v)
		return pd_error_oom(err);
	v[l->n++] = arg;
	l->v = v;
	return PD_OK;
}

/* Reads every file, one at a time (each text is dropped once parsed). */
static pd_status read_all(const pd_diff_cli *c, const char *const *paths, size_t n,
			  pd_profile **prof, pd_error *err)
{
	pd_status st = PD_OK;
	for (size_t i = 0; i < n && st == PD_OK; i++)
		st = pd_diff_cli_read(c, paths[i], &prof[i], err);
	return st;
}

/* One pair with --bundle: the texts are kept for the bundle (a copy of each input as
 * given, with its sha256), so each is read whole, then parsed. */
static pd_status run_bundle(pd_diff_cli *c, const char *bpath, const char *npath, pd_error *err)
{
	pd_buf text[2];
	pd_profile *prof[2] = {NULL, NULL};
	const char *paths[2] = {bpath, npath};
	pd_status st = PD_OK;
	for (int i = 0; i < 2; i++)
		pd_buf_init(&text[i], c->limits.max_input);
	for (int i = 0; i < 2 && st == PD_OK; i++) {
		st = pd_read_file(paths[i], &text[i], err);
		if (st == PD_OK)
			st = pd_diff_cli_parse(c, paths[i], text[i].data ? text[i].data : "", text[i].len,
					       &prof[i], err);
	}
	pd_run_info info = {
		.command = "diff", .base_src = bpath, .new_src = npath,
		.base_data = text[0].data, .base_len = text[0].len,
		.new_data = text[1].data, .new_len = text[1].len,
	};
	c->info = &info;
	if (st == PD_OK)
		st = pd_diff_cli_run_profiles(c, prof[0], prof[1], stdout, stderr, err);
	c->info = NULL;
	for (int i = 0; i < 2; i++) {
		pd_profile_free(prof[i]);
		pd_buf_fini(&text[i]);
	}
	return st;
}

static pd_status run(pd_diff_cli *c, const char *const *bp, size_t nb, const char *const *np,
		     size_t nn, pd_error *err)
{
	size_t stdin_uses = 0;
	for (size_t i = 0; i < nb + nn; i++)
		stdin_uses += strcmp(i < nb ? bp[i] : np[i - nb], "-") == 0;
	if (stdin_uses > 1)
		return pd_error_set(err, PD_EUSAGE, "diff: only one input can be read from stdin");
	/* No output may overwrite an input, checked before anything is read. */
	const char **in = pd_calloc(nb + nn, sizeof *in);
	if (!in)
		return pd_error_oom(err);
	memcpy(in, bp, nb * sizeof *in);
	memcpy(in + nb, np, nn * sizeof *in);
	const char *outs[] = {c->dot_path, c->svg_path, c->out_path, c->gate.junit_path};
	pd_status st = pd_file_check_outputs(in, nb + nn, outs, sizeof outs / sizeof outs[0], err);
	pd_free(in);
	if (st != PD_OK)
		return st;
	if (c->bundle_dir && (nb != 1 || nn != 1))
		return pd_error_set(err, PD_EUSAGE, "--bundle draws one pair: give one profile per side");
	if (c->bundle_dir && (st = pd_bundle_check(c->bundle_dir, err)) != PD_OK)
		return st;
	pd_profile **prof = pd_calloc(nb + nn, sizeof *prof);
	if (!prof)
		return pd_error_oom(err);
	if (!c->bundle_dir) { /* a bundle keeps the texts: run_bundle reads them */
		st = read_all(c, bp, nb, prof, err);
		if (st == PD_OK)
			st = read_all(c, np, nn, prof + nb, err);
	}
	if (st == PD_OK && nb == 1 && nn == 1 && c->bundle_dir) {
		st = run_bundle(c, bp[0], np[0], err);
	} else if (st == PD_OK && nb == 1 && nn == 1) {
		st = pd_diff_cli_run_profiles(c, prof[0], prof[1], stdout, stderr, err);
	} else if (st == PD_OK) {
		pd_sides s = {
			.base = (const pd_profile *const *)prof,
			.head = (const pd_profile *const *)prof + nb,
			.base_src = bp, .head_src = np, .nbase = nb, .nhead = nn,
		};
		st = pd_diff_cli_run_samples(c, &s, stdout, stderr, err);
	}
	for (size_t i = 0; i < nb + nn; i++)
		pd_profile_free(prof[i]);
	pd_free(prof);
	return st;
}

int pd_cmd_diff(int argc, char **argv)
{
	pd_diff_cli c;
	file_list base = {0}, head = {0};
	pd_option diff_opts[PD_DIFF_OPTS], gate_opts[PD_GATE_OPTS];
	pd_diff_cli_init(&c);
	pd_diff_cli_options(&c, diff_opts);
	pd_gate_cli_options(&c, gate_opts);
	pd_option opts[] = {
		{PD_OPT_GROUP, .help = "Options:"},
		PD_OPTION(PD_OPT_STRING, "base", 0, &base, "FILE",
		 "a base profile; repeat for several runs (instead of BASE.dot NEW.dot)",
		 .apply = add_file, .def = ""),
		PD_OPTION(PD_OPT_STRING, "new", 0, &head, "FILE", "a new profile; repeat for several runs",
		 .apply = add_file, .def = ""),
		{PD_OPT_TABLE, .value = diff_opts},
		{PD_OPT_HELP, "help", 'h', .help = "show this help"},
		{PD_OPT_VERSION, "version", .help = "print the version"},
		{PD_OPT_GROUP, .help = "Gate options (any of them turns the gate on):"},
		{PD_OPT_TABLE, .value = gate_opts},
		{PD_OPT_END},
	};
	const pd_opt_cmd cmd = {
		.name = "diff",
		.usage = "diff [options] BASE.dot NEW.dot\n"
			 "       profdiff diff [options] --base FILE... --new FILE...",
		.about = "Compares two call graphs in the DOT dialect of 'go tool pprof -dot' and of\n"
			 "Pyroscope's /pyroscope/render?format=dot, and ranks the functions by how much\n"
			 "more (or less) they cost in NEW. '-' reads one input from stdin. With several\n"
			 "profiles per side (--base and --new repeated) each function is tested for a\n"
			 "significant change (Mann-Whitney U, Hodges-Lehmann, Benjamini-Hochberg).",
		.opts = opts,
	};
	pd_error err = {0};
	int nops;
	pd_status st;
	int rc = pd_opt_parse(&cmd, argc, argv, &nops, stdout, &err);
	if (rc == PD_OPT_EXIT) {
		st = PD_OK;
		goto out;
	}
	if (rc != PD_OK) {
		st = (pd_status)rc;
		goto fail;
	}
	if (base.n || head.n) {
		if (nops || !base.n || !head.n) {
			st = pd_error_set(&err, PD_EUSAGE,
					  "diff: give --base and --new (each repeatable) and no other "
					  "files, or BASE.dot NEW.dot (see 'profdiff diff --help')");
			goto fail;
		}
	} else if (nops != 2) {
		st = pd_error_set(&err, PD_EUSAGE,
				  "diff: expected 2 files (BASE.dot NEW.dot), got %d (see 'profdiff diff --help')",
				  nops);
		goto fail;
	}
	if ((st = pd_gate_cli_prepare(&c, &err)) != PD_OK)
		goto fail;
	if (base.n)
		st = run(&c, base.v, base.n, head.v, head.n, &err);
	else
		st = run(&c, (const char *const *)argv + 1, 1, (const char *const *)argv + 2, 1, &err);
	/* A verdict is not an error: the report said it. */
	if (st == PD_OK || st == PD_REGRESSION || (st == PD_ENODATA && c.gate.on && !err.msg[0]))
		goto out;
fail:
	st = (pd_status)pd_cli_fail(&err);
out:
	pd_gate_cli_fini(&c);
	pd_free(base.v);
	pd_free(head.v);
	return (int)st;
}
