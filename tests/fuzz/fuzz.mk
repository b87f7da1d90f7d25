# libFuzzer harnesses for the C core (tests/fuzz/fuzz_*.c), built with
# clang -fsanitize=fuzzer,address,undefined. The top-level Makefile includes
# this file; `make -f tests/fuzz/fuzz.mk TARGET` works on its own too.
#
#   make fuzz-smoke   replay tests/fuzz/corpus/ and tests/fuzz/regressions/,
#                     then run each harness FUZZ_SMOKE_RUNS times (default
#                     2000) from seed FUZZ_SEED (default 1): reproducible;
#                     skipped (exit 0) when clang with libFuzzer cannot be had
#   make fuzz         fuzz each harness FUZZ_SECONDS (default 600), one at a
#                     time, printing executions, cov and ft for each
#   make fuzz-clean   remove tests/fuzz/build/ (binaries, scratch corpora,
#                     logs, saved crashes)
#
# Only clang provides libFuzzer: on Debian the `clang` package and the
# runtime library libclang_rt.fuzzer (package libclang-rt-<version>-dev,
# through the version-less `libclang-rt-dev`).

SUDO ?= $(shell [ "$$(id -u)" = 0 ] || echo sudo)
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 600
FUZZ_SMOKE_RUNS ?= 2000
FUZZ_NAMES := utf8 segment match ngrams pairs agree
FUZZ_APT_PACKAGES := clang libclang-rt-dev

FUZZ_DIR := tests/fuzz
FUZZ_BUILD := $(FUZZ_DIR)/build
FUZZ_CORE_SRC := $(wildcard csrc/qc/*.c)
FUZZ_CORE_HDR := $(wildcard csrc/qc/*.h)
FUZZ_CORE_OBJ := $(FUZZ_CORE_SRC:csrc/qc/%.c=$(FUZZ_BUILD)/obj/%.o)
FUZZ_BINS := $(FUZZ_NAMES:%=$(FUZZ_BUILD)/fuzz_%)
# QC_ALLOC_TESTING: inputs can make an allocation fail (qc_alloc_fail_after)
# and run the parts of threaded kernels in turn (qc_run_parts_in_turn).
FUZZ_CFLAGS := -std=c11 -pthread -Wall -Wextra -Wshadow -Werror -g -O1 \
  -fno-omit-frame-pointer -DQC_ALLOC_TESTING -Icsrc
FUZZ_SANITIZE := address,undefined

.PHONY: fuzz fuzz-smoke fuzz-build fuzz-toolchain fuzz-clean
# the core's objects are shared by every harness: keep them between builds
.SECONDARY: $(FUZZ_CORE_OBJ)

$(FUZZ_BUILD)/obj/%.o: csrc/qc/%.c $(FUZZ_CORE_HDR)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,$(FUZZ_SANITIZE) -c $< -o $@

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_DIR)/fuzz_%.c $(FUZZ_DIR)/fuzz_common.h $(FUZZ_CORE_OBJ)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer,$(FUZZ_SANITIZE) $< $(FUZZ_CORE_OBJ) -lm -o $@

fuzz-build: $(FUZZ_BINS)

# Shell code that succeeds when $(FUZZ_CC) links a libFuzzer target,
# installing the Debian packages first if it does not (as `sysdeps` does),
# and fails, saying why, when it still cannot.
FUZZ_PROBE = mkdir -p $(FUZZ_BUILD) && \
  printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n)\n{ (void)d; (void)n; return 0; }\n' \
  | $(FUZZ_CC) -x c -fsanitize=fuzzer,$(FUZZ_SANITIZE) -o $(FUZZ_BUILD)/probe - >/dev/null 2>&1
FUZZ_ENSURE_TOOLCHAIN = ( $(FUZZ_PROBE) ) || { \
  missing=""; for p in $(FUZZ_APT_PACKAGES); do \
    dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
  if [ -n "$$missing" ]; then echo "installing Debian packages:$$missing"; \
    $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $$missing >/dev/null; fi; \
  ( $(FUZZ_PROBE) ) || { echo "$(FUZZ_CC) cannot link a libFuzzer target" \
    "(apt-get install $(FUZZ_APT_PACKAGES) failed or did not help)"; false; }; }

fuzz-toolchain:
	@$(FUZZ_ENSURE_TOOLCHAIN)

fuzz-smoke:
	@if ! { $(FUZZ_ENSURE_TOOLCHAIN); }; then \
	  echo "fuzz-smoke: skipped: no clang with libFuzzer (packages: $(FUZZ_APT_PACKAGES))"; \
	  exit 0; fi; \
	$(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST)) fuzz-build || exit 1; \
	for name in $(FUZZ_NAMES); do \
	  $(FUZZ_DIR)/run.sh smoke $$name $(FUZZ_SMOKE_RUNS) || exit 1; done

fuzz: fuzz-toolchain
	@$(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST)) fuzz-build
	@for name in $(FUZZ_NAMES); do \
	  $(FUZZ_DIR)/run.sh long $$name $(FUZZ_SECONDS) || exit 1; done

fuzz-clean:
	rm -rf $(FUZZ_BUILD)
