/* pprof's dotColor (internal/report/dotgraph.go), reproduced to the byte, and the
 * terminal color derived from it. Red = more in the new profile, green = less. */
#include <math.h>
#include <stdio.h>

#include "report/report.h"
#include "profdiff/profdiff.h"

void pd_color_rgb(double score, bool background, unsigned char rgb[3])
{
	/* Same constants and the same float expressions as pprof, including the shift
	 * exponent 1.0 - 0.7 (0.30000000000000004), so every byte matches. */
	const double shift = 0.7;
	double sat = background ? 0.1 : 1.0;
	double val = background ? 0.93 : 0.7;
	double r, g, b;

	if (isnan(score))
		score = 0.0;
	if (score < -1.0)
		score = -1.0;
	else if (score > 1.0)
		score = 1.0;
	/* Small changes fade to grey rather than to yellow. */
	if (fabs(score) < 0.2)
		sat *= fabs(score) / 0.2;
	if (score > 0.0)
		score = pow(score, 1.0 - shift);
	if (score < 0.0)
		score = -pow(-score, 1.0 - shift);
	if (score < 0.0) {
		g = val;
		r = val * (1 + sat * score);
	} else {
		r = val;
		g = val * (1 - sat * score);
	}
	b = val * (1 - sat);
	/* Go's uint8(x * 255.0) truncates; every channel is in [0, 255] here. */
	rgb[0] = (unsigned char)(r * 255.0);
	rgb[1] = (unsigned char)(g * 255.0);
	rgb[2] = (unsigned char)(b * 255.0);
}

void pd_color_hex(double score, bool background, char out[8])
{
	unsigned char c[3];
	pd_color_rgb(score, background, c);
	snprintf(out, 8, "#%02x%02x%02x", c[0], c[1], c[2]);
}

bool pd_color_is_grey(double score)
{
	unsigned char c[3];
	pd_color_rgb(score, false, c);
	/* Grey foreground (R == G) means the change is below what the graph shows:
	 * about 0.3% of the base total. */
	return c[0] == c[1];
}

const char *pd_color_ansi(double score)
{
	unsigned char c[3];
	if (pd_color_is_grey(score))
		return "";
	pd_color_rgb(score, false, c);
	bool strong = fabs(score) >= 0.2; /* full saturation in dotColor */
	if (c[0] > c[1])
		return strong ? "\033[1;31m" : "\033[31m";
	return strong ? "\033[1;32m" : "\033[32m";
}
