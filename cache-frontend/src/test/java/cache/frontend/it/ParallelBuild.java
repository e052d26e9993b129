package cache.frontend.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A generated project's sources ({@code name.c} in one directory) compiled the way {@code make -j}
 * runs them: plain gcc for the reference objects, then through {@code cache gcc}, each object
 * compared with gcc's own byte for byte.
 */
final class ParallelBuild {

    private ParallelBuild() {
    }

    /** {@code gcc FLAGS -c F -o F.o} for each source, without any cache; the objects, removed from disk. */
    static Map<String, byte[]> plainGcc(Path project, List<String> sources, String flags) throws Exception {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.remove("CCACHE_PREFIX");
        env.put("LC_ALL", "C");
        Map<String, byte[]> objects = new LinkedHashMap<>();
        for (String src : sources) {
            CacheFixture.Result r = CacheFixture.run(project, command("gcc", flags, src), env);
            assertEquals(0, r.exitCode(), "plain gcc " + flags + " " + src + ": " + r.err());
            objects.put(src, Files.readAllBytes(project.resolve(object(src))));
            Files.delete(project.resolve(object(src)));
        }
        return objects;
    }

    /**
     * {@code cache gcc FLAGS -c F -o F.o} for every source, {@code jobs} at a time; every call
     * succeeds and leaves plain gcc's object ({@code expected}). Failures say {@code what}.
     */
    static void build(CacheFixture cache, Path project, List<String> sources, String flags,
            Map<String, byte[]> expected, String what, int jobs) {
        ExecutorService pool = Executors.newFixedThreadPool(jobs);
        try {
            Map<String, Future<CacheFixture.Result>> runs = new LinkedHashMap<>();
            for (String src : sources) {
                Files.deleteIfExists(project.resolve(object(src)));
                List<String> cmd = new ArrayList<>(List.of(CacheFixture.CLIENT.toString()));
                cmd.addAll(command("gcc", flags, src));
                runs.put(src, pool.submit(() -> cache.run(project, cmd)));
            }
            for (Map.Entry<String, Future<CacheFixture.Result>> run : runs.entrySet()) {
                CacheFixture.Result r = run.getValue().get(4, TimeUnit.MINUTES);
                String src = run.getKey();
                assertEquals(0, r.exitCode(), what + ": cache gcc " + flags + " " + src + " failed: " + r.err());
                assertArrayEquals(expected.get(src), Files.readAllBytes(project.resolve(object(src))),
                        what + ": " + object(src) + " differs from plain gcc's");
            }
        } catch (Exception e) {
            throw new AssertionError(what + ": " + e, e);
        } finally {
            pool.shutdownNow();
        }
    }

    /** {@code compiler FLAGS -c SRC -o SRC.o}. */
    static List<String> command(String compiler, String flags, String src) {
        List<String> cmd = new ArrayList<>(List.of(compiler));
        cmd.addAll(List.of(flags.split(" ")));
        cmd.addAll(List.of("-c", src, "-o", object(src)));
        return cmd;
    }

    /** {@code x.c}'s object, {@code x.o}. */
    static String object(String src) {
        return src.substring(0, src.length() - 2) + ".o";
    }
}
