package cache.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.hashing.Digest;
import cache.node.client.NodeClient;
import cache.node.client.NodeClient.CompileResult;
import cache.node.protocol.NodeProtocol;
import cache.node.protocol.NodeProtocol.CompilerSpec;
import cache.node.protocol.NodeProtocol.ErrorCode;
import cache.store.CacheEntry;
import cache.store.OutputKind;
import com.github.luben.zstd.Zstd;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * COMPILE_SOURCE on a real node with real gcc: a {@code -g} object compiled from the client's
 * directives-only text is byte for byte the object of {@code gcc -g -c} in the client's
 * directory, for a relative, a nested and an absolute source and for C++; the result is stored
 * under its own key; hostile source paths and working directories are refused; a version 1
 * connection may not send the frame.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SourceCompileIT {

    private static final String C = """
            #include <stdio.h>
            #define SQ(a) ((a)*(a))
            static int   f(int v) {   return SQ(v); }
            int main(void) { printf("%d %s %s\\n", f(FOO), __FILE__, __BASE_FILE__); return 0; }
            """;
    private static final String CXX = """
            #include <vector>
            #include <cstdio>
            template <class T> static T sq(T a) {   return a * a; }
            int main() { std::vector<int> v{1, 2}; std::printf("%d\\n", sq(v[1])); }
            """;
    private static final List<String> ARGS = List.of("-O2", "-g");

    @TempDir
    Path tmp;

    @Test
    void debugObjectsAreByteIdenticalToTheClientsOwn() throws Exception {
        Path dir = tmp.toRealPath();
        Path src = Files.createDirectories(dir.resolve("client/src"));
        Files.createDirectories(src.resolve("sub"));
        Files.createDirectories(dir.resolve("abs"));
        Files.writeString(src.resolve("x.c"), C);
        Files.writeString(src.resolve("sub/y.c"), C);
        Files.writeString(dir.resolve("abs/z.c"), C);
        Files.writeString(src.resolve("w.cc"), CXX);
        NodeConfig config = NodeFixture.config(dir, NodeFixture.whitelist(dir, "gcc", "g++"), 2);
        try (CachedNode node = CachedNode.start(config); NodeClient client = NodeFixture.connect(node)) {
            assertEquals(NodeProtocol.VERSION, client.protocolVersion());
            assertTrue(client.compilesSources());
            check(client, "gcc", "c", src, "x.c");
            check(client, "gcc", "c", src, "sub/y.c");
            check(client, "gcc", "c", src, dir.resolve("abs/z.c").toString());
            check(client, "g++", "c++", src, "w.cc");
        }
    }

    private void check(NodeClient client, String compiler, String language, Path cwd, String source)
            throws Exception {
        CompilerSpec spec = NodeFixture.spec(compiler);
        List<String> local = new ArrayList<>(List.of(compiler, "-DFOO=3", "-UBAR"));
        local.addAll(ARGS);
        local.addAll(List.of("-c", source, "-o", cwd.resolve("local.o").toString()));
        NodeFixture.run(local, cwd);
        byte[] expected = Files.readAllBytes(cwd.resolve("local.o"));
        String text = NodeFixture.run(List.of(compiler, "-DFOO=3", "-UBAR", "-O2", "-g", "-fdirectives-only", "-E",
                source), cwd);
        byte[] input = withoutBuiltins(text).getBytes(StandardCharsets.UTF_8);
        Digest key = NodeFixture.key(compiler + source);
        assertFalse(client.probeSource(key, spec, source, cwd.toString()).get().hit());

        CompileResult r = client.compileSource(key, spec, language, ARGS, source, cwd.toString(), input).get();
        CacheEntry e = NodeClient.decode(r.entry());
        assertEquals(0, e.exitCode(), new String(e.stderr(), StandardCharsets.UTF_8));
        assertTrue(r.stored());
        assertArrayEquals(expected, e.outputs().get(OutputKind.OBJECT), source + ": the node's -g object is the"
                + " client's own");

        assertTrue(client.probeSource(key, spec, source, cwd.toString()).get().hit(), "stored under its job key");
        assertFalse(client.probe(key, spec).get().hit(), "never answers a plain probe of the same key");
        assertFalse(client.probeSource(key, spec, source, "/elsewhere").get().hit(), "nor another directory");
    }

    /** The predefined-macro block of a directives-only text dropped (the client's own code does the same). */
    static String withoutBuiltins(String text) {
        StringBuilder out = new StringBuilder();
        boolean builtin = false;
        for (String line : text.split("\n", -1)) {
            boolean marker = line.matches("# \\d+ \".*\".*");
            if (marker && line.matches("# \\d+ \"<built-in>\".*")) {
                builtin = true;
                continue;
            }
            if (marker) {
                builtin = false;
            }
            if (!builtin) {
                out.append(line).append('\n');
            }
        }
        return out.substring(0, out.length() - 1);
    }

    @Test
    void hostileSourcesAndDirectoriesAreRefusedAndNothingRuns() throws Exception {
        Path dir = tmp.toRealPath();
        NodeConfig config = NodeFixture.config(dir, NodeFixture.whitelist(dir, "gcc"), 1);
        CompilerSpec gcc = NodeFixture.spec("gcc");
        byte[] input = "int x;\n".getBytes(StandardCharsets.US_ASCII);
        List<String> badSources = List.of("", "../x.c", "sub/../../x.c", "/a/../x.c", "..", "sub/..", "x.c\0y",
                "-fplugin=x.so", "-o", "sub/", "/", ".", "sub/.", "a".repeat(256) + ".c",
                "d/".repeat(600) + "x.c");
        try (CachedNode node = CachedNode.start(config); NodeClient client = NodeFixture.connect(node)) {
            for (String s : badSources) {
                assertRefused(ErrorCode.FORBIDDEN_ARGUMENT, client.compileSource(NodeFixture.key(s), gcc, "c",
                        List.of("-g"), s, "/home/u", input), "source '" + s + "'");
            }
            for (String cwd : List.of("", "relative", "a/b", "/home\0/u", "/" + "x".repeat(1100))) {
                assertRefused(ErrorCode.FORBIDDEN_ARGUMENT, client.compileSource(NodeFixture.key(cwd), gcc, "c",
                        List.of("-g"), "x.c", cwd, input), "cwd '" + cwd + "'");
            }
            for (String lang : List.of("cpp-output", "c++-cpp-output", "assembler", "c-header", "C")) {
                assertRefused(ErrorCode.BAD_LANGUAGE, client.compileSource(NodeFixture.key(lang), gcc, lang,
                        List.of("-g"), "x.c", "/home/u", input), "language " + lang);
            }
            assertRefused(ErrorCode.FORBIDDEN_ARGUMENT, client.compileSource(NodeFixture.key("o"), gcc, "c",
                    List.of("-o", "/tmp/pwned.o"), "x.c", "/home/u", input), "the argument policy still applies");
            assertEquals(0L, client.stats().get().get("compiles_ok"));
            // Odd but harmless names compile, inside the private directory only.
            for (String s : List.of("./x.c", "a//b/./x.c", "/tmp/x y.c", "root/x.c", "w/x.c", "output")) {
                CompileResult r = client.compileSource(NodeFixture.key("ok" + s), gcc, "c", List.of("-g"), s,
                        "/home/u", input).get();
                CacheEntry e = NodeClient.decode(r.entry());
                assertEquals(0, e.exitCode(), s + ": " + new String(e.stderr(), StandardCharsets.UTF_8));
            }
        }
        try (Stream<Path> left = Files.list(dir.resolve("tmp"))) {
            assertEquals(List.of(), left.toList(), "every private directory is removed");
        }
    }

    @Test
    void aVersionOneConnectionMayNotSendASourceCompile() throws Exception {
        Path dir = tmp.toRealPath();
        NodeConfig config = NodeFixture.config(dir, NodeFixture.whitelist(dir, "gcc"), 1);
        byte[] input = "int x;\n".getBytes(StandardCharsets.US_ASCII);
        try (CachedNode node = CachedNode.start(config); RawConnection c = new RawConnection(node.address())) {
            c.write(RawConnection.frame(new NodeProtocol.Hello(1, 1, 1, "old client")));
            NodeProtocol.Welcome w = assertInstanceOf(NodeProtocol.Welcome.class, c.read());
            assertEquals(1, w.version(), "an old client is answered in its version");
            c.write(RawConnection.frame(new NodeProtocol.CompileSource(2, NodeFixture.key("v1"),
                    NodeFixture.spec("gcc"), "c", List.of(), "x.c", "/home/u", input.length, Zstd.compress(input))));
            NodeProtocol.Error err = assertInstanceOf(NodeProtocol.Error.class, c.read());
            assertEquals(ErrorCode.BAD_FRAME, err.code(), err.message());
            assertTrue(c.drainToEnd(), "closed");
        }
        try (CachedNode node = CachedNode.start(config); RawConnection c = new RawConnection(node.address())) {
            c.write(RawConnection.frame(new NodeProtocol.Hello(1, 1, 9, "future client")));
            assertEquals(NodeProtocol.VERSION, assertInstanceOf(NodeProtocol.Welcome.class, c.read()).version());
        }
    }

    private static void assertRefused(ErrorCode code, java.util.concurrent.CompletableFuture<?> f, String what)
            throws Exception {
        try {
            f.get();
        } catch (ExecutionException e) {
            NodeClient.NodeException ne = assertInstanceOf(NodeClient.NodeException.class, e.getCause(), what);
            assertEquals(code, ne.code(), what + ": " + ne.getMessage());
            return;
        }
        throw new AssertionError(what + " was compiled");
    }
}
