package cache.frontend.args;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.node.ArgumentPolicy;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The remote compile projection, checked against the node's own {@link ArgumentPolicy}. */
class RemoteCompileTest {

    private final ArgumentPolicy node = new ArgumentPolicy(1024);

    private static Invocation inv(String line) {
        return assertInstanceOf(Invocation.class,
                ArgumentAnalyzer.analyze(Arrays.asList(line.split(" ")), Path.of("/w"), Map.of()), line);
    }

    /** Over the whole golden corpus: whenever the projection says legal, the node accepts its arguments. */
    @Test
    void whatTheClientWouldSendTheNodeAccepts() {
        int legal = 0;
        for (String line : ArgumentProjectionsGoldenTest.CORPUS) {
            if (ArgumentAnalyzer.analyze(Arrays.asList(line.split(" ")), Path.of("/w"), Map.of()) instanceof Invocation i) {
                RemoteCompile r = i.remoteCompile();
                if (r.legal()) {
                    legal++;
                    assertDoesNotThrow(() -> node.check(r.args()), line + " -> " + r.args());
                    assertNotNull(r.language(), line);
                } else {
                    assertFalse(r.refusal().isEmpty(), line);
                    assertTrue(r.args().isEmpty(), line);
                }
            }
        }
        assertTrue(legal > 40, "most of the corpus is distributable: " + legal);
    }

    @Test
    void theNodeGetsTheCompileOfThePreprocessedTextOnly() {
        RemoteCompile r = inv("-O2 -Iinc -DX=1 -include cfg.h -Wall -Werror -c src/x.c -o obj/x.o -MD -MF obj/x.d -x c")
                .remoteCompile();
        assertTrue(r.legal(), r.refusal());
        assertEquals("cpp-output", r.language());
        assertEquals(List.of("-O2", "-Wall", "-Werror", "-c"), r.args());
        assertEquals("c++-cpp-output", inv("-c a.cpp -g -fdiagnostics-color=always").remoteCompile().language());
        assertEquals(List.of("-c", "-g", "-fdiagnostics-color=always"),
                inv("-c a.cpp -g -fdiagnostics-color=always").remoteCompile().args());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "-march=native -c a.c", "-mtune=native -c a.c", "-B/opt/bin -c a.c", "-B /opt/bin -c a.c",
        "-specs=my.specs -c a.c", "-fsanitize-ignorelist=ign.txt -c a.c", "-g3 -c a.c", "-fdirectives-only -c a.c",
        "-Xclang -load -Xclang plugin.so -c a.c", "-Xclang -include-pch -Xclang x.pch -c a.c",
        "-fpch-preprocess -c a.c", "-c a.c -fplugin-arg-x=1", "-c a.c -mllvm -foo", "--coverage -c a.c",
        "-gsplit-dwarf -g -c a.c", "-fstack-usage -c a.c", "-c a.c -Wa,-adhln", "-c a.c -L/lib",
        "-c a.c -Wl,-rpath,/x", "-c w.s", "--ccache-skip -O2 -c a.c", "-fprofile-generate -c a.c",
        "-c a.c -fdebug-prefix-map=/a=/b --param x/y=1"})
    void callsThatMustCompileHereAreRefusedWithAReason(String line) {
        RemoteCompile r = inv(line).remoteCompile();
        assertFalse(r.legal(), line + " -> " + r.args());
        assertFalse(r.refusal().isBlank(), line);
    }

    /** Options the client does not cache at all are refused by the projection too (checked directly). */
    @Test
    void pluginsSpecsToolDirectoriesAndPrecompiledHeadersAreRefused() {
        for (List<String> args : List.of(List.of("-fplugin=./evil.so"), List.of("-specs=x.specs"), List.of("-B", "bin"),
                List.of("-Bbin"), List.of("-include-pch", "x.pch"), List.of("-march=native"),
                List.of("-include", "x.h"), List.of("-fpass-plugin=x.so"))) {
            RemoteCompile r = RemoteCompile.forArguments("cpp-output", args);
            assertFalse(r.legal(), args.toString());
        }
        assertTrue(RemoteCompile.forArguments("cpp-output", List.of("-march=native")).refusal().contains("-march=native"));
        assertTrue(RemoteCompile.forArguments("cpp-output", List.of("-fplugin-arg-x=1")).refusal()
                .contains("loads code"));
        assertTrue(RemoteCompile.forArguments("cpp-output", List.of("-O2", "-march=x86-64-v2")).legal());
    }

    @Test
    void invocationSaysWhatThePipelineReparses() {
        assertTrue(inv("--ccache-skip -O2 -c a.c").verbatim());
        assertFalse(inv("-O2 -c a.c").verbatim());
        assertTrue(inv("-c a.c -MMD").dependenciesOmitSystemHeaders());
        assertTrue(inv("-c a.c -Wp,-MMD,a.d").dependenciesOmitSystemHeaders());
        assertFalse(inv("-c a.c -MD -MF a.d").dependenciesOmitSystemHeaders());
        assertFalse(inv("-c a.c -MD -MT -MMD").dependenciesOmitSystemHeaders(), "a target named -MMD");
        assertEquals("src/a.c", inv("-c src/a.c -o a.o").inputFile());
    }

    @Test
    void withKeyArgsKeepsTheRoles() {
        Invocation i = inv("-O2 -Werror -c a.c -o a.o");
        Invocation k = i.withKeyArgs(List.of("-O2", "-c", "a.c", "-o", "a.o"), List.of("-O2", "-c"), List.of("-O2"));
        assertEquals(List.of("-O2", "-c", "a.c", "-o", "a.o"), k.compileArgs());
        assertEquals(List.of("-O2"), k.directKeyArgs());
        assertEquals(i.preprocessorArgs(), k.preprocessorArgs());
        assertEquals(i.arguments(), k.arguments());
    }
}
