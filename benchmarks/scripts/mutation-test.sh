#!/usr/bin/env bash
# mutation-test.sh [--iterations N] [--seed S] [--min-direct N] [--min-preprocessed N]
#                  [--min-changed N]
#
# Stale-hit hunt over Debian's lua5.4 sources. Between builds it applies random header
# and source edits, chosen by a seeded RNG; after every build through `cache` every
# object must equal, byte for byte, the object of a plain build of the same tree.
# Exit status 1 on any mismatch (a stale or wrong hit) or failed build, or when a floor
# is not reached.
#
# Floors: "stale 0" alone is also what a cache that never hits gives (every failure of
# ours falls back to a plain compile), and what mutations that never change an object
# give. --min-direct and --min-preprocessed are the least direct-mode and
# preprocessor-mode hits (summed over the iterations, from `cache --print-stats`) and
# --min-changed the least objects the mutations changed, for the run to pass [all 0].
#
# The tree (<work>/tree) is the lua src/ directory re-laid out so that shadowing is
# possible at all (in lua's own layout every header sits next to its includers, and a
# quote include finds it there first):
#   src/*.c      the sources, compiled from the tree's root (relative paths);
#   include/*.h  the headers;
#   shadow/      passed first: -Ishadow -Iinclude. It does not exist at the start
#                (gcc then lists it as an ignored nonexistent directory).
# Every file is compiled as C (gcc -std=gnu99, obj/X.o) and as C++ (g++, obj/X-c++.o),
# as Debian's build does, with -O1 -g (so the cwd and paths are in the objects), by a
# generated Makefile and make -j2. Some iterations use clang/clang++ instead.
#
# Per iteration, 1-3 mutations, each one of:
#   macro      set an object-visible numeric macro (LUA_IDSIZE, LUA_MINSTACK,
#              LUAI_MAXCCALLS, ...) in a header or a shadowing copy to one of 4 values;
#   decl       set/replace a declaration line in a header (preprocessed text changes,
#              objects do not);
#   touch      touch a header or source (mtime only);
#   shadow+    add a header that shadows an existing one: a copy of include/H with a
#              changed macro in shadow/ (before include/ on the -I chain) or in src/
#              (next to the includers), or shadow/limits.h shadowing the system header
#              (#include_next, plus a #define that llimits.h honours);
#   shadow-    remove a shadowing header (and sometimes the then empty shadow/);
#   revert     restore an edited header or source to its pristine content, so results
#              recorded before the edit become valid again;
#   c-edit     set a line `int lua_mutation_<file> = V;` in a .c file (V one of 4).
# Values repeat on purpose: states recur, and the manifest must pick the right result.
# Then, 0.2 s later (files changed in the last 100 ms are deliberately not remembered),
# the cached build (masquerade links first on PATH; obj/ emptied first, so every object
# is a cache lookup), the objects moved aside, the plain build (clean PATH, same
# directory), and a byte comparison of every object. Hits and misses per iteration come
# from `cache --print-stats`; "changed" counts objects that differ from the previous
# iteration's plain build with the same compiler (the mutations have teeth).
#
# Everything goes under $MUTATION_WORK [<repo>/work/mutation] (its own cache dir and
# private XDG_RUNTIME_DIR, so its own daemon, stopped at the end). Sources come from
# fetch-sources.sh into <repo>/work/corpus (root needed once) unless LUA_SRC points to
# an unpacked lua5.4 source tree. CACHE_BIN overrides the client [<repo>/dist/bin/cache];
# CLANG_EVERY=K builds every K-th iteration with clang [4; 0 = never].
set -euo pipefail

usage() {
	printf 'usage: %s [--iterations N] [--seed S] [--min-direct N] [--min-preprocessed N] [--min-changed N]\n' \
		"${0##*/}" >&2
	exit 2
}

ITERATIONS=20
SEED=1
MIN_DIRECT=0 MIN_PRE=0 MIN_CHANGED=0
while [[ $# -gt 0 ]]; do
	case $1 in
	--iterations) [[ $# -ge 2 ]] || usage; ITERATIONS=$2; shift 2 ;;
	--seed) [[ $# -ge 2 ]] || usage; SEED=$2; shift 2 ;;
	--min-direct) [[ $# -ge 2 ]] || usage; MIN_DIRECT=$2; shift 2 ;;
	--min-preprocessed) [[ $# -ge 2 ]] || usage; MIN_PRE=$2; shift 2 ;;
	--min-changed) [[ $# -ge 2 ]] || usage; MIN_CHANGED=$2; shift 2 ;;
	*) usage ;;
	esac
done
for n in "$ITERATIONS" "$SEED" "$MIN_DIRECT" "$MIN_PRE" "$MIN_CHANGED"; do
	[[ $n =~ ^[0-9]+$ ]] || usage
done

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=bench-lib.sh
source "$SCRIPT_DIR/bench-lib.sh"
REPO=$(cd -- "$SCRIPT_DIR/../.." && pwd -P)
CACHE_BIN=${CACHE_BIN:-$REPO/dist/bin/cache}
WORK=${MUTATION_WORK:-$REPO/work/mutation}
CLANG_EVERY=${CLANG_EVERY:-4}
readonly SCRIPT_DIR REPO CACHE_BIN WORK CLANG_EVERY ITERATIONS SEED MIN_DIRECT MIN_PRE MIN_CHANGED
readonly TREE=$WORK/tree ASIDE=$WORK/cached-obj LINKS=$WORK/links LOGS=$WORK/logs
readonly OPT_FLAGS="-O1 -g"

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'mutation-test: error: %s\n' "$*" >&2; exit 1; }

[[ -x $CACHE_BIN ]] || die "$CACHE_BIN not found: build it with 'mvn -B -q -DskipTests package'"
[[ $CLANG_EVERY =~ ^[0-9]+$ ]] || die "CLANG_EVERY must be a number"

# --- environment -----------------------------------------------------------------

unset_ccache_env
CLEAN_PATH=$(path_without "$LINKS" /usr/lib/ccache)
readonly CLEAN_PATH
export PATH=$CLEAN_PATH LC_ALL=C

if [[ -z ${LUA_SRC:-} ]]; then
	mapfile -t src_dirs < <("$SCRIPT_DIR/fetch-sources.sh" "$REPO/work/corpus")
	[[ ${#src_dirs[@]} -eq 3 && -d ${src_dirs[1]} ]] || die "fetch-sources.sh did not print the lua5.4 directory"
	LUA_SRC=${src_dirs[1]}
fi
readonly LUA_SRC
[[ -f $LUA_SRC/src/lua.h ]] || die "$LUA_SRC is not a lua source tree"

rm -rf -- "$WORK"
mkdir -p -- "$TREE/src" "$TREE/include" "$TREE/obj" "$LOGS" "$WORK/pristine"
mkdir -m 700 -- "$WORK/run"
export CCACHE_DIR=$WORK/cache-dir XDG_RUNTIME_DIR=$WORK/run
cleanup() { "$CACHE_BIN" --stop-daemon >/dev/null 2>&1 || true; }
trap cleanup EXIT

cp -- "$LUA_SRC"/src/*.c "$TREE/src/"
cp -- "$LUA_SRC"/src/*.h "$TREE/include/"
# Debian's configure step generates this header (see real-project.sh).
printf '#ifndef _LUA_DEB_MULTIARCH_\n#define _LUA_DEB_MULTIARCH_\n#define DEB_HOST_MULTIARCH "%s"\n#endif\n' \
	"$(gcc -print-multiarch)" >"$TREE/include/lua5.4-deb-multiarch.h"
cat >"$TREE/Makefile" <<EOF
# Generated by mutation-test.sh: every src/*.c as C and as C++, no linking.
CFLAGS = -std=gnu99 $OPT_FLAGS -Wall -DLUA_COMPAT_5_3 -DLUA_USE_LINUX -Ishadow -Iinclude
CXXFLAGS = $OPT_FLAGS -Wall -DLUA_COMPAT_5_3 -DLUA_USE_LINUX -Ishadow -Iinclude
SRCS := \$(wildcard src/*.c)
all: \$(SRCS:src/%.c=obj/%.o) \$(SRCS:src/%.c=obj/%-c++.o)
obj/%.o: src/%.c
	\$(CC) \$(CFLAGS) -c \$< -o \$@
obj/%-c++.o: src/%.c
	\$(CXX) \$(CXXFLAGS) -c \$< -o \$@
EOF
(cd -- "$TREE" && cp -a -- src include "$WORK/pristine/")
# Everything pristine is old: no file is "too new" for the first build.
find "$TREE" "$WORK/pristine" -type f -exec touch -d '10 minutes ago' {} +

"$CACHE_BIN" --install-links "$LINKS" >/dev/null
[[ $(PATH=$LINKS:$CLEAN_PATH command -v gcc) == "$LINKS/gcc" ]] || die "$LINKS/gcc is not first on PATH"
"$CACHE_BIN" -z >/dev/null

# --- mutations -----------------------------------------------------------------------

RANDOM=$SEED
# pick ARGS...: sets PICKED to one of the arguments, by the seeded RNG. (Never call
# it, or mutate, in a $(...) subshell: bash reseeds RANDOM there.)
pick() { local -a a=("$@"); PICKED=${a[RANDOM % ${#a[@]}]}; }

# Object-visible numeric macros: "header NAME base"; values used are base-0..base-3
# (base-4..base-7 in shadowing copies).
readonly MACROS=("luaconf.h LUA_IDSIZE 60" "lua.h LUA_MINSTACK 20" "llimits.h LUAI_MAXCCALLS 200"
	"llimits.h LUA_MINBUFFER 32" "llimits.h STRCACHE_N 53" "lgc.h LUAI_GCPAUSE 200"
	"lfunc.h MAXUPVAL 255")
readonly SHADOWABLE=(lua.h luaconf.h llimits.h lgc.h lfunc.h)
HEADERS=() SOURCES=()
for f in "$TREE"/include/*.h; do HEADERS+=("${f##*/}"); done
for f in "$TREE"/src/*.c; do SOURCES+=("${f##*/}"); done
readonly HEADERS SOURCES

# set_macro FILE NAME VALUE
set_macro() {
	sed -E -i "s/^(#define[[:space:]]+$2[[:space:]]+)[0-9]+/\\1$3/" "$1"
}

# set_line FILE MARKER LINE: replace the line containing MARKER, or append LINE.
set_line() {
	local file=$1 marker=$2 line=$3
	if grep -q -- "$marker" "$file"; then
		sed -i "/$marker/c\\
$line" "$file"
	else
		printf '%s\n' "$line" >>"$file"
	fi
}

# Shadowing headers present now (paths relative to the tree).
shadows() {
	(cd -- "$TREE" && {
		for h in "${SHADOWABLE[@]}"; do
			[[ -f shadow/$h ]] && printf '%s\n' "shadow/$h"
			[[ -f src/$h ]] && printf '%s\n' "src/$h"
		done
		[[ -f shadow/limits.h ]] && printf '%s\n' shadow/limits.h
	}) || true
}

# Headers and sources that differ from pristine.
edited() {
	(cd -- "$TREE" && for f in include/*.h src/*.c; do
		cmp -s -- "$f" "$WORK/pristine/$f" || printf '%s\n' "$f"
	done) || true
}

# mutate: applies one random mutation; sets DID to what it did.
mutate() {
	local kind spec h name base file v list
	pick macro macro macro decl touch shadow+ shadow+ shadow+ shadow- shadow- revert revert c-edit c-edit
	kind=$PICKED
	mapfile -t list < <(shadows)
	[[ $kind != shadow- || ${#list[@]} -gt 0 ]] || kind=shadow+
	if [[ $kind == revert ]]; then
		mapfile -t list < <(edited)
		[[ ${#list[@]} -gt 0 ]] || kind=macro
	fi
	case $kind in
	macro)
		pick "${MACROS[@]}"
		read -r h name base <<<"$PICKED"
		# The header itself or a shadowing copy of it, if any.
		list=("include/$h")
		[[ ! -f $TREE/shadow/$h ]] || list+=("shadow/$h")
		[[ ! -f $TREE/src/$h ]] || list+=("src/$h")
		pick "${list[@]}"
		file=$PICKED
		v=$((base - RANDOM % 4))
		[[ $file == include/* ]] || v=$((v - 4))
		set_macro "$TREE/$file" "$name" "$v"
		DID="macro $file $name=$v"
		;;
	decl)
		pick "${HEADERS[@]}"
		h=$PICKED
		v=$((RANDOM % 4))
		set_line "$TREE/include/$h" 'lua_mutation_decl_' "extern int lua_mutation_decl_$v;"
		DID="decl include/$h lua_mutation_decl_$v"
		;;
	touch)
		pick "${HEADERS[@]/#/include/}" "${SOURCES[@]/#/src/}"
		file=$PICKED
		touch -- "$TREE/$file"
		DID="touch $file"
		;;
	shadow+)
		pick "${SHADOWABLE[@]}"
		h=$PICKED
		pick "shadow/$h" "shadow/$h" "src/$h" shadow/limits.h
		file=$PICKED
		mkdir -p -- "$TREE/shadow"
		if [[ $file == shadow/limits.h ]]; then
			v=$((190 - RANDOM % 4))
			printf '#include_next <limits.h>\n#define LUAI_MAXCCALLS %s\n' "$v" >"$TREE/$file"
			DID="shadow+ $file LUAI_MAXCCALLS=$v"
		else
			cp -- "$TREE/include/$h" "$TREE/$file"
			for spec in "${MACROS[@]}"; do
				[[ $spec != "$h "* ]] || break
			done
			read -r h name base <<<"$spec"
			v=$((base - 4 - RANDOM % 4))
			set_macro "$TREE/$file" "$name" "$v"
			DID="shadow+ $file $name=$v"
		fi
		;;
	shadow-)
		pick "${list[@]}"
		file=$PICKED
		rm -f -- "$TREE/$file"
		DID="shadow- $file"
		if [[ -d $TREE/shadow && -z $(ls -A -- "$TREE/shadow") && $((RANDOM % 2)) -eq 0 ]]; then
			rmdir -- "$TREE/shadow"
			DID+=" (rmdir shadow)"
		fi
		;;
	revert)
		pick "${list[@]}"
		file=$PICKED
		cp -- "$WORK/pristine/$file" "$TREE/$file"
		DID="revert $file"
		;;
	c-edit)
		pick "${SOURCES[@]}"
		file=src/$PICKED
		name=${PICKED%.c}
		v=$((RANDOM % 4))
		set_line "$TREE/$file" "lua_mutation_$name " "int lua_mutation_$name = $v;"
		DID="c-edit $file lua_mutation_$name=$v"
		;;
	esac
}

# --- builds ----------------------------------------------------------------------------

# stat_sum BEFORE AFTER NAME...: see stats-lib.sh.
# shellcheck source=stats-lib.sh
source "$SCRIPT_DIR/stats-lib.sh"

# build PATH CC CXX LOG: all objects from scratch in obj/.
build() {
	rm -rf -- "$TREE/obj"
	mkdir -- "$TREE/obj"
	(cd -- "$TREE" && PATH=$1 make -j2 CC="$2" CXX="$3") >"$4" 2>&1
}

total_objects=0 total_direct=0 total_pre=0 total_misses=0 total_stale=0 total_changed=0
declare -A prev_sums=()
for ((iter = 0; iter <= ITERATIONS; iter++)); do
	what=baseline
	if [[ $iter -gt 0 ]]; then
		what=
		for ((m = 0, n = 1 + RANDOM % 3; m < n; m++)); do
			mutate
			what+="${what:+; }$DID"
		done
	fi
	cc=gcc cxx=g++
	if [[ $CLANG_EVERY -gt 0 && $iter -gt 0 && $((iter % CLANG_EVERY)) -eq 0 ]]; then
		cc=clang cxx=clang++
	fi
	sleep 0.2

	"$CACHE_BIN" --print-stats >"$LOGS/$iter.stats0"
	build "$LINKS:$CLEAN_PATH" "$cc" "$cxx" "$LOGS/$iter.cached.log" ||
		{ tail -n 20 -- "$LOGS/$iter.cached.log" >&2; die "iteration $iter: cached build failed ($what)"; }
	"$CACHE_BIN" --print-stats >"$LOGS/$iter.stats1"
	rm -rf -- "$ASIDE"
	mv -- "$TREE/obj" "$ASIDE"
	build "$CLEAN_PATH" "$cc" "$cxx" "$LOGS/$iter.plain.log" ||
		{ tail -n 20 -- "$LOGS/$iter.plain.log" >&2; die "iteration $iter: plain build failed ($what)"; }

	objects=0 stale=0 changed=0 bad=()
	for o in "$TREE"/obj/*.o; do
		objects=$((objects + 1))
		name=${o##*/}
		if ! cmp -s -- "$o" "$ASIDE/$name"; then
			stale=$((stale + 1))
			bad+=("$name")
		fi
		sum=$(sha256sum <"$o")
		[[ -z ${prev_sums[$cc.$name]:-} || ${prev_sums[$cc.$name]} == "$sum" ]] || changed=$((changed + 1))
		prev_sums[$cc.$name]=$sum
	done
	cached_count=$(find "$ASIDE" -name '*.o' | wc -l)
	[[ $cached_count -eq $objects && $objects -gt 0 ]] ||
		die "iteration $iter: cached build has $cached_count objects, plain $objects"
	direct=$(stat_sum "$LOGS/$iter.stats0" "$LOGS/$iter.stats1" direct_cache_hit)
	pre=$(stat_sum "$LOGS/$iter.stats0" "$LOGS/$iter.stats1" preprocessed_cache_hit)
	misses=$(stat_sum "$LOGS/$iter.stats0" "$LOGS/$iter.stats1" cache_miss)
	printf 'iteration %2d [%-5s] %3d objects, %2d changed, hits %2d direct + %2d preprocessed, %2d misses, stale %d | %s\n' \
		"$iter" "$cc" "$objects" "$changed" "$direct" "$pre" "$misses" "$stale" "$what"
	if [[ $stale -gt 0 ]]; then
		printf '  MISMATCH (cached != plain): %s\n' "${bad[*]}"
		mkdir -p -- "$WORK/stale-$iter"
		cp -a -- "$TREE" "$WORK/stale-$iter/tree"
		cp -a -- "$ASIDE" "$WORK/stale-$iter/cached-obj"
		printf '  kept tree and cached objects in %s\n' "$WORK/stale-$iter"
	fi
	[[ $((direct + pre + misses)) -eq $objects ]] ||
		printf '  note: %d lookups counted for %d objects\n' "$((direct + pre + misses))" "$objects"
	total_objects=$((total_objects + objects)) total_direct=$((total_direct + direct))
	total_pre=$((total_pre + pre)) total_misses=$((total_misses + misses))
	total_stale=$((total_stale + stale)) total_changed=$((total_changed + changed))
done

echo
printf 'SUMMARY: seed %s, %d iterations (+ baseline), %d objects compared, %d changed by mutations,\n' \
	"$SEED" "$ITERATIONS" "$total_objects" "$total_changed"
printf '         %d direct hits, %d preprocessed hits, %d misses, stale %d\n' \
	"$total_direct" "$total_pre" "$total_misses" "$total_stale"
printf 'FLOORS: direct hits %d (at least %d), preprocessed hits %d (at least %d), changed %d (at least %d)\n' \
	"$total_direct" "$MIN_DIRECT" "$total_pre" "$MIN_PRE" "$total_changed" "$MIN_CHANGED"
short=()
[[ $total_direct -ge $MIN_DIRECT ]] || short+=("direct hits $total_direct < $MIN_DIRECT")
[[ $total_pre -ge $MIN_PRE ]] || short+=("preprocessed hits $total_pre < $MIN_PRE")
[[ $total_changed -ge $MIN_CHANGED ]] || short+=("objects changed by mutations $total_changed < $MIN_CHANGED")
if [[ $total_stale -gt 0 ]]; then
	echo "RESULT: FAIL ($total_stale objects differ from the plain build)"
	exit 1
fi
if [[ ${#short[@]} -gt 0 ]]; then
	joined=$(printf '%s; ' "${short[@]}")
	echo "RESULT: FAIL (below the floors: ${joined%; })"
	exit 1
fi
echo "RESULT: PASS"
