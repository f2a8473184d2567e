# libscremote and scremote(1).  GNU make.
#
#   make            library (static and shared), CLI, examples, tests, bench
#   make check      the test suite, then again under ASan+UBSan
#   make demo       a live demonstration against a heartbeat process
#   make bench      speed ratios measured in one run
#   make clean

CC      ?= gcc
ARCH    ?= $(shell $(CC) -dumpmachine | cut -d- -f1)
BUILD   ?= build
SAN     ?=

SONAME_MAJOR := 0
VERSION      := 0.1.0

WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wpointer-arith -Wformat=2 -Wvla \
           -Wundef -Wcast-align
CFLAGS  ?= -O2 -g
ALL_CFLAGS := -std=gnu11 $(WARN) $(CFLAGS) -D_GNU_SOURCE \
           -Iinclude -Ilib -Ilib/arch/$(ARCH)
ifneq ($(SAN),)
ALL_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer \
              -fno-sanitize-recover=all
LDFLAGS    += -fsanitize=address,undefined
endif

# libzstd, for compressed cores (PC_COMPRESS), where the compiler finds
# it (Debian: libzstd-dev, whose libzstd.a the static scremote links);
# without it PC_COMPRESS is refused with EOPNOTSUPP.  LIBS: what a
# program linking libscremote.a needs besides.
ZSTD ?= $(shell printf '\043include <zstd.h>\nint main(void){return !ZSTD_versionNumber();}\n' | \
          $(CC) -x c - -lzstd -o /dev/null 2>/dev/null && echo y)
LIBS :=
ifeq ($(ZSTD),y)
LIBS += -lzstd
$(BUILD)/lib/core_sink.o $(BUILD)/pic/lib/core_sink.o \
$(BUILD)/tests/t_core.o: ALL_CFLAGS += -DSCR_HAVE_ZSTD
endif

LIB_SRCS := $(wildcard lib/*.c) $(wildcard lib/arch/$(ARCH)/*.c) \
            $(wildcard lib/arch/$(ARCH)/*.S)
LIB_OBJS := $(patsubst %,$(BUILD)/%.o,$(basename $(LIB_SRCS)))
LIB_PIC  := $(patsubst %,$(BUILD)/pic/%.o,$(basename $(LIB_SRCS)))
LIBA     := $(BUILD)/libscremote.a
LIBSO    := $(BUILD)/libscremote.so.$(VERSION)

TEST_SRCS := $(wildcard tests/t_*.c)
TEST_BINS := $(patsubst tests/%.c,$(BUILD)/tests/%,$(TEST_SRCS))
TEST_ARCH := $(wildcard tests/arch/$(ARCH)/*.c tests/arch/$(ARCH)/*.S)
TEST_LIB  := $(BUILD)/tests/harness.o $(BUILD)/tests/targets.o \
             $(patsubst %,$(BUILD)/%.o,$(basename $(TEST_ARCH)))

PROGS := $(BUILD)/bench/bench $(BUILD)/demo/heartbeat $(BUILD)/examples/redirect

.PHONY: all check check-one demo bench clean
all: $(LIBA) $(LIBSO) $(TEST_BINS) $(PROGS)

-include mk/systab.mk
-include cli/cli.mk
-include mk/install.mk
-include mk/python.mk
-include tests/arch/$(ARCH)/tests.mk

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/%.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests -c $< -o $@

$(BUILD)/pic/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fPIC -fvisibility=hidden -MMD -MP -c $< -o $@

$(BUILD)/lib/%.o: lib/%.S
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/pic/%.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fPIC -MMD -MP -c $< -o $@

$(LIBA): $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(LIBSO): $(LIB_PIC) lib/libscremote.map
	$(CC) -shared -Wl,-soname,libscremote.so.$(SONAME_MAJOR) \
	  -Wl,--version-script=lib/libscremote.map -Wl,-z,defs $(LDFLAGS) \
	  -o $@ $(LIB_PIC) $(LIBS)
	ln -sf libscremote.so.$(VERSION) $(BUILD)/libscremote.so.$(SONAME_MAJOR)
	ln -sf libscremote.so.$(SONAME_MAJOR) $(BUILD)/libscremote.so

$(BUILD)/tests/%.o: ALL_CFLAGS += -Itests

$(BUILD)/tests/t_%: $(BUILD)/tests/t_%.o $(TEST_LIB) $(LIBA)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS) -lpthread

# The core tests read cores with their own ELF reader.
$(BUILD)/tests/t_core: $(BUILD)/tests/core_check.o

# Core dumps against gdb's gcore (make bench).
all: $(BUILD)/bench/core_bench
$(BUILD)/bench/core_bench: $(BUILD)/bench/core_bench.o $(LIBA)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS) -lpthread

$(BUILD)/bench/bench: $(BUILD)/bench/bench.o $(BUILD)/bench/pause.o $(LIBA)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS) -lpthread

$(BUILD)/demo/%: $(BUILD)/demo/%.o $(LIBA)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/examples/%: $(BUILD)/examples/%.o $(LIBA)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

# Objects are kept: make deleting them as intermediates re-links for
# nothing and writes "rm ..." into the tail of the check's output.
.SECONDARY:

# One pass of the suite in $(BUILD); counts go to $(BUILD)/check.counts.
check-one: all
	@tests/run.sh $(BUILD)

check:
	@tests/deps.sh
	@rm -f build/check.counts build-asan/check.counts build/check.failures build-asan/check.failures
	@$(MAKE) --no-print-directory check-one
	@$(MAKE) --no-print-directory check-one BUILD=build-asan SAN=1
	@tests/summary.sh build/check.counts build-asan/check.counts

demo: all
	@demo/run.sh $(BUILD)

bench: all
	@$(BUILD)/bench/bench $(BUILD)/scremote
	@$(MAKE) --no-print-directory bench-python
	@$(BUILD)/bench/core_bench

clean:
	rm -rf build build-asan

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
-include mk/qemu.mk
-include mk/fuzz.mk
-include mk/runtimes.mk
