"""Document reading benchmark: ``read_documents`` and ``split_items`` against the script a user
would write (charset-normalizer, lxml, python-docx, pypdf and ``re``), same files, same run.

    python benchmarks/bench_documents.py --write docs/benchmarks.md

Data (synthetic, seeded): ``--docs`` documents (default 1,000) holding about ``--mb`` MB of
text (default 100, so about 100 KB each), written into a temporary folder (deleted afterwards)
by ``tests/docfactory.py``: ``PLAN_ZH``'s blocks repeated, parts and chapters renumbered and the
full-width digits of paragraphs and table rows redrawn, formats in turn: text (half UTF-8,
half GB18030), Markdown, HTML (a gov.cn page around the plan), DOCX and PDF. Generating the
corpus is timed apart and not counted.

Timed, on the same files:

* whole corpus: ``read_documents(folder, processes=1 | 2 | None)`` then ``split_items`` of
  every document (with its ``headings`` and ``page_starts``), the items concatenated into one
  table; each in a fresh subprocess that reports its peak resident set (VmHWM) and the peak of
  its worker processes (RUSAGE_CHILDREN);
* per format: ``read_documents(files, processes=1)`` of one format's files, then
  ``split_items``;
* the naive route, per format and in one subprocess (for its peak memory): txt
  ``open().read()`` (charset-normalizer's best guess when not UTF-8), md read as text, html
  ``lxml.html.fromstring(data).text_content()``, docx python-docx paragraphs, pdf pypdf
  ``extract_text()`` of every page; then ``re.split(r"\\n", text)``, dropping empty lines and
  those matching ``^第.+[章节篇]``.

Every text qdacore reads is checked against the generated one (NFKC, Chinese punctuation kept; a PDF
table row's cells joined by spaces); the naive texts of the GB18030 files against their true decoding.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(ROOT / "tests"))
import docfactory as factory  # noqa: E402
from qdacore.io.documents import read_documents  # noqa: E402
from qdacore.text import split_items  # noqa: E402

from _report import machine, write_section  # noqa: E402

DEFAULT_DOCS, DEFAULT_MB = 1000, 100.0
#: Document kinds in turn: (group name, suffix, writer); the two text kinds alternate.
KINDS = ("txt", "md", "html", "docx", "pdf")
GROUPS = ("txt utf-8", "txt gb18030", "md", "html", "docx", "pdf")
NAIVE_DOES_LESS = {
    "txt utf-8": "no NFKC",
    "txt gb18030": "charset-normalizer's guess; no NFKC",
    "md": "`#` marks, `|` and table rules kept; no NFKC",
    "html": "navigation, sidebar, tools, footer and script text kept; table cells run together",
    "docx": "tables dropped; heading levels lost",
    "pdf": "running header and page numbers kept; one item per PDF line (no paragraph reflow); no pages",
}
_ZH_DIGITS = "零一二三四五六七八九"
_NUMBERED = re.compile(r"^第([一二三四五六七八九十]+)([篇章])")
_FULL_DIGIT = re.compile("[０-９]")
_NAIVE_HEADING = re.compile(r"^第.+[章节篇]")


def zh_number(n: int) -> str:
    """1..999 in Chinese numerals (十二, 二十三, 一百零五)."""
    hundreds, rest = divmod(n, 100)
    tens, ones = divmod(rest, 10)
    out = _ZH_DIGITS[hundreds] + "百" if hundreds else ""
    if tens:
        out += ("" if tens == 1 and not hundreds else _ZH_DIGITS[tens]) + "十"
    elif hundreds and ones:
        out += "零"
    return out + (_ZH_DIGITS[ones] if ones else "")


_FROM_ZH = {zh_number(n): n for n in range(1, 100)}
_PER_ROUND = {kind: sum(1 for k, _, t in factory.PLAN_ZH if k == "heading" and _NUMBERED.match(t)
                        and _NUMBERED.match(t).group(2) == kind) for kind in "篇章"}


def make_plan(index: int, target_bytes: int, seed: int) -> list:
    """PLAN_ZH's title, then its other blocks over and over (parts and chapters numbered on,
    full-width digits of paragraphs and rows redrawn) until the text holds target_bytes of UTF-8."""
    rng = random.Random(seed * 1_000_003 + index)
    title = factory.PLAN_ZH[0]
    plan, size, round_ = [title], len(title[2].encode()), 0
    while size < target_bytes:
        for kind, level, text in factory.PLAN_ZH[1:]:
            numbered = _NUMBERED.match(text) if kind == "heading" else None
            if numbered:
                n = _FROM_ZH[numbered.group(1)] + round_ * _PER_ROUND[numbered.group(2)]
                text = f"第{zh_number(n)}{numbered.group(2)}" + text[numbered.end():]
            elif kind != "heading":
                text = _FULL_DIGIT.sub(lambda _: chr(0xFF10 + rng.randrange(10)), text)
            plan.append((kind, level, text))
            size += len(text.encode()) + 1
            if size >= target_bytes:
                break
        round_ += 1
    return plan


def group_of(path: Path) -> str:
    """The group of a generated file, from its name (00001_md.md, 00005_gb18030.txt ...)."""
    kind = path.stem.split("_", 1)[1]
    return f"txt {kind}" if path.suffix == ".txt" else kind


def digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def generate_one(job: tuple) -> tuple:
    """Write document `index` into `folder`; (file name, group, text bytes, expected digests)."""
    folder, index, target_bytes, seed = job
    plan = make_plan(index, target_bytes, seed)
    kind = KINDS[index % len(KINDS)]
    if kind == "txt":
        encoding = "utf-8" if (index // len(KINDS)) % 2 == 0 else "gb18030"
        path = factory.write_txt(Path(folder) / f"{index:05d}_{encoding}.txt", plan, encoding)
    else:
        suffix = {"md": "md", "html": "html", "docx": "docx", "pdf": "pdf"}[kind]
        writer = {"md": factory.write_markdown, "html": factory.write_html, "docx": factory.write_docx,
                  "pdf": factory.write_pdf}[kind]
        path = writer(Path(folder) / f"{index:05d}_{kind}.{suffix}", plan)
    raw = factory.plan_text(plan)
    expected = factory.expected_text(plan)
    if kind == "pdf":  # a PDF has no cells: a row reads as its cells joined by spaces
        expected = expected.replace("\t", " ")
    return path.name, group_of(path), len(raw.encode("utf-8")), digest(expected), digest(raw)


def generate(folder: Path, docs: int, mb: float, seed: int) -> pd.DataFrame:
    target = max(1, round(mb * 1e6 / docs))
    jobs = [(str(folder), i, target, seed) for i in range(docs)]
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        rows = list(pool.map(generate_one, jobs, chunksize=8))
    return pd.DataFrame(rows, columns=["name", "group", "bytes", "expected", "raw"])


def warm_folder(folder: Path) -> Path:
    """One small file per format: a first call imports pypdf and lxml (python-docx too, for the naive route)."""
    folder.mkdir()
    writers = {"w.txt": lambda path, plan: factory.write_txt(path, plan, "gb18030"), "w.md": factory.write_markdown,
               "w.html": factory.write_html, "w.docx": factory.write_docx, "w.pdf": factory.write_pdf}
    for name, write in writers.items():
        write(folder / name, factory.PLAN_ZH)
    return folder


# -- the two routes ---------------------------------------------------------------------------------

def split_all(documents: pd.DataFrame) -> pd.DataFrame:
    """split_items of every document read, with its structure; the items in one table."""
    parts = [split_items(text, doc, headings=headings, page_starts=page_starts)
             for doc, text, headings, page_starts, status in documents[
                 ["doc", "text", "headings", "page_starts", "status"]].itertuples(index=False)
             if status == "read"]
    return pd.concat(parts, ignore_index=True)


def read_quietly(paths, processes):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        documents = read_documents(paths, processes=processes, progress=False)
    return documents, [str(w.message) for w in caught]


# (group, what the share is of) profiled for the rows below 1.0x
PROFILED = {"txt utf-8": "a plain-text file's", "md": "a Markdown file's",
            "html": "an HTML page's", "docx": "a .docx file's"}


def where_time_goes(folder: Path, n_files: int = 12) -> dict:
    """Per profiled group, the shares of qdacore's read time (cProfile, one
    process, the group's first n_files files) spent in NFKC
    (``unicodedata.normalize`` and the map before it) and in assembling the
    text from the reader's blocks (``_blocks.assemble``: NFKC, line breaks,
    characters XML cannot hold, lines stripped, headings)."""
    import cProfile
    import pstats

    shares = {}
    for group in PROFILED:
        files = sorted(p for p in folder.iterdir() if group_of(p) == group)[:n_files]
        if not files:
            continue
        profile = cProfile.Profile()
        t0 = time.perf_counter()
        profile.runcall(read_quietly, files, 1)
        total = time.perf_counter() - t0
        stats = pstats.Stats(profile).stats
        nfkc = sum(v[3] for (path, _, name), v in stats.items()
                   if name == "<built-in method unicodedata.normalize>"
                   or (path.endswith("_blocks.py") and name == "<lambda>"))
        assemble = sum(v[3] for (path, _, name), v in stats.items()
                       if path.endswith("_blocks.py") and name == "assemble")
        shares[group] = {"files": len(files), "nfkc": nfkc / total, "assemble": assemble / total}
    return shares


def below_one(shares: dict) -> str:
    """Where qdacore's read time goes, from the shares measured in this run."""
    if not shares:
        return ""
    n_files = max(v["files"] for v in shares.values())
    parts = [f"{PROFILED[g]} {v['assemble']:.0%} (NFKC {v['nfkc']:.0%})" for g, v in shares.items()]
    return ("Rows below 1.0x are formats where the naive route skips work qdacore does on every "
            f"file (last column). Where qdacore's read time goes (cProfile in this run, the first "
            f"{n_files} files of a format), as the share spent assembling the text from the "
            "reader's blocks (NFKC, line breaks, characters XML cannot hold, lines stripped, "
            "headings), NFKC's part of it in brackets: " + "; ".join(parts) + ". The rest is "
            "decoding and the reader itself: for HTML the walk that finds the main text and its "
            "blocks, for .docx the XML parse and the walk over paragraphs. Such rows measure that "
            "work, which the naive route leaves undone, not a slower route to the same result: "
            "its text is the file's raw lines.")


def naive_text(path: Path) -> str:
    suffix = path.suffix
    if suffix == ".txt":
        with open(path, "rb") as f:
            data = f.read()
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            import charset_normalizer

            return str(charset_normalizer.from_bytes(data).best())
    if suffix == ".md":
        with open(path, encoding="utf-8") as f:
            return f.read()
    if suffix == ".html":
        import lxml.html

        with open(path, "rb") as f:
            return lxml.html.fromstring(f.read()).text_content()
    if suffix == ".docx":
        import docx

        return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    import pypdf

    return "\n".join(page.extract_text() for page in pypdf.PdfReader(path).pages)


def naive_items(text: str) -> list:
    return [line for line in re.split(r"\n", text) if line.strip() and not _NAIVE_HEADING.match(line)]


# -- subprocesses (peak memory) ---------------------------------------------------------------------

def status_kib(field: str) -> int:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(field + ":"))


def child(spec: dict) -> dict:
    """Run in a fresh process: one whole-corpus run, timed, with its peak resident set."""
    folder, warm = Path(spec["folder"]), Path(spec["warm"])
    if spec["mode"] == "qdacore":
        read_quietly(warm, 1)
        split_all(read_quietly(warm, 1)[0])
        base = status_kib("VmRSS")
        t0 = time.perf_counter()
        documents, messages = read_quietly(folder, spec["processes"])
        t1 = time.perf_counter()
        items = split_all(documents)
        t2 = time.perf_counter()
        from qdacore.io.documents import _files, _workers

        out = {"read": t1 - t0, "split": t2 - t1, "items": len(items), "messages": messages,
               "failed": int((documents["status"] != "read").sum()),
               "workers": _workers(spec["processes"], _files(folder, False))}
    else:
        for path in sorted(warm.iterdir()):
            naive_items(naive_text(path))
        base = status_kib("VmRSS")
        files = sorted(folder.iterdir())
        kept: list = []  # every document's items, as the qdacore route keeps its items table
        times, counts, wrong = {}, {}, 0
        for group in GROUPS:
            mine = [p for p in files if group_of(p) == group]
            t0 = time.perf_counter()
            for path in mine:
                kept.append(naive_items(naive_text(path)))
            times[group] = time.perf_counter() - t0
            counts[group] = sum(len(items) for items in kept[-len(mine):]) if mine else 0
            if group == "txt gb18030":  # not timed: did charset-normalizer find the encoding?
                wrong = sum(naive_text(p) != p.read_bytes().decode("gb18030") for p in mine)
        out = {"times": times, "items": counts, "gb18030_wrong": wrong}
    out.update(base_kib=base, peak_kib=status_kib("VmHWM"),
               workers_peak_kib=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return out


def run_child(spec: dict) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", json.dumps(spec)], capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"child {spec} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- the run ---------------------------------------------------------------------------------------

def per_format(folder: Path, corpus: pd.DataFrame) -> tuple[list, list]:
    """qdacore's read and split of each group's files, in this process; and texts not as generated."""
    rows, mismatches = [], []
    for group in GROUPS:
        mine = corpus[corpus["group"] == group]
        if mine.empty:
            continue
        paths = [folder / name for name in mine["name"]]
        t0 = time.perf_counter()
        documents, messages = read_quietly(paths, 1)
        t1 = time.perf_counter()
        items = split_all(documents)
        t2 = time.perf_counter()
        got = documents["text"].map(lambda t: digest(t) if isinstance(t, str) else None).tolist()
        bad = [(name, documents["status"].iloc[k], documents["message"].iloc[k])
               for k, (name, want) in enumerate(zip(mine["name"], mine["expected"])) if got[k] != want]
        mismatches += [(group, *b) for b in bad]
        encodings = documents["encoding"].value_counts(dropna=True).to_dict()
        rows.append({"group": group, "files": len(mine), "bytes": int(mine["bytes"].sum()),
                     "read": t1 - t0, "split": t2 - t1, "items": len(items), "messages": messages,
                     "failed": int((documents["status"] != "read").sum()), "encodings": encodings,
                     "pages": int(documents["pages"].sum()) if group == "pdf" else None})
        print(f"  qdacore {group:12s} {len(mine):5d} files  read {t1 - t0:7.2f} s  split {t2 - t1:6.2f} s"
              f"  {len(items):,} items  {len(bad)} texts not as generated", flush=True)
    return rows, mismatches


def _python_work(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i % 7
    return total


def two_process_scaling(n: int = 5_000_000, jobs: int = 4) -> float:
    """How much faster two processes run a pure-Python loop than one, on this machine."""
    t0 = time.perf_counter()
    for _ in range(jobs):
        _python_work(n)
    one = time.perf_counter() - t0
    with ProcessPoolExecutor(max_workers=2) as pool:
        t0 = time.perf_counter()
        list(pool.map(_python_work, [n] * jobs))
        two = time.perf_counter() - t0
    return one / two


def fmt_s(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds < 10 else f"{seconds:.1f} s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=DEFAULT_DOCS, help="documents in the corpus")
    parser.add_argument("--mb", type=float, default=DEFAULT_MB, help="MB of text in the corpus, in all")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--write", type=Path, help="results page to update (section 'documents')")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(json.loads(args.child))))
        return 0
    if args.docs < 1 or args.mb <= 0:
        parser.error("--docs and --mb must be positive")

    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="qdacore_bench_documents_"))
    try:
        folder = tmp / "corpus"
        folder.mkdir()
        t0 = time.perf_counter()
        corpus = generate(folder, args.docs, args.mb, args.seed)
        generation = time.perf_counter() - t0
        warm = warm_folder(tmp / "warm")
        file_bytes = sum(p.stat().st_size for p in folder.iterdir())
        print(f"generated {len(corpus):,} synthetic files, {corpus['bytes'].sum() / 1e6:.1f} MB of text "
              f"({file_bytes / 1e6:.1f} MB of files) in {generation:.1f} s (not counted)", flush=True)

        read_quietly(warm, 1)  # imports, outside the timings
        formats, mismatches = per_format(folder, corpus)
        shares = where_time_goes(folder)
        naive = run_child({"mode": "naive", "folder": str(folder), "warm": str(warm)})
        for group in GROUPS:
            if group in naive["times"]:
                print(f"  naive   {group:12s} read + split {naive['times'][group]:7.2f} s  "
                      f"{naive['items'][group]:,} items", flush=True)
        whole = {}
        for processes in (1, 2, None):
            whole[processes] = run_child({"mode": "qdacore", "folder": str(folder), "warm": str(warm),
                                          "processes": processes})
            w = whole[processes]
            print(f"  whole corpus processes={processes}: read {w['read']:.2f} s, split {w['split']:.2f} s, "
                  f"peak {w['peak_kib'] / 1024:.0f} MiB (workers {w['workers_peak_kib'] / 1024:.0f} MiB)",
                  flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    scaling = two_process_scaling()
    print(f"  a pure-Python loop in two processes: {scaling:.2f}x one", flush=True)
    runtime = time.perf_counter() - started

    report = page(args, corpus, file_bytes, generation, formats, mismatches, naive, whole, scaling,
                  runtime, shares)
    print()
    print(report)
    if mismatches:
        print(f"\n{len(mismatches)} texts not as generated (group, file, status, message):")
        for m in mismatches[:20]:
            print("  ", m)
    if args.write:
        write_section(args.write, "documents", report)
        print(f"wrote {args.write}")
    return 0


def page(args, corpus, file_bytes, generation, formats, mismatches, naive, whole, scaling, runtime,
         shares) -> str:
    text_mb = corpus["bytes"].sum() / 1e6
    counts = corpus["group"].value_counts()
    options = "".join(f" --{name} {value:g}" for name, value, default in
                      (("docs", args.docs, DEFAULT_DOCS), ("mb", args.mb, DEFAULT_MB)) if value != default)
    messages = sorted({m for row in formats for m in row["messages"]}
                      | {m for w in whole.values() for m in w["messages"]})
    failed = sum(row["failed"] for row in formats)
    lines = [
        "## Reading documents: `read_documents` and `split_items` against a python-docx, pypdf, "
        "lxml and charset-normalizer script",
        "",
        f"- Command: `python benchmarks/bench_documents.py{options} --write docs/benchmarks.md`",
        f"- Date: {dt.date.today().isoformat()}",
        f"- Machine: {machine()}",
        f"- Data: **synthetic** corpus generated by the script with `tests/docfactory.py` (seed {args.seed}): "
        f"{len(corpus):,} documents, {text_mb:.1f} MB of text in UTF-8 "
        f"({text_mb * 1e3 / len(corpus):.0f} KB each), {file_bytes / 1e6:.1f} MB of files: `PLAN_ZH` "
        "repeated (parts and chapters numbered on, digits redrawn), formats in turn: "
        + ", ".join(f"{counts.get(g, 0):,} {g}" for g in GROUPS)
        + f" (HTML as a gov.cn page with navigation, sidebar and footer; PDF A4 pages, 35 lines of "
        f"30 characters, a running header and page numbers). Generating it took {generation:.0f} s "
        f"({os.cpu_count()} processes), not counted. Every format has its full share of the corpus.",
        f"- Checks in the run: {len(corpus) - len(mismatches):,} of {len(corpus):,} texts read by qdacore "
        f"equal the generated ones (after qdacore's documented NFKC; a PDF table row's cells joined by spaces); {failed} files "
        f"failed; warnings: {'; '.join(messages) if messages else 'none'}. The naive route read "
        f"{counts.get('txt gb18030', 0) - naive['gb18030_wrong']:,} of {counts.get('txt gb18030', 0):,} "
        "GB18030 files right.",
        "- Times are of one run each (files in the page cache). The naive route is the script a user "
        "would write: txt `open().read()` (charset-normalizer's `from_bytes().best()` when not UTF-8), "
        "md read as text, html `lxml.html.fromstring(data).text_content()`, docx python-docx "
        "`\"\\n\".join(p.text for p in Document(path).paragraphs)`, pdf pypdf `extract_text()` of every "
        "page; then `re.split(r\"\\n\", text)` into items, dropping empty lines and lines matching "
        "`^第.+[章节篇]`. **It does less** (last column): no NFKC, no header or footer removal, no "
        "paragraph reflow, no navigation removal, no outline (part, chapter, section, heading), "
        "offsets or pages; its items are lists of str, qdacore's a table.",
        "- qdacore: `read_documents(files, processes=1)` of one format's files, then `split_items(text, "
        "doc, headings=..., page_starts=...)` of each document and `pd.concat` of the items. "
        "Ratio: naive time / qdacore time (below 1: qdacore is slower).",
        "",
        "| format | files | text | qdacore read | MB/s | files/s | + `split_items` | items | naive read + split "
        "| naive items | ratio | the naive route does not |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in formats:
        mb, ours = row["bytes"] / 1e6, row["read"] + row["split"]
        theirs = naive["times"][row["group"]]
        lines.append(f"| {row['group']} | {row['files']:,} | {mb:.1f} MB | {fmt_s(row['read'])} | "
                     f"{mb / row['read']:.1f} | {row['files'] / row['read']:.1f} | {fmt_s(ours)} | "
                     f"{row['items']:,} | {fmt_s(theirs)} | {naive['items'][row['group']]:,} | "
                     f"**{theirs / ours:.2f}x** | {NAIVE_DOES_LESS[row['group']]} |")
    naive_total = sum(naive["times"].values())
    ours_total = sum(row["read"] + row["split"] for row in formats)
    lines.append(f"| all, by format | {len(corpus):,} | {text_mb:.1f} MB | "
                 f"{fmt_s(sum(r['read'] for r in formats))} | "
                 f"{text_mb / sum(r['read'] for r in formats):.1f} | "
                 f"{len(corpus) / sum(r['read'] for r in formats):.1f} | {fmt_s(ours_total)} | "
                 f"{sum(r['items'] for r in formats):,} | {fmt_s(naive_total)} | "
                 f"{sum(naive['items'].values()):,} | **{naive_total / ours_total:.2f}x** | |")
    pdf = next((row for row in formats if row["group"] == "pdf"), None)
    gb = next((row for row in formats if row["group"] == "txt gb18030"), None)
    lines += [
        "",
        " ".join(([] if pdf is None else [f"The PDFs have {pdf['pages']:,} pages in all."])
                 + ([] if gb is None else ["Encodings qdacore reported for the GB18030 files: "
                                           + ", ".join(f"{k} {v}" for k, v in gb["encodings"].items()) + "."])),
        "",
        below_one(shares),
        "",
        "Whole corpus, `read_documents(folder, processes=...)` then `split_items` of every document and "
        "the items in one table, each in a fresh subprocess (after a warm-up read of five small files). "
        "Peak memory: the peak resident set (VmHWM) of that process, its resident set before the call, "
        "and the largest of its worker processes (`RUSAGE_CHILDREN`), against the corpus's "
        f"{text_mb:.0f} MB of text (UTF-8; Python holds CJK text at 2 bytes a character). The naive "
        "row ran all formats in one process in the same way, keeping every document's items.",
        "",
        "| run | workers | read | split | total | MB/s | files/s | peak RSS | RSS before | largest worker "
        "| ratio (naive / qdacore) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for processes, w in whole.items():
        total = w["read"] + w["split"]
        default = " (the default)" if processes is None else ""
        worker_peak = f"{w['workers_peak_kib'] / 1024:.0f} MiB" if w["workers"] > 1 else "-"
        lines.append(f"| `processes={processes}`{default} | {w['workers']} | {fmt_s(w['read'])} | "
                     f"{fmt_s(w['split'])} | {fmt_s(total)} | {text_mb / total:.1f} | "
                     f"{len(corpus) / total:.1f} | {w['peak_kib'] / 1024:.0f} MiB | "
                     f"{w['base_kib'] / 1024:.0f} MiB | {worker_peak} | **{naive_total / total:.2f}x** |")
    lines.append(f"| naive route, one process | 1 | - | - | {fmt_s(naive_total)} | {text_mb / naive_total:.1f} | "
                 f"{len(corpus) / naive_total:.1f} | {naive['peak_kib'] / 1024:.0f} MiB | "
                 f"{naive['base_kib'] / 1024:.0f} MiB | - | 1x |")
    lines += ["", f"Two processes gain only what the machine's second vCPU gives: on it, a pure-Python loop "
              f"in two processes ran {scaling:.2f}x as fast as in one (measured in the same run). The whole "
              f"benchmark (generation included) ran {runtime / 60:.1f} minutes."]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
