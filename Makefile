# qdacore developer commands. `make test` and `make demo` do all set-up on a
# fresh Debian machine (system packages through apt-get when missing).

PYTHON ?= python3
PIP := $(PYTHON) -m pip
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

CC ?= gcc
CORE_SRC := $(wildcard csrc/qc/*.c)
CORE_HDR := $(wildcard csrc/qc/*.h)
CHECK_SRC := $(wildcard tests/c/*.c)
CHECK_HDR := $(wildcard tests/c/*.h)
C_WARN := -std=c11 -Wall -Wextra -Wshadow -Werror -pthread
SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g -O1
ASAN_LIBS = $(shell $(CC) -print-file-name=libasan.so):$(shell $(CC) -print-file-name=libubsan.so)

.PHONY: test demo sanitize asan tsan docs bench deps sysdeps pydeps test-c test-c-asan test-py test-wheel lint valgrind fuzz-py clean \
  cross cross-sysdeps cross-aarch64 cross-mingw cross-clang

## make test: Check suites for the C core, the libFuzzer harnesses' replay and smoke runs,
## the static checks, pytest (with doctests, notebooks and stubtest), then the docs build.
test: deps test-c fuzz-smoke lint test-py docs

## make lint: ruff, mypy on the package, and the import-linter contracts of pyproject.toml
## (the layers of ../shared/DESIGN.md, no import cycle).
lint: pydeps
	$(PYTHON) -m ruff check python tests benchmarks docs/conf.py
	$(PYTHON) -m mypy
	$(PYTHON) -c "from importlinter.cli import lint_imports_command as run; run()" --no-cache

## make demo: install the package as a user would and write the report of the embedded example.
demo:
	@$(MAKE) --no-print-directory sysdeps APT_PACKAGES="$(APT_DEMO)"
	$(PIP) install -q --disable-pip-version-check .
	cd /tmp && $(PYTHON) -m qdacore report -o "$(CURDIR)/demo-output/report.html"

## make sanitize: make asan, then make tsan.
sanitize: asan tsan

## make asan: the Check suites and pytest against -fsanitize=address,undefined builds
## (the thread stress test of tests/test_concurrency.py for 100 rounds).
asan: deps test-c-asan
	QDACORE_SANITIZE=1 $(PIP) install -q --no-build-isolation -e ".[test]"
	@# the normal build comes back whether the sanitized run passes or not
	LD_PRELOAD="$(ASAN_LIBS)" ASAN_OPTIONS=detect_leaks=0:halt_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 QDACORE_STRESS_ROUNDS=100 \
	  $(PYTHON) -m pytest -q -m "not slow" -p no:cacheprovider; status=$$?; \
	$(PIP) install -q --no-build-isolation -e ".[test]"; exit $$status

docs: pydeps
	$(PIP) install -q --disable-pip-version-check "sphinx>=7" "myst-parser>=2"
	rm -rf docs/api
	$(PYTHON) -m sphinx -W --keep-going -q -b html docs docs/_build/html
	@echo "docs: docs/_build/html/index.html"

## make bench: every benchmarks/bench_*.py at its default size; each rewrites its section of docs/benchmarks.md.
bench: pydeps
	$(PIP) install -q --disable-pip-version-check --no-build-isolation -e ".[bench]"
	@for script in benchmarks/bench_*.py; do \
	  echo "== $$script"; $(PYTHON) $$script --write docs/benchmarks.md || exit 1; done

deps: sysdeps pydeps

# Debian packages: Check for the C suites, a CJK font for plots, Chromium for the report test.
APT_DEMO := fonts-noto-cjk
APT_PACKAGES ?= check pkg-config fonts-noto-cjk chromium chromium-driver
sysdeps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $$missing >/dev/null; fi

pydeps:
	$(PIP) install -q --disable-pip-version-check "setuptools>=77" "numpy>=2" wheel
	$(PIP) install -q --disable-pip-version-check --no-build-isolation -e ".[test]"
	@# irrCAC (a test peer) pins scipy==1.12 and pandas<3; its code runs on the
	@# versions above, so it is installed without its pins.
	$(PIP) install -q --disable-pip-version-check --no-deps "irrCAC==0.4.4"

tests/c/build/check_qc: $(CORE_SRC) $(CORE_HDR) $(CHECK_SRC) $(CHECK_HDR)
	@mkdir -p $(@D)
	$(CC) $(C_WARN) -O2 -DQC_ALLOC_TESTING -Icsrc -Itests/c $(CORE_SRC) $(CHECK_SRC) \
	  $$(pkg-config --cflags --libs check) -o $@

tests/c/build/check_qc_tsan: $(CORE_SRC) $(CORE_HDR) $(CHECK_SRC) $(CHECK_HDR)
	@mkdir -p $(@D)
	$(CC) $(C_WARN) -fsanitize=thread -g -O1 -DQC_ALLOC_TESTING -Icsrc -Itests/c $(CORE_SRC) \
	  $(CHECK_SRC) $$(pkg-config --cflags --libs check) -o $@

## make tsan: the suites whose kernels run on threads, under -fsanitize=thread.
tsan: sysdeps tests/c/build/check_qc_tsan
	for suite in parallel terms; do \
	  CK_RUN_SUITE=$$suite CK_DEFAULT_TIMEOUT=900 TSAN_OPTIONS=halt_on_error=1 \
	    tests/c/build/check_qc_tsan || exit 1; done

tests/c/build/check_qc_asan: $(CORE_SRC) $(CORE_HDR) $(CHECK_SRC) $(CHECK_HDR)
	@mkdir -p $(@D)
	$(CC) $(C_WARN) $(SANITIZE) -DQC_ALLOC_TESTING -Icsrc -Itests/c $(CORE_SRC) $(CHECK_SRC) \
	  $$(pkg-config --cflags --libs check) -o $@

test-c: sysdeps tests/c/build/check_qc
	tests/c/build/check_qc

test-c-asan: sysdeps tests/c/build/check_qc_asan
	ASAN_OPTIONS=detect_leaks=1 tests/c/build/check_qc_asan

valgrind: sysdeps tests/c/build/check_qc
	CK_FORK=no valgrind -q --leak-check=full --error-exitcode=1 tests/c/build/check_qc

## make cross: the core beyond x86-64 Linux and GCC, on this machine. (a) The Check suites
## built for aarch64 and run under qemu-aarch64 (unsigned char, another ABI, no AVX2 path);
## (b) every csrc/qc/*.c compiled for Windows by MinGW-w64 (Win32 threads backend, the
## portable.h spellings) and linked into a DLL; (c) every csrc/qc/*.c under clang
## -Weverything, warnings as errors. Each part says "skipped" when its tools cannot be installed.
cross: cross-aarch64 cross-mingw cross-clang

# check:arm64 is the arm64 build of Debian's Check (multiarch), which needs that
# architecture added to dpkg first. A failed install is not fatal: the targets below
# skip what their tools are missing for.
CROSS_APT_PACKAGES := gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user check:arm64 \
  gcc-mingw-w64-x86-64 clang pkg-config
cross-sysdeps:
	@dpkg --print-foreign-architectures | grep -qx arm64 || $(SUDO) dpkg --add-architecture arm64 || true
	@$(MAKE) --no-print-directory sysdeps APT_PACKAGES="$(CROSS_APT_PACKAGES)" || \
	  echo "make cross: some cross tools could not be installed"

AARCH64_CC := aarch64-linux-gnu-gcc
AARCH64_CHECK := PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig pkg-config
# Without -L: qemu-aarch64 7.2 with -L hangs in every forked child (Check forks one per
# test), and the arm64 loader and libc are installed with check:arm64 anyway. Check's
# timeouts (4 s by default, per test case up to 120 s) are for native speed: emulated,
# the suites run some 5-10 times slower. QC_CHECK_EMULATED: where a thread runs is
# the host's scheduling seen through the emulator, so the placement check runs natively only.
AARCH64_RUN := CK_TIMEOUT_MULTIPLIER=20 QC_CHECK_EMULATED=1 qemu-aarch64

tests/c/build/aarch64/check_qc: $(CORE_SRC) $(CORE_HDR) $(CHECK_SRC) $(CHECK_HDR)
	@mkdir -p $(@D)
	$(AARCH64_CC) $(C_WARN) -O2 -DQC_ALLOC_TESTING -Icsrc -Itests/c $(CORE_SRC) $(CHECK_SRC) \
	  $$($(AARCH64_CHECK) --cflags --libs check) -o $@

cross-aarch64: cross-sysdeps
	@if ! command -v $(AARCH64_CC) >/dev/null || ! command -v qemu-aarch64 >/dev/null || \
	   ! $(AARCH64_CHECK) --exists check; then \
	  echo "make cross: aarch64 skipped ($(AARCH64_CC), qemu-aarch64 or check:arm64 missing)"; \
	else $(MAKE) --no-print-directory tests/c/build/aarch64/check_qc && \
	  $(AARCH64_RUN) tests/c/build/aarch64/check_qc; fi

# Two builds of each source: as the extension builds it, and with the test hooks
# (QC_ALLOC_TESTING: the thread-local state of QC_THREAD_LOCAL).
MINGW_CC := x86_64-w64-mingw32-gcc
MINGW_OBJ := $(CORE_SRC:csrc/qc/%.c=tests/c/build/mingw/%.o) \
  $(CORE_SRC:csrc/qc/%.c=tests/c/build/mingw/hooks/%.o)

tests/c/build/mingw/%.o: csrc/qc/%.c $(CORE_HDR)
	@mkdir -p $(@D)
	$(MINGW_CC) -std=c11 -Wall -Wextra -Wshadow -Werror -O2 -Icsrc -c $< -o $@

tests/c/build/mingw/hooks/%.o: csrc/qc/%.c $(CORE_HDR)
	@mkdir -p $(@D)
	$(MINGW_CC) -std=c11 -Wall -Wextra -Wshadow -Werror -O2 -DQC_ALLOC_TESTING -Icsrc -c $< -o $@

# linked, so that every Win32 and C runtime symbol the core calls resolves
tests/c/build/mingw/qc.dll: $(MINGW_OBJ)
	$(MINGW_CC) -shared $(filter-out tests/c/build/mingw/hooks/%,$^) -o $@

cross-mingw: cross-sysdeps
	@if ! command -v $(MINGW_CC) >/dev/null; then \
	  echo "make cross: Windows skipped ($(MINGW_CC) missing)"; \
	else $(MAKE) --no-print-directory tests/c/build/mingw/qc.dll && \
	  echo "make cross: csrc/qc/*.c compiled for Windows without warnings"; fi

# clang with everything it can warn about, as errors, but for these four:
CLANG_WARN := -std=c11 -Weverything -Werror
# padding in structs: their layout is chosen for reading, and padding is no defect
CLANG_WARN += -Wno-padded
# a C90 rule; the core is C11 and declares variables where it first sets them
CLANG_WARN += -Wno-declaration-after-statement
# every exact comparison of doubles in the core is meant: a zero denominator or
# total is tested before dividing, an integral value is recognised, ties broken
CLANG_WARN += -Wno-float-equal
# fires only on NAN, a float constant in C11; promoting it to double is exact,
# and the core has no float variables
CLANG_WARN += -Wno-double-promotion
CLANG_OBJ := $(CORE_SRC:csrc/qc/%.c=tests/c/build/clang/%.o) \
  $(CORE_SRC:csrc/qc/%.c=tests/c/build/clang/hooks/%.o)

tests/c/build/clang/%.o: csrc/qc/%.c $(CORE_HDR)
	@mkdir -p $(@D)
	clang $(CLANG_WARN) -O2 -Icsrc -c $< -o $@

tests/c/build/clang/hooks/%.o: csrc/qc/%.c $(CORE_HDR)
	@mkdir -p $(@D)
	clang $(CLANG_WARN) -O2 -DQC_ALLOC_TESTING -Icsrc -c $< -o $@

cross-clang: cross-sysdeps
	@if ! command -v clang >/dev/null; then echo "make cross: clang skipped (clang missing)"; \
	else $(MAKE) --no-print-directory $(CLANG_OBJ) && \
	  echo "make cross: csrc/qc/*.c compiled by clang -Weverything without warnings"; fi

## make fuzz-py: the Python fuzz targets of tests/fuzz/python under atheris, FUZZ_SECONDS each;
## a finding stops the run and leaves libFuzzer's crash file in tests/fuzz/build/py/<target>/.
PY_FUZZ_TARGETS := qdpx_xml qdpx_archive qdc csv excel excel_part documents
FUZZ_SECONDS ?= 600
fuzz-py: pydeps
	$(PIP) install -q --disable-pip-version-check "atheris>=2.3"
	@for t in $(PY_FUZZ_TARGETS); do \
	  mkdir -p tests/fuzz/build/py/$$t && cd tests/fuzz/build/py/$$t && \
	  QDACORE_FUZZ_SCRATCH=$$(mktemp -d) $(PYTHON) $(CURDIR)/tests/fuzz/python/run.py $$t corpus \
	    -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=4096 -timeout=30 -print_final_stats=1 \
	    > run.log 2>&1; status=$$?; \
	  echo "== $$t: $$(grep -E '^#[0-9]+.*DONE' run.log | tail -1)"; \
	  cd $(CURDIR); [ $$status = 0 ] || { tail -30 tests/fuzz/build/py/$$t/run.log; exit 1; }; done

test-py:
	$(PYTHON) -m pytest

## make test-wheel: the release path. python -m build makes the sdist and builds the wheel from
## it; tests/packaging/check_dist.py holds them to the tracked sources and the package files;
## the wheel goes into a fresh venv (no system packages) with its test extras, and the test
## suite runs against that installed copy, from outside the source tree's import path.
WHEEL_DIR := build/release
WHEEL_VENV := build/wheel-venv
test-wheel: pydeps
	rm -rf $(WHEEL_DIR) $(WHEEL_VENV)
	$(PIP) install -q --disable-pip-version-check build auditwheel
	mkdir -p build
	$(PYTHON) -m build --outdir $(WHEEL_DIR) . >build/release.log 2>&1 || { tail -30 build/release.log; false; }
	$(PYTHON) tests/packaging/check_dist.py $(WHEEL_DIR)
	$(PYTHON) -m auditwheel show $(WHEEL_DIR)/qdacore-*.whl
	$(PYTHON) -m venv $(WHEEL_VENV)
	$(WHEEL_VENV)/bin/python -m pip install -q --disable-pip-version-check \
	  "$$(ls $(WHEEL_DIR)/qdacore-*.whl)[test]"
	$(WHEEL_VENV)/bin/python -m pip install -q --disable-pip-version-check --no-deps "irrCAC==0.4.4"
	cd $(WHEEL_VENV) && bin/python -c "import qdacore, sys; \
	  assert qdacore.__file__.startswith(sys.prefix), qdacore.__file__; print('testing', qdacore.__file__)"
	$(WHEEL_VENV)/bin/python -m pytest -p no:cacheprovider -q tests

## make test-min: the declared versions are true. requires-python agrees with the oldest CPython
## cibuildwheel builds, ruff's target-version and mypy's python_version, and vermin finds nothing
## newer than it in python/, tests/ and benchmarks/. Then the wheel, built once, goes into a fresh
## venv with each runtime dependency at exactly its declared lower bound (wheels only; read from
## pyproject.toml by tests/packaging/min_versions.py) and the test extras beside them; the tests
## run against that installed copy, less the slow ones (MIN_PYTEST) to stay within minutes.
## docs/install.md, Supported versions.
.PHONY: test-min
MIN_DIR := build/min
MIN_VENV := build/min-venv
MIN_PYTEST ?= -m "not slow"
MIN_VERSIONS := tests/packaging/min_versions.py
test-min:
	rm -rf $(MIN_DIR) $(MIN_VENV)
	mkdir -p $(MIN_DIR)
	$(PIP) install -q --disable-pip-version-check build "vermin>=1.6"
	floor=$$($(PYTHON) $(MIN_VERSIONS) python) && echo "requires-python >=$$floor; vermin -t=$$floor-" && \
	  $(PYTHON) -c "import sys, vermin; sys.exit(vermin.main())" -t=$$floor- --no-tips --eval-annotations --violations -q --exclude str.decode \
	    python tests benchmarks docs/conf.py
	$(PYTHON) $(MIN_VERSIONS) pins > $(MIN_DIR)/pins.txt
	$(PYTHON) -m build --wheel --outdir $(MIN_DIR) . >$(MIN_DIR)/build.log 2>&1 || { tail -30 $(MIN_DIR)/build.log; false; }
	$(PYTHON) -m venv $(MIN_VENV)
	$(MIN_VENV)/bin/python -m pip install -q --disable-pip-version-check \
	  --only-binary "$$($(PYTHON) $(MIN_VERSIONS) names)" -c $(MIN_DIR)/pins.txt "$$(ls $(MIN_DIR)/qdacore-*.whl)[test]"
	$(MIN_VENV)/bin/python -m pip install -q --disable-pip-version-check --no-deps "irrCAC==0.4.4"
	$(MIN_VENV)/bin/python $(MIN_VERSIONS) check
	cd $(MIN_VENV) && bin/python -c "import qdacore, sys; \
	  assert qdacore.__file__.startswith(sys.prefix), qdacore.__file__; print('testing', qdacore.__file__)"
	$(MIN_VENV)/bin/python -m pytest -p no:cacheprovider -q $(MIN_PYTEST) tests

# make fuzz, make fuzz-smoke: the libFuzzer harnesses of the C core (tests/fuzz/fuzz.mk)
include tests/fuzz/fuzz.mk

clean:
	rm -rf build tests/c/build docs/_build docs/api demo-output python/qdacore/*.so
