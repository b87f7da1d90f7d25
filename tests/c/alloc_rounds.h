/* The allocation-failure loops of the Check suites: for k = 0, 1, ... the
   k-th allocation of a call is made to fail (qc_alloc_fail_after(k)) until
   the call gets through. */
#ifndef QC_TEST_ALLOC_ROUNDS_H
#define QC_TEST_ALLOC_ROUNDS_H

#include <check.h>

#include "qc/common.h"

/* Ends round k, in which the call made `attempts` allocations. True once
   the call got through, which must take more than min_failures rounds (so
   the loop did reach the call's allocations); until then the call must
   have failed with QC_ENOMEM, at an allocation it attempted. */
static inline int alloc_round_done(qc_status status, long k, long attempts, long min_failures)
{
    if (status == QC_OK) {
        ck_assert_int_gt(k, min_failures);
        return 1;
    }
    ck_assert_int_eq(status, QC_ENOMEM);
    ck_assert_int_le(k, attempts);
    return 0;
}

#endif
