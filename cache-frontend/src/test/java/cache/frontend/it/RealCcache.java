package cache.frontend.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Debian's ccache 4.7.5 ({@code /usr/bin/ccache}, installed by .ci/run) with a cache directory
 * of its own, for side-by-side comparisons. Where it is missing, tests that need it are skipped,
 * or fail on CI ({@link Prerequisites}).
 */
final class RealCcache {

    static final Path BINARY = Path.of("/usr/bin/ccache");

    /** Debian's masquerade directory: {@code gcc}, {@code cc} … linked to ccache. */
    static final Path MASQUERADE_DIR = Path.of("/usr/lib/ccache");

    private final Map<String, String> env;

    RealCcache(CacheFixture cache, Path dir) throws IOException {
        requireInstalled();
        env = new HashMap<>(cache.env);
        env.put("CCACHE_DIR", Files.createDirectories(dir).toString());
    }

    /** Skips the calling test when {@code /usr/bin/ccache} is missing; fails it on CI. */
    static void requireInstalled() {
        Prerequisites.require(Files.isExecutable(BINARY), "ccache 4.7 (" + BINARY + ")");
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
