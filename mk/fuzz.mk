# make fuzz: libFuzzer harnesses (fuzz/*.c) for the parsers of untrusted
# input, built with clang into $(FUZZ_BUILD) and run for FUZZ_SECONDS in
# total, split evenly, from the committed seeds in fuzz/corpus/NAME/.
# Fails on any crash, sanitizer report or leak; the input that caused it
# is left in $(FUZZ_BUILD)/crash-NAME-*.  What the fuzzer finds besides
# goes to $(FUZZ_BUILD)/corpus/NAME/ (not committed).
# Included by the top Makefile after cli/cli.mk (for the generated CLI
# tables, which are built in $(BUILD)).  Debian: clang, libclang-rt-dev.

FUZZ_CC      ?= clang
FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_NAMES   := parse seccomp procfs smaps
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all \
                -fno-omit-frame-pointer
FUZZ_CFLAGS  := -std=gnu11 $(WARN) -g -O1 -D_GNU_SOURCE -Iinclude -Ilib \
                -Ilib/arch/$(ARCH) -Icli $(FUZZ_SAN) \
                -fsanitize=fuzzer-no-link
FUZZ_LDFLAGS := $(FUZZ_SAN) -fsanitize=fuzzer
FUZZ_BINS    := $(patsubst %,$(FUZZ_BUILD)/fuzz_%,$(FUZZ_NAMES))

# The CLI code the call parser harness links (none that talks to a
# target), the decoders, and the generated tables with their lookups.
FUZZ_CLI_SRCS := cli/abi.c cli/blob.c cli/emit.c cli/expr.c cli/format.c \
                 cli/lex.c cli/parse.c cli/suggest.c cli/util.c \
                 $(CLI_DECODERS) lib/systab.c
FUZZ_CLI_OBJS := $(patsubst %.c,$(FUZZ_BUILD)/%.o,$(FUZZ_CLI_SRCS)) \
                 $(FUZZ_BUILD)/gen/systab.o $(FUZZ_BUILD)/gen/decoders.o

.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	@per=$$(( $(FUZZ_SECONDS) / $(words $(FUZZ_NAMES)) )); \
	[ "$$per" -ge 1 ] || per=1; \
	for h in $(FUZZ_NAMES); do \
	  mkdir -p $(FUZZ_BUILD)/corpus/$$h; \
	  log=$(FUZZ_BUILD)/fuzz_$$h.log; \
	  echo "fuzz: $$h for $$per s (log: $$log)"; \
	  if ! $(FUZZ_BUILD)/fuzz_$$h -max_total_time=$$per -print_final_stats=1 \
	       -artifact_prefix=$(FUZZ_BUILD)/crash-$$h- \
	       $(FUZZ_BUILD)/corpus/$$h fuzz/corpus/$$h >$$log 2>&1; then \
	    tail -40 $$log; echo "fuzz: $$h FAILED"; exit 1; \
	  fi; \
	  runs=$$(sed -n 's/^stat::number_of_executed_units: *//p' $$log); \
	  echo "fuzz: $$h: $$runs executions in $$per s, no crash"; \
	done

$(FUZZ_BUILD)/fuzz_parse: $(FUZZ_BUILD)/fuzz/fuzz_parse.o $(FUZZ_CLI_OBJS)
	$(FUZZ_CC) $(FUZZ_LDFLAGS) -o $@ $^

$(FUZZ_BUILD)/fuzz_seccomp $(FUZZ_BUILD)/fuzz_procfs: $(FUZZ_BUILD)/fuzz_%: \
		$(FUZZ_BUILD)/fuzz/fuzz_%.o
	$(FUZZ_CC) $(FUZZ_LDFLAGS) -o $@ $^

# The core writer's reader of smaps, with what it uses.
$(FUZZ_BUILD)/fuzz_smaps: $(FUZZ_BUILD)/fuzz/fuzz_smaps.o \
		$(FUZZ_BUILD)/lib/core_maps.o $(FUZZ_BUILD)/lib/core_util.o
	$(FUZZ_CC) $(FUZZ_LDFLAGS) -o $@ $^

$(FUZZ_BUILD)/lib/%.o: lib/%.c mk/fuzz.mk
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

# The seccomp and procfs harnesses include lib/seccomp.c, lib/procfs.c.
$(FUZZ_BUILD)/fuzz/fuzz_seccomp.o: lib/seccomp.c lib/internal.h
$(FUZZ_BUILD)/fuzz/fuzz_procfs.o: lib/procfs.c lib/internal.h

$(FUZZ_BUILD)/fuzz/%.o: fuzz/%.c mk/fuzz.mk
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_BUILD)/cli/%.o: cli/%.c mk/fuzz.mk
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_BUILD)/gen/%.o: $(CLI_GEN)/%.c mk/fuzz.mk
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Wno-unused-macros -c $< -o $@

.PHONY: fuzz-clean
fuzz-clean:
	rm -rf $(FUZZ_BUILD)
clean: fuzz-clean
