# Writes the named constants of the host ABIs and their families, as C.
# Run by gen-systab.sh as
#
#   awk -v incs=HEADERS_FILE -v hosts="ABI:RULES ABI:RULES..." \
#       -f consts.awk sys.rules NAMES
#
# NAMES: the constants the system headers define (gen-consts.sh), one a
# line.  sys.rules: its "family" and "alias" lines.  Each ABI's rules may
# give "const NAME VALUE" where the ABI's value is not the headers' one.
# Values are left to the C compiler (the headers are those of the
# target of the build, which may be a cross compiler's).

function die(msg) {
	print "consts.awk: " msg > "/dev/stderr"
	failed = 1
	exit 1
}

function glob_re(g) {
	gsub(/\*/, ".*", g)
	gsub(/\?/, ".", g)
	return "^" g "$"
}

function family_line(f, n,    i, name, fam) {
	name = f[2]
	if (name in fam_id)
		die("family " name " defined twice")
	fam = ++nfam
	fam_id[name] = fam
	fam_name[fam] = name
	if (f[3] != "flags" && f[3] != "enum")
		die("family " name ": say flags or enum, not '" f[3] "'")
	fam_flags[fam] = f[3] == "flags"
	fam_mask[fam] = ""
	fam_npat[fam] = 0
	fam_nex[fam] = 0
	for (i = 4; i <= n; i++) {
		if (f[i] == "listed" || f[i] == "zero") {
			if (!fam_flags[fam])
				die("family " name ": " f[i] " is for flags")
			fam_flags[fam] += f[i] == "listed" ? 2 : 4
		} else if (f[i] ~ /^mask=/) {
			fam_mask[fam] = substr(f[i], 6)
		} else if (f[i] ~ /^!/) {
			fam_ex[fam, ++fam_nex[fam]] = glob_re(substr(f[i], 2))
		} else {
			fam_pat[fam, ++fam_npat[fam]] = glob_re(f[i])
		}
	}
}

function excluded(fam, c,    i) {
	for (i = 1; i <= fam_nex[fam]; i++)
		if (c ~ fam_ex[fam, i])
			return 1
	return 0
}

function is_alias(c,    i) {
	if (c in alias)
		return 1
	for (i = 1; i <= nalias_pat; i++)
		if (c ~ alias_pat[i])
			return 1
	return 0
}

# "value SIGRT_1..32 32+N": names the headers give no constant for,
# each with the C expression of its value (N: the number in the name).
function value_line(name, expr,    pre, lo, hi, i, e, r) {
	if (name == "" || expr == "")
		die("value " name ": say NAME EXPRESSION")
	if (match(name, /[0-9]+\.\.[0-9]+$/)) {
		pre = substr(name, 1, RSTART - 1)
		split(substr(name, RSTART), r, /\.\./)
		lo = r[1] + 0
		hi = r[2] + 0
		for (i = lo; i <= hi; i++) {
			e = expr
			gsub(/N/, i, e)
			value[pre i] = "(" e ")"
			value_order[++nvalue] = pre i
		}
	} else {
		value[name] = "(" expr ")"
		value_order[++nvalue] = name
	}
}

# Adds constant index k to family fam (once), remembering it for the
# constant too (at most four families each).
function add_member(fam, k) {
	if ((fam SUBSEP k) in member)
		return
	member[fam, k] = 1
	mem[fam, ++nmem[fam]] = k
	if (ncf[k] == 4)
		die(cname[k] ": in more than four families")
	cf[k, ++ncf[k]] = fam
}

BEGIN {
	# The headers, with the #if around those only some systems have.
	while ((getline l < incs) > 0)
		if (l ~ /^#(include|if|endif)/)
			print l
	print "#include \"systab.h\""
	print ""
}

FILENAME ~ /sys\.rules$/ {
	sub(/#.*/, "")
	if ($1 == "family")
		family_line(F, split($0, F, /[ \t]+/))
	else if ($1 == "value")
		value_line($2, $3)
	else if ($1 == "alias")
		for (i = 2; i <= NF; i++) {
			if ($i ~ /[*?]/)
				alias_pat[++nalias_pat] = glob_re($i)
			else
				alias[$i] = 1
		}
	next
}

NF == 1 { cname[++nc] = $1; cidx[$1] = nc; next }

END {
	if (failed)
		exit 1
	# The names stay sorted (the C side looks them up by bisection).
	for (i = 1; i <= nvalue; i++) {
		name = value_order[i]
		if (name in cidx)
			continue
		for (k = nc; k >= 1 && cname[k] > name; k--) {
			cname[k + 1] = cname[k]
			cidx[cname[k]] = k + 1
		}
		cname[k + 1] = name
		cidx[name] = k + 1
		nc++
	}
	# Members in preference order: by the family's patterns in turn,
	# names that are not aliases first; aliases last.
	for (fam = 1; fam <= nfam; fam++) {
		for (p = 1; p <= fam_npat[fam]; p++)
			for (k = 1; k <= nc; k++)
				if (cname[k] ~ fam_pat[fam, p] && !excluded(fam, cname[k]) &&
				    !is_alias(cname[k]))
					add_member(fam, k)
		for (p = 1; p <= fam_npat[fam]; p++)
			for (k = 1; k <= nc; k++)
				if (cname[k] ~ fam_pat[fam, p] && !excluded(fam, cname[k]))
					add_member(fam, k)
	}
	for (fam = 1; fam <= nfam; fam++) {
		printf "static const unsigned short fam_%s[] = {", fam_name[fam]
		for (i = 1; i <= nmem[fam]; i++)
			printf "%s%s%d", (i > 1 ? "," : ""), ((i - 1) % 12 ? " " : "\n\t"), mem[fam, i] - 1
		if (nmem[fam] == 0)
			printf "\n\t0"	# C has no empty arrays
		printf "\n};\n"
	}
	print ""
	print "static const struct sys_family families[] = {"
	for (fam = 1; fam <= nfam; fam++) {
		m = fam_mask[fam]
		mf = -1
		if (index(m, ":")) {
			mname = substr(m, index(m, ":") + 1)
			m = substr(m, 1, index(m, ":") - 1)
			if (!(mname in fam_id))
				die("family " fam_name[fam] ": mask of unknown family " mname)
			mf = fam_id[mname] - 1
		} else if (m != "") {
			mf = fam - 1
		}
		if (m == "")
			m = "0"
		else if (m !~ /^(0x)?[0-9a-fA-F]+$/ && !(m in cidx))
			die("family " fam_name[fam] ": mask " m " is no constant the headers define")
		printf "\t{ \"%s\", %d, (long long)(%s), %d, fam_%s, %d },\n",
			fam_name[fam], fam_flags[fam], m, mf, fam_name[fam], nmem[fam]
	}
	print "};"
	print ""
	# One table per host ABI: the same names, the ABI's values.
	nh = split(hosts, H, " ")
	for (h = 1; h <= nh; h++) {
		abi = substr(H[h], 1, index(H[h], ":") - 1)
		rf = substr(H[h], index(H[h], ":") + 1)
		split("", over)
		while ((getline l < rf) > 0) {
			sub(/#.*/, "", l)
			if (split(l, f, /[ \t]+/) >= 3 && f[1] == "const") {
				if (!(f[2] in cidx))
					die(rf ": const " f[2] ": not a constant of the headers")
				over[f[2]] = f[3]
			}
		}
		close(rf)
		printf "static const struct sys_const cv_%s[] = {\n", abi
		for (k = 1; k <= nc; k++) {
			fams = ""
			for (i = 1; i <= 4; i++)
				fams = fams (i > 1 ? ", " : "") (i <= ncf[k] ? cf[k, i] : 0)
			v = cname[k]
			if (v in over)
				v = over[v]
			else if (v in value)
				v = value[v]
			printf "\t{ \"%s\", (long long)(%s), { %s } },\n", cname[k], v, fams
		}
		printf "};\n\n"
		printf "const struct sys_consts scr__consts_%s = {\n", abi
		printf "\tcv_%s, %d, families, %d,\n};\n\n", abi, nc, nfam
	}
}
