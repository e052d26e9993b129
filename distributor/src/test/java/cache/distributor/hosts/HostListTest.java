package cache.distributor.hosts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Valid lists: distcc's own test and manual examples, defaults, forms and global keywords. */
class HostListTest {

    /** One line per host, in distcc's h_hosts format: slots, mode, host, port or user/command. */
    static String render(HostSpec spec) {
        if (spec instanceof LocalHost l) {
            return String.format("%d LOCAL", l.limit());
        }
        if (spec instanceof TcpHost t) {
            return String.format("%d TCP %s %d", t.limit(), t.host(), t.port());
        }
        SshHost s = (SshHost) spec;
        return String.format("%d SSH %s %s %s", s.limit(), s.user().orElse("(no-user)"),
                s.host(), s.command().orElse("(no-command)"));
    }

    static String render(List<HostSpec> hosts) {
        return hosts.stream().map(HostListTest::render).collect(Collectors.joining("\n"));
    }

    static HostList parse(String text) {
        return HostList.parse(text, "$DISTCC_HOSTS");
    }

    /** distcc test/testdistcc.py ParseHostSpec_Case: the same spec, the same hosts. */
    @Test
    void distccParseHostSpecCase() {
        String spec = """
                localhost 127.0.0.1 @angry   ted@angry
                \t@angry:/home/mbp/bin/distccd  angry:4204
                ipv4-localhost
                angry/44
                angry:300/44
                angry/44:300
                angry,lzo
                angry:3000,lzo    # some comment
                angry/44,lzo
                @angry,lzo#asdasd
                # oh yeah nothing here
                @angry:/usr/sbin/distccd,lzo
                localhostbutnotreally
                """;
        HostList list = parse(spec);
        // distcc's expected output without its five ssh lines, which we skip.
        assertEquals("""
                2 LOCAL
                4 TCP 127.0.0.1 3632
                4 TCP angry 4204
                4 TCP ipv4-localhost 3632
                44 TCP angry 3632
                44 TCP angry 300
                44 TCP angry 300
                4 TCP angry 3632
                4 TCP angry 3000
                44 TCP angry 3632
                4 TCP localhostbutnotreally 3632""", render(list.hosts()));
        // The ssh lines as distcc prints them, one problem per distinct entry.
        assertEquals(List.of("@angry", "ted@angry", "@angry:/home/mbp/bin/distccd", "@angry,lzo",
                "@angry:/usr/sbin/distccd,lzo"), list.problems().stream()
                .map(HostProblem::entry).toList());
        assertTrue(list.problems().stream().allMatch(p -> p.kind() == HostProblem.Kind.UNSUPPORTED));
        assertEquals("""
                4 SSH (no-user) angry (no-command)
                4 SSH ted angry (no-command)
                4 SSH (no-user) angry /home/mbp/bin/distccd
                4 SSH (no-user) angry (no-command)
                4 SSH (no-user) angry /usr/sbin/distccd""", render(list.problems().stream()
                .map(p -> entry(p.entry())).toList()));
    }

    static HostSpec entry(String text) {
        try {
            return EntryParser.parse(text).spec();
        } catch (EntryParser.Malformed e) {
            throw new AssertionError(text + ": " + e.getMessage(), e);
        }
    }

    /** distcc(1) "HOST SPECIFICATIONS" example. */
    @Test
    void manualExample() {
        HostList list = parse("localhost/2 @bigman/16:/opt/bin/distccd oldmachine:4200/1\n"
                + " # cartman is down\ndistant/3,lzo\n");
        assertEquals("2 LOCAL\n1 TCP oldmachine 4200\n3 TCP distant 3632",
                render(list.hosts()));
        assertEquals(2, ((TcpHost) list.hosts().get(2)).protocol());
        SshHost bigman = (SshHost) entry("@bigman/16:/opt/bin/distccd");
        assertEquals(16, bigman.limit());
        assertEquals(Optional.of("/opt/bin/distccd"), bigman.command());
        assertEquals("@bigman/16:/opt/bin/distccd", list.problems().get(0).entry());
    }

    @Test
    void manualSimplestForm() {
        assertEquals("2 LOCAL\n4 TCP red 3632\n4 TCP green 3632\n4 TCP blue 3632",
                render(parse("localhost red green blue").hosts()));
    }

    @Test
    void defaults() {
        HostList list = parse("angry localhost");
        TcpHost angry = (TcpHost) list.hosts().get(0);
        assertEquals(new TcpHost("angry", "angry", 3632, 4, HostOptions.NONE), angry);
        assertEquals(1, angry.protocol());
        assertEquals(new LocalHost("localhost", 2), list.hosts().get(1));
        assertFalse(list.randomize());
        assertEquals(4, list.localSlots());
        assertEquals(8, list.localSlotsCpp());
        assertEquals(List.of(), list.problems());
        assertFalse(list.rejected());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "angry:300/44      | angry | 300  | 44",
        "angry/44:300      | angry | 300  | 44",
        "angry/4:300/8     | angry | 300  | 8",
        "10.0.0.1:4200     | 10.0.0.1 | 4200 | 4",
        "[::1]             | ::1   | 3632 | 4",
        "[::1]:3633        | ::1   | 3633 | 4",
        "[::1]:3633/7      | ::1   | 3633 | 7",
        "[::1]/7:3633      | ::1   | 3633 | 7",
        "[fe80::1%eth0]:99 | fe80::1%eth0 | 99 | 4",
        "[::1]=5           | ::1   | 3632 | 5",
        "angry:65535       | angry | 65535 | 4",
        "angry/010         | angry | 3632 | 10",
        "localhost:3632    | localhost | 3632 | 4",
        "localhost,lzo     | localhost | 3632 | 4",
        "localhost.example | localhost.example | 3632 | 4",
    })
    void tcpForms(String entry, String host, int port, int limit) {
        TcpHost tcp = assertInstanceOf(TcpHost.class, entry(entry));
        assertEquals(host, tcp.host());
        assertEquals(port, tcp.port());
        assertEquals(limit, tcp.limit());
        assertEquals(entry, tcp.entry());
    }

    @Test
    void options() {
        assertEquals(2, ((TcpHost) entry("angry,lzo")).protocol());
        assertEquals(3, ((TcpHost) entry("angry,cpp,lzo")).protocol());
        assertEquals(3, ((TcpHost) entry("angry:1/2,lzo,cpp")).protocol());
        HostOptions auth = ((TcpHost) entry("127.0.0.1,auth=build.example.com,lzo")).options();
        assertEquals(new HostOptions(true, false, true, Optional.of("build.example.com"), false), auth);
        assertEquals(Optional.empty(), ((TcpHost) entry("h,auth")).options().authPrincipal());
        assertTrue(((TcpHost) entry("h,down")).options().down());
        assertTrue(((SshHost) entry("u@h/3:cmd,lzo,down")).options().down());
    }

    @Test
    void localhostForms() {
        assertEquals(new LocalHost("localhost", 2), entry("localhost"));
        assertEquals(new LocalHost("localhost/8", 8), entry("localhost/8"));
    }

    @Test
    void sshForms() {
        SshHost s = (SshHost) entry("me@build/3:/usr/bin/distccd,lzo");
        assertEquals(Optional.of("me"), s.user());
        assertEquals("build", s.host());
        assertEquals(3, s.limit());
        assertEquals(Optional.of("/usr/bin/distccd"), s.command());
        assertEquals(2, s.options().protocol());
        assertFalse(s.supported());
        assertEquals(Optional.empty(), ((SshHost) entry("@h:")).command());
    }

    @Test
    void commentsAndWhitespace() {
        String text = "# farm\r\n  a # first\n\tb\f c\r\nd#e\n#only a comment";
        HostList list = parse(text);
        assertEquals(List.of("a", "b", "c", "d"),
                list.hosts().stream().map(h -> ((TcpHost) h).host()).toList());
        assertEquals(List.of(), list.problems());
    }

    @Test
    void randomizeKeepsTheWrittenOrder() {
        HostList list = parse("a --randomize b c");
        assertTrue(list.randomize());
        assertEquals("a b c", list.hosts().stream().map(h -> ((TcpHost) h).host())
                .collect(Collectors.joining(" ")));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "--localslots=3              | 3 | 8",
        "--localslots/3              | 3 | 8",
        "--localslots_cpp=16         | 4 | 16",
        "--localslots_cpp/16         | 4 | 16",
        "--localslots=1 --localslots_cpp=2 --localslots=6 | 6 | 2",
    })
    void localSlotForms(String keywords, int localSlots, int localSlotsCpp) {
        HostList list = parse(keywords + " angry");
        assertEquals(localSlots, list.localSlots());
        assertEquals(localSlotsCpp, list.localSlotsCpp());
        assertEquals(List.of(), list.problems());
        assertEquals(1, list.hosts().size());
    }

    @Test
    void keywordsAloneAreNoHosts() {
        HostList list = parse("--randomize --localslots=2");
        assertTrue(list.randomize());
        assertEquals(2, list.localSlots());
        assertEquals(List.of(HostProblem.Kind.NO_HOSTS), kinds(list));
        assertEquals("$DISTCC_HOSTS contained no hosts; can't distribute work, compiling locally",
                list.problems().get(0).message());
    }

    static List<HostProblem.Kind> kinds(HostList list) {
        return list.problems().stream().map(HostProblem::kind).toList();
    }
}
