# x86_64 only: i386 targets traced from the 64-bit library.  target32 is
# built with gcc -m32 (Debian: gcc-12-multilib; its <asm/> comes from a
# link to the 64-bit headers, as PORTING.md explains, since gcc-multilib
# itself conflicts with the cross compilers).  Without -m32 the tests
# skip, saying why.
I386_DIR   := tests/arch/x86_64/i386
I386_OUT   := $(BUILD)/tests/arch/x86_64/i386
I386_ASM   := $(BUILD)/asm32
I386_CFLAGS := -m32 -static -O2 -g -std=gnu11 -Wall -Wextra -Werror \
               -isystem $(I386_ASM)
M32_OK := $(shell mkdir -p $(I386_ASM) && \
            ln -sfn /usr/include/x86_64-linux-gnu/asm $(I386_ASM)/asm && \
            echo 'int main(void){return 0;}' | \
            $(CC) $(I386_CFLAGS) -x c - -o /dev/null 2>/dev/null && echo y)

all: $(I386_OUT)/t_i386 $(I386_OUT)/t_core_i386
ifeq ($(M32_OK),y)
all: $(I386_OUT)/target32
endif

$(I386_OUT)/t_i386: $(I386_OUT)/t_i386.o $(I386_OUT)/nrs.o $(TEST_LIB) $(LIBA)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS) -lpthread

$(I386_OUT)/t_i386.o $(I386_OUT)/nrs.o: ALL_CFLAGS += -Itests -I$(I386_DIR)

# Cores of i386 processes.
$(I386_OUT)/t_core_i386: $(I386_OUT)/t_core_i386.o $(BUILD)/tests/core_check.o \
		$(TEST_LIB) $(LIBA)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS) -lpthread

$(I386_OUT)/t_core_i386.o: ALL_CFLAGS += -Itests

# 32-bit, static, and never sanitized: it is the target, not our code.
$(I386_OUT)/target32: $(I386_DIR)/target32.c $(I386_DIR)/spin32.S
	@mkdir -p $(dir $@)
	$(CC) $(I386_CFLAGS) -o $@ $^
