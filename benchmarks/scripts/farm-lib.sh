# shellcheck shell=bash
# Sourced by farm.sh and distcc-matrix.sh: starting and stopping the loopback nodes they run
# (cached, distccd). The sourcing script defines die().

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
