package cache.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import cache.hashing.Digest;
import cache.node.client.NodeClient;
import cache.node.protocol.NodeProtocol.CompilerSpec;
import cache.node.protocol.NodeProtocol.ErrorCode;
import cache.store.CacheEntry;
import cache.store.OutputKind;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real node on loopback fed 100,000 frames that are mostly valid with one field changed
 * ({@link FuzzClient}): lengths, counts, types, compiler identity, language, arguments, input
 * length, zstd input. The whitelist holds a fake compiler (a small C program built here) that
 * records every argv it is run with, so frames get past the handshake, the decoder, the
 * compiler check, the argument policy and the input check into lookups, runs and stores.
 *
 * <p>What must hold: every frame is answered exactly as its change requires (a refusal with
 * its code, closing the connection only for a bad frame); every refusal the fuzzer aims at is
 * reached, and the node's counters agree with the answers seen; the compiler ran once per new
 * result and never with an argument the policy refuses, nor with an output or input but the
 * node's; the node fails nowhere ({@code refused_internal}, {@code refused_other}), leaks no
 * connection, and a client connected throughout still gets a real gcc compile.
 *
 * <p>Seeded: {@code -Dfuzz.seed=N} replays a run (the seed is printed and in every message);
 * each client's frames and their required answers depend on its seed alone.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class FrameFuzzIT {

    static final String FAKE = "fuzzcc";
    /** Whitelisted, but on no path: COMPILER_MISSING. */
    static final String MISSING = "ghostcc";
    private static final String VERSION = "9.9.9-fuzz";
    private static final String TARGET = "fuzz-linux-gnu";
    private static final int CLIENTS = 4;
    private static final int FRAMES = 100_000;
    /** The node logs each of the ~50,000 refusals at INFO; the counters tell the story here. */
    private static final Logger NODE_LOG = Logger.getLogger("cache.node");

    /** Every refusal the fuzzer aims at; each must be reached. */
    private static final List<ErrorCode> AIMED = List.of(ErrorCode.BAD_FRAME, ErrorCode.BAD_VERSION,
            ErrorCode.TOO_LARGE, ErrorCode.COMPILER_NOT_ALLOWED, ErrorCode.COMPILER_MISMATCH,
            ErrorCode.COMPILER_MISSING, ErrorCode.FORBIDDEN_ARGUMENT, ErrorCode.BAD_LANGUAGE, ErrorCode.BAD_INPUT);

    @TempDir
    Path dir;

    @Test
    void oneFieldChangesGetTheirRefusalAndNeverRunAForbiddenArgv() throws Exception {
        long seed = Long.getLong("fuzz.seed", 20261122L);
        String tag = "fuzz seed " + seed + " (-Dfuzz.seed=" + seed + ")";
        System.out.println(tag);
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path argvLog = dir.resolve("argv.log");
        buildFakeCompiler(bin.resolve(FAKE), argvLog);
        List<Path> path = new ArrayList<>(List.of(bin));
        path.addAll(NodeConfig.defaultSearchPath());
        NodeConfig config = NodeFixture.config(dir, NodeFixture.whitelist(dir, "gcc", FAKE, MISSING), 2)
                .searchPath(path).maxFrame(64 << 10).maxInput(1 << 20).maxArgs(64)
                .idleTimeout(Duration.ofMinutes(10));
        CompilerSpec fuzzcc = new CompilerSpec(FAKE, VERSION, TARGET);
        Level level = NODE_LOG.getLevel();
        NODE_LOG.setLevel(Level.WARNING);
        long start = System.nanoTime();
        try (CachedNode node = CachedNode.start(config); NodeClient bystander = NodeFixture.connect(node)) {
            List<FuzzClient> clients = fuzz(node, seed, tag, fuzzcc, config);
            long millis = (System.nanoTime() - start) / 1_000_000;

            int frames = 0;
            int served = 0;
            int connections = 0;
            int compilesRun = 0;
            Map<String, Integer> kinds = new TreeMap<>();
            Map<ErrorCode, Integer> refusals = new EnumMap<>(ErrorCode.class);
            for (FuzzClient c : clients) {
                frames += c.frames;
                served += c.served;
                connections += c.connections;
                compilesRun += c.compilesRun;
                c.kinds.forEach((k, n) -> kinds.merge(k, n, Integer::sum));
                c.refusals.forEach((k, n) -> refusals.merge(k, n, Integer::sum));
            }
            System.out.printf("%s: %d frames in %d ms on %d connections, %d served past the handshake and"
                    + " decoder, %d compiles run%n  frames by change: %s%n  refusals: %s%n", tag, frames, millis,
                    connections, served, compilesRun, kinds, refusals);
            assertTrue(frames >= FRAMES, tag + ": " + frames + " frames");

            Map<String, Long> s = bystander.stats().get();
            while (s.get("connections_open") != 1) {
                s = bystander.stats().get(); // the node may not yet have seen the last closes
            }
            System.out.println("  node: " + s);
            for (ErrorCode code : AIMED) {
                assertTrue(refusals.getOrDefault(code, 0) > 0, tag + ": never reached " + code + ": " + refusals);
            }
            long total = 0;
            for (ErrorCode code : ErrorCode.values()) {
                long seen = refusals.getOrDefault(code, 0);
                total += seen;
                assertEquals(seen, s.getOrDefault("refused_" + code.label(), 0L),
                        tag + ": the node's count of " + code + " differs from the answers seen");
            }
            assertEquals(total, s.get("refused_total"), tag + ": refusals not in an answer (other, idle …): " + s);
            assertEquals(connections + 1L, s.get("connections_accepted"), tag);

            List<List<String>> runs = readArgvLog(argvLog);
            assertEquals(compilesRun, runs.size(), tag + ": one compiler run per new result");
            assertEquals(compilesRun, s.get("compiles_ok"), tag);
            assertTrue(compilesRun > 0, tag);
            for (List<String> argv : runs) {
                checkArgv(argv, tag);
            }

            // The bystander, connected throughout, is served a real compile.
            CompilerSpec gcc = NodeFixture.spec("gcc");
            byte[] input = NodeFixture.preprocess(dir, "gcc", NodeFixture.SMALL_C);
            Digest key = NodeFixture.key("after the fuzz");
            CacheEntry e = NodeClient.decode(bystander.compile(key, gcc, "cpp-output", List.of("-O2"), input).get()
                    .entry());
            assertEquals(0, e.exitCode(), tag + ": " + new String(e.stderr(), StandardCharsets.UTF_8));
            assertArrayEquals(NodeFixture.compileLocally(dir, "gcc", List.of("-O2"), input),
                    e.outputs().get(OutputKind.OBJECT), tag + ": the node's object equals a local compile");
            assertTrue(bystander.probe(key, gcc).get().hit(), tag);
        } finally {
            NODE_LOG.setLevel(level);
        }
    }

    /** Runs the clients in parallel, {@code FRAMES / CLIENTS} frames each; the first failure fails the test. */
    private static List<FuzzClient> fuzz(CachedNode node, long seed, String tag, CompilerSpec fuzzcc,
            NodeConfig config) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<FuzzClient>> runs = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                long clientSeed = seed + i * 0x9e3779b97f4a7c15L;
                String where = tag + " client " + i;
                runs.add(pool.submit(() -> new FuzzClient(node.address(), where, clientSeed, fuzzcc, config)
                        .run(FRAMES / CLIENTS)));
            }
            List<FuzzClient> done = new ArrayList<>();
            for (Future<FuzzClient> r : runs) {
                try {
                    done.add(r.get());
                } catch (java.util.concurrent.ExecutionException e) {
                    pool.shutdownNow();
                    if (e.getCause() instanceof AssertionError a) {
                        throw a;
                    }
                    throw e;
                }
            }
            return done;
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * What the node may run, checked independently of its policy (a subset of what it refuses):
     * the node's own -x, input and -o output last; before them only options that neither name
     * a path nor belong to the forbidden set the fuzzer sends, except an option's separate value.
     */
    private static void checkArgv(List<String> argv, String tag) {
        String where = tag + ": the compiler ran with " + argv;
        int n = argv.size();
        assertTrue(n >= 6 && argv.get(0).endsWith("/" + FAKE), where);
        assertEquals("-x", argv.get(n - 5), where);
        assertTrue(FuzzClient.LANGUAGES.contains(argv.get(n - 4)), where);
        List<String> options = argv.subList(1, n - 5);
        String output = argv.get(n - 1);
        if (output.equals("output")) {
            assertTrue(argv.get(n - 3).matches("input\\.[a-z]+"), where);
            assertEquals("-o", argv.get(n - 2), where);
        } else {
            // COMPILE_SOURCE: the object in the private directory, the source inside it, the node's maps last.
            String dir = output.substring(0, output.length() - "/output".length());
            assertTrue(output.startsWith("/") && output.endsWith("/output") && !output.contains(".."), where);
            String input = argv.get(n - 3);
            assertFalse(input.startsWith("-") || input.contains("..") || input.isEmpty(), where);
            assertTrue(!input.startsWith("/") || input.startsWith(dir + "/root/"), where + ": input outside " + dir);
            int maps = input.startsWith("/") ? 3 : 1;
            for (String m : options.subList(options.size() - maps, options.size())) {
                assertTrue(m.startsWith("-fdebug-prefix-map=" + dir + "/") || m.startsWith("-fmacro-prefix-map=" + dir
                        + "/"), where + ": " + m);
            }
            options = options.subList(0, options.size() - maps);
        }
        assertTrue(options.contains("-c") || options.contains("-S"), where);
        List<String> separateValue = List.of("-D", "-U", "-I", "-isystem", "-iquote", "-idirafter", "--param",
                "-target");
        List<String> forbiddenPrefixes = List.of("@", "-o", "-x", "-E", "-M", "-B", "-fplugin", "-specs", "-wrapper",
                "-include", "-imacros", "-save-temps", "--sysroot", "-X", "-Wl,", "-Wp,", "-l", "-L", "-fprofile-use",
                "-fdump-", "-fuse-ld");
        List<String> pathAllowed = List.of("-D", "-U", "-I", "-fdebug-prefix-map=", "-fmacro-prefix-map=");
        for (int i = 0; i < options.size(); i++) {
            String a = options.get(i);
            assertFalse(a.contains("\n"), where);
            if (i > 0 && separateValue.contains(options.get(i - 1))) {
                continue;
            }
            assertTrue(a.startsWith("-") && !a.equals("-"), where + ": an input of the client's: " + a);
            for (String p : forbiddenPrefixes) {
                assertFalse(a.startsWith(p), where + ": a forbidden option: " + a);
            }
            if (a.contains("/")) {
                assertTrue(pathAllowed.stream().anyMatch(a::startsWith), where + ": names a path: " + a);
            }
        }
    }

    /** The fake compiler's log: per run, u32 argc, then argc × (u32 length, bytes). */
    private static List<List<String>> readArgvLog(Path log) throws Exception {
        List<List<String>> runs = new ArrayList<>();
        if (!Files.exists(log)) {
            return runs;
        }
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(log));
        while (b.hasRemaining()) {
            int argc = b.getInt();
            List<String> argv = new ArrayList<>();
            for (int i = 0; i < argc; i++) {
                byte[] arg = new byte[b.getInt()];
                b.get(arg);
                argv.add(new String(arg, StandardCharsets.UTF_8));
            }
            runs.add(argv);
        }
        return runs;
    }

    /**
     * A compiler that answers the identity probes with {@link #VERSION} and {@link #TARGET},
     * appends its argv to {@code log} in one write (jobs run concurrently) and writes
     * {@link FuzzClient#FAKE_OBJECT} to its {@code -o} file.
     */
    private void buildFakeCompiler(Path binary, Path log) throws Exception {
        if (log.toString().contains("\"") || log.toString().contains("\\")) {
            fail("unexpected characters in " + log);
        }
        String source = """
                #include <fcntl.h>
                #include <stdint.h>
                #include <stdlib.h>
                #include <string.h>
                #include <unistd.h>

                static void put32(unsigned char *p, uint32_t v) {
                    p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
                }

                int main(int argc, char **argv) {
                    if (argc == 2 && (!strcmp(argv[1], "-dumpfullversion") || !strcmp(argv[1], "-dumpversion")))
                        return write(1, "%1$s\\n", %2$d) != %2$d;
                    if (argc == 2 && !strcmp(argv[1], "-dumpmachine"))
                        return write(1, "%3$s\\n", %4$d) != %4$d;
                    size_t n = 4;
                    for (int i = 0; i < argc; i++) n += 4 + strlen(argv[i]);
                    unsigned char *rec = malloc(n), *p = rec;
                    if (!rec) return 2;
                    put32(p, argc); p += 4;
                    for (int i = 0; i < argc; i++) {
                        size_t l = strlen(argv[i]);
                        put32(p, l); memcpy(p + 4, argv[i], l); p += 4 + l;
                    }
                    int log = open("%5$s", O_WRONLY | O_APPEND | O_CREAT, 0600);
                    if (log < 0 || write(log, rec, n) != (ssize_t) n || close(log)) return 3;
                    const char *out = 0;
                    for (int i = 1; i + 1 < argc; i++) if (!strcmp(argv[i], "-o")) out = argv[i + 1];
                    if (!out) return 4;
                    int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
                    if (fd < 0 || write(fd, "fake object", 11) != 11 || close(fd)) return 5;
                    return 0;
                }
                """.formatted(VERSION, VERSION.length() + 1, TARGET, TARGET.length() + 1, log);
        Path c = dir.resolve(FAKE + ".c");
        Files.writeString(c, source);
        NodeFixture.run(List.of("gcc", "-O1", "-o", binary.toString(), c.toString()), dir);
    }
}
