"""Holds a release's sdist and wheel to the sources (run by ``make test-wheel``).

    python tests/packaging/check_dist.py DIR

DIR holds what ``python -m build`` wrote: one ``qdacore-*.tar.gz`` and one
``qdacore-*.whl`` (built from that sdist). Checks, each failure listed:

* the sdist has every tracked file the build reads: ``csrc/``, ``python/``,
  ``setup.py``, ``pyproject.toml``, ``README.md`` (a header missing from it
  builds on this machine, from the checkout, and fails on a user's);
* the wheel has every tracked module and data file of the package, the
  compiled extension, its stub and ``py.typed``, and nothing of ``csrc/`` or
  ``tests/``.

The tracked files come from ``git ls-files``; outside a git checkout the
check says so and stops (exit 2).
"""
from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SDIST_SOURCES = ("csrc/", "python/", "setup.py", "pyproject.toml", "README.md")


def tracked() -> list[str]:
    result = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"check_dist: not a git checkout, cannot list the tracked files: {result.stderr.strip()}")
    return result.stdout.split()


def only(directory: Path, pattern: str) -> Path:
    found = sorted(directory.glob(pattern))
    if len(found) != 1:
        sys.exit(f"check_dist: expected one {pattern} in {directory}, found {[f.name for f in found]}")
    return found[0]


def main(directory: Path) -> int:
    files = tracked()
    sdist, wheel = only(directory, "qdacore-*.tar.gz"), only(directory, "qdacore-*.whl")
    problems = []

    with tarfile.open(sdist) as archive:
        top = archive.getnames()[0].split("/")[0]
        in_sdist = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    for name in files:
        if name.startswith(SDIST_SOURCES) and name not in in_sdist:
            problems.append(f"{sdist.name}: {top}/{name} is missing")

    in_wheel = set(zipfile.ZipFile(wheel).namelist())
    for name in files:
        if name.startswith("python/qdacore/") and not name.endswith((".so", ".pyd")):
            packaged = name.removeprefix("python/")
            if packaged not in in_wheel:
                problems.append(f"{wheel.name}: {packaged} is missing")
    if not any(n.startswith("qdacore/_core.") and n.endswith((".so", ".pyd")) for n in in_wheel):
        problems.append(f"{wheel.name}: the compiled extension qdacore/_core.* is missing")
    for stray in sorted(n for n in in_wheel if n.startswith(("csrc/", "tests/"))):
        problems.append(f"{wheel.name}: {stray} does not belong in a wheel")

    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    print(f"check_dist: {sdist.name} has the {sum(n.startswith(SDIST_SOURCES) for n in files)} tracked "
          f"sources; {wheel.name} has the package's {sum(n.startswith('python/qdacore/') for n in files)} "
          f"files and the extension")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__.split("\n\n")[1].strip())
    sys.exit(main(Path(sys.argv[1])))
