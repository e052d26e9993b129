# Sourced by the benchmark scripts: shared helpers over `cache --print-stats` /
# `ccache --print-stats` output (NAME<TAB>VALUE lines).

# stat_sum BEFORE AFTER NAME...: sum over NAMEs of (after - before), from two files of
# --print-stats output.
stat_sum() {
	local before=$1 after=$2
	shift 2
	awk -F '\t' -v names="$*" '
		BEGIN { n = split(names, want, " "); for (i = 1; i <= n; i++) w[want[i]] = 1 }
		FNR == NR { if ($1 in w) b[$1] = $2; next }
		($1 in w) { s += $2 - b[$1] }
		END { print s + 0 }' "$before" "$after"
}
