/* Runs every Check suite of the qc core; exit status 0 only if all pass. */
#include <stdlib.h>

#include "suites.h"

/* One line per area; suites.h declares them. */
static Suite *(*const suites[])(void) = {
    common_suite,
    codebook_suite,
    count_suite,
    cooc_suite,
    indices_suite,
    agree_suite,
    utf8_suite,
    trie_suite,
    segment_suite,
    acmatch_suite,
    terms_suite,
    walk_suite,
    keyset_suite,
    parallel_suite,
    merge_suite,
    refi_suite,
};

int main(void)
{
    SRunner *runner = srunner_create(NULL);
    for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++)
        srunner_add_suite(runner, suites[i]());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
