package cache.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.hashing.Digest;
import cache.node.protocol.NodeProtocol;
import cache.node.protocol.NodeProtocol.CompilerSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of random and mutated frames against a real node, seeded and reproducible
 * ({@code -Dfuzz.seed=N} replays a run; the seed is in every failure message). The node must
 * close each bad connection with a counted reason, never fail otherwise, leak no connection,
 * and still serve a real compile afterwards.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FrameFuzzIT {

    private static final int CONNECTIONS = 600;
    private static final int MAX_FRAMES_PER_CONNECTION = 16;

    @TempDir
    Path dir;

    @Test
    void randomAndMutatedFramesNeverHurtTheNode() throws Exception {
        long seed = Long.getLong("fuzz.seed", 20261122L);
        Random rnd = new Random(seed);
        CompilerSpec nocc = new CompilerSpec("nocc", "1", "t");
        Digest key = NodeFixture.key("fuzz");
        List<byte[]> valid = List.of(
                RawConnection.frame(new NodeProtocol.Probe(2, key, nocc)),
                RawConnection.frame(new NodeProtocol.Stats(3)),
                RawConnection.frame(new NodeProtocol.Compile(4, key, nocc, "c", List.of("-O2", "-g"), 3,
                        com.github.luben.zstd.Zstd.compress(new byte[] {'a', 'b', 'c'}))),
                RawConnection.frame(new NodeProtocol.Auth(5, new byte[32])),
                RawConnection.frame(new NodeProtocol.Hello(6, 1, 1, "again")),
                RawConnection.frame(new NodeProtocol.Hit(7, new byte[20])),
                RawConnection.frame(new NodeProtocol.Error(8, NodeProtocol.ErrorCode.BUSY, "x")));
        byte[] hello = RawConnection.frame(new NodeProtocol.Hello(1, 1, 1, "fuzz"));
        NodeConfig config = NodeFixture.config(dir, NodeFixture.whitelist(dir, "gcc"), 2)
                .maxFrame(64 << 10).idleTimeout(Duration.ofSeconds(5));
        int frames = 0;
        try (CachedNode node = CachedNode.start(config)) {
            for (int c = 0; c < CONNECTIONS; c++) {
                try (RawConnection conn = new RawConnection(node.address())) {
                    if (rnd.nextInt(10) < 8) {
                        conn.write(hello);
                    }
                    int n = 1 + rnd.nextInt(MAX_FRAMES_PER_CONNECTION);
                    for (int f = 0; f < n; f++, frames++) {
                        byte[] frame = rnd.nextInt(10) < 2 ? random(rnd)
                                : mutate(rnd, valid.get(rnd.nextInt(valid.size())));
                        if (!conn.write(frame)) {
                            break;
                        }
                    }
                    conn.socket.shutdownOutput();
                    conn.drainToEnd();
                }
            }
            Map<String, Long> s;
            try (NodeClient client = NodeFixture.connect(node)) {
                s = client.stats().get();
                while (s.get("connections_open") != 1) {
                    Thread.sleep(20);
                    s = client.stats().get();
                }
                CompilerSpec gcc = NodeFixture.spec("gcc");
                byte[] input = NodeFixture.preprocess(dir, "gcc", NodeFixture.SMALL_C);
                assertEquals(0, NodeClient.decode(client.compile(key, gcc, "cpp-output", List.of(), input).get()
                        .entry()).exitCode(), "seed " + seed);
            }
            assertTrue(frames >= 4000, frames + " frames");
            assertTrue(s.get("refused_bad_frame") > 0, "seed " + seed + ": " + s);
            assertEquals(0L, s.getOrDefault("refused_other", 0L), "seed " + seed + ": unexpected failures " + s);
            assertEquals(0L, s.getOrDefault("refused_internal", 0L), "seed " + seed + ": " + s);
            assertEquals(CONNECTIONS + 1L, s.get("connections_accepted"), "seed " + seed);
        }
    }

    private static byte[] random(Random rnd) {
        byte[] b = new byte[rnd.nextInt(64)];
        rnd.nextBytes(b);
        return b;
    }

    /** One of: flipped bits, a truncation, a changed length, type or id, inserted or appended bytes. */
    private static byte[] mutate(Random rnd, byte[] frame) {
        byte[] b = frame.clone();
        switch (rnd.nextInt(8)) {
            case 0 -> {
                for (int i = 0, n = 1 + rnd.nextInt(4); i < n; i++) {
                    b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
                }
            }
            case 1 -> b = Arrays.copyOf(b, rnd.nextInt(b.length));
            case 2 -> {
                int len = rnd.nextBoolean() ? rnd.nextInt() : b.length - 4 + rnd.nextInt(9) - 4;
                b[0] = (byte) (len >>> 24);
                b[1] = (byte) (len >>> 16);
                b[2] = (byte) (len >>> 8);
                b[3] = (byte) len;
            }
            case 3 -> b[4] = (byte) rnd.nextInt(256);
            case 4 -> {
                byte[] extra = new byte[1 + rnd.nextInt(8)];
                rnd.nextBytes(extra);
                int at = rnd.nextInt(b.length);
                byte[] out = new byte[b.length + extra.length];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(extra, 0, out, at, extra.length);
                System.arraycopy(b, at, out, at + extra.length, b.length - at);
                b = out;
            }
            case 5 -> {
                // a field length inside the body (first byte after type and id)
                if (b.length > 10) {
                    b[9 + rnd.nextInt(Math.min(8, b.length - 9))] = (byte) rnd.nextInt(256);
                }
            }
            case 6 -> b = Arrays.copyOf(b, b.length + 1 + rnd.nextInt(4));
            default -> {
                // the valid frame as it is: interleaves real requests with the garbage
            }
        }
        return b;
    }
}
