package cache.frontend.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 3's acceptance: random header and source edits to Debian's lua5.4 tree between builds
 * (macro values, declarations, touches, shadowing headers added and removed, edits reverted,
 * .c edits), each build through {@code cache} compared object by object with a plain build of
 * the same tree. Zero stale hits. Runs {@code benchmarks/scripts/mutation-test.sh} with a fixed
 * seed and a bound of 12 iterations (about 3–4 minutes on 2 cores); the script exits non-zero
 * on any mismatch. It fetches the sources with {@code apt-get source} when they are missing.
 *
 * <p>Every 4th iteration builds with clang (the script's default): its {@code -g} DWARF 5
 * checksums once made a preprocessed hit stale, see {@link ClangDebugChecksumIT}.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class MutationIT {

    private static final int ITERATIONS = 12;
    private static final int SEED = 3;

    @Test
    void everyCachedObjectEqualsThePlainBuildsAfterRandomEdits() throws Exception {
        Path repo = CacheFixture.DIST.getParent();
        Path script = repo.resolve("benchmarks/scripts/mutation-test.sh");
        assertTrue(Files.isExecutable(script), script.toString());
        Map<String, String> env = new HashMap<>(System.getenv());
        env.remove("CCACHE_DIR");
        env.put("LC_ALL", "C");
        env.put("CACHE_BIN", CacheFixture.CLIENT.toString());
        Path log = Files.createTempFile("mutation-test", ".log");
        try {
            ProcessBuilder pb = new ProcessBuilder(List.of(script.toString(), "--iterations",
                    Integer.toString(ITERATIONS), "--seed", Integer.toString(SEED)))
                    .directory(repo.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().clear();
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(14, TimeUnit.MINUTES)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor();
            }
            String out = Files.readString(log);
            System.out.println(out);
            assertEquals(0, p.exitValue(), "mutation-test.sh failed:\n" + out);
            assertTrue(out.contains(ITERATIONS + " iterations") && out.contains("stale 0\n")
                    && out.contains("RESULT: PASS"), out);
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
