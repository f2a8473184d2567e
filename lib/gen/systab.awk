# Writes the C table of one system call ABI: for every call its number,
# and the signature the kernel's prototype gives it, each argument with a
# kind (fd, path, flags of a named family, pointer to a known struct...).
# Run by gen-systab.sh as
#
#   awk -f systab.awk -v abi=NAME -v word=BYTES \
#       phase=rules sys.rules phase=rules ARCH.sysrules \
#       phase=nums NUMBERS phase=proto include/linux/syscalls.h
#
# NUMBERS has one line per call: "NR NAME ENTRY" (ENTRY "-": none).
# Prototypes come from syscalls.h, read with the ABI's kernel
# configuration (the rules' "define" lines) for its #if blocks; a "proto"
# rule replaces or adds one.  Kinds come from the rules ("arg" lines),
# then from the argument's name and C type (see kind_of).  POSIX awk
# (mawk runs it).

function die(msg) {
	print "systab.awk: " abi ": " msg > "/dev/stderr"
	failed = 1
	exit 1
}

function trim(s) {
	sub(/^[ \t]+/, "", s)
	sub(/[ \t]+$/, "", s)
	return s
}

# ---- rules ----------------------------------------------------------

function rule_line(line,    f, n, calls, nc, i, k, rest) {
	sub(/#.*/, "", line)
	line = trim(line)
	if (line == "")
		return
	n = split(line, f, /[ \t]+/)
	if (f[1] == "proto") {
		rest = trim(substr(line, 6))
		if (rest !~ /;$/)
			die("proto rule without ';': " line)
		k = proto_name(rest)
		rule_proto[k] = rest
	} else if (f[1] == "arg") {
		if (n < 4)
			die("arg rule needs CALLS ARG KIND: " line)
		nc = split(f[2], calls, ",")
		rest = ""
		for (i = 4; i <= n; i++)
			rest = rest (i > 4 ? " " : "") f[i]
		for (i = 1; i <= nc; i++)
			argrule[calls[i], f[3]] = rest
	} else if (f[1] == "ret") {
		if (n < 3)
			die("ret rule needs CALLS KIND: " line)
		nc = split(f[2], calls, ",")
		rest = ""
		for (i = 3; i <= n; i++)
			rest = rest (i > 3 ? " " : "") f[i]
		for (i = 1; i <= nc; i++)
			retrule[calls[i]] = rest
	} else if (f[1] == "define") {
		for (i = 2; i <= n; i++) {
			if (index(f[i], "=")) {
				k = substr(f[i], 1, index(f[i], "=") - 1)
				defined[k] = substr(f[i], index(f[i], "=") + 1)
			} else {
				defined[f[i]] = 1
			}
		}
	}
	# abi, numbers, family, alias, const: read by gen-systab.sh.
}

# ---- #if blocks of syscalls.h -----------------------------------------

# Value of one condition: 1 true, 0 false, -1 cannot tell.
function cond_atom(s,    neg, v, name, op, rhs) {
	s = trim(s)
	neg = 0
	while (s ~ /^!/) {
		neg = !neg
		s = trim(substr(s, 2))
	}
	if (s ~ /^\(.*\)$/)
		v = cond_expr(substr(s, 2, length(s) - 2))
	else if (s ~ /^defined[ \t]*\(?[ \t]*[A-Za-z0-9_]+[ \t]*\)?$/) {
		name = s
		sub(/^defined[ \t]*\(?[ \t]*/, "", name)
		sub(/[ \t]*\)?$/, "", name)
		v = (name in defined)
	} else if (s ~ /^[A-Za-z_][A-Za-z0-9_]*[ \t]*(==|!=)[ \t]*[0-9]+$/) {
		name = s
		sub(/[ \t]*(==|!=).*/, "", name)
		op = s
		sub(/^[A-Za-z0-9_]+[ \t]*/, "", op)
		rhs = op
		op = substr(op, 1, 2)
		sub(/^(==|!=)[ \t]*/, "", rhs)
		if (!(name in defined))
			return -1
		v = (defined[name] + 0 == rhs + 0)
		if (op == "!=")
			v = !v
	} else if (s ~ /^[0-9]+$/) {
		v = (s + 0 != 0)
	} else {
		return -1
	}
	if (v < 0)
		return -1
	return neg ? !v : v
}

# "a || b && c" with && binding tighter; parentheses only around atoms.
function cond_expr(s,    ors, nor, ands, nand, i, j, any, all, v) {
	nor = split(s, ors, /\|\|/)
	any = 0
	for (i = 1; i <= nor; i++) {
		nand = split(ors[i], ands, /&&/)
		all = 1
		for (j = 1; j <= nand; j++) {
			v = cond_atom(ands[j])
			if (v < 0)
				all = (all == 0) ? 0 : -1
			else if (v == 0)
				all = 0
		}
		if (all == 1)
			return 1
		if (all < 0)
			any = -1
	}
	return any
}

function push_cond(v) {
	depth++
	cond[depth] = v
	taken[depth] = (v == 1)
}

# Is the current line compiled in: 1, 0, or -1 (depends on something
# the rules do not say)?
function active(    i, r) {
	r = 1
	for (i = 1; i <= depth; i++) {
		if (cond[i] == 0)
			return 0
		if (cond[i] < 0)
			r = -1
	}
	return r
}

function directive(line,    d, rest) {
	d = line
	sub(/^#[ \t]*/, "", d)
	rest = d
	sub(/^[a-z]+[ \t]*/, "", rest)
	sub(/[ \t]*\/\*.*$/, "", rest)
	sub(/[ \t]*$/, "", rest)
	if (d ~ /^ifdef/)
		push_cond(rest in defined)
	else if (d ~ /^ifndef/)
		push_cond(!(rest in defined))
	else if (d ~ /^if/)
		push_cond(cond_expr(rest))
	else if (d ~ /^elif/) {
		if (taken[depth])
			cond[depth] = 0
		else {
			cond[depth] = cond_expr(rest)
			taken[depth] = (cond[depth] == 1)
		}
	} else if (d ~ /^else/) {
		if (cond[depth] < 0)
			cond[depth] = -1
		else
			cond[depth] = !taken[depth]
		taken[depth] = 1
	} else if (d ~ /^endif/)
		depth--
}

# ---- prototypes -------------------------------------------------------

function proto_name(p,    s) {
	s = p
	sub(/^[^(]*[ \t*]/, "", s)
	sub(/[ \t]*\(.*/, "", s)
	return s
}

function proto_line(line) {
	if (inproto) {
		pbuf = pbuf " " trim(line)
	} else if (line ~ /^asmlinkage[ \t]+long[ \t]+sys_[a-z0-9_]+[ \t]*\(/) {
		inproto = 1
		pstate = active()
		pbuf = trim(line)
	} else {
		return
	}
	if (pbuf !~ /;/)
		return
	inproto = 0
	if (pstate == 0)
		return
	sub(/^asmlinkage[ \t]+/, "", pbuf)
	key = proto_name(pbuf)
	if (pstate < 0) {
		unsure[key] = 1
		return
	}
	kernel_proto[key] = pbuf
}

# Splits prototype p into P_name[1..n] and P_type[1..n]; returns n.
# Types are written as C does: "const char *const *".  A parameter
# without a name (the kernel leaves some unnamed) is called argN.
function parse_proto(p, call,    params, np, i, t, toks, nt, last, prev, j, ty) {
	sub(/^[^(]*\(/, "", p)
	sub(/\)[ \t]*;[ \t]*$/, "", p)
	p = trim(p)
	if (p == "void" || p == "")
		return 0
	np = split(p, params, ",")
	for (i = 1; i <= np; i++) {
		t = params[i]
		gsub(/__user|__force/, "", t)
		gsub(/\*/, " * ", t)
		nt = split(trim(t), toks, /[ \t]+/)
		last = toks[nt]
		prev = nt > 1 ? toks[nt - 1] : ""
		if (nt == 1 || last == "*" ||
		    last ~ /^(int|long|short|char|unsigned|signed|void|const)$/ ||
		    prev ~ /^(struct|union|enum)$/) {
			P_name[i] = "arg" i
			unnamed[call] = 1
		} else {
			P_name[i] = last
			nt--
		}
		ty = ""
		for (j = 1; j <= nt; j++) {
			if (toks[j] == "*")
				ty = ty (ty ~ /\*$/ ? "*" : " *")
			else if (ty == "" || ty ~ /\*$/)
				ty = ty toks[j]
			else
				ty = ty " " toks[j]
		}
		P_type[i] = ty
	}
	return np
}

function is64(t) {
	return t ~ /^(loff_t|u64|__u64|s64|__s64|long long|unsigned long long)$/
}

# On a 32-bit ABI a 64-bit argument takes two registers, low word first
# (the kernel's SC_ARG64 on little-endian machines): name_lo, name_hi.
function split64(n,    i, j, m) {
	m = 0
	for (i = 1; i <= n; i++) {
		if (word == 4 && is64(P_type[i])) {
			Q_name[++m] = P_name[i] "_lo"
			Q_type[m] = "u32"
			Q_name[++m] = P_name[i] "_hi"
			Q_type[m] = "u32"
		} else {
			Q_name[++m] = P_name[i]
			Q_type[m] = P_type[i]
		}
	}
	for (j = 1; j <= m; j++) {
		P_name[j] = Q_name[j]
		P_type[j] = Q_type[j]
	}
	return m
}

# ---- kinds ------------------------------------------------------------

function is_ptr(t) { return t ~ /\*$/ }

# The struct a pointer type points to, as the decoders name it:
# "struct __kernel_timespec *" -> "timespec".
function struct_of(t,    s) {
	s = t
	if (s !~ /struct [A-Za-z0-9_]+/)
		return ""
	sub(/.*struct /, "", s)
	sub(/[ *].*/, "", s)
	sub(/^__kernel_/, "", s)
	sub(/^__/, "", s)
	return s
}

function size_name(n) {
	return n ~ /^(count|len|size|bufsiz|nbytes|sizemask|sigsetsize|msg_len|msgsz|usize|argsz|plen|bytecount|sz|cmdline_len|optlen|addrlen|arg3)$/
}

# Sets K_kind, K_detail, K_opt, K_ref for argument i of call (n args).
function kind_of(call, i, n,    nm, t, r, f, nf, j, base) {
	nm = P_name[i]
	t = P_type[i]
	K_kind = ""; K_detail = ""; K_opt = 0; K_ref = ""
	r = ""
	if ((call SUBSEP nm) in argrule)
		r = argrule[call, nm]
	else if (("*" SUBSEP nm) in argrule)
		r = argrule["*", nm]
	if (r != "") {
		nf = split(r, f, " ")
		K_kind = f[1]
		for (j = 2; j <= nf; j++) {
			if (f[j] == "opt")
				K_opt = 1
			else if (f[j] ~ /^ref=/)
				K_ref = substr(f[j], 5)
			else
				K_detail = f[j]
		}
		if (K_kind ~ /^(in|out|inout)$/ && K_detail == "")
			K_detail = struct_of(t)
		if (K_detail == "bytes")
			K_detail = ""
		return
	}
	if (is_ptr(t)) {
		base = t
		sub(/ *\*+$/, "", base)
		sub(/^const /, "", base)
		if (t ~ /char \*(const )?\*$/) {
			K_kind = "strv"
		} else if (i < n && size_name(P_name[i + 1]) && !is_ptr(P_type[i + 1]) &&
		    (base == "char" || base == "void" || base == "unsigned char")) {
			K_kind = t ~ /^const / ? "in" : "out"
		} else if (base == "char" && t ~ /^const /) {
			K_kind = nm ~ /(path|file|name$|^old$|^new$|root|put_old|library|special)/ ? "path" : "str"
		} else if (base == "char" && nm ~ /(path|file|dir_name|dev_name|^name$)/) {
			K_kind = "path"
		} else if (struct_of(t) != "") {
			K_kind = t ~ /^const / ? "in" : "out"
			K_detail = struct_of(t)
		} else if (base ~ /^(int|unsigned int|unsigned|u32|__u32|s32|uid_t|gid_t|old_uid_t|old_gid_t|size_t|loff_t|off_t|long|unsigned long|timer_t|__kernel_old_time_t|old_time32_t|sigset_t|old_sigset_t|key_serial_t)$/) {
			K_kind = t ~ /^const / ? "in" : "inout"
			K_detail = base
		} else {
			K_kind = "ptr"
		}
		return
	}
	if (t == "umode_t")
		K_kind = "mode"
	else if (t == "pid_t")
		K_kind = "pid"
	else if (t == "clockid_t") {
		K_kind = "enum"
		K_detail = "clock"
	} else if (nm ~ /^(fd|fildes|oldfd|newfd|epfd|ufd|fdin|fdout|fd_in|fd_out|in_fd|out_fd|pidfd|mountdirfd|kernel_fd|initrd_fd|fanotify_fd|ruleset_fd|fs_fd|mqdes)$/)
		K_kind = "fd"
	else if (nm ~ /^(dfd|olddfd|newdfd|from_dfd|to_dfd|dirfd)$/)
		K_kind = "dirfd"
	else if (nm == "sig")
		K_kind = "signal"
	else if (size_name(nm) && i > 1 && is_ptr(P_type[i - 1]))
		K_kind = "size"
	else if (nm ~ /^(addr|start|brk|new_addr)$/ && t ~ /^unsigned long$/)
		K_kind = "addr"
	else
		K_kind = "int"
}

function c_str(s) {
	return s == "" ? "NULL" : "\"" s "\""
}

function kind_const(k) {
	if (!(k in KIND))
		die("unknown kind '" k "'")
	return KIND[k]
}

function arg_index(call, n, name,    j) {
	for (j = 1; j <= n; j++)
		if (P_name[j] == name)
			return j - 1
	die(call ": ref to unknown argument '" name "'")
}

# Emits the signature of call (n arguments in P_*) and returns its C name.
function emit_sig(call, n,    i, text, nreq, key, ref, rk, rd, j, kinds, refs) {
	nreq = n
	text = ""
	for (i = 1; i <= n; i++) {
		kind_of(call, i, n)
		kinds[i] = K_kind
		S_detail[i] = K_detail
		S_ref[i] = K_ref
		if (K_opt && nreq == n)
			nreq = i - 1
		if (!K_opt && nreq < n)
			die(call ": required argument '" P_name[i] "' after an optional one")
	}
	# A size or count belongs to a pointer: the one the rule names, or
	# the pointer just before it.  The pointer is linked back.
	for (i = 1; i <= n; i++)
		refs[i] = -1
	for (i = 1; i <= n; i++) {
		if (S_ref[i] != "") {
			j = arg_index(call, n, S_ref[i])
			refs[i] = j
			if (refs[j + 1] < 0)
				refs[j + 1] = i - 1
		} else if ((kinds[i] == "size" || kinds[i] == "count") && i > 1 &&
		    kinds[i - 1] ~ /^(in|out|inout)$/) {
			refs[i] = i - 2
			if (refs[i - 1] < 0)
				refs[i - 1] = i - 1
		}
	}
	for (i = 1; i <= n; i++)
		text = text sprintf("\t{ %s, %s, %s, %s, %d },\n",
			c_str(P_name[i]), c_str(P_type[i]), c_str(S_detail[i]),
			kind_const(kinds[i]), refs[i])
	rk = "int"; rd = ""
	if (call in retrule) {
		split(retrule[call], f, " ")
		rk = f[1]
		rd = f[2]
	}
	key = n SUBSEP nreq SUBSEP rk SUBSEP rd SUBSEP text
	if (key in sig_seen)
		return sig_seen[key]
	nsig++
	sig_seen[key] = "sig_" abi "_" nsig
	if (n > 0) {
		printf "static const struct sys_arg args_%s_%d[] = {\n%s};\n", abi, nsig, text
		printf "static const struct sys_sig sig_%s_%d = { args_%s_%d, %d, %d, %s, %s };\n\n",
			abi, nsig, abi, nsig, n, nreq, kind_const(rk), c_str(rd)
	} else {
		printf "static const struct sys_sig sig_%s_%d = { NULL, 0, 0, %s, %s };\n\n",
			abi, nsig, kind_const(rk), c_str(rd)
	}
	return sig_seen[key]
}

# The prototype an entry point stands for, or "".
function proto_for(entry,    e) {
	e = entry
	sub(/^__(x64|ia32|arm64|riscv)_/, "", e)
	if (e in rule_proto)
		return rule_proto[e]
	if (e in unsure)
		die("the prototype of " e " depends on a kernel option the rules do not set (add a define line)")
	if (e in kernel_proto)
		return kernel_proto[e]
	if (e ~ /^sys_ia32_/) {
		sub(/^sys_ia32_/, "sys_", e)
		return proto_for(e)
	}
	return ""
}

BEGIN {
	KIND["int"] = "SCR_ARG_INT"
	KIND["fd"] = "SCR_ARG_FD"
	KIND["dirfd"] = "SCR_ARG_DIRFD"
	KIND["path"] = "SCR_ARG_PATH"
	KIND["str"] = "SCR_ARG_STR"
	KIND["flags"] = "SCR_ARG_FLAGS"
	KIND["enum"] = "SCR_ARG_ENUM"
	KIND["mode"] = "SCR_ARG_MODE"
	KIND["signal"] = "SCR_ARG_SIGNAL"
	KIND["pid"] = "SCR_ARG_PID"
	KIND["addr"] = "SCR_ARG_ADDR"
	KIND["size"] = "SCR_ARG_SIZE"
	KIND["count"] = "SCR_ARG_COUNT"
	KIND["in"] = "SCR_ARG_IN"
	KIND["out"] = "SCR_ARG_OUT"
	KIND["inout"] = "SCR_ARG_INOUT"
	KIND["strv"] = "SCR_ARG_STRV"
	KIND["ptr"] = "SCR_ARG_PTR"
	if (abi == "" || word == "")
		die("set -v abi=NAME -v word=BYTES")
	defined["BITS_PER_LONG"] = word * 8
	depth = 0
}

phase == "rules" { rule_line($0); next }
phase == "nums" {
	if (NF != 3)
		die("bad numbers line: " $0)
	ncalls++
	c_nr[ncalls] = $1
	c_name[ncalls] = $2
	c_entry[ncalls] = $3
	next
}
phase == "proto" {
	if (!inproto && $0 ~ /^[ \t]*#[ \t]*(if|ifdef|ifndef|elif|else|endif)/)
		directive($0)
	else
		proto_line($0)
	next
}

END {
	if (failed)
		exit 1
	if (ncalls == 0)
		die("no system calls in the numbers file")
	printf "/* ABI %s: %d system calls. */\n\n", abi, ncalls
	known = 0
	for (c = 1; c <= ncalls; c++) {
		p = c_entry[c] ~ /^(-|sys_ni_syscall)$/ ? "" : proto_for(c_entry[c])
		if (p == "") {
			sig[c] = "NULL"
			nosig = nosig " " c_name[c]
			continue
		}
		n = parse_proto(p, c_name[c])
		n = split64(n)
		if (n > 6)
			die(c_name[c] ": " n " arguments after splitting 64-bit ones")
		if (c_name[c] in unnamed && !((proto_name(p)) in rule_proto))
			die(c_name[c] ": the prototype of " proto_name(p) " leaves arguments unnamed; name them with a proto rule")
		sig[c] = "&" emit_sig(c_name[c], n)
		known++
	}
	# Sorted by name: awk has no sort, so insertion sort (a few hundred).
	for (c = 1; c <= ncalls; c++)
		ord[c] = c
	for (c = 2; c <= ncalls; c++) {
		v = ord[c]
		for (j = c - 1; j >= 1 && c_name[ord[j]] > c_name[v]; j--)
			ord[j + 1] = ord[j]
		ord[j + 1] = v
	}
	printf "static const struct sys_call calls_%s[] = {\n", abi
	for (c = 1; c <= ncalls; c++)
		printf "\t{ \"%s\", %d, %s },\n", c_name[ord[c]], c_nr[ord[c]], sig[ord[c]]
	printf "};\n\n"
	# The same calls in number order, as indices into calls_ABI.
	for (c = 1; c <= ncalls; c++)
		pos[ord[c]] = c - 1
	for (c = 1; c <= ncalls; c++)
		byn[c] = c
	for (c = 2; c <= ncalls; c++) {
		v = byn[c]
		for (j = c - 1; j >= 1 && c_nr[byn[j]] + 0 > c_nr[v] + 0; j--)
			byn[j + 1] = byn[j]
		byn[j + 1] = v
	}
	printf "static const unsigned short bynr_%s[] = {\n", abi
	for (c = 1; c <= ncalls; c++)
		printf "\t%d,\t/* %s */\n", pos[byn[c]], c_name[byn[c]]
	printf "};\n\n"
	printf "#define CALLS_%s %d\n", abi, ncalls
	printf "#define SIGNED_%s %d\n\n", abi, known
	print abi ": " ncalls " calls, " known " with a signature; without:" nosig > "/dev/stderr"
}
