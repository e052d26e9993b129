# shellcheck shell=bash
# Sourced by farm.sh and distcc-matrix.sh: starting and stopping the loopback nodes they run
# (cached, distccd), reading the nodes' counters, a build's runtime directories, checking its
# objects, timing. The sourcing script defines die(), TMP, DATA, CACHE_BIN, CACHED_STATS and
# DISTCCD_STATS (each cached / distccd node's ADDR:STATS_PORT), CACHE_RUNS (the runtime
# directories of the cache daemons it started) and sets round in a round; check is bench-lib.sh's.

stop_pid() { # stop_pid PID: SIGTERM, up to 20 s, then SIGKILL.
	local pid=$1 i
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 200; i++)); do
		kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

free_port() { # free_port ADDR: a TCP port free on ADDR right now.
	python3 -c 'import socket, sys
s = socket.socket(); s.bind((sys.argv[1], 0)); print(s.getsockname()[1])' "$1"
}

wait_port() { # wait_port ADDR PORT PID LOG: until ADDR:PORT accepts (60 s).
	local i
	for ((i = 0; i < 600; i++)); do
		kill -0 "$3" 2>/dev/null || { cat -- "$4" >&2; die "node on $1 exited"; }
		if (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; then return 0; fi
		sleep 0.1
	done
	cat -- "$4" >&2
	die "node on $1:$2 did not listen"
}

# cached_sum NAME...: a counter summed over the cached nodes (several names: one line
# each), read from each node's stats port (/json).
cached_sum() {
	local name s total v
	for name in "$@"; do
		total=0
		for s in "${CACHED_STATS[@]}"; do
			v=$(curl -s --max-time 10 "http://$s/json" | jq -r --arg n "$name" '.[$n] // 0') || true
			total=$((total + ${v:-0}))
		done
		printf '%s\n' "$total"
	done
}

# --- counters and clocks ----------------------------------------------------------------

distccd_compiles() { # dcc_compile_ok summed over the distccd nodes
	local s total=0 v
	for s in "${DISTCCD_STATS[@]}"; do
		v=$(curl -s --max-time 10 "http://$s/" 2>/dev/null | awk '$1 == "dcc_compile_ok" { print $2 }') || true
		total=$((total + ${v:-0}))
	done
	printf '%s\n' "$total"
}

stat_of() { awk -F '\t' -v n="$2" '$1 == n { v = $2 } END { print v + 0 }' "$1"; }

now_us() { printf '%s' "${EPOCHREALTIME/./}"; }
secs_since() { awk -v a="$1" -v b="$(now_us)" 'BEGIN { printf "%.2f", (b - a) / 1e6 }'; }

# --- builds -----------------------------------------------------------------------------

fresh() { # fresh NAME: new empty cache dir, runtime dir and DISTCC_DIR
	# shellcheck disable=SC2154 # round: set by the sourcing script
	RUN_DIR=$TMP/round-$round/$1
	mkdir -p -- "$RUN_DIR/cache-dir" "$RUN_DIR/distcc"
	mkdir -m 700 -- "$RUN_DIR/run"
}

stop_daemons() { # every cache daemon this script started (one per runtime dir)
	local run
	for run in "${CACHE_RUNS[@]}"; do
		[[ -d $run ]] || continue
		env XDG_RUNTIME_DIR="$run" CCACHE_DIR="${run%/run}/cache-dir" "$CACHE_BIN" --stop-daemon >/dev/null 2>&1 || true
	done
	CACHE_RUNS=()
}

# same_objects KEY DIR EXPECTED: every object in DIR (sha256, sorted) equals EXPECTED's list.
same_objects() {
	local bad
	(cd -- "$2" && find . -name '*.o' -print0 | sort -z | xargs -0 -r sha256sum) >"$DATA/got.sha256"
	bad=$(diff -- "$3" "$DATA/got.sha256" | grep -c '^[<>]' || true)
	if [[ $bad -eq 0 ]]; then
		check "$1" 1 "$(wc -l <"$3") objects = plain gcc's"
	else
		check "$1" 0 "$bad object lines missing or differing from plain gcc's"
	fi
}
