#!/usr/bin/env bash
# remote-storage.sh [--backend redis|http] [--rounds N] [--jobs N[,N...]] [--hit-rounds N] [--skip-lua]: issue 21, cache against
# Debian's ccache 4.7.5 sharing one real server started here on a free loopback port: redis-server (nothing saved to
# disk; the default) or, with --backend http, nginx with WebDAV (Debian's nginx-extras; PUT and GET under its root,
# both tools with the default subdirs layout under one path):
#   (i)  hit latency from an empty local cache: one lua source compiled, the local cache
#        cleared (`-C`) before every run (hyperfine --prepare), the entry and manifest in
#        remote storage; the directory itself stays (a new directory costs us a store open, ~0.1 s,
#        once per directory and daemon, not per file);
#   (ii) lua (68 objects) built again from an empty local cache, after a cold build filled
#        the server: wall time of `make -j2` (--jobs 1,2: of `make -j1` and `make -j2`, each into
#        a cache directory of its own from the same server contents), objects compared with plain
#        gcc's, counters checked (every object a remote hit, nothing compiled);
#   (v)  the floors of (ii), in its rounds: each tool's build again from the local cache its remote build
#        just filled (every object a local hit, checked), and the same make with a static no-op program
#        as gcc. Our local rebuild is what no remote tier of ours can go under.
# Both tools use their own keys (ccache's `ccache:…`, ours `cache:…`) in the same Redis; over HTTP, names of
# their own under one path.
# Rounds interleave the tools so that the host's drift hits both alike; medians are printed.
# --hit-rounds N repeats (i) N times, the tools' order swapped each round (hyperfine times
# one tool's 30 runs, then the other's: on a shared host a drift between them is not noise),
# and prints each round's medians and the median of the rounds' ratios.
#
# --interleaved N times the same remote hit another way, after (i): N rounds, in each every
# tool once, the order rotating, the local cache emptied (untimed) just before each tool's call,
# which is timed alone (bash's EPOCHREALTIME around the compiler command: no process of the
# timer's own). On a shared host this puts every tool under the same drift, call by call.
# --project lua|git: the project that (ii), (iv) and (v) build (default lua; git: the 137 objects of Debian's
# git that GitProjectIT builds, rebuild-lib.sh; GIT_SRC, else <repo>/work/corpus/git-*). (i) always uses lua.
# --ci-job N: (vi) a CI runner's whole job on zlib, N rounds: a fresh copy of the tree (the checkout's stand-in),
# `CFLAGS="-O2 -g" ./configure`, `make -j2`, into an empty local cache, both tools' entries already in the server;
# ccache; cache with no daemon running at the job's start (configure's first compile starts it); cache with
# `cache --start-daemon` as the job's first step, before the copy. Timed from the job's first step to make's
# end (configure and make also apart); objects (.o, .lo) compared with a plain build's, and every object of
# make a remote hit for each tool (configure's test compiles are misses for both: their names hold a pid).
# ZLIB_SRC: an unpacked zlib tree (else <repo>/work/corpus/zlib-*).
# --fresh N: (iv) the just-started daemon, a CI runner's case. Both tools' entries in the server (a
# cold build each), then N rounds of lua from remote storage into an empty local cache: ccache;
# cache (and each --also build) with its daemon stopped before the build (the build's first call
# starts it: the JVM's start, its warm-up and the first remote calls all in the timed build); with
# its daemon started FRESH_DELAY s (default 5) before the build; and that daemon's next build.
# Medians, and every build checked (objects as plain gcc's, every object a remote hit, nothing
# compiled).
# The timed command in (i) and (iii) is the tool's own gcc link, exec'd as make execs a compiler; the
# environment (PATH, CCACHE_DIR, XDG_RUNTIME_DIR) is set outside the timing. Until session 20 both
# ran it through /usr/bin/env, which added ~1.5 ms to every call of either tool (a dynamically linked
# exec of its own); --env-prefix times that way again, to compare with those figures.
# --also NAME=BIN (repeatable) adds another build of cache (its own links, runtime dir and
# daemon) to (i), --interleaved, (ii) and (v) (in every round, after cache; its own cold
# build fills the server first, as each tool's does), e.g. --also main=/path/to/main/dist/bin/cache
# for an A/B in one run.
#
# Knobs: CACHE_BIN (default <repo>/dist/bin/cache); LUA_SRC (an unpacked lua5.4 tree; else
# <repo>/work/corpus/lua5.4-*, as fetch-sources.sh leaves it); KEEP_TMP=1 keeps the temp dir;
# BENCH_TMPDIR (default /tmp) is where the builds, cache directories and servers' data live: the
# file system under test (its inode allocation is a large share of a hit on some).
# Needs gcc, g++, make, ccache (with redis-storage and http-storage), redis-server, nginx-extras, hyperfine.
set -euo pipefail
die() { printf 'remote-storage.sh: %s\n' "$*" >&2; exit 1; }
log() { printf '==> %s\n' "$*" >&2; }

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(cd -- "$SCRIPT_DIR/../.." && pwd -P)
CACHE_BIN=${CACHE_BIN:-$REPO/dist/bin/cache}
ROUNDS=3 LUA_ROUNDS=1 HIT_ROUNDS=1 PROJECT=lua INTERLEAVED=0 BACKEND=redis FRESH=0 CI_JOB=0 ENV_PREFIX=0 FRESH_DELAY=${FRESH_DELAY:-5} JOBS=2
declare -A ALSO=()
while [[ $# -gt 0 ]]; do
	case $1 in
	--backend) BACKEND=$2; [[ $BACKEND == redis || $BACKEND == http ]] || die "--backend redis|http"; shift 2 ;;
	--rounds) ROUNDS=$2; shift 2 ;;
	--hit-rounds) HIT_ROUNDS=$2; shift 2 ;;
	--skip-lua) LUA_ROUNDS=0; shift ;;
	--project) PROJECT=$2; [[ $PROJECT == lua || $PROJECT == git ]] || die "--project lua|git"; shift 2 ;;
	--interleaved) INTERLEAVED=$2; shift 2 ;;
	--fresh) FRESH=$2; shift 2 ;;
	--ci-job) CI_JOB=$2; [[ $CI_JOB =~ ^[0-9]+$ ]] || die "--ci-job N"; shift 2 ;;
	--jobs) JOBS=$2; [[ $JOBS =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || die "--jobs N[,N...]"; shift 2 ;;
	--env-prefix) ENV_PREFIX=1; shift ;;
	--also) [[ $2 == ?*=?* ]] || die "--also NAME=BIN"; ALSO[${2%%=*}]=${2#*=}; shift 2 ;;
	*) die "usage: remote-storage.sh [--backend redis|http] [--rounds N] [--jobs N[,N...]] [--hit-rounds N] [--skip-lua] [--project lua|git] [--interleaved N] [--fresh N] [--ci-job N] [--env-prefix] [--also NAME=BIN]..." ;;
	esac
done
# shellcheck source=rebuild-lib.sh
source "$SCRIPT_DIR/rebuild-lib.sh"
# shellcheck source=stats-lib.sh
source "$SCRIPT_DIR/stats-lib.sh"


LUA_SRC=${LUA_SRC:-$(ls -d "$REPO"/work/corpus/lua5.4-*/ 2>/dev/null | head -1 || true)}
[[ -d $LUA_SRC ]] || die "no lua5.4 tree: set LUA_SRC (or run fetch-sources.sh $REPO/work/corpus)"
ccache --version | grep -q "$BACKEND-storage" || die "this ccache has no $BACKEND storage"

TMP=$(mktemp -d "${BENCH_TMPDIR:-/tmp}/remote-storage-bench.XXXXXX") # BENCH_TMPDIR: the file system to build on
REDIS_PID= NGINX_PID=
cleanup() {
	[[ -n $REDIS_PID ]] && kill -9 "$REDIS_PID" 2>/dev/null
	[[ -n $NGINX_PID ]] && kill -9 "$NGINX_PID" 2>/dev/null
	XDG_RUNTIME_DIR=$TMP/run CCACHE_DIR=$TMP/x "$CACHE_BIN" --stop-daemon >/dev/null 2>&1 || true
	for name in "${!ALSO[@]}"; do
		XDG_RUNTIME_DIR=$TMP/run-$name CCACHE_DIR=$TMP/x "${ALSO[$name]}" --stop-daemon >/dev/null 2>&1 || true
	done
	[[ ${KEEP_TMP:-0} == 1 ]] && log "kept $TMP" || rm -rf -- "$TMP"
}
trap cleanup EXIT
mkdir -m 700 -- "$TMP/run"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
if [[ $BACKEND == redis ]]; then
	redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$TMP" >"$TMP/redis.log" 2>&1 &
	REDIS_PID=$!
	disown "$REDIS_PID" # killed by cleanup, without the shell's "Killed" line
	for _ in $(seq 100); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.05; done
	redis-cli -p "$PORT" ping >/dev/null || die "redis-server did not start"
	export CCACHE_REMOTE_STORAGE="redis://127.0.0.1:$PORT"
	# flush: empty the server; stored: how many values it holds
	flush() { redis-cli -p "$PORT" flushall >/dev/null; }
	stored() { redis-cli -p "$PORT" dbsize; }
else
	[[ -x /usr/sbin/nginx ]] || die "no /usr/sbin/nginx (Debian's nginx-extras, for WebDAV)"
	NG=$TMP/nginx
	mkdir -p -- "$NG/data"
	cat >"$NG/nginx.conf" <<-EOF
		daemon off; master_process off; worker_processes 1;
		pid $NG/nginx.pid; error_log $NG/error.log;
		events { worker_connections 256; }
		http {
		    access_log off;
		    client_body_temp_path $NG/body; proxy_temp_path $NG/proxy; fastcgi_temp_path $NG/fcgi;
		    uwsgi_temp_path $NG/uwsgi; scgi_temp_path $NG/scgi;
		    server {
		        listen 127.0.0.1:$PORT; root $NG/data; client_max_body_size 64m;
		        location / { dav_methods PUT; create_full_put_path on; }
		    }
		}
	EOF
	/usr/sbin/nginx -p "$NG" -e "$NG/stderr.log" -c "$NG/nginx.conf" >"$NG/out.log" 2>&1 &
	NGINX_PID=$!
	disown "$NGINX_PID"
	for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.05; done
	curl -s -o /dev/null "http://127.0.0.1:$PORT/" || die "nginx did not start: $(cat "$NG/error.log" 2>/dev/null)"
	export CCACHE_REMOTE_STORAGE="http://127.0.0.1:$PORT/cc"
	flush() { rm -rf -- "$NG/data/cc"; }
	stored() { find "$NG/data" -type f | wc -l; }
fi

LINKS=$TMP/links
mkdir -p -- "$LINKS"
"$CACHE_BIN" --install-links "$LINKS" >/dev/null || die "cache --install-links failed"
declare -A PATHS=([ccache]=/usr/lib/ccache [cache]=$LINKS) BINS=([cache]=$CACHE_BIN) RUNS=([cache]=$TMP/run)
for name in "${!ALSO[@]}"; do
	[[ $name != cache && $name != ccache ]] || die "--also: $name is taken"
	mkdir -p -m 700 -- "$TMP/links-$name" "$TMP/run-$name"
	"${ALSO[$name]}" --install-links "$TMP/links-$name" >/dev/null || die "$name: --install-links failed"
	PATHS[$name]=$TMP/links-$name BINS[$name]=${ALSO[$name]} RUNS[$name]=$TMP/run-$name
done

LUA=$TMP/lua
rebuild_prepare lua "$LUA_SRC" "$LUA" || die "preparing lua failed"
# PROJ: the project that (ii), (iv) and (v) build (--project; lua by default, whose tree (i) uses too)
if [[ $PROJECT == lua ]]; then
	PROJ=$LUA
else
	GIT_SRC=${GIT_SRC:-$(ls -d "$REPO"/work/corpus/git-*/ 2>/dev/null | head -1 || true)}
	[[ -d $GIT_SRC ]] || die "no git tree: set GIT_SRC (or run fetch-sources.sh $REPO/work/corpus)"
	PROJ=$TMP/$PROJECT
	rebuild_prepare "$PROJECT" "$GIT_SRC" "$PROJ" || die "preparing $PROJECT failed"
fi
OBJECTS=${REBUILD_OBJECTS[$PROJECT]}
MAKE=$(rebuild_build "$PROJECT" "$PROJ" 2)
CLEAN=$(rebuild_clean "$PROJECT")
# object_sums DIR: the sha256 of every object under DIR (.o, and libtool's .lo), sorted by name.
object_sums() { (cd -- "$1" && find . \( -name '*.o' -o -name '*.lo' \) -print0 | sort -z | xargs -0 sha256sum); }
(cd -- "$PROJ" && eval "$MAKE") >"$TMP/plain.log" 2>&1 || die "plain $PROJECT build failed"
object_sums "$PROJ" >"$TMP/plain.sha256"
[[ $(wc -l <"$TMP/plain.sha256") -eq $OBJECTS ]] || die "plain $PROJECT: not $OBJECTS objects"

# run TOOL CACHE_DIR CMD...: CMD with TOOL's links first on PATH and CACHE_DIR as its cache.
run() {
	local tool=$1 dir=$2
	shift 2
	env PATH="${PATHS[$tool]}:$PATH" CCACHE_DIR="$dir" XDG_RUNTIME_DIR="${RUNS[$tool]:-$TMP/run}" "$@"
}
# tool_env TOOL CACHE_DIR: exports what run sets, for a subshell that times TOOL's own exec.
tool_env() { export PATH="${PATHS[$1]}:$PATH" CCACHE_DIR="$2" XDG_RUNTIME_DIR="${RUNS[$1]:-$TMP/run}"; }
# tool_bin TOOL: the program that answers TOOL's admin options (-C, --print-stats).
tool_bin() { if [[ $1 == ccache ]]; then echo ccache; else echo "${BINS[$1]}"; fi; }
stats() { run "$1" "$2" "$(tool_bin "$1")" --print-stats; }
# settled [TOOLS]: until the server holds every result and manifest of the project of TOOLS tools (default 1;
# writes of ours are in the background).
settled() { settle $((2 * ${1:-1} * OBJECTS)); }
# settle MIN [steady]: until the server holds MIN values; with "steady", also until its count has not
# moved for a second (when more than MIN may come, e.g. configure's test compiles).
settle() {
	local n last=-1 still=0
	for _ in $(seq 600); do
		n=$(stored)
		if ((n >= $1)); then
			[[ ${2:-} == steady ]] || return 0
			if ((n == last)); then ((++still < 10)) || return 0; else still=0; fi
		fi
		last=$n
		sleep 0.1
	done
	die "$BACKEND never got every entry ($n of at least $1)"
}

# build TOOL CACHE_DIR: a clean build of the project (lua, or --project's); prints its wall time in seconds.
build() {
	local tool=$1 dir=$2 t0 t1
	(cd -- "$PROJ" && eval "$CLEAN") >/dev/null 2>&1
	t0=$(date +%s.%N)
	(cd -- "$PROJ" && run "$tool" "$dir" sh -c "$MAKE") >"$TMP/build.log" 2>&1 || { cat "$TMP/build.log" >&2; die "$tool build failed"; }
	t1=$(date +%s.%N)
	object_sums "$PROJ" | cmp -s - "$TMP/plain.sha256" ||
		die "$tool: objects differ from plain gcc's"
	echo "$t1 - $t0" | bc
}

# stop_daemon TOOL: cache's daemon stopped, and gone (its pid file's process exited), so that the
# next call starts a new one; nothing for ccache.
stop_daemon() {
	[[ $1 != ccache ]] || return 0
	local pidfile=${RUNS[$1]:-$TMP/run}/cache/d.pid pid=
	[[ -f $pidfile ]] && pid=$(<"$pidfile")
	run "$1" "$TMP/x" "$(tool_bin "$1")" --stop-daemon >/dev/null 2>&1 || true
	[[ $pid =~ ^[0-9]+$ ]] || return 0
	for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.05; done
	die "$1: the daemon $pid did not exit"
}

# checked_build TOOL DIR [local|fresh]: build (timed, objects checked), then nothing compiled and every
# object a remote hit; with "local" (DIR already filled by such a build), no object read from the
# server; with "fresh", the daemon is stopped after the counters are read (reading them starts
# one), so that the build's first call starts it, in the timed build.
checked_build() {
	local tool=$1 dir=$2 secs hits misses
	stats "$tool" "$dir" >"$TMP/before" 2>/dev/null || : >"$TMP/before"
	[[ ${3:-} != fresh ]] || stop_daemon "$tool"
	secs=$(build "$tool" "$dir")
	stats "$tool" "$dir" >"$TMP/after"
	hits=$(stat_sum "$TMP/before" "$TMP/after" remote_storage_hit)
	misses=$(stat_sum "$TMP/before" "$TMP/after" cache_miss)
	if [[ ${3:-} == local ]]; then
		[[ $hits -eq 0 && $misses -eq 0 ]] || die "$tool in $dir: $hits remote hits, $misses misses on a local rebuild"
	else
		[[ $hits -ge $OBJECTS && $misses -eq 0 ]] ||
			die "$tool in $dir: $hits remote hits, $misses misses (want $OBJECTS, 0)"
	fi
	echo "$secs"
}
# noop_build: make's own share of the build: the same make with a static no-op program as gcc.
mkdir -p -- "$TMP/noop"
printf 'int main(void) { return 0; }\n' | gcc -O2 -static -x c - -o "$TMP/noop/gcc" || die "building the no-op compiler failed"
ln -s gcc "$TMP/noop/g++"
noop_build() {
	local t0 t1
	(cd -- "$PROJ" && eval "$CLEAN") >/dev/null 2>&1
	t0=$(date +%s.%N)
	(cd -- "$PROJ" && PATH=$TMP/noop:$PATH sh -c "$MAKE") >/dev/null 2>&1 || die "the no-op build failed"
	t1=$(date +%s.%N)
	echo "$t1 - $t0" | bc
}
declare -A SECOND=() LOCAL=() FLOOR=()
((LUA_ROUNDS)) || ROUNDS=0
COLD_MAKE=$MAKE
for round in $(seq "$ROUNDS"); do
	for tool in ccache cache "${!ALSO[@]}"; do
		flush
		MAKE=$COLD_MAKE
		build "$tool" "$TMP/$tool-cold-$round" >/dev/null
		settled
		for j in ${JOBS//,/ }; do # the same server contents for every job count: a remote hit writes nothing there
			MAKE=$(rebuild_build "$PROJECT" "$PROJ" "$j")
			secs=$(checked_build "$tool" "$TMP/$tool-second-$round-j$j")
			SECOND[$tool:$j]+="$secs "
			LOCAL[$tool:$j]+="$(checked_build "$tool" "$TMP/$tool-second-$round-j$j" local) "
			log "round $round: $tool $PROJECT from $BACKEND, make -j$j, empty local cache: ${secs}s (every object a remote hit)"
		done
	done
	# lua only: git's Makefile with a no-op compiler sees new build flags, regenerates its headers and takes ~15 s: no floor
	[[ $PROJECT == lua ]] || continue
	for j in ${JOBS//,/ }; do
		MAKE=$(rebuild_build "$PROJECT" "$PROJ" "$j")
		FLOOR[$j]+="$(noop_build) "
	done
done
MAKE=$COLD_MAKE

median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
for j in ${JOBS//,/ }; do
	((ROUNDS)) || break
	printf '\n(ii) %s (%d objects) from %s with an empty local cache, make -j%d, median of %d:\n' "$PROJECT" "$OBJECTS" "$BACKEND" "$j" "$ROUNDS"
	for tool in ccache cache "${!ALSO[@]}"; do printf '  %-7s %6.3f s   (rounds: %s)\n' "$tool" "$(echo "${SECOND[$tool:$j]}" | median)" "${SECOND[$tool:$j]}"; done
	for tool in cache "${!ALSO[@]}"; do
		printf '  %s ÷ ccache per round: %s\n' "$tool" "$(paste -d/ <(echo "${SECOND[$tool:$j]}" | tr ' ' '\n' | grep .) \
			<(echo "${SECOND[ccache:$j]}" | tr ' ' '\n' | grep .) | while read -r q; do printf '%.2f ' "$(echo "$q" | bc -l)"; done)"
	done
	printf '(v) the floors, same rounds: the same build again from the local cache that build filled (every object a\n'
	printf '    local hit), and make with a static no-op program as gcc:\n'
	for tool in ccache cache "${!ALSO[@]}"; do printf '  %-7s local %6.3f s   (rounds: %s)\n' "$tool" "$(echo "${LOCAL[$tool:$j]}" | median)" "${LOCAL[$tool:$j]}"; done
	[[ -z ${FLOOR[$j]:-} ]] || printf '  no-op         %6.3f s   (rounds: %s)\n' "$(echo "${FLOOR[$j]}" | median)" "${FLOOR[$j]}"
	printf '  cache from %s ÷ ccache from %s: %.2f; cache local ÷ ccache from %s (no remote tier can go under it): %.2f\n' \
		"$BACKEND" "$BACKEND" "$(echo "$(echo "${SECOND[cache:$j]}" | median) / $(echo "${SECOND[ccache:$j]}" | median)" | bc -l)" \
		"$BACKEND" "$(echo "$(echo "${LOCAL[cache:$j]}" | median) / $(echo "${SECOND[ccache:$j]}" | median)" | bc -l)"
	for tool in "${!ALSO[@]}"; do
		printf '  %s from %s ÷ ccache from %s: %.2f; %s local ÷ ccache from %s: %.2f\n' "$tool" "$BACKEND" "$BACKEND" \
			"$(echo "$(echo "${SECOND[$tool:$j]}" | median) / $(echo "${SECOND[ccache:$j]}" | median)" | bc -l)" \
			"$tool" "$BACKEND" "$(echo "$(echo "${LOCAL[$tool:$j]}" | median) / $(echo "${SECOND[ccache:$j]}" | median)" | bc -l)"
	done
done

# (iv) the just-started daemon.
if ((FRESH)); then
	flush
	# the --also builds read cache's entries: one format (a build of another format fails the checks)
	for tool in ccache cache; do build "$tool" "$TMP/fresh-cold-$tool" >/dev/null; done
	settled 2
	declare -A FR=()
	KINDS=(started-by-build "started-${FRESH_DELAY}s-before" its-next-build)
	for round in $(seq "$FRESH"); do
		FR[ccache]+="$(checked_build ccache "$TMP/fresh-ccache-$round") "
		line=$(echo "${FR[ccache]}" | awk '{print "ccache " $NF}')
		for tool in cache "${!ALSO[@]}"; do
			bin=$(tool_bin "$tool")
			FR[$tool:${KINDS[0]}]+="$(checked_build "$tool" "$TMP/fresh-$tool-a-$round" fresh) "
			stop_daemon "$tool"
			run "$tool" "$TMP/x" "$bin" --start-daemon >/dev/null 2>&1 || die "$tool --start-daemon failed"
			sleep "$FRESH_DELAY"
			FR[$tool:${KINDS[1]}]+="$(checked_build "$tool" "$TMP/fresh-$tool-b-$round") "
			FR[$tool:${KINDS[2]}]+="$(checked_build "$tool" "$TMP/fresh-$tool-c-$round") "
			line+="; $tool $(for k in "${KINDS[@]}"; do echo "${FR[$tool:$k]}" | awk '{print $NF}'; done | tr '\n' ' ')"
		done
		log "round $round (iv): $line"
	done
	printf '\n(iv) %s from %s, empty local cache, a just-started daemon, median of %d:\n' "$PROJECT" "$BACKEND" "$FRESH"
	base=$(echo "${FR[ccache]}" | median)
	printf '  %-32s %6.3f s                (rounds: %s)\n' ccache "$base" "${FR[ccache]}"
	for tool in cache "${!ALSO[@]}"; do
		for k in "${KINDS[@]}"; do
			m=$(echo "${FR[$tool:$k]}" | median)
			printf '  %-32s %6.3f s  ÷ ccache %.2f   (rounds: %s)\n' "$tool $k" "$m" "$(echo "$m / $base" | bc -l)" "${FR[$tool:$k]}"
		done
	done
fi

# (vi) a CI runner's whole job on zlib: checkout (a copy), configure, make -j2.
if ((CI_JOB)); then
	ZLIB_SRC=${ZLIB_SRC:-$(ls -d "$REPO"/work/corpus/zlib-*/ 2>/dev/null | head -1 || true)}
	[[ -d $ZLIB_SRC ]] || die "no zlib tree: set ZLIB_SRC (or run fetch-sources.sh $REPO/work/corpus)"
	ZL=$TMP/zlib
	rm -rf -- "$ZL" && cp -a -- "$ZLIB_SRC" "$ZL"
	(cd -- "$ZL" && CFLAGS="-O2 -g" ./configure && make -j2) >"$TMP/zlib-plain.log" 2>&1 || die "plain zlib build failed"
	object_sums "$ZL" >"$TMP/zlib-plain.sha256"
	[[ $(wc -l <"$TMP/zlib-plain.sha256") -eq ${REBUILD_OBJECTS[zlib]} ]] || die "plain zlib: not ${REBUILD_OBJECTS[zlib]} objects"
	# ci_job TOOL DIR [started]: the job, timed from its first step; prints "total configure make" in
	# seconds. With "started", `cache --start-daemon` is that first step (its daemon stopped before).
	ci_job() {
		local tool=$1 dir=$2 t0 t1 t2
		stop_daemon "$tool"
		rm -rf -- "$ZL"
		t0=$(date +%s.%N)
		if [[ ${3:-} == started ]]; then
			run "$tool" "$dir" "$(tool_bin "$tool")" --start-daemon >/dev/null 2>&1 || die "$tool --start-daemon failed"
		fi
		cp -a -- "$ZLIB_SRC" "$ZL"
		(cd -- "$ZL" && run "$tool" "$dir" env CFLAGS="-O2 -g" ./configure) >"$TMP/zlib.log" 2>&1 || { cat "$TMP/zlib.log" >&2; die "$tool: configure failed"; }
		t1=$(date +%s.%N)
		(cd -- "$ZL" && run "$tool" "$dir" make -j2) >>"$TMP/zlib.log" 2>&1 || { cat "$TMP/zlib.log" >&2; die "$tool: zlib's make failed"; }
		t2=$(date +%s.%N)
		object_sums "$ZL" | cmp -s - "$TMP/zlib-plain.sha256" || die "$tool: zlib's objects differ from plain gcc's"
		echo "$(echo "$t2 - $t0" | bc) $(echo "$t1 - $t0" | bc) $(echo "$t2 - $t1" | bc)"
	}
	# the server gets both tools' entries; then every job's make must be remote hits only
	flush
	for tool in ccache cache; do ci_job "$tool" "$TMP/ci-fill-$tool" >/dev/null; done
	settle $((4 * ${REBUILD_OBJECTS[zlib]})) steady # both tools' results and manifests; configure's add more
	declare -A CJ=()
	CI_KINDS=(ccache cache:started-by-the-job cache:started-first)
	for round in $(seq "$CI_JOB"); do
		line=
		for kind in "${CI_KINDS[@]}"; do
			tool=${kind%%:*} dir=$TMP/ci-${kind//:/-}-$round
			job_times=$(ci_job "$tool" "$dir" "$([[ $kind == *started-first ]] && echo started)")
			read -r total conf mk <<<"$job_times"
			hits=$(stats "$tool" "$dir" | awk -F'\t' '$1 == "remote_storage_hit" {print $2}')
			[[ $hits -ge ${REBUILD_OBJECTS[zlib]} ]] || die "$kind: $hits remote hits in the job (want ${REBUILD_OBJECTS[zlib]})"
			stop_daemon "$tool" # no daemon of ours left to warm up during the next tool's job
			CJ[$kind]+="$total " CJ[$kind:configure]+="$conf " CJ[$kind:make]+="$mk "
			line+="$kind $total ($conf + $mk); "
		done
		log "round $round (vi): $line"
	done
	printf '\n(vi) a CI job on zlib from %s (copy, configure, make -j2; empty local cache), median of %d:\n' "$BACKEND" "$CI_JOB"
	base=$(echo "${CJ[ccache]}" | median)
	for kind in "${CI_KINDS[@]}"; do
		m=$(echo "${CJ[$kind]}" | median)
		printf '  %-26s %6.3f s  ÷ ccache %.2f   configure %6.3f s, make %6.3f s   (rounds: %s)\n' "$kind" "$m" \
			"$(echo "$m / $base" | bc -l)" "$(echo "${CJ[$kind:configure]}" | median)" "$(echo "${CJ[$kind:make]}" | median)" "${CJ[$kind]}"
	done
fi

# (i) one file, a remote hit from an empty local cache, the local cache emptied before each run.
cd -- "$LUA/src"
CMD="gcc -std=gnu99 -DLUA_USE_LINUX -O2 -g -c lapi.c -o $TMP/lapi.o"
TOOLS=(ccache cache "${!ALSO[@]}")
for tool in "${TOOLS[@]}"; do
	run "$tool" "$TMP/$tool-seed" sh -c "$CMD" # the entry and manifest in remote storage
done
sleep 2
printf '\n(i) one remote hit (lapi.c) from an empty local cache:\n'
HYPERFINE=$(command -v hyperfine)
RATIOS=
for round in $(seq "$HIT_ROUNDS"); do
	order=("${TOOLS[@]}")
	((round % 2)) || order=($(printf '%s\n' "${TOOLS[@]}" | tac))
	for tool in "${order[@]}"; do
		if ((ENV_PREFIX)); then # the timed command as before session 20: /usr/bin/env first
			env="env PATH=${PATHS[$tool]}:$PATH CCACHE_DIR=$TMP/hit-$tool XDG_RUNTIME_DIR=${RUNS[$tool]:-$TMP/run}"
			"$HYPERFINE" -N --warmup 3 --runs 30 --export-json "$TMP/hit-$tool.json" \
				--prepare "$env $(tool_bin "$tool") -C" -n "$tool" "$env $CMD" >&2
		else # hyperfine itself in the tool's environment; the timed command is the tool's gcc link
			(tool_env "$tool" "$TMP/hit-$tool" && "$HYPERFINE" -N --warmup 3 --runs 30 --export-json "$TMP/hit-$tool.json" \
				--prepare "$(tool_bin "$tool") -C" -n "$tool" "${PATHS[$tool]}/$CMD") >&2
		fi
	done
	jsons=()
	for tool in "${order[@]}"; do jsons+=("$TMP/hit-$tool.json"); done
	jq -s '{results: [.[].results[]]}' "${jsons[@]}" >"$TMP/hit.json"
	((HIT_ROUNDS == 1)) || printf '  round %d (%s first):\n' "$round" "${order[0]}"
	jq -r '.results[] | "  \(.command): median \(.median * 1000 | floor) ms, mean \(.mean * 1000 | floor) ms ± \(.stddev * 1000 | floor)"' "$TMP/hit.json"
	RATIOS+="$(jq -r '([.results[] | select(.command == "cache")][0].median) / ([.results[] | select(.command == "ccache")][0].median)' "$TMP/hit.json") "
done
if ((HIT_ROUNDS > 1)); then
	printf '  cache/ccache median ratio per round: %s; median of rounds: %.2f\n' "$RATIOS" "$(echo "$RATIOS" | median)"
fi
# --interleaved: every tool once per round, order rotating, each call timed alone after its -C.
if ((INTERLEAVED)); then
	declare -A TIMES=()
	for round in $(seq "$INTERLEAVED"); do
		n=${#TOOLS[@]}
		for i in $(seq 0 $((n - 1))); do
			tool=${TOOLS[$(((i + round) % n))]}
			run "$tool" "$TMP/hit-$tool" "$(tool_bin "$tool")" -C >/dev/null
			if ((ENV_PREFIX)); then
				t0=$EPOCHREALTIME
				# shellcheck disable=SC2086 # CMD is split into the compiler's arguments, as hyperfine -N does
				run "$tool" "$TMP/hit-$tool" $CMD
				t1=$EPOCHREALTIME
			else # bash forks and execs the tool's gcc link, as make does; the environment set untimed
				read -r t0 t1 < <(
					tool_env "$tool" "$TMP/hit-$tool"
					a=$EPOCHREALTIME
					# shellcheck disable=SC2086 # CMD is split into the compiler's arguments
					"${PATHS[$tool]}"/$CMD >&2
					echo "$a $EPOCHREALTIME"
				)
			fi
			TIMES[$tool]+="$(echo "($t1 - $t0) * 1000" | bc -l) "
		done
	done
	printf '\n(iii) one remote hit, %d interleaved rounds, each call after its own -C (ms):\n' "$INTERLEAVED"
	base=$(echo "${TIMES[ccache]}" | median)
	for tool in "${TOOLS[@]}"; do
		m=$(echo "${TIMES[$tool]}" | median)
		printf '  %-8s median %6.2f ms   ÷ ccache %.2f\n' "$tool" "$m" "$(echo "$m / $base" | bc -l)"
	done
fi
for tool in "${TOOLS[@]}"; do
	printf '  %s counters of the last run: %s\n' "$tool" \
		"$(stats "$tool" "$TMP/hit-$tool" | grep -E '^(remote_storage_hit|direct_cache_hit|cache_miss)\b' | tr '\t\n' '= ')"
done
printf 'load average: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
