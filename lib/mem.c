/*
 * Target memory: process_vm_readv/writev, which need no stop, falling
 * back to /proc/PID/mem where they are unavailable (old kernels, some
 * seccomp policies on the tracer) or refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "internal.h"

static ssize_t proc_mem(pid_t pid, unsigned long addr, void *buf, size_t len,
			bool write)
{
	char path[64];
	ssize_t done = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	fd = open(path, (write ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	while ((size_t)done < len) {
		ssize_t n = write ?
			pwrite(fd, (char *)buf + done, len - (size_t)done,
			       (off_t)(addr + (unsigned long)done)) :
			pread(fd, (char *)buf + done, len - (size_t)done,
			      (off_t)(addr + (unsigned long)done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += n;
	}
	close(fd);
	return done ? done : -EFAULT;
}

static ssize_t vm_rw(pid_t pid, unsigned long addr, void *buf, size_t len,
		     bool write)
{
	struct iovec local = { buf, len };
	struct iovec remote = { (void *)addr, len };
	ssize_t n;

	if (len == 0)
		return 0;
	n = write ? process_vm_writev(pid, &local, 1, &remote, 1, 0) :
		    process_vm_readv(pid, &local, 1, &remote, 1, 0);
	if (n > 0)
		return n;
	if (n < 0 && errno == ESRCH)
		return -ESRCH;
	/* EFAULT on the first page, ENOSYS, EPERM...: try the slow way,
	 * which also reaches pages process_vm_*v cannot (e.g. read-only
	 * mappings for writes are still refused there: we never need it). */
	return proc_mem(pid, addr, buf, len, write);
}

ssize_t scr__mem_read(pid_t pid, unsigned long addr, void *buf, size_t len)
{
	return vm_rw(pid, addr, buf, len, false);
}

ssize_t scr__mem_write(pid_t pid, unsigned long addr, const void *buf,
		       size_t len)
{
	return vm_rw(pid, addr, (void *)buf, len, true);
}

/* Looks for the instruction in [start, end) of the target. */
static int search(pid_t pid, struct scr_insn_search *q, unsigned long start,
		  unsigned long end)
{
	const struct arch_abi *abi = q->abi;
	unsigned char buf[8192];

	while (start < end) {
		size_t len = end - start < sizeof(buf) ? end - start :
							 sizeof(buf);
		ssize_t n = scr__mem_read(pid, start, buf, len);

		if (n < (ssize_t)abi->insn_len)
			return -ENOEXEC;
		for (size_t i = 0; i + abi->insn_len <= (size_t)n;
		     i += abi->insn_align) {
			unsigned long at = start + i;

			if (memcmp(buf + i, abi->insn, abi->insn_len) == 0 &&
			    (at + abi->insn_len <= q->lo || at >= q->hi)) {
				q->addr = at;
				return 0;
			}
		}
		/* Step back so an instruction split across chunks is seen. */
		start += (size_t)n - (abi->insn_len - 1) / abi->insn_align *
				     abi->insn_align;
		if ((size_t)n < len)
			break;
	}
	return -ENOEXEC;
}

static int find(pid_t pid, struct scr_insn_search *q)
{
	unsigned long start, end;
	int r = scr__vdso_range(pid, &start, &end);

	if (r == 0 && search(pid, q, start, end) == 0)
		return 0;
	if (r && r != -ENOENT)
		return r;
	return scr__exec_ranges(pid, q, search);
}

/*
 * Finds a system call instruction that already exists in the target, so
 * that no byte of its code has to be written: in its vDSO, or, for a
 * process without one, in its executable mappings (libc has them).
 */
int scr__find_insn(pid_t pid, const struct arch_abi *abi, unsigned long *addr)
{
	struct scr_insn_search q = { abi, 0, 0, 0 };
	int e = find(pid, &q);

	if (!e)
		*addr = q.addr;
	return e;
}

int scr__find_insn_outside(pid_t pid, const struct arch_abi *abi,
			   unsigned long lo, unsigned long hi,
			   unsigned long *addr)
{
	struct scr_insn_search q = { abi, lo, hi, 0 };
	int e = find(pid, &q);

	if (!e)
		*addr = q.addr;
	return e;
}
