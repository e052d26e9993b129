package cache.frontend.replay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The expected files are what gcc 12.2 and clang 14 wrote for {@code -c -MMD t.c -o <target>}. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class DependencyTargetsTest {

    private static final String H = "some/very/long/directory/name/for/testing/header_number_";
    private static final String LONG = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.o";

    private static final String GCC_SHORT = "ab/cd.o: t.c " + H + "1.h \\\n " + H + "2.h \\\n " + H + "3.h\n";
    private static final String GCC_LONG = LONG + ": t.c \\\n " + H + "1.h \\\n " + H + "2.h \\\n " + H + "3.h\n";
    private static final String CLANG_SHORT = "ab/cd.o: t.c " + H + "1.h \\\n  " + H + "2.h \\\n  " + H + "3.h\n";
    private static final String CLANG_LONG = LONG + ": t.c \\\n  " + H + "1.h \\\n  " + H + "2.h \\\n  " + H + "3.h\n";
    private static final String PHONY = H + "1.h:\n" + H + "2.h:\n" + H + "3.h:\n";

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void gccRuleIsLaidOutAgainAsGccWrapsIt() {
        assertArrayEquals(bytes(GCC_LONG), DependencyTargets.retarget(bytes(GCC_SHORT), List.of(LONG)));
        assertArrayEquals(bytes(GCC_SHORT), DependencyTargets.retarget(bytes(GCC_LONG), List.of("ab/cd.o")));
    }

    @Test
    void clangRuleIsLaidOutAgainAsClangWrapsIt() {
        assertArrayEquals(bytes(CLANG_LONG), DependencyTargets.retarget(bytes(CLANG_SHORT), List.of(LONG)));
        assertArrayEquals(bytes(CLANG_SHORT), DependencyTargets.retarget(bytes(CLANG_LONG), List.of("ab/cd.o")));
    }

    @Test
    void phonyTargetsOfMpAreKeptAsWritten() {
        assertArrayEquals(bytes(GCC_LONG + PHONY), DependencyTargets.retarget(bytes(GCC_SHORT + PHONY), List.of(LONG)));
    }

    @Test
    void theSameTargetReturnsTheStoredBytesUntouched() {
        byte[] stored = bytes(GCC_SHORT);
        assertSame(stored, DependencyTargets.retarget(stored, List.of("ab/cd.o")));
    }

    @Test
    void anUnknownLayoutIsNotRewritten() {
        assertNull(DependencyTargets.retarget(bytes("a.o: t.c \\\n      x.h\n"), List.of("b.o")));
        assertNull(DependencyTargets.retarget(bytes("no rule here"), List.of("b.o")));
        assertNull(DependencyTargets.retarget(bytes("a.o:t.c\n"), List.of("c.o")));
    }

    /** gcc 12.2: {@code gcc -c -MMD -MT aaaa…(40) -MT bbbb…(40) t.c} wraps between targets too. */
    @Test
    void severalTargetsAreWrappedAsTheCompilerWrapsThem() {
        String a = "a".repeat(40);
        String b = "b".repeat(40);
        String gcc = a + " \\\n " + b + ": t.c \\\n " + H + "1.h \\\n " + H + "2.h \\\n " + H + "3.h\n";
        byte[] one = DependencyTargets.retarget(bytes(gcc), List.of("x.o"));
        assertArrayEquals(bytes("x.o: t.c " + H + "1.h \\\n " + H + "2.h \\\n " + H + "3.h\n"), one);
        assertArrayEquals(bytes(gcc), DependencyTargets.retarget(one, List.of(a, b)));
    }

    @Test
    void shortRulesNeedNoWrapping() {
        assertArrayEquals(bytes("another.o: test.c test1.h test3.h test2.h\n"),
                DependencyTargets.retarget(bytes("test.o: test.c test1.h test3.h test2.h\n"), List.of("another.o")));
    }
}
