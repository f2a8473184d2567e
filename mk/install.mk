# make install / make uninstall, the examples, and the generated files
# they install (bash completion).  Included by the top Makefile, which
# defines BUILD, LIBA, LIBSO, VERSION, SONAME_MAJOR, CC and ALL_CFLAGS.
#
#   make install PREFIX=/usr/local DESTDIR=/tmp/stage
#   make uninstall PREFIX=/usr/local DESTDIR=/tmp/stage
#
# Directories follow the GNU names; each may be set on the command line.

PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
LIBDIR      ?= $(PREFIX)/lib
INCLUDEDIR  ?= $(PREFIX)/include
DATADIR     ?= $(PREFIX)/share
MANDIR      ?= $(DATADIR)/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
INSTALL     ?= install

EXAMPLES := $(BUILD)/examples/fdlist $(BUILD)/examples/keepalive
COMPLETION := $(BUILD)/completion/scremote

all: $(EXAMPLES) $(COMPLETION)

MAN1 := man/scremote.1
MAN3 := man/libscremote.3 man/scr_sc_remote.3 man/scr_attach.3 man/scr_read.3 \
	man/scr_batch.3 man/scr_abi.3
MAN3 += man/scr_coredump.3
# Further names for the pages above, installed as symlinks: LINK:PAGE.
MLINKS := scr_sc_remote_timed.3:scr_sc_remote.3 \
	  scr_version.3:libscremote.3 \
	  scr_attach_pidfd.3:scr_attach.3 scr_exit_status.3:scr_attach.3 \
	  scr_detach.3:scr_attach.3 scr_syscall.3:scr_attach.3 \
	  scr_set_timeout.3:scr_attach.3 scr_pid.3:scr_attach.3 \
	  scr_interrupt.3:scr_attach.3 \
	  scr_threads.3:scr_attach.3 \
	  scr_write.3:scr_read.3 scr_scratch_alloc.3:scr_read.3 \
	  scr_push.3:scr_read.3 scr_scratch_reset.3:scr_read.3 \
	  scr_abi_name.3:scr_abi.3 scr_syscall_nr.3:scr_abi.3 \
	  scr_syscall_name.3:scr_abi.3 scr_syscall_next.3:scr_abi.3 \
	  scr_syscall_nargs.3:scr_abi.3 scr_syscall_nreq.3:scr_abi.3 \
	  scr_syscall_arg.3:scr_abi.3 scr_syscall_arg_ref.3:scr_abi.3 \
	  scr_const.3:scr_abi.3 scr_const_value.3:scr_abi.3 \
	  scr_agent_status.3:scr_batch.3
MLINKS += scr_dump_core.3:scr_coredump.3

LIBSO_NAME := libscremote.so.$(VERSION)
D := $(DESTDIR)

# The constants scremote accepts, taken from the generated table.
$(COMPLETION): completion/scremote.bash.in completion/families.awk $(SYSTAB_C)
	@mkdir -p $(dir $@)
	consts=$$(sed -n 's/^	{ "\([A-Za-z0-9_]*\)", (long long).*/\1/p' \
		$(SYSTAB_C) | sort -u | tr '\n' ' ') && \
	awk -f completion/families.awk $(SYSTAB_C) >$@.fam && \
	sed -e "s/@CONSTANTS@/$${consts% }/" -e "/@FAMILIES@/{r $@.fam" -e "d}" \
		completion/scremote.bash.in >$@.tmp
	rm -f $@.fam
	mv $@.tmp $@

.PHONY: install uninstall
install: $(LIBA) $(LIBSO) $(BUILD)/scremote $(COMPLETION) $(MAN1) $(MAN3)
	$(INSTALL) -d $(D)$(BINDIR) $(D)$(LIBDIR) $(D)$(INCLUDEDIR) \
		$(D)$(PKGCONFIGDIR) $(D)$(MANDIR)/man1 $(D)$(MANDIR)/man3 \
		$(D)$(BASHCOMPDIR)
	$(INSTALL) -m 755 $(BUILD)/scremote $(D)$(BINDIR)/scremote
	$(INSTALL) -m 755 $(LIBSO) $(D)$(LIBDIR)/$(LIBSO_NAME)
	ln -sf $(LIBSO_NAME) $(D)$(LIBDIR)/libscremote.so.$(SONAME_MAJOR)
	ln -sf libscremote.so.$(SONAME_MAJOR) $(D)$(LIBDIR)/libscremote.so
	$(INSTALL) -m 644 $(LIBA) $(D)$(LIBDIR)/libscremote.a
	$(INSTALL) -m 644 include/scremote.h $(D)$(INCLUDEDIR)/scremote.h
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|' \
	    mk/libscremote.pc.in >$(D)$(PKGCONFIGDIR)/libscremote.pc
	chmod 644 $(D)$(PKGCONFIGDIR)/libscremote.pc
	$(INSTALL) -m 644 $(MAN1) $(D)$(MANDIR)/man1
	$(INSTALL) -m 644 $(MAN3) $(D)$(MANDIR)/man3
	for l in $(MLINKS); do \
		ln -sf $${l#*:} $(D)$(MANDIR)/man3/$${l%%:*} || exit 1; \
	done
	$(INSTALL) -m 644 $(COMPLETION) $(D)$(BASHCOMPDIR)/scremote

# Removes the files install wrote, and nothing else (directories stay).
uninstall:
	rm -f $(D)$(BINDIR)/scremote \
	      $(D)$(LIBDIR)/$(LIBSO_NAME) \
	      $(D)$(LIBDIR)/libscremote.so.$(SONAME_MAJOR) \
	      $(D)$(LIBDIR)/libscremote.so $(D)$(LIBDIR)/libscremote.a \
	      $(D)$(INCLUDEDIR)/scremote.h \
	      $(D)$(PKGCONFIGDIR)/libscremote.pc \
	      $(addprefix $(D)$(MANDIR)/man1/,$(notdir $(MAN1))) \
	      $(addprefix $(D)$(MANDIR)/man3/,$(notdir $(MAN3))) \
	      $(foreach l,$(MLINKS),$(D)$(MANDIR)/man3/$(firstword $(subst :, ,$(l)))) \
	      $(D)$(BASHCOMPDIR)/scremote

# Keep the examples' objects, like every other object of the build.
.SECONDARY: $(EXAMPLES:=.o)
