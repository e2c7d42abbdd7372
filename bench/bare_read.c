/* The floor profdiff is measured against: a bare libcgraph read of each DOT file
 * (agmemread of the whole text, agget of every node's label and tooltip, agclose),
 * the minimum any libcgraph-based tool does. Prints the wall time of the work to
 * stderr so the harness can subtract process start-up. Usage: bare_read FILE... */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <graphviz/cgraph.h>

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *d = malloc((size_t)n + 1);
	if (d && fread(d, 1, (size_t)n, f) != (size_t)n) {
		free(d);
		d = NULL;
	}
	if (d)
		d[n] = '\0';
	fclose(f);
	return d;
}

int main(int argc, char **argv)
{
	static char k_label[] = "label", k_tooltip[] = "tooltip";
	double t0 = now();
	size_t touched = 0;
	for (int i = 1; i < argc; i++) {
		char *text = slurp(argv[i]);
		if (!text) {
			fprintf(stderr, "bare_read: cannot read %s\n", argv[i]);
			return 1;
		}
		Agraph_t *g = agmemread(text);
		if (!g) {
			fprintf(stderr, "bare_read: cannot parse %s\n", argv[i]);
			return 1;
		}
		for (Agnode_t *n = agfstnode(g); n; n = agnxtnode(g, n)) {
			char *l = agget(n, k_label), *t = agget(n, k_tooltip);
			touched += (l ? strlen(l) : 0) + (t ? strlen(t) : 0);
		}
		agclose(g);
		free(text);
	}
	fprintf(stderr, "bare_read: %.6f s (%zu bytes of attributes)\n", now() - t0, touched);
	return 0;
}
