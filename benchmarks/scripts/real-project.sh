#!/usr/bin/env bash
# real-project.sh [--check] [--prefix] [--farm]
#
# The "main job" showcase: builds two real C projects (Debian's zlib and lua5.4
# sources) three times each and checks that the cache gives the very same objects:
#
#   plain  - system gcc, no cache;
#   cold   - through the cache, empty cache;
#   warm   - again through the cache, which now holds every object.
#
# With --farm (DISTCC_HOSTS naming `cached` nodes must be set) the cached builds
# distribute their misses (CCACHE_PREFIX=distcc, docs/distributed.md) and the third
# build is "refetch" instead of "warm": the local cache is cleared first, so its
# misses must be answered by the nodes' caches. PASS then also needs: the cold
# make step compiled on the nodes (remote_compile > 0), and the refetch make step
# answered every miss by a node hit with no remote compile.
#
# By default the cached builds go through masquerade links (dist/bin/cache
# --install-links work/links, put first on PATH, so `gcc`/`g++` are the cache).
# With --prefix they use prefix form instead: CC="dist/bin/cache gcc",
# CXX="dist/bin/cache g++", PATH untouched.
#
# Every build starts from a fresh copy of the pristine sources in the SAME directory
# (<repo>/work/build/<project>), because objects built with -g embed the cwd and the
# source paths. After each build a manifest (sha256sum of every *.o / *.lo) is saved;
# the cold and warm manifests must equal the plain one. For the cached builds the
# statistics counters are read before, between configure and make, and after
# (cache --print-stats) and the differences are shown: hits, misses, uncacheable
# calls (configure's link probes, the final links ...) and errors.
#
# PASS for a project = all three builds succeeded, cold and warm objects are
# identical to the plain build's, and the warm build's make step had no cache_miss
# and at least one hit. (Counters of the configure step are shown apart and not
# judged: zlib's configure probes compile ztest<PID>.c, a new file every run, so
# they miss with any compile cache.) A failed build makes its project FAIL (the
# log's tail is shown) and the script goes on with the next project. Without
# --check the script exits 0 after printing PASS/FAIL; with --check it exits 1 if
# any project FAILed.
#
# Everything it writes is under <repo>/work/ (git-ignored):
#   work/corpus/     Debian source packages (fetch-sources.sh)
#   work/build/      the scratch build directories
#   work/cache-dir/  the cache directory (CCACHE_DIR) used here; cleared and zeroed
#                    at the start of every run
#   work/links/      masquerade links (dist/bin/cache --install-links)
#   work/results/    build logs, manifests, stats snapshots
#
# The daemon is left running on purpose so that its statistics can be inspected
# afterwards; the script prints the exact commands. To stop it:
#   CCACHE_DIR=<repo>/work/cache-dir <repo>/dist/bin/cache --stop-daemon
# (with the same XDG_RUNTIME_DIR as the run, if you had one set).
set -euo pipefail

usage() {
	printf 'usage: %s [--check] [--prefix] [--farm]\n' "${0##*/}" >&2
	exit 2
}

CHECK=false
MODE=links
FARM=false
for arg in "$@"; do
	case $arg in
	--check) CHECK=true ;;
	--prefix) MODE=prefix ;;
	--farm) FARM=true ;;
	*) usage ;;
	esac
done

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=bench-lib.sh
source "$SCRIPT_DIR/bench-lib.sh"
REPO=$(cd -- "$SCRIPT_DIR/../.." && pwd -P)
readonly SCRIPT_DIR REPO CHECK MODE FARM
# The client under test. Override CACHE_BIN to benchmark another build, e.g. a
# snapshot copy of dist/ (cp -a dist /tmp/dist-snap) while dist/ is being rebuilt;
# the client finds its jars in <its dir>/../lib.
CACHE_BIN=${CACHE_BIN:-$REPO/dist/bin/cache}
readonly CACHE_BIN
readonly WORK=$REPO/work
readonly CORPUS=$WORK/corpus
readonly BUILD_ROOT=$WORK/build
readonly LINKS=$WORK/links
readonly RESULTS=$WORK/results
readonly JOBS=2
# Flags for both projects: optimised, with debug info (so cwd/paths matter).
readonly OPT_FLAGS="-O2 -g"

# Counter groups, as in ccache (and ccache-compat's Counter.java).
readonly HIT_COUNTERS=(direct_cache_hit preprocessed_cache_hit)
readonly MISS_COUNTERS=(cache_miss)
readonly UNCACHEABLE_COUNTERS=(autoconf_test bad_compiler_arguments called_for_link
	called_for_preprocessing compile_failed compiler_produced_empty_output
	compiler_produced_no_output compiler_produced_stdout could_not_use_modules
	could_not_use_precompiled_header multiple_source_files no_input_file
	output_to_stdout preprocessor_error recache unsupported_code_directive
	unsupported_compiler_option unsupported_environment_variable
	unsupported_source_language)
readonly ERROR_COUNTERS=(bad_output_file compiler_check_failed could_not_find_compiler
	error_hashing_extra_file internal_error missing_cache_file remote_storage_error
	remote_storage_timeout corrupt_entry fallback_local)

log() { printf '==> %s\n' "$*"; }
die() { printf 'real-project: error: %s\n' "$*" >&2; exit 1; }

# --- environment -----------------------------------------------------------------

# A reproducible cache configuration: drop any CCACHE_* setting inherited from the
# caller (CCACHE_DISABLE, CCACHE_RECACHE, ...) and use our own cache directory.
unset_ccache_env
export CCACHE_DIR=$WORK/cache-dir
if [[ $FARM == true ]]; then
	[[ -n ${DISTCC_HOSTS:-} ]] || die "--farm needs DISTCC_HOSTS naming the cached nodes"
	export CCACHE_PREFIX=distcc
	export DISTCC_DIR=${DISTCC_DIR:-$WORK/distcc}
	mkdir -p -- "$DISTCC_DIR"
	readonly PHASES=(plain cold refetch)
else
	readonly PHASES=(plain cold warm)
fi

# PATH for the plain builds: without our links and without Debian's ccache
# masquerade directory, so `gcc` is the real compiler.
CLEAN_PATH=$(path_without "$LINKS" /usr/lib/ccache)
readonly CLEAN_PATH
export PATH=$CLEAN_PATH

# Seconds since the epoch with microseconds (bash 5).
now() { printf '%s' "$EPOCHREALTIME"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# --- preparation -----------------------------------------------------------------

if [[ ! -x $CACHE_BIN && $CACHE_BIN == "$REPO/dist/bin/cache" ]]; then
	log "dist/bin/cache missing: building the project (mvn -B -q -DskipTests package)"
	(cd -- "$REPO" && mvn -B -q -DskipTests package)
	[[ -x $CACHE_BIN ]] || die "$CACHE_BIN still missing after the build"
fi
[[ -x $CACHE_BIN ]] || die "$CACHE_BIN: no such executable"

mkdir -p -- "$CORPUS" "$BUILD_ROOT" "$RESULTS"

log "$(nproc) CPUs, load average $(cut -d ' ' -f 1-3 /proc/loadavg); cache: $CACHE_BIN"
log "fetching sources into $CORPUS"
mapfile -t src_dirs < <("$SCRIPT_DIR/fetch-sources.sh" "$CORPUS")
[[ ${#src_dirs[@]} -eq 3 && -d ${src_dirs[0]} && -d ${src_dirs[1]} ]] ||
	die "fetch-sources.sh did not print three source directories"
readonly ZLIB_SRC=${src_dirs[0]} LUA_SRC=${src_dirs[1]}

if [[ $MODE == links ]]; then
	log "installing masquerade links into $LINKS"
	"$CACHE_BIN" --install-links "$LINKS" >"$RESULTS/install-links.log"
	[[ $(PATH=$LINKS:$CLEAN_PATH command -v gcc) == "$LINKS/gcc" ]] ||
		die "$LINKS/gcc is not what PATH finds first"
fi
[[ $(command -v gcc) != "$LINKS/gcc" ]] || die "plain PATH still finds the cache's gcc"

log "clearing and zeroing the cache in $CCACHE_DIR"
"$CACHE_BIN" -C >/dev/null
"$CACHE_BIN" -z >/dev/null

# --- the projects -------------------------------------------------------------------

# Each project has two steps, run in its build directory with the C compiler
# $BUILD_CC and the C++ compiler $BUILD_CXX (set by run_phase: plain `gcc`/`g++`,
# which PATH may map to the masquerade links, or `<cache> gcc`/`<cache> g++`):
#   configure_<project>  configuration, including the compiler probes of configure
#                        scripts;
#   make_<project>       compiling the project's own sources.
# They are timed together but their counters are kept apart: configure probes are
# not expected to hit (zlib's are named ztest<PID>.c, a new file on every run).
# Output goes to the caller's redirection.

configure_zlib() {
	# zlib's own configure (not autoconf); it takes CC/CFLAGS from the environment
	# and runs its compile and link probes with them.
	CC=$BUILD_CC CFLAGS=$OPT_FLAGS ./configure
}

make_zlib() {
	# Default target: libz.a (*.o), the shared library (*.lo), the test programs.
	make -j"$JOBS"
}

configure_lua() {
	local multiarch
	# Debian's build generates this header in its configure step (debian/rules).
	multiarch=$(gcc -print-multiarch)
	[[ -n $multiarch ]]
	{
		printf '#ifndef _LUA_DEB_MULTIARCH_\n#define _LUA_DEB_MULTIARCH_\n'
		printf '#define DEB_HOST_MULTIARCH "%s"\n' "$multiarch"
		printf '#endif\n'
	} >src/lua5.4-deb-multiarch.h
	# Debian's src/Makefile compiles every file twice through libtool, as C (gcc)
	# and as C++ (g++, *-c++.o). Rather than bootstrapping libtool with autoreconf,
	# a stand-in drops libtool's options and runs the compiler command as is.
	cat >libtool-compile <<-'EOF'
		#!/bin/sh
		# Stand-in for `libtool --mode=compile --tag=X CC ARGS`: run `CC ARGS`.
		while [ $# -gt 0 ]; do
			case $1 in --mode=* | --tag=*) shift ;; *) break ;; esac
		done
		exec "$@"
	EOF
	chmod +x libtool-compile
}

make_lua() {
	# Target "o" = every object (lua and luac included), no linking.
	# MYCFLAGS/MYCXXFLAGS would default to dpkg-buildflags; we pin them instead.
	make -C src -j"$JOBS" o \
		CC="$BUILD_CC -std=gnu99" CXX="$BUILD_CXX" LIBTOOL="$PWD/libtool-compile" \
		SYSCFLAGS=-DLUA_USE_LINUX MYCFLAGS="$OPT_FLAGS" MYCXXFLAGS="$OPT_FLAGS"
}

# manifest DIR OUT: sha256 of every object, by relative path, sorted.
manifest() {
	(cd -- "$1" &&
		find . -type f \( -name '*.o' -o -name '*.lo' \) -print0 |
		LC_ALL=C sort -z | xargs -0 -r sha256sum) >"$2"
}

# stat_sum BEFORE AFTER NAME...: see stats-lib.sh.
# shellcheck source=stats-lib.sh
source "$SCRIPT_DIR/stats-lib.sh"

# stat_detail BEFORE AFTER NAME...: "name N, name N" for the NAMEs that changed.
stat_detail() {
	local before=$1 after=$2
	shift 2
	awk -F '\t' -v names="$*" '
		BEGIN { n = split(names, want, " "); for (i = 1; i <= n; i++) w[want[i]] = 1 }
		FNR == NR { if ($1 in w) b[$1] = $2; next }
		($1 in w) && $2 - b[$1] != 0 { out = out (out == "" ? "" : ", ") $1 " " ($2 - b[$1]) }
		END { print out }' "$before" "$after"
}

# Results, indexed by "<project>.<phase>.<field>".
declare -A R=()

# count STEP BEFORE AFTER: R[<key>.STEP.{hits,misses,uncacheable,errors,why}] from
# two --print-stats snapshots. Uses $key from run_phase.
count() {
	local step=$1 before=$2 after=$3
	R[$key.$step.hits]=$(stat_sum "$before" "$after" "${HIT_COUNTERS[@]}")
	R[$key.$step.misses]=$(stat_sum "$before" "$after" "${MISS_COUNTERS[@]}")
	R[$key.$step.uncacheable]=$(stat_sum "$before" "$after" "${UNCACHEABLE_COUNTERS[@]}")
	R[$key.$step.errors]=$(stat_sum "$before" "$after" "${ERROR_COUNTERS[@]}")
	R[$key.$step.why]=$(stat_detail "$before" "$after" "${UNCACHEABLE_COUNTERS[@]}" "${ERROR_COUNTERS[@]}")
	R[$key.$step.remote]=$(stat_sum "$before" "$after" remote_compile)
	R[$key.$step.node_hits]=$(stat_sum "$before" "$after" node_hit)
	R[$key.$step.farm_why]=$(stat_detail "$before" "$after" remote_compile node_hit kept_local builder_failed)
}

# show_counts STEP LABEL: one line of counters.
show_counts() {
	local step=$1 label=$2
	printf '          %-9s hits %3d, misses %3d, uncacheable %3d, errors %d%s\n' "$label" \
		"${R[$key.$step.hits]}" "${R[$key.$step.misses]}" "${R[$key.$step.uncacheable]}" \
		"${R[$key.$step.errors]}" "${R[$key.$step.why]:+  (${R[$key.$step.why]})}"
	if [[ $FARM == true ]]; then
		printf '          %-9s farm: %s\n' "" "${R[$key.$step.farm_why]:-nothing}"
	fi
}

# run_phase PROJECT PHASE SRC: fresh copy, configure + make, manifest, counters.
# A failed build sets R[PROJECT.PHASE.failed]=yes and shows its log's tail.
# (Always called as a plain command, never in `if`/`||`, so that set -e still
# applies to everything else in it.)
run_phase() {
	local project=$1 phase=$2 src=$3
	local key=$project.$phase dir=$BUILD_ROOT/$project
	local logf=$RESULTS/$project-$phase.log
	local mf=$RESULTS/$project-$phase.sha256
	local s0=$RESULTS/$project-$phase.stats0 s1=$RESULTS/$project-$phase.stats1
	local s2=$RESULTS/$project-$phase.stats2
	local path=$CLEAN_PATH cc=gcc cxx=g++ t0 t1 t2 step rc

	if [[ $phase != plain ]]; then
		case $MODE in
		links) path=$LINKS:$CLEAN_PATH ;;
		prefix) cc="$CACHE_BIN gcc" cxx="$CACHE_BIN g++" ;;
		esac
	fi
	rm -rf -- "$dir"
	cp -a -- "$src" "$dir"
	: >"$logf"
	if [[ $phase == refetch ]]; then
		"$CACHE_BIN" -C >/dev/null # an empty local cache: the nodes must answer
	fi

	"$CACHE_BIN" --print-stats >"$s0"
	t0=$(now)
	for step in configure make; do
		# Not `if ! (...)`: bash ignores set -e inside a tested command, and the
		# steps rely on it. So run it plainly with errexit on inside, and collect
		# the status with errexit off outside.
		set +e
		(
			set -e
			cd -- "$dir"
			export PATH=$path BUILD_CC=$cc BUILD_CXX=$cxx
			"${step}_$project"
		) >>"$logf" 2>&1
		rc=$?
		set -e
		if [[ $rc -ne 0 ]]; then
			R[$key.failed]=yes
			printf '    %-5s %s FAILED (exit %d); last lines of %s:\n' "$phase" "$step" "$rc" "$logf"
			tail -n 15 -- "$logf" | sed 's/^/      | /'
			return 0
		fi
		if [[ $step == configure ]]; then
			t1=$(now)
			"$CACHE_BIN" --print-stats >"$s1"
		fi
	done
	t2=$(now)
	"$CACHE_BIN" --print-stats >"$s2"

	manifest "$dir" "$mf"
	R[$key.failed]=no
	R[$key.time]=$(elapsed "$t0" "$t2")
	R[$key.configure_time]=$(elapsed "$t0" "$t1")
	R[$key.objects]=$(wc -l <"$mf")
	count configure "$s0" "$s1"
	count make "$s1" "$s2"

	if [[ $phase == plain ]]; then
		R[$key.same]=-
		printf '    %-5s %7ss (configure %ss)  %3d objects\n' "$phase" "${R[$key.time]}" \
			"${R[$key.configure_time]}" "${R[$key.objects]}"
		return 0
	fi
	if cmp -s -- "$RESULTS/$project-plain.sha256" "$mf"; then
		R[$key.same]=yes
	else
		R[$key.same]=NO
	fi
	printf '    %-5s %7ss (configure %ss)  %3d objects, identical to plain: %s\n' "$phase" \
		"${R[$key.time]}" "${R[$key.configure_time]}" "${R[$key.objects]}" "${R[$key.same]}"
	show_counts make make:
	show_counts configure configure:
	if [[ ${R[$key.same]} == NO ]]; then
		printf '          objects that differ (plain vs %s):\n' "$phase"
		diff -- "$RESULTS/$project-plain.sha256" "$mf" | grep '^[<>]' | head -n 10 |
			sed 's/^/          /' || true
	fi
	return 0
}

readonly PROJECTS=(zlib lua)
declare -A SRC=([zlib]=$ZLIB_SRC [lua]=$LUA_SRC)

for project in "${PROJECTS[@]}"; do
	log "$project: $(basename -- "${SRC[$project]}") in $BUILD_ROOT/$project (cached builds: $MODE)"
	for phase in "${PHASES[@]}"; do
		run_phase "$project" "$phase" "${SRC[$project]}"
		# After a failed build the project's later phases are pointless.
		[[ ${R[$project.$phase.failed]} == no ]] || break
	done
done

# --- verdict -------------------------------------------------------------------------

# cell PROJECT PHASE FIELD: the value, or "-" when that phase did not complete.
cell() {
	local key=$1.$2
	if [[ ${R[$key.failed]:-} == no ]]; then
		printf '%s' "${R[$key.$3]}"
	elif [[ ${R[$key.failed]:-} == yes ]]; then
		printf 'failed'
	else
		printf -- '-'
	fi
}

echo
echo "Wall times include configure. hits/misses: the warm build's make step;"
echo "uncacheable: the warm build's configure + make (probes, links)."
printf '%-6s %9s %9s %9s %8s %6s %6s %11s  %s\n' \
	project plain_s cold_s warm_s objects hits misses uncacheable result
failed=0
for project in "${PROJECTS[@]}"; do
	reasons=()
	for phase in "${PHASES[@]}"; do
		[[ ${R[$project.$phase.failed]:-} != yes ]] || reasons+=("$phase build failed")
	done
	for phase in "${PHASES[@]:1}"; do
		[[ ${R[$project.$phase.same]:-} != NO ]] || reasons+=("$phase objects differ")
	done
	if [[ $FARM == true && ${R[$project.refetch.failed]:-} == no ]]; then
		[[ ${R[$project.cold.make.remote]} -gt 0 ]] || reasons+=("cold make compiled nothing on the nodes")
		[[ ${R[$project.refetch.make.misses]} -gt 0 &&
			${R[$project.refetch.make.node_hits]} -eq ${R[$project.refetch.make.misses]} ]] ||
			reasons+=("refetch make: ${R[$project.refetch.make.node_hits]} node hits for ${R[$project.refetch.make.misses]} misses")
		[[ ${R[$project.refetch.make.remote]} -eq 0 ]] ||
			reasons+=("refetch make compiled ${R[$project.refetch.make.remote]} on the nodes")
	fi
	if [[ $FARM == false && ${R[$project.warm.failed]:-} == no ]]; then
		[[ ${R[$project.warm.make.misses]} -eq 0 ]] ||
			reasons+=("warm make had ${R[$project.warm.make.misses]} misses")
		[[ ${R[$project.warm.make.hits]} -gt 0 ]] || reasons+=("warm make had no hits")
		R[$project.warm.uncacheable]=$((${R[$project.warm.configure.uncacheable]} +
			${R[$project.warm.make.uncacheable]}))
	fi
	if [[ ${#reasons[@]} -eq 0 ]]; then
		verdict=PASS
	else
		verdict="FAIL: $(IFS=';'; printf '%s' "${reasons[*]}")"
		failed=$((failed + 1))
	fi
	printf '%-6s %9s %9s %9s %8s %6s %6s %11s  %s\n' "$project" \
		"$(cell "$project" plain time)" "$(cell "$project" cold time)" "$(cell "$project" "${PHASES[2]}" time)" \
		"$(cell "$project" plain objects)" "$(cell "$project" "${PHASES[2]}" make.hits)" \
		"$(cell "$project" "${PHASES[2]}" make.misses)" "$(cell "$project" "${PHASES[2]}" uncacheable)" "$verdict"
done

echo "(load average at the end: $(cut -d ' ' -f 1-3 /proc/loadavg))"
echo
log "cache -s (CCACHE_DIR=$CCACHE_DIR)"
"$CACHE_BIN" -s

echo
echo "Logs, manifests and stats snapshots: $RESULTS"
echo "The daemon is still running. Inspect or stop it with:"
echo "  CCACHE_DIR=$CCACHE_DIR $CACHE_BIN -s"
echo "  CCACHE_DIR=$CCACHE_DIR $CACHE_BIN --stop-daemon"

if [[ $failed -gt 0 ]]; then
	echo "RESULT: FAIL ($failed of ${#PROJECTS[@]} projects)"
	[[ $CHECK == false ]] || exit 1
else
	echo "RESULT: PASS"
fi
