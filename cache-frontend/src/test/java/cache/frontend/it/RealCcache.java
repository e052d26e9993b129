package cache.frontend.it;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Debian's ccache 4.7.5 ({@code /usr/bin/ccache}, installed by .ci/run) with a cache directory
 * of its own, for side-by-side comparisons; tests that need it are skipped where it is missing.
 */
final class RealCcache {

    static final Path BINARY = Path.of("/usr/bin/ccache");

    /** Debian's masquerade directory: {@code gcc}, {@code cc} … linked to ccache. */
    static final Path MASQUERADE_DIR = Path.of("/usr/lib/ccache");

    /**
     * For the tests whose point is the comparison with ccache: skipped where ccache is missing,
     * but failed on CI (the {@code CI} variable set), where .ci/run installs it, so that a
     * broken install cannot pass as a skip.
     */
    static void require() {
        boolean installed = Files.isExecutable(BINARY) && Files.isExecutable(MASQUERADE_DIR.resolve("gcc"));
        String why = "ccache 4.7 not installed (" + BINARY + ", " + MASQUERADE_DIR + "/gcc)";
        if (System.getenv("CI") != null) {
            assertTrue(installed, why + " on CI: .ci/run installs it");
        }
        assumeTrue(installed, why);
    }

    private final Map<String, String> env;

    RealCcache(CacheFixture cache, Path dir) throws IOException {
        assumeTrue(Files.isExecutable(BINARY), "ccache 4.7 not installed");
        env = new HashMap<>(cache.env);
        env.put("CCACHE_DIR", Files.createDirectories(dir).toString());
    }

    CacheFixture.Result run(Path cwd, Map<String, String> extraEnv, List<String> compile)
            throws IOException, InterruptedException {
        Map<String, String> e = new HashMap<>(env);
        e.putAll(extraEnv);
        List<String> cmd = new ArrayList<>();
        cmd.add(BINARY.toString());
        cmd.addAll(compile);
        return CacheFixture.run(cwd, cmd, e);
    }
}
