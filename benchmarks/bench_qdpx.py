"""REFI-QDA benchmark: import of a large generated project, and position conversion.

    python benchmarks/bench_qdpx.py --scale 20 --write docs/benchmarks.md

Data (synthetic): ``qdacore.datasets.megaregions(scale=...)`` written with
``qdacore.write_qdpx`` (scale 20: 21 documents, 23,980 selections, 31,560
codings; each document's text is its items' ids, one per line), then every
document text rewritten with CRLF line breaks and an emoji per line and the
positions rewritten as NVivo would count them (UTF-16 code units), so the
import has real conversion work.

Timed, same file, same run (best of ``--repeat``):

* **read_qdpx**: the full import (defusedxml parse, capped zip reads, position
  decision over four conventions, conversion, four validated tables);
* **ElementTree baseline**: the least a script does: ``zipfile`` +
  ``xml.etree.ElementTree`` (not hardened), one dict per selection and coding,
  texts sliced with UTF-16 positions converted by a Python loop over the
  characters (a running count of code units) and ``bisect``;
* **conversion only**: ``_positions.offset_table`` + ``to_codepoints`` against
  that Python loop, over all selections of the file.
"""
from __future__ import annotations

import argparse
import bisect
import datetime as dt
import sys
import time
import warnings
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import numpy as np
import pandas as pd

import qdacore as qc
from qdacore.io.qdpx import _positions as pos

sys.path.insert(0, str(Path(__file__).parent))
from _report import machine, write_section  # noqa: E402

NS = "{urn:QDA-XML:project:1.0}"


def make_file(scale: int, path: Path) -> Path:
    """Write megaregions(scale), then turn it into an NVivo-like file: CRLF, emoji, UTF-16 positions."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        qc.write_qdpx(qc.datasets.megaregions(scale=scale), path)
    with zipfile.ZipFile(path) as zf:
        root = ET.fromstring(zf.read("project.qde"))
        texts = {n: zf.read(n).decode("utf-8") for n in zf.namelist() if n.startswith("sources/")}
    new_texts = {}
    for src in root.iter(f"{NS}TextSource"):
        member = "sources/" + src.get("plainTextPath").split("://", 1)[1]
        old = texts[member]
        new = old.replace("\n", " \U0001F600\r\n")  # each line: id, space, emoji, CRLF
        new_texts[member] = new
        new_units = pos.offset_table(pos.codepoints(new), "utf16")
        # code point i of the old text sits at i + 3 * (line breaks before it) in the new one
        line_of = np.concatenate([[0], np.cumsum(pos.codepoints(old) == 10)])
        for sel in src.iter(f"{NS}PlainTextSelection"):
            for attr in ("startPosition", "endPosition"):
                i = int(sel.get(attr))
                sel.set(attr, str(int(new_units[i + 3 * line_of[i]])))
    root.set("origin", "NVivo for Windows 12.6 (benchmark)")
    ET.register_namespace("", NS[1:-1])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", ET.tostring(root, encoding="utf-8", xml_declaration=True))
        for member, text in new_texts.items():
            zf.writestr(member, text.encode("utf-8"))
    return path


def utf16_to_codepoints_python(text: str, positions: list) -> list:
    running, table = 0, [0]
    for ch in text:  # the per-character loop a plain script writes
        running += 2 if ord(ch) > 0xFFFF else 1
        table.append(running)
    return [bisect.bisect_left(table, p) for p in positions]


def baseline(path: Path) -> int:
    zf = zipfile.ZipFile(path)
    root = ET.fromstring(zf.read("project.qde"))
    selections, codings = [], []
    for src in root.iter(f"{NS}TextSource"):
        text = zf.read("sources/" + src.get("plainTextPath").split("://", 1)[1]).decode("utf-8")
        sels = list(src.iter(f"{NS}PlainTextSelection"))
        raw = [int(s.get(a)) for s in sels for a in ("startPosition", "endPosition")]
        cps = utf16_to_codepoints_python(text, raw)
        for k, s in enumerate(sels):
            selections.append({"guid": s.get("guid"), "doc": src.get("guid"),
                               "text": text[cps[2 * k]:cps[2 * k + 1]]})
            for c in s.iter(f"{NS}Coding"):
                codings.append({"item": s.get("guid"), "code": c.find(f"{NS}CodeRef").get("targetGUID")})
    return len(selections) + len(codings)


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--write", type=Path, help="results page to update (section 'qdpx')")
    parser.add_argument("--path", type=Path, default=Path("/tmp/qdacore-bench.qdpx"))
    args = parser.parse_args()

    path = make_file(args.scale, args.path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        project = qc.read_qdpx(path)
    chosen = [str(w.message) for w in caught if "positions=" in str(w.message)]
    assert chosen and "as utf16" in chosen[0], chosen
    # every selection lands on its item's text (the generated text, or the id
    # for items without one, which is what the export writes)
    source = qc.datasets.megaregions(scale=args.scale).items.set_index("item")
    expected = source["text"].fillna(pd.Series(source.index, index=source.index))
    landed = (project.items.set_index("name")["text"] == expected.reindex(project.items["name"]).to_numpy()).mean()
    assert landed == 1.0, f"{landed:.3f} of the selections land on their item's text"

    def quiet_read():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            qc.read_qdpx(path)

    t_read = best(quiet_read, args.repeat)
    t_base = best(lambda: baseline(path), args.repeat)

    with zipfile.ZipFile(path) as zf:
        root = ET.fromstring(zf.read("project.qde"))
        jobs = []
        for src in root.iter(f"{NS}TextSource"):
            text = zf.read("sources/" + src.get("plainTextPath").split("://", 1)[1]).decode("utf-8")
            raw = [int(s.get(a)) for s in src.iter(f"{NS}PlainTextSelection") for a in ("startPosition", "endPosition")]
            jobs.append((text, raw, np.asarray(raw, dtype=float)))

    def numpy_convert():
        for text, _, arr in jobs:
            pos.to_codepoints(pos.offset_table(pos.codepoints(text), "utf16"), arr, "end")

    def python_convert():
        for text, raw, _ in jobs:
            utf16_to_codepoints_python(text, raw)

    t_np = best(numpy_convert, args.repeat)
    t_py = best(python_convert, args.repeat)
    chars = sum(len(t) for t, _, _ in jobs)
    n_pos = sum(len(r) for _, r, _ in jobs)

    s = project.sizes
    lines = [
        "## REFI-QDA import (`bench_qdpx.py`)",
        "",
        f"`python benchmarks/bench_qdpx.py --scale {args.scale} --write docs/benchmarks.md`, "
        f"{dt.date.today().isoformat()}; {machine()}.",
        "",
        f"Synthetic NVivo-like file: {s['documents']} documents ({chars:,} characters, CRLF and an emoji "
        f"per line, UTF-16 positions), {s['items']:,} selections, {s['codings']:,} codings, "
        f"{path.stat().st_size / 2**20:.1f} MiB. Best of {args.repeat}.",
        "",
        "| task | qdacore | baseline | ratio |",
        "|---|---|---|---|",
        f"| full import: `read_qdpx` vs zipfile + ElementTree + Python loop | {t_read:.3f} s | {t_base:.3f} s | "
        f"{t_read / t_base:.2f}x the baseline's time |",
        f"| position conversion, {n_pos:,} positions: numpy vs Python loop | {t_np * 1e3:.1f} ms | "
        f"{t_py * 1e3:.1f} ms | {t_py / t_np:.1f}x faster |",
        "",
        "`read_qdpx` does more than the baseline: hardened parsing (defusedxml builds the tree through "
        "Python callbacks, where the baseline uses ElementTree's C builder; this is about half of the "
        "difference), size caps, the position decision (four conventions scored on up to 2,000 "
        "selections per text), validation and typed tables.",
    ]
    report = "\n".join(lines)
    print(report)
    if args.write:
        write_section(args.write, "qdpx", report)


if __name__ == "__main__":
    main()
