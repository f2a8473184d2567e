/*
 * The system call tables through the public API (scr_syscall_nr(3)):
 * names and numbers of the four ABIs, signatures, named constants and
 * the errors of each lookup.  Numbers are checked against the kernel's
 * own (the host's <sys/syscall.h>, and values fixed by each ABI).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "harness.h"
#include "scremote.h"

static const int abis[] = { SCR_ABI_X86_64, SCR_ABI_I386, SCR_ABI_AARCH64,
			    SCR_ABI_RISCV64 };

/* Numbers no kernel will change, per ABI: x86_64, i386, aarch64, riscv64. */
static const struct {
	const char *name;
	long nr[4];
} fixed[] = {
	{ "read", { 0, 3, 63, 63 } },
	{ "openat", { 257, 295, 56, 56 } },
	{ "close", { 3, 6, 57, 57 } },
	{ "mmap", { 9, 90, 222, 222 } },
	{ "clone", { 56, 120, 220, 220 } },
	{ "exit_group", { 231, 252, 94, 94 } },
	{ "prlimit64", { 302, 340, 261, 261 } },
	{ "io_uring_setup", { 425, 425, 425, 425 } },
};

TEST(names_and_numbers_of_every_abi)
{
	for (size_t a = 0; a < 4; a++) {
		for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
			CHECK_EQ(scr_syscall_nr(abis[a], fixed[i].name),
				 fixed[i].nr[a]);
			CHECK(strcmp(scr_syscall_name(abis[a], fixed[i].nr[a]),
				     fixed[i].name) == 0, "%s on %s",
			      fixed[i].name, scr_abi_name(abis[a]));
		}
	}
	/* What one ABI has and another lacks. */
	CHECK_EQ(scr_syscall_nr(SCR_ABI_AARCH64, "open"), -ENOENT);
	CHECK_EQ(scr_syscall_nr(SCR_ABI_X86_64, "open"), 2);
	CHECK_EQ(scr_syscall_nr(SCR_ABI_I386, "mmap2"), 192);
	CHECK_EQ(scr_syscall_nr(SCR_ABI_X86_64, "mmap2"), -ENOENT);
	CHECK_EQ(scr_syscall_nr(SCR_ABI_RISCV64, "riscv_flush_icache"), 259);
	CHECK_EQ(scr_syscall_nr(SCR_ABI_X86_64, "arch_prctl"), 158);
}

/* The host's own ABI: every number <sys/syscall.h> gives must match. */
TEST(host_numbers_match_the_system_headers)
{
	static const struct {
		const char *name;
		long nr;
	} host[] = {
		{ "read", SYS_read }, { "write", SYS_write },
		{ "openat", SYS_openat }, { "close", SYS_close },
		{ "fcntl", SYS_fcntl }, { "dup3", SYS_dup3 },
		{ "lseek", SYS_lseek }, { "mmap", SYS_mmap },
		{ "munmap", SYS_munmap }, { "getpid", SYS_getpid },
		{ "kill", SYS_kill }, { "prlimit64", SYS_prlimit64 },
		{ "socket", SYS_socket }, { "setsockopt", SYS_setsockopt },
		{ "getsockopt", SYS_getsockopt }, { "statx", SYS_statx },
		{ "fstat", SYS_fstat }, { "execve", SYS_execve },
		{ "clone3", SYS_clone3 }, { "pidfd_open", SYS_pidfd_open },
		{ "rt_sigprocmask", SYS_rt_sigprocmask },
		{ "exit_group", SYS_exit_group },
	};
	int found = 0;

	for (size_t a = 0; a < 4; a++) {
		size_t same = 0;

		for (size_t i = 0; i < sizeof(host) / sizeof(host[0]); i++)
			same += scr_syscall_nr(abis[a], host[i].name) ==
				host[i].nr;
		if (same == sizeof(host) / sizeof(host[0]))
			found++;
	}
	CHECK_EQ(found, 1);
}

TEST(iterating_every_call)
{
	for (size_t a = 0; a < 4; a++) {
		long prev = -1, n = 0;

		for (long nr = scr_syscall_next(abis[a], -1); nr >= 0;
		     nr = scr_syscall_next(abis[a], nr)) {
			const char *name = scr_syscall_name(abis[a], nr);

			CHECK(nr > prev);
			CHECK(name != NULL, "%s: %ld", scr_abi_name(abis[a]), nr);
			CHECK_EQ(scr_syscall_nr(abis[a], name), nr);
			prev = nr;
			n++;
		}
		/* Every ABI has a few hundred calls. */
		CHECK(n > 290 && n < 600, "%s: %ld calls",
		      scr_abi_name(abis[a]), n);
	}
}

struct xarg {
	const char *name;
	int kind;
	const char *detail;
};

static void check_sig(int abi, const char *call, int nreq, int ret,
		      const struct xarg *x, int n)
{
	long nr = scr_syscall_nr(abi, call);
	const char *name, *detail;

	CHECK(nr >= 0, "%s", call);
	CHECK_EQ(scr_syscall_nargs(abi, nr), n);
	CHECK_EQ(scr_syscall_nreq(abi, nr), nreq);
	CHECK_EQ(scr_syscall_arg(abi, nr, SCR_RET, &name, &detail), ret);
	CHECK(name == NULL);
	for (int i = 0; i < n; i++) {
		CHECK_EQ(scr_syscall_arg(abi, nr, (unsigned)i, &name, &detail),
			 x[i].kind);
		CHECK(strcmp(name, x[i].name) == 0, "%s arg %d: %s", call, i,
		      name);
		CHECK((!detail && !x[i].detail) ||
		      (detail && x[i].detail && !strcmp(detail, x[i].detail)),
		      "%s arg %d: detail %s", call, i, detail ? detail : "NULL");
	}
	CHECK_EQ(scr_syscall_arg(abi, nr, (unsigned)n, &name, &detail),
		 -ERANGE);
}

TEST(signatures)
{
	static const struct xarg close_[] = { { "fd", SCR_ARG_FD, NULL } };
	static const struct xarg openat[] = {
		{ "dfd", SCR_ARG_DIRFD, NULL },
		{ "filename", SCR_ARG_PATH, NULL },
		{ "flags", SCR_ARG_FLAGS, "open_flags" },
		{ "mode", SCR_ARG_MODE, NULL },
	};
	static const struct xarg read_[] = {
		{ "fd", SCR_ARG_FD, NULL },
		{ "buf", SCR_ARG_OUT, NULL },
		{ "count", SCR_ARG_SIZE, NULL },
	};
	static const struct xarg fstat_[] = {
		{ "fd", SCR_ARG_FD, NULL },
		{ "statbuf", SCR_ARG_OUT, "stat" },
	};
	static const struct xarg prlimit[] = {
		{ "pid", SCR_ARG_PID, NULL },
		{ "resource", SCR_ARG_ENUM, "rlimit_resource" },
		{ "new_rlim", SCR_ARG_IN, "rlimit64" },
		{ "old_rlim", SCR_ARG_OUT, "rlimit64" },
	};
	/* i386: a 64-bit offset is two registers, low word first. */
	static const struct xarg pread_i386[] = {
		{ "fd", SCR_ARG_FD, NULL },
		{ "buf", SCR_ARG_OUT, NULL },
		{ "count", SCR_ARG_SIZE, NULL },
		{ "pos_lo", SCR_ARG_INT, NULL },
		{ "pos_hi", SCR_ARG_INT, NULL },
	};
	/* i386's mmap is old_mmap, one pointer to the six values. */
	static const struct xarg old_mmap[] = {
		{ "arg", SCR_ARG_IN, "mmap_arg_struct" },
	};
	/* clone: tls before child_tid on aarch64 (CLONE_BACKWARDS). */
	static const struct xarg clone_x86_64[] = {
		{ "flags", SCR_ARG_FLAGS, "clone_flags" },
		{ "newsp", SCR_ARG_ADDR, NULL },
		{ "parent_tid", SCR_ARG_INOUT, "int" },
		{ "child_tid", SCR_ARG_INOUT, "int" },
		{ "tls", SCR_ARG_ADDR, NULL },
	};
	static const struct xarg clone_aarch64[] = {
		{ "flags", SCR_ARG_FLAGS, "clone_flags" },
		{ "newsp", SCR_ARG_ADDR, NULL },
		{ "parent_tid", SCR_ARG_INOUT, "int" },
		{ "tls", SCR_ARG_ADDR, NULL },
		{ "child_tid", SCR_ARG_INOUT, "int" },
	};

	for (size_t a = 0; a < 4; a++) {
		check_sig(abis[a], "close", 1, SCR_ARG_INT, close_, 1);
		check_sig(abis[a], "openat", 3, SCR_ARG_FD, openat, 4);
		check_sig(abis[a], "read", 3, SCR_ARG_SIZE, read_, 3);
		check_sig(abis[a], "prlimit64", 4, SCR_ARG_INT, prlimit, 4);
	}
	check_sig(SCR_ABI_X86_64, "fstat", 2, SCR_ARG_INT, fstat_, 2);
	check_sig(SCR_ABI_AARCH64, "fstat", 2, SCR_ARG_INT, fstat_, 2);
	check_sig(SCR_ABI_I386, "pread64", 5, SCR_ARG_SIZE, pread_i386, 5);
	check_sig(SCR_ABI_I386, "mmap", 1, SCR_ARG_ADDR, old_mmap, 1);
	check_sig(SCR_ABI_X86_64, "clone", 5, SCR_ARG_PID, clone_x86_64, 5);
	check_sig(SCR_ABI_AARCH64, "clone", 5, SCR_ARG_PID, clone_aarch64, 5);
	check_sig(SCR_ABI_RISCV64, "clone", 5, SCR_ARG_PID, clone_aarch64, 5);
	check_sig(SCR_ABI_I386, "clone", 5, SCR_ARG_PID, clone_aarch64, 5);
}

TEST(sizes_link_to_their_pointers)
{
	long nr = scr_syscall_nr(SCR_ABI_X86_64, "read");

	CHECK_EQ(scr_syscall_arg_ref(SCR_ABI_X86_64, nr, 1), 2);
	CHECK_EQ(scr_syscall_arg_ref(SCR_ABI_X86_64, nr, 2), 1);
	CHECK_EQ(scr_syscall_arg_ref(SCR_ABI_X86_64, nr, 0), -ENOENT);
	CHECK_EQ(scr_syscall_arg_ref(SCR_ABI_X86_64, nr, 3), -ERANGE);
	nr = scr_syscall_nr(SCR_ABI_X86_64, "getsockname");
	CHECK_EQ(scr_syscall_arg_ref(SCR_ABI_X86_64, nr, 2), 1);
	CHECK_EQ(scr_syscall_arg_ref(SCR_ABI_X86_64, nr, 1), 2);
}

TEST(lookup_errors)
{
	const char *name = "x";

	CHECK_EQ(scr_syscall_nr(0, "read"), -EINVAL);
	CHECK_EQ(scr_syscall_nr(5, "read"), -EINVAL);
	CHECK_EQ(scr_syscall_nr(SCR_ABI_X86_64, "nosuchcall"), -ENOENT);
	CHECK_EQ(scr_syscall_nr(SCR_ABI_X86_64, NULL), -ENOENT);
	CHECK_EQ(scr_syscall_nr(SCR_ABI_X86_64, ""), -ENOENT);
	CHECK(scr_syscall_name(SCR_ABI_X86_64, 100000) == NULL);
	CHECK(scr_syscall_name(SCR_ABI_X86_64, -1) == NULL);
	CHECK(scr_syscall_name(-3, 0) == NULL);
	CHECK_EQ(scr_syscall_next(SCR_ABI_X86_64, 100000), -ENOENT);
	CHECK_EQ(scr_syscall_next(9, -1), -EINVAL);
	CHECK_EQ(scr_syscall_nargs(SCR_ABI_X86_64, 100000), -ENOENT);
	CHECK_EQ(scr_syscall_nargs(7, 0), -EINVAL);
	/* Listed by the kernel, implemented nowhere: no signature. */
	CHECK_EQ(scr_syscall_nargs(SCR_ABI_X86_64,
				   scr_syscall_nr(SCR_ABI_X86_64, "afs_syscall")),
		 -ENODATA);
	CHECK_EQ(scr_syscall_arg(SCR_ABI_X86_64, 100000, 0, &name, NULL),
		 -ENOENT);
	CHECK(strcmp(name, "x") == 0);	/* untouched on failure */
	CHECK_EQ(scr_syscall_arg(SCR_ABI_X86_64, 3, 1, NULL, NULL), -ERANGE);
}

/* The ABIs whose constants this build knows: the host's, not others. */
static int has_consts(int abi)
{
	return scr_const_value(abi, "O_WRONLY", NULL) == 0;
}

TEST(constants_and_families)
{
	int host = 0;

	for (size_t a = 0; a < 4; a++) {
		size_t k = 0, seen_wronly = 0, seen_sigterm = 0, tcp = 0;
		const char *name, *family;
		long long v;

		if (!has_consts(abis[a])) {
			CHECK_EQ(scr_const(abis[a], 0, &name, &v, &family),
				 -EINVAL);
			CHECK_EQ(scr_const_value(abis[a], "SIGTERM", &v),
				 -EINVAL);
			continue;
		}
		host++;
		for (; scr_const(abis[a], k, &name, &v, &family) == 0; k++) {
			if (!strcmp(name, "O_WRONLY")) {
				CHECK_EQ(v, O_WRONLY);
				CHECK(family && !strcmp(family, "open_flags"));
				seen_wronly++;
			}
			/* A signal, and clone's exit signal. */
			if (!strcmp(name, "SIGTERM")) {
				CHECK_EQ(v, SIGTERM);
				seen_sigterm |= !strcmp(family, "signal") ? 1 :
					!strcmp(family, "clone_flags") ? 2 : 4;
			}
			/* A level of setsockopt and a socket protocol. */
			if (!strcmp(name, "IPPROTO_TCP"))
				tcp |= !strcmp(family, "ip_protocol") ? 1 :
				       !strcmp(family, "sockopt_level") ? 2 : 4;
		}
		CHECK(k > 1000, "%zu constants", k);
		CHECK_EQ(seen_wronly, 1);
		CHECK_EQ(seen_sigterm, 3);
		CHECK_EQ(tcp, 3);
		CHECK_EQ(scr_const(abis[a], k, &name, &v, &family), -ENOENT);
		CHECK_OK(scr_const_value(abis[a], "AT_FDCWD", &v));
		CHECK_EQ(v, AT_FDCWD);
		CHECK_EQ(scr_const_value(abis[a], "O_NOSUCH", &v), -ENOENT);
		CHECK_EQ(scr_const_value(abis[a], NULL, &v), -ENOENT);
	}
	CHECK(host >= 1);
	CHECK_EQ(scr_const_value(0, "O_WRONLY", NULL), -EINVAL);
}
