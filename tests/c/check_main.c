/* Runs every Check suite of the qc core; exit status 0 only if all pass. */
#include <stdlib.h>

#include "suites.h"

int main(void)
{
    SRunner *runner = srunner_create(common_suite());
    srunner_add_suite(runner, codebook_suite());
    srunner_add_suite(runner, count_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
