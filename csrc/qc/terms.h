/*
 * qc/terms.h: the text-statistics area of the core in one include:
 * document-term counts of n-grams (qc/ngrams.h), the strings of terms in
 * code point order (qc/strorder.h) and co-word counts (qc/wordpairs.h).
 * Each concern has its own header and sources; callers that use several,
 * as the binding's terms_py.c does, include this one.
 */
#ifndef QC_TERMS_H
#define QC_TERMS_H

#include "qc/ngrams.h"
#include "qc/strorder.h"
#include "qc/wordpairs.h"

#endif /* QC_TERMS_H */
