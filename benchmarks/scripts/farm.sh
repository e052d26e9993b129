#!/usr/bin/env bash
# farm.sh [--rounds N] [--skip-lua] [--jobs N[,N...]] [--shapes light|heavy[,...]]
#
# Issue 19's farm benchmark: `cache` distributing to `cached` nodes (CCACHE_PREFIX=distcc)
# side by side with Debian's distcc and distccd, on one machine over loopback. Run by
# hand, not a test.
#
# The farm, started afresh every round (empty node caches) and stopped at its end:
#   cached   3 nodes dist/bin/cached on 127.0.0.2, 127.0.0.3, 127.0.0.4, --jobs 2 each,
#            a whitelist dir of masquerade links (gcc, g++, slowcc ... -> ../../bin/distcc,
#            as Debian's /usr/lib/distcc), --compiler-path <tmp>/bin:/usr/bin:/bin,
#            --stats on a port of their own (the counters below come from /json);
#   distccd  3 Debian distccd on the same addresses, other ports:
#              distccd --daemon --no-detach --listen 127.0.0.X --port Q --allow 127.0.0.0/8
#                --jobs 2 --stats --stats-port S --log-stderr
#            Its whitelist is compiled in (/usr/lib/distcc); rather than add slowcc to the
#            system's directory, the nodes get DISTCC_CMDLIST (distccd's documented
#            alternative: a list of allowed compiler paths) naming gcc, g++, their
#            x86_64-linux-gnu names and <tmp>/bin/slowcc. Started under setsid (distccd's
#            SIGTERM handler signals its process group). As root it runs as user distccd,
#            hence the world-readable temp dir.
# Host lists: DISTCC_HOSTS="127.0.0.2:P/2 127.0.0.3:P/2 127.0.0.4:P/2", each tool its own
# nodes' ports; a fresh DISTCC_DIR per run. Ports are chosen free at start.
#
# What it measures, in each round, the tools alternating which goes first:
#   (i)   farm efficiency with a slow compiler. slowcc = gcc that sleeps 0.3 s before a
#         compile (-c/-S; not for -E, version probes or linking). 60 distinct C files in two
#         shapes (--shapes, both by default, each its own row):
#           light  one-line functions, no header: a job is the 0.3 s sleep and ~0.01 s of CPU,
#                  the issue's "60 jobs of 0.3 s" (where distcc measures 0.78-0.91);
#           heavy  small units with <string.h> (sessions 11-13): ~0.07 s of gcc CPU each to
#                  compile and as much to preprocess, which saturates a 2-CPU machine.
#         `make -j6` (one job per node slot) and `make -j12` (a job waiting for every slot: our
#         slot queue hands a freed slot over at once, distcc polls), both tools at each -j, on
#         a farm started afresh for each -j (--jobs 6 for -j6 alone, --jobs 6,12,18 for more).
#         Efficiency = ideal /
#         measured wall, against two ideals:
#           sleeps only   60 x 0.3 s / 6 slots = 3.0 s (as if compiling cost nothing);
#           honest        max(60 x (0.3 s + c) / 6 slots, 60 x (p + c) / CPUs), where c and p
#                         are the CPU seconds (user + sys, measured here before the rounds)
#                         of one `gcc -O2 -c s.i` and one `gcc -O2 -E s.c`: every job's
#                         compile needs a CPU after its sleep, and the preprocessing that must
#                         happen on the client (distcc's and ours) and the compiles share this
#                         machine's CPUs. Nothing else (make, the clients, the daemons, the
#                         network) is counted: a perfect tool with free overheads.
#         Each tool first compiles one other file untimed (w.c: connections, the compiler's
#         version asked once by client and nodes), and cache's daemon, started untimed, has
#         finished its JIT warm-up (its log says so; at most 150 s): the steady state of a
#         farm in use, not the first call's set-up. Rows:
#           distcc  DISTCC_HOSTS=<distccd> CCACHE_DISABLE=1 make -j6 CC="distcc slowcc"
#           cache   CCACHE_PREFIX=distcc DISTCC_HOSTS=<cached> make -j6 CC="cache slowcc",
#                   empty cache dir (but w.o), daemon logging each job's phases at FINE
#                   (probe, slot wait, on the node: medians in the report).
#   (ii)  a node hit's cost on loopback: a second build of the 60 files from an empty local
#         cache, on the nodes as (i)'s first -j left them (-j6 by default: the farm for the
#         other -j runs first). New cache dir, new daemon, started untimed and its warm-up over; the farm's
#         share of each call, submission to answer, from its FINE lines), one file at a time, each call
#         timed; bytes per file = growth of the nodes' bytes_in (client -> node) and
#         bytes_out (node -> client) over that call. Medians per file. For comparison, the
#         same sequence with ccache+distcc (Debian's ccache, CCACHE_PREFIX=distcc, empty
#         CCACHE_DIR, distccd nodes): each file is compiled again remotely; and cache's
#         local hits (the same calls once more, same cache dir). Node hits are split by the
#         place of the key's ranking that answered (the farm's FINE lines say it), and measured
#         once more after, on the same nodes, by a new daemon whose warm-up skips the farm's
#         client side (-Dcache.farmWarmupJobs=0): what that warm-up is worth.
#   (iii) Debian's lua5.4 (fetch-sources.sh, built as rebuild-lib.sh sets it up, but with
#         MYCFLAGS=MYCXXFLAGS=-O2: distcc's -g objects differ from local ones, which the
#         object checks would flag), `make -C src -j6 o`,
#         compilers through masquerade dirs first on PATH: plain gcc (local reference);
#         distcc (/usr/lib/distcc) and cache (cache --install-links, CCACHE_PREFIX=distcc)
#         cold; then, nodes having built it once, from an empty local cache: ccache+distcc
#         (/usr/lib/ccache, CCACHE_PREFIX=distcc: compiles everything again) and cache
#         (answered by the nodes' caches).
# Everything runs on this machine's cores: (i) measures scheduling (the sleeps overlap), (ii)
# the protocol's per-file cost; (iii) cannot show a farm's speed-up, only its overhead.
#
# Checks (exit 1 if any fails; marked !! in the report): every object equals plain gcc's
# (same directory, same command); (i) distccd nodes compiled all 60 (distcc did not fall
# back locally); cache: remote_compile = 60, no node_hit, kept_local or builder_failed, and
# the cached nodes' compiles_ok grew by 60; (ii) cache: node_hit = 60, remote_compile = 0,
# the nodes compiled nothing; ccache+distcc: 60 misses, distccd compiled 60; local hits: 60;
# (iii) the same per build: distcc/ccache+distcc compiled every object on distccd, cache's
# cold build remote_compile = objects, its second build node_hit = objects and nothing
# compiled remotely, except the files whose node compile printed diagnostics: those are
# compiled again here for the compiler's own (kept_local_diagnostics_on_node, nothing else kept
# local).
#
# Knobs: CACHE_BIN, CACHED_BIN (under test: <repo>/dist/bin/{cache,cached}); LUA_SRC (an
# unpacked lua5.4 source tree; else fetch-sources.sh into <repo>/work/corpus, root needed
# once); KEEP_TMP=1 keeps the temp dir (logs, counters, trees); FARM_DAEMON_OPTS, JVM options
# added to every cache daemon's (e.g. -Dcache.farmFirstRound=2: the owner and the next node first, the
# third after both miss, as before session 17; -Dcache.farmCallerProbes=false: every probe through the
# farm's event loop, as before session 17);
# FARM_NODE_LOG_LEVEL=debug starts the cached nodes with --log-level debug, and (ii) then also
# reports the node's own part of a hit (its probe lines: the lookup, the answer's write).
# CACHED_JAVA_OPTS reaches the nodes as usual (e.g. -Dcache.tcpTransport=nio).
# Needs gcc, g++, make, distcc + distccd (Debian's distcc), ccache, curl, jq, python3, setsid.
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
readonly NODES=(127.0.0.2 127.0.0.3 127.0.0.4) SLOTS=2 FILES=60 SLEEP=0.3
readonly IDEAL=3.0 # FILES * SLEEP / (3 nodes * SLOTS)
readonly DISTCC_LINKS=/usr/lib/distcc CCACHE_LINKS=/usr/lib/ccache

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'farm: error: %s\n' "$*" >&2; exit 1; }
usage() { printf 'usage: %s [--rounds N] [--skip-lua] [--jobs N[,N...]] [--shapes light|heavy[,...]]\n' "${0##*/}" >&2; exit 2; }

ROUNDS=3
LUA=1
MAKE_JS=6,12
SHAPES=light,heavy
while [[ $# -gt 0 ]]; do
	case $1 in
	--rounds) [[ $# -ge 2 ]] || usage; ROUNDS=$2; shift 2 ;;
	--skip-lua) LUA=0; shift ;;
	--jobs) [[ $# -ge 2 ]] || usage; MAKE_JS=$2; shift 2 ;;
	--shapes) [[ $# -ge 2 ]] || usage; SHAPES=$2; shift 2 ;;
	*) usage ;;
	esac
done
[[ $ROUNDS =~ ^[1-9][0-9]*$ && $MAKE_JS =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ &&
	$SHAPES =~ ^(light|heavy)(,(light|heavy))*$ ]] || usage
IFS=, read -r -a JOBS_LIST <<<"$MAKE_JS"
IFS=, read -r -a SHAPE_LIST <<<"$SHAPES"
# (ii)'s files: the heavy project's when it is built (as in the sessions before 14), else the light one's.
II_SHAPE=${SHAPE_LIST[0]}
[[ ,$SHAPES, != *,heavy,* ]] || II_SHAPE=heavy
MAKE_J=${JOBS_LIST[0]} # -j of the lua builds
readonly ROUNDS LUA MAKE_JS JOBS_LIST MAKE_J SHAPE_LIST II_SHAPE

[[ -x $CACHE_BIN && -x $CACHED_BIN ]] || die "$CACHE_BIN or $CACHED_BIN missing: build with 'mvn -B -q -o install -DskipTests'"
for tool in gcc g++ make distcc distccd ccache curl jq python3 setsid sha256sum; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool not found (apt-get install distcc ccache curl jq ...)"
done
[[ -x $DISTCC_LINKS/gcc && -x $CCACHE_LINKS/gcc ]] || die "$DISTCC_LINKS/gcc or $CCACHE_LINKS/gcc missing"
CCACHE_BIN=$(command -v ccache)
readonly CCACHE_BIN

# No inherited settings of either tool (the knobs above were read already: readonly).
for var in $(compgen -e); do
	case $var in CACHE_BIN | CACHED_BIN | FARM_DAEMON_OPTS) export -n "${var?}" ;; CCACHE_* | DISTCC_* | DISTCCD_* | CACHE_*) unset "$var" ;; esac
done
export LC_ALL=C

TMP=$(mktemp -d "${TMPDIR:-/tmp}/farm.XXXXXX")
readonly TMP
# distccd drops root for user distccd: it must reach slowcc and the cmdlist.
chmod 755 "$TMP"
readonly BIN=$TMP/bin LINKS=$TMP/links DATA=$TMP/data
mkdir -p -- "$BIN" "$DATA"

# PATH without anyone's masquerade directory.
CLEAN_PATH=$(path_without "$DISTCC_LINKS" "$CCACHE_LINKS")
readonly CLEAN_PATH="$BIN:$CLEAN_PATH"
export PATH=$CLEAN_PATH

# --- processes we start, and their end ---------------------------------------------------

declare -a NODE_PIDS=() CACHE_RUNS=()

stop_nodes() {
	local pid
	for pid in "${NODE_PIDS[@]}"; do
		stop_pid "$pid"
	done
	NODE_PIDS=()
}

cleanup() {
	stop_daemons
	stop_nodes
	if [[ ${KEEP_TMP:-0} == 1 ]]; then log "kept $TMP"; else rm -rf -- "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the compilers ----------------------------------------------------------------------

cat >"$BIN/slowcc" <<EOF
#!/bin/sh
# gcc, $SLEEP s slower per compile: a stand-in for an expensive translation unit.
# Preprocessing (-E), version probes and links run at gcc's speed.
case " \$* " in
*" -E "*) ;;
*" -c "* | *" -S "*) sleep $SLEEP ;;
esac
exec /usr/bin/gcc "\$@"
EOF
chmod 755 "$BIN" "$BIN/slowcc"
readonly COMPILERS=(gcc g++ cc c++ x86_64-linux-gnu-gcc x86_64-linux-gnu-g++ x86_64-linux-gnu-gcc-12 x86_64-linux-gnu-g++-12)
mkdir -p -- "$TMP/whitelist"
for c in "${COMPILERS[@]}" slowcc; do
	ln -s ../../bin/distcc "$TMP/whitelist/$c"
done
{
	for c in "${COMPILERS[@]}"; do
		[[ ! -x /usr/bin/$c ]] || printf '/usr/bin/%s\n' "$c"
	done
	printf '%s\n' "$BIN/slowcc"
} >"$TMP/cmdlist"
chmod 644 "$TMP/cmdlist"
"$CACHE_BIN" --install-links "$LINKS" >/dev/null || die "cache --install-links failed"

# --- the farm ---------------------------------------------------------------------------

CACHED_HOSTS='' DISTCCD_HOSTS=''
declare -a CACHED_STATS=() DISTCCD_STATS=() CACHED_LOGS=()

start_farm() { # start_farm ROUND: 3 cached and 3 distccd, empty.
	local dir addr port sport pid
	CACHED_HOSTS='' DISTCCD_HOSTS=''
	CACHED_STATS=() DISTCCD_STATS=() CACHED_LOGS=()
	for addr in "${NODES[@]}"; do
		dir=$TMP/round-$1/cached-$addr
		mkdir -p -- "$dir/jobs"
		port=$(free_port "$addr") sport=$(free_port "$addr")
		"$CACHED_BIN" --listen "$addr" --port "$port" --jobs "$SLOTS" --whitelist "$TMP/whitelist" \
			--compiler-path "$BIN:/usr/bin:/bin" --cache-dir "$dir/store" --tmp-dir "$dir/jobs" \
			--stats --stats-port "$sport" ${FARM_NODE_LOG_LEVEL:+--log-level "$FARM_NODE_LOG_LEVEL"} >"$dir/log" 2>&1 &
		pid=$!
		CACHED_LOGS+=("$dir/log")
		NODE_PIDS+=("$pid")
		wait_port "$addr" "$port" "$pid" "$dir/log"
		wait_port "$addr" "$sport" "$pid" "$dir/log"
		CACHED_HOSTS+="${CACHED_HOSTS:+ }$addr:$port/$SLOTS"
		CACHED_STATS+=("$addr:$sport")

		dir=$TMP/round-$1/distccd-$addr
		mkdir -p -- "$dir/tmp"
		chmod 1777 -- "$dir" "$dir/tmp"
		port=$(free_port "$addr") sport=$(free_port "$addr")
		env DISTCC_CMDLIST="$TMP/cmdlist" DISTCC_CMDLIST_NUMWORDS=1 DISTCCD_PATH="$BIN:/usr/bin:/bin" \
			TMPDIR="$dir/tmp" setsid distccd --daemon --no-detach --listen "$addr" --port "$port" \
			--allow 127.0.0.0/8 --jobs "$SLOTS" --stats --stats-port "$sport" --log-stderr \
			--log-level warning 2>"$dir/log" &
		pid=$!
		NODE_PIDS+=("$pid")
		wait_port "$addr" "$port" "$pid" "$dir/log"
		wait_port "$addr" "$sport" "$pid" "$dir/log"
		DISTCCD_HOSTS+="${DISTCCD_HOSTS:+ }$addr:$port/$SLOTS"
		DISTCCD_STATS+=("$addr:$sport")
	done
}

# --- tool environments ------------------------------------------------------------------

# Directories of one tool's run: NAME/{cache-dir,run,distcc}; set by fresh.
RUN_DIR=

# with TOOL CMD...: CMD in TOOL's environment, in RUN_DIR's directories.
#   plain            gcc, nothing else
#   distcc           DISTCC_HOSTS = the distccd nodes
#   ccache-distcc    Debian's ccache, CCACHE_PREFIX=distcc, distccd nodes
#   cache            cache, CCACHE_PREFIX=distcc, DISTCC_HOSTS = the cached nodes
with() {
	local tool=$1
	shift
	case $tool in
	plain) env "$@" ;;
	distcc) env CCACHE_DISABLE=1 DISTCC_HOSTS="$DISTCCD_HOSTS" DISTCC_DIR="$RUN_DIR/distcc" "$@" ;;
	ccache-distcc)
		env CCACHE_DIR="$RUN_DIR/cache-dir" CCACHE_PREFIX=distcc DISTCC_HOSTS="$DISTCCD_HOSTS" \
			DISTCC_DIR="$RUN_DIR/distcc" "$@" ;;
	cache)
		env CCACHE_DIR="$RUN_DIR/cache-dir" XDG_RUNTIME_DIR="$RUN_DIR/run" CCACHE_PREFIX=distcc \
			DISTCC_HOSTS="$CACHED_HOSTS" DISTCC_DIR="$RUN_DIR/distcc" "$@" ;;
	esac
}

start_daemon() { # start_daemon [JAVA_OPTS]: cache's daemon for RUN_DIR, untimed.
	CACHE_RUNS+=("$RUN_DIR/run")
	with cache CACHE_JAVA_OPTS="${FARM_DAEMON_OPTS:+$FARM_DAEMON_OPTS }${1:-}" "$CACHE_BIN" --start-daemon >/dev/null ||
		die "cache --start-daemon failed"
}

warmed_up() { # warmed_up: until RUN_DIR's daemon has logged the end of its JIT warm-up (150 s at most).
	local i
	for ((i = 0; i < 1500; i++)); do
		! grep -q 'JIT warm-up' "$RUN_DIR/run/cache/d.log" 2>/dev/null || return 0
		sleep 0.1
	done
	log "  the daemon's warm-up did not end within 150 s: timing anyway"
}

client_stats() { # client_stats TOOL FILE
	case $1 in
	cache) with cache "$CACHE_BIN" --print-stats >"$2" ;;
	ccache-distcc) with ccache-distcc "$CCACHE_BIN" --print-stats >"$2" ;;
	esac
}
# --- recording --------------------------------------------------------------------------

declare -A VALUES=() CHECKS=() COMMANDS=()

# --- (i) the slow compiler --------------------------------------------------------------

# project SHAPE DIR: the 60 files of (i) (and (ii)) in DIR, a Makefile, their plain objects'
# checksums in DATA/SHAPE.sha256.
#   light  a one-line function per file, no header: the compile is ~0.01 s of CPU, so a job is
#          the 0.3 s sleep and little else (the issue's "60 jobs of 0.3 s").
#   heavy  a small unit with <string.h> (the sessions before 14): ~0.07 s of gcc CPU per compile
#          and as much to preprocess, which on a 2-CPU machine is a load of its own.
project() {
	local shape=$1 dir=$2 s
	mkdir -p -- "$dir"
	for ((s = 0; s < FILES; s++)); do
		if [[ $shape == light ]]; then
			printf 'int light_%d(int x) { return x * %d + %d; }\n' "$s" $((2 * s + 1)) "$s" >"$dir/s$s.c"
			continue
		fi
		cat >"$dir/s$s.c" <<EOF
#include <string.h>
#define SEED_$s ${s}L
static long table_${s}[$((8 + s % 13))];
long fill_$s(const long *p, unsigned long n)
{
	long acc = SEED_$s;
	for (unsigned long i = 0; i < n; i++) {
		acc = (acc << 5) ^ (p[i] * $((2 * s + 1)));
		table_${s}[i % $((8 + s % 13))] += acc;
	}
	return acc;
}
int name_$s(char *out, unsigned long size)
{
	static const char text[] = "unit $s";
	if (size < sizeof text) return -1;
	memcpy(out, text, sizeof text);
	return (int)strlen(out);
}
EOF
	done
	# shellcheck disable=SC2016 # make's variables, literally
	printf '%s\n' 'OBJS := $(patsubst %.c,%.o,$(wildcard s*.c))' 'all: $(OBJS)' '%.o: %.c' \
		'	$(CC) -O2 -c $< -o $@' 'clean:' '	rm -f *.o' >"$dir/Makefile"
	find "$dir" -exec touch -d '10 minutes ago' {} +
	make -s -C "$dir" -j2 CC=/usr/bin/gcc >/dev/null || die "plain gcc build of the $shape project failed"
	(cd -- "$dir" && find . -name '*.o' -print0 | sort -z | xargs -0 sha256sum) >"$DATA/$shape.sha256"
	make -s -C "$dir" clean
}
readonly WARM=$TMP/warm
mkdir -p -- "$WARM"
printf 'int warm(int x) { return x * 3 + 1; }\n' >"$WARM/w.c"

# The honest ideal's CPU costs (see the header), per shape: CPU seconds of every file's
# preprocessing and compile with plain gcc, per file.
declare -A PROJECT=() CPU_CPP=() CPU_CC=() IDEAL_HONEST=()
for shape in "${SHAPE_LIST[@]}"; do
	PROJECT[$shape]=$TMP/$shape
	project "$shape" "${PROJECT[$shape]}"
	read -r "CPU_CPP[$shape]" "CPU_CC[$shape]" < <(cd -- "${PROJECT[$shape]}" && python3 -c '
import resource, subprocess, sys
def cpu(cmds):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    for c in cmds:
        subprocess.run(c, check=True)
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime) / len(cmds)
files = ["s%d" % i for i in range(int(sys.argv[1]))]
p = cpu([["/usr/bin/gcc", "-O2", "-E", f + ".c", "-o", f + ".i"] for f in files])
c = cpu([["/usr/bin/gcc", "-O2", "-c", f + ".i", "-o", f + ".o"] for f in files])
print("%.4f %.4f" % (p, c))' "$FILES") || die "measuring gcc's CPU time failed"
	rm -f -- "${PROJECT[$shape]}"/*.i "${PROJECT[$shape]}"/*.o
	IDEAL_HONEST[$shape]=$(awk -v n="$FILES" -v s="$SLEEP" -v k=$((${#NODES[@]} * SLOTS)) -v cpus="$(nproc)" \
		-v p="${CPU_CPP[$shape]}" -v c="${CPU_CC[$shape]}" \
		'BEGIN { a = n * (s + c) / k; b = n * (p + c) / cpus; printf "%.2f", (a > b ? a : b) }')
done
readonly PROJECT CPU_CPP CPU_CC IDEAL_HONEST
SLOW=${PROJECT[$II_SHAPE]} # (ii)'s project
readonly SLOW

# Where cache's jobs spent their time: its Farm's FINE lines, one per job, and each call's
# phases in the daemon (CallStats.phases, one line per call).
cat >"$TMP/logging.properties" <<'EOF'
handlers = java.util.logging.ConsoleHandler
.level = INFO
cache.distributor.Farm.level = FINE
cache.frontend.pipeline.CallStats.phases.level = FINE
java.util.logging.ConsoleHandler.level = FINE
EOF

# phases LOG: medians of the FINE job lines' probe, slot wait, on-node and total times (ms).
phases() {
	awk '/ job [0-9a-f]+: probe / {
		for (i = 1; i <= NF; i++) {
			if ($i == "probe") print "p", $(i + 1); else if ($i == "wait") print "w", $(i + 1);
			else if ($i == "total") print "t", $(i + 1); else if ($i == "on" && !seen++) print "n", $(i + 2);
		}
		seen = 0
	}' "$1" >"$DATA/phases"
	local k
	for k in p w n t; do
		awk -v k="$k" '$1 == k { print $2 }' "$DATA/phases" | median_of
	done | paste -sd ' '
}

COMMANDS[i.distcc]="cd <slow> && DISTCC_HOSTS='<distccd nodes>' CCACHE_DISABLE=1 make -j<J> CC='distcc slowcc'  (J in $MAKE_JS)"
COMMANDS[i.cache]="cd <slow> && CCACHE_PREFIX=distcc DISTCC_HOSTS='<cached nodes>' make -j<J> CC='$CACHE_BIN slowcc'  (J in $MAKE_JS; empty CCACHE_DIR, daemon started first)"

slow_build() { # slow_build TOOL J SHAPE: (i) with make -jJ on SHAPE's project, timed, checked; keys end in .SHAPE.jJ.
	local tool=$1 shape=$3 t secs before after remote hit local_ failed_ st ph_probe ph_wait ph_node ph_total
	local j=$2 dir=${PROJECT[$3]}
	make -s -C "$dir" clean
	fresh "slow-$tool-$shape-j$j"
	local k=$shape.j$2 # the keys' suffix
	if [[ $tool == cache ]]; then
		start_daemon "-Djava.util.logging.config.file=$TMP/logging.properties"
		warmed_up
		(cd -- "$WARM" && with cache "$CACHE_BIN" slowcc -O2 -c w.c -o w.o) || die "(i) cache's warm-up compile failed"
		client_stats cache "$DATA/i.cache.$k.r$round.stats0"
		before=$(cached_sum compiles_ok)
		t=$(now_us)
		with cache make -s -C "$dir" -j"$j" CC="$CACHE_BIN slowcc" >"$DATA/i.$tool.$k.r$round.log" 2>&1 ||
			{ cat -- "$DATA/i.$tool.$k.r$round.log" >&2; die "(i) cache build failed"; }
		secs=$(secs_since "$t")
		after=$(($(cached_sum compiles_ok) - before))
		st=$DATA/i.cache.$k.r$round.stats
		client_stats cache "$st"
		remote=$(($(stat_of "$st" remote_compile) - $(stat_of "$st"0 remote_compile)))
		hit=$(($(stat_of "$st" node_hit) - $(stat_of "$st"0 node_hit)))
		local_=$(($(stat_of "$st" kept_local) - $(stat_of "$st"0 kept_local)))
		failed_=$(($(stat_of "$st" builder_failed) - $(stat_of "$st"0 builder_failed)))
		read -r ph_probe ph_wait ph_node ph_total < <(phases "$RUN_DIR/run/cache/d.log")
		record "i.probe-ms.cache.$k" "$ph_probe"
		record "i.slot-wait-ms.cache.$k" "$ph_wait"
		record "i.on-node-ms.cache.$k" "$ph_node"
		record "i.farm-ms.cache.$k" "$ph_total"
		check "i.counters.cache.$k" "$(((remote == FILES && hit == 0 && local_ == 0 && failed_ == 0 &&
			after == FILES) ? 1 : 0))" \
			"remote_compile $remote, node_hit $hit, kept_local $local_, builder_failed $failed_; nodes compiled $after"
	else
		(cd -- "$WARM" && with distcc distcc slowcc -O2 -c w.c -o w.o) || die "(i) distcc's warm-up compile failed"
		before=$(distccd_compiles)
		t=$(now_us)
		with distcc make -s -C "$dir" -j"$j" CC="distcc slowcc" >"$DATA/i.$tool.$k.r$round.log" 2>&1 ||
			{ cat -- "$DATA/i.$tool.$k.r$round.log" >&2; die "(i) distcc build failed"; }
		secs=$(secs_since "$t")
		after=$(($(distccd_compiles) - before))
		check "i.counters.distcc.$k" "$(((after == FILES) ? 1 : 0))" "distccd nodes compiled $after of $FILES"
	fi
	same_objects "i.objects.$tool.$k" "$dir" "$DATA/$shape.sha256"
	record "i.wall.$tool.$k" "$secs"
	record "i.eff.$tool.$k" "$(awk -v i="$IDEAL" -v w="$secs" 'BEGIN { printf "%.2f", i / w }')"
	record "i.eff-honest.$tool.$k" "$(awk -v i="${IDEAL_HONEST[$shape]}" -v w="$secs" 'BEGIN { printf "%.2f", i / w }')"
	log "  (i) $tool, $shape, make -j$j: $secs s (load $(cut -d ' ' -f 1 /proc/loadavg))"
}

# --- (ii) a node hit, file by file ------------------------------------------------------

COMMANDS[ii.cache]="for f in s*.c: CCACHE_PREFIX=distcc DISTCC_HOSTS='<cached nodes>' $CACHE_BIN slowcc -O2 -c \$f -o \${f%.c}.o  (new CCACHE_DIR after (i), daemon started first)"
COMMANDS[ii.ccache]="for f in s*.c: CCACHE_PREFIX=distcc DISTCC_HOSTS='<distccd nodes>' ccache slowcc -O2 -c \$f -o \${f%.c}.o  (empty CCACHE_DIR)"

# per_file TOOL KEY: the FILES compiles one by one, each timed (ms) into DATA/KEY.ms;
# for cache also the nodes' byte counters per call into DATA/KEY.{in,out}.
per_file() {
	local tool=$1 key=$2 s t
	local -a cmd io before
	: >"$DATA/$key.ms"
	: >"$DATA/$key.in"
	: >"$DATA/$key.out"
	make -s -C "$SLOW" clean
	for ((s = 0; s < FILES; s++)); do
		case $tool in
		cache) cmd=("$CACHE_BIN" slowcc -O2 -c "s$s.c" -o "s$s.o") ;;
		ccache-distcc) cmd=("$CCACHE_BIN" slowcc -O2 -c "s$s.c" -o "s$s.o") ;;
		esac
		[[ $tool != cache ]] || mapfile -t before < <(cached_sum bytes_in bytes_out)
		t=$(now_us)
		(cd -- "$SLOW" && with "$tool" "${cmd[@]}") || die "($key) ${cmd[*]} failed"
		awk -v a="$t" -v b="$(now_us)" 'BEGIN { printf "%.2f\n", (b - a) / 1e3 }' >>"$DATA/$key.ms"
		if [[ $tool == cache ]]; then
			mapfile -t io < <(cached_sum bytes_in bytes_out)
			printf '%s\n' $((io[0] - before[0])) >>"$DATA/$key.in"
			printf '%s\n' $((io[1] - before[1])) >>"$DATA/$key.out"
		fi
	done
	same_objects "ii.objects.$key" "$SLOW" "$DATA/$II_SHAPE.sha256"
	record "ii.ms.$key" "$(median_of <"$DATA/$key.ms")"
}

# node_hits [nowarm]: (ii) for cache: node hits, then local hits; with nowarm, a daemon whose
# warm-up skips the farm's client side (-Dcache.farmWarmupJobs=0), node hits only, keys
# ending in -nowarm (run after the other: the nodes' JVMs are warmer then, not colder).
node_hits() {
	local compiled hits remote st ph_probe ph_wait ph_node ph_total v=${1:+-$1} opts=''
	local -a before after
	[[ -z $v ]] || opts='-Dcache.farmWarmupJobs=0 '
	fresh "hit-cache$v"
	start_daemon "$opts-Djava.util.logging.config.file=$TMP/logging.properties"
	warmed_up
	mapfile -t before < <(cached_sum compiles_ok node_hits)
	local -a marks=()
	local f i
	for f in "${CACHED_LOGS[@]}"; do marks+=("$(wc -l <"$f")"); done
	per_file cache "node-hit$v"
	mapfile -t after < <(cached_sum compiles_ok node_hits)
	# The node's own part of each hit, from its debug probe lines ("probe for P: hit, looked up
	# in L ms, written in W ms") written during these calls: none unless FARM_NODE_LOG_LEVEL=debug.
	: >"$DATA/node$v-lookup"
	: >"$DATA/node$v-write"
	for i in "${!CACHED_LOGS[@]}"; do
		tail -n +"$((marks[i] + 1))" "${CACHED_LOGS[i]}" | awk -v l="$DATA/node$v-lookup" -v w="$DATA/node$v-write" '
			/ probe for .*: hit, looked up in / { for (j = 1; j <= NF; j++) {
				if ($j == "in" && $(j - 1) == "up") print $(j + 1) >>l
				if ($j == "in" && $(j - 1) == "written") print $(j + 1) >>w } }'
	done
	if [[ -s $DATA/node$v-lookup ]]; then
		record "ii.node-ms.lookup$v" "$(median_of <"$DATA/node$v-lookup")"
		record "ii.node-ms.write$v" "$(median_of <"$DATA/node$v-write")"
	fi
	st=$DATA/ii.cache$v.r$round.stats
	client_stats cache "$st"
	hits=$(stat_of "$st" node_hit)
	remote=$(stat_of "$st" remote_compile)
	compiled=$((after[0] - before[0]))
	check "ii.counters.node-hit$v" "$(((hits == FILES && remote == 0 && compiled == 0 &&
		after[1] - before[1] == FILES) ? 1 : 0))" \
		"client node_hit $hits, remote_compile $remote; nodes compiled $compiled, node_hits $((after[1] - before[1]))"
	record "ii.in.node-hit$v" "$(median_of <"$DATA/node-hit$v.in")"
	# How many files were answered by the first round of probes (the fewest bytes sent): the
	# rest needed another round (the third node's).
	record "ii.first-probe.node-hit$v" "$(sort -g "$DATA/node-hit$v.in" | awk 'NR == 1 { m = $1 } $1 == m { n++ } END { print n + 0 }')"
	# The farm's share by where the hit was: on the key's owner (#1 of its ranking) or on the
	# node (i)'s build spilled it to (#2, #3); the FINE lines say which.
	local rank
	for rank in 1 2 3; do
		awk -v r="(#$rank" '/ job [0-9a-f]+: probe .* node hit on / && index($0, r) {
			for (i = 1; i <= NF; i++) if ($i == "total") print $(i + 1) }' "$RUN_DIR/run/cache/d.log" >"$DATA/hit$v-rank$rank"
		record "ii.hits-on-rank$rank$v" "$(wc -l <"$DATA/hit$v-rank$rank")"
		record "ii.farm-ms.rank$rank$v" "$(median_of <"$DATA/hit$v-rank$rank")"
	done
	record "ii.out.node-hit$v" "$(median_of <"$DATA/node-hit$v.out")"
	# A node hit's farm share broken down (the FINE line's "[hit: sent S, round trip R, after A
	# ms; told T ms]"): the probe handed to its connection, its round trip (encode, loopback, the
	# node, decode and checksum here), the job's end (its waiter woken); and, overlapping the
	# round trip, the monitors told.
	local part
	for part in sent trip after told; do
		awk -v p="$part" '/ node hit on .*\[hit: / {
			for (i = 1; i <= NF; i++) if ($i == p) { x = $(i + 1); sub(/,$/, "", x); print x } }' \
			"$RUN_DIR/run/cache/d.log" >"$DATA/hit$v-$part"
		record "ii.hit-ms.$part$v" "$(median_of <"$DATA/hit$v-$part")"
	done
	# The farm's share of a node hit: from the job's submission to its answer (the daemon's FINE lines).
	read -r ph_probe ph_wait ph_node ph_total < <(phases "$RUN_DIR/run/cache/d.log")
	record "ii.farm-ms.node-hit$v" "$ph_total"
	[[ -z $v ]] || return 0
	# The same calls again: local hits.
	per_file cache local-hit
	client_stats cache "$st.2"
	hits=$(($(stat_of "$st.2" direct_cache_hit) + $(stat_of "$st.2" preprocessed_cache_hit)))
	check ii.counters.local-hit "$(((hits == FILES) ? 1 : 0))" "local hits $hits of $FILES"
}

ccache_recompiles() { # (ii) for ccache+distcc
	local before after misses
	fresh "hit-ccache"
	before=$(distccd_compiles)
	per_file ccache-distcc ccache-distcc
	after=$(($(distccd_compiles) - before))
	client_stats ccache-distcc "$DATA/ii.ccache.r$round.stats"
	misses=$(stat_of "$DATA/ii.ccache.r$round.stats" cache_miss)
	check ii.counters.ccache-distcc "$(((misses == FILES && after == FILES) ? 1 : 0))" \
		"ccache misses $misses, distccd compiled $after"
}

# --- (iii) lua --------------------------------------------------------------------------

LUA_DIR='' LUA_MAKE='' LUA_CLEAN='' LUA_OBJECTS=0
if [[ $LUA == 1 ]]; then
	# shellcheck source=rebuild-lib.sh
	source "$SCRIPT_DIR/rebuild-lib.sh"
	if [[ -z ${LUA_SRC:-} ]]; then
		mapfile -t src_dirs < <("$SCRIPT_DIR/fetch-sources.sh" "$REPO/work/corpus")
		[[ ${#src_dirs[@]} -eq 3 && -d ${src_dirs[1]} ]] || die "fetch-sources.sh did not print the lua5.4 directory"
		LUA_SRC=${src_dirs[1]}
	fi
	LUA_DIR=$TMP/lua
	rebuild_prepare lua "$LUA_SRC" "$LUA_DIR" || die "preparing $LUA_SRC failed"
	LUA_MAKE=$(rebuild_build lua "$LUA_DIR" "$MAKE_J")
	# -O2 without -g: distcc's -g objects differ from a local compile's (DWARF columns).
	[[ $LUA_MAKE == *'MYCFLAGS=-O2\ -g MYCXXFLAGS=-O2\ -g'* ]] || die "rebuild-lib.sh's lua command changed: $LUA_MAKE"
	LUA_MAKE=${LUA_MAKE/'MYCFLAGS=-O2\ -g MYCXXFLAGS=-O2\ -g'/MYCFLAGS=-O2 MYCXXFLAGS=-O2}
	LUA_CLEAN=$(rebuild_clean lua)
	(cd -- "$LUA_DIR" && eval "$LUA_CLEAN") >/dev/null 2>&1
	(cd -- "$LUA_DIR" && eval "$LUA_MAKE") >"$DATA/lua.plain.log" 2>&1 ||
		{ cat -- "$DATA/lua.plain.log" >&2; die "plain lua build failed"; }
	(cd -- "$LUA_DIR" && find . -name '*.o' -print0 | sort -z | xargs -0 sha256sum) >"$DATA/lua.sha256"
	LUA_OBJECTS=$(wc -l <"$DATA/lua.sha256")
	COMMANDS[iii]="cd <lua> && PATH=<links>:\$PATH $LUA_MAKE  (links: plain none; distcc $DISTCC_LINKS;" 
	COMMANDS[iii]+=" ccache+distcc $CCACHE_LINKS + CCACHE_PREFIX=distcc; cache: cache --install-links + CCACHE_PREFIX=distcc)"
fi

# lua_build TOOL LINKS KEY: a timed lua build with LINKS first on PATH (none: plain gcc).
lua_build() {
	local tool=$1 links=$2 key=$3 t secs
	(cd -- "$LUA_DIR" && eval "$LUA_CLEAN") >/dev/null 2>&1
	t=$(now_us)
	(cd -- "$LUA_DIR" && with "$tool" PATH="${links:+$links:}$CLEAN_PATH" sh -c "$LUA_MAKE") >"$DATA/$key.r$round.log" 2>&1 ||
		{ cat -- "$DATA/$key.r$round.log" >&2; die "lua build ($key) failed"; }
	secs=$(secs_since "$t")
	record "iii.$key" "$secs"
	same_objects "iii.objects.$key" "$LUA_DIR" "$DATA/lua.sha256"
	log "  (iii) $key: $secs s"
}

lua_distcc() { # lua_distcc KEY TOOL LINKS: a build through distccd, which must compile all.
	local before after misses
	fresh "lua-$1"
	before=$(distccd_compiles)
	lua_build "$2" "$3" "$1"
	after=$(($(distccd_compiles) - before))
	if [[ $2 == ccache-distcc ]]; then
		client_stats ccache-distcc "$DATA/iii.$1.r$round.stats"
		misses=$(stat_of "$DATA/iii.$1.r$round.stats" cache_miss)
		check "iii.counters.$1" "$(((after == LUA_OBJECTS && misses == LUA_OBJECTS) ? 1 : 0))" \
			"ccache misses $misses, distccd compiled $after of $LUA_OBJECTS"
	else
		check "iii.counters.$1" "$(((after == LUA_OBJECTS) ? 1 : 0))" "distccd compiled $after of $LUA_OBJECTS"
	fi
}

lua_cache() { # lua_cache KEY cold|second
	local key=$1 remote hit local_ diag compiled before st
	fresh "lua-$key"
	start_daemon
	before=$(cached_sum compiles_ok)
	lua_build cache "$LINKS" "$key"
	compiled=$(($(cached_sum compiles_ok) - before))
	st=$DATA/iii.$key.r$round.stats
	client_stats cache "$st"
	remote=$(stat_of "$st" remote_compile)
	hit=$(stat_of "$st" node_hit)
	local_=$(stat_of "$st" kept_local)
	# A compile whose node printed diagnostics (lua's -Wall warnings) is done again here for the
	# compiler's own, as designed (docs/distributed.md): kept_local_diagnostics_on_node, and only that.
	diag=$(stat_of "$st" kept_local_diagnostics_on_node)
	if [[ $2 == cold ]]; then
		check "iii.counters.$key" "$(((remote + diag == LUA_OBJECTS && compiled == LUA_OBJECTS && local_ == diag) ? 1 : 0))" \
			"remote_compile $remote, node_hit $hit, kept_local $local_ (diagnostics on node $diag); nodes compiled $compiled of $LUA_OBJECTS"
	else
		check "iii.counters.$key" "$(((hit + diag == LUA_OBJECTS && remote == 0 && compiled == 0 && local_ == diag) ? 1 : 0))" \
			"node_hit $hit, remote_compile $remote, kept_local $local_ (diagnostics on node $diag); nodes compiled $compiled"
	fi
}

# --- the rounds -------------------------------------------------------------------------

log "machine: $(nproc) CPUs, $(gcc --version | head -n 1), $(distcc --version | head -n 1), $(ccache --version | head -n 1)"
log "cache: $CACHE_BIN, cached: $CACHED_BIN; temp dir $TMP; $ROUNDS round(s)"
LOAD_START=$(cut -d ' ' -f 1-3 /proc/loadavg)

for ((round = 1; round <= ROUNDS; round++)); do
	log "round $round/$ROUNDS (load $(cut -d ' ' -f 1-3 /proc/loadavg))"
	if ((round % 2)); then order=(cache distcc); else order=(distcc cache); fi
	# (i) at each -j on a farm of its own (empty caches: every job a compile), the first -j
	# last: (ii) uses its farm as left (with -j above the slots, more jobs spill off their owner).
	for ((k = ${#JOBS_LIST[@]} - 1; k >= 0; k--)); do
		j=${JOBS_LIST[k]}
		if ((${#NODE_PIDS[@]} > 0)); then stop_daemons; stop_nodes; fi
		start_farm "$round-j$j"
		log "  make -j$j: cached: $CACHED_HOSTS; distccd: $DISTCCD_HOSTS"
		for shape in "${SHAPE_LIST[@]}"; do
			for tool in "${order[@]}"; do slow_build "$tool" "$j" "$shape"; done
		done
	done
	# (ii) needs (i)'s cache build on the nodes; ccache+distcc compiles afresh anyway.
	for tool in "${order[@]}"; do
		if [[ $tool == cache ]]; then node_hits && node_hits nowarm; else ccache_recompiles; fi
	done
	if [[ $LUA == 1 ]]; then
		lua_build plain "" lua-plain
		for tool in "${order[@]}"; do
			if [[ $tool == cache ]]; then lua_cache lua-cold-cache cold; else lua_distcc lua-cold-distcc distcc "$DISTCC_LINKS"; fi
		done
		for tool in "${order[@]}"; do
			if [[ $tool == cache ]]; then
				lua_cache lua-again-cache second
			else
				lua_distcc lua-again-ccache-distcc ccache-distcc "$CCACHE_LINKS"
			fi
		done
	fi
	stop_daemons
	stop_nodes
done
LOAD_END=$(cut -d ' ' -f 1-3 /proc/loadavg)

# --- report -----------------------------------------------------------------------------

echo
echo "farm: 3 cached and 3 distccd nodes on ${NODES[*]} (loopback), $SLOTS slots each;" \
	"median of $ROUNDS round(s); $(nproc) CPUs for everything"
echo
fmt='%-66s %12s %12s\n'
# shellcheck disable=SC2059 # the format is a constant
printf "$fmt" "" distcc cache
echo "(i) farm efficiency: $FILES files, slowcc = gcc + ${SLEEP} s, ideal ${IDEAL} s"
for shape in "${SHAPE_LIST[@]}"; do
	echo " $shape project: honest ideal ${IDEAL_HONEST[$shape]} s: per file ${CPU_CPP[$shape]} s CPU to preprocess," \
		"${CPU_CC[$shape]} s to compile, $(nproc) CPUs"
	for j in "${JOBS_LIST[@]}"; do
		k=$shape.j$j
		echo "  $shape, make -j$j"
		# shellcheck disable=SC2059
		printf "$fmt" "    wall time (s)" "$(median "i.wall.distcc.$k")" "$(median "i.wall.cache.$k")"
		# shellcheck disable=SC2059
		printf "$fmt" "    efficiency = ideal / wall" "$(median "i.eff.distcc.$k")" "$(median "i.eff.cache.$k")"
		# shellcheck disable=SC2059
		printf "$fmt" "    efficiency = honest ideal / wall" "$(median "i.eff-honest.distcc.$k")" \
			"$(median "i.eff-honest.cache.$k")"
		# shellcheck disable=SC2059
		printf "$fmt" "    cache's jobs, median ms: probe / slot wait / on node" - \
			"$(median "i.probe-ms.cache.$k") / $(median "i.slot-wait-ms.cache.$k") / $(median "i.on-node-ms.cache.$k")"
	done
done
echo "(ii) ($II_SHAPE project) second build from an empty local cache, file by file, median per file"
# shellcheck disable=SC2059
printf "$fmt" "  time per file (ms; distcc = ccache+distcc, compiles again)" \
	"$(median ii.ms.ccache-distcc)" "$(median ii.ms.node-hit)"
# shellcheck disable=SC2059
printf "$fmt" "  bytes client -> node per file (node's bytes_in)" - "$(median ii.in.node-hit)"
# shellcheck disable=SC2059
printf "$fmt" "  files answered by the first round of probes (of $FILES)" - "$(median ii.first-probe.node-hit)"
# shellcheck disable=SC2059
printf "$fmt" "  bytes node -> client per file (node's bytes_out)" - "$(median ii.out.node-hit)"
# shellcheck disable=SC2059
printf "$fmt" "  the farm's share of a node hit: submitted to answered (ms)" - "$(median ii.farm-ms.node-hit)"
for rank in 1 2 3; do
	# shellcheck disable=SC2059
	printf "$fmt" "    hits on #$rank of the key's ranking: files, farm's share (ms)" - \
		"$(median "ii.hits-on-rank$rank") / $(median "ii.farm-ms.rank$rank")"
done
# shellcheck disable=SC2059
printf "$fmt" "    its parts, medians: probe sent / round trip / job's end; monitors told meanwhile (ms)" - \
	"$(median ii.hit-ms.sent) / $(median ii.hit-ms.trip) / $(median ii.hit-ms.after); $(median ii.hit-ms.told)"
if [[ -n ${VALUES[ii.node-ms.lookup]:-} ]]; then
	# shellcheck disable=SC2059
	printf "$fmt" "    of the round trip, on the node (debug log): lookup / answer written (ms)" - \
		"$(median ii.node-ms.lookup) / $(median ii.node-ms.write)"
fi
# shellcheck disable=SC2059
printf "$fmt" "  the same, the daemon's warm-up without the farm's (ms)" - "$(median ii.farm-ms.node-hit-nowarm)"
for rank in 1 2 3; do
	# shellcheck disable=SC2059
	printf "$fmt" "    hits on #$rank: files, farm's share (ms)" - \
		"$(median "ii.hits-on-rank$rank-nowarm") / $(median "ii.farm-ms.rank$rank-nowarm")"
done
# shellcheck disable=SC2059
printf "$fmt" "  time per file, the daemon's warm-up without the farm's (ms)" - "$(median ii.ms.node-hit-nowarm)"
# shellcheck disable=SC2059
printf "$fmt" "  reference: cache's local hit, same calls (ms)" - "$(median ii.ms.local-hit)"
if [[ $LUA == 1 ]]; then
	echo "(iii) lua5.4, $LUA_OBJECTS objects, -O2, make -j$MAKE_J (plain gcc, all local: $(median iii.lua-plain) s)"
	# shellcheck disable=SC2059
	printf "$fmt" "  cold: empty nodes, empty local cache (s)" "$(median iii.lua-cold-distcc)" \
		"$(median iii.lua-cold-cache)"
	# shellcheck disable=SC2059
	printf "$fmt" "  nodes built it once, empty local cache (s; distcc = ccache+distcc)" \
		"$(median iii.lua-again-ccache-distcc)" "$(median iii.lua-again-cache)"
fi
echo
echo "per round:"
print_table VALUES 28
echo
echo "commands (<distccd nodes> = '$DISTCCD_HOSTS', <cached nodes> = '$CACHED_HOSTS' in the last round):"
for key in $(printf '%s\n' "${!COMMANDS[@]}" | sort); do
	printf '  %-8s %s\n' "$key" "${COMMANDS[$key]}"
done
echo
echo "checks:"
print_table CHECKS 34
report_end
