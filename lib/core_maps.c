/*
 * The mappings of a process and how much of each a core holds.
 *
 * /proc/PID/smaps gives what the kernel's choice (fs/coredump.c,
 * vma_dump_size) looks at: VM_SHARED, VM_IO, VM_DONTDUMP, hugetlb in
 * VmFlags, and anonymous pages (vma->anon_vma) in Anonymous and Swap.
 * /proc/PID/maps is much cheaper (no page table walk) and is what a
 * snapshot reads while the process is stopped.  Both texts come from
 * the kernel but hold file names the target chose: every line is parsed
 * with bounds, and a line that does not parse is skipped.
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_impl.h"

static int add_map(struct core_maps *m, const struct core_map *map)
{
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;
		struct core_map *v = realloc(m->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		m->v = v;
		m->cap = cap;
	}
	m->v[m->n++] = *map;
	return 0;
}

/* The path of a maps line, with the kernel's "\012" for a newline in
 * a name turned back into one. */
static char *copy_path(const char *s, size_t len)
{
	char *p = malloc(len + 1), *o = p;

	if (!p)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		if (i + 4 <= len && memcmp(s + i, "\\012", 4) == 0) {
			*o++ = '\n';
			i += 3;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return p;
}

/* "00400000-0040b000 r-xp 00000000 08:01 1234   /bin/cat" */
static int parse_header(const char *line, size_t len, struct core_map *map)
{
	char perms[5];
	unsigned long inode;
	int n = 0;

	memset(map, 0, sizeof(*map));
	if (sscanf(line, "%lx-%lx %4s %lx %*x:%*x %lu%n", &map->start,
		   &map->end, perms, &map->offset, &inode, &n) != 5 ||
	    n <= 0 || map->start >= map->end || strlen(perms) != 4)
		return -EINVAL;
	map->prot = (perms[0] == 'r' ? PF_R : 0) |
		    (perms[1] == 'w' ? PF_W : 0) |
		    (perms[2] == 'x' ? PF_X : 0);
	/* 's' is VM_MAYSHARE; smaps refines it with "sh" (VM_SHARED). */
	if (perms[3] == 's')
		map->vmflags |= VMF_SHARED;
	while ((size_t)n < len && line[n] == ' ')
		n++;
	if ((size_t)n < len) {
		map->path = copy_path(line + n, len - (size_t)n);
		if (!map->path)
			return -ENOMEM;
	}
	return 0;
}

static uint32_t parse_vmflags(const char *s)
{
	static const struct {
		char name[3];
		uint32_t bit;
	} flags[] = {
		{ "sh", VMF_SHARED }, { "io", VMF_IO }, { "pf", VMF_PFNMAP },
		{ "dd", VMF_DONTDUMP }, { "dc", VMF_DONTCOPY },
		{ "wf", VMF_WIPEONFORK }, { "ht", VMF_HUGETLB },
	};
	uint32_t v = 0;

	while (*s) {
		while (*s == ' ')
			s++;
		for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
			if (s[0] == flags[i].name[0] &&
			    s[1] == flags[i].name[1] &&
			    (s[2] == ' ' || s[2] == '\0'))
				v |= flags[i].bit;
		while (*s && *s != ' ')
			s++;
	}
	return v;
}

/* One "Key: value" line of smaps, about the last mapping. */
static void parse_key(const char *line, struct core_map *map)
{
	unsigned long kb;

	if (strncmp(line, "VmFlags:", 8) == 0) {
		map->vmflags = parse_vmflags(line + 8);
		map->have_flags = true;
	} else if ((sscanf(line, "Anonymous: %lu", &kb) == 1 ||
		    sscanf(line, "Swap: %lu", &kb) == 1) && kb > 0) {
		map->written = true;
	}
}

int scr__core_maps_parse(const char *text, size_t len, struct core_maps *m)
{
	const char *end = text + len;
	char line[8192];

	for (const char *s = text; s < end;) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t l = (size_t)((nl ? nl : end) - s);
		const char *sp;
		struct core_map map;
		int e;

		/* A line longer than any the kernel writes but for a long
		 * path: cut, which at worst shortens that path. */
		if (l >= sizeof(line))
			l = sizeof(line) - 1;
		memcpy(line, s, l);
		line[l] = '\0';
		s = nl ? nl + 1 : end;
		sp = memchr(line, ' ', l);
		if (sp && sp > line && sp[-1] == ':') {
			if (m->n)
				parse_key(line, &m->v[m->n - 1]);
			continue;
		}
		e = parse_header(line, l, &map);
		if (e == -ENOMEM)
			return e;
		if (e)
			continue;
		e = add_map(m, &map);
		if (e) {
			free(map.path);
			return e;
		}
	}
	return 0;
}

int scr__core_maps_read(pid_t pid, bool with_flags, struct core_maps *m)
{
	struct core_buf b = { 0 };
	int e = scr__core_slurp(pid, with_flags ? "smaps" : "maps", &b);

	if (e == -ENOENT && with_flags)
		e = scr__core_slurp(pid, "maps", &b);

	if (!e)
		e = scr__core_maps_parse((const char *)b.p, b.len, m);
	scr__core_buf_free(&b);
	return e;
}

int scr__core_filter_read(pid_t pid, uint32_t *filter)
{
	struct core_buf b = { 0 };
	int e = scr__core_slurp(pid, "coredump_filter", &b);
	char *end;

	*filter = CDF_DEFAULT;
	if (e == -ENOENT) {
		e = 0;	/* a kernel without it (CONFIG_ELF_CORE) */
	} else if (!e) {
		unsigned long v = strtoul((const char *)b.p, &end, 16);

		if (end != (char *)b.p)
			*filter = (uint32_t)v & CDF_ALL;
	}
	scr__core_buf_free(&b);
	return e;
}

static bool prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

/* A bracketed name /proc gives an anonymous mapping of the process's own
 * (as opposed to a special mapping the kernel names). */
static bool own_anon_name(const char *path)
{
	return strcmp(path, "[heap]") == 0 || prefix(path, "[stack") ||
	       prefix(path, "[anon:") || prefix(path, "[anon_shmem:");
}

bool scr__core_map_special(const struct core_map *m)
{
	return m->path && m->path[0] == '[' && !own_anon_name(m->path);
}

bool scr__core_map_anonymous(const struct core_map *m)
{
	return !(m->vmflags & VMF_SHARED) &&
	       (!m->path || (m->path[0] == '[' && own_anon_name(m->path)));
}

bool scr__core_map_unlinked(const struct core_map *m)
{
	size_t l;

	if (!m->path || prefix(m->path, "[anon_shmem:"))
		return true;
	l = strlen(m->path);
	return l >= 10 && strcmp(m->path + l - 10, " (deleted)") == 0;
}

/* Backed by a file (vma->vm_file): what /proc names without brackets. */
static bool has_file(const struct core_map *m)
{
	return m->path && m->path[0] != '[';
}

/*
 * vma_dump_size() of fs/coredump.c, from what /proc shows.  Two
 * differences: VM_PFNMAP mappings are never read (as VM_IO ones), since
 * reading device memory may have effects; and a file's first page is
 * kept for ELF headers when it starts with the ELF magic, whatever the
 * file's mode (the kernel also keeps it when the file is executable).
 */
void scr__core_map_decide(struct core_map *m, uint32_t filter, bool all)
{
	unsigned long whole = m->end - m->start;
	bool shared = m->vmflags & VMF_SHARED;

	m->dump = 0;
	m->maybe_elf = false;
	if (all)
		filter = CDF_ALL;
	if (scr__core_map_special(m)) {
		m->dump = whole;	/* [vdso], [vvar], [vsyscall]... */
		return;
	}
	if ((m->vmflags & VMF_DONTDUMP) && !all)
		return;
	if (m->vmflags & VMF_HUGETLB) {
		if (filter & (shared ? CDF_HUGETLB_SHARED :
				       CDF_HUGETLB_PRIVATE))
			m->dump = whole;
		return;
	}
	if (m->vmflags & (VMF_IO | VMF_PFNMAP))
		return;
	if (shared) {
		if (filter & (scr__core_map_unlinked(m) ?
			      CDF_ANON_SHARED : CDF_MAPPED_SHARED))
			m->dump = whole;
		return;
	}
	/* Without smaps nothing says whether it was written: it may have
	 * been. */
	if ((m->written || !m->have_flags) && (filter & CDF_ANON_PRIVATE)) {
		m->dump = whole;
		return;
	}
	if (!has_file(m))
		return;
	if (filter & CDF_MAPPED_PRIVATE) {
		m->dump = whole;
		return;
	}
	if ((filter & CDF_ELF_HEADERS) && m->offset == 0 && (m->prot & PF_R))
		m->maybe_elf = true;
}

void scr__core_maps_free(struct core_maps *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].path);
		free(m->v[i].saved);
	}
	free(m->v);
	memset(m, 0, sizeof(*m));
}
