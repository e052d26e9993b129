package cache.frontend.key;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class IncludeScannerTest {

    private static List<IncludeScanner.Included> scan(String text) {
        return IncludeScanner.scan(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * One pass gives every included file (nesting, re-inclusion, the command line's) and the
     * ones a precompiled header could stand for: not b.h (inside a header), not cfg-inner.h
     * (inside a command-line include), not stdio.h (after "int x;"); a #pragma is no token.
     */
    @Test
    @Timeout(10)
    void onePassGivesTheIncludedFilesAndThePrecompilableOnes() {
        String cpp = """
                # 0 "src/x.c"
                # 0 "<built-in>"
                # 0 "<command-line>"
                # 1 "/usr/include/stdc-predef.h" 1 3 4
                # 0 "<command-line>" 2
                # 1 "./cfg.h" 1
                # 1 "./cfg-inner.h" 1
                # 2 "./cfg.h" 2
                # 0 "<command-line>" 2
                # 1 "src/x.c"

                #pragma GCC diagnostic push
                # 1 "inc/a.h" 1
                # 1 "inc/sub/b.h" 1
                int b;
                # 2 "inc/a.h" 2
                # 3 "src/x.c" 2
                # 1 "inc/c.h" 1
                # 4 "src/x.c" 2
                int x;
                # 1 "/usr/include/stdio.h" 1 3 4
                # 27 "/usr/include/stdio.h" 3 4
                # 1 "/usr/include/x86_64-linux-gnu/bits/libc-header-start.h" 1 3 4
                # 28 "/usr/include/stdio.h" 2 3 4
                # 6 "src/x.c" 2
                # 1 "inc/a.h" 1
                # 7 "src/x.c" 2
                int main(void) { return 0; }
                """;
        IncludeScanner.Scanned scanned = IncludeScanner.read(cpp.getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of(
                new IncludeScanner.Included("/usr/include/stdc-predef.h", "<command-line>"),
                new IncludeScanner.Included("./cfg.h", "<command-line>"),
                new IncludeScanner.Included("./cfg-inner.h", "./cfg.h"),
                new IncludeScanner.Included("inc/a.h", "src/x.c"),
                new IncludeScanner.Included("inc/sub/b.h", "inc/a.h"),
                new IncludeScanner.Included("inc/c.h", "src/x.c"),
                new IncludeScanner.Included("/usr/include/stdio.h", "src/x.c"),
                new IncludeScanner.Included("/usr/include/x86_64-linux-gnu/bits/libc-header-start.h", "/usr/include/stdio.h")),
                scanned.included());
        assertEquals(scanned.included(), scan(cpp));
        assertEquals(List.of("/usr/include/stdc-predef.h", "./cfg.h", "inc/a.h", "inc/c.h"),
                scanned.precompilable().stream().map(IncludeScanner.Included::path).toList());
    }

    @Test
    void escapedNamesAndNonMarkers() {
        String cpp = "# 1 \"x.c\"\n# 1 \"dir with \\\"quote\\\"/h.h\" 1\n#pragma once\n#define X\n# 2 \"x.c\" 2\n";
        assertEquals(List.of(new IncludeScanner.Included("dir with \"quote\"/h.h", "x.c")), scan(cpp));
    }

    private static List<String> precompilable(String text) {
        return IncludeScanner.read(text.getBytes(StandardCharsets.UTF_8)).precompilable().stream()
                .map(IncludeScanner.Included::path).toList();
    }

    @Test
    void aMainFileThatStartsWithATokenOrHasNoMarkersHasNoCandidate() {
        assertEquals(List.of(), precompilable("""
                # 0 "x.c"
                # 1 "x.c"
                int first;
                # 1 "a.h" 1
                # 2 "x.c" 2
                """));
        assertEquals(List.of(), precompilable("test\n"));
        assertEquals(List.of(), precompilable("# 1 \"x.c\"\nint x;\n"));
    }

    @Test
    void clangMarkersToo() {
        assertEquals(List.of("./cfg.h", "./a.h"), precompilable("""
                # 1 "x.c"
                # 1 "<built-in>" 1
                # 1 "<built-in>" 3
                # 361 "<built-in>" 3
                # 1 "<command line>" 1
                # 1 "<built-in>" 2
                # 1 "./cfg.h" 1
                int c;
                # 2 "<built-in>" 2
                # 1 "x.c" 2
                # 1 "./a.h" 1
                int a;
                # 2 "x.c" 2
                int x;
                """));
    }
}
