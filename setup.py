"""Build of the qdacore._core extension; everything else is in pyproject.toml.

Environment switches (read at build time):

QDACORE_SANITIZE=1       -fsanitize=address,undefined, -O1 -g, and the
                         allocation-failure hook (see ``make asan``)
QDACORE_ALLOC_TESTING=1  the allocation-failure hook alone
QDACORE_WERROR=1         warnings are errors (CI)
"""
import glob
import os
import sys

import numpy
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext


def flag(name):
    return os.environ.get(name, "") not in ("", "0")


class always_build_ext(build_ext):
    """Recompile every time.

    The sources are small, and a sanitizer build leaves objects that look
    up to date but carry other flags; rebuilding is cheaper than a stale mix.
    """

    def finalize_options(self):
        super().finalize_options()
        self.force = True


compile_args = ["-std=c11", "-Wall", "-Wextra", "-Wshadow", "-Wno-unused-parameter"]
link_args = []
if sys.platform != "win32":  # qc/parallel.c runs a kernel's parts on POSIX threads
    compile_args.append("-pthread")
    link_args.append("-pthread")
macros = []
if flag("QDACORE_WERROR"):
    compile_args.append("-Werror")
if flag("QDACORE_SANITIZE"):
    sanitize = ["-fsanitize=address,undefined", "-fno-omit-frame-pointer",
                "-fno-sanitize-recover=undefined"]
    compile_args += sanitize + ["-O1", "-g"]
    link_args += sanitize
if flag("QDACORE_SANITIZE") or flag("QDACORE_ALLOC_TESTING"):
    macros.append(("QC_ALLOC_TESTING", "1"))

core = Extension(
    "qdacore._core",
    sources=sorted(glob.glob("csrc/qc/*.c")) + sorted(glob.glob("csrc/binding/*.c")),
    depends=sorted(glob.glob("csrc/qc/*.h")) + sorted(glob.glob("csrc/binding/*.h")),
    include_dirs=["csrc", "csrc/binding", numpy.get_include()],
    define_macros=macros,
    extra_compile_args=compile_args,
    extra_link_args=link_args,
)

setup(ext_modules=[core], cmdclass={"build_ext": always_build_ext})
