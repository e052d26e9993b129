package cache.frontend.args;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class OptionTableTest {

    @Test
    void tableIsSortedWithoutDuplicates() {
        for (int i = 1; i < OptionTable.TABLE.length; i++) {
            String prev = OptionTable.TABLE[i - 1].name();
            String cur = OptionTable.TABLE[i].name();
            assertTrue(prev.compareTo(cur) < 0, prev + " must sort before " + cur);
        }
    }

    @Test
    void everyRowCanBeFound() {
        for (OptionTable.Option o : OptionTable.TABLE) {
            assertEquals(o, OptionTable.exact(o.name()));
        }
    }

    @Test
    void joinedFormsFindLongestPrefix() {
        assertEquals("-I", OptionTable.joined("-Iinclude").name());
        assertEquals("-isystem", OptionTable.joined("-isystem/usr/x").name());
        assertEquals("-include", OptionTable.joined("-includeconfig.h").name());
        assertEquals("--sysroot=", OptionTable.joined("--sysroot=/sr").name());
        assertNull(OptionTable.joined("-O2"));
        assertNull(OptionTable.joined("-Wall"));
    }

    @Test
    void preprocessorOnlyOptionsAreMarked() {
        for (String o : new String[] {"-D", "-U", "-I", "-include", "-isystem", "-iquote", "-idirafter", "-imacros"}) {
            assertTrue(OptionTable.exact(o).has(OptionTable.AFFECTS_CPP), o);
            assertTrue(OptionTable.exact(o).has(OptionTable.TAKES_ARG), o);
        }
        assertFalse(OptionTable.exact("-MT").has(OptionTable.AFFECTS_CPP), "-MT changes the .d, not cpp output");
    }

    @Test
    void tooHardOptionsAreMarked() {
        for (String o : new String[] {"-E", "-M", "-MM", "-save-temps", "--analyze", "-ftime-trace", "-frepo", "-gtoggle"}) {
            assertTrue(OptionTable.exact(o).has(OptionTable.TOO_HARD), o);
        }
    }

    @Test
    void pathOptionsAreFlaggedSoBaseDirCanRewriteThem() {
        for (OptionTable.Option o : OptionTable.TABLE) {
            if (o.has(OptionTable.TAKES_PATH)) {
                assertTrue(o.has(OptionTable.TAKES_ARG) || o.has(OptionTable.TAKES_CONCAT_ARG), o.name());
            }
        }
    }
}
