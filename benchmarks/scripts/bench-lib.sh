# shellcheck shell=bash
# Sourced by every benchmark script: what they all share. Clean environment and PATH for
# the plain compiler, and (for the scripts that record rounds and check them) the record of a
# round's values and checks and the report's end. A script using the recording helpers defines
# log(), declares the associative arrays VALUES and CHECKS, and sets round in a round.

# unset_ccache_env: no inherited ccache/cache settings (CCACHE_DISABLE, CCACHE_RECACHE, ...).
unset_ccache_env() {
	local var
	for var in $(compgen -e); do
		[[ $var == CCACHE_* ]] && unset "$var"
	done
	return 0
}

# path_without DIR...: $PATH without the DIRs (typically a links directory, so that `gcc` is
# the real compiler) and without empty entries.
path_without() {
	local entry dir path=
	local -a entries
	IFS=: read -r -a entries <<<"$PATH"
	for entry in "${entries[@]}"; do
		[[ -n $entry ]] || continue
		for dir in "$@"; do
			[[ $entry == "$dir" ]] && continue 2
		done
		path=${path:+$path:}$entry
	done
	printf '%s' "$path"
}

# small_c_head: the start of the small C source that compare-ccache.sh (small-c) and
# fresh-daemon.sh compile: includes, a nonce and two functions; each script adds its own rest.
small_c_head() {
	cat <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <errno.h>
#include <stdint.h>
#include <ctype.h>
#include <time.h>

long long bench_nonce = 0;

static uint32_t checksum(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (uint32_t)tolower((unsigned char)*s)) * 16777619u;
	return h;
}

double norm(const double *v, size_t n)
{
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += v[i] * v[i];
	return sqrt(sum);
}

EOF
}

# --- recording and the report -----------------------------------------------------------

failed=0
# record KEY VALUE: one round's figure.
record() { VALUES[$1]+=" $2"; }
# check KEY OK TEXT: a check's outcome (!! and, at report_end, exit 1 when not OK).
check() {
	local text=$3
	if [[ $2 != 1 ]]; then
		text+=" !!"
		failed=1
		log "CHECK FAILED: $1: $text"
	fi
	# shellcheck disable=SC2154 # round: set by the sourcing script
	CHECKS[$1]+="${CHECKS[$1]:+; }r$round: $text"
}
median_of() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "-"; else print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

median() { # median KEY: of the rounds' values
	local -a v
	read -r -a v <<<"${VALUES[$1]:-}"
	[[ ${#v[@]} -gt 0 ]] || { printf -- '-'; return; }
	printf '%s\n' "${v[@]}" | median_of
}

# print_table ARRAY WIDTH: an associative array's entries sorted by key, one "  KEY VALUE"
# line each, the key padded to WIDTH (a round's values lose their leading space).
print_table() {
	local -n table=$1
	local key
	for key in $(printf '%s\n' "${!table[@]}" | sort); do
		printf '  %-*s %s\n' "$2" "$key" "${table[$key]# }"
	done
}

# report_end: the load average line; exit 1 when a check failed.
report_end() {
	echo "load average: $LOAD_START at start, $LOAD_END at the end"
	if [[ $failed -ne 0 ]]; then
		echo "FAILED: some runs were not what they claim (marked !!)"
		exit 1
	fi
}
