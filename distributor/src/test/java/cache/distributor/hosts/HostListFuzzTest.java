package cache.distributor.hosts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The promise that matters most: no text, however broken, makes reading a host list throw, and
 * what comes back keeps the list's invariants. Seeded, so a failure names its input.
 */
class HostListFuzzTest {

    private static final String[] PIECES = {
        "a", "b", "z", "0", "1", "9", "3632", "65535", "99999999999", "-", "+", ":", "::", "/", "=",
        ",", "[", "]", "@", "#", ".", "_", " ", "\t", "\n", "\r", "\f", "\u000b", "\0", "é", "\uD83D",
        "localhost", "lzo", "cpp", "auth", "down", ",lzo", ",cpp", ",auth=", ",down", "--randomize",
        "--localslots", "--localslots_cpp", "+zeroconf", "[::1]", "user@", "/4", ":300",
    };

    @Test
    void parsingNeverThrowsAndKeepsItsInvariants() {
        Random random = new Random(19);
        for (int i = 0; i < 10_000; i++) {
            StringBuilder text = new StringBuilder();
            int pieces = random.nextInt(12);
            for (int j = 0; j < pieces; j++) {
                text.append(random.nextInt(8) == 0
                        ? (char) random.nextInt(0x3000)
                        : PIECES[random.nextInt(PIECES.length)]);
            }
            String input = text.toString();
            HostList list;
            try {
                list = HostList.parse(input, "fuzz");
            } catch (RuntimeException e) {
                throw new AssertionError("input #" + i + " " + escape(input), e);
            }
            assertInvariants(input, list);
            assertEquals(list, HostList.parse(input, "fuzz"), "deterministic for " + escape(input));
        }
    }

    private static void assertInvariants(String input, HostList list) {
        String where = escape(input);
        assertTrue(list.localSlots() >= 1 && list.localSlotsCpp() >= 1, where);
        if (list.rejected()) {
            assertEquals(0, list.hosts().size(), where);
            assertEquals(1, list.problems().size(), where);
        }
        for (HostSpec host : list.hosts()) {
            assertTrue(host.supported(), where);
            assertFalse(host instanceof SshHost, where);
            assertTrue(host.limit() >= 1, where);
            assertFalse(host.entry().isEmpty(), where);
        }
        for (HostProblem problem : list.problems()) {
            assertTrue(problem.message().startsWith("fuzz"), where + " " + problem.message());
            if (!problem.entry().isEmpty()) {
                assertTrue(problem.line() >= 1 && problem.column() >= 1, where);
            }
        }
    }

    private static String escape(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            out.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c));
        }
        return out.append('"').toString();
    }
}
