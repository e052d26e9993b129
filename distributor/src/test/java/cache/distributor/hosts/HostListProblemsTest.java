package cache.distributor.hosts;

import static cache.distributor.hosts.HostListTest.kinds;
import static cache.distributor.hosts.HostListTest.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.distributor.hosts.HostProblem.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Bad, unsupported and partly ignored entries: what the list keeps and what it says. */
class HostListProblemsTest {

    /** distcc test/testdistcc.py InvalidHostSpec_Case, blank half: no hosts, not an error. */
    @ParameterizedTest
    @ValueSource(strings = {"", "    ", "\t", "# nothing\n"})
    void distccInvalidHostSpecBlank(String text) {
        HostList list = parse(text);
        assertEquals(List.of(), list.hosts());
        assertEquals(List.of(Kind.NO_HOSTS), kinds(list));
        assertFalse(list.rejected());
    }

    /** distcc test/testdistcc.py InvalidHostSpec_Case, malformed half, plus every error of hosts.c. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
        "'  @ '          | 4  | ssh host needs a host name",
        ":               | 1  | tcp host needs a host name",
        "mbp@            | 5  | ssh host needs a host name",
        "angry::         | 7  | invalid tcp port \":\"",
        ":4200           | 1  | tcp host needs a host name",
        "/4              | 1  | tcp host needs a host name",
        ",lzo            | 1  | tcp host needs a host name",
        "@/4             | 2  | ssh host needs a host name",
        "angry:x         | 7  | invalid tcp port \"x\"",
        "angry:          | 7  | invalid tcp port",
        "angry:/4        | 7  | invalid tcp port",
        "angry:0         | 7  | expected a number 1..65535",
        "angry:65536     | 7  | expected a number 1..65535",
        "angry:-1        | 7  | expected a number 1..65535",
        "angry:99999999999999999999 | 7 | expected a number 1..65535",
        "angry:3x        | 7  | invalid tcp port \"3x\"",
        "fe80::1         | 6  | IPv6 address needs brackets",
        "angry/0         | 6  | bad limit \"/0\"",
        "angry/          | 6  | bad limit",
        "angry/abc       | 6  | bad limit \"/abc\"",
        "angry:300/0     | 10 | bad limit",
        "angry/-2        | 6  | limit -2 out of range",
        "angry/99999999999 | 6 | out of range",
        "localhost/0     | 10 | bad limit",
        "localhost/      | 10 | bad limit",
        "[::1            | 5  | IPv6 address needs its closing ']'",
        "[               | 2  | IPv6 address needs its closing ']'",
        "[::1/4]         | 5  | IPv6 address needs its closing ']'",
        "[]              | 3  | tcp host needs a host name",
        "angry,          | 6  | unrecognized option \",\"",
        "angry,zip       | 6  | unrecognized option \",zip\"",
        "angry,lzo,bogus | 10 | unrecognized option \",bogus\"",
        "angry,cpp       | 6  | pump mode (',cpp') requires compression (',lzo')",
        "angry,cpp,down  | 6  | pump mode (',cpp') requires compression (',lzo')",
        "u@h/0           | 4  | bad limit",
        "u@h,cpp         | 4  | requires compression",
    })
    void malformedEntryRejectsTheWholeList(String entry, int column, String why) {
        HostList list = parse("--localslots=2 good a,cpp,lzo\n" + entry + " later");
        assertTrue(list.rejected());
        assertEquals(List.of(), list.hosts());
        assertEquals(HostList.DEFAULT_LOCAL_SLOTS, list.localSlots());
        HostProblem problem = list.problems().get(0);
        assertEquals(1, list.problems().size());
        assertEquals(entry.strip(), problem.entry());
        assertEquals(2, problem.line());
        assertEquals(column, problem.column());
        String message = problem.message();
        assertTrue(message.startsWith("$DISTCC_HOSTS:2:" + column + ": \"" + entry.strip() + "\": "),
                message);
        assertTrue(message.contains(why), message);
        assertTrue(message.endsWith("the whole host list is rejected (as distcc does), compiling locally"),
                message);
    }

    @Test
    void unsupportedHostsAreSkippedAndSaidOnce() {
        HostList list = parse("a,cpp,lzo b @c d,auth +zeroconf a,cpp,lzo u@e,cpp,lzo");
        assertEquals(List.of("b"), list.hosts().stream().map(h -> ((TcpHost) h).host()).toList());
        assertEquals(List.of(
                "$DISTCC_HOSTS:1:1: \"a,cpp,lzo\": pump mode (',cpp') is not supported yet; skipping this host",
                "$DISTCC_HOSTS:1:13: \"@c\": ssh hosts ('@') are not supported yet; skipping this host",
                "$DISTCC_HOSTS:1:16: \"d,auth\": GSS-API authentication (',auth') is not supported yet;"
                        + " skipping this host",
                "$DISTCC_HOSTS:1:23: \"+zeroconf\": zeroconf discovery ('+zeroconf') is not supported yet;"
                        + " skipping this host",
                "$DISTCC_HOSTS:1:43: \"u@e,cpp,lzo\": ssh hosts ('@') are not supported yet; skipping this host"),
                list.problems().stream().map(HostProblem::message).toList());
        assertTrue(list.problems().stream().allMatch(p -> p.kind() == Kind.UNSUPPORTED));
    }

    @Test
    void onlyUnsupportedHostsLeaveNothingButSayWhy() {
        HostList list = parse("@a b,cpp,lzo");
        assertEquals(List.of(), list.hosts());
        assertEquals(List.of(Kind.UNSUPPORTED, Kind.UNSUPPORTED), kinds(list));
    }

    /** Without Avahi distcc reads only the exact word as zeroconf; anything longer is a host name. */
    @Test
    void zeroconfIsOnlyTheExactWord() {
        assertEquals("+zeroconf", ((TcpHost) parse("+zeroconf,lzo").hosts().get(0)).host());
    }

    @Test
    void downHostsAreSkippedSilently() {
        HostList list = parse("a,down b @c,down a,cpp,lzo,down localhost");
        assertEquals(2, list.hosts().size());
        assertEquals(List.of(), list.problems());
        HostList allDown = parse("a,down");
        assertEquals(List.of(), allDown.hosts());
        assertEquals(List.of(), allDown.problems());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
        "angry/4xyz      | 8  | 'ignoring \"xyz\" after \"angry/4\"'    | 4 TCP angry 3632",
        "angry,lzo:300   | 10 | 'ignoring \":300\" after \"angry,lzo\"' | 4 TCP angry 3632",
        "angry,lzoo      | 10 | 'ignoring \"o\"'                        | 4 TCP angry 3632",
        "angry/+4:300    | 7  | 'ignoring \"+4:300\"'                    | 4 TCP angry 3632",
        "[::1]x          | 6  | 'ignoring \"x\"'                         | 4 TCP ::1 3632",
        "localhost/2,lzo | 12 | 'ignoring \",lzo\" after \"localhost/2\"' | 2 LOCAL",
        "localhost/3x    | 12 | 'ignoring \"x\"'                         | 3 LOCAL",
    })
    void trailingTextIsIgnoredAsDistccDoesButSaid(String entry, int column, String said, String host) {
        HostList list = parse(entry);
        assertEquals(host, HostListTest.render(list.hosts()));
        assertEquals(List.of(Kind.IGNORED), kinds(list));
        assertEquals(column, list.problems().get(0).column());
        assertTrue(list.problems().get(0).message().contains(said), list.problems().get(0).message());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "--localslots=0       | 4 | 8 | bad limit",
        "--localslots=abc     | 4 | 8 | bad limit",
        "--localslots=-3      | 4 | 8 | out of range",
        "--localslots         | 4 | 8 | --localslots needs a value",
        "--localslotsfoo      | 4 | 8 | --localslots needs a value",
        "--localslots=5x      | 5 | 8 | ignoring \"x\"",
        "--localslots_cpp=0   | 4 | 8 | bad limit",
        "--localslots_cpp     | 4 | 8 | --localslots_cpp needs a value",
        "--randomizeX         | 4 | 8 | ignoring \"X\" after \"--randomize\"",
    })
    void badKeywordValuesAreIgnoredAndSaid(String keyword, int slots, int cppSlots, String said) {
        HostList list = parse(keyword + " angry");
        assertEquals(1, list.hosts().size());
        assertEquals(slots, list.localSlots());
        assertEquals(cppSlots, list.localSlotsCpp());
        assertEquals(List.of(Kind.IGNORED), kinds(list));
        assertTrue(list.problems().get(0).message().contains(said), list.problems().get(0).message());
    }

    /** distcc's sub-parsers read past '#'; we end the entry there as its scanner and manual do. */
    @Test
    void hashAlwaysStartsAComment() {
        HostList list = parse("angry:3000#old port\nbusy#retired");
        assertEquals("4 TCP angry 3000\n4 TCP busy 3632", HostListTest.render(list.hosts()));
        assertEquals(List.of(), list.problems());
    }

    @Test
    void textAfterNulIsNotRead() {
        HostList list = parse("a\0b");
        assertEquals(1, list.hosts().size());
        assertEquals(List.of(Kind.IGNORED), kinds(list));
    }
}
