package cache.frontend.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.node.client.NodeClient;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19: {@code cache gcc -O2 -g -c} with {@code CCACHE_PREFIX=distcc} compiles on a real
 * {@code dist/bin/cached} on 127.0.0.2 as a source compile, and the object is byte for byte
 * what plain {@code gcc -O2 -g -c} writes in the same directory: for {@code x.c}, {@code sub/y.c},
 * an absolute path, and C++ with g++; the same with clang {@code -g -gdwarf-4} (its rewritten
 * includes). clang's default {@code -g} (DWARF 5: MD5s of the files) and a user's own
 * {@code -fdebug-prefix-map} stay here ({@code kept_local}).
 */
@Timeout(300)
class DistributedDebugIT {

    private static final String C = """
            #include <stdio.h>
            #include "h.h"
            #define SQ(a) ((a)*(a))
            static int   f(int v) {   return SQ(v) + H; }
            int main(void) { printf("%d %s %s\\n", f(FOO), __FILE__, __BASE_FILE__); return 0; }
            """;
    private static final String CXX = """
            #include <vector>
            #include <cstdio>
            template <class T> static T sq(T a) {   return a * a; }
            int main() { std::vector<int> v{1, 2}; std::printf("%d\\n", sq(v[1])); }
            """;

    @TempDir
    Path tmp;

    @Test
    void debugObjectsCompiledOnANodeAreTheLocalOnes() throws Exception {
        Path root = tmp.toRealPath();
        Path cached = CacheFixture.CLIENT.resolveSibling("cached");
        assertTrue(Files.isExecutable(cached), cached + " is built by mvn package");
        Path whitelist = Files.createDirectories(root.resolve("whitelist"));
        for (String c : List.of("gcc", "g++", "clang")) {
            Files.createSymbolicLink(whitelist.resolve(c), Path.of("../../bin/distcc"));
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process node = new ProcessBuilder(cached.toString(), "--listen", "127.0.0.2", "--port", String.valueOf(port),
                "--whitelist", whitelist.toString(), "--cache-dir",
                root.resolve("store").toString(), "--tmp-dir", Files.createDirectories(root.resolve("jobs")).toString(),
                "--jobs", "2").redirectErrorStream(true).redirectOutput(root.resolve("cached.log").toFile()).start();
        try (CacheFixture cache = new CacheFixture(Files.createDirectories(root.resolve("client")))) {
            ServerProcesses.awaitListening("cached", node, "127.0.0.2", port, root.resolve("cached.log"));
            Path proj = Files.createDirectories(root.resolve("proj"));
            Files.createDirectories(proj.resolve("sub"));
            Files.createDirectories(proj.resolve("inc"));
            Files.writeString(proj.resolve("inc/h.h"), "#define H 7\n");
            Files.writeString(proj.resolve("x.c"), C);
            Files.writeString(proj.resolve("sub/y.c"), C);
            Path abs = Files.writeString(Files.createDirectories(root.resolve("abs")).resolve("z.c"), C);
            Files.writeString(proj.resolve("w.cc"), CXX);
            cache.env.put("CCACHE_PREFIX", "distcc");
            cache.env.put("DISTCC_HOSTS", "127.0.0.2:" + port + "/2");

            int n = 0;
            for (String src : List.of("x.c", "sub/y.c", abs.toString())) {
                sameAsLocal(cache, proj, "gcc", src, "o" + n++);
            }
            sameAsLocal(cache, proj, "g++", "w.cc", "o" + n++);
            Map<String, Long> s = cache.stats();
            assertEquals(4L, s.getOrDefault("remote_compile", 0L), "every gcc -g miss compiled on the node: " + s);
            assertEquals(0L, s.getOrDefault("kept_local", 0L), s.toString());
            try (NodeClient client = NodeClient.connect("127.0.0.2", port,
                    new NodeClient.Options().requestTimeout(Duration.ofSeconds(30)))) {
                assertEquals(4L, client.stats().get(30, TimeUnit.SECONDS).get("compiles_ok"), "the node compiled them");
            }

            // The same call again: a hit in the local cache, nothing sent.
            CacheFixture.Result again = cache.cache(proj, "gcc", "-O2", "-g", "-DFOO=3", "-Iinc", "-c", "x.c", "-o",
                    "again.o");
            assertEquals(0, again.exitCode(), again.err());
            assertEquals(4L, cache.stat("remote_compile"), "a cache hit here, nothing sent");

            CacheFixture.Result mapped = cache.cache(proj, "gcc", "-O2", "-g", "-fdebug-prefix-map=" + proj + "=.",
                    "-DFOO=3", "-Iinc", "-c", "x.c", "-o", "mapped.o");
            assertEquals(0, mapped.exitCode(), mapped.err());
            assertEquals(1L, cache.stat("kept_local"), "the user's own path map stays here");
            long remote = 4;
            if (Compilers.onPath("clang")) {
                CacheFixture.Result r = cache.cache(proj, "clang", "-O2", "-g", "-c", "x.c", "-Iinc", "-DFOO=3",
                        "-o", "clang.o");
                assertEquals(0, r.exitCode(), r.err());
                assertEquals(2L, cache.stat("kept_local"), "clang -g (DWARF 5) stays here");
                assertEquals(remote, cache.stat("remote_compile"));
                n = 0;
                for (String src : List.of("x.c", "sub/y.c", abs.toString())) {
                    sameAsLocal(cache, proj, "clang", src, "clang4-" + n++, "-gdwarf-4");
                }
                remote += 3;
                assertEquals(remote, cache.stat("remote_compile"), "clang -g -gdwarf-4 compiled on the node");
                assertEquals(2L, cache.stat("kept_local"));
            }
            assertEquals(remote, cache.stat("remote_compile"));

            // hash_dir = false leaves the cwd out of the key only: the object still records it,
            // so the node must still get the source compile that reproduces it.
            Files.writeString(proj.resolve("h.c"), C.replace("main", "other_main"));
            cache.env.put("CCACHE_NOHASHDIR", "1");
            sameAsLocal(cache, proj, "gcc", "h.c", "nohashdir");
            cache.env.remove("CCACHE_NOHASHDIR");
            assertEquals(remote + 1, cache.stat("remote_compile"), "the hash_dir = false -g miss compiled on the node");
        } finally {
            ServerProcesses.stop(node);
        }
    }

    /** {@code cache <compiler> -O2 -g [extra] -c src} and the plain compile in {@code cwd} write the same bytes. */
    private static void sameAsLocal(CacheFixture cache, Path cwd, String compiler, String src, String name,
            String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("-O2", "-g"));
        args.addAll(List.of(extra));
        args.addAll(List.of("-DFOO=3", "-Iinc", "-c", src));
        List<String> viaCache = new ArrayList<>(List.of(compiler));
        viaCache.addAll(args);
        viaCache.addAll(List.of("-o", name + ".o"));
        CacheFixture.Result r = cache.cache(cwd, viaCache.toArray(String[]::new));
        assertEquals(0, r.exitCode(), r.err());
        List<String> plain = new ArrayList<>(List.of(compiler));
        plain.addAll(args);
        plain.addAll(List.of("-o", name + "-local.o"));
        CacheFixture.Result p = CacheFixture.run(cwd, plain, cache.env);
        assertEquals(0, p.exitCode(), p.err());
        assertArrayEquals(Files.readAllBytes(cwd.resolve(name + "-local.o")), Files.readAllBytes(cwd.resolve(name
                + ".o")), compiler + " " + src + ": the node's -g object is the local one");
    }
}
