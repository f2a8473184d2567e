#!/usr/bin/env python3
"""Writes the seed corpus of the fuzz harnesses into fuzz/corpus/NAME/.

The seeds are committed; run this again only to change them.  Each seed
is a meaningful input: a real call of the README, a real seccomp filter
(allow-lists with an architecture check, as libseccomp and systemd make
them), a real /proc text.
"""
import os
import struct
import sys

TOP = os.path.dirname(os.path.abspath(__file__))


def write(harness, name, data):
    d = os.path.join(TOP, "corpus", harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---- parse: b"0" + index byte + -e text, or b"1" + words split by NUL --
CALLS = [
    'openat(AT_FDCWD, "/tmp/log", O_WRONLY|O_CREAT|O_APPEND, 0644)',
    "dup2($1, 1)", "close($1)", "close(7)", "getpid()", "getpid",
    'chdir("/srv/new")', "setsockopt(9, SOL_SOCKET, SO_KEEPALIVE, int(1), 4)",
    "getsockopt(9, SOL_SOCKET, SO_RCVBUF, int(0), int(4))",
    "lseek(3, 0, SEEK_CUR)", "fadvise64(3, 0, 0, POSIX_FADV_DONTNEED)",
    "getcwd(buf(4096), 4096)", "read(0, buf(16), 16)", "#39", "syscall_231(0)",
    'write(1, bytes("\\x01\\x02\\0\\377"), 4)', "kill($1, 0)",
    "mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)",
    "exit_group(7)", 'execve("/bin/sleep", NULL, NULL)',
    "ioctl(0, 0x5401, buf(60))", "prctl(PR_SET_NAME, \"x\\ty\\n\\e\\a\\v\\f\\r\\b\\?\\'\")",
    "lseek(3, -0x8000000000000000, SEEK_SET)", "close(0xffffffffffffffff)",
    "close('c')", "close('\\n')", "opnat(1)", "getpdi()", 'chdir("/tmp)',
    "close(08)", "close(99999999999999999999999)", "mmap(1, 2, 3, 4, 5, 6, 7)",
    "close($0)", "close($9)", "close(1) junk", "read(0, buf(0), 1)",
    "read(0, buf(2000000), 1)", "setsockopt(1, 2, 3, int(4294967296), 4)",
    'openat(AT_FDCWD, "x", O_CRAET)', "close(/tmp)", "close(", "close(1,",
    "close(1 2)", "", "   ", "#", "# 1", "syscall_", "close(\"\\x\")",
    "close(\"\\400\")", "close(-)", "close(''')", "close('ab')", "f(",
]
# Expressions, families, structs and arrays, lines of strace's output.
CALLS += [
    "fcntl(3, F_SETFL, $1|O_NONBLOCK)", "fcntl(3, F_SETFL, ($1 & ~O_APPEND) | 8)",
    "fcntl(3, F_GETFL) = 0x8002 (flags O_RDWR|O_LARGEFILE)",
    "lseek(3, (1 << 12) * 2 - -1 ^ 3, SEEK_SET)", "openat(AT_FDCWD, \"x\", SEEK_END)",
    "prlimit64(0, RLIMIT_NOFILE, {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}, NULL)",
    "prlimit64(0, RLIMIT_NOFILE, NULL, {rlim_cur=1, ...})",
    'connect(3, {sa_family=AF_INET, sin_port=htons(8080), sin_addr=inet_addr("127.0.0.1")}, 16)',
    'bind(3, {sa_family=AF_INET6, sin6_port=htons(22), inet_pton(AF_INET6, "::1", &sin6_addr)}, 28)',
    'bind(3, {sa_family=AF_UNIX, sun_path=@"x\0y"}, 110)',
    'writev(1, [{iov_base="ab", iov_len=2}, {iov_base=buf(4)}], 2)',
    'execve("/bin/sh", ["/bin/sh", "-c", "x", NULL], NULL)',
    "rt_sigprocmask(SIG_BLOCK, ~[KILL STOP RTMIN RT_3], [], 8)",
    "pipe2([3, 4], O_CLOEXEC)", "fstat(3, {st_mode=S_IFREG|0644, st_size=5, ...})",
    "newfstatat(AT_FDCWD, \"/x\", {st_atime=0 /* 1970-01-01T00:00:00+0000 */}, 0)",
    "poll([{fd=0, events=POLLIN|POLLPRI}], 1, 0)",
    "getsockopt(3, SOL_SOCKET, SO_LINGER, {l_onoff=1}, [8])",
    "getsockopt(3, IPPROTO_TCP, TCP_INFO, {tcpi_state=TCP_LISTEN}, [232])",
    "setsockopt(3, SOL_SOCKET, SO_RCVTIMEO, {tv_sec=1, tv_usec=0}, 16)",
    "fcntl(3, F_SETLK, {l_type=F_WRLCK, l_whence=SEEK_SET, l_start=0, l_len=0})",
    "epoll_ctl(3, EPOLL_CTL_ADD, 4, {events=EPOLLIN, data={u64=4}})",
    '[pid  42] write(1, "hello"..., 100) = 100', "read(3, \"x\", 10) = 1",
    "timerfd_settime(3, 0, {it_interval={tv_sec=1, tv_nsec=0}, it_value={tv_sec=1}}, NULL)",
    "uname({sysname=\"Linux\", ...})", "close(((((((((1))))))))",
    "lseek(3, ~~~~~~1, SEEK_SET)", "prlimit64(0, 7, {{{{", "write(1, [[[[", "kill(1, [INT])",
]
for i, c in enumerate(CALLS):
    write("parse", "call%02d" % i, b"0" + bytes([1 + i % 4]) + c.encode())

# Memory a target wrote, shown as every decoded type.
for i, b in enumerate([bytes(range(256)), b"\x02\x00\x1f\x90\x7f\x00\x00\x01" + bytes(8),
                       b"\x01\x00" + b"\0abstract", b"\xff" * 64, b""]):
    write("parse", "mem%02d" % i, b"2" + b)

WORDS = [
    ["close", "7"], ["lseek", "3", "0", "SEEK_CUR"], ["getcwd", "buf(4096)", "4096"],
    ["chdir", '"/srv/new"'], ["openat", "AT_FDCWD", '"/tmp/with space.log"',
                               "O_WRONLY|O_CREAT|O_TRUNC", "0600"],
    ["close", "-1"], ["close", "$1"], ["opnat", "1"], ["chdir", "/tmp"],
    ["close(3)"], ["close", "1 2"], ["read", "0", "buf(16)", "16"],
    ["dup3", "5", "1", "0"], ["mmap", "1", "2", "3", "4", "5", "6", "7"],
    [""], ["#39"], ["kill", "1", "SIGKILL"], ["getpid", ""],
]
for i, w in enumerate(WORDS):
    write("parse", "words%02d" % i, b"1" + b"\0".join(x.encode() for x in w))


# ---- seccomp: seccomp_data, count, then (len16, insns) per filter --------
LD, W, ABS, IMM, MEM, LEN = 0x00, 0x00, 0x20, 0x00, 0x60, 0x80
LDX, ST, STX, ALU, JMP, RET, MISC = 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07
K, X, A = 0x00, 0x08, 0x10
JA, JEQ, JGT, JGE, JSET = 0x00, 0x10, 0x20, 0x30, 0x40
ADD, SUB, MUL, DIV, OR, AND, LSH, RSH, NEG, MOD, XOR = (
    0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, 0x90, 0xa0)
TAX, TXA = 0x00, 0x80

KILL_PROCESS, KILL_THREAD, TRAP, ERRNO = 0x80000000, 0, 0x00030000, 0x00050000
USER_NOTIF, TRACE, LOG, ALLOW = 0x7fc00000, 0x7ff00000, 0x7ffc0000, 0x7fff0000
AUDIT_X86_64, AUDIT_I386, AUDIT_AARCH64 = 0xc000003e, 0x40000003, 0xc00000b7
OFF_NR, OFF_ARCH, OFF_IP, OFF_ARG = 0, 4, 8, 16


def stmt(code, k):
    return struct.pack("<HBBI", code, 0, 0, k & 0xffffffff)


def jump(code, k, jt, jf):
    return struct.pack("<HBBI", code, jt, jf, k & 0xffffffff)


def data(nr, arch=AUDIT_X86_64, ip=0x7ffff7fc1000, args=(0,) * 6):
    return struct.pack("<iIQ6Q", nr, arch, ip, *args)


def prog(*insns):
    body = b"".join(insns)
    return struct.pack("<H", len(insns) - 1) + body   # harness adds 1


def seed(name, d, *progs):
    write("seccomp", name, d + bytes([len(progs)]) + b"".join(progs))


def on_nr(nr, action):
    return [jump(JMP | JEQ | K, nr, 0, 1), stmt(RET | K, action)]


arch_check = [stmt(LD | W | ABS, OFF_ARCH),
              jump(JMP | JEQ | K, AUDIT_X86_64, 1, 0),
              stmt(RET | K, KILL_PROCESS), stmt(LD | W | ABS, OFF_NR)]
tests_filter = [stmt(LD | W | ABS, OFF_NR)] + on_nr(110, KILL_PROCESS) + \
    on_nr(102, ERRNO | 77) + on_nr(186, TRAP) + [
    jump(JMP | JEQ | K, 121, 0, 3), stmt(LD | W | ABS, OFF_ARG),
    jump(JMP | JEQ | K, 12345, 0, 1), stmt(RET | K, KILL_THREAD),
    stmt(RET | K, ALLOW)]
for nr in (110, 102, 186, 121, 39):
    seed("tests_filter_nr%d" % nr, data(nr, args=(12345, 0, 0, 0, 0, 0)),
         prog(*tests_filter))
allow = [0, 1, 3, 9, 11, 12, 39, 60, 202, 231]
allowlist = list(arch_check)
for i, nr in enumerate(allow):
    allowlist.append(jump(JMP | JEQ | K, nr, len(allow) - i, 0))
allowlist += [stmt(RET | K, ERRNO | 1), stmt(RET | K, ALLOW)]
for nr in (0, 231, 59, 400, -1):
    seed("allowlist_nr%d" % (nr & 0xffff), data(nr), prog(*allowlist))
seed("allowlist_i386", data(1, AUDIT_I386), prog(*allowlist))
seed("allowlist_aarch64", data(1, AUDIT_AARCH64), prog(*allowlist))
# Stacked filters: the verdict of highest precedence wins.
for a1, a2, tag in ((ALLOW, LOG, "allow_log"), (ERRNO | 5, TRAP, "errno_trap"),
                    (TRACE, USER_NOTIF, "trace_notif"), (KILL_THREAD, ALLOW, "kt_allow")):
    seed("stacked_" + tag, data(1), prog(stmt(RET | K, a1)), prog(stmt(RET | K, a2)))
# Arithmetic, scratch memory, X register and every jump kind.
alu = [stmt(LD | W | ABS, OFF_ARG), stmt(ST, 3), stmt(LDX | IMM, 7)]
for op in (ADD, SUB, MUL, DIV, OR, AND, LSH, RSH, MOD, XOR):
    alu += [stmt(ALU | op | K, 3), stmt(ALU | op | X, 0)]
alu += [stmt(ALU | NEG, 0), stmt(MISC | TAX, 0), stmt(LD | MEM, 3),
        stmt(MISC | TXA, 0), stmt(STX, 15), stmt(LDX | MEM, 15),
        stmt(LD | W | LEN, 0), stmt(LDX | W | LEN, 0), stmt(LD | IMM, 5),
        jump(JMP | JGT | K, 4, 0, 4), jump(JMP | JGE | X, 0, 3, 0),
        jump(JMP | JSET | K, 1, 0, 2), stmt(JMP | JA, 1),
        stmt(RET | K, TRAP), stmt(RET | A, 0), stmt(RET | K, ALLOW)]
seed("alu_all_ops", data(1, args=(0xdeadbeef, 2, 3, 4, 5, 6)), prog(*alu))
seed("div_by_zero", data(1), prog(stmt(LD | IMM, 9), stmt(ALU | DIV | K, 0),
                                   stmt(ALU | MOD | X, 0), stmt(RET | A, 0)))
seed("ip_and_high_arg", data(1, ip=0xffffffffff600000, args=(1 << 40,) * 6),
     prog(stmt(LD | W | ABS, OFF_IP + 4), jump(JMP | JEQ | K, 0xffffffff, 0, 1),
          stmt(RET | K, KILL_PROCESS), stmt(LD | W | ABS, OFF_ARG + 4),
          stmt(RET | A, 0)))
# Programs the kernel would refuse: each must count as KILL, not crash.
seed("bad_load_offset", data(1), prog(stmt(LD | W | ABS, 64), stmt(RET | A, 0)))
seed("bad_load_unaligned", data(1), prog(stmt(LD | W | ABS, 2), stmt(RET | A, 0)))
seed("bad_mem_slot", data(1), prog(stmt(ST, 16), stmt(RET | K, ALLOW)))
seed("bad_jump_past_end", data(1), prog(stmt(JMP | JA, 5), stmt(RET | K, ALLOW)))
seed("bad_cond_jump", data(1), prog(jump(JMP | JEQ | K, 1, 200, 200)))
seed("falls_off_end", data(1), prog(stmt(LD | IMM, 1)))
seed("bad_opcode", data(1), prog(stmt(0xffff, 0), stmt(RET | K, ALLOW)))
seed("bad_alu_op", data(1), prog(stmt(ALU | 0xf0, 0), stmt(RET | K, ALLOW)))
seed("no_filters", data(1))
seed("max_len_header", data(1) + b"\x01\xff\x0f" + stmt(RET | K, ALLOW))


# ---- procfs: a byte (chunk size, signal), then the text ----------------
def proc(name, text, first=0):
    write("procfs", name, bytes([first]) + text)


status = (b"Name:\tsleep\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t4242\n"
          b"Ngid:\t0\nPid:\t4242\nPPid:\t1\nTracerPid:\t0\n"
          b"Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nSigQ:\t0/63523\n"
          b"SigPnd:\t0000000000000000\nShdPnd:\t0000000000000000\n"
          b"SigBlk:\t0000000000000000\nSigIgn:\t0000000000000004\n"
          b"SigCgt:\t0000000000000000\nNoNewPrivs:\t1\nSeccomp:\t2\n"
          b"Seccomp_filters:\t1\n")
for i, chunk in enumerate((0, 1, 7, 63)):
    proc("status_chunk%d" % chunk, status, chunk)
proc("status_no_seccomp", status.replace(b"Seccomp:\t2\nSeccomp_filters:\t1\n", b""))
proc("status_seccomp_9", status.replace(b"Seccomp:\t2", b"Seccomp:\t9"))
proc("status_seccomp_empty", status.replace(b"Seccomp:\t2", b"Seccomp:"))
proc("status_sigign_bad", status.replace(b"0000000000000004", b"zz"), 5)
proc("status_name_newline", status.replace(b"Name:\tsleep",
                                          b"Name:\tx\nSigIgn:\tffffffffffffffff"), 64)
proc("status_truncated", status[:60])
stat = (b"4242 (sleep) S 1 4242 4242 34816 4242 4194304 120 0 0 0 0 0 0 0 20 0 1 0 "
        b"123456789 5890048 127 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 3 0 0 0 0 0\n")
proc("stat", stat)
proc("stat_chunk3", stat, 3)
proc("stat_paren_name", stat.replace(b"(sleep)", b"(a) S 1 2 (b) ))"))
proc("stat_space_name", stat.replace(b"(sleep)", b"(a b c d e f g h i j)"))
proc("stat_short", b"4242 (sleep) S 1 4242")
proc("stat_no_paren", b"4242 sleep S 1 4242")
proc("stat_zombie", stat.replace(b") S", b") Z"))
proc("stat_nothing_after", b"1 (x)")
maps = (b"55d4c0a00000-55d4c0a02000 r--p 00000000 08:01 1234  /usr/bin/sleep\n"
        b"7ffd1c9f1000-7ffd1ca12000 rw-p 00000000 00:00 0  [stack]\n"
        b"7ffd1cbf8000-7ffd1cbfc000 r--p 00000000 00:00 0  [vvar]\n"
        b"7ffd1cbfc000-7ffd1cbfe000 r-xp 00000000 00:00 0  [vdso]\n")
proc("maps", maps)
proc("maps_vdso_reversed", maps.replace(b"7ffd1cbfc000-7ffd1cbfe000", b"7ffd1cbfe000-7ffd1cbfc000"))
proc("maps_vdso_garbage", b"zz-yy r-xp 0 0 0 [vdso]\n")
proc("maps_long_line", b"1-2 " + b"x" * 600 + b" [vdso]\n3-4 r-xp 0 0 0 [vdso]")
proc("fdinfo_pidfd", b"pos:\t0\nflags:\t02000002\nmnt_id:\t15\nino:\t1063\nPid:\t4242\nNSpid:\t4242\n")
proc("fdinfo_dead", b"pos:\t0\nflags:\t02000002\nPid:\t-1\n")
proc("fdinfo_huge", b"x\nPid:\t99999999999999999999\n")
proc("empty", b"")
