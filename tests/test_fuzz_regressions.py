"""The Python fuzz targets of tests/fuzz/python/harnesses.py, in pytest.

Each target's rule: a file is refused with ValueError (or FileNotFoundError),
or accepted and then written and read back equal. Here every target runs on
its seeds (which must be accepted), on every input the fuzzers found that
once broke the rule (tests/fuzz/regressions/py_<target>/, each failing
before its fix), and on a few hundred byte-level mutations of the seeds
drawn with a fixed seed (a small, deterministic fuzzing pass for CI; the
coverage-guided one is `make fuzz-py`).
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

FUZZ = Path(__file__).parent / "fuzz"
sys.path.insert(0, str(FUZZ / "python"))
import harnesses  # noqa: E402

REGRESSIONS = sorted((FUZZ / "regressions").glob("py_*/*"))


@pytest.mark.parametrize("target", sorted(harnesses.TARGETS))
def test_seeds_are_accepted_and_round_trip(target, monkeypatch):
    refused = []
    monkeypatch.setattr(harnesses, "REFUSALS", ())  # a seed must not be refused
    for seed in harnesses.seeds()[target]:
        try:
            harnesses.TARGETS[target](seed)
        except Exception as exc:  # noqa: BLE001 - collected for the message
            refused.append(repr(exc))
    assert not refused


@pytest.mark.parametrize("path", REGRESSIONS, ids=[f"{p.parent.name}/{p.name}" for p in REGRESSIONS])
def test_inputs_the_fuzzers_found_follow_the_rule(path):
    harnesses.TARGETS[path.parent.name.removeprefix("py_")](path.read_bytes())


def _mutations(seed: bytes, rng: np.random.Generator, n: int):
    """Byte flips, deletions, duplications and truncations of seed, as
    libFuzzer's simplest mutators make them."""
    for _ in range(n):
        data = bytearray(seed)
        for _ in range(int(rng.integers(1, 4))):
            if not data:
                break
            k = int(rng.integers(len(data)))
            what = int(rng.integers(4))
            if what == 0:
                data[k] = int(rng.integers(256))
            elif what == 1:
                del data[k:k + int(rng.integers(1, 16))]
            elif what == 2:
                data[k:k] = data[k:k + int(rng.integers(1, 16))]
            else:
                del data[k:]
        yield bytes(data)


@pytest.mark.parametrize("target", sorted(harnesses.TARGETS))
def test_mutated_seeds_are_refused_or_round_trip(target):
    rng = np.random.default_rng(25)
    for seed in harnesses.seeds()[target]:
        for data in _mutations(seed, rng, 40):
            harnesses.TARGETS[target](data)
