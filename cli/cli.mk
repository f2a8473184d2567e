# scremote(1): the command-line tool, its generated tables and its tests.
# Included by the top Makefile, which defines CC, ARCH, BUILD, ALL_CFLAGS,
# LDFLAGS, LIBA and the rule $(BUILD)/%.o: %.c.

# System call ABIs built in for each host architecture; the first is the
# default.  Per ABI: kernel header with its __NR_ names, ELF e_machine,
# ELF class (1: 32-bit, 2: 64-bit).  A new ABI is one more line here.
CLI_ABIS_x86_64 := x86_64 i386
CLI_ABI_x86_64  := asm/unistd_64.h 62 2
CLI_ABI_i386    := asm/unistd_32.h 3 1
CLI_ABIS_aarch64 := aarch64
CLI_ABI_aarch64  := asm/unistd.h 183 2
CLI_ABIS_riscv64 := riscv64
CLI_ABI_riscv64  := asm/unistd.h 243 2
CLI_ABIS := $(CLI_ABIS_$(ARCH))

CLI_GEN  := $(BUILD)/gen
CLI_SRCS := cli/abi.c cli/diag.c cli/format.c cli/parse.c cli/run.c \
            cli/suggest.c cli/util.c
# The verbs (scremote fds PID ...): one cli/cmd_<verb>.c each, and the
# helpers they share.
CLI_SRCS += $(sort $(wildcard cli/cmd_*.c)) cli/verbs.c cli/target.c \
            cli/pids.c cli/procfd.c cli/fdflags.c cli/kfcntl.c \
            cli/sockopts.c cli/keep.c cli/multi.c
CLI_SYS_SRCS := $(patsubst %,$(CLI_GEN)/sys_%.c,$(CLI_ABIS))
CLI_GEN_SRCS := $(CLI_GEN)/consts_host.c $(CLI_GEN)/abilist.c $(CLI_SYS_SRCS)
CLI_GEN_OBJS := $(CLI_GEN_SRCS:.c=.o)
CLI_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(CLI_SRCS)) $(CLI_GEN_OBJS)
CLI_DEPS := cli/cli.mk

CLI_TEST_SRCS := $(wildcard tests/cli/t_*.c)
CLI_TEST_BINS := $(patsubst tests/cli/%.c,$(BUILD)/tests/cli/%,$(CLI_TEST_SRCS))
VERBS_TEST_BINS := $(patsubst tests/verbs/%.c,$(BUILD)/tests/verbs/%,$(wildcard tests/verbs/t_*.c))
CLI_TARGET    := $(BUILD)/tests/cli/cli_target

# Target programs of the verbs' tests (tests/sh/verbs_*.sh).
VERBS_TARGETS := $(patsubst tests/verbs/%.c,$(BUILD)/tests/verbs/%,$(wildcard tests/verbs/verbs_*.c))

all: $(BUILD)/scremote $(CLI_TEST_BINS) $(CLI_TARGET) $(VERBS_TARGETS) \
     $(VERBS_TEST_BINS)

ifeq ($(CLI_ABIS),)
$(error cli/cli.mk: no system call ABI table for ARCH=$(ARCH); add CLI_ABIS_$(ARCH))
endif

# Linked statically: most of the time `scremote PID CALL` takes is the
# start of the process, and the dynamic loader is a quarter of it here.
# The sanitizer runtimes do not link statically; CLI_STATIC= turns it off.
CLI_STATIC ?= $(if $(SAN),,-static)

$(BUILD)/scremote: $(BUILD)/cli/main.o $(CLI_OBJS) $(LIBA)
	$(CC) $(LDFLAGS) $(CLI_STATIC) -o $@ $^

# Generated tables: written to a temporary file first so that a failed
# run never leaves a half table behind.  Static pattern rules only: plain
# ones would let make's built-in rules chain into them (x.d from x.d.c).
$(CLI_SYS_SRCS): $(CLI_GEN)/sys_%.c: cli/gen-syscalls.sh $(CLI_DEPS)
	@mkdir -p $(dir $@)
	CC="$(CC)" sh cli/gen-syscalls.sh $* $(CLI_ABI_$*) cli_consts_host >$@.tmp
	mv $@.tmp $@

$(CLI_GEN)/consts_host.c: cli/gen-consts.sh $(CLI_DEPS)
	@mkdir -p $(dir $@)
	CC="$(CC)" sh cli/gen-consts.sh cli_consts_host $(CLI_GEN)/consts.work >$@.tmp
	mv $@.tmp $@

$(CLI_GEN)/abilist.c: cli/gen-abilist.sh $(CLI_DEPS)
	@mkdir -p $(dir $@)
	sh cli/gen-abilist.sh $(CLI_ABIS) >$@.tmp
	mv $@.tmp $@

$(CLI_GEN_OBJS): $(CLI_GEN)/%.o: $(CLI_GEN)/%.c
	$(CC) $(ALL_CFLAGS) -Icli -MMD -MP -c $< -o $@

# Unit tests see the CLI's internals.
$(CLI_TEST_BINS:=.o): $(BUILD)/tests/cli/t_%.o: tests/cli/t_%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Icli -MMD -MP -c $< -o $@

$(CLI_TEST_BINS): $(BUILD)/tests/cli/t_%: $(BUILD)/tests/cli/t_%.o $(CLI_OBJS) $(LIBA)
	$(CC) $(LDFLAGS) -o $@ $^

$(CLI_TARGET): $(BUILD)/tests/cli/cli_target.o
	$(CC) $(LDFLAGS) -o $@ $^

$(VERBS_TEST_BINS:=.o): $(BUILD)/tests/verbs/t_%.o: tests/verbs/t_%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Icli -MMD -MP -c $< -o $@

$(VERBS_TEST_BINS): $(BUILD)/tests/verbs/t_%: $(BUILD)/tests/verbs/t_%.o $(CLI_OBJS) $(LIBA)
	$(CC) $(LDFLAGS) -o $@ $^

$(VERBS_TARGETS): $(BUILD)/tests/verbs/%: $(BUILD)/tests/verbs/%.o
	$(CC) $(LDFLAGS) -o $@ $^

$(VERBS_TARGETS:=.o): $(BUILD)/tests/verbs/%.o: tests/verbs/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/tests/cli/cli_target.o: tests/cli/cli_target.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

# Keep the generated sources: they are worth reading when a name is
# missing from the tables.
.SECONDARY: $(CLI_GEN_SRCS)
