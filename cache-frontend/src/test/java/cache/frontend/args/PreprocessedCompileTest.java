package cache.frontend.args;

import cache.compat.args.Language;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.compat.config.CompilerType;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The preprocessor and compile arguments for {@code run_second_cpp = false}, each case as
 * /usr/bin/ccache 4.7.5 ran them (its log's "Executing" lines, less the colour option, the
 * {@code -E -o <tmp>}/{@code -o <object>} and file names the pipeline adds).
 */
class PreprocessedCompileTest {

    private static PreprocessedCompile.Plan plan(CompilerType type, String line) {
        Invocation inv = assertInstanceOf(Invocation.class,
                ArgumentAnalyzer.analyze(Arrays.asList(line.split(" ")), Path.of("/w"), Map.of()), line);
        return PreprocessedCompile.plan(inv, false, type, "");
    }

    private static List<String> words(String s) {
        return s.isEmpty() ? List.of() : Arrays.asList(s.split(" "));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "GCC|-Wall -MD -c a.c -o a.o|-Wall -MD -MF a.d -MQ a.o|-Wall -c|i",
        "GCC|-x c -c a.c -o ax.o|-x c|-x cpp-output -c|i",
        "CLANG|-I. -DFOO=1 -c a.c -o ac.o|-I. -DFOO=1|-c|i",
        "GCC|-x c++ -c a.c -o ap.o|-x c++|-x c++-cpp-output -c|ii",
        "GCC|-MMD -MF dep.d -MT tgt -c a.c -o ad.o|-MMD -MF dep.d -MT tgt|-c|i",
        "GCC|-Wp,-MD,wp.d -c a.c -o aw.o|-Wp,-MD,wp.d -MQ aw.o|-c|i",
        "GCC|-Wall -Werror -Wno-error=unused -A sys=x -Wa,--noexecstack -fworking-directory -fdiagnostics-color=never"
                + " -finput-charset=UTF-8 -include h.h -O2 -Xpreprocessor -DX=1 -Xlinker foo -MD -c w.c -o w.o"
                + "|-Wall -Wno-error=unused -A sys=x -O2 -fworking-directory -include h.h -Xpreprocessor -DX=1"
                + " -finput-charset=UTF-8 -MD -MF w.d -MQ w.o"
                + "|-Wall -Wno-error=unused -A sys=x -O2 -fdiagnostics-color=never -Werror -Wa,--noexecstack"
                + " -Xlinker foo -c|i",
        "CLANG|-fcolor-diagnostics -fdiagnostics-color=always -Xclang -fcolor-diagnostics -c w.c -o w2.o"
                + "|-fdiagnostics-color=always"
                + "|-fdiagnostics-color=always -fcolor-diagnostics -Xclang -fcolor-diagnostics -c|i",
        "GCC|-c w.c -x c -o w3.o||-c|i",
        "GCC|-S w.c -o w4.s|-S|-S|i",
        "GCC|-c w.S -o w5.o||-c|s",
        "GCC|-c x.mm|| -c|mii",
    })
    void splitsTheArgumentsAsCcache(CompilerType type, String call, String cpp, String compile, String ext) {
        PreprocessedCompile.Plan p = plan(type, call);
        assertNull(p.sourceReason());
        assertEquals(words(cpp == null ? "" : cpp), p.preprocessorArgs(), "preprocessor run");
        assertEquals(words(compile.strip()), p.compileArgs(), "compile");
        assertEquals(ext, p.extension());
    }

    @Test
    void colourOptionsOfTheOtherFamilyAreCommonArguments() {
        PreprocessedCompile.Plan p = plan(CompilerType.GCC, "-fcolor-diagnostics -c a.c");
        assertEquals(List.of("-fcolor-diagnostics"), p.preprocessorArgs());
        assertEquals(List.of("-fcolor-diagnostics", "-c"), p.compileArgs());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "-g3 -c a.c", "-ggdb3 -c a.c", "-MG -MD -c a.c", "-fdirectives-only -c a.c", "-c a.c -- ",
        "-P -c a.c", "-Wp,-P -c a.c", "-fprofile-abs-path -c a.c",
    })
    void compilesTheSourceWhereCcacheDoesOrWhereItsHandlingIsNotReproduced(String call) {
        assertTrue(plan(CompilerType.GCC, call.strip()).sourceReason() != null, call);
    }

    @Test
    void debugLevelThreeTurnedOffAgainIsFine() {
        assertNull(plan(CompilerType.GCC, "-g3 -g0 -gdwarf-3 -c a.c").sourceReason());
    }

    @Test
    void preprocessedSourcesAndCcacheSkipCompileTheSource() {
        Invocation i = assertInstanceOf(Invocation.class,
                ArgumentAnalyzer.analyze(List.of("-c", "a.i"), Path.of("/w"), Map.of()));
        assertTrue(PreprocessedCompile.plan(i, false, CompilerType.GCC, "").sourceReason() != null);
        Invocation c = assertInstanceOf(Invocation.class,
                ArgumentAnalyzer.analyze(List.of("-c", "a.c"), Path.of("/w"), Map.of()));
        assertTrue(PreprocessedCompile.plan(c, true, CompilerType.GCC, "").sourceReason() != null);
    }

    @Test
    void cppExtensionOverridesTheLanguagesExtension() {
        Invocation c = assertInstanceOf(Invocation.class,
                ArgumentAnalyzer.analyze(List.of("-c", "a.cpp"), Path.of("/w"), Map.of()));
        assertEquals("ii", PreprocessedCompile.plan(c, false, CompilerType.GCC, "").extension());
        assertEquals("foo", PreprocessedCompile.plan(c, false, CompilerType.GCC, "foo").extension());
        assertEquals("mi", PreprocessedCompile.extension(Language.OBJC, ""));
    }
}
