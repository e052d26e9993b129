package cache.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import cache.hashing.Digest;
import cache.node.client.NodeClient;
import cache.node.protocol.NodeProtocol;
import cache.node.protocol.NodeProtocol.CompilerSpec;
import cache.node.protocol.NodeProtocol.ErrorCode;
import cache.node.protocol.NodeProtocol.Message;
import cache.store.CacheEntry;
import cache.store.OutputKind;
import com.github.luben.zstd.Zstd;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * One connection's worth of {@link FrameFuzzIT}: sends a valid frame with one field changed,
 * waits for the answer and checks it against what that change must produce. Requests are
 * sent one at a time so every answer belongs to a known frame; a frame the node refuses by
 * closing is followed by a check that it did close, and a new connection.
 *
 * <p>Each client has its own seed and its own keys, so its frames and the answers they must
 * get do not depend on the other clients running beside it.
 */
final class FuzzClient {

    static final byte[] FAKE_OBJECT = "fake object".getBytes(StandardCharsets.US_ASCII);
    static final List<String> LANGUAGES = List.of("c", "c++", "cpp-output", "c++-cpp-output", "objective-c",
            "objective-c++", "objc-cpp-output", "objective-c-cpp-output", "objc++-cpp-output",
            "objective-c++-cpp-output");

    /** Arguments the node runs, as units (an option and its separate value stay together). */
    private static final List<List<String>> SAFE = List.of(List.of("-O2"), List.of("-O0"), List.of("-g"),
            List.of("-Wall"), List.of("-Wextra"), List.of("-fPIC"), List.of("-std=c11"), List.of("-DNDEBUG"),
            List.of("-DFOO=1"), List.of("-UBAR"), List.of("-fno-strict-aliasing"), List.of("-march=x86-64"),
            List.of("-pipe"), List.of("-w"), List.of("-ffunction-sections"), List.of("-fdebug-prefix-map=/src=/dbg"),
            List.of("-Wa,--noexecstack"), List.of("-D", "X=/a/b"), List.of("-isystem", "inc"), List.of("-I", "inc"),
            List.of("--param", "max-inline-insns-single=100"), List.of("-c"), List.of("-S"));

    /** Arguments the node must never run: each loads code, names a client's file or chooses an output. */
    static final List<List<String>> FORBIDDEN = List.of(List.of("-o", "/tmp/pwned.o"), List.of("-o/tmp/pwned.o"),
            List.of("-fplugin=/tmp/x.so"), List.of("-specs=/tmp/x"), List.of("-B/tmp"), List.of("-wrapper", "/bin/sh"),
            List.of("@/etc/passwd"), List.of("-include", "/etc/passwd"), List.of("/etc/passwd"), List.of("input.c"),
            List.of("-"), List.of("-MD"), List.of("-MF", "/tmp/x.d"), List.of("-save-temps=obj"),
            List.of("--sysroot=/"), List.of("-fprofile-use=/tmp/p"), List.of("-Xclang", "-load"), List.of("-x", "c"),
            List.of("-E"), List.of("-Wl,-rpath,/x"), List.of("-Wa,-adhln=/tmp/x"), List.of("-Wp,-MD,/tmp/x"),
            List.of("-I/etc"), List.of("-I", "../up"), List.of("-isystem", "/usr/include"), List.of("-L/lib"),
            List.of("-lm"), List.of("-fuse-ld=/tmp/ld"), List.of("-target", "x/y"), List.of("-fdump-tree-all"),
            List.of("-imacros", "/etc/passwd"), List.of("-DX\nY"), List.of("-O2/x"));

    /** Source paths a node places inside its private directory. */
    private static final List<String> GOOD_SOURCES = List.of("x.c", "sub/y.c", "./x.c", "a//b/./z.cc",
            "/home/u/src/x.c", "/x.c", "root/x.c", "w/x.c", "output", "sp ace.c", "\u00e9t\u00e9.c");
    /** Source paths and working directories a node refuses (FORBIDDEN_ARGUMENT). */
    private static final List<String> BAD_SOURCES = List.of("", "..", "../x.c", "a/../../x.c", "/a/../x.c", "sub/..",
            "-fplugin=/tmp/x.so", "-o", "sub/", "/", ".", "a/.", "x\0.c", "a".repeat(256), "d/".repeat(520) + "x.c");
    private static final List<String> BAD_CWDS = List.of("", "home/u", ".", "../u", "/a\0b", "/" + "c".repeat(1030));

    private static final List<String> NOT_WHITELISTED = List.of("sh", "/bin/sh", "/usr/bin/gcc", "../fuzzcc",
            "fuzzcc/../sh", "gcc -c", "cc", "fuzzcc2", "", "-fuzzcc", ".fuzzcc", "fuzzcc;id", "FUZZCC");
    private static final List<String> BAD_LANGUAGES = List.of("assembler", "assembler-with-cpp", "fortran", "go",
            "C", "c ", "", "c++\0", "cuda", "ada", "none", "-c", "../c");

    /** What a frame must get back. */
    private sealed interface Expect permits Answer, Refused, Anything {
    }

    /** This message type, with the frame's id. */
    private record Answer(int type) implements Expect {
    }

    /** ERROR with this code; {@code closes}: then the connection ends (id 0 when the frame did not decode). */
    private record Refused(ErrorCode code, boolean closes) implements Expect {
    }

    /** A change whose effect the test does not predict: any answer but a node failure. */
    private record Anything() implements Expect {
    }

    private record Shot(String kind, byte[] frame, Expect expect) {
    }

    final Map<String, Integer> kinds = new TreeMap<>();
    final Map<ErrorCode, Integer> refusals = new EnumMap<>(ErrorCode.class);
    /** RESULTs for a key not stored before: each ran the compiler once. */
    int compilesRun;
    int frames;
    int connections;
    /** Answers that came from NodeService (after the frame decoded and the handshake). */
    int served;

    private final InetSocketAddress node;
    private final String where;
    private final Random rnd;
    private final CompilerSpec fuzzcc;
    private final int maxArgs;
    private final int maxInput;
    private final int maxFrame;
    private final Set<Digest> stored = new HashSet<>();
    private final List<Digest> storedList = new ArrayList<>();
    private RawConnection conn;
    /** The version the current connection agreed on. */
    private int version;
    private String shotKind;

    FuzzClient(InetSocketAddress node, String where, long seed, CompilerSpec fuzzcc, NodeConfig config) {
        this.node = node;
        this.where = where;
        this.rnd = new Random(seed);
        this.fuzzcc = fuzzcc;
        this.maxArgs = config.maxArgs();
        this.maxInput = config.maxInput();
        this.maxFrame = config.maxFrame();
    }

    /** Sends {@code count} frames (handshakes included), each checked against its expected answer. */
    FuzzClient run(int count) throws Exception {
        try {
            while (frames < count) {
                if (conn == null) {
                    handshake();
                } else {
                    fire(request());
                }
            }
        } catch (Exception e) {
            throw new AssertionError(where() + ": " + e, e);
        } finally {
            if (conn != null) {
                conn.close();
            }
        }
        return this;
    }

    private void handshake() throws Exception {
        conn = new RawConnection(node);
        connections++;
        int id = rnd.nextInt();
        String name = "fuzz-" + rnd.nextInt(1000);
        HelloShot h = new HelloShot(id, name, rnd.nextBoolean() ? 1 : NodeProtocol.VERSION);
        Shot s = switch (rnd.nextInt(40)) {
            case 0 -> {
                byte[] f = h.frame();
                f[9 + rnd.nextInt(4)] ^= (byte) (1 + rnd.nextInt(255));
                yield new Shot("hello bad magic", f, new Refused(ErrorCode.BAD_FRAME, true));
            }
            case 1 -> rnd.nextBoolean()
                    ? new Shot("hello version above", frame(new NodeProtocol.Hello(id, NodeProtocol.VERSION + 1 + rnd.nextInt(100),
                            200, name)), new Refused(ErrorCode.BAD_VERSION, true))
                    : new Shot("hello version below", frame(new NodeProtocol.Hello(id, 0, 0, name)),
                            new Refused(ErrorCode.BAD_VERSION, true));
            case 2 -> new Shot("request before hello", rnd.nextBoolean() ? frame(new NodeProtocol.Stats(id))
                    : frame(new NodeProtocol.Probe(id, freshKey(), fuzzcc)), new Refused(ErrorCode.BAD_VERSION, true));
            case 3 -> {
                byte[] f = h.frame();
                putShort(f, 17, 4097 + rnd.nextInt(60000)); // the client name's length: past the frame
                yield new Shot("hello string past its frame", f, new Refused(ErrorCode.BAD_FRAME, true));
            }
            default -> new Shot("hello", h.frame(), new Answer(NodeProtocol.WELCOME));
        };
        Message reply = fire(s);
        if (reply instanceof NodeProtocol.Welcome w) {
            assertEquals(h.max(), w.version(), where());
            version = w.version();
            assertEquals(0, w.nonce().length, where());
            assertEquals(maxFrame, w.maxFrame(), where());
        }
    }

    private record HelloShot(int id, String name, int max) {
        byte[] frame() {
            return FuzzClient.frame(new NodeProtocol.Hello(id, 1, max, name));
        }
    }

    /** A request frame after the handshake: mostly valid ones with one field changed. */
    private Shot request() {
        int id = rnd.nextInt();
        int dice = rnd.nextInt(1000);
        if (dice < 120) {
            boolean hit = !storedList.isEmpty() && rnd.nextBoolean();
            Digest key = hit ? storedKey() : freshKey();
            return new Shot(hit ? "probe stored" : "probe absent", frame(new NodeProtocol.Probe(id, key, fuzzcc)),
                    new Answer(hit ? NodeProtocol.HIT : NodeProtocol.MISS));
        }
        if (dice < 220) {
            return compileShot("compile stored", compile(id, storedList.isEmpty() ? freshKey() : storedKey()));
        }
        if (dice < 230) {
            return compileShot("compile new", compile(id, freshKey()));
        }
        if (dice < 265) {
            return new Shot("stats", frame(new NodeProtocol.Stats(id)), new Answer(NodeProtocol.STATS_REPLY));
        }
        if (dice < 325) {
            String lang = BAD_LANGUAGES.get(rnd.nextInt(BAD_LANGUAGES.size()));
            return new Shot("language", frame(with(compile(id, anyKey()), null, lang, null, -1, null)),
                    new Refused(ErrorCode.BAD_LANGUAGE, false));
        }
        if (dice < 425) {
            List<String> args = new ArrayList<>();
            List<List<String>> units = safeUnits();
            units.add(rnd.nextInt(units.size() + 1), FORBIDDEN.get(rnd.nextInt(FORBIDDEN.size())));
            units.forEach(args::addAll);
            return new Shot("forbidden argument", frame(with(compile(id, anyKey()), null, null, args, -1, null)),
                    new Refused(ErrorCode.FORBIDDEN_ARGUMENT, false));
        }
        if (dice < 450) {
            List<String> args = new ArrayList<>();
            for (int i = 0, n = maxArgs + 1 + rnd.nextInt(NodeProtocol.MAX_ARGS - maxArgs); i < n; i++) {
                args.add(rnd.nextBoolean() ? "-g" : "-O2");
            }
            return new Shot("too many arguments", frame(with(compile(id, anyKey()), null, null, args, -1, null)),
                    new Refused(ErrorCode.TOO_LARGE, false));
        }
        if (dice < 500) {
            String name = rnd.nextInt(4) == 0 ? flipChar(fuzzcc.name())
                    : NOT_WHITELISTED.get(rnd.nextInt(NOT_WHITELISTED.size()));
            CompilerSpec c = new CompilerSpec(name, fuzzcc.version(), fuzzcc.target());
            return new Shot("compiler not allowed", probeOrCompile(id, c), new Refused(ErrorCode.COMPILER_NOT_ALLOWED,
                    false));
        }
        if (dice < 520) {
            CompilerSpec c = new CompilerSpec(FrameFuzzIT.MISSING, fuzzcc.version(), fuzzcc.target());
            return new Shot("compiler missing", probeOrCompile(id, c), new Refused(ErrorCode.COMPILER_MISSING, false));
        }
        if (dice < 570) {
            CompilerSpec c = rnd.nextBoolean()
                    ? new CompilerSpec(fuzzcc.name(), flipChar(fuzzcc.version()), fuzzcc.target())
                    : new CompilerSpec(fuzzcc.name(), fuzzcc.version(), flipChar(fuzzcc.target()));
            return new Shot("compiler mismatch", probeOrCompile(id, c), new Refused(ErrorCode.COMPILER_MISMATCH,
                    false));
        }
        if (dice < 595) {
            int length = maxInput + 1 + rnd.nextInt(Integer.MAX_VALUE - maxInput);
            return new Shot("input over the limit", frame(with(compile(id, anyKey()), null, null, null, length, null)),
                    new Refused(ErrorCode.TOO_LARGE, false));
        }
        if (dice < 655) {
            return badInput(id);
        }
        if (dice < 755) {
            return argumentMutation(id);
        }
        if (dice < 810) {
            return sourceShot(id);
        }
        if (dice < 930) {
            byte[] f = rnd.nextBoolean() ? frame(compile(id, anyKey())) : frame(new NodeProtocol.Probe(id, anyKey(),
                    fuzzcc));
            for (int i = 0, n = 1 + rnd.nextInt(3); i < n; i++) {
                f[4 + rnd.nextInt(f.length - 4)] ^= (byte) (1 + rnd.nextInt(255));
            }
            return new Shot("flipped bytes", f, new Anything());
        }
        return closing(id);
    }

    /**
     * A COMPILE_SOURCE: refused with a close on a version 1 connection; else a good one (RESULT),
     * one with a hostile source path or working directory (FORBIDDEN_ARGUMENT), or one with
     * flipped bytes (any answer but a node failure).
     */
    private Shot sourceShot(int id) {
        NodeProtocol.Compile c = compile(id, anyKey());
        String language = List.of("c", "c++", "objective-c", "objective-c++").get(rnd.nextInt(4));
        String source = GOOD_SOURCES.get(rnd.nextInt(GOOD_SOURCES.size()));
        String cwd = rnd.nextBoolean() ? "/home/u" : "/w=x/y";
        int dice = rnd.nextInt(10);
        if (dice < 3 && rnd.nextBoolean()) {
            source = BAD_SOURCES.get(rnd.nextInt(BAD_SOURCES.size()));
        } else if (dice < 3) {
            cwd = BAD_CWDS.get(rnd.nextInt(BAD_CWDS.size()));
        }
        byte[] f = frame(new NodeProtocol.CompileSource(id, c.key(), fuzzcc, language, c.args(), source, cwd,
                c.inputLength(), c.zstdInput()));
        if (version < NodeProtocol.SOURCE_VERSION) {
            return new Shot("source on version 1", f, new Refused(ErrorCode.BAD_FRAME, true));
        }
        if (dice < 3) {
            return new Shot("source hostile", f, new Refused(ErrorCode.FORBIDDEN_ARGUMENT, false));
        }
        if (dice < 5) {
            for (int i = 0, n = 1 + rnd.nextInt(3); i < n; i++) {
                f[4 + rnd.nextInt(f.length - 4)] ^= (byte) (1 + rnd.nextInt(255));
            }
            return new Shot("source flipped bytes", f, new Anything());
        }
        return new Shot("source", f, new Answer(NodeProtocol.RESULT));
    }

    /** A compile of the fake compiler with one stored key: RESULT, from the cache or from a run. */
    private Shot compileShot(String kind, NodeProtocol.Compile c) {
        return new Shot(kind, frame(c), new Answer(NodeProtocol.RESULT));
    }

    /** Decompression is reached on a miss only: these use a new key. */
    private Shot badInput(int id) {
        NodeProtocol.Compile c = compile(id, freshKey());
        byte[] z = c.zstdInput();
        return switch (rnd.nextInt(4)) {
            case 0 -> new Shot("input length off", frame(with(c, null, null, null,
                    rnd.nextBoolean() ? c.inputLength() + 1 + rnd.nextInt(1000) : rnd.nextInt(c.inputLength()), null)),
                    new Refused(ErrorCode.BAD_INPUT, false));
            case 1 -> new Shot("zstd truncated", frame(with(c, null, null, null, -1,
                    Arrays.copyOf(z, rnd.nextInt(z.length)))), new Refused(ErrorCode.BAD_INPUT, false));
            case 2 -> {
                byte[] garbage = new byte[1 + rnd.nextInt(64)];
                rnd.nextBytes(garbage);
                yield new Shot("zstd garbage", frame(with(c, null, null, null, -1, garbage)),
                        new Refused(ErrorCode.BAD_INPUT, false));
            }
            default -> {
                byte[] bad = z.clone();
                bad[rnd.nextInt(4)] ^= (byte) (1 + rnd.nextInt(255)); // the zstd magic
                yield new Shot("zstd magic", frame(with(c, null, null, null, -1, bad)),
                        new Refused(ErrorCode.BAD_INPUT, false));
            }
        };
    }

    /** One argument's text changed: the node runs it or refuses it, never anything else. */
    private Shot argumentMutation(int id) {
        NodeProtocol.Compile c = compile(id, rnd.nextInt(8) == 0 || storedList.isEmpty() ? freshKey() : storedKey());
        List<String> args = new ArrayList<>(c.args());
        if (args.isEmpty()) {
            args.add("-O2");
        }
        int i = rnd.nextInt(args.size());
        args.set(i, flipChar(args.get(i)));
        return new Shot("argument changed", frame(with(c, null, null, args, -1, null)), new Anything());
    }

    /** Frames the node refuses by closing the connection. */
    private Shot closing(int id) {
        byte[] f = rnd.nextBoolean() ? frame(compile(id, anyKey())) : frame(new NodeProtocol.Probe(id, anyKey(),
                fuzzcc));
        int body = f.length - 4;
        switch (rnd.nextInt(8)) {
            case 0 -> {
                int extra = 1 + rnd.nextInt(16);
                byte[] longer = Arrays.copyOf(f, f.length + extra);
                putInt(longer, 0, body + extra);
                return new Shot("frame length longer", longer, new Refused(ErrorCode.BAD_FRAME, true));
            }
            case 1 -> {
                int shorter = rnd.nextInt(body);
                byte[] cut = Arrays.copyOf(f, 4 + shorter);
                putInt(cut, 0, shorter);
                return new Shot("frame length shorter", cut, new Refused(ErrorCode.BAD_FRAME, true));
            }
            case 2 -> {
                byte[] head = Arrays.copyOf(f, 9);
                putInt(head, 0, maxFrame + 1 + rnd.nextInt(Integer.MAX_VALUE - maxFrame));
                return new Shot("frame over the maximum", head, new Refused(ErrorCode.TOO_LARGE, true));
            }
            case 3 -> {
                NodeProtocol.Compile c = compile(id, anyKey());
                byte[] g = frame(c);
                List<Integer> strings = stringLengthOffsets(c);
                int at = strings.get(rnd.nextInt(strings.size()));
                int past = g.length - at - 2 + 1;
                putShort(g, at, rnd.nextBoolean() ? past + rnd.nextInt(Math.max(1, 65536 - past))
                        : NodeProtocol.MAX_STRING + 1 + rnd.nextInt(65535 - NodeProtocol.MAX_STRING));
                return new Shot("string length past its frame", g, new Refused(ErrorCode.BAD_FRAME, true));
            }
            case 4 -> {
                NodeProtocol.Compile c = compile(id, anyKey());
                byte[] g = frame(c);
                int at = g.length - c.zstdInput().length - 4;
                putInt(g, at, rnd.nextBoolean() ? c.zstdInput().length + 1 + rnd.nextInt(1 << 20)
                        : Integer.MIN_VALUE + rnd.nextInt(Integer.MAX_VALUE));
                return new Shot("bytes length past its frame", g, new Refused(ErrorCode.BAD_FRAME, true));
            }
            case 5 -> {
                NodeProtocol.Compile c = compile(id, anyKey());
                byte[] g = frame(c);
                if (rnd.nextBoolean()) {
                    putShort(g, argcOffset(c), NodeProtocol.MAX_ARGS + 1 + rnd.nextInt(65535 - NodeProtocol.MAX_ARGS));
                    return new Shot("argument count over the protocol's", g, new Refused(ErrorCode.BAD_FRAME, true));
                }
                putInt(g, g.length - c.zstdInput().length - 8, Integer.MIN_VALUE + rnd.nextInt(Integer.MAX_VALUE));
                return new Shot("negative input length", g, new Refused(ErrorCode.BAD_FRAME, true));
            }
            case 6 -> {
                Message m = switch (rnd.nextInt(9)) {
                    case 0 -> new NodeProtocol.Hello(id, 1, 1, "again");
                    case 1 -> new NodeProtocol.Auth(id, new byte[32]);
                    case 2 -> new NodeProtocol.Welcome(id, 1, "n", new byte[0], 1);
                    case 3 -> new NodeProtocol.AuthOk(id);
                    case 4 -> new NodeProtocol.Hit(id, new byte[20]);
                    case 5 -> new NodeProtocol.Miss(id);
                    case 6 -> new NodeProtocol.Result(id, true, new byte[3]);
                    case 7 -> new NodeProtocol.StatsReply(id, Map.of("x", 1L));
                    default -> new NodeProtocol.Error(id, ErrorCode.BUSY, "x");
                };
                return new Shot("not a request", frame(m), new Refused(ErrorCode.BAD_FRAME, true));
            }
            default -> {
                int type;
                do {
                    type = rnd.nextInt(256);
                } while (isKnownType(type));
                f[4] = (byte) type;
                return new Shot("unknown type", f, new Refused(ErrorCode.BAD_FRAME, true));
            }
        }
    }

    /** Sends one frame and checks its answer; null when the frame ended the connection. */
    private Message fire(Shot s) throws Exception {
        shotKind = s.kind();
        frames++;
        kinds.merge(s.kind(), 1, Integer::sum);
        assertTrue(conn.write(s.frame()), where() + ": the node closed before the frame was written");
        Message reply = conn.read();
        assertNotNull(reply, where() + ": no answer, the connection just closed");
        int id = s.frame().length >= 9 ? ByteBuffer.wrap(s.frame()).getInt(5) : 0;
        Expect e = s.expect();
        if (e instanceof Anything) {
            if (reply instanceof NodeProtocol.Error err) {
                boolean closes = err.code() == ErrorCode.BAD_FRAME || err.code() == ErrorCode.BAD_VERSION;
                e = new Refused(err.code(), closes);
            } else {
                e = new Answer(reply.type());
            }
        }
        if (e instanceof Refused r) {
            NodeProtocol.Error err = assertInstanceOf(NodeProtocol.Error.class, reply, where());
            assertEquals(r.code(), err.code(), where() + ": " + err.message());
            assertNotEquals(ErrorCode.INTERNAL, err.code(), where() + ": " + err.message());
            refusals.merge(err.code(), 1, Integer::sum);
            if (r.closes()) {
                assertTrue(conn.drainToEnd(), where() + ": the node did not close after " + err.code());
                conn.close();
                conn = null;
                return null;
            }
            assertEquals(id, err.id(), where());
            served++;
            return reply;
        }
        Answer a = (Answer) e;
        assertEquals(a.type(), reply.type(), where() + ": " + reply);
        assertEquals(id, reply.id(), where());
        if (reply instanceof NodeProtocol.Result r) {
            assertTrue(r.stored(), where());
            assertFakeObject(r.entry());
            Message sent = NodeProtocol.decode(Unpooled.wrappedBuffer(s.frame(), 4, s.frame().length - 4));
            Digest key = sent instanceof NodeProtocol.CompileSource cs
                    ? NodeProtocol.CompileSource.jobKey(cs.key(), cs.source(), cs.cwd())
                    : ((NodeProtocol.Compile) sent).key();
            if (stored.add(key)) {
                storedList.add(key);
                compilesRun++;
            }
            served++;
        } else if (reply instanceof NodeProtocol.Hit h) {
            assertFakeObject(h.entry());
            served++;
        } else if (reply instanceof NodeProtocol.StatsReply r) {
            assertTrue(r.values().containsKey("connections_open"), where());
            served++;
        } else if (reply instanceof NodeProtocol.Miss) {
            served++;
        } else if (!(reply instanceof NodeProtocol.Welcome)) {
            fail(where() + ": unexpected " + reply);
        }
        return reply;
    }

    private void assertFakeObject(byte[] entry) throws Exception {
        CacheEntry e = NodeClient.decode(entry);
        assertEquals(0, e.exitCode(), where());
        assertArrayEquals(FAKE_OBJECT, e.outputs().get(OutputKind.OBJECT), where());
    }

    private String where() {
        return where + " frame " + frames + " (" + shotKind + ")";
    }

    // ---- valid messages and field changes ----

    private NodeProtocol.Compile compile(int id, Digest key) {
        List<String> args = new ArrayList<>();
        safeUnits().forEach(args::addAll);
        byte[] input = ("int v" + rnd.nextInt(1000) + ";\n").repeat(1 + rnd.nextInt(20))
                .getBytes(StandardCharsets.US_ASCII);
        return new NodeProtocol.Compile(id, key, fuzzcc, LANGUAGES.get(rnd.nextInt(LANGUAGES.size())), args,
                input.length, Zstd.compress(input));
    }

    /** {@code c} with the fields given (non-null, or {@code inputLength >= 0}) replaced. */
    private static NodeProtocol.Compile with(NodeProtocol.Compile c, CompilerSpec compiler, String language,
            List<String> args, int inputLength, byte[] zstd) {
        return new NodeProtocol.Compile(c.id(), c.key(), compiler != null ? compiler : c.compiler(),
                language != null ? language : c.language(), args != null ? args : c.args(),
                inputLength >= 0 ? inputLength : c.inputLength(), zstd != null ? zstd : c.zstdInput());
    }

    private byte[] probeOrCompile(int id, CompilerSpec c) {
        return rnd.nextBoolean() ? frame(new NodeProtocol.Probe(id, anyKey(), c))
                : frame(with(compile(id, anyKey()), c, null, null, -1, null));
    }

    private List<List<String>> safeUnits() {
        List<List<String>> units = new ArrayList<>();
        for (int i = 0, n = rnd.nextInt(6); i < n; i++) {
            units.add(SAFE.get(rnd.nextInt(SAFE.size())));
        }
        return units;
    }

    /** One character replaced, inserted or removed; the result always differs from {@code s}. */
    private String flipChar(String s) {
        String special = "/@\n =,.-+xoMBI\u00e9";
        StringBuilder b = new StringBuilder(s);
        int op = s.isEmpty() ? 1 : rnd.nextInt(3);
        char c = rnd.nextBoolean() ? special.charAt(rnd.nextInt(special.length())) : (char) (0x20 + rnd.nextInt(95));
        switch (op) {
            case 0 -> b.setCharAt(rnd.nextInt(s.length()), c);
            case 1 -> b.insert(rnd.nextInt(s.length() + 1), c);
            default -> b.deleteCharAt(rnd.nextInt(s.length()));
        }
        return b.toString().equals(s) ? s + "~" : b.toString();
    }

    private Digest freshKey() {
        return new Digest(rnd.nextLong(), rnd.nextLong());
    }

    private Digest storedKey() {
        return storedList.get(rnd.nextInt(storedList.size()));
    }

    private Digest anyKey() {
        return storedList.isEmpty() || rnd.nextBoolean() ? freshKey() : storedKey();
    }

    private static byte[] frame(Message m) {
        return RawConnection.frame(m);
    }

    /** Offsets of every u16 string length in a COMPILE frame (length prefix included), per the layout. */
    private static List<Integer> stringLengthOffsets(NodeProtocol.Compile c) {
        List<Integer> at = new ArrayList<>();
        int off = 4 + 1 + 4 + 16;
        for (String s : List.of(c.compiler().name(), c.compiler().version(), c.compiler().target(), c.language())) {
            at.add(off);
            off += 2 + utf8(s);
        }
        off += 2;
        for (String a : c.args()) {
            at.add(off);
            off += 2 + utf8(a);
        }
        return at;
    }

    private static int argcOffset(NodeProtocol.Compile c) {
        int off = 4 + 1 + 4 + 16;
        for (String s : List.of(c.compiler().name(), c.compiler().version(), c.compiler().target(), c.language())) {
            off += 2 + utf8(s);
        }
        return off;
    }

    private static int utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static boolean isKnownType(int type) {
        return switch (type) {
            case NodeProtocol.HELLO, NodeProtocol.WELCOME, NodeProtocol.AUTH, NodeProtocol.AUTH_OK, NodeProtocol.PROBE,
                    NodeProtocol.HIT, NodeProtocol.MISS, NodeProtocol.COMPILE, NodeProtocol.RESULT, NodeProtocol.STATS,
                    NodeProtocol.COMPILE_SOURCE, NodeProtocol.WORKING,
                    NodeProtocol.STATS_REPLY, NodeProtocol.ERROR -> true;
            default -> false;
        };
    }

    private static void putShort(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
    }

    private static void putInt(byte[] b, int at, int v) {
        ByteBuffer.wrap(b).putInt(at, v);
    }
}
