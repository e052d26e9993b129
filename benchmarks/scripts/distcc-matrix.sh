#!/usr/bin/env bash
# distcc-matrix.sh [--rounds N] [--files N]
#
# Issue 20's benchmark: distcc's protocol both ways. The same loopback nodes serve four
# client/node pairs, side by side in one run, run by hand (not a test):
#   (a) distcc -> distccd   Debian's distcc client, Debian's distccd nodes (the reference)
#   (b) distcc -> cached    Debian's distcc client, our cached nodes (cached sniffs distcc's
#                           protocol on its port; a repeated job is a node-cache hit)
#   (c) cache  -> distccd   our cache, CCACHE_PREFIX=distcc, the distccd nodes in the host
#                           list (our distributor speaks distcc's protocol to them)
#   (d) cache  -> cached    our cache, CCACHE_PREFIX=distcc, the cached nodes (our protocol)
#
# The nodes: on 127.0.0.2, 127.0.0.3 and 127.0.0.4, one Debian distccd and one cached each,
# 2 slots each, ports chosen free at start. distccd:
#     distccd --daemon --no-detach --listen 127.0.0.X --port P --allow 127.0.0.0/8 --jobs 2
#       --stats --stats-port S --log-stderr   (its compiled-in whitelist, /usr/lib/distcc)
# started under setsid (its SIGTERM handler signals its process group), once per round.
# cached: dist/bin/cached --listen 127.0.0.X --port P --jobs 2 --whitelist <masquerade links
# gcc, g++, cc, c++ ... -> ../../bin/distcc> --stats --stats-port S, with empty node caches,
# started afresh for (b) and again for (d): each cold build finds the node caches cold.
# DISTCC_HOSTS="127.0.0.2:P/2 127.0.0.3:P/2 127.0.0.4:P/2" (each tool the ports of its
# nodes); DISTCC_FALLBACK=0 for distcc, so a job not compiled on a node fails the run; a fresh
# DISTCC_DIR, CCACHE_DIR and runtime dir (a new daemon of cache, started untimed) per row.
#
# What it measures, per round, for each pair (the pairs' order reversed in even rounds):
#   per file   the time of one call that compiles a tiny C file on a node: FILES calls, each
#              on a file of its own (distinct text, so that neither a local nor a node cache
#              answers), one after the other, each timed; the median, minus nothing. Ten
#              untimed calls first (the nodes' JIT, a host's kind found, distcc's first connection).
#              Plain local gcc on the same files beside it.
#                (a)/(b)  distcc gcc -O2 -c tN.c -o tN.o
#                (c)/(d)  cache gcc -O2 -c tN.c -o tN.o   (CCACHE_PREFIX=distcc)
#   lua cold   Debian's lua5.4 (fetch-sources.sh, set up as rebuild-lib.sh does, but
#              MYCFLAGS=MYCXXFLAGS=-O2 without -g: distcc's -g objects differ from local
#              ones), `make -C src -j6 o`, the compilers through masquerade links first on PATH:
#              (a)/(b) /usr/lib/distcc, (c)/(d) cache --install-links; empty node caches.
#   lua again  the same build once more from an empty local cache (new CCACHE_DIR and
#              daemon), the nodes as the cold build left them: distccd compiles everything
#              again; cached answers (d)'s jobs from its node cache (cache sends a job to the
#              node that owns its key), and (b)'s when distcc sends a job to the node that
#              compiled it the first time (distcc picks hosts by load, not by job: about one
#              in three with three nodes; the count is reported).
# Everything runs on this machine's cores: the figures show the protocols' overhead, not a
# farm's speed-up.
#
# Checks (exit 1 if any fails; marked !! in the report): every object equals plain gcc's;
# every job ran where it claims: (a)/(c) distccd's dcc_compile_ok grew by the number of
# objects; (b) cached's compiles_ok grew by it (cold) or node_hits + compiles_ok did (again); (c)/(d) cache's remote_compile (cold) or node_hit ((d) again) equals it,
# but for the jobs compiled again here because the node's compile printed diagnostics
# (kept_local_diagnostics_on_node, reported as .redone), nothing kept_local.
#
# Knobs: CACHE_BIN, CACHED_BIN (under test: <repo>/dist/bin/{cache,cached}, `mvn package`);
# LUA_SRC (an unpacked lua5.4 tree; else fetch-sources.sh into <repo>/work/corpus, root
# needed once); KEEP_TMP=1 keeps the temp dir (logs, counters, trees).
# Needs gcc, g++, make, distcc + distccd (Debian's distcc), curl, jq, python3, setsid.
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=bench-lib.sh
source "$SCRIPT_DIR/bench-lib.sh"
# shellcheck source=farm-lib.sh
source "$SCRIPT_DIR/farm-lib.sh"
REPO=$(cd -- "$SCRIPT_DIR/../.." && pwd -P)
CACHE_BIN=${CACHE_BIN:-$REPO/dist/bin/cache}
CACHED_BIN=${CACHED_BIN:-$REPO/dist/bin/cached}
readonly SCRIPT_DIR REPO CACHE_BIN CACHED_BIN
readonly NODES=(127.0.0.2 127.0.0.3 127.0.0.4) SLOTS=2 MAKE_J=6 WARMUP=10
readonly DISTCC_LINKS=/usr/lib/distcc
readonly PAIRS=(a b c d)
declare -A PAIR_NAME=([a]="distcc -> distccd" [b]="distcc -> cached" [c]="cache -> distccd" [d]="cache -> cached")

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'distcc-matrix: error: %s\n' "$*" >&2; exit 1; }
usage() { printf 'usage: %s [--rounds N] [--files N]\n' "${0##*/}" >&2; exit 2; }

ROUNDS=1
FILES=20
while [[ $# -gt 0 ]]; do
	case $1 in
	--rounds) [[ $# -ge 2 ]] || usage; ROUNDS=$2; shift 2 ;;
	--files) [[ $# -ge 2 ]] || usage; FILES=$2; shift 2 ;;
	*) usage ;;
	esac
done
[[ $ROUNDS =~ ^[1-9][0-9]*$ && $FILES =~ ^[1-9][0-9]*$ ]] || usage
readonly ROUNDS FILES

[[ -x $CACHE_BIN && -x $CACHED_BIN ]] || die "$CACHE_BIN or $CACHED_BIN missing: build with 'mvn -B -q -o -pl cache-frontend -am package -DskipTests'"
for tool in gcc g++ make distcc distccd curl jq python3 setsid sha256sum; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool not found (apt-get install distcc curl jq ...)"
done
[[ -x $DISTCC_LINKS/gcc && -x $DISTCC_LINKS/g++ ]] || die "$DISTCC_LINKS/gcc or g++ missing"

# No inherited settings of either tool.
for var in $(compgen -e); do
	case $var in CACHE_BIN | CACHED_BIN) ;; CCACHE_* | DISTCC_* | DISTCCD_* | CACHE_*) unset "$var" ;; esac
done
export LC_ALL=C

TMP=$(mktemp -d "${TMPDIR:-/tmp}/distcc-matrix.XXXXXX")
readonly TMP
chmod 755 "$TMP" # distccd started as root compiles as user distccd
readonly LINKS=$TMP/links DATA=$TMP/data TINY=$TMP/tiny
mkdir -p -- "$DATA" "$TINY"

# PATH without anyone's masquerade directory.
CLEAN_PATH=$(path_without "$DISTCC_LINKS" /usr/lib/ccache)
readonly CLEAN_PATH
export PATH=$CLEAN_PATH

# --- processes we start, and their end ---------------------------------------------------

declare -a DISTCCD_PIDS=() CACHED_PIDS=() CACHE_RUNS=()

stop_cached() {
	local pid
	for pid in "${CACHED_PIDS[@]}"; do stop_pid "$pid"; done
	CACHED_PIDS=()
}

stop_distccd() {
	local pid
	for pid in "${DISTCCD_PIDS[@]}"; do stop_pid "$pid"; done
	DISTCCD_PIDS=()
}

cleanup() {
	stop_daemons
	stop_cached
	stop_distccd
	if [[ ${KEEP_TMP:-0} == 1 ]]; then log "kept $TMP"; else rm -rf -- "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the nodes --------------------------------------------------------------------------

readonly COMPILERS=(gcc g++ cc c++ x86_64-linux-gnu-gcc x86_64-linux-gnu-g++ x86_64-linux-gnu-gcc-12 x86_64-linux-gnu-g++-12)
mkdir -p -- "$TMP/whitelist"
for c in "${COMPILERS[@]}"; do
	ln -s ../../bin/distcc "$TMP/whitelist/$c"
done
"$CACHE_BIN" --install-links "$LINKS" >/dev/null || die "cache --install-links failed"

DISTCCD_HOSTS='' CACHED_HOSTS=''
declare -a DISTCCD_STATS=() CACHED_STATS=()

start_distccd() { # start_distccd DIR: the 3 distccd nodes.
	local addr port sport pid dir
	DISTCCD_HOSTS='' DISTCCD_STATS=()
	for addr in "${NODES[@]}"; do
		dir=$1/distccd-$addr
		mkdir -p -- "$dir/tmp"
		chmod 1777 -- "$dir" "$dir/tmp"
		port=$(free_port "$addr") sport=$(free_port "$addr")
		env TMPDIR="$dir/tmp" setsid distccd --daemon --no-detach --listen "$addr" --port "$port" \
			--allow 127.0.0.0/8 --jobs "$SLOTS" --stats --stats-port "$sport" --log-stderr \
			--log-level warning 2>"$dir/log" &
		pid=$!
		DISTCCD_PIDS+=("$pid")
		wait_port "$addr" "$port" "$pid" "$dir/log"
		wait_port "$addr" "$sport" "$pid" "$dir/log"
		DISTCCD_HOSTS+="${DISTCCD_HOSTS:+ }$addr:$port/$SLOTS"
		DISTCCD_STATS+=("$addr:$sport")
	done
}

start_cached() { # start_cached DIR: the 3 cached nodes, empty node caches.
	local addr port sport pid dir
	CACHED_HOSTS='' CACHED_STATS=()
	for addr in "${NODES[@]}"; do
		dir=$1/cached-$addr
		mkdir -p -- "$dir/jobs"
		port=$(free_port "$addr") sport=$(free_port "$addr")
		"$CACHED_BIN" --listen "$addr" --port "$port" --jobs "$SLOTS" --whitelist "$TMP/whitelist" \
			--cache-dir "$dir/store" --tmp-dir "$dir/jobs" --stats --stats-port "$sport" >"$dir/log" 2>&1 &
		pid=$!
		CACHED_PIDS+=("$pid")
		wait_port "$addr" "$port" "$pid" "$dir/log"
		wait_port "$addr" "$sport" "$pid" "$dir/log"
		CACHED_HOSTS+="${CACHED_HOSTS:+ }$addr:$port/$SLOTS"
		CACHED_STATS+=("$addr:$sport")
	done
}

# --- a row's environment ----------------------------------------------------------------

RUN_DIR=

hosts_of() { case $1 in a | c) printf '%s' "$DISTCCD_HOSTS" ;; b | d) printf '%s' "$CACHED_HOSTS" ;; esac; }

# with PAIR CMD...: CMD in PAIR's environment (plain: gcc alone), in RUN_DIR's directories.
with() {
	local pair=$1
	shift
	case $pair in
	plain) env "$@" ;;
	a | b) env DISTCC_HOSTS="$(hosts_of "$pair")" DISTCC_DIR="$RUN_DIR/distcc" DISTCC_FALLBACK=0 "$@" ;;
	c | d)
		env CCACHE_DIR="$RUN_DIR/cache-dir" XDG_RUNTIME_DIR="$RUN_DIR/run" CCACHE_PREFIX=distcc \
			DISTCC_HOSTS="$(hosts_of "$pair")" DISTCC_DIR="$RUN_DIR/distcc" "$@" ;;
	esac
}

# start_daemon PAIR: cache's daemon for RUN_DIR, untimed, and its JIT warm-up over (it runs
# between a build's calls for 2-3 s of CPU, far longer on a loaded machine): the rows measure
# a daemon in its steady state, as a build after the first minute meets it.
start_daemon() {
	local i
	CACHE_RUNS+=("$RUN_DIR/run")
	with "$1" "$CACHE_BIN" --start-daemon >/dev/null || die "cache --start-daemon failed"
	for ((i = 0; i < 1800; i++)); do
		! grep -q 'JIT warm-up' "$RUN_DIR/run/cache/d.log" 2>/dev/null || return 0
		sleep 0.1
	done
	log "  (the daemon's warm-up did not end within 180 s; measuring anyway)"
}

# --- recording --------------------------------------------------------------------------

declare -A VALUES=() CHECKS=()

# remote_check KEY PAIR EXPECTED STATS_FILE COMPILED NODE_HITS: the jobs ran where claimed.
#   cold: every job compiled on a node; again ((b)/(d) after a cold build): node hits.
remote_check() {
	local key=$1 pair=$2 n=$3 st=$4 compiled=$5 hits=$6 mode=$7 remote hit kept redone
	case $pair in
	a) check "$key" "$(((compiled == n) ? 1 : 0))" "distccd compiled $compiled of $n" ;;
	b)
		if [[ $mode == cold ]]; then
			check "$key" "$(((compiled == n) ? 1 : 0))" "cached compiled $compiled of $n (node_hits $hits)"
		else
			# distcc picks a host by its load, not by the job: a repeated job finds the node
			# cache only on the node that compiled it the first time. Each job hit or compiled.
			check "$key" "$(((hits + compiled == n) ? 1 : 0))" "cached node_hits $hits + compiled $compiled of $n"
			record lua.again.b.hits "$hits"
		fi ;;
	c | d)
		# A job whose compile on a node printed diagnostics is compiled again here for the
		# compiler's own stderr (kept_local_diagnostics_on_node): lua's -Wall -Wextra gives
		# -Wimplicit-fallthrough warnings on preprocessed text (the /* FALLTHROUGH */ comments
		# are gone), 12 of its 68 jobs. Any other kept_local fails the check.
		remote=$(stat_of "$st" remote_compile) hit=$(stat_of "$st" node_hit) kept=$(stat_of "$st" kept_local)
		redone=$(stat_of "$st" kept_local_diagnostics_on_node)
		if [[ $mode == cold || $pair == c ]]; then
			check "$key" "$(((remote + redone == n && compiled == n && kept == redone) ? 1 : 0))" \
				"remote_compile $remote, node_hit $hit, kept_local $kept ($redone redone for diagnostics); nodes compiled $compiled of $n"
		else
			check "$key" "$(((hit + redone == n && remote == 0 && compiled == 0 && kept == redone) ? 1 : 0))" \
				"node_hit $hit, remote_compile $remote, kept_local $kept ($redone redone for diagnostics); nodes compiled $compiled"
			record lua.again.d.hits "$hit"
		fi
		record "$key.redone" "$redone" ;;
	esac
}

# node_counts PAIR: "compiled node_hits" so far on the pair's nodes.
node_counts() {
	case $1 in
	a | c) printf '%s 0\n' "$(distccd_compiles)" ;;
	b | d) cached_sum compiles_ok node_hits | paste -sd ' ' ;;
	esac
}

# --- per file ---------------------------------------------------------------------------

# tiny_files PAIR: WARMUP + FILES files of their own text in TINY/PAIR, and plain gcc's objects.
tiny_files() {
	local dir=$TINY/r$round-$1 i
	rm -rf -- "$dir"
	mkdir -p -- "$dir"
	for ((i = 0; i < WARMUP + FILES; i++)); do
		printf 'int tiny_%s_%s_%d(int x) { return x * %d + %d; }\n' "$1" "$round" "$i" "$((i + 3))" "$round" >"$dir/t$i.c"
	done
	find "$dir" -exec touch -d '10 minutes ago' {} +
	(cd -- "$dir" && for ((i = WARMUP; i < WARMUP + FILES; i++)); do gcc -O2 -c "t$i.c" -o "t$i.o"; done &&
		find . -name '*.o' -print0 | sort -z | xargs -0 sha256sum >"$DATA/tiny-$1.sha256" && rm -f ./*.o)
	printf '%s' "$dir"
}

per_file() { # per_file PAIR: FILES calls, each timed (ms), after WARMUP untimed ones
	local pair=$1 dir i t before after st
	local -a cmd
	dir=$(tiny_files "$pair")
	fresh "tiny-$pair"
	[[ $pair == plain ]] || [[ $pair == a ]] || [[ $pair == b ]] || start_daemon "$pair"
	: >"$DATA/tiny-$pair.r$round.ms"
	for ((i = 0; i < WARMUP + FILES; i++)); do
		case $pair in
		plain) cmd=(gcc -O2 -c "t$i.c" -o "t$i.o") ;;
		a | b) cmd=(distcc gcc -O2 -c "t$i.c" -o "t$i.o") ;;
		c | d) cmd=("$CACHE_BIN" gcc -O2 -c "t$i.c" -o "t$i.o") ;;
		esac
		((i != 0)) || [[ $pair == plain ]] || read -r -a before < <(node_counts "$pair")
		t=$(now_us)
		(cd -- "$dir" && with "$pair" "${cmd[@]}") >>"$DATA/tiny-$pair.r$round.log" 2>&1 ||
			{ cat -- "$DATA/tiny-$pair.r$round.log" >&2; die "(per file, $pair) ${cmd[*]} failed"; }
		((i < WARMUP)) || awk -v a="$t" -v b="$(now_us)" 'BEGIN { printf "%.2f\n", (b - a) / 1e3 }' >>"$DATA/tiny-$pair.r$round.ms"
	done
	rm -f -- "$dir"/t[0-$((WARMUP - 1))].o
	same_objects "file.objects.$pair" "$dir" "$DATA/tiny-$pair.sha256"
	record "file.ms.$pair" "$(median_of <"$DATA/tiny-$pair.r$round.ms")"
	log "  per file $pair${PAIR_NAME[$pair]:+ (${PAIR_NAME[$pair]})}: $(median_of <"$DATA/tiny-$pair.r$round.ms") ms"
	[[ $pair != plain ]] || return 0
	read -r -a after < <(node_counts "$pair")
	st=$DATA/tiny-$pair.r$round.stats
	: >"$st"
	[[ $pair == a || $pair == b ]] || with "$pair" "$CACHE_BIN" --print-stats >"$st"
	# Counted over the warm-up calls too (cache's counters have them): all compiled on a node.
	remote_check "file.counters.$pair" "$pair" $((WARMUP + FILES)) "$st" $((after[0] - before[0])) \
		$((after[1] - before[1])) cold
}

# --- lua --------------------------------------------------------------------------------

# shellcheck source=rebuild-lib.sh
source "$SCRIPT_DIR/rebuild-lib.sh"
if [[ -z ${LUA_SRC:-} ]]; then
	mapfile -t src_dirs < <("$SCRIPT_DIR/fetch-sources.sh" "$REPO/work/corpus")
	[[ ${#src_dirs[@]} -eq 3 && -d ${src_dirs[1]} ]] || die "fetch-sources.sh did not print the lua5.4 directory"
	LUA_SRC=${src_dirs[1]}
fi
readonly LUA_DIR=$TMP/lua
rebuild_prepare lua "$LUA_SRC" "$LUA_DIR" || die "preparing $LUA_SRC failed"
LUA_MAKE=$(rebuild_build lua "$LUA_DIR" "$MAKE_J")
[[ $LUA_MAKE == *'MYCFLAGS=-O2\ -g MYCXXFLAGS=-O2\ -g'* ]] || die "rebuild-lib.sh's lua command changed: $LUA_MAKE"
LUA_MAKE=${LUA_MAKE/'MYCFLAGS=-O2\ -g MYCXXFLAGS=-O2\ -g'/MYCFLAGS=-O2 MYCXXFLAGS=-O2}
LUA_CLEAN=$(rebuild_clean lua)
readonly LUA_MAKE LUA_CLEAN
(cd -- "$LUA_DIR" && eval "$LUA_CLEAN") >/dev/null 2>&1
(cd -- "$LUA_DIR" && eval "$LUA_MAKE") >"$DATA/lua.plain.log" 2>&1 ||
	{ cat -- "$DATA/lua.plain.log" >&2; die "plain lua build failed"; }
(cd -- "$LUA_DIR" && find . -name '*.o' -print0 | sort -z | xargs -0 sha256sum) >"$DATA/lua.sha256"
LUA_OBJECTS=$(wc -l <"$DATA/lua.sha256")
readonly LUA_OBJECTS

lua_build() { # lua_build PAIR cold|again: a timed lua build, checked
	local pair=$1 mode=$2 links t secs st key="lua.$2.$1"
	local -a before after
	case $pair in
	plain) links= ;;
	a | b) links=$DISTCC_LINKS ;;
	c | d) links=$LINKS ;;
	esac
	(cd -- "$LUA_DIR" && eval "$LUA_CLEAN") >/dev/null 2>&1
	fresh "lua-$mode-$pair"
	[[ $pair == plain || $pair == a || $pair == b ]] || start_daemon "$pair"
	[[ $pair == plain ]] || read -r -a before < <(node_counts "$pair")
	t=$(now_us)
	(cd -- "$LUA_DIR" && with "$pair" PATH="${links:+$links:}$CLEAN_PATH" sh -c "$LUA_MAKE") >"$DATA/$key.r$round.log" 2>&1 ||
		{ cat -- "$DATA/$key.r$round.log" >&2; die "lua build ($key) failed"; }
	secs=$(secs_since "$t")
	record "$key" "$secs"
	same_objects "$key.objects" "$LUA_DIR" "$DATA/lua.sha256"
	log "  lua $mode $pair: $secs s"
	[[ $pair != plain ]] || return 0
	read -r -a after < <(node_counts "$pair")
	st=$DATA/$key.r$round.stats
	: >"$st"
	[[ $pair == a || $pair == b ]] || with "$pair" "$CACHE_BIN" --print-stats >"$st"
	remote_check "$key.counters" "$pair" "$LUA_OBJECTS" "$st" $((after[0] - before[0])) $((after[1] - before[1])) "$mode"
}

# --- the rounds -------------------------------------------------------------------------

log "machine: $(nproc) CPUs, $(gcc --version | head -n 1), $(distcc --version | head -n 1)"
log "cache: $CACHE_BIN, cached: $CACHED_BIN; temp dir $TMP; $ROUNDS round(s), $FILES files per file row"
LOAD_START=$(cut -d ' ' -f 1-3 /proc/loadavg)

for ((round = 1; round <= ROUNDS; round++)); do
	log "round $round/$ROUNDS (load $(cut -d ' ' -f 1-3 /proc/loadavg))"
	start_distccd "$TMP/round-$round"
	if ((round % 2)); then order=(plain "${PAIRS[@]}"); else order=(d c b a plain); fi
	for pair in "${order[@]}"; do
		# (b) and (d): cached nodes of their own, empty, for this pair's rows.
		if [[ $pair == b || $pair == d ]]; then start_cached "$TMP/round-$round/$pair"; fi
		per_file "$pair"
		lua_build "$pair" cold
		[[ $pair == plain ]] || lua_build "$pair" again
		stop_daemons
		stop_cached
	done
	stop_distccd
done
LOAD_END=$(cut -d ' ' -f 1-3 /proc/loadavg)

# --- report -----------------------------------------------------------------------------

echo
echo "distcc matrix: distccd and cached nodes on ${NODES[*]} (loopback), $SLOTS slots each;" \
	"median of $ROUNDS round(s); $(nproc) CPUs for everything"
echo
fmt='%-44s %10s %10s %10s %10s %10s\n'
# shellcheck disable=SC2059 # the format is a constant
printf "$fmt" "" "plain gcc" "(a)" "(b)" "(c)" "(d)"
# shellcheck disable=SC2059
printf "$fmt" "" "local" "distcc" "distcc" "cache" "cache"
# shellcheck disable=SC2059
printf "$fmt" "" "" "->distccd" "->cached" "->distccd" "->cached"
# shellcheck disable=SC2059
printf "$fmt" "per file: tiny C file, median of $FILES (ms)" "$(median file.ms.plain)" "$(median file.ms.a)" \
	"$(median file.ms.b)" "$(median file.ms.c)" "$(median file.ms.d)"
# shellcheck disable=SC2059
printf "$fmt" "lua $LUA_OBJECTS objects, cold nodes (s)" "$(median lua.cold.plain)" "$(median lua.cold.a)" \
	"$(median lua.cold.b)" "$(median lua.cold.c)" "$(median lua.cold.d)"
# shellcheck disable=SC2059
printf "$fmt" "lua again, empty local cache (s)" "" "$(median lua.again.a)" "$(median lua.again.b)" \
	"$(median lua.again.c)" "$(median lua.again.d)"
# shellcheck disable=SC2059
printf "$fmt" "  of which node-cache hits ((b): distcc's host pick)" "" 0 "$(median lua.again.b.hits)" 0 "$(median lua.again.d.hits)"
echo
echo "per round:"
print_table VALUES 22
echo
echo "commands: per file: (a)/(b) distcc gcc -O2 -c tN.c -o tN.o; (c)/(d) $CACHE_BIN gcc -O2 -c tN.c -o tN.o"
echo "  with CCACHE_PREFIX=distcc; lua: cd <lua> && PATH=<links>:\$PATH $LUA_MAKE"
echo "  (links: (a)/(b) $DISTCC_LINKS, (c)/(d) cache --install-links); DISTCC_HOSTS = the pair's nodes:"
echo "  distccd '$DISTCCD_HOSTS', cached '$CACHED_HOSTS' (last used)"
echo
echo "checks:"
print_table CHECKS 26
report_end
