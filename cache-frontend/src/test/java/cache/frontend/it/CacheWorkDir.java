package cache.frontend.it;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The common shape of a test class that drives one private cache: a temporary directory
 * {@link #tmp}, a {@link CacheFixture} in it ({@link #cache}, its own daemon) and a working
 * directory {@link #work} ({@code tmp/w}), fresh for each test and closed after it. A subclass's
 * own {@code @BeforeEach} runs after this one's, so it finds both ready.
 */
abstract class CacheWorkDir {

    @TempDir
    Path tmp;

    CacheFixture cache;
    Path work;

    @BeforeEach
    void openCacheAndWorkDir() throws Exception {
        cache = new CacheFixture(tmp);
        work = Files.createDirectories(tmp.resolve("w"));
    }

    @AfterEach
    void closeCache() throws Exception {
        cache.close();
    }
}
