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
 * Debian's zlib and lua5.4 sources built plain, then twice through {@code cache} (cold, warm)
 * by the README's showcase script: every object identical to the plain build's, the warm
 * build all hits. The script fetches the sources with {@code apt-get source}.
 */
@Timeout(value = 25, unit = TimeUnit.MINUTES)
class RealProjectIT {

    @Test
    void zlibAndLuaBuildIdenticallyAndTheWarmBuildIsAllHits() throws Exception {
        Path repo = CacheFixture.DIST.getParent();
        Path script = repo.resolve("benchmarks/scripts/real-project.sh");
        assertTrue(Files.isExecutable(script), script.toString());
        Map<String, String> env = new HashMap<>(System.getenv());
        env.remove("CCACHE_DIR");
        env.put("LC_ALL", "C");
        Path log = Files.createTempFile("real-project", ".log");
        try {
            ProcessBuilder pb = new ProcessBuilder(List.of(script.toString(), "--check")).directory(repo.toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().clear();
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(24, TimeUnit.MINUTES)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
            String out = Files.readString(log);
            System.out.println(out);
            assertEquals(0, p.exitValue(), "real-project.sh --check failed:\n" + out);
            assertTrue(out.contains("PASS"), out);
        } finally {
            Files.deleteIfExists(log);
            CacheFixture.runQuietly(List.of(CacheFixture.CLIENT.toString(), "--stop-daemon"),
                    Map.of("CCACHE_DIR", repo.resolve("work/cache-dir").toString()));
        }
    }
}
