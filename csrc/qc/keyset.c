/*
 * Distinct 64-bit keys numbered in first-seen order (qc/keyset.h): keys in
 * an array by number, and a table of 32-bit slots pointing into it at most
 * half full, so that callers keep their per-key data in plain arrays and a
 * rehash moves only the small slots.
 */
#include "qc/keyset.h"

#include <string.h>

static size_t hash_slot(uint64_t key, size_t mask)
{
    key ^= key >> 33;
    key *= 0xff51afd7ed558ccdULL;
    key ^= key >> 33;
    return (size_t)key & mask;
}

/* The slot holding key, or the empty slot where it would go. */
static size_t probe(const uint32_t *slots, const uint64_t *keys, size_t capacity,
                    uint64_t key)
{
    size_t j = hash_slot(key, capacity - 1);
    while (slots[j] != 0 && keys[slots[j] - 1] != key)
        j = (j + 1) & (capacity - 1);
    return j;
}

qc_status qc_keyset_init(qc_keyset *s, size_t capacity)
{
    size_t cap = 16;
    while (cap < capacity && cap < SIZE_MAX / 4)
        cap *= 2;
    s->keys = qc_malloc(cap / 2, sizeof *s->keys);
    s->slots = qc_calloc(cap, sizeof *s->slots);
    s->n = 0;
    s->capacity = cap;
    if (s->keys == NULL || s->slots == NULL) {
        qc_keyset_free(s);
        return QC_ENOMEM;
    }
    return QC_OK;
}

void qc_keyset_free(qc_keyset *s)
{
    qc_free(s->keys);
    qc_free(s->slots);
    memset(s, 0, sizeof *s);
}

qc_status qc_keyset_add(qc_keyset *s, uint64_t key, size_t *index)
{
    size_t j = probe(s->slots, s->keys, s->capacity, key);
    if (s->slots[j] != 0) {
        *index = s->slots[j] - 1;
        return QC_OK;
    }
    if (s->n >= UINT32_MAX - 1)
        return QC_EOVERFLOW;
    if (2 * (s->n + 1) > s->capacity) {
        size_t capacity = 2 * s->capacity;
        uint32_t *slots = qc_calloc(capacity, sizeof *slots);
        if (slots == NULL)
            return QC_ENOMEM;
        uint64_t *keys = qc_realloc(s->keys, capacity / 2, sizeof *keys);
        if (keys == NULL) {
            qc_free(slots);
            return QC_ENOMEM;
        }
        s->keys = keys;
        for (size_t i = 0; i < s->n; i++)
            slots[probe(slots, keys, capacity, keys[i])] = (uint32_t)i + 1;
        qc_free(s->slots);
        s->slots = slots;
        s->capacity = capacity;
        j = probe(slots, keys, capacity, key);
    }
    s->keys[s->n] = key;
    s->slots[j] = (uint32_t)++s->n;
    *index = s->n - 1;
    return QC_OK;
}
