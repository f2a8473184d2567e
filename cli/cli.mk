# scremote(1): the command-line tool, its generated tables and its tests.
# Included by the top Makefile, which defines CC, ARCH, BUILD, ALL_CFLAGS,
# LDFLAGS, LIBA and the rule $(BUILD)/%.o: %.c.

CLI_GEN  := $(BUILD)/gen
CLI_SRCS := cli/abi.c cli/diag.c cli/format.c cli/parse.c cli/run.c \
            cli/suggest.c cli/util.c
# The verbs (scremote fds PID ...): one cli/cmd_<verb>.c each, and the
# helpers they share.
CLI_SRCS += $(sort $(wildcard cli/cmd_*.c)) cli/verbs.c cli/target.c \
            cli/pids.c cli/procfd.c cli/fdflags.c cli/kfcntl.c \
            cli/sockopts.c cli/keep.c cli/multi.c
CLI_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(CLI_SRCS))
CLI_DEPS := cli/cli.mk

CLI_TEST_SRCS := $(wildcard tests/cli/t_*.c)
CLI_TEST_BINS := $(patsubst tests/cli/%.c,$(BUILD)/tests/cli/%,$(CLI_TEST_SRCS))
VERBS_TEST_BINS := $(patsubst tests/verbs/%.c,$(BUILD)/tests/verbs/%,$(wildcard tests/verbs/t_*.c))
CLI_TARGET    := $(BUILD)/tests/cli/cli_target

# Target programs of the verbs' tests (tests/sh/verbs_*.sh).
VERBS_TARGETS := $(patsubst tests/verbs/%.c,$(BUILD)/tests/verbs/%,$(wildcard tests/verbs/verbs_*.c))

all: $(BUILD)/scremote $(CLI_TEST_BINS) $(CLI_TARGET) $(VERBS_TARGETS) \
     $(VERBS_TEST_BINS)

# Linked statically: most of the time `scremote PID CALL` takes is the
# start of the process, and the dynamic loader is a quarter of it here.
# The sanitizer runtimes do not link statically; CLI_STATIC= turns it off.
CLI_STATIC ?= $(if $(SAN),,-static)

$(BUILD)/scremote: $(BUILD)/cli/main.o $(CLI_OBJS) $(LIBA)
	$(CC) $(LDFLAGS) $(CLI_STATIC) -o $@ $^

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
