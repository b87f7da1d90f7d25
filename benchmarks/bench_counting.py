"""Counting benchmark: qdacore against the pandas equivalent, same data, same run.

    python benchmarks/bench_counting.py --scale 1000 --write docs/benchmarks.md

Data: ``qdacore.datasets.megaregions(scale=...)``, a synthetic corpus calibrated
to the study (scale 1000: 1,199,000 items, 1,578,000 codings).

For each task both sides start from the project's DataFrames and must give the
same numbers (checked). Two pandas baselines:

* **pandas**: what a script does per question: merge codings with items and
  documents, roll codes up through the codebook (``Codebook.membership``, given to
  pandas for free) and ``groupby().size()`` / ``crosstab``;
* **pandas, pre-joined**: the codings already joined with their item and
  document attributes (built once, not timed); only the roll-up and the count
  are timed.

qdacore times are warm calls (the project and its integer arrays built, the
``by`` column factorised on a first call, which is reported separately as
"first call"). Peak memory is the growth of the process's peak resident set
during one call (Linux ``VmHWM`` after resetting it through
``/proc/self/clear_refs``, free heap returned first with ``malloc_trim``) or the
peak of traced numpy/Python allocations if larger, compared with the bytes of the project's integer
arrays (``Project.arrays.nbytes``).
"""
from __future__ import annotations

import argparse
import ctypes
import datetime as dt
import gc
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

import qdacore as qc

sys.path.insert(0, str(Path(__file__).parent))
from _report import machine, timed, write_section  # noqa: E402


def _status(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(field)


def peak_growth(fn) -> int:
    """Bytes the peak RSS rises above the current RSS while fn runs, or the peak
    of traced (Python and numpy) allocations if that is larger.

    Freed heap memory is handed back first (malloc_trim), so memory the call
    touches shows up as growth instead of hiding in reused free blocks.
    """
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except OSError:
        pass
    tracemalloc.start()
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    before = _status("VmRSS")
    fn()
    grown = _status("VmHWM") - before
    traced = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return max(grown, traced, 0)


def tasks(project: qc.Project):
    """(name, qdacore call, pandas call, pre-joined pandas call)."""
    cb = project.codebook
    codings, items, documents = project.codings, project.items, project.documents
    wide = (codings.merge(items[["item", "doc"]], on="item")
            .merge(documents[["doc", "region"]], on="doc"))
    roll = {level: cb.membership(level) for level in ("vision", "theme", "subtheme", "mismatch")}
    lookup = {level: m.set_index("code")[level] for level, m in roll.items()}

    def with_attrs():
        return (codings.merge(items[["item", "doc"]], on="item")
                .merge(documents[["doc", "region"]], on="doc"))

    def grouped(frame, level, keys):
        return frame.groupby([level, *keys]).size()

    return [
        ("frequencies(level='vision')  [group set]",
         lambda: project.frequencies("vision"),
         lambda: codings.merge(roll["vision"], on="code").groupby("vision").size(),
         lambda: wide.merge(roll["vision"], on="code").groupby("vision").size()),
        ("frequencies(level='subtheme')",
         lambda: project.frequencies("subtheme"),
         lambda: codings["code"].map(lookup["subtheme"]).value_counts(),
         lambda: wide["code"].map(lookup["subtheme"]).value_counts()),
        ("frequencies(level='subtheme', by='region')",
         lambda: project.frequencies("subtheme", by="region"),
         lambda: grouped(with_attrs().assign(subtheme=lambda d: d["code"].map(lookup["subtheme"])),
                         "subtheme", ["region"]).unstack(fill_value=0),
         lambda: grouped(wide.assign(subtheme=wide["code"].map(lookup["subtheme"])),
                         "subtheme", ["region"]).unstack(fill_value=0)),
        ("frequencies(level='mismatch', by='doc', unit='item')",
         lambda: project.frequencies("mismatch", by="doc", unit="item"),
         lambda: grouped(with_attrs().merge(roll["mismatch"], on="code")
                         .drop_duplicates(["item", "mismatch"]), "mismatch", ["doc"]).unstack(fill_value=0),
         lambda: grouped(wide.merge(roll["mismatch"], on="code")
                         .drop_duplicates(["item", "mismatch"]), "mismatch", ["doc"]).unstack(fill_value=0)),
        ("frequencies(level=None, by='coder')",
         lambda: project.frequencies(None, by="coder"),
         lambda: codings.groupby(["code", "coder"]).size().unstack(fill_value=0),
         lambda: wide.groupby(["code", "coder"]).size().unstack(fill_value=0)),
        ("code_document_table(level='theme', by='doc')",
         lambda: project.code_document_table("theme", by="doc"),
         lambda: (lambda d: pd.crosstab(d["code"].map(lookup["theme"]), d["doc"]))(with_attrs()),
         lambda: pd.crosstab(wide["code"].map(lookup["theme"]), wide["doc"])),
        ("code_document_table('subtheme', by='region', normalize='column')",
         lambda: project.code_document_table("subtheme", by="region", normalize="column"),
         lambda: (lambda d: pd.crosstab(d["code"].map(lookup["subtheme"]), d["region"],
                                        normalize="columns"))(with_attrs()),
         lambda: pd.crosstab(wide["code"].map(lookup["subtheme"]), wide["region"], normalize="columns")),
    ]


def same_numbers(ours, theirs) -> bool:
    if isinstance(ours, pd.Series):
        theirs = theirs.reindex(ours.index, fill_value=0)
    else:
        theirs = theirs.reindex(index=ours.index, columns=ours.columns, fill_value=0)
    return np.allclose(ours.to_numpy(dtype=float), theirs.to_numpy(dtype=float), rtol=1e-12, atol=0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--write", type=Path, help="write the results page (markdown) here")
    args = parser.parse_args()

    t0 = time.perf_counter()
    project = qc.datasets.megaregions(scale=args.scale)
    build = time.perf_counter() - t0
    arrays = project.arrays.nbytes
    print(f"megaregions(scale={args.scale}): {len(project.items):,} items, "
          f"{len(project.codings):,} codings; built in {build:.2f} s; integer arrays {arrays / 2**20:.1f} MiB")

    rows = []
    for name, ours, theirs, prejoined in tasks(project):
        t_first = timed(ours, 1)
        mem = peak_growth(ours)
        assert same_numbers(ours(), theirs()), f"{name}: qdacore and pandas disagree"
        assert same_numbers(ours(), prejoined()), f"{name}: qdacore and pre-joined pandas disagree"
        t_ours = timed(ours, args.repeat)
        t_pandas = timed(theirs, args.repeat)
        t_pre = timed(prejoined, args.repeat)
        mem_pandas = peak_growth(theirs)
        rows.append((name, t_first, t_ours, t_pandas, t_pre, mem, mem_pandas))
        print(f"{name:68s} qdacore {t_ours * 1e3:8.2f} ms (first {t_first * 1e3:7.1f} ms)  "
              f"pandas {t_pandas * 1e3:8.1f} ms ({t_pandas / t_ours:6.1f}x)  "
              f"pre-joined {t_pre * 1e3:7.1f} ms ({t_pre / t_ours:5.1f}x)  "
              f"peak +{mem / 2**20:.1f} MiB ({mem / arrays:.2f}x arrays) vs pandas +{mem_pandas / 2**20:.0f} MiB")

    if args.write:
        write_page(args, rows, build, arrays, len(project.items), len(project.codings))
        print(f"wrote {args.write}")
    return 0


def write_page(args, rows, build, arrays, n_items, n_codings) -> None:
    lines = [
        "## Counting: `frequencies` and `code_document_table` against pandas",
        "",
        f"- Command: `python benchmarks/bench_counting.py --scale {args.scale} --repeat {args.repeat} "
        f"--write docs/benchmarks.md`",
        f"- Date: {dt.date.today().isoformat()}",
        f"- Machine: {machine()}",
        f"- Data: `qdacore.datasets.megaregions(scale={args.scale})`, **synthetic** (calibrated to the "
        f"study's totals): {n_items:,} items, {n_codings:,} codings; building the Project (tables "
        f"validated, integer arrays derived) took {build:.2f} s once; its integer arrays hold "
        f"{arrays / 2**20:.1f} MiB.",
        "- Times are medians of the repeats; both sides give the same numbers (checked in the run).",
        "  *pandas* merges, rolls up and counts from the project's tables per call; *pre-joined* starts",
        "  from codings already joined with their item and document attributes.",
        "- Peak memory: growth of the peak resident set during one call, and that growth divided by",
        "  the size of the project's integer arrays (target: at most 2).",
        "",
        "| task | qdacore (warm) | first call | pandas | ratio | pandas pre-joined | ratio | qdacore peak | / arrays | pandas peak |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, first, ours, pandas_t, pre, mem, mem_pandas in rows:
        lines.append(
            f"| `{name}` | {ours * 1e3:.2f} ms | {first * 1e3:.1f} ms | {pandas_t * 1e3:.0f} ms | "
            f"**{pandas_t / ours:.0f}x** | {pre * 1e3:.0f} ms | **{pre / ours:.0f}x** | "
            f"{mem / 2**20:.1f} MiB | {mem / arrays:.2f} | {mem_pandas / 2**20:.0f} MiB |"
        )
    lines += [
        "",
        "The first call of a `by=` column factorises that column once (cached on the Project);",
        "later calls reuse it. Construction cost is paid once per Project and is listed above.",
        "",
    ]
    write_section(args.write, "counting", "\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
