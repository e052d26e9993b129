package cache.frontend.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Diagnostics colours as ccache 4.7 handles them, with real gcc and clang: the colour options
 * are in no key and every miss compiles with the family's colour option, so one result serves
 * every choice; a caller gets colours when it asks for them, or (no choice, {@code =auto}) when
 * its stderr is a terminal and {@code TERM} is not {@code dumb}, and the same diagnostics
 * without colour sequences otherwise. Each case is compared with what the plain compiler
 * prints for the same command, through a pipe and through a terminal ({@code script}).
 */
@Timeout(300)
class ColourDiagnosticsIT extends CacheWorkDir {

    private static final String WARNS = "int f(int x) { int y; return x; }\n";
    private static final String FAILS = "int b(void) { return nope; }\n";

    private Path ccache;

    static Stream<String> compilers() {
        return Compilers.cCompilers().stream();
    }

    @BeforeEach
    void setUp() throws Exception {
        Files.writeString(work.resolve("w.c"), WARNS);
        Files.writeString(work.resolve("e.c"), FAILS);
        ccache = Files.createSymbolicLink(Files.createDirectories(tmp.resolve("bin")).resolve("ccache"),
                CacheFixture.CLIENT);
    }

    private static List<String> compile(String cc, String source, String... colour) {
        List<String> l = new ArrayList<>(List.of(cc, "-Wall", "-g"));
        l.addAll(List.of(colour));
        l.addAll(List.of("-c", source, "-o", source.replace(".c", ".o")));
        return l;
    }

    private static List<String> viaCache(Path ccache, List<String> compile) {
        List<String> cmd = new ArrayList<>(List.of(ccache.toString()));
        cmd.addAll(compile);
        return cmd;
    }

    private Map<String, String> env(String term) {
        Map<String, String> e = new HashMap<>(cache.env);
        e.put("TERM", term);
        return e;
    }

    /** The stderr of {@code command} through a pipe. */
    private CacheFixture.Result piped(List<String> command) throws Exception {
        return CacheFixture.run(work, command, env("xterm"));
    }

    /** What {@code command} prints on a terminal ({@code script}'s pty, CR LF made LF), and its status. */
    private String onTerminal(List<String> command, String term) throws Exception {
        StringBuilder shell = new StringBuilder();
        for (String w : command) {
            shell.append('\'').append(w.replace("'", "'\\''")).append("' ");
        }
        CacheFixture.Result r = CacheFixture.run(work, List.of("script", "-qec", shell.toString(), "/dev/null"), env(term));
        return r.out().replace("\r\n", "\n") + "[status " + r.exitCode() + "]";
    }

    @ParameterizedTest
    @MethodSource("compilers")
    void oneResultServesEveryColourChoiceAndEachCallerSeesWhatTheCompilerWouldPrint(String cc) throws Exception {
        Prerequisites.require(Compilers.onPath("script"), "script (util-linux) on PATH");
        String always = cc.equals("gcc") ? "-fdiagnostics-color=always" : "-fcolor-diagnostics";
        String never = cc.equals("gcc") ? "-fdiagnostics-color=never" : "-fno-color-diagnostics";

        // The plain compiler: the object (identical with and without colours) and each stderr.
        CacheFixture.Result plain = piped(compile(cc, "w.c"));
        byte[] object = Files.readAllBytes(work.resolve("w.o"));
        CacheFixture.Result plainColoured = piped(compile(cc, "w.c", always));
        assertArrayEquals(object, Files.readAllBytes(work.resolve("w.o")), "colours change no object");
        assertTrue(plain.err().contains("warning") && !plain.err().contains("\u001b["), plain.err());
        assertTrue(plainColoured.err().contains("\u001b["), plainColoured.err());
        String plainTerminal = onTerminal(compile(cc, "w.c"), "xterm");
        assertTrue(plainTerminal.contains("\u001b["), plainTerminal);
        Files.delete(work.resolve("w.o"));

        // Miss through a pipe, no choice: uncoloured, as plain; the stored result is coloured.
        CacheFixture.Result miss = piped(viaCache(ccache, compile(cc, "w.c")));
        assertEquals(0, miss.exitCode(), miss.err());
        assertEquals(plain.err(), miss.err(), "miss, pipe");
        assertArrayEquals(object, Files.readAllBytes(work.resolve("w.o")), "miss: the plain compiler's object");
        assertEquals(0, cache.hits());

        // Hits of that one result, for every choice and both kinds of stderr.
        assertEquals(plainColoured.err(), piped(viaCache(ccache, compile(cc, "w.c", always))).err(), "always, pipe");
        assertEquals(plain.err(), piped(viaCache(ccache, compile(cc, "w.c", never))).err(), "never, pipe");
        assertEquals(plainTerminal, onTerminal(viaCache(ccache, compile(cc, "w.c")), "xterm"), "no choice, terminal");
        assertEquals(onTerminal(compile(cc, "w.c", never), "xterm"),
                onTerminal(viaCache(ccache, compile(cc, "w.c", never)), "xterm"), "never, terminal");
        assertEquals(onTerminal(compile(cc, "w.c"), "dumb"),
                onTerminal(viaCache(ccache, compile(cc, "w.c")), "dumb"), "no choice, TERM=dumb terminal");
        assertArrayEquals(object, Files.readAllBytes(work.resolve("w.o")), "hit: the plain compiler's object");
        assertEquals(5, cache.hits());
        assertEquals(1, cache.stat("cache_miss"));

        // A miss on a terminal stores the same result for a later caller behind a pipe.
        Files.writeString(work.resolve("w.c"), WARNS + "int g(void) { return 1; }\n");
        CacheFixture.Result plain2 = piped(compile(cc, "w.c"));
        String terminalMiss = onTerminal(viaCache(ccache, compile(cc, "w.c")), "xterm");
        assertEquals(onTerminal(compile(cc, "w.c"), "xterm"), terminalMiss, "miss, terminal");
        assertEquals(plain2.err(), piped(viaCache(ccache, compile(cc, "w.c"))).err(), "hit after a terminal's miss");
        assertEquals(2, cache.stat("cache_miss"));
    }

    @ParameterizedTest
    @MethodSource("compilers")
    void aFailedCompilePrintsTheCompilersErrorsColouredOrNot(String cc) throws Exception {
        Prerequisites.require(Compilers.onPath("script"), "script (util-linux) on PATH");
        CacheFixture.Result plain = piped(compile(cc, "e.c"));
        assertNotEquals(0, plain.exitCode());
        for (int round = 0; round < 2; round++) {
            CacheFixture.Result ours = piped(viaCache(ccache, compile(cc, "e.c")));
            assertEquals(plain.exitCode(), ours.exitCode());
            assertEquals(plain.err(), ours.err(), "pipe, round " + round);
            assertEquals(onTerminal(compile(cc, "e.c"), "xterm"), onTerminal(viaCache(ccache, compile(cc, "e.c")), "xterm"),
                    "terminal, round " + round);
        }
        assertEquals(0, cache.hits(), "a failed compile is not cached");
    }

    /**
     * gcc before 4.9 knows no {@code -fdiagnostics-color}, the option every miss adds: such a
     * compiler (here a {@code gcc} that refuses it as gcc 4.8 does) must never break the build.
     * Its first call is compiled by the client as typed (the compile, or with {@code
     * run_second_cpp = false} the preprocessor run, refused the option), and its later calls
     * without the option, cached; no call prints the refusal.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
    void aGccThatDoesNotKnowTheColourOptionBuildsAndIsCachedWithoutIt(boolean secondCpp) throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("old-gcc"));
        Path gcc = bin.resolve("gcc");
        Files.writeString(gcc, """
                #!/bin/sh
                for a in "$@"; do
                  case "$a" in -fdiagnostics-color*) echo "gcc: error: unrecognized command line option '$a'" >&2; exit 1;; esac
                done
                exec /usr/bin/gcc "$@"
                """);
        gcc.toFile().setExecutable(true);
        List<String> command = List.of(gcc.toString(), "-Wall", "-c", "w.c", "-o", "w.o");
        CacheFixture.Result plain = piped(command);
        assertEquals(0, plain.exitCode(), plain.err());
        byte[] object = Files.readAllBytes(work.resolve("w.o"));
        Map<String, String> env = env("xterm");
        if (!secondCpp) {
            env.put("CCACHE_NOCPP2", "1"); // the preprocessor run carries the colour option then
        }
        for (int call = 0; call < 3; call++) {
            Files.delete(work.resolve("w.o"));
            CacheFixture.Result ours = CacheFixture.run(work, viaCache(ccache, command), env);
            assertEquals(0, ours.exitCode(), "call " + call + ": " + ours.err());
            assertEquals(plain.err(), ours.err(), "call " + call + ": the compiler's own warnings, no refusal");
            assertArrayEquals(object, Files.readAllBytes(work.resolve("w.o")), "call " + call);
        }
        assertEquals(1, cache.stat(secondCpp ? "fallback_local" : "preprocessor_error"),
                "the first call, compiled by the client");
        assertEquals(1, cache.stat("cache_miss"), "the second call, compiled without the option and stored");
        assertEquals(1, cache.hits(), "the third call");
    }
}
