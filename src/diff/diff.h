/* What the diff stage offers (two tables → ranked pd_diff): its API is public, in
 * include/profdiff/profdiff.h (pd_diff_new, pd_diff_free, pd_diff_opts, the row and edge
 * shapes). diff.c pairs the two sides' per-function tables (src/table/), sets each row's
 * status (changed, unchanged, new, removed, hidden with an interval), applies
 * --normalize, --focus/--ignore and ranks. This header exists so that every folder has
 * one; it adds nothing internal. */
#ifndef PD_DIFF_H
#define PD_DIFF_H

#include "profdiff/profdiff.h"

#endif
