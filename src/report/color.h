/* Severity -> color. One mapping (pprof's dotColor) feeds the DOT fill colors and the
 * terminal colors, so a row that is red in the graph is red in the table. The score is
 * a change over the base total; it is clamped to [-1, 1] and NaN counts as 0. */
#ifndef PD_COLOR_H
#define PD_COLOR_H

#include <stdbool.h>

/* pprof's dotColor channels for score, each in 0..255 (truncated like pprof). */
void pd_color_rgb(double score, bool background, unsigned char rgb[3]);

/* ANSI SGR prefix for a change of this severity: red for increases, green for
 * decreases, bold when the graph color is fully saturated (|score| >= 0.2), and ""
 * when the graph color is grey (the change is too small to tint the foreground color).
 * Static strings; end a colored span with PD_ANSI_RESET. */
const char *pd_color_ansi(double score);

#define PD_ANSI_RESET "\033[0m"

#endif
