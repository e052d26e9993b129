package cache.frontend.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A cache directory shared by several real users, as Portage's {@code /var/cache/ccache} is
 * shared by root, {@code portage} and {@code distcc} (ccache's recipe: a setgid directory of a
 * common group, {@code umask = 002}). RocksDB admits one process per database, so the first
 * user's daemon holds the store and serves it on {@code <dir>/store.sock}; the second user's
 * daemon uses it through that socket while compiling as its own user; when the holder stops,
 * the other takes the store over. Real users (made with {@code useradd}, needs root), real
 * daemons started by the real client under {@code setpriv}, real gcc.
 */
@Timeout(300)
class SharedCacheDirIT {

    private static final String GROUP = "cacheshare";
    private static final List<String> USERS = List.of("cacheusera", "cacheuserb");
    private static Path root;
    private static Path client;
    private static Path shared;
    private static Path src;

    @BeforeAll
    static void setUp() throws Exception {
        boolean isRoot = "root".equals(System.getProperty("user.name"));
        Prerequisites.require(isRoot && Files.isExecutable(Path.of("/usr/bin/setpriv"))
                && Files.isExecutable(Path.of("/usr/sbin/useradd")), "root with setpriv and useradd (for real users)");
        root = Files.createTempDirectory(Path.of("/tmp"), "shared-it");
        run(List.of("chmod", "755", root.toString()));
        // The users need the client and the jars: a world-readable copy of dist/.
        run(List.of("cp", "-r", CacheFixture.DIST.toString(), root.resolve("dist").toString()));
        run(List.of("chmod", "-R", "a+rX", root.resolve("dist").toString()));
        client = root.resolve("dist/bin/cache");
        run(List.of("groupadd", "-f", GROUP));
        for (String u : USERS) {
            if (run(List.of("id", u)).exitCode() != 0) {
                CacheFixture.Result r = run(List.of("useradd", "-M", "-N", "-g", GROUP, "-s", "/bin/sh", u));
                assertEquals(0, r.exitCode(), r.err());
            }
            Path home = Files.createDirectories(root.resolve("home-" + u));
            Files.createDirectories(home.resolve("run"));
            Files.createDirectories(home.resolve("out"));
            run(List.of("chown", "-R", u + ":" + GROUP, home.toString()));
            run(List.of("chmod", "700", home.resolve("run").toString()));
        }
        shared = Files.createDirectories(root.resolve("ccache"));
        run(List.of("chgrp", GROUP, shared.toString()));
        run(List.of("chmod", "2775", shared.toString()));
        src = Files.createDirectories(root.resolve("src"));
        for (String name : List.of("a", "b", "c", "d")) {
            Files.writeString(src.resolve(name + ".c"), "#include <stdio.h>\nint " + name
                    + "(void) { return puts(\"" + name + "\"); }\n");
        }
        run(List.of("chmod", "-R", "a+rX", src.toString()));
        // older than the first call: independent of whether the daemon's JDK reads the coarse
        // clock (a source written in the tick its compile starts is only remembered when it does)
        CacheFixture.backdate(src);
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (root == null) {
            return;
        }
        for (String u : USERS) {
            as(u, List.of(client.toString(), "--stop-daemon"));
        }
        run(List.of("rm", "-rf", root.toString()));
    }

    private static CacheFixture.Result run(List<String> command) throws IOException, InterruptedException {
        return CacheFixture.run(Path.of("/"), command, Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"));
    }

    /** {@code command} as {@code user} (its group, supplementary groups), in the shared setting. */
    private static CacheFixture.Result as(String user, List<String> command) throws IOException, InterruptedException {
        Path home = root.resolve("home-" + user);
        Map<String, String> env = new HashMap<>();
        env.put("PATH", "/usr/bin:/bin");
        env.put("HOME", home.toString());
        env.put("XDG_RUNTIME_DIR", home.resolve("run").toString());
        env.put("CCACHE_DIR", shared.toString());
        env.put("CCACHE_UMASK", "002");
        env.put("CACHE_WARMUP", "0");
        env.put("LC_ALL", "C");
        List<String> full = new ArrayList<>(List.of("setpriv", "--reuid=" + user, "--regid=" + GROUP,
                "--init-groups", "--"));
        full.addAll(command);
        return CacheFixture.run(src, full, env);
    }

    private static CacheFixture.Result compile(String user, String name) throws Exception {
        Path out = root.resolve("home-" + user).resolve("out").resolve(name + ".o");
        CacheFixture.Result r = as(user, List.of(client.toString(), "gcc", "-O2", "-c", name + ".c", "-o",
                out.toString()));
        assertEquals(0, r.exitCode(), user + " compiling " + name + ".c: " + r.err());
        Path plain = root.resolve("plain-" + name + ".o");
        CacheFixture.Result same = CacheFixture.run(src, List.of("gcc", "-O2", "-c", name + ".c", "-o",
                plain.toString()), Map.of("PATH", "/usr/bin:/bin"));
        assertEquals(0, same.exitCode(), same.err());
        assertArrayEquals(Files.readAllBytes(plain), Files.readAllBytes(out), user + "'s " + name + ".o");
        return r;
    }

    private static Map<String, Long> stats(String user) throws Exception {
        CacheFixture.Result r = as(user, List.of(client.toString(), "--print-stats"));
        assertEquals(0, r.exitCode(), r.err());
        return CacheFixture.parseStats(r.out());
    }

    private static String log(String user) throws IOException {
        Path log = root.resolve("home-" + user).resolve("run/cache/d.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    private static long daemonPid(String user) throws IOException {
        return Long.parseLong(Files.readString(root.resolve("home-" + user).resolve("run/cache/d.pid")).trim());
    }

    @Test
    void twoUsersShareOneStoreThroughTheHoldersSocketAndTheOtherTakesItOver() throws Exception {
        String a = USERS.get(0);
        String b = USERS.get(1);
        compile(a, "a"); // a miss: a's daemon creates and holds the store
        assertTrue(log(a).contains("serving the shared store of " + shared), log(a));
        compile(b, "a"); // b's daemon finds the lock taken and uses a's store
        assertTrue(log(b).contains("using the store of " + shared + " through"), log(b));
        compile(b, "b"); // b's miss, stored in the shared store through a's daemon
        compile(a, "b"); // a hit for a: b's result
        Map<String, Long> seenByA = stats(a);
        Map<String, Long> seenByB = stats(b);
        assertEquals(2L, seenByA.get("cache_miss"), "one miss of each user, in one set of counters: " + seenByA);
        assertEquals(2L, seenByA.get("direct_cache_hit"), "and each user's hit on the other's result: " + seenByA);
        assertEquals(seenByA.get("cache_miss"), seenByB.get("cache_miss"), "b sees the same counters: " + seenByB);
        assertEquals(seenByA.get("direct_cache_hit"), seenByB.get("direct_cache_hit"), seenByB.toString());
        assertTrue(Files.exists(shared.resolve("store.sock")), "the holder's socket is in the directory");
        try (Stream<Path> files = Files.list(shared)) {
            assertEquals(1, files.filter(p -> p.getFileName().toString().equals("db")).count());
        }

        // The holder stops: the next calls of b find its socket gone and b's daemon takes the store.
        long holder = daemonPid(a);
        as(a, List.of(client.toString(), "--stop-daemon"));
        ProcessHandle.of(holder).ifPresent(p -> p.onExit().join());
        for (int i = 0; i < 3; i++) {
            compile(b, "c"); // the first may compile without the store (its holder just went); never fails
        }
        assertTrue(log(b).contains("opened the store of " + shared), "b's daemon holds the store now:\n" + log(b));
        compile(a, "c"); // a new daemon of a's now uses b's store: c was stored by b
        compile(a, "d");
        compile(b, "d");
        Map<String, Long> after = stats(b);
        // b's c (the third call, or the second and third when the first found the store), a's c, b's d.
        assertTrue(after.get("direct_cache_hit") >= 5, "c and d hit across the users: " + after);
        assertEquals(4L, after.get("cache_miss"), "a, b, c and d compiled once each: " + after);
    }
}
