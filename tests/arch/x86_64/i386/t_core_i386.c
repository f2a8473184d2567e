/*
 * Cores of 32-bit (i386) processes, written by the 64-bit library: an
 * ELFCLASS32 EM_386 file whose notes have the i386 layouts (72-byte
 * prstatus header, 16-bit uids in prpsinfo, 32-bit auxv and NT_FILE
 * words) and the ia32 register sets, each what PTRACE_GETREGSET gives of
 * the 32-bit thread.  target32 judges itself afterwards.
 */
#include <elf.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core.h"
#include "core_check.h"
#include "harness.h"
#include "scremote.h"
#include "targets.h"

static char target32[4096];

/* target32 in mode "read": fd 3 its reports, fd 4 its input. */
static void start32(struct target *t)
{
	int rep[2], in[2], status;
	char self[4096] = { 0 };

	if (!target32[0]) {
		CHECK(readlink("/proc/self/exe", self, sizeof(self) - 1) > 0);
		snprintf(target32, sizeof(target32), "%s/target32",
			 dirname(self));
		if (access(target32, X_OK))
			snprintf(target32, sizeof(target32), "/bin/target32");
	}
	if (access(target32, X_OK))
		SKIP("no 32-bit target (%s): gcc -m32 unavailable at build",
		     target32);
	CHECK(pipe(rep) == 0 && pipe(in) == 0);
	t->pid = fork();
	CHECK(t->pid >= 0);
	if (t->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(rep[1], 3);
		dup2(in[0], 4);
		execl(target32, "target32", "read", (char *)NULL);
		_exit(errno == ENOEXEC ? 126 : 127);
	}
	close(rep[1]);
	close(in[0]);
	t->rep = rep[0];
	t->in = in[1];
	t->out = -1;
	/* READY, or the end of the pipe when the exec failed: a kernel
	 * without IA32 emulation cannot run it at all. */
	struct pollfd pfd = { t->rep, POLLIN, 0 };
	int avail = 0;

	CHECK(poll(&pfd, 1, 10000) == 1, "target32 silent for 10 s");
	if (ioctl(t->rep, FIONREAD, &avail) == 0 && avail == 0) {
		CHECK_EQ(waitpid(t->pid, &status, 0), t->pid);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 126)
			SKIP("this kernel cannot run 32-bit programs "
			     "(ENOEXEC)");
		CHECK(0, "target32 ended at once (status %#x)", status);
	}
	expect_ready(t);
	wait_in_syscall(t->pid, 3 /* i386 read */, 5000);
}

static void check_core32(const char *path, struct scr_proc *p, pid_t pid,
			 const uint64_t *mask)
{
	static const uint32_t sets[] = { NT_PRFPREG, NT_PRXFPREG,
					 NT_X86_XSTATE, NT_386_TLS };
	struct core_file cf;
	struct core_note *v;
	struct core_seg s;
	unsigned char live[64], dumped[64];
	struct iovec iov = { live, sizeof(live) };
	int n;

	open_core(path, &cf);
	CHECK_EQ(cf.word, 4);
	CHECK_EQ(cf.machine, EM_386);
	n = load_notes(&cf, &v);
	CHECK_EQ(v[0].type, NT_PRSTATUS);
	CHECK_EQ(v[0].len, 144);		/* struct compat_elf_prstatus */
	CHECK_EQ(v[1].type, NT_PRPSINFO);
	CHECK_EQ(v[1].len, 124);		/* struct compat_elf_prpsinfo */
	CHECK(strcmp(prpsinfo_fname(&cf, &v[1], 2), "target32") == 0,
	      "pr_fname '%.16s'", prpsinfo_fname(&cf, &v[1], 2));
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
		CHECK(find_note(v, n, sets[i], 0), "no note %#x", sets[i]);
	check_threads(&cf, p, mask);
	check_process(&cf, pid, 2);
	/* Memory: the top of the stack, as the process has it. */
	CHECK_EQ(ptrace(PTRACE_GETREGSET, pid, NT_PRSTATUS, &iov), 0);
	uint32_t esp;

	memcpy(&esp, live + 15 * 4, 4);		/* user_regs_struct32.esp */
	CHECK_EQ(scr_read(p, esp, live, sizeof(live)), (long)sizeof(live));
	CHECK_EQ(core_read(&cf, esp, dumped, sizeof(dumped)), 1);
	CHECK(memcmp(live, dumped, sizeof(live)) == 0, "stack at %#x", esp);
	CHECK(core_seg(&cf, 1, &s) == 0 && s.type == PT_LOAD && s.align == 4096);
	core_close(&cf);
}

static void dump32(unsigned int flags)
{
	struct scr_core_info info;
	struct scr_proc *p;
	struct target t;
	char path[256];
	int fd;

	start32(&t);
	snprintf(path, sizeof(path), "%s/t_core_i386.%d",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0);
	CHECK_OK(scr_attach(t.pid, 0, &p));
	CHECK_OK(scr__dump_core(p, fd, flags, 0, NULL, &info));
	close(fd);
	CHECK(!(flags & SCR_CORE_SNAPSHOT) ||
	      (info.snapshot && !info.snapshot_err),
	      "snapshot %d, error %d", info.snapshot, info.snapshot_err);
	/* After a snapshot's calls the session holds its own mask in
	 * place of the thread's, which blocks nothing. */
	check_core32(path, p, t.pid, flags ? &(uint64_t){ 0 } : NULL);
	CHECK_OK(scr_detach(p));
	unlink(path);
	CHECK(write(t.in, "hello", 5) == 5);
	expect_ok(&t, 5000);
	target_kill(&t);
}

TEST_T(i386_core_has_the_32_bit_layouts, 60)
{
	dump32(0);
}

TEST_T(i386_snapshot_core, 60)
{
	dump32(SCR_CORE_SNAPSHOT);
}
