/*
 * qc/segment_internal.h: the segmenter's layout, shared by the file that
 * builds it (segment_dict.c: dictionary, frequencies, HMM tables) and the
 * file that cuts texts with it (segment.c). Not part of the core's API.
 */
#ifndef QC_SEGMENT_INTERNAL_H
#define QC_SEGMENT_INTERNAL_H

#include "qc/segment.h"
#include "qc/keyset.h"
#include "qc/walk.h"

/* The characters the HMM observes (jieba's re_han range). */
#define CJK_FIRST 0x4E00u
#define CJK_LAST 0x9FD5u
#define N_CJK (CJK_LAST - CJK_FIRST + 1)

struct qc_segmenter {
    qc_trie trie;
    /* per trie node; every node is a key of jieba's FREQ (words and their
       prefixes), so FREQ.get of a missing string is "no node" */
    int64_t *freq;
    int32_t *tag;        /* tag id or -1 */
    uint8_t *force;      /* jieba's Force_Split_Words */
    size_t node_capacity;
    /* what the route reads: per node the index of its log frequency in
       logf (0 for freq 0) and the children */
    qc_walk walk;
    /* distinct frequencies, numbered: logf[v] = log of frequency number v
       (number 0 is frequency 0, logf -INFINITY) */
    qc_keyset values;
    double *logf;
    size_t logf_capacity;
    int64_t total;
    size_t n_words;
    qc_vocab tags;
    int has_hmm;
    double start[4];
    double trans[4][4];
    double *emit; /* [4 * (cp - CJK_FIRST) + state]: one cache line per character */
};

#endif /* QC_SEGMENT_INTERNAL_H */
