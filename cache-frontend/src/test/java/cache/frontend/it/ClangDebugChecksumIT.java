package cache.frontend.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stale hit found by {@code mutation-test.sh} (seed 3, iteration 8): clang's {@code -g} writes
 * DWARF 5 line tables with the MD5 of every file that contributed a declaration, so a header
 * edit that leaves the preprocessed text unchanged (a macro the source does not use) still
 * changes the object. The preprocessor-mode key only sees the preprocessed text, so the second
 * compile below is a preprocessed hit that replays the old object, whose {@code .debug_line}
 * holds the header's old MD5. ccache 4.7.5 does the same. gcc writes no checksums.
 * Enable when the key covers the included files' contents for such compiles.
 */
@Disabled("stale hit: clang -g DWARF 5 MD5 of an included header is not in the preprocessor-mode key")
class ClangDebugChecksumIT {

    @Test
    void headerEditInvisibleInThePreprocessedTextStillGivesThePlainObject(@TempDir Path tmp) throws Exception {
        assumeTrue(Compilers.cCompilers().contains("clang"), "clang not installed");
        try (CacheFixture cache = new CacheFixture(tmp)) {
            Path src = Files.createDirectories(tmp.resolve("src"));
            Path header = src.resolve("h.h");
            Files.writeString(header, "typedef unsigned char byte_t;\n#define UNUSED 1\n");
            Files.writeString(src.resolve("t.c"), "#include \"h.h\"\nbyte_t g = 7;\n");
            FileTime old = FileTime.from(Instant.now().minusSeconds(60));
            Files.setLastModifiedTime(header, old);
            Files.setLastModifiedTime(src.resolve("t.c"), old);
            List<String> compile = List.of("clang", "-g", "-c", "t.c", "-o", "t.o");

            assertEquals(0, cache.cache(src, compile.toArray(String[]::new)).exitCode());
            Files.writeString(header, "typedef unsigned char byte_t;\n#define UNUSED 2\n");
            Files.setLastModifiedTime(header, old);
            assertEquals(0, cache.cache(src, compile.toArray(String[]::new)).exitCode());
            byte[] cached = Files.readAllBytes(src.resolve("t.o"));

            assertEquals(0, CacheFixture.run(src, List.of("clang", "-g", "-c", "t.c", "-o", "plain.o"), cache.env)
                    .exitCode());
            assertArrayEquals(Files.readAllBytes(src.resolve("plain.o")), cached,
                    "the cached object must equal clang's own (stats: " + cache.stats() + ")");
        }
    }
}
