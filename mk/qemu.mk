# make check-aarch64, make check-riscv64: the test suite cross-built
# statically for that architecture and run under qemu-system, with a
# kernel from Debian (downloaded, or for riscv64 built from linux-source)
# kept in QEMU_CACHE.  Pass/fail comes from the guest's result line.
# make check-i386: the i386-target tests (t_i386, target32) in an x86_64
# guest, since the machines this project runs on cannot execute 32-bit
# programs.  Included by the top Makefile.

QEMU_CACHE ?= $(HOME)/.cache/scremote
QEMU_TESTS := t_freebsd t_blocked t_state t_fidelity t_batch t_agent t_core
QEMU_CC_aarch64 := aarch64-linux-gnu-gcc
QEMU_CC_riscv64 := riscv64-linux-gnu-gcc

.PHONY: check-aarch64 check-riscv64 check-i386 check-qemu qemu-guest clean-qemu

check-qemu: check-aarch64 check-riscv64 check-i386

I386_GUEST := build-qemu-x86_64
check-i386:
	@$(MAKE) --no-print-directory CC=gcc ARCH=x86_64 BUILD=$(I386_GUEST) \
	  LDFLAGS=-static qemu-guest \
	  $(I386_GUEST)/tests/arch/x86_64/i386/t_i386 \
	  $(I386_GUEST)/tests/arch/x86_64/i386/t_core_i386 \
	  $(I386_GUEST)/tests/arch/x86_64/i386/target32
	@kernel=$$(tests/qemu/kernel-x86_64.sh $(QEMU_CACHE)) && \
	  SCREMOTE_QEMU_TESTS="arch/x86_64/i386/t_i386 arch/x86_64/i386/t_core_i386" \
	  tests/qemu/run.sh x86_64 $(I386_GUEST) "$$kernel"

check-aarch64 check-riscv64: check-%:
	@command -v $(QEMU_CC_$*) >/dev/null || \
	  { echo "$@: $(QEMU_CC_$*) missing (Debian: gcc-$(subst _,-,$*)-linux-gnu)"; exit 1; }
	@$(MAKE) --no-print-directory CC=$(QEMU_CC_$*) BUILD=build-qemu-$* \
	  LDFLAGS=-static qemu-guest
	@kernel=$$(tests/qemu/kernel-$*.sh $(QEMU_CACHE)) && \
	  tests/qemu/run.sh $* build-qemu-$* "$$kernel"

# What the guest runs; built by the sub-make above for one ARCH.
qemu-guest: $(patsubst %,$(BUILD)/tests/%,$(QEMU_TESTS)) $(BUILD)/scremote \
	    $(CLI_TARGET) $(BUILD)/qemu/init $(BUILD)/qemu/cli_e2e \
	    $(BUILD)/qemu/core_export

# A core made in the guest, printed for gdb-multiarch on the host.
$(BUILD)/qemu/core_export: tests/qemu/core_export.c $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIBA) $(LIBS) -lpthread

$(BUILD)/qemu/%: tests/qemu/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $<

clean-qemu:
	rm -rf build-qemu-aarch64 build-qemu-riscv64 $(I386_GUEST)
