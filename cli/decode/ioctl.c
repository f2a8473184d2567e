/*
 * ioctl's third argument: an int or a pointer, by request.  Where the
 * kernel writes through it (TCGETS, TIOCGWINSZ, FIONREAD, and any
 * request encoded with _IOC_READ), it is a place for the call to write:
 * a raw address there, as a trace shows it, would have the kernel
 * write over whatever the process keeps at that address, so it takes
 * buf(N), int(N) or strace's {...} / [...] instead; for a request
 * not known here, an address is refused all the same (a small number
 * passes).  And struct winsize, TIOCGWINSZ's and TIOCSWINSZ's.
 */
#include <string.h>

#include "decode.h"

/* asm-generic/ioctl.h, the same on the four ABIs. */
#define IOC_DIR(nr) ((nr) >> 30 & 3)
#define IOC_SIZE(nr) ((nr) >> 16 & 0x3fff)
#define IOC_READ 2U

/* Requests of the old encoding that write an int. */
static const char *const int_out[] = {
	"FIONREAD", "TIOCOUTQ", "TIOCGPGRP", "TIOCGSID", "TIOCGPTN",
	"TIOCGETD", "TIOCMGET", "TIOCGPTLCK", "TIOCGPKT", "TIOCGEXCL",
	"TIOCGSOFTCAR", "FIOGETOWN", "TIOCGDEV", NULL
};
/* ... that read one. */
static const char *const int_in[] = {
	"FIONBIO", "FIOASYNC", "TIOCSPGRP", "TIOCSETD", "TIOCMSET",
	"TIOCMBIS", "TIOCMBIC", "TIOCSPTLCK", "TIOCPKT", "TIOCSSOFTCAR",
	"FIOSETOWN", NULL
};
/* ... and those that read a struct, where a raw address does no harm. */
static const char *const reads[] = {
	"TCSETS", "TCSETSW", "TCSETSF", "TCSETS2", "TCSETSW2", "TCSETSF2",
	"TCSETA", "TCSETAW", "TCSETAF", "TCSETX", "TCSETXW", "TCSETXF",
	"TIOCSLCKTRMIOS", "TIOCSSERIAL", "TIOCSTI", "TIOCSRS485",
	"TIOCSISO7816", NULL
};
/* ... and those that write something else. */
static const char *const bytes_out[] = {
	"TCGETS", "TCGETS2", "TCGETA", "TCGETX", "TIOCGLCKTRMIOS",
	"TIOCGSERIAL", "TIOCGICOUNT", "TIOCGRS485", "TIOCGISO7816", NULL
};

static void ioctl_arg(const struct sys_abi *abi, unsigned int i,
		      const unsigned long *v, const unsigned char *known,
		      struct argtype *t)
{
	unsigned long req = v[1] & 0xffffffffUL;

	if (i != 2 || !known[1])
		return;
	if (sym_is(abi, req, "TIOCGWINSZ")) {
		t->kind = SCR_ARG_OUT;
		t->detail = "winsize";
		return;
	}
	if (sym_is(abi, req, "TIOCSWINSZ")) {
		t->kind = SCR_ARG_IN;
		t->detail = "winsize";
		return;
	}
	if (sym_is_any(abi, req, int_out)) {
		t->kind = SCR_ARG_OUT;
		t->detail = "int";
	} else if (sym_is_any(abi, req, int_in)) {
		t->kind = SCR_ARG_IN;
		t->detail = "int";
	} else if (sym_is_any(abi, req, bytes_out) ||
		   ((IOC_DIR(req) & IOC_READ) && IOC_SIZE(req))) {
		t->kind = SCR_ARG_OUT;
		t->detail = NULL;
	} else if (!sym_is_any(abi, req, reads) &&
		   !(IOC_DIR(req) && IOC_SIZE(req))) {
		/* Not known: it may write through an address (FIOQSIZE,
		 * SIOCGIFCONF), so none is taken; small numbers are. */
		t->detail = "unknown";
	}
}

static const struct field winsize_f[] = {
	{ "ws_row", FT_U16, SH_DEC, 0, NULL, NULL, 0, 0, 0, NULL },
	{ "ws_col", FT_U16, SH_DEC, 0, NULL, NULL, 0, 0, 0, NULL },
	{ "ws_xpixel", FT_U16, SH_DEC, 0, NULL, NULL, 0, 0, 0, NULL },
	{ "ws_ypixel", FT_U16, SH_DEC, 0, NULL, NULL, 0, 0, 0, NULL },
};
static const struct sdesc winsize_d = { "winsize", winsize_f,
					NFIELDS(winsize_f) };

static const struct sdesc *winsize(const struct sys_abi *abi)
{
	(void)abi;
	return &winsize_d;
}

static const struct dstruct structs[] = {
	{ "winsize", winsize, NULL, NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static const struct callhook hooks[] = {
	{ "ioctl", ioctl_arg, NULL, NULL },
	{ NULL, NULL, NULL, NULL },
};

const struct decoder decoder_ioctl = { "ioctl", structs, hooks };
