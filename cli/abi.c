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

const struct cli_abi *abi_default(void)
{
	return cli_abis[0];
}

const struct cli_abi *abi_for_elf(unsigned int machine, unsigned int class)
{
	for (size_t i = 0; cli_abis[i]; i++)
		if (cli_abis[i]->elf_machine == machine &&
		    cli_abis[i]->elf_class == class)
			return cli_abis[i];
	return NULL;
}

/*
 * Only e_ident and e_machine are needed, and they sit at the same
 * offsets in 32- and 64-bit headers.  The file belongs to the target, so
 * nothing in it is trusted beyond those two fields.
 */
int abi_of_pid(long pid, const struct cli_abi **abi)
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

static int cmp_sys(const void *key, const void *elt)
{
	return strcmp(key, ((const struct cli_sysent *)elt)->name);
}

static int cmp_const(const void *key, const void *elt)
{
	return strcmp(key, ((const struct cli_const *)elt)->name);
}

/* The tables are searched with NUL-terminated keys; names longer than
 * any real one cannot match. */
static int copy_key(char *key, size_t size, const char *name, size_t len)
{
	if (len == 0 || len >= size)
		return -1;
	memcpy(key, name, len);
	key[len] = '\0';
	return 0;
}

long abi_sysnr(const struct cli_abi *abi, const char *name, size_t len)
{
	const struct cli_sysent *e;
	char key[64];

	if (copy_key(key, sizeof(key), name, len) < 0)
		return -1;
	e = bsearch(key, abi->sys, abi->nsys, sizeof(*e), cmp_sys);
	return e ? e->nr : -1;
}

const char *abi_sysname(const struct cli_abi *abi, long nr)
{
	for (size_t i = 0; i < abi->nsys; i++)
		if (abi->sys[i].nr == nr)
			return abi->sys[i].name;
	return NULL;
}

int abi_const(const struct cli_abi *abi, const char *name, size_t len,
	      long long *value)
{
	const struct cli_const *c;
	char key[64];

	if (copy_key(key, sizeof(key), name, len) < 0)
		return -1;
	c = bsearch(key, abi->consts, *abi->nconsts, sizeof(*c), cmp_const);
	if (!c)
		return -1;
	*value = c->value;
	return 0;
}

const char *abi_suggest_sys(const struct cli_abi *abi, const char *name,
			    size_t len)
{
	return suggest(name, len, &abi->sys[0].name, abi->nsys,
		       sizeof(abi->sys[0]));
}

const char *abi_suggest_const(const struct cli_abi *abi, const char *name,
			      size_t len)
{
	return suggest(name, len, &abi->consts[0].name, *abi->nconsts,
		       sizeof(abi->consts[0]));
}
