# Writes the constants of each family as bash assignments for the
# completion (completion/scremote.bash.in), from the generated tables:
#   awk -f families.awk build/gen/systab.c
# The first host ABI's constant table gives the names by index; each
# fam_NAME array lists indices.
/^static const struct sys_const cv_/ { if (!done) intable = 1; next }
intable && /^};/ { intable = 0; done = 1; next }
intable { split($0, q, "\""); names[n++] = q[2]; next }
/^static const unsigned short fam_[a-z0-9_]+\[\] = \{/ {
	fam = $5
	sub(/^fam_/, "", fam)
	sub(/\[\]$/, "", fam)
	list = ""
	infam = 1
	next
}
infam && /^};/ {
	fams[fam] = list
	order[nf++] = fam
	infam = 0
	next
}
infam {
	gsub(/[ \t]/, "")
	k = split($0, idx, ",")
	for (i = 1; i <= k; i++)
		if (idx[i] != "")
			member[fam, ++cnt[fam]] = idx[i]
	next
}
END {
	for (i = 0; i < nf; i++) {
		fm = order[i]
		s = ""
		for (j = 1; j <= cnt[fm]; j++)
			s = s (j > 1 ? " " : "") names[member[fm, j]]
		printf "_scremote_fam_%s='%s'\n", fm, s
	}
}
