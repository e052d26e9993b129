#!/usr/bin/env bash
# farm-probe.sh [--probes N] [--gaps MS[,MS...]]
#
# A node hit's round trip on loopback, the node protocol's transports and the two probe paths
# side by side in one run (issue 19, sessions 16 and 17). Run by hand, not a test.
#
# Two dist/bin/cached nodes of the tree under test (CACHED_BIN's dist), no whitelist, gcc on
# /usr/bin: one on Netty's epoll transport (127.0.0.5, the default on Linux), one on the JDK's
# NIO (127.0.0.6, CACHED_JAVA_OPTS=-Dcache.tcpTransport=nio). A small Java program (below, run
# with dist/lib on its class path) connects a NodeClient of the same transport to each, has
# each node compile one small C file, then probes that key N times per gap, alternating the two
# nodes probe by probe (which goes first rotates too), one probe at a time, sleeping GAP ms
# between pairs: 2 ms keeps the threads warm, 25 ms is (ii)'s pace in farm.sh (one file per ~25
# ms), where every thread of the path has gone idle. Each probe is timed from the call to the
# entry decoded and verified here (what the farm does before answering a job): encode, the
# caller's hand-off to the client's event loop, loopback, the node (compiler metadata, node key,
# store read, checksum, answer), the client's read and decode, the caller woken. The first
# quarter of each series is dropped (JIT). Medians, p10 and p90 per transport and gap.
# A third series ("caller", session 17) probes the epoll node on a ProbeChannel: the probe written
# and its answer read by the calling thread itself (ProbeRound's selector), the farm's path when
# its probe channels are idle; the other two are the event-loop path (NodeClient).
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=farm-lib.sh
source "$SCRIPT_DIR/farm-lib.sh" # free_port
REPO=$(cd -- "$SCRIPT_DIR/../.." && pwd -P)
CACHED_BIN=${CACHED_BIN:-$REPO/dist/bin/cached}
DIST=$(cd -- "$(dirname -- "$CACHED_BIN")/.." && pwd -P)
PROBES=3000
GAPS=2,25
while [[ $# -gt 0 ]]; do
	case $1 in
	--probes) PROBES=$2; shift 2 ;;
	--gaps) GAPS=$2; shift 2 ;;
	*) printf 'usage: %s [--probes N] [--gaps MS[,MS...]]\n' "${0##*/}" >&2; exit 2 ;;
	esac
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/farm-probe.XXXXXX")
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	[[ -n ${KEEP_TMP:-} ]] || rm -rf -- "$TMP"
}
trap cleanup EXIT

start_node() { # start_node ADDR PORT NAME [JAVA_OPTS]
	mkdir -p "$TMP/$3/jobs"
	CACHED_JAVA_OPTS="${4:-}" "$CACHED_BIN" --listen "$1" --port "$2" --jobs 1 --compiler-path /usr/bin:/bin \
		--cache-dir "$TMP/$3/store" --tmp-dir "$TMP/$3/jobs" >"$TMP/$3/log" 2>&1 &
	PIDS+=("$!")
}

cat >"$TMP/ProbeRoundTrip.java" <<'EOF'
import cache.hashing.Digest;
import cache.node.client.NodeClient;
import cache.node.client.ProbeChannel;
import cache.node.client.ProbeRound;
import cache.node.protocol.NodeProtocol.CompilerSpec;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/** args: epollHost epollPort nioHost nioPort gccVersion gccTarget probes gapMs... */
public class ProbeRoundTrip {
    public static void main(String[] a) throws Exception {
        CompilerSpec spec = new CompilerSpec("gcc", a[4], a[5]);
        int n = Integer.parseInt(a[6]);
        byte[] input = "int f(int x) { return x + 1; }\n".getBytes(StandardCharsets.UTF_8);
        Digest key = Digest.of("farm-probe.sh".getBytes(StandardCharsets.UTF_8));
        EventLoopGroup eg = new EpollEventLoopGroup(1), ng = new NioEventLoopGroup(1);
        try (NodeClient e = NodeClient.connect(a[0], Integer.parseInt(a[1]), new NodeClient.Options().eventLoop(eg));
                NodeClient o = NodeClient.connect(a[2], Integer.parseInt(a[3]), new NodeClient.Options().eventLoop(ng))) {
            e.compile(key, spec, "cpp-output", List.of("-O2"), input).get();
            o.compile(key, spec, "cpp-output", List.of("-O2"), input).get();
            ProbeChannel pc = ProbeChannel.connect(new InetSocketAddress(a[0], Integer.parseInt(a[1])),
                    Duration.ofSeconds(5), "farm-probe.sh", null);
            for (int g = 7; g < a.length; g++) {
                int gap = Integer.parseInt(a[g]);
                long[][] t = new long[3][n];
                long sentE = e.bytesSent(), sentO = o.bytesSent(), sentC = pc.bytesSent();
                for (int i = 0; i < n; i++) {
                    for (int k = 0; k < 3; k++) {
                        int which = (k + i) % 3; // 0 epoll, 1 nio, 2 caller: each goes first in turn
                        long t0 = System.nanoTime();
                        byte[] entry;
                        if (which == 2) {
                            pc.sendProbe(key, spec, null, null);
                            try (ProbeRound round = new ProbeRound(List.of(pc))) {
                                entry = round.next(System.nanoTime() + 5_000_000_000L).entry();
                            }
                        } else {
                            entry = (which == 0 ? e : o).probe(key, spec).get().entry();
                        }
                        NodeClient.decode(entry);
                        t[which][i] = System.nanoTime() - t0;
                    }
                    Thread.sleep(gap);
                }
                report("epoll", gap, Arrays.copyOfRange(t[0], n / 4, n), (e.bytesSent() - sentE) / n);
                report("nio", gap, Arrays.copyOfRange(t[1], n / 4, n), (o.bytesSent() - sentO) / n);
                report("caller", gap, Arrays.copyOfRange(t[2], n / 4, n), (pc.bytesSent() - sentC) / n);
            }
            pc.close();
        } finally {
            eg.shutdownGracefully();
            ng.shutdownGracefully();
        }
    }

    static void report(String name, int gap, long[] t, long bytes) {
        Arrays.sort(t);
        System.out.printf("  %-6s gap %3d ms: n=%d median %.3f ms, p10 %.3f, p90 %.3f; %d bytes sent per probe%n", name,
                gap, t.length, t[t.length / 2] / 1e6, t[t.length / 10] / 1e6, t[t.length * 9 / 10] / 1e6, bytes);
    }
}
EOF

pe=$(free_port 127.0.0.5) pn=$(free_port 127.0.0.6)
start_node 127.0.0.5 "$pe" epoll
start_node 127.0.0.6 "$pn" nio -Dcache.tcpTransport=nio
for _ in $(seq 100); do
	grep -q 'listening' "$TMP/epoll/log" "$TMP/nio/log" 2>/dev/null &&
		[[ $(grep -l 'listening' "$TMP/epoll/log" "$TMP/nio/log" | wc -l) == 2 ]] && break
	sleep 0.2
done
sleep 5 # the nodes' probe warm-up (NodeWarmup)
echo "farm-probe: $CACHED_BIN; $(grep -ho 'listening on .*' "$TMP/epoll/log" "$TMP/nio/log" | tr '\n' ';')"
echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
# shellcheck disable=SC2046 # the gaps are words
java -cp "$DIST/lib/*" "$TMP/ProbeRoundTrip.java" 127.0.0.5 "$pe" 127.0.0.6 "$pn" "$(gcc -dumpfullversion)" \
	"$(gcc -dumpmachine)" "$PROBES" $(tr ',' ' ' <<<"$GAPS") 2> >(grep -v '^SLF4J' >&2)
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
