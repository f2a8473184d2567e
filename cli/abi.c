/* Lookups in the generated ABI tables. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "abi.h"
#include "suggest.h"

const struct sys_abi *abi_default(void)
{
	return scr__host_abis[0];
}

const struct sys_abi *abi_for_elf(unsigned int machine, unsigned int class)
{
	for (size_t i = 0; scr__host_abis[i]; i++)
		if (scr__host_abis[i]->elf_machine == machine &&
		    scr__host_abis[i]->elf_class == class)
			return scr__host_abis[i];
	return NULL;
}

/*
 * Only e_ident and e_machine are needed, and they sit at the same
 * offsets in 32- and 64-bit headers.  The file belongs to the target, so
 * nothing in it is trusted beyond those two fields.
 */
int abi_of_pid(long pid, const struct sys_abi **abi)
{
	unsigned char h[EI_NIDENT + 4];
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/exe", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = pread(fd, h, sizeof(h), 0);
	close(fd);
	if (n != (ssize_t)sizeof(h) || memcmp(h, ELFMAG, SELFMAG) != 0)
		return -EIO;
	/* e_machine is in the file's byte order; targets are little- or
	 * big-endian as said by EI_DATA. */
	unsigned int machine = h[EI_DATA] == ELFDATA2MSB ?
		(unsigned int)h[18] << 8 | h[19] :
		(unsigned int)h[19] << 8 | h[18];
	*abi = abi_for_elf(machine, h[EI_CLASS]);
	return *abi ? 0 : -ENOEXEC;
}

long abi_sysnr(const struct sys_abi *abi, const char *name, size_t len)
{
	const struct sys_call *c = scr__call_by_name(abi, name, len);

	return c ? c->nr : -1;
}

const char *abi_sysname(const struct sys_abi *abi, long nr)
{
	const struct sys_call *c = scr__call_by_nr(abi, nr);

	return c ? c->name : NULL;
}

int abi_const(const struct sys_abi *abi, const char *name, size_t len,
	      long long *value)
{
	const struct sys_const *c = scr__const_by_name(abi, name, len);

	if (!c)
		return -1;
	*value = c->value;
	return 0;
}

const char *abi_suggest_sys(const struct sys_abi *abi, const char *name,
			    size_t len)
{
	return suggest(name, len, &abi->calls[0].name, abi->ncalls,
		       sizeof(abi->calls[0]));
}

const char *abi_suggest_const(const struct sys_abi *abi, const char *name,
			      size_t len)
{
	if (!abi->consts)
		return NULL;
	return suggest(name, len, &abi->consts->c[0].name, abi->consts->n,
		       sizeof(abi->consts->c[0]));
}
