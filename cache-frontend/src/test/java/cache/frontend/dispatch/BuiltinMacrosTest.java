package cache.frontend.dispatch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BuiltinMacrosTest {

    /** The head of {@code gcc-12 -g -DFOO=1 -UBAR -E -fdirectives-only t.c}, built-ins shortened. */
    private static final String CAPTURED = """
            # 0 "t.c"
            # 1 "/tmp/g/src//"
            # 0 "<built-in>"
            #define __STDC__ 1
            # 0 "<built-in>"
            #define __STDC_VERSION__ 201710L
            # 0 "<built-in>"
            #define __VERSION__ "12.2.0"
            # 0 "<built-in>"
            #define __DECIMAL_BID_FORMAT__ 1
            # 0 "<command-line>"
            #define FOO 1
            # 0 "<command-line>"
            #undef BAR
            # 0 "<command-line>"
            # 1 "/usr/include/stdc-predef.h" 1 3 4
            #define _STDC_PREDEF_H 1
            # 0 "<command-line>" 2
            # 1 "t.c"
            int v = FOO;
            """;

    @Test
    void aRealDirectivesOnlyHeadKeepsEverythingButThePredefinedMacros() {
        assertEquals("""
                # 0 "t.c"
                # 1 "/tmp/g/src//"
                # 0 "<command-line>"
                #define FOO 1
                # 0 "<command-line>"
                #undef BAR
                # 0 "<command-line>"
                # 1 "/usr/include/stdc-predef.h" 1 3 4
                #define _STDC_PREDEF_H 1
                # 0 "<command-line>" 2
                # 1 "t.c"
                int v = FOO;
                """, strip(CAPTURED));
    }

    @Test
    void edgeCases() {
        assertEquals("", strip(""));
        assertEquals("int x;", strip("int x;"), "no markers, no trailing newline");
        assertEquals("# 1 \"a.c\"\n", strip("# 0 \"<built-in>\"\n#define A 1\n# 1 \"a.c\"\n"));
        assertEquals("", strip("# 0 \"<built-in>\"\n#define A 1"), "a text that ends inside the block");
        // Not markers: a #define whose body mentions <built-in>, a directive, a marker without a number.
        String kept = "#define S \"<built-in>\"\n#line 3 \"<built-in>\"\n# \"<built-in>\"\n#  0 \"<built-in>\"\n";
        assertEquals(kept, strip(kept));
        // Another marker with flags ends the block; a later built-in marker starts one again.
        assertEquals("# 1 \"h.h\" 1 3 4\nint h;\n# 2 \"x.c\" 2\n",
                strip("# 0 \"<built-in>\"\n#define A\n# 1 \"h.h\" 1 3 4\nint h;\n# 0 \"<built-in>\"\n#define B\n"
                        + "# 2 \"x.c\" 2\n"));
        assertEquals("# 1 \"<built-in>x\"\nint y;\n", strip("# 1 \"<built-in>x\"\nint y;\n"),
                "only the exact name <built-in>");
    }

    @Test
    void bytesOutsideTheMarkersAreKeptAsTheyAre() {
        byte[] latin1 = {'c', 'h', 'a', 'r', ' ', '*', 's', '=', '"', (byte) 0xe9, '"', ';', '\r', '\n'};
        assertArrayEquals(latin1, BuiltinMacros.strip(latin1));
    }

    private static String strip(String s) {
        return new String(BuiltinMacros.strip(s.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    }
}
