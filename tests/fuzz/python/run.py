"""Runs one Python fuzz target of harnesses.py under atheris (libFuzzer).

    python tests/fuzz/python/run.py TARGET CORPUS_DIR [libFuzzer flags...]

The corpus folder is filled with the target's seeds first, if empty. A
finding (an input that breaks the rule in harnesses.py) ends the run with
libFuzzer's crash file; keep it under tests/fuzz/regressions/py_<target>/.
"""
from __future__ import annotations

import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).parent))

with atheris.instrument_imports(include=["qdacore"]):
    import harnesses  # noqa: E402

    # qdacore imports its readers lazily: build the seeds here, so every
    # module a target reaches is imported, and instrumented, now
    for name, target in harnesses.TARGETS.items():
        for seed in harnesses.seeds()[name]:
            target(seed)
    for k in range(len(harnesses.DOCUMENT_SUFFIXES)):
        harnesses.documents(bytes([k]) + b"x")


def main() -> None:
    target, corpus = sys.argv[1], Path(sys.argv[2])
    corpus.mkdir(parents=True, exist_ok=True)
    if not any(corpus.iterdir()):
        for k, seed in enumerate(harnesses.seeds()[target]):
            (corpus / f"seed-{k}").write_bytes(seed)
    atheris.Setup([sys.argv[0], *sys.argv[2:]], harnesses.TARGETS[target])
    atheris.Fuzz()


if __name__ == "__main__":
    main()
