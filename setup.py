"""Build of the qdacore._core extension; everything else is in pyproject.toml.

Environment switches (read at build time):

QDACORE_SANITIZE=1       -fsanitize=address,undefined, -O1 -g (GCC and clang),
                         and the allocation-failure hook (see ``make asan``)
QDACORE_ALLOC_TESTING=1  the allocation-failure hook alone
QDACORE_WERROR=1         warnings are errors (CI): -Werror, or /WX for MSVC

Flags follow the compiler setuptools picks (always_build_ext): C11 and -Wall
-Wextra for GCC and clang, /std:c11 /O2 /W3 for MSVC.
"""
import glob
import os
import sys

import numpy
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext


def flag(name):
    return os.environ.get(name, "") not in ("", "0")


def compile_and_link_args(compiler_type):
    """The flags for one compiler family: MSVC spells them its own way and has
    no -pthread (qc/parallel.c uses Win32 threads there)."""
    if compiler_type == "msvc":
        # /std:c11 for _Static_assert, designated initializers and the rest
        # of C11 the core uses; atomics go through Interlocked intrinsics
        # (qc/portable.h), so no /experimental:c11atomics
        compile_args = ["/std:c11", "/O2", "/W3"]
        link_args = []
        if flag("QDACORE_WERROR"):
            compile_args.append("/WX")
        return compile_args, link_args
    compile_args = ["-std=c11", "-Wall", "-Wextra", "-Wshadow", "-Wno-unused-parameter"]
    link_args = []
    if sys.platform != "win32":  # qc/parallel.c runs a kernel's parts on POSIX threads
        compile_args.append("-pthread")
        link_args.append("-pthread")
    if flag("QDACORE_WERROR"):
        compile_args.append("-Werror")
    if flag("QDACORE_SANITIZE"):
        sanitize = ["-fsanitize=address,undefined", "-fno-omit-frame-pointer",
                    "-fno-sanitize-recover=undefined"]
        compile_args += sanitize + ["-O1", "-g"]
        link_args += sanitize
    return compile_args, link_args


class always_build_ext(build_ext):
    """Recompile every time, with the flags of the compiler setuptools chose.

    The sources are small, and a sanitizer build leaves objects that look
    up to date but carry other flags; rebuilding is cheaper than a stale mix.
    The compiler is only known here, not when the Extension is declared.
    """

    def finalize_options(self):
        super().finalize_options()
        self.force = True

    def build_extensions(self):
        compile_args, link_args = compile_and_link_args(self.compiler.compiler_type)
        for ext in self.extensions:
            ext.extra_compile_args = compile_args + ext.extra_compile_args
            ext.extra_link_args = link_args + ext.extra_link_args
        super().build_extensions()


macros = []
if flag("QDACORE_SANITIZE") or flag("QDACORE_ALLOC_TESTING"):
    macros.append(("QC_ALLOC_TESTING", "1"))

core = Extension(
    "qdacore._core",
    sources=sorted(glob.glob("csrc/qc/*.c")) + sorted(glob.glob("csrc/binding/*.c")),
    depends=sorted(glob.glob("csrc/qc/*.h")) + sorted(glob.glob("csrc/binding/*.h")),
    include_dirs=["csrc", "csrc/binding", numpy.get_include()],
    define_macros=macros,
)

setup(ext_modules=[core], cmdclass={"build_ext": always_build_ext})
