package cache.compat.args;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
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

    /** Flags that change what the client does with an option found as a joined prefix. */
    private static final int JOINED_EFFECTS = OptionTable.TAKES_PATH | OptionTable.AFFECTS_CPP | OptionTable.TOO_HARD
            | OptionTable.TOO_HARD_FOR_DIRECT | OptionTable.HASH_FILE | OptionTable.AFFECTS_COMP;

    /** Flags the client's analysis reads; a row with none of them is, to the client, an unknown option. */
    private static final int CLIENT_FLAGS = JOINED_EFFECTS | OptionTable.TAKES_ARG | OptionTable.TAKES_CONCAT_ARG;

    /**
     * A row that exists for the node (or for {@code LOCAL_ONLY}/{@code SOURCE_ONLY} alone) must
     * leave the client's analysis as it was: found as an exact match it stops the search for a
     * joined one, so no joined row with an effect may be a proper prefix of its name.
     */
    @Test
    void rowsWithoutClientFlagsHideNoJoinedRow() {
        for (OptionTable.Option o : OptionTable.TABLE) {
            if ((o.flags() & CLIENT_FLAGS) == 0) {
                OptionTable.Option hidden = OptionTable.joined(o.name());
                assertTrue(hidden == null || (hidden.flags() & JOINED_EFFECTS) == 0, o.name() + " hides " + hidden);
            }
        }
    }

    /**
     * Machine-dependent options never leave the client; the node refuses them too, except
     * {@code -march=native} and its kin: on a node they are harmless to the node (they only
     * target its own CPU), so the node runs them and the client alone keeps them local.
     */
    @Test
    void localOnlyRowsAreRefusedByTheNodeOrDocumentedAsHarmlessThere() {
        List<String> harmlessOnANode = List.of("-march=native", "-mcpu=native", "-mtune=native");
        for (OptionTable.Option o : OptionTable.TABLE) {
            if (!o.has(OptionTable.LOCAL_ONLY)) {
                continue;
            }
            String arg = o.has(OptionTable.TAKES_CONCAT_ARG) ? o.name() + "x" : o.name();
            OptionTable.Option node = OptionTable.forNode(arg);
            if (harmlessOnANode.contains(o.name())) {
                assertNull(node, o.name());
            } else {
                assertTrue(node != null && node.node().refused(), o.name() + " must be refused by a node");
            }
        }
    }

    @Test
    void nodeColumnFindsExactRowsAndLongestPrefixes() {
        assertEquals(NodeVerdict.LOADS_CODE, OptionTable.forNode("-fplugin-arg-x=1").node());
        assertEquals(NodeVerdict.LOADS_CODE, OptionTable.forNode("-fplugin=/x.so").node());
        assertEquals(NodeVerdict.VALUE, OptionTable.forNode("-D").node());
        assertEquals(NodeVerdict.VALUE, OptionTable.forNode("-DX=1").node());
        assertEquals(NodeVerdict.INCLUDE_DIR, OptionTable.forNode("-isystem").node());
        assertNull(OptionTable.forNode("-isystemdir"), "-isystem is an exact rule");
        assertEquals(NodeVerdict.CLIENT_FILE, OptionTable.forNode("-include-pch").node());
        assertEquals(NodeVerdict.OUTPUT, OptionTable.forNode("-MD").node());
        assertNull(OptionTable.forNode("-O2"));
        assertNull(OptionTable.forNode("-march=native"));
    }

    @Test
    void nodeColumnRowsAreRefusingOrSayHowTheValueIsChecked() {
        long rows = Arrays.stream(OptionTable.TABLE).filter(o -> o.node() != null).count();
        assertEquals(79, rows, "the node's former table had 79 options (82 rules: -D, -I, -U had two)");
        for (OptionTable.Option o : OptionTable.TABLE) {
            if (o.node() == null) {
                assertFalse(o.nodePrefix(), o.name());
            }
        }
    }

    @Test
    void optionsWhoseRunSecondCppSplitIsNotReproducedAreMarked() {
        for (String o : new String[] {"--", "-MG", "-arch", "-fdirectives-only", "-frewrite-includes",
            "-fpch-preprocess", "-fprofile-abs-path"}) {
            assertTrue(OptionTable.exact(o).has(OptionTable.SOURCE_ONLY), o);
        }
        assertTrue(OptionTable.joined("-Xarch_x86_64").has(OptionTable.SOURCE_ONLY));
    }
}
