# Stubs for the C extension qdacore._core (csrc/binding). Checked against the
# built module by mypy.stubtest in tests/test_core.py. What each argument
# accepts (types, dtypes, ranges) and what it raises otherwise is tabled in
# docs/core-arguments.md and checked by tests/test_core_arguments.py: ints are
# int or numpy integers (not bool), flags True or False, integer arrays any
# integer dtype that converts to int64 without loss or lists of exact ints.
from collections.abc import Sequence
from typing import Any, Literal, Optional, Union

import numpy as np
import numpy.typing as npt

ALLOC_TESTING: int

def hierarchy_depth(parent: npt.ArrayLike, /) -> npt.NDArray[np.int32]: ...
def dimension_map(
    parent: npt.ArrayLike,
    direct_indptr: npt.ArrayLike,
    direct_target: npt.ArrayLike,
    n_targets: int,
    inherit: Literal["nearest", "all"],
    /,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]: ...
def count_codes(
    indptr: npt.ArrayLike,
    code: npt.ArrayLike,
    map_indptr: npt.ArrayLike,
    map_target: npt.ArrayLike,
    n_targets: int,
    *,
    item_group: Optional[npt.ArrayLike] = None,
    coding_group: Optional[npt.ArrayLike] = None,
    n_groups: int = 1,
    unit: Literal["coding", "item"] = "coding",
) -> npt.NDArray[np.int64]: ...
def cooccurrence(
    indptr: npt.ArrayLike,
    code: npt.ArrayLike,
    map_indptr: npt.ArrayLike,
    map_target: npt.ArrayLike,
    n_targets: int,
    *,
    near: Literal["self", "span", "window"] = "self",
    window: int = 0,
    space: Optional[npt.ArrayLike] = None,
    start: Optional[npt.ArrayLike] = None,
    end: Optional[npt.ArrayLike] = None,
    group: Optional[npt.ArrayLike] = None,
    n_groups: int = 1,
    sparse: bool = False,
) -> Any: ...
def crosstab(
    indptr: npt.ArrayLike,
    code: npt.ArrayLike,
    a_indptr: npt.ArrayLike,
    a_target: npt.ArrayLike,
    n_a: int,
    b_indptr: npt.ArrayLike,
    b_target: npt.ArrayLike,
    n_b: int,
    *,
    item_group: Optional[npt.ArrayLike] = None,
    coding_group: Optional[npt.ArrayLike] = None,
    n_groups: int = 1,
    unit: Literal["coding", "item"] = "coding",
) -> npt.NDArray[np.int64]: ...
def label_codes(
    label: npt.ArrayLike, max_span: int
) -> Optional[tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]]: ...
def gini(
    x: npt.ArrayLike,
    *,
    group: Optional[npt.ArrayLike] = None,
    n_groups: int = 1,
    weight: Optional[npt.ArrayLike] = None,
    corrected: bool = False,
    nan_policy: Literal["propagate", "omit", "raise"] = "propagate",
) -> npt.NDArray[np.float64]: ...
def theil(
    x: npt.ArrayLike,
    *,
    kind: Literal["T", "L"] = "T",
    group: Optional[npt.ArrayLike] = None,
    n_groups: int = 1,
    nan_policy: Literal["propagate", "omit", "raise"] = "propagate",
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64],
           npt.NDArray[np.float64]]: ...
def atkinson(
    x: npt.ArrayLike,
    epsilon: float,
    *,
    group: Optional[npt.ArrayLike] = None,
    n_groups: int = 1,
    nan_policy: Literal["propagate", "omit", "raise"] = "propagate",
) -> npt.NDArray[np.float64]: ...
def cv(
    x: npt.ArrayLike,
    ddof: float = 1.0,
    *,
    group: Optional[npt.ArrayLike] = None,
    n_groups: int = 1,
    nan_policy: Literal["propagate", "omit", "raise"] = "propagate",
) -> npt.NDArray[np.float64]: ...
def concentration(
    x: npt.ArrayLike,
    *,
    group: Optional[npt.ArrayLike] = None,
    n_groups: int = 1,
    nan_policy: Literal["propagate", "omit", "raise"] = "propagate",
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.int64]]: ...
def primacy(
    x: npt.ArrayLike,
    k: int = 2,
    *,
    group: Optional[npt.ArrayLike] = None,
    n_groups: int = 1,
    nan_policy: Literal["propagate", "omit", "raise"] = "propagate",
) -> npt.NDArray[np.float64]: ...
def rank_size(
    x: npt.ArrayLike,
    *,
    top: int = 0,
    group: Optional[npt.ArrayLike] = None,
    n_groups: int = 1,
    nan_policy: Literal["propagate", "omit", "raise"] = "propagate",
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]: ...
def flow_summary(
    od: npt.ArrayLike,
    *,
    core: Optional[npt.ArrayLike] = None,
    nan_policy: Literal["propagate", "omit", "raise"] = "propagate",
) -> tuple[
    npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]
]: ...
def green_polycentricity(
    od: npt.ArrayLike,
    *,
    degree: Literal["in", "out", "total"] = "in",
    nan_policy: Literal["propagate", "omit", "raise"] = "propagate",
) -> npt.NDArray[np.float64]: ...
def share_distance(
    a: npt.ArrayLike,
    b: npt.ArrayLike,
    *,
    nan_policy: Literal["propagate", "omit", "raise"] = "propagate",
) -> npt.NDArray[np.float64]: ...
def location_quotient(
    e_ij: npt.ArrayLike,
    e_j: npt.ArrayLike,
    e_i: npt.ArrayLike,
    e: npt.ArrayLike,
    *,
    nested: bool = True,
    nan_policy: Literal["propagate", "omit", "raise"] = "propagate",
) -> npt.NDArray[np.float64]: ...
def agree_tally(
    values: npt.ArrayLike,
    n_cats: int,
    *,
    weights: Optional[npt.ArrayLike] = None,
    multiplicity: Optional[npt.ArrayLike] = None,
    parts: int = 3,
) -> dict[str, Any]: ...
def agree_coefficient(
    tally: dict[str, Any],
    method: Literal["percent", "fleiss", "gwet", "brennan_prediger", "conger", "alpha"],
    *,
    weights: Optional[npt.ArrayLike] = None,
    metric: Literal["nominal", "ordinal", "interval", "ratio"] = "nominal",
    category_values: Optional[npt.ArrayLike] = None,
) -> tuple[float, float, float]: ...
def agree_bootstrap(
    values: npt.ArrayLike,
    n_cats: int,
    method: Literal["percent", "fleiss", "gwet", "brennan_prediger", "conger", "alpha"],
    *,
    weights: Optional[npt.ArrayLike] = None,
    metric: Literal["nominal", "ordinal", "interval", "ratio"] = "nominal",
    category_values: Optional[npt.ArrayLike] = None,
    n_boot: int = 1000,
    seed: int = 0,
) -> npt.NDArray[np.float64]: ...
def alpha_bootstrap(
    tally: dict[str, Any],
    *,
    metric: Literal["nominal", "ordinal", "interval", "ratio"] = "nominal",
    category_values: Optional[npt.ArrayLike] = None,
    draws: int = -1,
    n_boot: int = 1000,
    seed: int = 0,
) -> npt.NDArray[np.float64]: ...
def agree_encode(
    values: npt.ArrayLike, /
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]: ...

# -- text: segmentation (segment_py.c) -----------------------------------------
_Text = Union[str, bytes, None]
_Texts = Union[_Text, Sequence[_Text]]

def segmenter_new() -> Any: ...
def segmenter_load(segmenter: Any, data: bytes, /) -> None: ...
def segmenter_words(
    segmenter: Any,
    words: Sequence[str],
    freqs: npt.ArrayLike,
    tags: Optional[Sequence[Optional[str]]],
    how: Literal["put", "add"],
    /,
) -> npt.NDArray[np.int64]: ...
def segmenter_suggest(segmenter: Any, word: str, part_end: Optional[npt.ArrayLike], /) -> int: ...
def segmenter_lookup(
    segmenter: Any, words: Sequence[str], /
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]: ...
def segmenter_info(segmenter: Any, /) -> tuple[int, int, bool, list[str]]: ...
def segmenter_set_hmm(
    segmenter: Any,
    start: npt.ArrayLike,
    trans: npt.ArrayLike,
    emit_cp: npt.ArrayLike,
    emit: npt.ArrayLike,
    /,
) -> None: ...
def cut(segmenter: Any, text: Union[str, bytes], mode: Literal["dag", "hmm", "all"], /) -> list[str]: ...
def tokenize(
    segmenter: Any, texts: _Texts, mode: Literal["dag", "hmm", "all"], /
) -> tuple[
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.object_],
]: ...

# -- text: matching (match_py.c) ------------------------------------------------
def decode_utf8(data: bytes, final: bool, /) -> tuple[str, int]: ...
def matcher_new(patterns: Sequence[str], fold: bool, /) -> Any: ...
def matcher_info(matcher: Any, /) -> tuple[int, int, int]: ...
def find(
    matcher: Any, texts: _Texts, overlapping: bool, max_matches: Optional[int], /
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]: ...
def slices(
    texts: _Texts, text: npt.ArrayLike, start: npt.ArrayLike, end: npt.ArrayLike, /
) -> list[str]: ...

# -- text: terms (terms_py.c) ---------------------------------------------------
def char_tokens(texts: _Texts, /) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]: ...
def count_char_ngrams(
    texts: _Texts, keep: Optional[npt.ArrayLike], min_n: int, max_n: int, threads: int = 1, /
) -> Optional[
    tuple[
        npt.NDArray[np.signedinteger],  # int32 when it fits, else int64
        npt.NDArray[np.signedinteger],  # int32 when it fits, else int64
        npt.NDArray[np.int64],
        npt.NDArray[np.object_],
        npt.NDArray[np.int64],
    ]
]: ...
def count_ngrams(
    indptr: npt.ArrayLike,
    tokens: npt.ArrayLike,
    n_vocab: int,
    keep: Optional[npt.ArrayLike],
    min_n: int,
    max_n: int,
    token_strings: Optional[Sequence[str]],
    joiner: int,
    /,
) -> tuple[
    npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64], list[str], npt.NDArray[np.int64]
]: ...
def string_order(strings: Sequence[str], /) -> npt.NDArray[np.int64]: ...
def refi_gather(data: bytes, /) -> Optional[dict[str, Any]]: ...
def count_pairs(
    indptr: npt.ArrayLike, tokens: npt.ArrayLike, n_vocab: int, keep: Optional[npt.ArrayLike], window: int,
    threads: int = 1, /
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int32], npt.NDArray[np.int32]]: ...
def pairs_by_count(
    row_start: npt.ArrayLike, b: npt.ArrayLike, count: npt.ArrayLike, min_count: int, /
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], npt.NDArray[np.int32]]: ...

# merge_py.c
def merge_counts(
    key_a: npt.ArrayLike, count_a: npt.ArrayLike, key_b: npt.ArrayLike, count_b: npt.ArrayLike
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]: ...
