/*
 * A small hand-built codebook and corpus shared by the suites.
 *
 *   0 COE (theme)             4 CON (theme)
 *   1   COE-1 (subtheme)      5   CON-1 (subtheme)
 *   2     coe1.a (code)       6     con1.a (code)
 *   3     coe1.b (code)
 *
 * Group set: G0 = {COE, con1.a}, G1 = {COE-1, COE}, G2 = {} (empty).
 * Items: 0 -> {coe1.a, con1.a}; 1 -> {coe1.b, coe1.b}; 2 -> {}; 3 -> {CON-1}.
 */
#ifndef QC_TEST_FIXTURES_H
#define QC_TEST_FIXTURES_H

#include <stdint.h>

enum { N_CODES = 7, N_ITEMS = 4, N_CODINGS = 5 };

static const int64_t fx_parent[N_CODES] = {-1, 0, 1, 1, -1, 4, 5};

/* level "subtheme": targets COE-1 (0) and CON-1 (1) */
static const int64_t fx_level_indptr[N_CODES + 1] = {0, 0, 1, 1, 1, 1, 2, 2};
static const int64_t fx_level_target[2] = {0, 1};

/* group set: code 0 in G0 and G1, code 1 in G1, code 6 in G0 */
static const int64_t fx_group_indptr[N_CODES + 1] = {0, 2, 3, 3, 3, 3, 3, 4};
static const int64_t fx_group_target[4] = {1, 0, 1, 0};

static const int64_t fx_items_indptr[N_ITEMS + 1] = {0, 2, 4, 4, 5};
static const int64_t fx_items_code[N_CODINGS] = {2, 6, 3, 3, 5};

#endif
