package cache.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.distcc.DistccLimits;
import cache.distcc.DistccReply;
import cache.distcc.DistccRequest;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real node on loopback fed {@value #FRAMES} seeded distcc requests on {@value #CLIENTS}
 * parallel connections: valid ones, ones with a forbidden argument or compiler, and random
 * byte mutations and truncations of valid ones. The whitelisted compiler is a script that
 * records its argv, so valid prefixes reach the argument checks, the cache and the compile.
 *
 * <p>What must hold: every answer to a request still starting {@code DIST} is distcc's reply
 * ({@code DONE}…) or nothing (the refusal; one whose first bytes were mutated is the native
 * protocol's to refuse);
 * the node never fails ({@code refused_internal} stays 0); the compiler never ran with an input
 * or output outside the node's job directory nor with an argument the policy refuses; every
 * connection is closed in the end; and a valid gcc job is still compiled correctly afterwards.
 * Seeded: {@code -Dfuzz.seed=N} replays a run.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class DistccFuzzIT {

    private static final int CLIENTS = 4;
    private static final int FRAMES = 100_000;
    private static final Logger NODE_LOG = Logger.getLogger("cache.node");

    @TempDir
    Path dir;

    @Test
    void mutatedDistccRequestsAreAnsweredOrRefusedAndNeverEscapeTheJobDirectory() throws Exception {
        long seed = Long.getLong("fuzz.seed", 20261205L);
        String tag = "distcc fuzz seed " + seed + " (-Dfuzz.seed=" + seed + ")";
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path argvLog = dir.resolve("argv.log");
        Path fake = bin.resolve("fuzzcc");
        Files.writeString(fake, "#!/bin/sh\n"
                + "case \"$1\" in -dumpfullversion|-dumpversion) echo 9.9.9; exit 0;; -dumpmachine) echo fuzz-linux;"
                + " exit 0;; esac\n"
                + "printf '%s\\037' \"$@\" >> '" + argvLog + "'; printf '\\036' >> '" + argvLog + "'\n"
                + "out=; prev=; for a; do [ \"$prev\" = -o ] && out=$a; prev=$a; done\n"
                + "[ -n \"$out\" ] && printf 'fake object' > \"$out\"\n");
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path gcc = Path.of("/usr/bin/gcc");
        List<Path> search = new ArrayList<>(List.of(bin));
        search.add(gcc.getParent());
        NodeConfig config = NodeFixture.config(dir, NodeFixture.whitelist(dir, "fuzzcc", "gcc"), 2)
                .searchPath(search);
        Level before = NODE_LOG.getLevel();
        NODE_LOG.setLevel(Level.WARNING);
        try (CachedNode node = CachedNode.start(config)) {
            int port = node.address().getPort();
            AtomicLong replies = new AtomicLong();
            AtomicLong silent = new AtomicLong();
            AtomicLong nativeFrames = new AtomicLong();
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            try {
                List<Future<?>> runs = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    Random random = new Random(seed + c);
                    runs.add(pool.submit(() -> {
                        for (int i = 0; i < FRAMES / CLIENTS; i++) {
                            byte[] frame = frame(random);
                            byte[] answer = exchange(port, frame);
                            boolean distcc = frame.length >= 4 && frame[0] == 'D' && frame[1] == 'I'
                                    && frame[2] == 'S' && frame[3] == 'T';
                            if (!distcc) {
                                nativeFrames.incrementAndGet(); // the native protocol's refusal, tested elsewhere
                            } else if (answer.length == 0) {
                                silent.incrementAndGet();
                            } else {
                                String head = new String(answer, 0, Math.min(4, answer.length), StandardCharsets.ISO_8859_1);
                                assertEquals("DONE", head, tag + ": an answer is distcc's reply");
                                replies.incrementAndGet();
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : runs) {
                    f.get(7, TimeUnit.MINUTES);
                }
            } finally {
                pool.shutdownNow();
            }
            Map<String, Long> s = node.stats().snapshot();
            String story = tag + ": replies " + replies + ", refused without a reply " + silent
                    + ", no longer DIST (native path) " + nativeFrames + "; " + s;
            System.out.println(story);
            assertTrue(replies.get() > 0 && silent.get() > 0, "both answers happen: " + story);
            assertEquals(0L, s.getOrDefault("refused_internal", 0L), "the node never fails: " + story);
            assertTrue(s.getOrDefault("node_hits", 0L) > 0, "repeated jobs reach the node cache: " + story);
            checkArgv(Files.exists(argvLog) ? Files.readString(argvLog, StandardCharsets.ISO_8859_1) : "",
                    config.tmpDir().toRealPath(), story);

            // Still serving: a real gcc job through the same port gives gcc's object.
            byte[] input = NodeFixture.preprocess(dir, "gcc", NodeFixture.SMALL_C);
            byte[] answer = exchange(port, new DistccRequest(2, List.of("gcc", "-O2", "-c", "hello.c", "-o",
                    "hello.o"), input).toBytes());
            DistccReply r = DistccReply.readFrom(new ByteArrayInputStream(answer), 2, DistccLimits.DEFAULT);
            assertEquals(0, r.status(), new String(r.stderr(), StandardCharsets.UTF_8));
            assertArrayEquals(NodeFixture.compileLocally(dir, "gcc", List.of("-O2"), input), r.object(), story);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (node.stats().snapshot().get("connections_open") > 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(0L, node.stats().snapshot().get("connections_open"), "no connection leaks: " + story);
        } finally {
            NODE_LOG.setLevel(before);
        }
    }

    /** Every run of the fake compiler: input and output inside the node's job directory, no forbidden argument. */
    private static void checkArgv(String log, Path tmp, String story) {
        int runs = 0;
        for (String run : log.split("\u001e")) {
            if (run.isEmpty()) {
                continue;
            }
            runs++;
            List<String> argv = List.of(run.split("\u001f"));
            for (int i = 0; i < argv.size(); i++) {
                String a = argv.get(i);
                if (a.equals("-o")) {
                    assertTrue(i + 1 < argv.size() && inJobDir(argv.get(i + 1), tmp),
                            "output inside the job directory: " + argv + " " + story);
                }
                if (a.endsWith(".i") || a.endsWith(".ii")) {
                    assertTrue(inJobDir(a, tmp), "input inside the job directory: " + argv + " " + story);
                }
                assertTrue(!a.startsWith("-fplugin") && !a.startsWith("-specs") && !a.startsWith("-B")
                        && !a.equals("-E"), "no forbidden argument ran: " + argv + " " + story);
            }
        }
        assertTrue(runs > 0, "the compiler ran for the valid jobs: " + story);
    }

    /** A name in the job's working directory (the node's private directory) or a path under the node's tmp. */
    private static boolean inJobDir(String path, Path tmp) {
        return path.startsWith("/") ? Path.of(path).normalize().startsWith(tmp)
                : !path.contains("/") && !path.startsWith("-");
    }

    private static final List<List<String>> FORBIDDEN = List.of(
            List.of("fuzzcc", "-c", "x.c", "-fplugin=/tmp/evil.so", "-o", "x.o"),
            List.of("fuzzcc", "-c", "x.c", "-specs=/tmp/evil.specs", "-o", "x.o"),
            List.of("fuzzcc", "-c", "x.c", "-B/tmp/evil", "-o", "x.o"),
            List.of("fuzzcc", "-E", "x.c", "-o", "x.o"),
            List.of("/bin/sh", "-c", "x.c", "-o", "x.o"),
            List.of("../bin/fuzzcc", "-c", "x.c", "-o", "x.o"),
            List.of("sh", "-c", "x.c", "-o", "x.o"),
            List.of("fuzzcc", "-c", "x.c", "-o", "/etc/evil.o"),
            List.of("fuzzcc", "-c", "x.c", "/tmp/y.c", "-o", "x.o"));

    /** One request: valid (a few bodies, so some repeat), forbidden, or a mutated valid one. */
    private static byte[] frame(Random r) {
        int version = 1 + r.nextInt(2);
        byte[] body = ("int f" + r.nextInt(8) + "(void) { return " + r.nextInt(4) + "; }\n")
                .getBytes(StandardCharsets.US_ASCII);
        List<String> argv = List.of("fuzzcc", "-O" + r.nextInt(3), "-c", r.nextBoolean() ? "x.c" : "y.cc", "-o", "x.o");
        int kind = r.nextInt(10);
        if (kind < 3) {
            return new DistccRequest(version, argv, body).toBytes();
        }
        if (kind < 5) {
            return new DistccRequest(version, FORBIDDEN.get(r.nextInt(FORBIDDEN.size())), body).toBytes();
        }
        byte[] m = new DistccRequest(version, argv, body).toBytes();
        int flips = 1 + r.nextInt(3);
        for (int f = 0; f < flips; f++) {
            m[r.nextInt(m.length)] = (byte) r.nextInt(256);
        }
        return r.nextInt(4) == 0 ? Arrays.copyOf(m, r.nextInt(m.length)) : m;
    }

    /**
     * Sends one request and reads whatever comes back. An incomplete or malformed one is
     * followed by a half-close, so it ends; a complete one is not (a distcc client keeps its side open until
     * the reply, and a node, like distccd, drops a job whose client went away).
     */
    private static byte[] exchange(int port, byte[] frame) throws Exception {
        boolean incomplete;
        try {
            incomplete = DistccRequest.completeLength(io.netty.buffer.Unpooled.wrappedBuffer(frame),
                    DistccLimits.DEFAULT) < 0;
        } catch (cache.distcc.DistccProtocolException e) {
            incomplete = true; // refused anyway; and a frame no longer starting DIST waits for more
        }
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(60_000);
            s.getOutputStream().write(frame);
            s.getOutputStream().flush();
            if (incomplete) {
                s.shutdownOutput();
            }
            InputStream in = s.getInputStream();
            try {
                return in.readAllBytes();
            } catch (SocketException reset) {
                return new byte[0];
            }
        }
    }
}
