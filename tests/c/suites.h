/* The Check suites of the qc core; check_main.c runs them all. */
#ifndef QC_TEST_SUITES_H
#define QC_TEST_SUITES_H

#include <check.h>

Suite *common_suite(void);
Suite *codebook_suite(void);
Suite *count_suite(void);
Suite *cooc_suite(void);
Suite *indices_suite(void);
Suite *agree_suite(void);
Suite *utf8_suite(void);
Suite *trie_suite(void);
Suite *segment_suite(void);
Suite *acmatch_suite(void);
Suite *terms_suite(void);
Suite *walk_suite(void);
Suite *keyset_suite(void);
Suite *parallel_suite(void);
Suite *merge_suite(void);
Suite *refi_suite(void);

#endif
