"""The public surface has one source of truth, ``__all__``, and one vocabulary,
the table of ``docs/conventions.md``.

* every public module is reachable from ``import qdacore as qc`` and listed in
  the API reference, whose pages ``docs/conf.py`` generates from ``__all__``;
* each module's ``__all__`` lists exactly its public names: nothing defined
  there without a leading underscore is left out, nothing listed is missing;
* every public function and class has a docstring with a runnable example
  (constants a ``#:`` comment, public methods a docstring);
* every parameter of every public function, method and constructor is in the
  vocabulary table, a string default is one of the values the table lists,
  and at most two options (besides data) may come positionally;
* no page of the documentation names a private module or function.
"""
from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
import pkgutil
import re
import sys
from pathlib import Path

import pytest

import qdacore as qc

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "python" / "qdacore"
DOCS = ROOT / "docs"


def _api_modules() -> list[str]:
    """API_MODULES of docs/conf.py, read without running Sphinx."""
    tree = ast.parse((DOCS / "conf.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.AnnAssign | ast.Assign):
            targets = [node.target] if isinstance(node, ast.AnnAssign) else node.targets
            if any(isinstance(t, ast.Name) and t.id == "API_MODULES" for t in targets):
                return ast.literal_eval(node.value)
    raise AssertionError("docs/conf.py defines no API_MODULES")


API_MODULES = _api_modules()
MODULES = [importlib.import_module(name) for name in API_MODULES]


def _public_names():
    for module in MODULES:
        for name in module.__all__:
            obj = getattr(module, name)
            if not inspect.ismodule(obj) and not name.startswith("__"):
                yield module, name, obj


PUBLIC = list(_public_names())
IDS = [f"{m.__name__}.{n}" for m, n, _ in PUBLIC]


def _is_record(cls: type) -> bool:
    """Result records (dataclasses, named tuples, warnings): users read their
    fields; they do not construct them, so their fields are not parameters."""
    return (dataclasses.is_dataclass(cls) or issubclass(cls, tuple)
            or issubclass(cls, BaseException))


# -- one source of truth --------------------------------------------------------------

def test_every_public_module_is_in_the_reference_and_on_qc():
    """The modules qdacore.__all__ names, and their submodules without a leading
    underscore, are the reference's pages, and qc reaches each by attribute."""
    listed = {f"qdacore.{name}" for name in qc.__all__ if inspect.ismodule(getattr(qc, name))}
    for name in sorted(listed):
        module = importlib.import_module(name)
        if hasattr(module, "__path__"):
            listed |= {f"{name}.{m.name}" for m in pkgutil.iter_modules(module.__path__)
                       if not m.name.startswith("_")}
    assert listed | {"qdacore"} == set(API_MODULES)
    for name in API_MODULES[1:]:
        here = qc
        for part in name.split(".")[1:]:
            here = getattr(here, part)
        assert here is importlib.import_module(name)


@pytest.mark.parametrize("module", MODULES, ids=API_MODULES)
def test_all_lists_exactly_the_public_names(module):
    listed = set(module.__all__)
    missing = [n for n in listed if not hasattr(module, n)]
    assert not missing, f"{module.__name__}.__all__ names what it lacks: {missing}"
    # functions and classes defined in the module (or its private submodules)
    home = module.__name__
    defined = {name for name, obj in vars(module).items()
               if (inspect.isfunction(obj) or inspect.isclass(obj))
               and getattr(obj, "__module__", "").startswith(home)
               and (obj.__module__ == home or obj.__module__.split(".")[-1].startswith("_")
                    or home == "qdacore")}
    # constants assigned at the top of the module's own file
    source = Path(inspect.getfile(module))
    for node in ast.parse(source.read_text(encoding="utf-8")).body:
        targets = node.targets if isinstance(node, ast.Assign) else \
            [node.target] if isinstance(node, ast.AnnAssign) else []
        defined |= {t.id for t in targets if isinstance(t, ast.Name)}
    public = {n for n in defined if not n.startswith("_")}
    assert public <= listed, f"{home}: public but not in __all__: {sorted(public - listed)}"


@pytest.mark.parametrize("module, name, obj", PUBLIC, ids=IDS)
def test_public_name_is_reachable_from_qc(module, name, obj):
    parts = module.__name__.split(".")[1:]
    here = qc
    for part in parts:
        here = getattr(here, part)
    assert getattr(here, name) is obj


@pytest.mark.parametrize("module, name, obj", PUBLIC, ids=IDS)
def test_public_name_has_a_docstring_with_an_example(module, name, obj):
    if callable(obj):
        doc = inspect.getdoc(obj) or ""
        assert ">>>" in doc, f"{module.__name__}.{name} has no example in its docstring"
        if inspect.isclass(obj):
            for member, value in vars(obj).items():
                if member.startswith("_") or not (inspect.isfunction(value) or isinstance(
                        value, (property, classmethod, staticmethod))):
                    continue
                assert inspect.getdoc(getattr(obj, member)) or isinstance(value, property) and \
                    value.__doc__, f"{module.__name__}.{name}.{member} has no docstring"
    else:  # a constant: a "#:" comment where it is assigned (Sphinx shows it)
        homes = [m for m in sorted(sys.modules) if m == module.__name__
                 or m.startswith(module.__name__ + ".")]
        assert any(_commented(sys.modules[m], name) for m in homes if name in vars(sys.modules[m])), \
            f"{module.__name__}.{name} has no '#:' comment"


def _commented(module, name: str) -> bool:
    """Whether a module assigns name at its top level right under a '#:' comment."""
    path = getattr(module, "__file__", None)
    if not path or not path.endswith(".py"):
        return False
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    for node in ast.parse("\n".join(lines)).body:
        targets = node.targets if isinstance(node, ast.Assign) else \
            [node.target] if isinstance(node, ast.AnnAssign) else []
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            above = lines[node.lineno - 2].strip() if node.lineno > 1 else ""
            if above.startswith("#:"):
                return True
    return False


# -- one vocabulary ---------------------------------------------------------------------

def _vocabulary() -> dict[str, tuple[str, set[str]]]:
    """name -> (kind, allowed string values) from the table in docs/conventions.md."""
    table = {}
    row = re.compile(r"^\| `(?P<name>\w+)` \| (?P<kind>data|option) \| [^|]+ \|(?P<values>[^|]*)\|$")
    for line in (DOCS / "conventions.md").read_text(encoding="utf-8").splitlines():
        match = row.match(line)
        if match:
            values = set(re.findall(r'`"([^"]*)"`', match["values"]))
            table[match["name"]] = (match["kind"], values)
    return table


VOCABULARY = _vocabulary()


def _signatures():
    for module, name, obj in PUBLIC:
        where = f"{module.__name__}.{name}"
        if inspect.isfunction(obj):
            yield where, obj
        elif inspect.isclass(obj):
            if not _is_record(obj):
                yield where, obj.__init__
            for member, value in vars(obj).items():
                if member.startswith("_"):
                    continue
                function = value.__func__ if isinstance(value, (classmethod, staticmethod)) else value
                if inspect.isfunction(function):
                    yield f"{where}.{member}", function


SIGNATURES = list(_signatures())


def test_the_vocabulary_table_is_read():
    assert len(VOCABULARY) > 100
    assert VOCABULARY["context"] == ("option", {"item", "document", "span", "window"})
    assert VOCABULARY["metric"][1] == {"nominal", "ordinal", "interval", "ratio"}


@pytest.mark.parametrize("where, function", SIGNATURES, ids=[w for w, _ in SIGNATURES])
def test_signature_follows_the_vocabulary(where, function):
    parameters = list(inspect.signature(function).parameters.values())
    if parameters and parameters[0].name in ("self", "cls"):
        parameters = parameters[1:]
    options = 0
    for p in parameters:
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        assert p.name in VOCABULARY, (
            f"{where}: parameter {p.name!r} is not in the vocabulary of docs/conventions.md; "
            "use a name the table has, or add a row that says what it means")
        kind, values = VOCABULARY[p.name]
        if values and isinstance(p.default, str):
            assert p.default in values, (f"{where}: {p.name}={p.default!r} is not one of the "
                                         f"values docs/conventions.md lists: {sorted(values)}")
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and kind == "option":
            options += 1
            assert options <= 2, (f"{where}: {p.name!r} is a third positional option; options "
                                  "after the first two are keyword-only")


# -- layers and docs -------------------------------------------------------------------

def test_only_core_is_taken_from_the_package_root():
    """What lets the import-linter contract ignore imports of the root package:
    grimp reads no C extension, so `from . import _core` looks like importing
    qdacore itself; nothing but modules may be taken from the root."""
    modules = {p.stem for p in PACKAGE.glob("*.py")} | {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    for path in PACKAGE.rglob("*.py"):
        module = ".".join(("qdacore", *path.relative_to(PACKAGE).with_suffix("").parts))
        module = module.removesuffix(".__init__")
        package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = package.split(".")
                target = ".".join(base[:len(base) - node.level + 1] if node.level else []) \
                    if node.level else (node.module or "")
                if node.level and node.module:
                    target = f"{target}.{node.module}" if target else node.module
                if target == "qdacore" and path.name != "__init__.py" or \
                        target == "qdacore" and module != "qdacore":
                    names = {a.name for a in node.names} - modules
                    assert names <= {"_core"}, f"{module} imports {names} from the package root"
            elif isinstance(node, ast.Import):
                assert not any(a.name == "qdacore" for a in node.names), \
                    f"{module} imports the package root"


def test_documentation_names_no_private_module_or_function():
    private = re.compile(r"qdacore(?:\.\w+)*\._(?!core\b)\w+")
    for page in [*DOCS.glob("*.md"), *DOCS.glob("guide/*.md"), ROOT / "README.md"]:
        found = private.findall(page.read_text(encoding="utf-8"))
        assert not found, f"{page.relative_to(ROOT)} names private objects: {sorted(set(found))}"
    for module, name, obj in PUBLIC:
        doc = inspect.getdoc(obj) or "" if callable(obj) else ""
        found = private.findall(doc)
        assert not found, f"the docstring of {module.__name__}.{name} names {found}"
    for module in MODULES:
        found = private.findall(module.__doc__ or "")
        assert not found, f"the docstring of module {module.__name__} names {found}"
