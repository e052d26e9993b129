#!/usr/bin/env bash
# interleaved-rebuild.sh [--project lua|zlib|git] [--rounds N] [--jobs LIST] [--fresh-daemon SECONDS]
#                         NAME=SPEC ...
#
# Warm rebuilds of one real project under several configurations, interleaved: on a
# shared machine whose speed drifts by a third within minutes, configurations timed one
# after the other (as hyperfine in warm-rebuild.sh does) can differ by the drift alone.
# Here every configuration gets its own copy of the tree, its own cache directory and
# (for cache) its own daemon; each is populated once; then each round runs every
# configuration's clean + rebuild once, in turn (once per job count of --jobs, default 2:
# make -j2; --jobs 1,2 times make -j1 and make -j2 in every round, each its own row).
# Reported per configuration and job count: the first two
# rounds apart ("young": a daemon's JIT is still compiling), the median of the rounds
# after them, every round, and the counters, which must show only direct hits (exit 1
# otherwise).
#
# SPEC: space-separated VAR=VALUE words exported for that configuration's builds, e.g.
#   cache=''                                   dist/bin/cache, default settings
#   c2=CACHE_JAVA_OPTS=-XX:TieredStopAtLevel=1 a JVM option for that daemon
#   old='CACHE_BIN=/tmp/old-dist/bin/cache'    another build of cache
#   ccache=TOOL=ccache                         Debian's ccache (/usr/lib/ccache first on PATH)
#   new=FRESH_DAEMON=auto                      cache, every timed build on a new daemon (below)
# TOOL is cache (default), ccache, or ideal: ideal-hit.c's links first on PATH, a "hit"
# that costs one exec and one file copy (see warm-rebuild.sh), the floor no cache can go
# under. The first configuration is the reference of the ratio column. Example:
#   benchmarks/scripts/interleaved-rebuild.sh --rounds 15 ccache=TOOL=ccache cache= ideal=TOOL=ideal
#
# FRESH_DAEMON=SECONDS in a cache configuration's SPEC: before each of its timed builds its
# daemon is stopped and started again (cache --stop-daemon; cache --start-daemon), then
# SECONDS pass, all untimed: every timed build is then the first build of a new daemon over
# a full cache, as in a CI job that restores its cache directory (0: the build starts right
# away). FRESH_DAEMON=auto: the daemon is only stopped (untimed), and the build's first
# compile starts it, as after a reboot; the daemon's start is then part of the time.
# --fresh-daemon SECONDS: FRESH_DAEMON=SECONDS for every cache configuration without one.
#
# The trees, caches and daemons live in a temp dir that is removed at the end (KEEP_TMP=1
# keeps it). Sources: fetch-sources.sh into <repo>/work/corpus.
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=bench-lib.sh
source "$SCRIPT_DIR/bench-lib.sh"
REPO=$(cd -- "$SCRIPT_DIR/../.." && pwd -P)
readonly SCRIPT_DIR REPO

die() { printf 'interleaved-rebuild: error: %s\n' "$*" >&2; exit 2; }
usage() { printf 'usage: %s [--project lua|zlib|git] [--rounds N] [--jobs LIST] [--fresh-daemon SECONDS] NAME=SPEC ...\n' "${0##*/}" >&2; exit 2; }

PROJECT=lua
ROUNDS=12
JOBS_LIST=2
FRESH=
while [[ $# -gt 0 ]]; do
	case $1 in
	--project) [[ $# -ge 2 ]] || usage; PROJECT=$2; shift 2 ;;
	--rounds) [[ $# -ge 2 ]] || usage; ROUNDS=$2; shift 2 ;;
	--jobs) [[ $# -ge 2 ]] || usage; JOBS_LIST=$2; shift 2 ;;
	--fresh-daemon) [[ $# -ge 2 ]] || usage; FRESH=$2; shift 2 ;;
	-h | --help) usage ;;
	--*) usage ;;
	*) break ;;
	esac
done
[[ $# -ge 1 ]] || usage
[[ $PROJECT == lua || $PROJECT == zlib || $PROJECT == git ]] || die "--project must be lua, zlib or git"
[[ $JOBS_LIST =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || die "--jobs takes a comma-separated list of job counts"
IFS=, read -r -a JOBS <<<"$JOBS_LIST"
readonly JOBS
[[ $ROUNDS =~ ^[0-9]+$ && $ROUNDS -ge 3 ]] || die "--rounds must be a number of at least 3"
[[ -z $FRESH || $FRESH =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "--fresh-daemon takes seconds"

NAMES=()
declare -A SPEC=()
for arg in "$@"; do
	[[ $arg == *=* ]] || die "not NAME=SPEC: $arg"
	name=${arg%%=*}
	[[ $name =~ ^[A-Za-z0-9_.-]+$ ]] || die "bad configuration name: $name"
	[[ -z ${SPEC[$name]+x} ]] || die "configuration $name given twice"
	spec=${arg#*=}
	for word in $spec; do
		[[ $word =~ ^[A-Za-z_][A-Za-z0-9_]*=.*$ ]] || die "$name: not VAR=VALUE: $word"
	done
	NAMES+=("$name")
	SPEC[$name]=$spec
done

unset_ccache_env
TMP=$(mktemp -d "${TMPDIR:-/tmp}/interleaved.XXXXXX")
readonly TMP
export LC_ALL=C

# shellcheck source=rebuild-lib.sh
source "$SCRIPT_DIR/rebuild-lib.sh"
# shellcheck source=stats-lib.sh
source "$SCRIPT_DIR/stats-lib.sh"

# export_spec NAME: exports the configuration's VAR=VALUE words (call in a subshell).
export_spec() {
	local word
	for word in ${SPEC[$1]}; do
		export "${word?}"
	done
}

# in_config NAME CMD...: runs CMD with the configuration's environment, in its tree.
in_config() {
	local name=$1
	shift
	(
		export XDG_RUNTIME_DIR=$TMP/$name/run CCACHE_DIR=$TMP/$name/cache-dir
		export_spec "$name"
		export CACHE_BIN=${CACHE_BIN:-$REPO/dist/bin/cache}
		case ${TOOL:-cache} in
		cache | ideal) PATH=$TMP/$name/links:$PATH ;;
		ccache) PATH=/usr/lib/ccache:$PATH ;;
		*) die "$name: TOOL must be cache, ccache or ideal" ;;
		esac
		if [[ ${TOOL:-cache} == ideal ]]; then
			export IDEAL_STORE=$TMP/$name/ideal-store IDEAL_REAL_DIR=$REAL_DIR IDEAL_COUNT=$TMP/$name/ideal-count
			touch -- "$IDEAL_COUNT"
		fi
		cd -- "$TMP/$name/tree"
		"$@"
	)
}

tool_of() { (export_spec "$1" && printf '%s' "${TOOL:-cache}"); }
# fresh_of NAME: the configuration's FRESH_DAEMON ("" for none; never for a non-cache tool).
fresh_of() {
	(
		export_spec "$1"
		[[ ${TOOL:-cache} == cache ]] || exit 0
		printf '%s' "${FRESH_DAEMON:-$FRESH}"
	)
}

print_stats() {
	case ${TOOL:-cache} in
	ccache) ccache --print-stats ;;
	cache) "$CACHE_BIN" --print-stats ;;
	ideal) # ideal-hit.c's own count: an h per "hit", an m per stored miss
		printf 'direct_cache_hit\t%s\ncache_miss\t%s\n' "$(tr -cd h <"$IDEAL_COUNT" | wc -c)" \
			"$(tr -cd m <"$IDEAL_COUNT" | wc -c)" ;;
	esac
}
stop_daemon() {
	[[ ${TOOL:-cache} != cache ]] || "$CACHE_BIN" --stop-daemon >/dev/null 2>&1 || true
}
# restart_daemon auto|SECONDS: see FRESH_DAEMON above.
restart_daemon() {
	[[ ${TOOL:-cache} == cache ]] || return 0
	"$CACHE_BIN" --stop-daemon >/dev/null 2>&1 || true
	[[ $1 != auto ]] || return 0
	"$CACHE_BIN" --start-daemon >/dev/null || die "--start-daemon failed"
	sleep "$1"
}
cleanup() {
	for name in "${NAMES[@]}"; do
		[[ -d $TMP/$name/tree ]] && in_config "$name" stop_daemon
	done
	if [[ ${KEEP_TMP:-0} == 1 ]]; then echo "kept $TMP" >&2; else rm -rf -- "$TMP"; fi
}
trap cleanup EXIT

mapfile -t src_dirs < <("$SCRIPT_DIR/fetch-sources.sh" "$REPO/work/corpus")
[[ ${#src_dirs[@]} -eq 3 ]] || die "fetch-sources.sh did not print three directories"
case $PROJECT in
zlib) SRC=${src_dirs[0]} ;;
lua) SRC=${src_dirs[1]} ;;
git) SRC=${src_dirs[2]} ;;
esac
OBJECTS=${REBUILD_OBJECTS[$PROJECT]}
REAL_DIR=$(dirname -- "$(command -v gcc)")
readonly REAL_DIR
gcc -O2 -o "$TMP/ideal-hit" "$SCRIPT_DIR/ideal-hit.c" || die "cannot build ideal-hit.c"
CLEAN=$(rebuild_clean "$PROJECT")

build_cmd() { rebuild_build "$PROJECT" "$TMP/$1/tree" "${2:-2}"; }
# timed NAME JOBS: clean (untimed), a new daemon if FRESH_DAEMON says so (untimed), then the
# build with make -jJOBS; prints milliseconds.
timed() {
	local name=$1 jobs=$2 fresh start end
	in_config "$name" sh -c "$CLEAN" >/dev/null 2>&1
	fresh=$(fresh_of "$name")
	[[ -z $fresh ]] || in_config "$name" restart_daemon "$fresh"
	start=$(date +%s%N)
	in_config "$name" sh -c "$(build_cmd "$name" "$jobs")" >/dev/null 2>&1 || die "$name: build failed"
	end=$(date +%s%N)
	echo $(((end - start) / 1000000))
}

echo "==> $PROJECT, $ROUNDS rounds, make -j${JOBS_LIST}, configurations: ${NAMES[*]}; load average $(cut -d ' ' -f 1-3 /proc/loadavg)" >&2
for name in "${NAMES[@]}"; do
	fresh=$(fresh_of "$name")
	[[ -z $fresh || $fresh == auto || $fresh =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "$name: FRESH_DAEMON must be auto or seconds"
	mkdir -p -- "$TMP/$name/cache-dir"
	mkdir -m 700 -- "$TMP/$name/run"
	rebuild_prepare "$PROJECT" "$SRC" "$TMP/$name/tree" || die "$name: preparing the tree failed"
	if [[ $(tool_of "$name") == ideal ]]; then
		mkdir -p -- "$TMP/$name/links" "$TMP/$name/ideal-store"
		for compiler in gcc g++ cc c++; do
			ln -s -- "$TMP/ideal-hit" "$TMP/$name/links/$compiler"
		done
	fi
	if [[ $(tool_of "$name") == cache ]]; then
		in_config "$name" sh -c '"$CACHE_BIN" --install-links "$1" >/dev/null' sh "$TMP/$name/links" ||
			die "$name: --install-links failed"
	fi
	echo "==> $name: populating build" >&2
	in_config "$name" sh -c "$CLEAN && $(build_cmd "$name")" >"$TMP/$name/populate.log" 2>&1 ||
		die "$name: populating build failed (KEEP_TMP=1 keeps $TMP)"
	in_config "$name" print_stats >"$TMP/$name/stats.before"
done

declare -A TIMES=() CHECK=()
for round in $(seq "$ROUNDS"); do
	for jobs in "${JOBS[@]}"; do
		for name in "${NAMES[@]}"; do
			TIMES[$name.$jobs]+=" $(timed "$name" "$jobs")"
		done
	done
done


failed=0
builds=$((ROUNDS * ${#JOBS[@]} * OBJECTS))
printf '\n%-16s %15s %8s %8s   %-34s %s\n' config "young (1, 2)" median "÷first" counters "all rounds (ms)"
for name in "${NAMES[@]}"; do
	in_config "$name" print_stats >"$TMP/$name/stats.after"
	direct=$(stat_sum "$TMP/$name/stats.before" "$TMP/$name/stats.after" direct_cache_hit)
	misses=$(stat_sum "$TMP/$name/stats.before" "$TMP/$name/stats.after" cache_miss)
	uncacheable=$(stat_sum "$TMP/$name/stats.before" "$TMP/$name/stats.after" autoconf_test \
		bad_compiler_arguments compile_failed compiler_produced_empty_output compiler_produced_no_output \
		compiler_produced_stdout multiple_source_files no_input_file output_to_stdout preprocessor_error \
		unsupported_code_directive unsupported_compiler_option unsupported_environment_variable \
		unsupported_source_language)
	CHECK[$name]="$direct/$builds direct hits, $misses misses"
	((uncacheable == 0)) || CHECK[$name]+=", $uncacheable uncacheable"
	if [[ $direct -ne $builds || $misses -ne 0 || $uncacheable -ne 0 ]]; then
		CHECK[$name]+=" !!"
		failed=1
	fi
done
for jobs in "${JOBS[@]}"; do
	first_median=
	for name in "${NAMES[@]}"; do
		read -r -a all <<<"${TIMES[$name.$jobs]}"
		median=$(printf '%s\n' "${all[@]:2}" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
		[[ -n $first_median ]] || first_median=$median
		printf '%-16s %15s %8s %8s   %-34s %s\n' "$name -j$jobs" "${all[0]}, ${all[1]}" "$median" \
			"$(awk -v a="$median" -v b="$first_median" 'BEGIN { printf "%.2f", a / b }')" "${CHECK[$name]}" \
			"${TIMES[$name.$jobs]# }"
	done
done
for name in "${NAMES[@]}"; do
	fresh=$(fresh_of "$name")
	[[ -z $fresh ]] || echo "($name: every timed build on a new daemon: FRESH_DAEMON=$fresh)"
done
echo "(median over rounds 3-$ROUNDS; load average at the end: $(cut -d ' ' -f 1-3 /proc/loadavg))"
[[ $failed -eq 0 ]] || { echo "COUNTER CHECK FAILED (see !! above)"; exit 1; }
