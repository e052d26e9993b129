package cache.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.hashing.Digest;
import cache.node.client.NodeClient;
import cache.node.protocol.NodeProtocol;
import cache.node.protocol.NodeProtocol.CompilerSpec;
import cache.node.protocol.NodeProtocol.ErrorCode;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile clients against a real node on loopback. Each case fails safely: refused with a
 * counted reason, and a normal client is served afterwards ({@link #stillServes}).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SecurityIT {

    @TempDir
    Path dir;

    private NodeConfig config;
    private CachedNode node;
    private CompilerSpec gcc;
    private byte[] input;
    private Digest key;

    @BeforeEach
    void start() throws Exception {
        gcc = NodeFixture.spec("gcc");
        input = NodeFixture.preprocess(dir, "gcc", NodeFixture.SMALL_C);
        key = NodeFixture.key("security");
        Path bin = dir.resolve("bin");
        NodeFixture.fakeCompiler(bin, "hangcc", "1.0", "test", dir.resolve("never"));
        List<Path> path = new java.util.ArrayList<>(List.of(bin));
        path.addAll(NodeConfig.defaultSearchPath());
        config = NodeFixture.config(dir, NodeFixture.whitelist(dir, "gcc", "hangcc"), 2)
                .allow(List.of("127.0.0.1/32")).maxFrame(1 << 20).maxConnections(8)
                .jobLifetime(Duration.ofSeconds(1)).searchPath(path);
        node = CachedNode.start(config);
    }

    @AfterEach
    void stop() {
        node.close();
    }

    /** A well-behaved client still gets a real compile and a hit. */
    private void stillServes() throws Exception {
        try (NodeClient c = NodeFixture.connect(node)) {
            assertEquals(0, NodeClient.decode(c.compile(key, gcc, "cpp-output", List.of("-O2"), input).get().entry())
                    .exitCode());
            assertTrue(c.probe(key, gcc).get().hit());
        }
    }

    private long stat(String name) throws Exception {
        try (NodeClient c = NodeFixture.connect(node)) {
            return c.stats().get().getOrDefault(name, 0L);
        }
    }

    @Test
    void clientOutsideAllowIsDroppedBeforeAnyByteIsRead() throws Exception {
        try (RawConnection outsider = new RawConnection(node.address(), "127.0.0.2")) {
            outsider.write(RawConnection.frame(new NodeProtocol.Hello(1, 1, 1, "outsider")));
            assertNull(outsider.read(), "closed without an answer");
        }
        assertEquals(1, stat("refused_not_allowed"));
        stillServes();
    }

    @Test
    void compilersOutsideTheWhitelistAreRefused() throws Exception {
        try (NodeClient c = NodeFixture.connect(node)) {
            for (String name : List.of("sh", "/bin/sh", "/bin/sh -c id", "../../bin/sh", "gcc/../sh", "cc")) {
                CompilerSpec evil = new CompilerSpec(name, gcc.version(), gcc.target());
                assertRefused(ErrorCode.COMPILER_NOT_ALLOWED, () -> c.compile(key, evil, "c", List.of(), input).get());
                assertRefused(ErrorCode.COMPILER_NOT_ALLOWED, () -> c.probe(key, evil).get());
            }
            assertTrue(c.isOpen(), "a refused request leaves the connection usable");
        }
        assertEquals(12, stat("refused_compiler_not_allowed"));
        stillServes();
    }

    @Test
    void forbiddenArgumentsAreRefused() throws Exception {
        try (NodeClient c = NodeFixture.connect(node)) {
            for (List<String> args : List.of(List.of("-fplugin=/tmp/x.so"), List.of("-specs=/tmp/x"),
                    List.of("-B/tmp"), List.of("-wrapper", "/bin/sh"), List.of("@/etc/passwd"),
                    List.of("-o", "/tmp/pwned.o"), List.of("-include", "/etc/passwd"), List.of("/etc/passwd"),
                    List.of("-MD", "-MF", "/tmp/x.d"), List.of("-save-temps=obj"), List.of("--sysroot=/"),
                    List.of("-fprofile-use=/tmp/p"), List.of("-Xclang", "-load"))) {
                assertRefused(ErrorCode.FORBIDDEN_ARGUMENT, () -> c.compile(key, gcc, "cpp-output", args, input).get());
            }
            assertRefused(ErrorCode.BAD_LANGUAGE, () -> c.compile(key, gcc, "assembler-with-cpp", List.of(), input).get());
        }
        assertFalse(Files.exists(Path.of("/tmp/pwned.o")));
        assertEquals(13, stat("refused_forbidden_argument"));
        stillServes();
    }

    @Test
    void anOversizedFrameIsRefusedFromItsLengthAlone() throws Exception {
        try (RawConnection c = new RawConnection(node.address())) {
            c.write(RawConnection.frame(new NodeProtocol.Hello(1, 1, 1, "big")));
            assertInstanceOf(NodeProtocol.Welcome.class, c.read());
            c.write(ByteBuffer.allocate(9).putInt(Integer.MAX_VALUE).put((byte) NodeProtocol.COMPILE).putInt(2)
                    .array());
            NodeProtocol.Error e = assertInstanceOf(NodeProtocol.Error.class, c.read());
            assertEquals(ErrorCode.TOO_LARGE, e.code());
            assertNull(c.read());
        }
        assertEquals(1, stat("refused_too_large"));
        stillServes();
    }

    @Test
    void anAnnouncedInputOverTheLimitIsRefusedBeforeDecompressing() throws Exception {
        try (RawConnection raw = new RawConnection(node.address())) {
            raw.write(RawConnection.frame(new NodeProtocol.Hello(1, 1, 1, "x")));
            raw.read();
            raw.write(RawConnection.frame(new NodeProtocol.Compile(2, key, gcc, "cpp-output", List.of(),
                    Integer.MAX_VALUE, new byte[16])));
            assertEquals(ErrorCode.TOO_LARGE, ((NodeProtocol.Error) raw.read()).code());
            raw.write(RawConnection.frame(new NodeProtocol.Compile(3, key, gcc, "cpp-output", List.of(), 100,
                    new byte[16])));
            assertEquals(ErrorCode.BAD_INPUT, ((NodeProtocol.Error) raw.read()).code());
        }
        stillServes();
    }

    @Test
    void truncatedAndGarbageFramesCloseOnlyThatConnection() throws Exception {
        try (NodeClient bystander = NodeFixture.connect(node)) {
            try (RawConnection c = new RawConnection(node.address())) {
                c.write("GET / HTTP/1.0\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                // "GET " read as a frame length is 1,195,725,856 bytes: over the node's maximum.
                NodeProtocol.Error e = assertInstanceOf(NodeProtocol.Error.class, c.read());
                assertEquals(ErrorCode.TOO_LARGE, e.code(), e.message());
                assertTrue(c.drainToEnd(), "the node closes the connection after refusing the frame");
            }
            // Only the refusal can have closed it: the idle timer waits 60 s, the read above 30 s.
            assertEquals(0, stat("refused_idle"), "closed by the idle timer, not by the refusal");
            try (RawConnection c = new RawConnection(node.address())) {
                byte[] hello = RawConnection.frame(new NodeProtocol.Hello(1, 1, 1, "x"));
                c.write(java.util.Arrays.copyOf(hello, hello.length - 3));
                c.socket.shutdownOutput();
                assertNull(c.read(), "a truncated frame at end of stream gets no answer");
            }
            try (RawConnection c = new RawConnection(node.address())) {
                c.write(RawConnection.frame(new NodeProtocol.Probe(1, key, gcc)));
                NodeProtocol.Error e = assertInstanceOf(NodeProtocol.Error.class, c.read());
                assertEquals(ErrorCode.BAD_VERSION, e.code(), "a request before HELLO");
            }
            assertTrue(bystander.probe(NodeFixture.key("other"), gcc).get() != null);
        }
        stillServes();
    }

    @Test
    void aSilentClientIsClosedByTheIdleTimer() throws Exception {
        // The other cases keep the default idle timeout (60 s), so a close they see is never the timer's.
        node.close();
        node = CachedNode.start(config.idleTimeout(Duration.ofSeconds(1)));
        try (RawConnection c = new RawConnection(node.address())) {
            assertNull(c.read(), "closed by the node");
        }
        assertEquals(1, stat("refused_idle"));
        stillServes();
    }

    @Test
    void connectionsBeyondTheLimitAreClosed() throws Exception {
        List<RawConnection> open = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                RawConnection c = new RawConnection(node.address());
                c.write(RawConnection.frame(new NodeProtocol.Hello(1, 1, 1, "x")));
                assertInstanceOf(NodeProtocol.Welcome.class, c.read());
                open.add(c);
            }
            try (RawConnection extra = new RawConnection(node.address())) {
                extra.write(RawConnection.frame(new NodeProtocol.Hello(1, 1, 1, "x")));
                assertNull(extra.read());
            }
        } finally {
            for (RawConnection c : open) {
                c.close();
            }
        }
        assertTrue(stat("refused_too_many_connections") >= 1);
        stillServes();
    }

    @Test
    void aCompileOverTheJobLifetimeIsKilled() throws Exception {
        CompilerSpec hang = new CompilerSpec("hangcc", "1.0", "test");
        try (NodeClient c = NodeFixture.connect(node)) {
            assertRefused(ErrorCode.TIMEOUT, () -> c.compile(key, hang, "c", List.of(), new byte[] {'x'}).get());
            Map<String, Long> s = c.stats().get();
            assertEquals(1L, s.get("compile_timeouts"));
            assertEquals(0L, s.get("jobs_running"));
        }
        stillServes();
    }

    interface Call {
        Object run() throws Exception;
    }

    static void assertRefused(ErrorCode code, Call call) {
        ExecutionException e = assertThrows(ExecutionException.class, call::run);
        NodeClient.NodeException n = assertInstanceOf(NodeClient.NodeException.class, e.getCause());
        assertEquals(code, n.code(), n.getMessage());
    }
}
