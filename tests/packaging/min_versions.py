"""The lowest declared versions, read from pyproject.toml (run by ``make test-min``).

    python tests/packaging/min_versions.py pins       # name==lower-bound, one a line
    python tests/packaging/min_versions.py names      # the pinned names, comma-separated
    python tests/packaging/min_versions.py python     # the requires-python floor, e.g. 3.10
    python tests/packaging/min_versions.py check      # the installed versions are the pins

``pins`` turns each runtime dependency of ``[project] dependencies`` into an
exact pin on its lower bound (``numpy>=1.23.2`` gives ``numpy==1.23.2``), so
the versions tested are the declared ones and cannot drift from them. A
dependency without a ``>=`` lower bound, or with an environment marker, is an
error: every runtime dependency declares a floor that ``make test-min`` tests.
``make test-min`` installs the pins with ``--only-binary``: a bound that has
no wheel for the Python running the tests fails there, and is then raised to
the lowest version that has one (docs/install.md, *Supported versions*).

``check``, run by the Python of that environment, prints each runtime
dependency's declared bound beside the version installed and fails unless they
are the same version.

``python`` also holds the other places that name the oldest supported Python
to ``requires-python``: the oldest CPython that ``[tool.cibuildwheel]``
builds, ruff's ``target-version`` and mypy's ``python_version``; a mismatch
is an error.

The package and the tests do not import this script.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# a requirement with one lower bound and optionally an upper one: "numpy>=1.23.2", "x>=1,<3"
REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*>=\s*([0-9][0-9A-Za-z.]*)\s*(,.*)?$")


def pyproject() -> dict:
    import tomllib

    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def lower_bounds(config: dict) -> list[tuple[str, str]]:
    bounds, problems = [], []
    for requirement in config["project"]["dependencies"]:
        match = REQUIREMENT.match(requirement)
        if ";" in requirement or match is None:
            problems.append(f"{requirement!r}: no plain '>=' lower bound to test")
            continue
        bounds.append((match.group(1), match.group(3)))
    if problems:
        sys.exit("min_versions: " + "; ".join(problems))
    return bounds


def python_floor(config: dict) -> str:
    declared = re.fullmatch(r">=\s*3\.(\d+)", config["project"]["requires-python"].strip())
    if declared is None:
        sys.exit(f"min_versions: requires-python {config['project']['requires-python']!r} is not '>=3.N'")
    minor = int(declared.group(1))
    built = [int(m) for m in re.findall(r"cp3(\d+)-", config["tool"]["cibuildwheel"]["build"])]
    others = {
        "[tool.cibuildwheel] build (oldest CPython)": f"3.{min(built)}" if built else "none",
        "[tool.ruff] target-version": config["tool"]["ruff"].get("target-version", "unset"),
        "[tool.mypy] python_version": config["tool"]["mypy"].get("python_version", "unset"),
    }
    expected = {"[tool.cibuildwheel] build (oldest CPython)": f"3.{minor}",
                "[tool.ruff] target-version": f"py3{minor}",
                "[tool.mypy] python_version": f"3.{minor}"}
    problems = [f"{where} is {others[where]}, expected {want} (requires-python >=3.{minor})"
                for where, want in expected.items() if others[where] != want]
    if problems:
        sys.exit("min_versions: " + "; ".join(problems))
    return f"3.{minor}"


def check(bounds: list[tuple[str, str]]) -> int:
    from importlib.metadata import PackageNotFoundError, version

    from packaging.version import Version

    wrong = 0
    for name, bound in bounds:
        try:
            installed = version(name)
        except PackageNotFoundError:
            installed = "missing"
        same = installed != "missing" and Version(installed) == Version(bound)
        wrong += not same
        print(f"{name:20} >={bound:10} installed {installed}{'' if same else '  <- not the lower bound'}")
    return 1 if wrong else 0


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in ("pins", "names", "python", "check"):
        sys.exit(__doc__.split("\n\n")[1].rstrip())
    config = pyproject()
    if argv[0] == "pins":
        print("\n".join(f"{name}=={version}" for name, version in lower_bounds(config)))
    elif argv[0] == "names":
        print(",".join(name for name, _ in lower_bounds(config)))
    elif argv[0] == "check":
        return check(lower_bounds(config))
    else:
        print(python_floor(config))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
