# libscremote's system call tables (lib/systab.h), generated from the
# kernel's own prototypes and number tables, and from the system headers
# for the named constants.  Included by the top Makefile before the
# library's rules: it adds the generated object to the library.
#
# The kernel files come from KSRC (a Linux tree) or Debian's
# linux-source tarball; they are taken once into KCACHE, shared by the
# build directories (build, build-asan, the qemu builds).

KCACHE ?= build/ksrc

# The ABIs this build attaches to, whose constants the system headers
# give; the first is the build's own.  Names, numbers and signatures are
# built in for every ABI whatever the build machine.
SYS_HOST_ABIS_x86_64  := x86_64 i386
SYS_HOST_ABIS_aarch64 := aarch64
SYS_HOST_ABIS_riscv64 := riscv64
SYS_HOST_ABIS := $(SYS_HOST_ABIS_$(ARCH))
ifeq ($(SYS_HOST_ABIS),)
$(error mk/systab.mk: no system call ABI for ARCH=$(ARCH); add SYS_HOST_ABIS_$(ARCH))
endif

SYSTAB_C   := $(BUILD)/gen/systab.c
SYSTAB_GEN := lib/gen/gen-systab.sh lib/gen/gen-consts.sh lib/gen/systab.awk \
	      lib/gen/consts.awk lib/gen/sys.rules $(wildcard lib/arch/*/*.sysrules) \
	      mk/systab.mk

LIB_OBJS += $(BUILD)/gen/systab.o
LIB_PIC  += $(BUILD)/pic/gen/systab.o

# Always asked; ksrc.sh leaves the stamp alone when nothing changed, so
# the table is regenerated only when the kernel source is another one.
$(KCACHE)/stamp: FORCE
	@sh lib/gen/ksrc.sh $(KCACHE)

.PHONY: FORCE
FORCE:

# Written to a temporary file first, so that a failed run never leaves a
# half table behind.
$(SYSTAB_C): $(SYSTAB_GEN) $(KCACHE)/stamp
	@mkdir -p $(dir $@)
	CC="$(CC)" sh lib/gen/gen-systab.sh $(KCACHE) $(BUILD)/gen/systab.work \
	  . $(SYS_HOST_ABIS) >$@.tmp
	mv $@.tmp $@

$(BUILD)/gen/systab.o: $(SYSTAB_C)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/pic/gen/systab.o: $(SYSTAB_C)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fPIC -fvisibility=hidden -MMD -MP -c $< -o $@

# Keep the generated source: it is worth reading when a call or a
# constant is missing.
.SECONDARY: $(SYSTAB_C)
