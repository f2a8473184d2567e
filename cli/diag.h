/* Explanations of failures to attach, from what /proc tells us. */
#ifndef CLI_DIAG_H
#define CLI_DIAG_H

#include <stdio.h>
#include <sys/types.h>

/* err is the negative errno scr_attach() returned. */
void explain_attach(FILE *f, pid_t pid, int err);

/* A field of /proc/PID/status ("TracerPid"), copied into buf; -1 if the
 * file or the field is missing. */
int proc_status_field(pid_t pid, const char *field, char *buf, size_t size);

/* Does the process have CAP_SYS_PTRACE in its effective set? */
int have_cap_sys_ptrace(void);

#endif
