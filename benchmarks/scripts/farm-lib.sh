# shellcheck shell=bash
# Sourced by farm.sh and distcc-matrix.sh: starting and stopping the loopback nodes they run
# (cached, distccd), and reading cached's counters. The sourcing script defines die() and
# CACHED_STATS (each cached node's ADDR:STATS_PORT).

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
