#!/usr/bin/env bash
# warm-rebuild.sh
#
# Warm rebuild of two real projects, cache vs Debian's ccache, in one run: Debian's
# zlib and lua5.4 sources, a clean and `make -j2` with every object already cached,
# timed by hyperfine for:
#   plain   the compilers alone (PATH without any links);
#   ideal   ideal-hit.c's links first on PATH: a "hit" that costs one exec and one file
#           copy, keyed by the arguments alone (not a cache: it checks nothing). The
#           rebuild's floor, measured in the same run: make, shells, links and archives
#           that no compiler cache can serve. ideal/ccache is the best ratio any wrapper
#           could reach; (cache - ideal) / (ccache - ideal) compares the hits alone;
#   cache   dist/bin/cache's masquerade links (`cache --install-links DIR`) first on PATH;
#   ccache  Debian's /usr/lib/ccache links first on PATH.
# Both caches in their default (direct) mode, each with its own cache directory;
# cache gets a private XDG_RUNTIME_DIR (so its own daemon, stopped at the end).
#
# Per project one build directory (a copy of the pristine sources, configured once with
# plain gcc, then back-dated so no file is "too new" for ccache's direct mode), as
# rebuild-lib.sh prepares it: zlib's make -j2 (34 objects, libraries and test programs
# linked), lua's make -C src -j2 o (68 objects, C and C++).
# The clean runs as hyperfine's --prepare step, outside the timing. Before timing,
# each tool builds once to populate its cache; hyperfine adds --warmup runs. The
# counters (cache --print-stats, ccache --print-stats) are read around the timed runs:
# every compile of every timed or warm-up run must be a hit, none a miss.
#
# Knobs: CACHE_BIN [<repo>/dist/bin/cache], RUNS [10], WARMUP [2], PLAIN_RUNS [3],
# KEEP_TMP=1. Sources: fetch-sources.sh into <repo>/work/corpus (root needed once).
# Exit status 1 when a counter check failed.
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=bench-lib.sh
source "$SCRIPT_DIR/bench-lib.sh"
REPO=$(cd -- "$SCRIPT_DIR/../.." && pwd -P)
CACHE_BIN=${CACHE_BIN:-$REPO/dist/bin/cache}
RUNS=${RUNS:-10}
WARMUP=${WARMUP:-2}
PLAIN_RUNS=${PLAIN_RUNS:-3}
readonly SCRIPT_DIR REPO CACHE_BIN RUNS WARMUP PLAIN_RUNS
readonly CCACHE_LINKS=/usr/lib/ccache

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'warm-rebuild: error: %s\n' "$*" >&2; exit 1; }

[[ $# -eq 0 ]] || { printf 'usage: %s   (no arguments; see the header for knobs)\n' "${0##*/}" >&2; exit 2; }
[[ -x $CACHE_BIN ]] || die "$CACHE_BIN not found: build it with 'mvn -B -q -DskipTests package'"
for n in "$RUNS" "$WARMUP" "$PLAIN_RUNS"; do
	[[ $n =~ ^[0-9]+$ ]] || die "RUNS, WARMUP and PLAIN_RUNS must be numbers"
done
for tool in gcc g++ ccache hyperfine jq make; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool not found (apt-get install $tool)"
done
[[ -x $CCACHE_LINKS/gcc && -x $CCACHE_LINKS/g++ ]] || die "$CCACHE_LINKS/gcc missing (Debian's ccache package)"

unset_ccache_env
TMP=$(mktemp -d "${TMPDIR:-/tmp}/warm-rebuild.XXXXXX")
readonly TMP LINKS=$TMP/links JSON=$TMP/json
mkdir -p -- "$JSON"
mkdir -m 700 -- "$TMP/run"
export XDG_RUNTIME_DIR=$TMP/run LC_ALL=C

CLEAN_PATH=$(path_without "$CCACHE_LINKS")
readonly CLEAN_PATH
export PATH=$CLEAN_PATH

readonly TOOLS=(plain ideal cache ccache) IDEAL_LINKS=$TMP/ideal-links
declare -A TOOL_PATH=([plain]=$CLEAN_PATH [ideal]=$IDEAL_LINKS:$CLEAN_PATH [cache]=$LINKS:$CLEAN_PATH
	[ccache]=$CCACHE_LINKS:$CLEAN_PATH)
declare -A TOOL_DIR=([cache]=$TMP/cache-dir [ccache]=$TMP/ccache-dir)

cleanup() {
	CCACHE_DIR=${TOOL_DIR[cache]} "$CACHE_BIN" --stop-daemon >/dev/null 2>&1 || true
	if [[ ${KEEP_TMP:-0} == 1 ]]; then log "kept $TMP"; else rm -rf -- "$TMP"; fi
}
trap cleanup EXIT

"$CACHE_BIN" --install-links "$LINKS" >/dev/null
REAL_DIR=$(dirname -- "$(command -v gcc)")
readonly REAL_DIR
mkdir -p -- "$IDEAL_LINKS" "$TMP/ideal-store"
gcc -O2 -o "$TMP/ideal-hit" "$SCRIPT_DIR/ideal-hit.c" || die "cannot build ideal-hit.c"
for compiler in gcc g++ cc c++; do
	ln -s -- "$TMP/ideal-hit" "$IDEAL_LINKS/$compiler"
done
[[ $(PATH=${TOOL_PATH[cache]} command -v gcc) == "$LINKS/gcc" ]] || die "$LINKS/gcc is not first on PATH"
[[ $(PATH=${TOOL_PATH[ccache]} command -v gcc) == "$CCACHE_LINKS/gcc" ]] || die "$CCACHE_LINKS/gcc is not first on PATH"
[[ $(command -v gcc) != "$LINKS/gcc" && $(command -v gcc) != "$CCACHE_LINKS/gcc" ]] || die "plain PATH finds a cache"

mapfile -t src_dirs < <("$SCRIPT_DIR/fetch-sources.sh" "$REPO/work/corpus")
[[ ${#src_dirs[@]} -eq 3 ]] || die "fetch-sources.sh did not print three directories"

# --- projects --------------------------------------------------------------------------

readonly PROJECTS=(zlib lua)
# shellcheck source=rebuild-lib.sh
source "$SCRIPT_DIR/rebuild-lib.sh"
declare -A SRC=([zlib]=${src_dirs[0]} [lua]=${src_dirs[1]}) OBJECTS BUILD CLEAN
for project in "${PROJECTS[@]}"; do
	rebuild_prepare "$project" "${SRC[$project]}" "$TMP/$project" ||
		die "$project: preparing its tree failed (KEEP_TMP=1 keeps $TMP)"
	OBJECTS[$project]=${REBUILD_OBJECTS[$project]}
	BUILD[$project]=$(rebuild_build "$project" "$TMP/$project")
	CLEAN[$project]=$(rebuild_clean "$project")
done

# --- measuring ---------------------------------------------------------------------------

declare -A MEDIAN=() RANGE=() CHECK=()
verify_failed=0

# stats TOOL: "name<TAB>value" counters of the tool's cache.
stats() {
	case $1 in
	cache) CCACHE_DIR=${TOOL_DIR[cache]} "$CACHE_BIN" --print-stats ;;
	ccache) CCACHE_DIR=${TOOL_DIR[ccache]} ccache --print-stats ;;
	esac
}

# stat_sum BEFORE AFTER NAME...: see stats-lib.sh.
# shellcheck source=stats-lib.sh
source "$SCRIPT_DIR/stats-lib.sh"

# envcmd TOOL: the env(1) prefix that puts the tool first on PATH.
envcmd() {
	local e="env PATH=${TOOL_PATH[$1]}"
	[[ -z ${TOOL_DIR[$1]:-} ]] || e+=" CCACHE_DIR=${TOOL_DIR[$1]}"
	[[ $1 != ideal ]] || e+=" IDEAL_STORE=$TMP/ideal-store IDEAL_REAL_DIR=$REAL_DIR"
	printf '%s' "$e"
}

log "machine: $(nproc) CPUs, $(gcc --version | head -n 1), $(ccache --version | head -n 1)"
log "cache: $CACHE_BIN; temp dir $TMP"
log "load average at start: $(cut -d ' ' -f 1-3 /proc/loadavg)"
for tool in cache ccache; do
	mkdir -p -- "${TOOL_DIR[$tool]}"
done
CCACHE_DIR=${TOOL_DIR[ccache]} ccache -z >/dev/null
CCACHE_DIR=${TOOL_DIR[cache]} "$CACHE_BIN" -z >/dev/null

for project in "${PROJECTS[@]}"; do
	dir=$TMP/$project
	for tool in "${TOOLS[@]}"; do
		key=$project.$tool
		runs=$RUNS warmup=$WARMUP
		[[ $tool != plain ]] || runs=$PLAIN_RUNS warmup=0
		stored_before=$(find "$TMP/ideal-store" -type f | wc -l)
		if [[ $tool != plain ]]; then
			log "$key: populating build"
			(cd -- "$dir" && eval "${CLEAN[$project]}" && eval "$(envcmd "$tool") ${BUILD[$project]}") \
				>"$TMP/$key.populate.log" 2>&1 || die "$key: populating build failed (KEEP_TMP=1 keeps $TMP)"
		fi
		if [[ $tool == cache || $tool == ccache ]]; then
			stats "$tool" >"$JSON/$key.before"
		fi
		if [[ $tool == ideal ]]; then # every object stored, and so a "hit" in the timed runs
			stored=$(($(find "$TMP/ideal-store" -type f | wc -l) - stored_before))
			[[ $stored -eq ${OBJECTS[$project]} ]] || die "$key: $stored objects stored by the populating build"
		fi
		log "$key ($runs runs, $warmup warm-up): $(envcmd "$tool") ${BUILD[$project]}"
		(cd -- "$dir" && hyperfine --style basic --runs "$runs" --warmup "$warmup" \
			--prepare "${CLEAN[$project]}" --export-json "$JSON/$key.json" --command-name "$key" \
			"$(envcmd "$tool") ${BUILD[$project]}") >"$JSON/$key.out" 2>&1 ||
			{ cat -- "$JSON/$key.out" >&2; die "hyperfine failed for $key"; }
		MEDIAN[$key]=$(jq -r '.results[0].median' "$JSON/$key.json" | awk '{ printf "%.3f", $1 }')
		RANGE[$key]=$(jq -r '.results[0] | "\(.min) \(.max)"' "$JSON/$key.json" | awk '{ printf "%.3f-%.3f", $1, $2 }')
		if [[ $tool == cache || $tool == ccache ]]; then
			stats "$tool" >"$JSON/$key.after"
			hits=$(stat_sum "$JSON/$key.before" "$JSON/$key.after" direct_cache_hit preprocessed_cache_hit)
			direct=$(stat_sum "$JSON/$key.before" "$JSON/$key.after" direct_cache_hit)
			misses=$(stat_sum "$JSON/$key.before" "$JSON/$key.after" cache_miss)
			expect=$(((runs + warmup) * OBJECTS[$project]))
			CHECK[$key]="$hits/$expect hits (${direct} direct), $misses misses"
			if [[ $hits -ne $expect || $misses -ne 0 ]]; then
				CHECK[$key]+=" !!"
				log "WARNING: $key: counters say ${CHECK[$key]}"
				verify_failed=1
			fi
		fi
	done
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo
echo "Warm rebuild (clean, then make -j2, everything cached), median seconds (hyperfine)"
echo
hits_ratio() { awk -v c="$1" -v i="$2" -v p="$3" 'BEGIN { if (p - i > 0) printf "%.2f", (c - i) / (p - i); else print "-" }'; }
fmt='%-6s %8s %8s %8s %8s %13s %13s %13s   %s\n'
# shellcheck disable=SC2059 # the format is a constant
printf "$fmt" project plain ideal cache ccache cache/ccache ideal/ccache "hits alone" "counters (cache; ccache)"
for project in "${PROJECTS[@]}"; do
	# shellcheck disable=SC2059
	printf "$fmt" "$project" "${MEDIAN[$project.plain]}" "${MEDIAN[$project.ideal]}" "${MEDIAN[$project.cache]}" \
		"${MEDIAN[$project.ccache]}" "$(ratio "${MEDIAN[$project.cache]}" "${MEDIAN[$project.ccache]}")" \
		"$(ratio "${MEDIAN[$project.ideal]}" "${MEDIAN[$project.ccache]}")" \
		"$(hits_ratio "${MEDIAN[$project.cache]}" "${MEDIAN[$project.ideal]}" "${MEDIAN[$project.ccache]}")" \
		"${CHECK[$project.cache]}; ${CHECK[$project.ccache]}"
done
echo
echo "ideal: a wrapper whose hit is one exec and one copy (ideal-hit.c), the floor no cache can go under;"
echo "hits alone: (cache - ideal) / (ccache - ideal), what the hits cost beyond that floor, against ccache's."
echo
echo "min-max per case:"
for project in "${PROJECTS[@]}"; do
	printf '%-6s plain %s, ideal %s, cache %s, ccache %s\n' "$project" "${RANGE[$project.plain]}" \
		"${RANGE[$project.ideal]}" "${RANGE[$project.cache]}" "${RANGE[$project.ccache]}"
done
echo "(runs: $RUNS + $WARMUP warm-up per cached case, $PLAIN_RUNS plain; load average at the end: $(cut -d ' ' -f 1-3 /proc/loadavg))"
[[ $verify_failed -eq 0 ]] || { echo "COUNTER CHECK FAILED (see !! above)"; exit 1; }
