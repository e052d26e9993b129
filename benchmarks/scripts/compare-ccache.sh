#!/usr/bin/env bash
# compare-ccache.sh
#
# Side-by-side latency of one compile: plain gcc/g++ vs `cache` vs Debian's ccache,
# measured with hyperfine on the same generated files in one run.
#
# Workloads (generated in a temp dir):
#   small-c    C file including 8 system headers, a few functions   gcc -O2 -c
#   heavy-cxx  C++ file using iostream, vector, map, string, regex   g++ -O2 -c
#
# For each workload:
#   plain   the compiler alone;
#   hit     the compile again and again on a warm cache. The stats counters are
#           read before and after and every timed or warm-up run must be a hit;
#   miss    every run a real miss: a hyperfine --prepare step rewrites the line
#           `long long bench_nonce = N;` with a fresh N (a comment or an unused -D
#           would not change the preprocessed text), the same for both tools. The
#           counters must show only misses.
# Tools, both through the same kind of entry point. By default (ENTRY=links) that is
# compiler-named links first on PATH, as a build uses them: the command is plain
# `gcc ...`/`g++ ...` with PATH=<links>:... where <links> is made by
# `dist/bin/cache --install-links` for cache and is Debian's /usr/lib/ccache for
# ccache. With ENTRY=prefix: `dist/bin/cache gcc ...` and `ccache gcc ...`.
#   cache             default configuration
#   cache NODIRECT    the same with CCACHE_NODIRECT=1 (preprocessor mode: cpp on
#                     every call; a cache without direct mode behaves like this)
#   ccache            default configuration (direct mode on)
#   ccache NODIRECT   the same with CCACHE_NODIRECT=1: ccache's preprocessor mode
# The plain compiler runs with a PATH that has neither links directory.
# The ratio rows compare like with like: cache/ccache and the two NODIRECT rows.
# The hit column's counter check says how many hits were direct ("d") and how many
# preprocessed ("p"): ccache's default mode must hit directly and no NODIRECT row
# may; cache's default row is only reported.
# Each tool/mode gets its own cache directory; `cache` gets a private
# XDG_RUNTIME_DIR, so its daemon (one per user, serving each row's cache directory) is a fresh one, stopped
# again at the end. Their resident memory (VmRSS, and the peak VmHWM) is printed
# after the runs.
#
# Before timing, each tool's cache is populated and then exercised PREWARM times
# (default 500) outside hyperfine, the same for every tool, so cache's daemon is in
# the state it spends a working day in: it has served a build's worth of calls and
# the JVM has compiled its hit path. PREWARM=10 measures a daemon just started
# (interpreted and C1-compiled code: its hits then cost about what ccache's do).
# hyperfine then adds --warmup runs.
#
# Environment knobs (defaults in brackets):
#   CACHE_BIN        client under test [<repo>/dist/bin/cache]
#   RUNS, WARMUP     timed and warm-up runs per case [20, 3]
#   HEAVY_SLOW_RUNS  runs for the heavy workload's plain and miss cases [5]
#                    (with 1 warm-up run)
#   PREWARM          untimed hits per tool before measuring [500]
#   ENTRY            links (compiler-named links first on PATH) or prefix [links]
#   KEEP_TMP=1       keep the temp dir (sources, hyperfine JSON) for inspection
#
# Needs: gcc, g++, hyperfine, ccache, jq (the last three are apt-get installed
# when missing; that needs root).
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=bench-lib.sh
source "$SCRIPT_DIR/bench-lib.sh"
REPO=$(cd -- "$SCRIPT_DIR/../.." && pwd -P)
CACHE_BIN=${CACHE_BIN:-$REPO/dist/bin/cache}
RUNS=${RUNS:-20}
WARMUP=${WARMUP:-3}
HEAVY_SLOW_RUNS=${HEAVY_SLOW_RUNS:-5}
PREWARM=${PREWARM:-500}
ENTRY=${ENTRY:-links}
readonly SCRIPT_DIR REPO CACHE_BIN RUNS WARMUP HEAVY_SLOW_RUNS PREWARM ENTRY
readonly CCACHE_LINKS=/usr/lib/ccache

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'compare-ccache: error: %s\n' "$*" >&2; exit 1; }

[[ $# -eq 0 ]] || { printf 'usage: %s   (no arguments; see the header for knobs)\n' "${0##*/}" >&2; exit 2; }
[[ -x $CACHE_BIN ]] || die "$CACHE_BIN not found: build it with 'mvn -B -q -DskipTests package'"
[[ $ENTRY == links || $ENTRY == prefix ]] || die "ENTRY must be links or prefix"
for n in "$RUNS" "$WARMUP" "$HEAVY_SLOW_RUNS" "$PREWARM"; do
	[[ $n =~ ^[0-9]+$ ]] || die "RUNS, WARMUP, HEAVY_SLOW_RUNS and PREWARM must be numbers"
done

# --- tools ------------------------------------------------------------------------

missing=()
command -v ccache >/dev/null 2>&1 || missing+=(ccache)
command -v hyperfine >/dev/null 2>&1 || missing+=(hyperfine)
command -v jq >/dev/null 2>&1 || missing+=(jq)
if [[ ${#missing[@]} -gt 0 ]]; then
	log "installing ${missing[*]} with apt-get"
	export DEBIAN_FRONTEND=noninteractive
	if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >&2; then
		apt-get update -q >&2
		apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
	fi
fi
for tool in gcc g++ ccache hyperfine jq; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool not found"
done
CCACHE_BIN=$(command -v ccache)
readonly CCACHE_BIN
[[ $ENTRY == prefix || -x $CCACHE_LINKS/gcc ]] || die "$CCACHE_LINKS/gcc missing (Debian's ccache package)"

# --- scratch space, isolation ---------------------------------------------------

unset_ccache_env

TMP=$(mktemp -d "${TMPDIR:-/tmp}/compare-ccache.XXXXXX")
readonly TMP
# hyperfine -N splits its command on whitespace: keep paths free of it.
[[ $TMP$CACHE_BIN != *[[:space:]]* ]] ||
	{ rm -rf -- "$TMP"; die "paths with whitespace are not supported: $TMP $CACHE_BIN"; }
readonly SRC=$TMP/src JSON=$TMP/json RUNTIME=$TMP/run LINKS=$TMP/links
mkdir -p -- "$SRC" "$JSON"
mkdir -m 700 -- "$RUNTIME"
# cache's daemon socket and pid file go to $XDG_RUNTIME_DIR/cache.
export XDG_RUNTIME_DIR=$RUNTIME

# PATH for the plain compiler: without either links directory.
CLEAN_PATH=$(path_without "$CCACHE_LINKS")
readonly CLEAN_PATH
export PATH=$CLEAN_PATH
[[ $CLEAN_PATH != *[[:space:]]* ]] || { rm -rf -- "$TMP"; die "PATH entries with whitespace are not supported"; }

# Per tool: the environment its commands run with (its own cache directory; with
# ENTRY=links its links directory first on PATH).
declare -A TOOL_ENV=(
	[cache]="CCACHE_DIR=$TMP/cache-dir"
	[cache-nodirect]="CCACHE_DIR=$TMP/cache-nodirect-dir CCACHE_NODIRECT=1"
	[ccache]="CCACHE_DIR=$TMP/ccache-dir"
	[ccache-nodirect]="CCACHE_DIR=$TMP/ccache-nodirect-dir CCACHE_NODIRECT=1"
)
if [[ $ENTRY == links ]]; then
	"$CACHE_BIN" --install-links "$LINKS" >/dev/null
	for tool in cache cache-nodirect; do TOOL_ENV[$tool]+=" PATH=$LINKS:$CLEAN_PATH"; done
	for tool in ccache ccache-nodirect; do TOOL_ENV[$tool]+=" PATH=$CCACHE_LINKS:$CLEAN_PATH"; done
	[[ $(PATH=$LINKS:$CLEAN_PATH command -v g++) == "$LINKS/g++" ]] || die "$LINKS/g++ is not first on PATH"
	[[ $(PATH=$CCACHE_LINKS:$CLEAN_PATH command -v g++) == "$CCACHE_LINKS/g++" ]] ||
		die "$CCACHE_LINKS/g++ is not first on PATH"
fi
readonly TOOLS=(cache cache-nodirect ccache ccache-nodirect)
declare -A TOOL_LABEL=([cache]="cache" [cache-nodirect]="cache NODIRECT"
	[ccache]="ccache" [ccache-nodirect]="ccache NODIRECT")

# run_with TOOL CMD...: CMD in TOOL's environment.
run_with() {
	local tool=$1
	shift
	local -a envs
	read -r -a envs <<<"${TOOL_ENV[$tool]}"
	env "${envs[@]}" "$@"
}

# The tool's own binary (for --print-stats, -z, --stop-daemon).
wrapper() {
	case $1 in
	cache*) printf '%s' "$CACHE_BIN" ;;
	*) printf '%s' "$CCACHE_BIN" ;;
	esac
}

# entry TOOL CC: the compile command's first words: `CC` through the links on the
# tool's PATH, or `<wrapper> CC` in prefix form.
entry() {
	if [[ $ENTRY == links ]]; then
		printf '%s' "$2"
	else
		printf '%s %s' "$(wrapper "$1")" "$2"
	fi
}

cleanup() {
	# Stop the daemons this script started (they serve our temp cache dirs only).
	run_with cache "$CACHE_BIN" --stop-daemon >/dev/null 2>&1 || true
	run_with cache-nodirect "$CACHE_BIN" --stop-daemon >/dev/null 2>&1 || true
	if [[ ${KEEP_TMP:-0} == 1 ]]; then
		log "kept $TMP"
	else
		rm -rf -- "$TMP"
	fi
}
trap cleanup EXIT

# --- workloads --------------------------------------------------------------------

{
	small_c_head
	cat <<'EOF'
char *dup_upper(const char *s)
{
	size_t n = strlen(s);
	char *r = malloc(n + 1);
	if (!r) {
		errno = ENOMEM;
		return NULL;
	}
	for (size_t i = 0; i <= n; i++)
		r[i] = (char)toupper((unsigned char)s[i]);
	return r;
}

int report(const char *name)
{
	time_t now = time(NULL);
	return printf("%s %08x %lld %ld\n", name, (unsigned)checksum(name), bench_nonce,
		      (long)now);
}
EOF
} >"$SRC/small-c.c"

cat >"$SRC/heavy-cxx.cpp" <<'EOF'
#include <iostream>
#include <vector>
#include <map>
#include <string>
#include <regex>

long long bench_nonce = 0;

std::map<std::string, int> count_words(const std::string &text)
{
	std::map<std::string, int> counts;
	std::regex word("[A-Za-z]+");
	for (auto it = std::sregex_iterator(text.begin(), text.end(), word);
	     it != std::sregex_iterator(); ++it)
		counts[it->str()]++;
	return counts;
}

std::vector<std::string> split(const std::string &s, const std::string &sep)
{
	std::vector<std::string> out;
	std::regex re(sep);
	std::copy(std::sregex_token_iterator(s.begin(), s.end(), re, -1),
		  std::sregex_token_iterator(), std::back_inserter(out));
	return out;
}

int main()
{
	std::string text = "the quick brown fox jumps over the lazy dog " +
			   std::to_string(bench_nonce);
	for (const auto &[w, n] : count_words(text))
		std::cout << w << ' ' << n << '\n';
	for (const auto &part : split("a,b;c", "[,;]"))
		std::cout << part << '\n';
	return 0;
}
EOF

readonly WORKLOADS=(small-c heavy-cxx)
declare -A WL_FILE=([small-c]=small-c.c [heavy-cxx]=heavy-cxx.cpp)
declare -A WL_CC=([small-c]=gcc [heavy-cxx]=g++)

# The miss cases compile a copy whose nonce line --prepare rewrites; the hit and
# plain cases compile the original, back-dated so that ccache's direct mode does
# not treat it as "too new" to remember.
for wl in "${WORKLOADS[@]}"; do
	cp -- "$SRC/${WL_FILE[$wl]}" "$SRC/miss-${WL_FILE[$wl]}"
	touch -d '10 minutes ago' -- "$SRC/${WL_FILE[$wl]}"
done

# Rewrites the nonce with a fresh number: the next compile of FILE is a real miss.
cat >"$TMP/bump-nonce" <<'EOF'
#!/bin/bash
set -euo pipefail
n=${EPOCHREALTIME/./}$((RANDOM % 10))
sed -i "s/^long long bench_nonce = [0-9]*;\$/long long bench_nonce = ${n};/" "$1"
EOF
chmod +x "$TMP/bump-nonce"

# --- measuring --------------------------------------------------------------------

# Medians in ms, by "<workload>.<tool>.<case>"; CHECK holds the counter checks.
declare -A MEDIAN=()
declare -A CHECK=()
verify_failed=0

# stats TOOL: the tool's counters, "name<TAB>value" lines.
stats() {
	run_with "$1" "$(wrapper "$1")" --print-stats
}

# stat_sum BEFORE AFTER NAME...: see stats-lib.sh.
# shellcheck source=stats-lib.sh
source "$SCRIPT_DIR/stats-lib.sh"

# hf KEY RUNS WARMUP PREPARE ENV CMD...: hyperfine one command, run without a shell
# (-N: nothing to subtract for shell start-up, which matters at a few ms) with the
# space-separated NAME=value list ENV added to the environment; the median (ms,
# one decimal) goes to MEDIAN[KEY], the raw results to $JSON/KEY.json.
hf() {
	local key=$1 runs=$2 warmup=$3 prepare=$4 envstr=$5
	shift 5
	local -a envs=() opts=(-N --style basic --runs "$runs" --warmup "$warmup"
		--export-json "$JSON/$key.json" --command-name "$key")
	[[ -z $envstr ]] || read -r -a envs <<<"$envstr"
	[[ -z $prepare ]] || opts+=(--prepare "$prepare")
	log "$key ($runs runs, $warmup warm-up): ${envstr:+$envstr }$*"
	if ! env "${envs[@]}" hyperfine "${opts[@]}" -- "$*" >"$JSON/$key.out" 2>&1; then
		cat -- "$JSON/$key.out" >&2
		die "hyperfine failed for $key"
	fi
	MEDIAN[$key]=$(jq -r '.results[0].median' "$JSON/$key.json" |
		awk '{ printf "%.1f", $1 * 1000 }')
}

# bench_plain WORKLOAD: the compiler alone.
bench_plain() {
	local wl=$1 runs=$RUNS warmup=$WARMUP
	if [[ $wl == heavy-cxx ]]; then runs=$HEAVY_SLOW_RUNS warmup=1; fi
	hf "$wl.plain" "$runs" "$warmup" "" "" \
		"$(command -v "${WL_CC[$wl]}")" -O2 -c "$SRC/${WL_FILE[$wl]}" -o "$TMP/$wl-plain.o"
}

# bench_tool WORKLOAD TOOL CASE: one cached case (hit or miss), counters checked.
bench_tool() {
	local wl=$1 tool=$2 case=$3
	local key=$wl.$tool.$case file=${WL_FILE[$wl]}
	local runs=$RUNS warmup=$WARMUP prepare="" hits direct misses expect
	local before=$JSON/$key.stats-before after=$JSON/$key.stats-after

	if [[ $case == miss ]]; then
		file=miss-$file
		prepare="$TMP/bump-nonce $SRC/$file"
		if [[ $wl == heavy-cxx ]]; then runs=$HEAVY_SLOW_RUNS warmup=1; fi
	fi
	stats "$tool" >"$before"
	hf "$key" "$runs" "$warmup" "$prepare" "${TOOL_ENV[$tool]}" \
		"$(entry "$tool" "${WL_CC[$wl]}")" -O2 -c "$SRC/$file" -o "$TMP/$wl-$tool.o"
	stats "$tool" >"$after"

	hits=$(stat_sum "$before" "$after" direct_cache_hit preprocessed_cache_hit)
	direct=$(stat_sum "$before" "$after" direct_cache_hit)
	misses=$(stat_sum "$before" "$after" cache_miss)
	expect=$((runs + warmup))
	if [[ $case == hit ]]; then
		CHECK[$key]="$hits/$expect hits (${direct}d $((hits - direct))p), $misses misses"
		[[ $hits -eq $expect && $misses -eq 0 ]] || CHECK[$key]+=" !!"
		# ccache's default mode must hit directly; no NODIRECT run may.
		case $tool in
		ccache) [[ $direct -eq $expect ]] || CHECK[$key]+=" (not all direct) !!" ;;
		*-nodirect) [[ $direct -eq 0 ]] || CHECK[$key]+=" (direct hits) !!" ;;
		esac
	else
		CHECK[$key]="$misses/$expect misses, $hits hits"
		[[ $misses -eq $expect && $hits -eq 0 ]] || CHECK[$key]+=" !!"
	fi
	if [[ ${CHECK[$key]} == *'!!' ]]; then
		log "WARNING: $key: counters say ${CHECK[$key]}"
		verify_failed=1
	fi
}

# prewarm WORKLOAD TOOL: populate the tool's cache with the hit file, then PREWARM
# untimed hits (identical for every tool).
prewarm() {
	local wl=$1 tool=$2 i
	for ((i = 0; i <= PREWARM; i++)); do
		# shellcheck disable=SC2046 # entry's words are meant to split
		run_with "$tool" $(entry "$tool" "${WL_CC[$wl]}") -O2 -c \
			"$SRC/${WL_FILE[$wl]}" -o "$TMP/$wl-$tool.o"
	done
}

log "machine: $(nproc) CPUs, $(gcc --version | head -n 1), $(ccache --version | head -n 1)"
log "cache: $CACHE_BIN; temp dir $TMP; entry: $ENTRY"
log "load average at start: $(cut -d ' ' -f 1-3 /proc/loadavg) (other work on the machine skews figures)"
for tool in "${TOOLS[@]}"; do
	run_with "$tool" "$(wrapper "$tool")" -z >/dev/null
done

for wl in "${WORKLOADS[@]}"; do
	bench_plain "$wl"
	for tool in "${TOOLS[@]}"; do
		prewarm "$wl" "$tool"
		bench_tool "$wl" "$tool" hit
	done
	for tool in "${TOOLS[@]}"; do
		bench_tool "$wl" "$tool" miss
	done
done

# The daemon's memory, now that it has served everything above (one daemon per user: its
# pid file is d.pid in the private runtime dir; it served every row's cache directory).
memory=()
for pidfile in "$RUNTIME"/cache/*.pid; do
	[[ -f $pidfile ]] || continue
	pid=$(<"$pidfile")
	if [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/status ]]; then
		memory+=("$(awk -v pid="$pid" '
			/^VmRSS:/ { rss = $2 } /^VmHWM:/ { hwm = $2 }
			END {
				printf "cache daemon (pid %s, all rows): VmRSS %.0f MiB, peak VmHWM %.0f MiB",
					pid, rss / 1024, hwm / 1024
			}' "/proc/$pid/status")")
	fi
done
[[ ${#memory[@]} -gt 0 ]] || log "WARNING: no running daemon found via $RUNTIME/cache/*.pid"

# --- report ---------------------------------------------------------------------------

# ratio A B: A/B with two decimals ("-" when either is missing).
ratio() {
	if [[ -n ${1:-} && -n ${2:-} ]]; then
		awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'
	else
		printf -- '-'
	fi
}

echo
echo "Median latency of one compile, ms (hyperfine -N; hit/miss runs counter-checked; entry: $ENTRY)"
echo
fmt='%-10s %-22s %9s %9s %9s   %s\n'
# shellcheck disable=SC2059 # the format is a constant
printf "$fmt" workload tool plain hit miss "counters (hit; miss)"
for wl in "${WORKLOADS[@]}"; do
	# shellcheck disable=SC2059
	printf "$fmt" "$wl" "${WL_CC[$wl]} -O2 -c" "${MEDIAN[$wl.plain]}" - - ""
	for tool in "${TOOLS[@]}"; do
		# shellcheck disable=SC2059
		printf "$fmt" "" "${TOOL_LABEL[$tool]}" - "${MEDIAN[$wl.$tool.hit]}" \
			"${MEDIAN[$wl.$tool.miss]}" "${CHECK[$wl.$tool.hit]}; ${CHECK[$wl.$tool.miss]}"
	done
	for mode in "" -nodirect; do
		# shellcheck disable=SC2059
		printf "$fmt" "" "ratio${mode:+ NODIRECT}" - \
			"$(ratio "${MEDIAN[$wl.cache$mode.hit]}" "${MEDIAN[$wl.ccache$mode.hit]}")" \
			"$(ratio "${MEDIAN[$wl.cache$mode.miss]}" "${MEDIAN[$wl.ccache$mode.miss]}")" ""
	done
done
echo
echo "ratio rows: cache's median / ccache's in the same mode; below 1.00 means cache is faster."
echo "hit counters: d = direct hits, p = preprocessed hits."
printf '%s\n' "${memory[@]}"
echo "load average at the end: $(cut -d ' ' -f 1-3 /proc/loadavg)"

if [[ $verify_failed -ne 0 ]]; then
	echo "WARNING: some runs were not the expected hits/misses (marked !!); their figures are not comparable"
	exit 1
fi
