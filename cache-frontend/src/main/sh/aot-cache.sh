#!/usr/bin/env bash
# aot-cache.sh DIST JAVA_HOME REQUIRED WORK BUILD_VERSION
#
# Builds DIST/lib/cache.aot, a JDK 25 AOT cache (JEP 483/514/515: the daemon's classes loaded
# and linked, and its methods' profiles) for the daemon, and DIST/lib/cache.aot.java: the java
# that made it and BUILD_VERSION (the client's and jars' build). The native client starts the
# daemon with that java and -XX:AOTCache=... when both files are there, the version is its
# own (the JVM itself does not notice jars changed since) and CACHE_JAVA does not name
# another java (JAVA_HOME does not count: it is the user's project's setting); see
# docs/client-protocol.md. Issue 17, docs/benchmarks.md "Just-started daemon".
#
# The training run is the daemon's own start: DIST/bin/cache starts a daemon with
# -XX:AOTCacheOutput under JAVA_HOME/bin/java, its start-up warm-up (Warmup) runs its 1,500
# calls, a few real misses and hits of gcc and g++ go through the client (with remote storage:
# a file: one, and Redis and HTTP servers started here when the machine has them), and
# `cache --stop-daemon` ends the JVM, which then writes the cache (in a child JVM, before the
# daemon's process exits). The result is then checked: a daemon started through the client
# with -XX:AOTMode=on (the JVM fails when it cannot use the cache); otherwise it is removed.
#
# Without JAVA_HOME/bin/java, a JDK that cannot write AOT caches, gcc, or on any failure of
# the training: no cache (the old one removed), a note, exit 0 — the client then runs
# `java` as before. REQUIRED=true turns that into a failure (CI, which has the JDK).
# Everything is done in WORK (removed at the end) and a short-lived runtime directory for
# the socket (mktemp, removed at the end); nothing stays in /tmp.
set -uo pipefail

DIST=$1 JDK=$2 REQUIRED=${3:-false} WORK=$4 VERSION=$5
readonly DIST JDK REQUIRED WORK VERSION
readonly AOT=$DIST/lib/cache.aot RECORD=$DIST/lib/cache.aot.java
readonly BUDGET_S=${CACHE_AOT_BUDGET_S:-90}

note() { printf '[aot-cache] %s\n' "$*" >&2; }
skip() {
	note "no AOT cache: $*"
	if [[ $REQUIRED == true ]]; then
		note "cache.aot.required=true: failing the build"
		exit 1
	fi
	exit 0
}

rm -f -- "$AOT" "$RECORD" "$AOT.new" "$RECORD.new"
JAVA=$JDK/bin/java
[[ -x $JAVA ]] || skip "$JAVA not found (-Dcache.aot.jdk=<a JDK 25 home>)"
JAVA=$(readlink -f -- "$JAVA")
"$JAVA" -XX:+PrintFlagsFinal -version 2>/dev/null | grep -q ' AOTCacheOutput ' ||
	skip "$JAVA cannot write AOT caches (JDK 25 or later needed)"
command -v gcc >/dev/null || skip "no gcc for the training run"
[[ -x $DIST/bin/cache ]] || skip "$DIST/bin/cache not built"

rm -rf -- "$WORK"
mkdir -p -- "$WORK/src" "$WORK/tmp" || skip "cannot create $WORK"
RUN=$(mktemp -d "${TMPDIR:-/tmp}/cache-aot.XXXXXX") || skip "mktemp failed"
started=$SECONDS

REDIS_PID= HTTP_PID=
cleanup() {
	"$DIST/bin/cache" --stop-daemon >/dev/null 2>&1
	[[ -n $REDIS_PID ]] && kill "$REDIS_PID" 2>/dev/null
	[[ -n $HTTP_PID ]] && kill "$HTTP_PID" 2>/dev/null
	local f pid
	for f in "$RUN"/cache/*.pid; do
		[[ -f $f ]] || continue
		pid=$(<"$f")
		[[ $pid =~ ^[0-9]+$ ]] && kill "$pid" 2>/dev/null
	done
	rm -rf -- "$RUN" "$WORK"
}
trap cleanup EXIT
trap 'exit 1' TERM INT HUP # Ant's timeout: still stop the daemon and clean up

# The daemon's environment: private cache, runtime and temporary directories, the links
# first on PATH, no user setting. The client reads cache.aot.java already (the java chosen,
# the JDK-specific options), but there is no cache.aot yet, so no -XX:AOTCache.
for var in $(compgen -e); do
	case $var in CCACHE_* | CACHE_*) unset "$var" ;; esac
done
unset JAVA_HOME
export XDG_RUNTIME_DIR=$RUN CCACHE_DIR=$WORK/ccache TMPDIR=$WORK/tmp
export CACHE_JAVA=$JAVA
export CACHE_JAVA_OPTS="-XX:AOTCacheOutput=$WORK/cache.aot -Djava.io.tmpdir=$WORK/tmp"

# Remote storage (issue 21): the training's calls and its warm-up (which probes the servers the
# starter names, then sends a third of its calls through a file: storage of its own) go through a
# file: storage and, when this machine has them, a redis-server and Python's HTTP server started
# here on loopback ports (nothing saved; the HTTP server answers GETs and refuses PUTs), so that
# the client libraries' classes are in the cache and a CI runner's first remote hits do not load
# them. A server that does not start is left out: never a failure of the build.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null; }
answers() { for _ in $(seq 40); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }
REMOTE=
if command -v redis-server >/dev/null && port=$(free_port) && [[ -n $port ]]; then
	redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK" >"$WORK/redis.log" 2>&1 &
	REDIS_PID=$!
	answers "$port" && REMOTE+="redis://127.0.0.1:$port " || note "redis-server did not start; training without it"
fi
if command -v python3 >/dev/null && port=$(free_port) && [[ -n $port ]] && mkdir -p "$WORK/http"; then
	python3 -m http.server --bind 127.0.0.1 --directory "$WORK/http" "$port" >"$WORK/http.log" 2>&1 &
	HTTP_PID=$!
	answers "$port" && REMOTE+="http://127.0.0.1:$port/cache " || note "no HTTP server; training without it"
fi
export CCACHE_REMOTE_STORAGE="${REMOTE}file:$WORK/remote"
"$DIST/bin/cache" --install-links "$WORK/links" >/dev/null || skip "--install-links failed"
export PATH=$WORK/links:$PATH

"$DIST/bin/cache" --start-daemon || skip "the training daemon did not start"
log=$(ls "$RUN"/cache/*.log 2>/dev/null | head -n 1)

# Real calls through the client while the warm-up runs: misses (fresh sources) and hits,
# C and C++, from the top of a tree and from the source's directory, plus an admin call.
cd "$WORK/src" || skip "cd"
mkdir -p sub inc
printf '#define TRAIN 1\n' >inc/train.h
for i in 1 2 3 4; do
	printf '#include <stdio.h>\n#include <string.h>\n#include <stdlib.h>\n#include "train.h"\nint f%d(const char *s) { return (int)strlen(s) + TRAIN; }\n' "$i" >"sub/t$i.c"
	printf '#include <string>\n#include <vector>\n#include "train.h"\nint g%d(const std::string &s) { std::vector<int> v(s.size()); return (int)v.size() + TRAIN; }\n' "$i" >"sub/t$i.cpp"
done
touch -d '10 minutes ago' sub/* inc/*
for round in 1 2 3 4 5 6; do
	for i in 1 2 3 4; do
		gcc -O2 -Iinc -c "sub/t$i.c" -o "sub/t$i.o" || skip "gcc through the client failed"
		(cd sub && gcc -O2 -I../inc -c "t$i.c" -o "u$i.o") || skip "gcc through the client failed"
		[[ $round -gt 3 ]] || g++ -O2 -Iinc -c "sub/t$i.cpp" -o "sub/t$i-cpp.o" || skip "g++ through the client failed"
	done
done
# A second cache directory: its first calls are remote hits (from Redis when it runs, the first
# storage listed), back-filled into its new store.
for i in 1 2 3 4; do
	CCACHE_DIR=$WORK/ccache-second gcc -O2 -Iinc -c "sub/t$i.c" -o "sub/r$i.o" || skip "gcc through the client failed"
done
"$DIST/bin/cache" -s >/dev/null

# Until the warm-up's summary line (at most ~60 s into the budget).
while ! grep -q 'JIT warm-up:' "$log" 2>/dev/null; do
	if (( SECONDS - started > BUDGET_S - 30 )); then
		note "the warm-up did not finish in time; writing the cache anyway"
		break
	fi
	sleep 0.5
done
"$DIST/bin/cache" -s >/dev/null
# The JVM writes the cache on its way out; --stop-daemon waits (up to 30 s) for the exit.
"$DIST/bin/cache" --stop-daemon >/dev/null || skip "--stop-daemon failed"
[[ -s $WORK/cache.aot ]] || { cat -- "$log" >&2; skip "the training run wrote no cache"; }

# Only a cache this java accepts as the client starts it: moved into place, then a daemon
# started through the client with -XX:AOTMode=on, which makes the JVM fail at once when it
# cannot use the cache (the default, auto, would only log that and go on without it).
mv -f -- "$WORK/cache.aot" "$AOT" && printf '%s\n%s\n' "$JAVA" "$VERSION" >"$RECORD" ||
	skip "cannot write $AOT"
: >"$log"
if ! CACHE_JAVA_OPTS="-XX:AOTMode=on -Djava.io.tmpdir=$WORK/tmp" CACHE_WARMUP=0 "$DIST/bin/cache" --start-daemon ||
	! "$DIST/bin/cache" -s >/dev/null; then
	cat -- "$log" >&2
	rm -f -- "$AOT" "$RECORD"
	skip "$JAVA does not accept the cache it wrote"
fi
"$DIST/bin/cache" --stop-daemon >/dev/null
note "$AOT: $(($(stat -c %s "$AOT") / 1048576)) MiB, for $JAVA, in $((SECONDS - started)) s"
