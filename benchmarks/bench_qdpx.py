"""REFI-QDA benchmark: import of large generated exports, and position conversion.

    python benchmarks/bench_qdpx.py --codings 10000 100000 1000000 --write docs/benchmarks.md

Data (synthetic, seeded): NVivo-like exports written directly as XML (the
shape of the issue's case: 50,000 characters per document, 1,000 codings per
document, so 10, 100 and 1,000 documents). Each text is words with a CRLF
line break and an emoji on every line; positions are UTF-16 code units, as
NVivo counts, under ``origin="NVivo ..."``, so the import has real
conversion work. A fifth of the spans are coded twice, written as two
selections with the same positions (NVivo writes one per code applied).
Selections and codings carry ``creatingUser`` and ``creationDateTime``.

Timed, same file, same run, each run in a child process of its own, the
sides alternating (``--repeat`` rounds of one run each; the median, and the
range to show how noisy the machine was; peak memory is the largest of the
children's ``VmHWM``, which includes the interpreter and the imports, shown
as "idle"):

* **read_qdpx**: the full import (capped zip reads, the gathering parse in
  C, position decision over four conventions, conversion, validated
  tables); ``max_member_bytes`` is raised to 2 GiB, as the million-coding
  ``project.qde`` is larger than the default cap of 256 MiB;
* **naive route**: what a script does without qdacore: ``zipfile`` +
  ``xml.etree.ElementTree`` (C parser, not hardened) + a Python loop over
  selections and codings, UTF-16 positions converted by a Python loop over
  the characters (a running count of code units) and ``bisect``, and three
  DataFrames (documents, selections, codings);
* **conversion only**: the reader's conversion of all texts at once
  (``_positions._Texts``) against that Python loop, over all positions of
  the middle file.

Before timing, the script checks on the smallest file that ``read_qdpx``
chose UTF-16 positions and that every item's text is the text the naive
route cuts for its selection.
"""
from __future__ import annotations

import argparse
import bisect
import datetime as dt
import json
import subprocess
import sys
import time
import warnings
import zipfile
from pathlib import Path
from typing import Optional
from xml.etree import ElementTree as ET

import numpy as np
import pandas as pd

import qdacore as qc
from qdacore.io.qdpx import _positions as pos

sys.path.insert(0, str(Path(__file__).parent))
from _report import machine, write_section  # noqa: E402

NS = "{urn:QDA-XML:project:1.0}"
CHARS_PER_DOC = 50_000
CODINGS_PER_DOC = 1_000
N_CODES = 60
MAX_BYTES = 2 * 2**30
WORDS = ("plan region city core corridor growth pole axis metropolitan county town rural urban "
         "service industry port rail innovation culture trade network node balance cluster").split()


def _guid(rng: np.random.Generator, n: int) -> list:
    """n random (version 4 shaped) GUIDs, fast."""
    raw = rng.integers(0, 2**63, size=(n, 2), dtype=np.int64).view(np.uint64)
    return [f"{a >> 32:08x}-{(a >> 16) & 0xFFFF:04x}-4{a & 0xFFF:03x}-{(b >> 48) & 0x3FFF | 0x8000:04x}-"
            f"{b & 0xFFFFFFFFFFFF:012x}" for a, b in raw.tolist()]


def _text(rng: np.random.Generator) -> str:
    """About CHARS_PER_DOC code points: lines of words, each ending in an emoji and CRLF."""
    words = np.array(WORDS, dtype=object)[rng.integers(0, len(WORDS), size=CHARS_PER_DOC // 5)]
    lines, out, n = [], [], 0
    for k, w in enumerate(words.tolist()):
        out.append(w)
        n += len(w) + 1
        if k % 12 == 11:
            lines.append(" ".join(out) + " \U0001F600")
            out = []
        if n >= CHARS_PER_DOC - 40:
            break
    lines.append(" ".join(out))
    return "\r\n".join(lines)


def make_file(codings: int, path: Path, seed: int = 26) -> dict:
    """Write the NVivo-like export with ``codings`` codings; returns its sizes."""
    rng = np.random.default_rng(seed)
    n_docs = max(1, codings // CODINGS_PER_DOC)
    users = _guid(rng, 2)
    code_guids = _guid(rng, N_CODES)
    out = ["<?xml version='1.0' encoding='utf-8'?>\n",
           f'<Project xmlns="urn:QDA-XML:project:1.0" name="bench {codings}" '
           f'origin="NVivo for Windows 12.6 (synthetic benchmark)">\n<Users>\n']
    out += [f'  <User guid="{g}" name="coder{k + 1}" />\n' for k, g in enumerate(users)]
    out.append("</Users>\n<CodeBook>\n<Codes>\n")
    out += [f'  <Code guid="{g}" name="code {k:02d}" isCodable="true" />\n' for k, g in enumerate(code_guids)]
    out.append("</Codes>\n</CodeBook>\n<Sources>\n")
    texts, n_sel, n_cod = {}, 0, 0
    for d in range(n_docs):
        text = _text(rng)
        doc_guid = _guid(rng, 1)[0]
        texts[f"sources/{doc_guid}.txt"] = text
        units = pos.offset_table(pos.codepoints(text), "utf16")
        # spans start and end at word boundaries (a space before, a character after)
        cp = pos.codepoints(text)
        starts_ok = np.flatnonzero(np.concatenate([[True], cp[:-1] == 32]) & (cp != 32) & (cp != 13) & (cp != 10))
        spans = CODINGS_PER_DOC * 4 // 5
        begin = np.sort(rng.choice(starts_ok, size=spans, replace=False))
        length = rng.integers(20, 300, size=spans)
        end = np.minimum(begin + length, len(cp))
        twice = np.zeros(spans, dtype=np.int64)
        twice[rng.choice(spans, size=CODINGS_PER_DOC - spans, replace=False)] = 1
        sel_rows = np.repeat(np.arange(spans), 1 + twice)
        sel_guids = _guid(rng, len(sel_rows))
        cod_guids = _guid(rng, len(sel_rows))
        code = rng.integers(0, N_CODES, size=len(sel_rows))
        user = rng.integers(0, 2, size=len(sel_rows))
        out.append(f'<TextSource guid="{doc_guid}" name="document {d:04d}" '
                   f'plainTextPath="internal://{doc_guid}.txt" creatingUser="{users[0]}" '
                   f'creationDateTime="2025-06-18T02:08:15Z">\n')
        for k, r in enumerate(sel_rows.tolist()):
            u = users[user[k]]
            out.append(
                f'  <PlainTextSelection guid="{sel_guids[k]}" name="" startPosition="{units[begin[r]]}" '
                f'endPosition="{units[end[r]]}" creatingUser="{u}" creationDateTime="2025-06-18T02:08:15Z">\n'
                f'    <Coding guid="{cod_guids[k]}" creatingUser="{u}" creationDateTime="2025-06-18T02:08:15Z">'
                f'<CodeRef targetGUID="{code_guids[code[k]]}" /></Coding>\n  </PlainTextSelection>\n')
        out.append("</TextSource>\n")
        n_sel += len(sel_rows)
        n_cod += len(sel_rows)
    out.append("</Sources>\n</Project>\n")
    xml = "".join(out).encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("project.qde", xml)
        for member, text in texts.items():
            zf.writestr(member, text.encode("utf-8"))
    return {"documents": n_docs, "characters": sum(len(t) for t in texts.values()), "selections": n_sel,
            "codings": n_cod, "xml_mib": len(xml) / 2**20, "file_mib": path.stat().st_size / 2**20}


def utf16_to_codepoints_python(text: str, positions: list) -> list:
    running, table = 0, [0]
    for ch in text:  # the per-character loop a plain script writes
        running += 2 if ord(ch) > 0xFFFF else 1
        table.append(running)
    return [bisect.bisect_left(table, p) for p in positions]


def naive(path: Path) -> tuple:
    """The naive route: zipfile + ElementTree + a Python loop + three DataFrames."""
    zf = zipfile.ZipFile(path)
    root = ET.fromstring(zf.read("project.qde"))
    documents, selections, codings = [], [], []
    for src in root.iter(f"{NS}TextSource"):
        text = zf.read("sources/" + src.get("plainTextPath").split("://", 1)[1]).decode("utf-8")
        documents.append({"guid": src.get("guid"), "name": src.get("name"), "text": text})
        sels = list(src.iter(f"{NS}PlainTextSelection"))
        raw = [int(s.get(a)) for s in sels for a in ("startPosition", "endPosition")]
        cps = utf16_to_codepoints_python(text, raw)
        for k, s in enumerate(sels):
            selections.append({"guid": s.get("guid"), "doc": src.get("guid"), "start": cps[2 * k],
                               "end": cps[2 * k + 1], "text": text[cps[2 * k]:cps[2 * k + 1]]})
            for c in s.iter(f"{NS}Coding"):
                codings.append({"selection": s.get("guid"), "code": c.find(f"{NS}CodeRef").get("targetGUID"),
                                "coder": c.get("creatingUser")})
    return pd.DataFrame(documents), pd.DataFrame(selections), pd.DataFrame(codings)


def read(path: Path) -> object:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return qc.read_qdpx(path, max_member_bytes=MAX_BYTES)


def _child(side: str, path: Path, repeat: int, warm: Optional[Path] = None) -> None:
    """Run one side ``repeat`` times in this process (after one untimed call on
    ``warm``, so that first-call costs are not timed); print best time and peak
    memory (JSON)."""
    fn = {"read": read, "naive": naive, "idle": lambda _: None}[side]
    if warm is not None:
        fn(warm)
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn(path)
        times.append(time.perf_counter() - t)
    with open("/proc/self/status") as f:
        hwm = next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
    print(json.dumps({"seconds": min(times), "peak_mib": hwm / 1024}))


def alternating(path: Path, rounds: int, warm: Path) -> tuple[dict, dict]:
    """``rounds`` child runs of each side, alternating, each warmed up on
    ``warm``; per side the median time, the range and the largest peak memory."""
    runs: dict = {"read": [], "naive": []}
    for _ in range(rounds):
        for side in runs:
            runs[side].append(run_child(side, path, 1, warm))
    out = []
    for side in ("read", "naive"):
        times = sorted(r["seconds"] for r in runs[side])
        out.append({"seconds": float(np.median(times)), "low": times[0], "high": times[-1],
                    "peak_mib": max(r["peak_mib"] for r in runs[side])})
    return out[0], out[1]


def run_child(side: str, path: Path, repeat: int, warm: Optional[Path] = None) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", side, "--path", str(path),
                          "--repeat", str(repeat)] + ([] if warm is None else ["--warm", str(warm)]),
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def check(path: Path) -> None:
    """read_qdpx chose UTF-16 and cut every item's text as the naive route cuts its selection."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        project = qc.read_qdpx(path, max_member_bytes=MAX_BYTES)
    chosen = [str(w.message) for w in caught if "positions=" in str(w.message)]
    assert chosen and "as utf16" in chosen[0], chosen
    _, selections, codings = naive(path)
    expected = selections.set_index("guid")["text"]
    got = project.items.set_index("guid")["text"]
    assert (got == expected.reindex(got.index)).all(), "items differ from the naive route's selections"
    assert len(project.codings) == len(codings), (len(project.codings), len(codings))


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--codings", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--repeat-large", type=int, default=1,
                        help="repeats for files of more than 200,000 codings")
    parser.add_argument("--write", type=Path, help="results page to update (section 'qdpx')")
    parser.add_argument("--path", type=Path, default=Path("/tmp/qdacore-bench"))
    parser.add_argument("--child", choices=["read", "naive", "idle"], help=argparse.SUPPRESS)
    parser.add_argument("--warm", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.path, args.repeat, args.warm)
        return

    args.path.mkdir(parents=True, exist_ok=True)
    rows, files = [], []
    idle = run_child("idle", args.path, 1)
    for n in sorted(args.codings):
        path = args.path / f"bench-{n}.qdpx"
        sizes = make_file(n, path)
        files.append((path, sizes))
        if n == min(args.codings):
            check(path)
        repeat = args.repeat if n <= 200_000 else args.repeat_large
        ours, theirs = alternating(path, repeat, files[0][0])  # warmed up on the smallest file
        print(n, sizes, ours, theirs, flush=True)
        rows.append((sizes, repeat, ours, theirs))

    # position conversion alone, on the middle file
    path, middle = files[len(files) // 2]
    with zipfile.ZipFile(path) as zf:
        root = ET.fromstring(zf.read("project.qde"))
        jobs = []
        for src in root.iter(f"{NS}TextSource"):
            text = zf.read("sources/" + src.get("plainTextPath").split("://", 1)[1]).decode("utf-8")
            raw = [int(s.get(a)) for s in src.iter(f"{NS}PlainTextSelection") for a in ("startPosition", "endPosition")]
            jobs.append((text, raw, np.asarray(raw, dtype=float)))
    del root

    texts = [text for text, _, _ in jobs]
    which = np.concatenate([np.full(len(arr), k) for k, (_, _, arr) in enumerate(jobs)])
    every = np.concatenate([arr for _, _, arr in jobs])

    def numpy_convert():
        group = pos._Texts(texts)
        group.to_codepoints(group.table("utf16"), which, every, "end")

    def python_convert():
        for text, raw, _ in jobs:
            utf16_to_codepoints_python(text, raw)

    t_np = best(numpy_convert, args.repeat)
    t_py = best(python_convert, args.repeat)
    n_pos = sum(len(r) for _, r, _ in jobs)

    command = " ".join(["python benchmarks/bench_qdpx.py", "--codings", *map(str, args.codings)]
                       + (["--repeat", str(args.repeat)] if args.repeat != 3 else [])
                       + (["--repeat-large", str(args.repeat_large)] if args.repeat_large != 1 else [])
                       + ["--write docs/benchmarks.md"])
    lines = [
        "## REFI-QDA import (`bench_qdpx.py`)",
        "",
        f"`{command}`, {dt.date.today().isoformat()}; {machine()}.",
        "",
        "Synthetic NVivo-like exports generated by the script (seeded): 50,000 characters and 1,000 codings "
        "per document, CRLF and an emoji on every line, UTF-16 positions, a fifth of the spans coded twice "
        "(two selections with the same positions). Each run is a child process of its own, the two sides "
        f"alternating, each after an untimed call on the smallest file (first-call costs); time is the median "
        f"of {args.repeat} runs a side ({args.repeat_large} above 200,000 codings), with the fastest and "
        "slowest in brackets, memory the largest peak resident size "
        f"(`VmHWM`) of the side's children, of which {idle['peak_mib']:.0f} MiB is the interpreter with "
        "numpy, pandas and qdacore imported (idle).",
        "",
        "| codings | documents / selections | project.qde | `read_qdpx` | naive route | ratio | "
        "peak memory: `read_qdpx` / naive |",
        "|---:|---|---:|---:|---:|---:|---|",
    ]

    def spread(t: dict) -> str:
        return f"{t['seconds']:.2f} s ({t['low']:.2f}-{t['high']:.2f})" if t["high"] > t["low"] else \
            f"{t['seconds']:.2f} s"

    for sizes, _, ours, theirs in rows:
        lines.append(
            f"| {sizes['codings']:,} | {sizes['documents']:,} / {sizes['selections']:,} | "
            f"{sizes['xml_mib']:.0f} MiB | {spread(ours)} | {spread(theirs)} | "
            f"**{theirs['seconds'] / ours['seconds']:.2f}x** | "
            f"{ours['peak_mib']:,.0f} MiB / {theirs['peak_mib']:,.0f} MiB |")
    lines += [
        "",
        "The ratio is the naive route's time over `read_qdpx`'s. The naive route is `zipfile` + "
        "`xml.etree.ElementTree` (C parser, not hardened) + a Python loop over selections and codings, UTF-16 "
        "positions converted by a loop over the characters and `bisect`, and three DataFrames. `read_qdpx` "
        "does more: capped zip reads, a parse that refuses DTDs and entities, the position decision (four "
        "conventions scored on up to 2,000 selections per text), merging of identical selections, GUID "
        "checks, dates parsed, and validated, typed tables.",
        "",
        "The parse runs in C without a Python call per element: `_core.refi_gather` drives the expat that "
        "CPython's `pyexpat` carries (through the C API it exports) with the GIL released, and "
        "`csrc/qc/refi.c` gathers the attributes of selections, codings and code references into columns "
        "(each distinct string once) while the rest of the document (codebook, users, sets, the sources' own "
        "elements) comes back as events for a small ElementTree. It takes documents whose prolog has no "
        "DOCTYPE; anything else (a DOCTYPE, an encoding expat lacks, XML it refuses) goes to the Python route, "
        "which refuses entities and external references as before. Positions are decided and converted for "
        "all texts at once, at a cost set by the characters the conventions disagree on (astral characters, "
        "CRLFs) rather than by the texts' length. What remains is mostly expat itself, decompression, "
        "pandas building and checking the tables (str columns, dates, GUID checks) and one Python string "
        "per item id and per item text.",
        "",
        "| task | qdacore | baseline | ratio |",
        "|---|---|---|---|",
        f"| position conversion, {n_pos:,} positions ({middle['codings']:,}-coding file): numpy vs Python loop | "
        f"{t_np * 1e3:.1f} ms | {t_py * 1e3:.1f} ms | {t_py / t_np:.1f}x faster |",
    ]
    report = "\n".join(lines)
    print(report)
    if args.write:
        write_section(args.write, "qdpx", report)


if __name__ == "__main__":
    main()
