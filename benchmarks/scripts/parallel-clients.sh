#!/usr/bin/env bash
# parallel-clients.sh [--rounds N] [--jobs N] [--parallel P]
#
# Issue 17's acceptance benchmark: many compiler calls at once against a cache whose
# daemon has just been started (or is started by the first of them), side by side
# with Debian's ccache, plain gcc as the reference. Run by hand, not a test.
#
# Workload (generated in a temp dir): 40 small C sources src/s0.c ... src/s39.c
# (a few system headers, a couple of functions, each file distinct), and a job list
# of N (--jobs, 1000) commands `gcc -O2 -c src/sS.c -o out/jobK.o`: half of them
# source 0 (identical concurrent misses), the other half spread over sources 1-39,
# shuffled with a fixed seed. The list runs with `xargs -P P` (--parallel, 16): P
# clients at a time, wall clock timed.
#
# Tools, through compiler-named links first on PATH, as a build uses them:
#   cache   dist/bin/cache --install-links <tmp>/links first on PATH, its own
#           CCACHE_DIR and a private XDG_RUNTIME_DIR (so its daemon is ours alone:
#           found as the one *.pid file in $XDG_RUNTIME_DIR/cache/, whether the
#           daemon is one per cache directory, d-<hash>.pid, or one per user);
#   ccache  Debian's /usr/lib/ccache first on PATH, its own CCACHE_DIR;
#   plain   gcc with neither links directory on PATH (reference row; its objects
#           are the reference every cached object must equal byte for byte).
#
# Every round (--rounds, 3) starts from empty cache directories and a new runtime
# directory (no daemon), and runs, the two tools alternating in each phase:
#   1. plain: the N jobs with plain gcc;
#   cold        fresh daemon, cold cache: cache's first call starts the daemon
#               (its start is in the time); ccache: empty cache dir. The headline.
#   warm        the same N jobs again right after: warm daemon, warm cache.
#   fresh-warm  cache: --stop-daemon (untimed), then the same jobs: a new daemon
#               over a full cache (a CI job that restored its cache dir; the first
#               call starts it). ccache has no daemon: a second warm run.
#   latency     one small source (src/s1.c) with a populated cache: cache's daemon
#               stopped and started with --start-daemon, then its first 50 hits,
#               each timed (hyperfine -N --warmup 0 --runs 50: median and the first
#               five), 500 untimed hits, then 50 more timed hits (median). ccache:
#               the same source and counts on its own populated cache.
# Checks (exit 1 if any fails): after every run all N objects exist and equal plain
# gcc's object of the same source; cold: cache compiled each distinct source once
# (cache_miss = number of distinct sources, 40: its in-flight table compiles
# identical concurrent misses once, the others share the result), ccache's misses are
# reported (and must be at least that many), hits + misses = N, no uncacheable call;
# warm and fresh-warm: N hits, no miss (direct and preprocessed hits reported);
# latency: 600 direct hits. Also exit 1 when a tool is missing or cache's daemon
# cannot be found (not exactly one *.pid file).
# Memory: cache's daemon VmRSS and VmHWM (/proc/<pid>/status) after each phase.
#
# The table: per phase the median over the rounds of cache and ccache, the ratio
# cache/ccache, and issue 17's targets (informational; they do not change the exit
# status): cold run <= 0.7x ccache's, first-50-hits median <= 1.0x, warm hit (after
# 500) <= 0.3x, daemon RSS <= 150 MiB after the runs.
#
# Knobs: CACHE_BIN (client under test [<repo>/dist/bin/cache]), KEEP_TMP=1 (keep the
# temp dir: sources, job list, hyperfine JSON, counters, each round's caches).
# Needs gcc, ccache (Debian's, with /usr/lib/ccache), hyperfine, jq, xargs.
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=bench-lib.sh
source "$SCRIPT_DIR/bench-lib.sh"
REPO=$(cd -- "$SCRIPT_DIR/../.." && pwd -P)
CACHE_BIN=${CACHE_BIN:-$REPO/dist/bin/cache}
readonly SCRIPT_DIR REPO CACHE_BIN
readonly CCACHE_LINKS=/usr/lib/ccache SOURCES=40 LATENCY_RUNS=50 LATENCY_MIDDLE=500 SEED=17

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'parallel-clients: error: %s\n' "$*" >&2; exit 1; }
usage() { printf 'usage: %s [--rounds N] [--jobs N] [--parallel P]\n' "${0##*/}" >&2; exit 2; }

ROUNDS=3
JOBS=1000
PARALLEL=16
while [[ $# -gt 0 ]]; do
	case $1 in
	--rounds) [[ $# -ge 2 ]] || usage; ROUNDS=$2; shift 2 ;;
	--jobs) [[ $# -ge 2 ]] || usage; JOBS=$2; shift 2 ;;
	--parallel) [[ $# -ge 2 ]] || usage; PARALLEL=$2; shift 2 ;;
	*) usage ;;
	esac
done
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || usage
[[ $JOBS =~ ^[1-9][0-9]*$ && $JOBS -ge 2 ]] || usage
[[ $PARALLEL =~ ^[1-9][0-9]*$ ]] || usage
readonly ROUNDS JOBS PARALLEL

[[ -x $CACHE_BIN ]] || die "$CACHE_BIN not found: build it with 'mvn -B -q -DskipTests package'"
for tool in gcc ccache hyperfine jq xargs; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool not found"
done
[[ -x $CCACHE_LINKS/gcc ]] || die "$CCACHE_LINKS/gcc missing (Debian's ccache package)"
CCACHE_BIN=$(command -v ccache)
readonly CCACHE_BIN

# --- scratch space, isolation ---------------------------------------------------------

unset_ccache_env
export LC_ALL=C

TMP=$(mktemp -d "${TMPDIR:-/tmp}/parallel-clients.XXXXXX")
readonly TMP
# hyperfine -N splits its command on whitespace: keep paths free of it.
[[ $TMP$CACHE_BIN != *[[:space:]]* ]] ||
	{ rm -rf -- "$TMP"; die "paths with whitespace are not supported: $TMP $CACHE_BIN"; }
# Every compile runs in WORK with the same relative paths (src/..., out/...).
readonly WORK=$TMP/work LINKS=$TMP/links DATA=$TMP/data
mkdir -p -- "$WORK/src" "$WORK/ref" "$DATA"

# PATH for the plain compiler: without /usr/lib/ccache (and, below, without our links).
CLEAN_PATH=$(path_without "$CCACHE_LINKS")
readonly CLEAN_PATH
export PATH=$CLEAN_PATH
[[ $CLEAN_PATH != *[[:space:]]* ]] || { rm -rf -- "$TMP"; die "PATH entries with whitespace are not supported"; }

# The round's directories: ROUND_DIR/{run,cache-dir,ccache-dir}; set by new_round.
ROUND_DIR=

# run_with TOOL CMD...: CMD in TOOL's environment (cache, ccache or plain), in WORK.
run_with() {
	local tool=$1
	shift
	case $tool in
	cache)
		(cd -- "$WORK" && env PATH="$LINKS:$CLEAN_PATH" CCACHE_DIR="$ROUND_DIR/cache-dir" \
			XDG_RUNTIME_DIR="$ROUND_DIR/run" "$@") ;;
	ccache)
		(cd -- "$WORK" && env PATH="$CCACHE_LINKS:$CLEAN_PATH" CCACHE_DIR="$ROUND_DIR/ccache-dir" "$@") ;;
	plain)
		(cd -- "$WORK" && env PATH="$CLEAN_PATH" "$@") ;;
	esac
}

# daemon_pid: the pid of cache's daemon, from the one *.pid file of the round's runtime
# dir; nothing (status 1) when there is none or more than one.
daemon_pid() {
	local -a pidfiles=()
	local f pid
	for f in "$ROUND_DIR"/run/cache/*.pid; do
		[[ -f $f ]] && pidfiles+=("$f")
	done
	[[ ${#pidfiles[@]} -eq 1 ]] || return 1
	pid=$(<"${pidfiles[0]}")
	[[ $pid =~ ^[0-9]+$ && -d /proc/$pid ]] || return 1
	printf '%s' "$pid"
}

# stop_daemon: stops the round's daemon and waits (up to 30 s) until its process is
# gone, so that the next call meets no daemon at all.
stop_daemon() {
	local pid i
	[[ -n $ROUND_DIR && -d $ROUND_DIR/run ]] || return 0
	pid=$(daemon_pid) || pid=
	run_with cache "$CACHE_BIN" --stop-daemon >/dev/null 2>&1 || true
	[[ -n $pid ]] || return 0
	for ((i = 0; i < 300; i++)); do
		[[ -d /proc/$pid ]] || return 0
		sleep 0.1
	done
	log "WARNING: daemon $pid still running 30 s after --stop-daemon"
	return 1
}

cleanup() {
	stop_daemon || true
	if [[ ${KEEP_TMP:-0} == 1 ]]; then
		log "kept $TMP"
	else
		rm -rf -- "$TMP"
	fi
}
trap cleanup EXIT

"$CACHE_BIN" --install-links "$LINKS" >/dev/null || die "--install-links failed"
[[ $(PATH=$LINKS:$CLEAN_PATH command -v gcc) == "$LINKS/gcc" ]] || die "$LINKS/gcc is not first on PATH"
[[ $(PATH=$CCACHE_LINKS:$CLEAN_PATH command -v gcc) == "$CCACHE_LINKS/gcc" ]] ||
	die "$CCACHE_LINKS/gcc is not first on PATH"

# --- workload ---------------------------------------------------------------------------

# 40 sources: the same includes, functions whose names, constants and bodies differ.
for ((s = 0; s < SOURCES; s++)); do
	cat >"$WORK/src/s$s.c" <<EOF
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <stdint.h>
#include <ctype.h>

#define SEED_$s ${s}u

static uint32_t mix_$s(const char *p)
{
	uint32_t h = 2166136261u ^ SEED_$s;
	for (; *p; p++)
		h = (h ^ (uint32_t)tolower((unsigned char)*p)) * 16777619u;
	return h + $((s * 7 + 3))u;
}

double scale_$s(const double *v, size_t n)
{
	double sum = $s.0;
	for (size_t i = 0; i < n; i++)
		sum += v[i] * v[i] * $((s + 1)).0;
	return sqrt(sum);
}

int report_$s(const char *name)
{
	char buf[64];
	snprintf(buf, sizeof buf, "%s-$s", name);
	return printf("%s %08x %zu\n", buf, (unsigned)mix_$s(buf), strlen(buf) + $s);
}
EOF
done
# Back-dated: nothing is "too new" for either tool's direct mode to remember.
touch -d '10 minutes ago' -- "$WORK"/src/*.c

# The job list: JOBS/2 jobs of source 0, the rest round-robin over sources 1-39,
# shuffled (Fisher-Yates) by a fixed linear congruential generator.
declare -a JOB_SRC=()
for ((k = 0; k < JOBS; k++)); do
	if ((k < JOBS / 2)); then JOB_SRC[k]=0; else JOB_SRC[k]=$((1 + (k - JOBS / 2) % (SOURCES - 1))); fi
done
rng=$SEED
for ((i = JOBS - 1; i > 0; i--)); do
	rng=$(((rng * 1103515245 + 12345) % 2147483648))
	j=$((rng % (i + 1)))
	t=${JOB_SRC[i]} JOB_SRC[i]=${JOB_SRC[j]} JOB_SRC[j]=$t
done
for ((k = 0; k < JOBS; k++)); do
	printf 'gcc -O2 -c src/s%s.c -o out/job%s.o\n' "${JOB_SRC[k]}" "$k"
done >"$DATA/jobs.txt"
# xargs runs `gcc` itself (found on the tool's PATH) with each line's arguments.
sed 's/^gcc //' "$DATA/jobs.txt" >"$DATA/job-args.txt"
DISTINCT=$(printf '%s\n' "${JOB_SRC[@]}" | sort -u | wc -l)
readonly DISTINCT

# The reference objects: plain gcc, once per source, same command form.
for ((s = 0; s < SOURCES; s++)); do
	run_with plain gcc -O2 -c "src/s$s.c" -o "ref/s$s.o" || die "plain gcc failed on src/s$s.c"
done
# expected: "<sha256> out/jobK.o" for every job, sorted by file name.
for ((s = 0; s < SOURCES; s++)); do
	REF_SUM[s]=$(sha256sum <"$WORK/ref/s$s.o" | cut -d ' ' -f 1)
done
for ((k = 0; k < JOBS; k++)); do
	printf '%s  out/job%s.o\n' "${REF_SUM[${JOB_SRC[k]}]}" "$k"
done | sort -k 2 >"$DATA/expected.sha256"

# --- measuring --------------------------------------------------------------------------

# shellcheck source=stats-lib.sh
source "$SCRIPT_DIR/stats-lib.sh"

# Per-round values by "<phase>.<tool>", space-separated over the rounds.
# record KEY VALUE and check KEY OK TEXT (bench-lib.sh) fill these.
declare -A VALUES=() CHECKS=()

stats() { # stats TOOL FILE: the tool's counters.
	if [[ $1 == cache ]]; then
		run_with cache "$CACHE_BIN" --print-stats >"$2"
	else
		run_with ccache "$CCACHE_BIN" --print-stats >"$2"
	fi
}

# memory PHASE: the daemon's VmRSS and VmHWM (MiB) now, recorded as mem-rss.PHASE and
# mem-hwm.PHASE.
memory() {
	local pid rss hwm
	pid=$(daemon_pid) || {
		check "mem.$1" 0 "no single running daemon in $ROUND_DIR/run/cache/*.pid"
		return 0
	}
	rss=$(awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/status")
	hwm=$(awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/status")
	log "  daemon $pid: VmRSS $rss MiB, VmHWM $hwm MiB"
	record "mem-rss.$1" "$rss"
	record "mem-hwm.$1" "$hwm"
}

# run_jobs TOOL PHASE: the job list with xargs -P, timed (seconds, recorded as
# PHASE.TOOL); then every object compared with the reference.
run_jobs() {
	local tool=$1 phase=$2 start end secs bad
	rm -rf -- "$WORK/out"
	mkdir -- "$WORK/out"
	start=$(date +%s%N)
	run_with "$tool" xargs -P "$PARALLEL" -L 1 -a "$DATA/job-args.txt" gcc >"$DATA/$phase.$tool.r$round.log" 2>&1 ||
		{ cat -- "$DATA/$phase.$tool.r$round.log" >&2; die "$tool: a job of the $phase run failed"; }
	end=$(date +%s%N)
	secs=$(awk -v ns=$((end - start)) 'BEGIN { printf "%.2f", ns / 1e9 }')
	record "$phase.$tool" "$secs"
	(cd -- "$WORK" && find out -name '*.o' -print0 | sort -z | xargs -0 -r sha256sum) >"$DATA/got.sha256"
	bad=$(diff -- "$DATA/expected.sha256" "$DATA/got.sha256" | grep -c '^[<>]' || true)
	if [[ $bad -eq 0 ]]; then
		check "objects.$phase.$tool" 1 "$JOBS/$JOBS objects = plain gcc's"
	else
		check "objects.$phase.$tool" 0 "$bad object lines missing or differing from plain gcc's"
	fi
	log "  $tool $phase: $secs s"
}

# counted TOOL PHASE BEFORE AFTER: the counter checks of a 1,000-job run.
counted() {
	local tool=$1 phase=$2 before=$3 after=$4 direct pre misses shared uncacheable ok text
	direct=$(stat_sum "$before" "$after" direct_cache_hit)
	pre=$(stat_sum "$before" "$after" preprocessed_cache_hit)
	misses=$(stat_sum "$before" "$after" cache_miss)
	shared=$(stat_sum "$before" "$after" inflight_shared)
	uncacheable=$(stat_sum "$before" "$after" autoconf_test bad_compiler_arguments bad_output_file \
		compile_failed compiler_produced_empty_output compiler_produced_no_output compiler_produced_stdout \
		could_not_find_compiler internal_error missing_cache_file multiple_source_files no_input_file \
		output_to_stdout preprocessor_error unsupported_code_directive unsupported_compiler_option \
		unsupported_environment_variable unsupported_source_language fallback_local)
	record "miss.$phase.$tool" "$misses"
	text="$((direct + pre)) hits (${direct}d ${pre}p), $misses misses"
	[[ $tool == ccache ]] || text+=", $shared inflight_shared"
	((uncacheable == 0)) || text+=", $uncacheable uncacheable/errors"
	ok=1
	((direct + pre + misses == JOBS && uncacheable == 0)) || ok=0
	if [[ $phase == cold ]]; then
		# cache must compile each distinct source once; ccache at least once.
		if [[ $tool == cache ]]; then ((misses == DISTINCT)) || ok=0; else ((misses >= DISTINCT)) || ok=0; fi
	else
		((misses == 0)) || ok=0
	fi
	check "counters.$phase.$tool" "$ok" "$text"
}

# one_job_run TOOL PHASE: a timed run of the job list with counters (cold: the cache
# dirs are empty, so the counters before are all 0: no --print-stats, which would
# start cache's daemon).
one_job_run() {
	local tool=$1 phase=$2
	local before=$DATA/$phase.$tool.r$round.before after=$DATA/$phase.$tool.r$round.after
	[[ $phase == cold ]] || stats "$tool" "$before"
	if [[ $tool == cache && $phase == cold ]]; then
		daemon_pid >/dev/null && die "a daemon is already running before the cold run"
	fi
	if [[ $tool == cache && $phase == fresh-warm ]]; then
		stop_daemon || die "the daemon did not stop"
	fi
	run_jobs "$tool" "$phase"
	[[ $tool != cache ]] || memory "$phase"
	stats "$tool" "$after"
	# cold: every counter was 0 before (stat_sum needs the names in BEFORE).
	[[ $phase != cold ]] || awk -F '\t' -v OFS='\t' '{ print $1, 0 }' "$after" >"$before"
	counted "$tool" "$phase" "$before" "$after"
}

# latency TOOL: first LATENCY_RUNS hits (cache: of a just-started daemon), LATENCY_MIDDLE
# untimed hits, LATENCY_RUNS more; medians in ms recorded as lat-first.TOOL and
# lat-warm.TOOL, the first five of the first series as lat-first5.TOOL.
latency() {
	local tool=$1 before=$DATA/latency.$1.r$round.before after=$DATA/latency.$1.r$round.after
	local -a cmd=(gcc -O2 -c src/s1.c -o out/latency.o)
	local i direct pre misses expect first5 ok=0
	run_with "$tool" "${cmd[@]}" # populated with this very command line
	stats "$tool" "$before"
	if [[ $tool == cache ]]; then
		stop_daemon || die "the daemon did not stop"
		run_with cache "$CACHE_BIN" --start-daemon >/dev/null || die "--start-daemon failed"
	fi
	hyperfine_hits "$tool" first
	for ((i = 0; i < LATENCY_MIDDLE; i++)); do
		run_with "$tool" "${cmd[@]}"
	done
	hyperfine_hits "$tool" warm
	[[ $tool != cache ]] || memory latency
	stats "$tool" "$after"
	direct=$(stat_sum "$before" "$after" direct_cache_hit)
	pre=$(stat_sum "$before" "$after" preprocessed_cache_hit)
	misses=$(stat_sum "$before" "$after" cache_miss)
	expect=$((2 * LATENCY_RUNS + LATENCY_MIDDLE))
	[[ $direct -ne $expect || $pre -ne 0 || $misses -ne 0 ]] || ok=1
	check "counters.latency.$tool" "$ok" \
		"$direct/$expect direct hits, ${pre} preprocessed, $misses misses"
	first5=$(jq -r '[.results[0].times[0:5][] * 1000 | . * 100 | round / 100 | tostring] | join(" ")' \
		"$DATA/lat-first.$tool.r$round.json")
	VALUES[lat-first5.$tool]+="${VALUES[lat-first5.$tool]:+ / }$first5"
	log "  $tool latency: first $LATENCY_RUNS median $(last "lat-first.$tool") ms (first five: $first5)," \
		"after $LATENCY_MIDDLE more: $(last "lat-warm.$tool") ms"
}

# hyperfine_hits TOOL first|warm: LATENCY_RUNS single hits, no warm-up, no shell.
hyperfine_hits() {
	local tool=$1 which=$2 json=$DATA/lat-$2.$1.r$round.json
	run_with "$tool" hyperfine -N --style none --warmup 0 --runs "$LATENCY_RUNS" --export-json "$json" \
		-- "gcc -O2 -c src/s1.c -o out/latency.o" >"$json.out" 2>&1 ||
		{ cat -- "$json.out" >&2; die "hyperfine failed ($tool, $which)"; }
	record "lat-$which.$tool" "$(jq -r '.results[0].median * 1000 * 100 | round / 100' "$json")"
}

last() { local -a v; read -r -a v <<<"${VALUES[$1]}"; printf '%s' "${v[-1]}"; }

# new_round: empty cache dirs, a new runtime dir (no daemon).
new_round() {
	if [[ -n $ROUND_DIR && ${KEEP_TMP:-0} != 1 ]]; then rm -rf -- "$ROUND_DIR"; fi
	ROUND_DIR=$TMP/round-$round
	mkdir -p -- "$ROUND_DIR/cache-dir" "$ROUND_DIR/ccache-dir"
	mkdir -m 700 -- "$ROUND_DIR/run"
}

log "machine: $(nproc) CPUs, $(gcc --version | head -n 1), $(ccache --version | head -n 1), $(hyperfine --version)"
log "cache: $CACHE_BIN; temp dir $TMP"
log "$JOBS jobs ($((JOBS / 2)) of src/s0.c, $DISTINCT distinct sources), xargs -P $PARALLEL, $ROUNDS round(s)"
LOAD_START=$(cut -d ' ' -f 1-3 /proc/loadavg)
log "load average at start: $LOAD_START (other work on the machine skews figures)"

for ((round = 1; round <= ROUNDS; round++)); do
	new_round
	# Alternate which tool goes first in a phase, round by round.
	if ((round % 2)); then order=(cache ccache); else order=(ccache cache); fi
	log "round $round/$ROUNDS (load $(cut -d ' ' -f 1-3 /proc/loadavg))"
	run_jobs plain plain
	for phase in cold warm fresh-warm; do
		for tool in "${order[@]}"; do
			one_job_run "$tool" "$phase"
		done
	done
	for tool in "${order[@]}"; do
		latency "$tool"
	done
	stop_daemon || die "the daemon did not stop"
done
LOAD_END=$(cut -d ' ' -f 1-3 /proc/loadavg)

# --- report -----------------------------------------------------------------------------

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
# verdict VALUE LIMIT: met when VALUE <= LIMIT.
verdict() { awk -v v="$1" -v l="$2" 'BEGIN { print (v <= l) ? "met" : "NOT met" }'; }

echo
echo "parallel-clients: $JOBS jobs over $SOURCES sources ($((JOBS / 2)) identical), xargs -P $PARALLEL;" \
	"median of $ROUNDS round(s); cache: $CACHE_BIN"
echo
fmt='%-46s %10s %10s %10s %8s   %-16s %s\n'
# shellcheck disable=SC2059 # the format is a constant
printf "$fmt" phase plain cache ccache ratio "target" ""
row() { # row LABEL PLAIN KEY UNIT TARGET
	local label=$1 plain=$2 key=$3 unit=$4 target=$5 c cc r met=""
	c=$(median "$key.cache")
	cc=$(median "$key.ccache")
	r=$(ratio "$c" "$cc")
	[[ -z $target ]] || met=$(verdict "$r" "$target")
	# shellcheck disable=SC2059
	printf "$fmt" "$label ($unit)" "$plain" "$c" "$cc" "$r" "${target:+≤ ${target}× ccache}" "$met"
}
plain=$(median plain.plain)
row "$JOBS jobs: fresh daemon, cold cache" "$plain" cold s 0.7
row "$JOBS jobs: warm daemon, warm cache" "$plain" warm s ""
row "$JOBS jobs: fresh daemon, warm cache" "$plain" fresh-warm s ""
row "hit: first $LATENCY_RUNS after --start-daemon, median" - lat-first ms 1.0
row "hit: $LATENCY_RUNS after $LATENCY_MIDDLE more, median" - lat-warm ms 0.3
for phase in cold warm fresh-warm latency; do
	rss=$(median "mem-rss.$phase")
	# shellcheck disable=SC2059
	printf "$fmt" "daemon VmRSS after $phase (MiB)" - "$rss" - - "≤ 150 MiB" "$(verdict "$rss" 150)"
	# shellcheck disable=SC2059
	printf "$fmt" "daemon VmHWM after $phase (MiB)" - "$(median "mem-hwm.$phase")" - - "" ""
done
echo
echo "ratio: cache's median / ccache's; the targets are issue 17's (informational, not the exit status)."
echo "fresh-warm: cache's daemon stopped before the run (the first call starts it); ccache: a second warm run."
echo "first five hits of a just-started daemon (ms, per round): cache ${VALUES[lat-first5.cache]};" \
	"ccache ${VALUES[lat-first5.ccache]}"
echo
echo "per round (plain; cache / ccache = ratio; on a drifting machine the rounds' ratios say more than the medians'):"
printf '  %-12s %s\n' plain "${VALUES[plain.plain]# }"
for key in cold warm fresh-warm lat-first lat-warm; do
	read -r -a c <<<"${VALUES[$key.cache]}"
	read -r -a cc <<<"${VALUES[$key.ccache]}"
	ratios=()
	for i in "${!c[@]}"; do ratios+=("$(ratio "${c[i]}" "${cc[i]}")"); done
	printf '  %-12s %s  /  %s  =  %s\n' "$key" "${c[*]}" "${cc[*]}" "${ratios[*]}"
done
printf '  %-12s %s  /  %s\n' "cold misses" "${VALUES[miss.cold.cache]# }" "${VALUES[miss.cold.ccache]# }"
echo
echo "checks:"
print_table CHECKS 26
report_end
