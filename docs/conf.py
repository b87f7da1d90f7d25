"""Sphinx configuration for the qdacore documentation (built with -W)."""
import qdacore

project = "qdacore"
author = "qdacore developers"
release = qdacore.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "myst_parser",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build"]
myst_enable_extensions = ["dollarmath"]
myst_heading_anchors = 3

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "undoc-members": False, "show-inheritance": False}
napoleon_numpy_docstring = True
napoleon_google_docstring = False
napoleon_use_rtype = False

html_theme = "alabaster"
html_static_path = []
html_title = f"qdacore {release}"
nitpicky = False


# -- the API reference: one page per public module, generated from __all__ -------------
#: The public modules, in the order of the reference: those ``qdacore.__all__``
#: names and their submodules without a leading underscore
#: (tests/test_public_api.py checks that this list names exactly them).
API_MODULES = ["qdacore", "qdacore.codebook", "qdacore.cooc", "qdacore.agree", "qdacore.text",
               "qdacore.indices", "qdacore.spatial", "qdacore.io", "qdacore.io.qdpx",
               "qdacore.io.csv", "qdacore.io.excel", "qdacore.io.merge", "qdacore.io.tidy",
               "qdacore.io.documents",
               "qdacore.plot", "qdacore.report", "qdacore.datasets", "qdacore.dask"]


def api_page(module_name: str, seen: set) -> str:
    """The reStructuredText of one module's page: its docstring, then every
    name of its ``__all__`` (submodules are pages of their own). An object
    already documented on an earlier page (``qc.read_qdpx`` is
    ``qc.io.read_qdpx``) is shown again without an index entry, so that
    cross-references have one target."""
    import importlib
    import inspect

    module = importlib.import_module(module_name)
    title = f"``{module_name}``"
    lines = [title, "=" * len(title), "", f".. automodule:: {module_name}", "   :no-members:", ""]
    for name in module.__all__:
        obj = getattr(module, name)
        if inspect.ismodule(obj) or name.startswith("__"):
            continue
        again = ["   :no-index:"] if id(obj) in seen else []
        seen.add(id(obj))
        if inspect.isclass(obj):
            # a class built from private qdacore mixins (Project) shows their methods as its own
            mixed = not issubclass(obj, BaseException) and any(
                base.__module__.startswith("qdacore.") for base in obj.__mro__[1:])
            inherited = ["   :inherited-members:"] if mixed else []
            lines += [f".. autoclass:: {module_name}.{name}", "   :members:", *inherited, *again, ""]
        elif callable(obj):
            lines += [f".. autofunction:: {module_name}.{name}", *again, ""]
        else:
            lines += [f".. autodata:: {module_name}.{name}", "   :no-value:", *again, ""]
    return "\n".join(lines)


def write_api_pages(app) -> None:
    from pathlib import Path

    folder = Path(app.srcdir) / "api"
    folder.mkdir(exist_ok=True)
    seen: set = set()
    for module_name in API_MODULES:
        page = folder / f"{module_name}.rst"
        text = api_page(module_name, seen)
        if not page.exists() or page.read_text(encoding="utf-8") != text:
            page.write_text(text, encoding="utf-8")


def setup(app):
    app.connect("builder-inited", write_api_pages)
