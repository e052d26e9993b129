package cache.frontend.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code debug_dir} ({@code CCACHE_DEBUGDIR}) as ccache 4.7 does it: with {@code debug} on, a
 * call's debug files go under the directory at the object's absolute path
 * ({@code <debug_dir>/<abs object path>.<time>.<suffix>}; a relative {@code debug_dir} is taken
 * from the working directory), none next to the object; without {@code debug} it writes nothing.
 * The files themselves are ours ({@code cache-key-*.txt}, {@code cache-input-cpp.i}, see
 * docs/internals.md), not ccache's ({@code ccache-input-*}, {@code ccache-log}).
 */
@Timeout(120)
class DebugDirIT extends CacheWorkDir {

    /** {@code <object name>.<yyyyMMdd_HHmmss_micros>.<suffix>}, as ccache names them. */
    private static final java.util.regex.Pattern DEBUG_FILE =
            java.util.regex.Pattern.compile("(.+\\.o)\\.(\\d{8}_\\d{6}_\\d{6})\\.(.+)");

    @BeforeEach
    void setUp() throws Exception {
        Files.createDirectories(work.resolve("obj"));
        Files.writeString(work.resolve("h.h"), "#define SCALE 3\n");
        Files.writeString(work.resolve("a.c"), "#include \"h.h\"\nint a(int x) { return x * SCALE; }\n");
    }

    private void compile(Path cwd, Map<String, String> settings, String source, String object) throws Exception {
        Map<String, String> env = new HashMap<>(cache.env);
        env.putAll(settings);
        CacheFixture.Result r = CacheFixture.run(cwd, List.of(CacheFixture.CLIENT.toString(), "gcc", "-O1", "-c",
                source, "-o", object), env);
        assertEquals(0, r.exitCode(), r.err());
    }

    /** Every regular file under {@code dir}, relative to it. */
    private static Set<String> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return new TreeSet<>();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString())
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    /** The suffixes of the debug files among {@code names} written for object {@code object}. */
    private static Set<String> suffixes(Set<String> names, String object) {
        Set<String> out = new TreeSet<>();
        for (String n : names) {
            java.util.regex.Matcher m = DEBUG_FILE.matcher(n);
            if (m.matches() && m.group(1).equals(object)) {
                out.add(m.group(3));
            }
        }
        return out;
    }

    @Test
    void debugFilesGoUnderDebugDirAtTheObjectsAbsolutePath() throws Exception {
        // Next to the object without debug_dir: what a call writes.
        compile(work, Map.of("CCACHE_DEBUG", "1"), "a.c", "obj/near.o");
        Set<String> near = suffixes(files(work.resolve("obj")), "near.o");
        assertTrue(near.containsAll(Set.of("cache-key-direct.txt", "cache-key-preprocessor.txt", "cache-input-cpp.i")),
                "a miss writes its keys and preprocessed text: " + near);

        Path debugDir = tmp.resolve("debug");
        // A miss again (another object name for the same compile would be a direct hit).
        assertEquals(0, cache.cache(work, "-C").exitCode());
        compile(work, Map.of("CCACHE_DEBUG", "1", "CCACHE_DEBUGDIR", debugDir.toString()), "a.c", "obj/far.o");
        Set<String> inObj = files(work.resolve("obj"));
        inObj.removeIf(n -> suffixes(Set.of(n), "near.o").size() == 1);
        assertEquals(Set.of("far.o", "near.o"), inObj, "nothing next to obj/far.o but the object");
        Set<String> under = files(debugDir);
        Path mirrored = debugDir.resolve(work.resolve("obj").toString().substring(1));
        Set<String> there = files(mirrored);
        assertEquals(under.size(), there.size(), "every debug file is in " + mirrored + ": " + under);
        assertEquals(near, suffixes(there, "far.o"), "the same files as next to the object: " + there);
    }

    @Test
    void aRelativeDebugDirIsTakenFromTheWorkingDirectory() throws Exception {
        compile(work, Map.of("CCACHE_DEBUG", "1", "CCACHE_DEBUGDIR", "dbg"), "a.c", "obj/a.o");
        Path mirrored = work.resolve("dbg").resolve(work.resolve("obj").toString().substring(1));
        Set<String> there = suffixes(files(mirrored), "a.o");
        assertTrue(there.contains("cache-key-direct.txt"), mirrored + ": " + files(work.resolve("dbg")));
        assertEquals(Set.of("a.o"), files(work.resolve("obj")));
    }

    @Test
    void withoutDebugTheDebugDirStaysEmpty() throws Exception {
        Path debugDir = tmp.resolve("debug");
        compile(work, Map.of("CCACHE_DEBUGDIR", debugDir.toString()), "a.c", "obj/a.o");
        compile(work, Map.of("CCACHE_DEBUGDIR", debugDir.toString()), "a.c", "obj/a.o"); // a hit too
        assertEquals(1, cache.stat("direct_cache_hit"));
        assertFalse(Files.exists(debugDir), "debug_dir without debug writes nothing");
        assertEquals(Set.of("a.o"), files(work.resolve("obj")));
    }

    /** Where ccache 4.7 puts its debug files for the same call: the same directory as ours. */
    @Test
    void theRealCcacheWritesIntoTheSameMirroredDirectory() throws Exception {
        RealCcache.requireInstalled();
        Path ours = tmp.resolve("ours");
        Path theirs = tmp.resolve("theirs");
        compile(work, Map.of("CCACHE_DEBUG", "1", "CCACHE_DEBUGDIR", ours.toString()), "a.c", "obj/a.o");
        Map<String, String> env = new HashMap<>(cache.env);
        env.put("CCACHE_DIR", Files.createDirectories(tmp.resolve("real-cache")).toString());
        env.put("CCACHE_DEBUG", "1");
        env.put("CCACHE_DEBUGDIR", theirs.toString());
        CacheFixture.Result r = CacheFixture.run(work, List.of(RealCcache.BINARY.toString(), "gcc", "-O1", "-c", "a.c",
                "-o", "obj/b.o"), env);
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(directories(theirs), directories(ours), "ours " + files(ours) + ", ccache's " + files(theirs));
        assertTrue(files(theirs).stream().allMatch(n -> DEBUG_FILE.matcher(Path.of(n).getFileName().toString())
                .matches()), "ccache names them <object>.<time>.<suffix> too: " + files(theirs));
    }

    /**
     * ccache 4.7 stamps all the debug files of one call with one time (the call's), so the files
     * of two calls for the same object can be told apart and diffed set against set. Ours took
     * the time each file was written (two or three stamps per call); now the call's start.
     */
    @Test
    void oneCallsDebugFilesShareOneTimeStamp() throws Exception {
        Path debugDir = tmp.resolve("debug");
        compile(work, Map.of("CCACHE_DEBUG", "1", "CCACHE_DEBUGDIR", debugDir.toString()), "a.c", "obj/a.o");
        Set<String> stamps = new TreeSet<>();
        for (String n : files(debugDir)) {
            java.util.regex.Matcher m = DEBUG_FILE.matcher(Path.of(n).getFileName().toString());
            assertTrue(m.matches(), n);
            stamps.add(m.group(2));
        }
        assertEquals(1, stamps.size(), "one call, one time stamp: " + files(debugDir));
    }

    /**
     * Each call's own log, {@code <object>.<time>.ccache-log} as ccache names it, ends with a
     * {@code Result: <counter>} line per counter, cached or not (ccache names it after the
     * object even for a call it refuses), and says the compiler type.
     */
    @Test
    void everyCallWritesItsLogWithItsResultsAsCcacheDoes() throws Exception {
        Map<String, String> env = new HashMap<>(cache.env);
        env.put("CCACHE_DEBUG", "1");
        assertEquals(0, CacheFixture.run(work, List.of(CacheFixture.CLIENT.toString(), "gcc", "-c", "a.c"), env)
                .exitCode());
        String log = Files.readString(only(work, "a.o.", ".ccache-log"));
        assertTrue(log.contains("Result: cache_miss\n") && log.contains("Compiler type: gcc\n"), log);
        Files.delete(only(work, "a.o.", ".ccache-log"));
        assertEquals(0, CacheFixture.run(work, List.of(CacheFixture.CLIENT.toString(), "gcc", "-c", "a.c",
                "-save-temps"), env).exitCode());
        String refused = Files.readString(only(work, "a.o.", ".ccache-log"));
        assertTrue(refused.contains("Result: unsupported_compiler_option\n"), refused);
    }

    private static Path only(Path dir, String prefix, String suffix) throws IOException {
        try (java.util.stream.Stream<Path> s = Files.list(dir)) {
            List<Path> found = s.filter(p -> p.getFileName().toString().startsWith(prefix)
                    && p.getFileName().toString().endsWith(suffix)).toList();
            assertEquals(1, found.size(), prefix + "*" + suffix + " in " + dir + ": " + found);
            return found.get(0);
        }
    }

    /** The directories (relative to {@code root}) that hold files. */
    private static Set<String> directories(Path root) throws IOException {
        Set<String> out = new TreeSet<>();
        for (String f : files(root)) {
            Path parent = Path.of(f).getParent();
            out.add(parent == null ? "" : parent.toString());
        }
        return out;
    }
}
