#!/usr/bin/env bash
# fresh-daemon.sh [--rounds N] [--runs N] NAME=SPEC ...
#
# Issue 17: how a just-started daemon serves its first hits, against ccache, and how much
# memory it keeps. One small C source (compare-ccache.sh's small-c), compiled once per
# configuration to populate its cache; then every round runs, per configuration in turn
# (interleaved, so that the host's drift hits all alike):
#
#   par16   daemon stopped and started (--start-daemon), then at once RUNS*5 hits from 16
#           parallel clients (xargs -P16), wall time;
#   start   daemon stopped again; `cache --start-daemon` timed, then the first hit timed;
#   first   hyperfine -N --warmup 0 --runs RUNS: the next RUNS hits, one by one;
#   late    450 hits more (untimed), then hyperfine -N --warmup 0 --runs RUNS again;
#   load    (cache only) 1,000 hits and 32 misses (fresh sources) from 16 parallel clients;
#           then the daemon's VmRSS/VmHWM (/proc/<pid>/status, pid from the runtime
#           dir's *.pid file); then the daemon is stopped (no idle daemon finishes its
#           warm-up while the next configuration is timed).
#
# ccache (TOOL=ccache: Debian's /usr/lib/ccache first on PATH) runs the same steps (no
# daemon to start or stop). Reported: per configuration and step the median over rounds of
# each round's median (first/late) or time (par16/start/load); RSS medians. The counters
# must show that every timed hit was a direct hit (exit 1 otherwise).
#
# SPEC: VAR=VALUE words exported for that configuration, as in interleaved-rebuild.sh:
#   cache=                                     dist/bin/cache, default settings
#   c1=CACHE_JAVA_OPTS=-XX:TieredStopAtLevel=1 a JVM option (CACHE_JAVA_OPTS, CACHE_JAVA ...)
#   old=CACHE_BIN=/path/to/old-dist/bin/cache  another build
#   ccache=TOOL=ccache
# Everything lives in a temp dir, removed at the end (KEEP_TMP=1 keeps it, with the
# hyperfine JSON and every daemon log).
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=bench-lib.sh
source "$SCRIPT_DIR/bench-lib.sh"
REPO=$(cd -- "$SCRIPT_DIR/../.." && pwd -P)
readonly SCRIPT_DIR REPO
# shellcheck source=stats-lib.sh
source "$SCRIPT_DIR/stats-lib.sh"

die() { printf 'fresh-daemon: error: %s\n' "$*" >&2; exit 2; }
log() { printf '[fresh-daemon] %s\n' "$*" >&2; }
usage() { printf 'usage: %s [--rounds N] [--runs N] NAME=SPEC ...\n' "${0##*/}" >&2; exit 2; }

ROUNDS=5
RUNS=50
while [[ $# -gt 0 ]]; do
	case $1 in
	--rounds) [[ $# -ge 2 ]] || usage; ROUNDS=$2; shift 2 ;;
	--runs) [[ $# -ge 2 ]] || usage; RUNS=$2; shift 2 ;;
	-h | --help) usage ;;
	--*) usage ;;
	*) break ;;
	esac
done
[[ $# -ge 1 ]] || usage
readonly ROUNDS RUNS
readonly DEFAULT_CACHE_BIN=${CACHE_BIN:-$REPO/dist/bin/cache}
readonly CCACHE_LINKS=/usr/lib/ccache
command -v hyperfine >/dev/null || die "hyperfine not found"
command -v python3 >/dev/null || die "python3 not found"

unset_ccache_env
unset CACHE_JAVA_OPTS CACHE_JAVA CACHE_BIN

TMP=$(mktemp -d "${TMPDIR:-/tmp}/fresh-daemon.XXXXXX")
readonly TMP
[[ $TMP != *[[:space:]]* ]] || { rm -rf -- "$TMP"; die "paths with whitespace are not supported: $TMP"; }
CLEAN_PATH=$(path_without "$CCACHE_LINKS")
readonly CLEAN_PATH

NAMES=()
declare -A SPEC TOOL BIN
for arg in "$@"; do
	[[ $arg == *=* ]] || usage
	name=${arg%%=*}
	[[ $name =~ ^[A-Za-z0-9_-]+$ ]] || die "bad configuration name: $name"
	NAMES+=("$name")
	SPEC[$name]=${arg#*=}
	TOOL[$name]=cache
	BIN[$name]=$DEFAULT_CACHE_BIN
	for word in ${SPEC[$name]}; do
		case $word in
		TOOL=*) TOOL[$name]=${word#TOOL=} ;;
		CACHE_BIN=*) BIN[$name]=${word#CACHE_BIN=} ;;
		esac
	done
done

cleanup() {
	local name
	for name in "${NAMES[@]}"; do
		[[ ${TOOL[$name]} == cache && -d $TMP/$name ]] || continue
		in_env "$name" "${BIN[$name]}" --stop-daemon >/dev/null 2>&1 || true
	done
	if [[ ${KEEP_TMP:-0} == 1 ]]; then log "kept $TMP"; else rm -rf -- "$TMP"; fi
}
trap cleanup EXIT

# in_env NAME CMD...: CMD in NAME's environment (its links first on PATH, its cache and
# runtime directories, its SPEC), in NAME's source directory.
in_env() {
	local name=$1 d=$TMP/$1 links
	shift
	if [[ ${TOOL[$name]} == ccache ]]; then links=$CCACHE_LINKS; else links=$d/links; fi
	local -a spec=()
	read -r -a spec <<<"${SPEC[$name]}"
	(cd "$d/src" && env "${spec[@]}" PATH="$links:$CLEAN_PATH" CCACHE_DIR="$d/ccache-dir" \
		XDG_RUNTIME_DIR="$d/run" "$@")
}

stats() {
	if [[ ${TOOL[$1]} == ccache ]]; then in_env "$1" ccache --print-stats; else in_env "$1" "${BIN[$1]}" --print-stats; fi
}

now_ns() { date +%s%N; }
ms_since() { echo $(( ($(now_ns) - $1) / 1000 )) | awk '{ printf "%.1f", $1 / 1000 }'; }

daemon_pid() {
	local f
	for f in "$TMP/$1"/run/cache/*.pid; do
		[[ -f $f ]] && { cat -- "$f"; return 0; }
	done
	return 0
}

rss() { # NAME -> "rss_kib hwm_kib" or "- -"
	local pid
	pid=$(daemon_pid "$1")
	if [[ -n $pid && -r /proc/$pid/status ]]; then
		awk '/^VmRSS:/ { r = $2 } /^VmHWM:/ { h = $2 } END { print r, h }' "/proc/$pid/status"
	else
		echo "- -"
	fi
}

# small.c: small_c_head (bench-lib.sh), then this.
SMALL_C_TAIL='int main(int argc, char **argv)
{
	printf("%u %f %ld\n", checksum(argc > 1 ? argv[1] : "x"), norm((double[]){ 3, 4 }, 2), (long)time(NULL));
	return 0;
}'

for name in "${NAMES[@]}"; do
	d=$TMP/$name
	mkdir -p -- "$d/src/par" "$d/json"
	mkdir -m 700 -- "$d/run"
	{ small_c_head; printf '%s\n' "$SMALL_C_TAIL"; } >"$d/src/small.c"
	touch -d '10 minutes ago' "$d/src/small.c"
	if [[ ${TOOL[$name]} == cache ]]; then
		"${BIN[$name]}" --install-links "$d/links" >/dev/null
		[[ $(in_env "$name" sh -c 'command -v gcc') == "$d/links/gcc" ]] || die "$d/links/gcc not first on PATH"
	fi
	in_env "$name" gcc -O2 -c small.c -o small.o # populate
done

# A round's values, one line per configuration and step: NAME STEP VALUE.
RESULTS=$TMP/results
: >"$RESULTS"
record() { echo "$1 $2 $3" >>"$RESULTS"; }

median_json() { # hyperfine JSON -> median of the runs in ms
	python3 -c 'import json,statistics,sys; t=json.load(open(sys.argv[1]))["results"][0]["times"]; print("%.2f" % (1000*statistics.median(t)))' "$1"
}

par_hits() { # NAME COUNT: COUNT hits from 16 parallel clients
	seq "$2" | in_env "$1" xargs -P16 -I{} gcc -O2 -c small.c -o par/{}.o
}

restart() {
	if [[ ${TOOL[$1]} == cache ]]; then
		in_env "$1" "${BIN[$1]}" --stop-daemon >/dev/null 2>&1 || true
		in_env "$1" "${BIN[$1]}" --start-daemon >/dev/null
	fi
}

fail=0
for ((round = 1; round <= ROUNDS; round++)); do
	for name in "${NAMES[@]}"; do
		d=$TMP/$name
		stats "$name" >"$d/s0"
		mark=$(wc -l <"$RESULTS")
		# par16: a fresh daemon, 16 parallel clients at once
		restart "$name"
		t=$(now_ns); par_hits "$name" $((RUNS * 5)); record "$name" par16 "$(ms_since "$t")"
		# start + first hit
		if [[ ${TOOL[$name]} == cache ]]; then
			in_env "$name" "${BIN[$name]}" --stop-daemon >/dev/null 2>&1 || true
			t=$(now_ns); in_env "$name" "${BIN[$name]}" --start-daemon >/dev/null; record "$name" start "$(ms_since "$t")"
		fi
		t=$(now_ns); in_env "$name" gcc -O2 -c small.c -o small.o; record "$name" firsthit "$(ms_since "$t")"
		in_env "$name" hyperfine -N --style none --warmup 0 --runs "$RUNS" --export-json "$d/json/first-$round.json" \
			"gcc -O2 -c small.c -o small.o" >/dev/null
		record "$name" first "$(median_json "$d/json/first-$round.json")"
		read -r r h < <(rss "$name"); record "$name" rss50 "$r"
		for ((i = 0; i < 450; i++)); do in_env "$name" gcc -O2 -c small.c -o small.o; done
		in_env "$name" hyperfine -N --style none --warmup 0 --runs "$RUNS" --export-json "$d/json/late-$round.json" \
			"gcc -O2 -c small.c -o small.o" >/dev/null
		record "$name" late "$(median_json "$d/json/late-$round.json")"
		stats "$name" >"$d/s1"
		hits=$(stat_sum "$d/s0" "$d/s1" direct_cache_hit)
		want=$((RUNS * 5 + 1 + RUNS + 450 + RUNS))
		if [[ $hits != "$want" ]]; then
			log "round $round $name: $hits direct hits, expected $want"
			fail=1
		fi
		# load (cache only: its daemon's memory): 1,000 hits and 32 misses, 16 in parallel
		if [[ ${TOOL[$name]} != cache ]]; then
			log "round $round $name: $(tail -n +$((mark + 1)) "$RESULTS" | cut -d' ' -f2- | tr '\n' ' ')"
			continue
		fi
		for ((i = 0; i < 32; i++)); do
			sed "s/bench_nonce = 0/bench_nonce = $round$i$RANDOM/" "$d/src/small.c" >"$d/src/m$i.c"
		done
		t=$(now_ns)
		{ seq 1000 | sed 's/.*/small.c par\/&.o/'; seq 0 31 | sed 's/.*/m&.c par\/m&.o/'; } | shuf |
			in_env "$name" xargs -P16 -n2 sh -c 'exec gcc -O2 -c "$1" -o "$2"' sh
		record "$name" load "$(ms_since "$t")"
		read -r r h < <(rss "$name"); record "$name" rss "$r"; record "$name" hwm "$h"
		rm -f -- "$d"/src/m*.c "$d"/src/par/*
		# No idle daemon finishing its warm-up while the next configuration is timed.
		[[ ${TOOL[$name]} != cache ]] || in_env "$name" "${BIN[$name]}" --stop-daemon >/dev/null 2>&1 || true
		log "round $round $name: $(tail -n +$((mark + 1)) "$RESULTS" | cut -d' ' -f2- | tr '\n' ' ')"
	done
done

python3 - "$RESULTS" "${NAMES[@]}" <<'EOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
names = sys.argv[2:]
steps = [("start", "start ms"), ("firsthit", "1st hit ms"), ("first", "first-50 ms"), ("late", "after-500 ms"),
         ("par16", "par16 fresh ms"), ("load", "load ms"), ("rss50", "RSS@50 MiB"), ("rss", "RSS MiB"), ("hwm", "HWM MiB")]
vals = {}
for n, s, v in rows:
    if v != "-":
        vals.setdefault((n, s), []).append(float(v) / (1024 if s in ("rss50", "rss", "hwm") else 1))
print("| configuration | " + " | ".join(h for _, h in steps) + " |")
print("|---" * (len(steps) + 1) + "|")
for n in names:
    cells = []
    for s, _ in steps:
        v = vals.get((n, s))
        cells.append("%.1f" % statistics.median(v) if v else "")
    print("| " + n + " | " + " | ".join(cells) + " |")
print()
print("per round (first-50 median ms):")
for n in names:
    print("  %-10s %s" % (n, " ".join("%.2f" % x for x in vals.get((n, "first"), []))))
EOF
exit $fail
