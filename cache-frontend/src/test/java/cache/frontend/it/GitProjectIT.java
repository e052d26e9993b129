package cache.frontend.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import cache.compat.Counter;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's git 2.39 source (issue 22: every compile of it was uncacheable, its
 * {@code -DPROCFS_EXECUTABLE_PATH="/proc/self/exe"} taken for a file of the calling process),
 * built by its own plain Makefile five times in one directory (objects built with {@code -g}
 * embed it): plain (no cache); cold and warm through {@code cache}'s masquerade links
 * ({@code cache --install-links DIR}, DIR first on PATH); cold and warm through Debian's
 * ccache ({@code /usr/lib/ccache} first on PATH), each cache with a directory of its own. Every
 * build starts from a fresh copy of the sources.
 *
 * <p>Checked: every object and every dependency file ({@code .depend/**}) of the four cached
 * builds is byte-identical to the plain build's; {@code cache}'s cold build had no uncacheable
 * call and no error; its warm build is all direct hits (no miss, no uncacheable call, no error);
 * and it has at least as many direct hits as ccache's warm build of the same tree.
 *
 * <p>The build is a subset, to stay within a few minutes on CI's two cores (the whole of git,
 * 496 objects, takes about 95 s plain at -j2): {@code make -j2} of every {@code builtin/*.o}
 * (123 objects; like every object they carry the PROCFS define, and {@code builtin/help.o} its
 * own path defines), {@code git.o version.o exec-cmd.o pager.o setup.o config.o attr.o} (the
 * objects with extra {@code -D} string defines: version, paths, the build's host) and
 * {@code xdiff/lib.a} (7 objects): 137 compiles, about 30 s of compiling on two idle cores.
 * Make variables: {@link #MAKE_VARIABLES}. No configure: git's Makefile works without it.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class GitProjectIT {

    /**
     * No optional dependency of git's (a fresh Debian 12 with .ci/run's packages has zlib's
     * headers, which git cannot do without, and none of the others); and the compiler's
     * {@code -MMD} support stated rather than probed: the Makefile's probe compiles
     * {@code /dev/null} into {@code /dev/null}, a call no cache can store (both count it
     * compiler_produced_empty_output), so that every compiler call of the build is an object's.
     */
    static final List<String> MAKE_VARIABLES = List.of("NO_GETTEXT=1", "NO_TCLTK=1", "NO_PERL=1", "NO_PYTHON=1",
            "NO_CURL=1", "NO_EXPAT=1", "NO_OPENSSL=1", "COMPUTE_HEADER_DEPENDENCIES=yes");

    /** The targets besides builtin/*.o. */
    static final List<String> OTHER_TARGETS = List.of("git.o", "version.o", "exec-cmd.o", "pager.o", "setup.o",
            "config.o", "attr.o", "xdiff/lib.a");

    private static final long BUILD_MINUTES = 10;

    @TempDir
    Path tmp;

    @Test
    void gitBuildsIdenticallyAndItsWarmBuildIsAllDirectHits() throws Exception {
        RealCcache.requireInstalled();
        Prerequisites.require(Files.isExecutable(RealCcache.MASQUERADE_DIR.resolve("cc")),
                "ccache's masquerade links (" + RealCcache.MASQUERADE_DIR + "/cc)");
        Path src = gitSource();
        Path tree = tmp.resolve("git"); // every build here: -g objects embed the directory
        List<String> make = makeCommand(src);
        Map<String, String> plainEnv = baseEnv();
        String cleanPath = plainEnv.get("PATH");

        SortedMap<String, String> plain = build("plain", src, tree, make, plainEnv);
        long objects = plain.keySet().stream().filter(f -> f.endsWith(".o")).count();
        assertTrue(objects >= 137, "plain build made " + objects + " objects, expected at least 137");

        Map<String, Long> cacheCold;
        Map<String, Long> cacheWarm;
        try (CacheFixture cache = new CacheFixture(tmp.resolve("cache"))) {
            Map<String, String> env = baseEnv();
            env.put("CCACHE_DIR", cache.cacheDir.toString());
            env.put("XDG_RUNTIME_DIR", cache.runtimeDir.toString());
            env.putAll(Map.of("CACHE_IDLE_TIMEOUT", "300", "CACHE_WARMUP", "0"));
            Path links = tmp.resolve("links");
            CacheFixture.Result r = cache.cache(tmp, "--install-links", links.toString());
            assertEquals(0, r.exitCode(), r.err());
            env.put("PATH", links + ":" + cleanPath);

            Map<String, Long> s0 = cache.stats();
            assertSame("cache cold", plain, build("cache-cold", src, tree, make, env));
            Map<String, Long> s1 = cache.stats();
            assertSame("cache warm", plain, build("cache-warm", src, tree, make, env));
            Map<String, Long> s2 = cache.stats();
            cacheCold = delta(s0, s1);
            cacheWarm = delta(s1, s2);
        }

        Map<String, String> env = baseEnv();
        env.put("CCACHE_DIR", Files.createDirectories(tmp.resolve("ccache-dir")).toString());
        env.put("PATH", RealCcache.MASQUERADE_DIR + ":" + cleanPath);
        Map<String, Long> c0 = ccacheStats(env);
        assertSame("ccache cold", plain, build("ccache-cold", src, tree, make, env));
        Map<String, Long> c1 = ccacheStats(env);
        assertSame("ccache warm", plain, build("ccache-warm", src, tree, make, env));
        Map<String, Long> c2 = ccacheStats(env);
        Map<String, Long> ccacheWarm = delta(c1, c2);

        System.out.printf("git: %d objects; counters (changed only):%n  cache cold  %s%n  cache warm  %s%n"
                + "  ccache cold %s%n  ccache warm %s%n", objects, cacheCold, cacheWarm, delta(c0, c1), ccacheWarm);
        assertEquals(0, sum(cacheCold, Counter.Kind.UNCACHEABLE), "cache cold: uncacheable calls " + cacheCold);
        assertEquals(0, sum(cacheCold, Counter.Kind.ERROR), "cache cold: errors " + cacheCold);
        assertEquals(objects, get(cacheWarm, Counter.DIRECT_CACHE_HIT), "cache warm: direct hits " + cacheWarm);
        assertEquals(0, get(cacheWarm, Counter.CACHE_MISS), "cache warm: misses " + cacheWarm);
        assertEquals(0, sum(cacheWarm, Counter.Kind.UNCACHEABLE), "cache warm: uncacheable calls " + cacheWarm);
        assertEquals(0, sum(cacheWarm, Counter.Kind.ERROR), "cache warm: errors " + cacheWarm);
        assertTrue(get(cacheWarm, Counter.DIRECT_CACHE_HIT) >= get(ccacheWarm, Counter.DIRECT_CACHE_HIT),
                "fewer direct hits than ccache: " + cacheWarm + " vs " + ccacheWarm);
    }

    /** The unpacked git source, from fetch-sources.sh (its third line). */
    private Path gitSource() throws IOException, InterruptedException {
        Path git = CacheFixture.fetchedSource(2);
        assertTrue(Files.isRegularFile(git.resolve("Makefile")), git + " has no Makefile");
        return git;
    }

    private static List<String> makeCommand(Path src) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("make", "-j2"));
        cmd.addAll(MAKE_VARIABLES);
        try (Stream<Path> files = Files.list(src.resolve("builtin"))) {
            cmd.addAll(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".c")).sorted()
                    .map(n -> "builtin/" + n.substring(0, n.length() - 2) + ".o").toList());
        }
        cmd.addAll(OTHER_TARGETS);
        return cmd;
    }

    /**
     * The caller's environment without anything that would steer a cache or the build: no
     * CCACHE_* variable, no make variables, no dependency-output variables, /usr/lib/ccache off
     * PATH.
     */
    private static Map<String, String> baseEnv() {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.keySet().removeIf(k -> k.startsWith("CCACHE_") || k.startsWith("CACHE_") || k.equals("MAKEFLAGS")
                || k.equals("MFLAGS") || k.equals("MAKELEVEL") || k.equals("DEPENDENCIES_OUTPUT")
                || k.equals("SUNPRO_DEPENDENCIES"));
        env.put("LC_ALL", "C");
        env.put("PATH", Stream.of(env.getOrDefault("PATH", "/usr/bin:/bin").split(":"))
                .filter(d -> !d.isEmpty() && !Path.of(d).equals(RealCcache.MASQUERADE_DIR))
                .collect(Collectors.joining(":")));
        return env;
    }

    /**
     * A fresh copy of {@code src} at {@code tree}, built; returns the SHA-256 of every object and
     * dependency file by relative path.
     */
    private SortedMap<String, String> build(String name, Path src, Path tree, List<String> make,
            Map<String, String> env) throws IOException, InterruptedException {
        Path log = tmp.resolve(name + ".log");
        assertEquals(0, run(List.of("rm", "-rf", tree.toString()), tmp, env, log, log, 2), name + ": rm");
        assertEquals(0, run(List.of("cp", "-a", src.toString(), tree.toString()), tmp, env, log, log, 2), name + ": cp");
        long start = System.nanoTime();
        int rc = run(make, tree, env, log, log, BUILD_MINUTES);
        long millis = (System.nanoTime() - start) / 1_000_000;
        if (rc != 0) {
            List<String> lines = Files.readAllLines(log);
            fail(name + ": make exited " + rc + "; last lines:\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size())));
        }
        SortedMap<String, String> manifest = manifest(tree);
        System.out.printf("git %-12s %6d ms, %d files%n", name, millis, manifest.size());
        return manifest;
    }

    private static SortedMap<String, String> manifest(Path tree) throws IOException {
        SortedMap<String, String> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(tree)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String rel = tree.relativize(f).toString();
                if (Files.isRegularFile(f) && (rel.endsWith(".o") || rel.startsWith(".depend/") || rel.contains("/.depend/"))) {
                    out.put(rel, sha256(f));
                }
            }
        }
        return out;
    }

    private static String sha256(Path f) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static void assertSame(String what, SortedMap<String, String> plain, SortedMap<String, String> built) {
        if (plain.equals(built)) {
            return;
        }
        List<String> differ = new ArrayList<>();
        for (String f : plain.keySet()) {
            if (!plain.get(f).equals(built.get(f))) {
                differ.add(f + (built.containsKey(f) ? " differs" : " missing"));
            }
        }
        built.keySet().stream().filter(f -> !plain.containsKey(f)).forEach(f -> differ.add(f + " extra"));
        fail(what + ": " + differ.size() + " files not identical to the plain build's: "
                + differ.subList(0, Math.min(10, differ.size())));
    }

    private Map<String, Long> ccacheStats(Map<String, String> env) throws IOException, InterruptedException {
        Path out = tmp.resolve("ccache-stats.out");
        int rc = run(List.of(RealCcache.BINARY.toString(), "--print-stats"), tmp, env, out, out, 1);
        assertEquals(0, rc, "ccache --print-stats: " + Files.readString(out));
        Map<String, Long> m = new HashMap<>();
        for (String line : Files.readAllLines(out)) {
            String[] kv = line.split("\t");
            if (kv.length == 2 && kv[1].matches("[0-9]+")) {
                m.put(kv[0], Long.parseLong(kv[1]));
            }
        }
        return m;
    }

    /** after - before for the counters that changed (the timestamp left out). */
    private static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> d = new TreeMap<>();
        after.forEach((k, v) -> {
            long n = v - before.getOrDefault(k, 0L);
            if (n != 0 && !k.equals("stats_updated_timestamp") && !k.startsWith("cache_size") && !k.startsWith("files_in")) {
                d.put(k, n);
            }
        });
        return d;
    }

    private static long get(Map<String, Long> counters, Counter c) {
        return counters.getOrDefault(c.id(), 0L);
    }

    private static long sum(Map<String, Long> counters, Counter.Kind kind) {
        long s = 0;
        for (Counter c : Counter.values()) {
            if (c.kind() == kind) {
                s += get(counters, c);
            }
        }
        return s;
    }

    /** Runs a command with only {@code env}, stdin from /dev/null; kills it (and its children) past the limit. */
    private static int run(List<String> cmd, Path cwd, Map<String, String> env, Path out, Path err, long minutes)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        if (out.equals(err)) {
            pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()));
        } else {
            pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        }
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        try {
            if (!p.waitFor(minutes, TimeUnit.MINUTES)) {
                throw new AssertionError("timed out after " + minutes + " min: " + cmd);
            }
            return p.exitValue();
        } finally {
            if (p.isAlive()) { // timed out or interrupted (the class's @Timeout)
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }
    }
}
