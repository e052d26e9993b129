#!/usr/bin/env bash
# warm-hit.sh [--rounds N] [--runs N] [--warm N] [--opts NAME=JAVA_OPTS]... NAME=CACHE_BIN ...
#
# Issue 17's "warm hit ≤ 0.3× ccache's", broken down: where a warm direct-mode hit of
# fresh-daemon.sh's small C source spends its time, side by side in one run with
#   noop    a static program that exits at once: the cost of one exec, under any wrapper;
#   ideal   ideal-hit.c's gcc link: one exec and one file copy, nothing checked (the floor);
#   ccache  Debian's /usr/lib/ccache/gcc;
#   NAME    our client's gcc link from CACHE_BIN's dist/ (several builds can be compared:
#           base=dist/bin/cache other=/path/to/other/dist/bin/cache), each with its own
#           cache directory and daemon, started before the rounds, its warm-up awaited,
#           then WARM hits (default 600) so that the timed ones are "after 500".
#           --opts NAME=JAVA_OPTS starts NAME's daemon with CACHE_JAVA_OPTS=JAVA_OPTS (an A/B of
#           one build: base=dist/bin/cache nowatch=dist/bin/cache --opts nowatch=-Dcache.fileWatch=false).
# Per round and tool, hyperfine -N (--runs RUNS, 5 warm-up runs) gives the wall median and
# the client's CPU (hyperfine's user+system means). A hit of ours also costs the daemon's
# CPU, which hyperfine cannot see: the sum of /proc/PID/task/*/schedstat's on-CPU
# nanoseconds over the hyperfine run, divided by its calls, printed as "+dX". CPU time
# moves much less than wall time on a loaded machine, so it is the figure to compare there.
# The counters must show every call a direct hit (exit 1 otherwise). Load (uptime) printed
# before and after. Everything lives in a temp dir, removed at the end (KEEP_TMP=1 keeps it).
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=bench-lib.sh
source "$SCRIPT_DIR/bench-lib.sh"
readonly SCRIPT_DIR

die() { printf 'warm-hit: error: %s\n' "$*" >&2; exit 2; }
usage() { printf 'usage: %s [--rounds N] [--runs N] [--warm N] [--opts NAME=JAVA_OPTS]... NAME=CACHE_BIN ...\n' "${0##*/}" >&2; exit 2; }

ROUNDS=5
RUNS=200
WARM=600
declare -A OPTS
while [[ $# -gt 0 ]]; do
	case $1 in
	--rounds) [[ $# -ge 2 ]] || usage; ROUNDS=$2; shift 2 ;;
	--runs) [[ $# -ge 2 ]] || usage; RUNS=$2; shift 2 ;;
	--warm) [[ $# -ge 2 ]] || usage; WARM=$2; shift 2 ;;
	--opts) [[ $# -ge 2 && $2 == *=* ]] || usage; OPTS[${2%%=*}]=${2#*=}; shift 2 ;;
	-h | --help | --*) usage ;;
	*) break ;;
	esac
done
[[ $# -ge 1 ]] || usage
readonly ROUNDS RUNS WARM
readonly CCACHE_LINKS=/usr/lib/ccache
command -v hyperfine >/dev/null || die "hyperfine not found"
[[ -x $CCACHE_LINKS/gcc ]] || die "$CCACHE_LINKS/gcc not found (Debian's ccache)"

unset_ccache_env
unset CACHE_JAVA_OPTS CACHE_JAVA CACHE_BIN
TMP=$(mktemp -d "${TMPDIR:-/tmp}/warm-hit.XXXXXX")
readonly TMP
CLEAN_PATH=$(path_without "$CCACHE_LINKS")
readonly CLEAN_PATH

NAMES=()
declare -A BIN
for arg in "$@"; do
	[[ $arg == *=* ]] || usage
	name=${arg%%=*}
	[[ $name =~ ^[A-Za-z0-9_-]+$ && $name != noop && $name != ideal && $name != ccache ]] || die "bad name: $name"
	[[ -x ${arg#*=} ]] || die "not executable: ${arg#*=}"
	NAMES+=("$name")
	BIN[$name]=$(realpath -- "${arg#*=}")
done

# in_env TOOL CMD...: CMD in the source directory with TOOL's gcc first on PATH.
in_env() {
	local tool=$1
	shift
	case $tool in
	ideal) (cd "$TMP/src" && env PATH="$TMP/ideal-links:$CLEAN_PATH" IDEAL_STORE="$TMP/ideal-store" \
		IDEAL_REAL_DIR=/usr/bin "$@") ;;
	ccache) (cd "$TMP/src" && env PATH="$CCACHE_LINKS:$CLEAN_PATH" CCACHE_DIR="$TMP/ccache-dir" "$@") ;;
	*) (cd "$TMP/src" && env PATH="$TMP/$tool/links:$CLEAN_PATH" CCACHE_DIR="$TMP/$tool/cache-dir" \
		XDG_RUNTIME_DIR="$TMP/$tool/run" ${OPTS[$tool]+CACHE_JAVA_OPTS="${OPTS[$tool]}"} "$@") ;;
	esac
}

cleanup() {
	local name
	for name in "${NAMES[@]}"; do
		[[ -d $TMP/$name ]] && in_env "$name" "${BIN[$name]}" --stop-daemon >/dev/null 2>&1 || true
	done
	if [[ ${KEEP_TMP:-0} == 1 ]]; then echo "kept $TMP" >&2; else rm -rf -- "$TMP"; fi
}
trap cleanup EXIT

mkdir -p -- "$TMP/src" "$TMP/ideal-links" "$TMP/ideal-store" "$TMP/json"
{
	small_c_head
	printf '%s\n' 'int main(int argc, char **argv)
{
	printf("%u %f %ld\n", checksum(argc > 1 ? argv[1] : "x"), norm((double[]){ 3, 4 }, 2), (long)time(NULL));
	return 0;
}'
} >"$TMP/src/small.c"
touch -d '10 minutes ago' "$TMP/src/small.c"
printf 'int main(void) { return 0; }\n' >"$TMP/noop.c"
gcc -O2 -static -o "$TMP/noop" "$TMP/noop.c" || die "cannot link a static program (libc6-dev)"
gcc -O2 -o "$TMP/ideal-hit" "$SCRIPT_DIR/ideal-hit.c" || die "cannot build ideal-hit.c"
ln -s -- "$TMP/ideal-hit" "$TMP/ideal-links/gcc"

readonly COMPILE="gcc -O2 -c small.c -o small.o"
for tool in ideal ccache; do
	in_env "$tool" $COMPILE # populate
done
for name in "${NAMES[@]}"; do
	mkdir -p -- "$TMP/$name/cache-dir"
	mkdir -m 700 -- "$TMP/$name/run"
	"${BIN[$name]}" --install-links "$TMP/$name/links" >/dev/null
	in_env "$name" $COMPILE # populate (starts the daemon)
	for ((i = 0; i < 60; i++)); do
		compgen -G "$TMP/$name/run/cache/warmup-*" >/dev/null || break
		sleep 1
	done
	for ((i = 0; i < WARM; i++)); do in_env "$name" $COMPILE; done
done

# wall median and client CPU (user+system mean) of a hyperfine JSON, in ms
figures() {
	python3 -c 'import json,statistics,sys
r = json.load(open(sys.argv[1]))["results"][0]
print("%.2f %.2f" % (1000 * statistics.median(r["times"]), 1000 * (r["user"] + r["system"])))' "$1"
}
# on-CPU nanoseconds of every thread of process $1
oncpu() {
	local sum=0 t ns _
	for t in /proc/"$1"/task/*/schedstat; do
		read -r ns _ <"$t" && sum=$((sum + ns))
	done
	echo "$sum"
}

HF=(hyperfine -N --style none --warmup 5 --runs "$RUNS")
echo "load before: $(uptime)"
echo "per tool: wall median ms, client CPU ms[+daemon CPU ms per call]"
for ((round = 1; round <= ROUNDS; round++)); do
	line="round $round"
	(cd "$TMP/src" && "${HF[@]}" --export-json "$TMP/json/noop-$round.json" "$TMP/noop" >/dev/null 2>&1)
	line+="  noop $(figures "$TMP/json/noop-$round.json")"
	for tool in ideal ccache; do
		in_env "$tool" "${HF[@]}" --export-json "$TMP/json/$tool-$round.json" "$COMPILE" >/dev/null 2>&1
		line+="  $tool $(figures "$TMP/json/$tool-$round.json")"
	done
	for name in "${NAMES[@]}"; do
		pid=$(cat -- "$TMP/$name"/run/cache/*.pid)
		before=$(oncpu "$pid")
		in_env "$name" "${HF[@]}" --export-json "$TMP/json/$name-$round.json" "$COMPILE" >/dev/null 2>&1
		after=$(oncpu "$pid")
		line+="  $name $(figures "$TMP/json/$name-$round.json")+d$(awk -v a="$before" -v b="$after" -v n=$((RUNS + 5)) \
			'BEGIN { printf "%.2f", (b - a) / n / 1e6 }')"
	done
	echo "$line"
done
echo "load after: $(uptime)"

fail=0
for name in ccache "${NAMES[@]}"; do
	if [[ $name == ccache ]]; then
		stats=$(in_env ccache ccache --print-stats)
	else
		stats=$(in_env "$name" "${BIN[$name]}" --print-stats)
	fi
	misses=$(awk '$1 == "direct_cache_miss" { print $2 }' <<<"$stats")
	[[ ${misses:-0} -le 1 ]] || { echo "!! $name: $misses direct misses (1 expected: the populating call)"; fail=1; }
done
exit "$fail"
