"""Shared helpers for benchmark scripts: timing, machine description and the results page.

Each benchmark owns one section of ``docs/benchmarks.md`` between the markers
``<!-- bench:NAME -->`` and ``<!-- /bench:NAME -->`` and rewrites only that
section, so scripts for different areas can update the page independently.
"""
from __future__ import annotations

import os
import platform
import re
import statistics
import time
from pathlib import Path

HEADER = """# Benchmarks

Speed is measured as ratios to the peer library on the same machine in the same
run, by the scripts in `benchmarks/`; no test asserts a wall-clock limit. Each
section below names the command that produced it (`make bench` reruns them).
"""


def machine() -> str:
    """CPU, cores, memory, OS and library versions, for the results page."""
    import numpy as np
    import pandas as pd

    import qdacore

    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return (f"{cpu}, {os.cpu_count()} cores, {mem / 2**30:.0f} GiB; Linux {platform.release()}; "
            f"Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
            f"qdacore {qdacore.__version__}")


def timed(fn, repeat: int) -> float:
    """Median wall time of ``repeat`` calls of fn, in seconds."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def paired(ours, peer, repeat: int) -> tuple[float, float]:
    """Median wall times of ``repeat`` calls of each, the calls alternating:
    on a machine whose speed drifts (a shared VM), a slow spell then slows
    both sides instead of whichever ran during it."""
    ours_times, peer_times = [], []
    for _ in range(repeat):
        for fn, times in ((ours, ours_times), (peer, peer_times)):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
    return statistics.median(ours_times), statistics.median(peer_times)


def write_section(path: Path, name: str, markdown: str) -> None:
    """Replace (or append) the section ``name`` of the results page at ``path``."""
    text = path.read_text(encoding="utf-8") if path.exists() else HEADER
    begin, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = f"{begin}\n{markdown.strip()}\n{end}"
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
