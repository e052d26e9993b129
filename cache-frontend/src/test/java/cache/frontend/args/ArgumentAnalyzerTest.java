package cache.frontend.args;

import cache.compat.args.Language;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.compat.Counter;
import cache.store.OutputKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ArgumentAnalyzerTest {

    @TempDir
    Path cwd;

    private Analysis analyze(String line) {
        return ArgumentAnalyzer.analyze(Arrays.asList(line.split(" ")), cwd, Map.of());
    }

    private Invocation inv(String line) {
        return assertInstanceOf(Invocation.class, analyze(line), line);
    }

    private Counter verdict(String line) {
        return assertInstanceOf(Uncacheable.class, analyze(line), line).counter();
    }

    @Test
    void syntaxOnlyIsCachedWithoutAnObjectAndWithOrWithoutDashC() {
        Invocation alone = inv("-Wall x.c -fsyntax-only");
        assertEquals(Map.of(), alone.outputs(), "gcc writes no object with -fsyntax-only");
        assertEquals("x.o", alone.object(), "the name ccache gives it all the same (debug files)");
        Invocation withC = inv("-Wall -c x.c -fsyntax-only");
        assertEquals(alone.keyArgs(), withC.keyArgs(), "-c changes nothing then, as in ccache's key");
        assertEquals(List.of("-O2", "-c"), inv("-O2 -c x.c").keyArgs(), "-c stays in a compile's key");
    }

    @Test
    void compressedDebugSectionsAloneAreNoDebugInfo() {
        assertFalse(inv("-c x.c -gz").hashCwd(), "-gz asks for no debug info: the cwd is not in the key");
        assertFalse(inv("-c x.c -gz=zlib").hashCwd());
        assertTrue(inv("-c x.c -g -gz").hashCwd());
    }

    @Test
    void plainCompile() {
        Invocation i = inv("-O2 -c src/x.c -o obj/x.o");
        assertEquals(Language.C, i.language());
        assertEquals("src/x.c", i.source());
        assertEquals(Map.of(OutputKind.OBJECT, "obj/x.o"), i.outputs());
        assertEquals(List.of("-O2", "src/x.c", "-E"), i.preprocessorArgs());
        assertEquals(List.of("-O2", "-c"), i.keyArgs());
        assertFalse(i.hashCwd());
    }

    @Test
    void defaultOutputNames() {
        assertEquals("x.o", inv("-c src/x.c").object());
        assertEquals("x.s", inv("-S src/x.c").object());
        assertEquals("y.o", inv("-c y.cpp").object());
        assertEquals("obj/z.o", inv("-c z.c -oobj/z.o").object());
    }

    @Test
    void preprocessorOptionsStayOutOfTheKeyButReachCpp() {
        Invocation i = inv("-c x.c -DFOO=1 -I inc -Iinc2 -include cfg.h -isystem sys -O1");
        assertEquals(List.of("-c", "-O1"), i.keyArgs());
        assertEquals(List.of("x.c", "-DFOO=1", "-I", "inc", "-Iinc2", "-include", "cfg.h", "-isystem", "sys", "-O1", "-E"),
                i.preprocessorArgs());
    }

    @Test
    void unknownOptionsAreHashedAndKept() {
        Invocation i = inv("-c x.c -fsome-future-flag -Wbrand-new-warning=3");
        assertTrue(i.keyArgs().containsAll(List.of("-fsome-future-flag", "-Wbrand-new-warning=3")));
        assertTrue(i.preprocessorArgs().contains("-fsome-future-flag"));
        assertTrue(i.compileArgs().contains("-Wbrand-new-warning=3"));
    }

    @Test
    void ccacheSkipPassesTheNextWordUninterpretedAndIsDropped() {
        Invocation i = inv("--ccache-skip -fplugin-arg-x=1 -c x.c");
        assertFalse(i.compileArgs().contains("--ccache-skip"));
        assertFalse(i.preprocessorArgs().contains("--ccache-skip"));
        assertTrue(i.compileArgs().contains("-fplugin-arg-x=1") && i.keyArgs().contains("-fplugin-arg-x=1"));
        // a word that looks like a source is not taken for one
        Invocation j = inv("-c --ccache-skip extra.c x.c");
        assertEquals("x.c", j.source());
        assertTrue(j.compileArgs().contains("extra.c") && j.keyArgs().contains("extra.c"));
        // -o after --ccache-skip is not the output option; its file is then one more input
        assertInstanceOf(Uncacheable.class, analyze("-c x.c --ccache-skip -o y.o"));
    }

    @Test
    void filesOfTheCallingProcessAreNotTheDaemonsToReadOrWrite() throws Exception {
        for (String line : new String[] {"-c -x c /dev/stdin -o x.o", "-c /proc/self/fd/0 -o x.o", "-c x.c -o x.o -include /dev/fd/5",
            "-c x.c -MD -MF/dev/stderr", "-c x.c -o x.o -Wp,-MD,/proc/thread-self/fd/9", "-c /dev/fd -o x.o"}) {
            assertEquals(Counter.UNSUPPORTED_COMPILER_OPTION, verdict(line), line);
        }
        assertEquals(Counter.OUTPUT_TO_STDOUT, verdict("-c x.c -o /dev/stdout"));
        // a response file there is not even read (it would be the daemon's own descriptor)
        assertEquals(Counter.UNSUPPORTED_COMPILER_OPTION, verdict("@/dev/fd/3"));
        // and its contents are checked too
        java.nio.file.Files.writeString(cwd.resolve("args.rsp"), "-c x.c -o /dev/stdout\n");
        assertEquals(Counter.OUTPUT_TO_STDOUT, verdict("@args.rsp"));
        // look-alikes are fine
        inv("-c x.c -o /dev/fdx/x.o -I/proc/selfish");
        // in every file position the option table knows: joined, separate, through -Wp, and -Xpreprocessor
        for (String line : new String[] {"-c x.c -I/proc/self/cwd/include", "-c x.c -I /proc/self/cwd",
            "-c x.c --sysroot=/proc/self/root", "-c x.c -isystem /dev/fd/4", "-c x.c -Wp,-include,/dev/stdin",
            "-c x.c -Xpreprocessor -include -Xpreprocessor /dev/fd/3", "-c x.c -MD -Wp,-MF,/dev/stderr",
            "-c x.c --ccache-skip /dev/stdin", "-c x.c -include /dev/tty"}) {
            assertEquals(Counter.UNSUPPORTED_COMPILER_OPTION, verdict(line), line);
        }
    }

    /**
     * Issue 22: git passes {@code -DPROCFS_EXECUTABLE_PATH="/proc/self/exe"} to every compile. A
     * macro's value is text for the preprocessor, not a file anyone opens: words outside a file
     * position never make a call uncacheable, however much they look like a path.
     */
    @Test
    void pathLikeTextOutsideFilePositionsIsCacheable() {
        for (String line : new String[] {"-c x.c -DPROCFS_EXECUTABLE_PATH=\"/proc/self/exe\"",
            "-c x.c -D FD_DIR=/dev/fd", "-c x.c -fdebug-prefix-map=/proc/self/cwd=.", "-c x.c -MT /dev/stdout -MD",
            "-c x.c -Wp,-DTTY=/dev/tty", "-c x.c -Xpreprocessor -DIN=/dev/stdin", "-c x.c -Wa,--defsym,X=/dev/fd",
            "-c x.c -fmacro-prefix-map=/proc/self/cwd/=", "-c x.c -Wl,-rpath,/proc/self"}) {
            assertInstanceOf(Invocation.class, analyze(line), line);
        }
        assertTrue(inv("-c -DPROCFS_EXECUTABLE_PATH=\"/proc/self/exe\" x.c").preprocessorArgs()
                .contains("-DPROCFS_EXECUTABLE_PATH=\"/proc/self/exe\""), "the macro still reaches the preprocessor");
    }

    @Test
    void preprocessorDependencyOptionsAreTakenAsCcacheTakesThem() {
        Invocation i = inv("-c x.c -o x.o -Wp,-MD,x.d -Wp,-MP -Wp,-MT,tgt");
        assertEquals("x.d", i.outputs().get(OutputKind.DEPENDENCY));
        assertTrue(i.keyArgs().containsAll(List.of("-Wp,-MP", "-Wp,-MT,tgt")));
        assertFalse(i.keyArgs().contains("x.o"), "-Wp,-MT names the target: the object path is not keyed");
        assertFalse(i.preprocessorArgs().stream().anyMatch(a -> a.startsWith("-Wp,-M")), "no .d from the cpp run");
        assertEquals("y.d", inv("-c x.c -MD -Wp,-MF,y.d").outputs().get(OutputKind.DEPENDENCY));
        assertEquals(Counter.UNSUPPORTED_COMPILER_OPTION, verdict("-c x.c -Wp,-M"));
    }

    @Test
    void anAssemblerListingFileIsAnOutputNotKeyedByItsName() {
        Invocation one = inv("-c x.c -Wa,-a=x.lst,-L");
        assertEquals("x.lst", one.outputs().get(OutputKind.ASSEMBLER_LISTING));
        assertEquals(one.keyArgs(), inv("-c x.c -Wa,-a=y.lst,-L").keyArgs(), "ccache: the name is not hashed");
        assertNotEquals(one.keyArgs(), inv("-c x.c -Wa,-as=x.lst,-L").keyArgs(), "-as lists other things");
        assertEquals("x.lst", inv("-c x.c -Xassembler -al=x.lst").outputs().get(OutputKind.ASSEMBLER_LISTING));
        assertEquals(Counter.UNSUPPORTED_COMPILER_OPTION, verdict("-c x.c -Wa,-a=x.lst -Wa,-ad=y.lst"), "two listings");
        assertNull(inv("-S x.c -Wa,-a=x.lst").outputs().get(OutputKind.ASSEMBLER_LISTING), "-S: the assembler does not run");
        inv("-c x.c -Wa,-adhln"); // the listing goes to stdout, which is replayed
        inv("-c x.c -Wa,--noexecstack");
        assertEquals(Counter.UNSUPPORTED_COMPILER_OPTION, assertInstanceOf(Uncacheable.class,
                ArgumentAnalyzer.analyze(List.of("-c", "stdin"), Path.of("/dev"), Map.of())).counter(), "cwd /dev");
    }

    /**
     * Issue 22: a build that compiles one source to several object names (or a cold and a
     * warm build with different object directories) shares one manifest: output names are not
     * in the direct-mode key unless an output's contents name them.
     */
    @Test
    void theDirectKeyLeavesOutOutputNamesThatNoOutputContains() {
        assertEquals(inv("-O2 -Iinc -DX=1 -c x.c -o a.o -MD -MF a.d -MT t").directKeyArgs(),
                inv("-O2 -Iinc -DX=1 -c x.c -o b/b.o -MD -MF b/b.d -MT t").directKeyArgs());
        assertEquals(inv("-c x.c -o a.o -Wp,-MD,a.d -MT t").directKeyArgs(),
                inv("-c x.c -o b.o -Wp,-MD,b.d -MT t").directKeyArgs());
        // the preprocessor-only options are in it, in order (direct mode never sees their effect)
        assertEquals(List.of("-O2", "-c", "[cpp]", "-Ib", "-Ia", "-DX=1"), inv("-O2 -Ib -Ia -DX=1 -c x.c -o a.o").directKeyArgs());
        // a .d without a named target names the object: its target is rewritten on a hit (as
        // ccache does), unless make would need it quoted; a .gcda path is in the object
        assertEquals(inv("-c x.c -o a.o -MD").directKeyArgs(), inv("-c x.c -o b/b.o -MD").directKeyArgs());
        assertEquals(List.of("b/b.o"), inv("-c x.c -o b/b.o -MD").dependencyTargets());
        assertTrue(inv("-c x.c -o a#b.o -MD").directKeyArgs().contains("a#b.o"));
        assertEquals(List.of("x.o"), inv("-c src/x.c -MD").dependencyTargets(), "no -o: the compiler's default target");
        assertTrue(inv("-S x.c -MD").directKeyArgs().contains("x.s"), "-S without -o: keyed (cc1's target is x.o)");
        assertTrue(inv("-c x.c -MD -MF /dev/null").directKeyArgs().contains("[dependency-file] /dev/null"));
        assertNull(inv("-c x.c -MD -MF /dev/null").dependencyTargets(), "/dev/null has no target to rewrite");
        // gcc writes the -Wp, file, clang the -MF one: refused, as ccache refuses it
        assertEquals(Counter.UNSUPPORTED_COMPILER_OPTION, verdict("-Wp,-MD,x.d -MF y.d -c x.c"));
        assertEquals(Counter.UNSUPPORTED_COMPILER_OPTION, verdict("-Wp,-P,-DFOO -c x.c"));
        assertFalse(inv("-P -c x.c").preprocessorArgs().contains("-P"), "-P is the compile's own");
        assertFalse(inv("-Wp,-P -c x.c").preprocessorArgs().contains("-Wp,-P"));
        assertEquals(List.of("-Wp,-MMD,s.d,-MT,s.o", "-c", "x.c"), inv("-Wp,-MMD,s.d,-MT,s.o -c x.c").compileArgs());
        assertEquals("s.d", inv("-Wp,-MMD,s.d,-MT,s.o -c x.c").outputs().get(OutputKind.DEPENDENCY));
        assertFalse(inv("-Wp,-MMD,s.d,-MT,s.o -c x.c").directModeAllowed(), "several -Wp, words: no direct mode, as ccache");
        assertTrue(inv("-Wp,-DFOO -c x.c").directKeyArgs().contains("-DFOO"), "-Wp,-D keyed as -D");
        assertFalse(inv("-c -MD x.s").outputs().containsKey(OutputKind.DEPENDENCY), "no .d for assembler");
        assertTrue(inv("-c x.c -o a.o -fprofile-arcs").directKeyArgs().contains("a.o"));
        assertTrue(inv("-c x.c -o a.o -gsplit-dwarf -g").directKeyArgs().contains("a.o"));
    }

    /**
     * With {@code base_dir} the call is analysed once: the analysis of the rewritten command
     * carries the dependency target of the command as typed (the typed object), keys and compile
     * as the rewritten command alone gives them; -MT/-MQ, never rewritten, stay.
     */
    @Test
    @Timeout(10)
    void theOneAnalysisCarriesTheTypedObjectAsTheDependencyTarget() throws Exception {
        List<String> typed = List.of("-c", "/p/x.c", "-o", "/p/obj/x.o", "-MD");
        List<String> rewritten = List.of("-c", "x.c", "-o", "obj/x.o", "-MD");
        Invocation once = assertInstanceOf(Invocation.class, ArgumentAnalyzer.analyze(rewritten, typed, cwd, Map.of()));
        Invocation alone = inv(String.join(" ", rewritten));
        assertEquals(List.of("/p/obj/x.o"), once.dependencyTargets());
        assertEquals(List.of("obj/x.o"), alone.dependencyTargets());
        assertEquals(alone.compileArgs(), once.compileArgs());
        assertEquals(alone.keyArgs(), once.keyArgs());
        assertEquals(alone.directKeyArgs(), once.directKeyArgs());
        assertEquals(alone.outputs(), once.outputs());

        // the typed word is found where the walk is: after response files and --ccache-skip
        Files.writeString(cwd.resolve("flags.rsp"), "-O2 -MD\n-c");
        Invocation shifted = assertInstanceOf(Invocation.class, ArgumentAnalyzer.analyze(
                List.of("@flags.rsp", "--ccache-skip", "-DX", "x.c", "-o", "x.o"),
                List.of("@flags.rsp", "--ccache-skip", "-DX", "/p/x.c", "-o", "/p/x.o"), cwd, Map.of()));
        assertEquals(List.of("/p/x.o"), shifted.dependencyTargets());

        // -MT names the target (not rewritten); a typed object make would quote keeps the relative one
        assertEquals(List.of("t"), assertInstanceOf(Invocation.class, ArgumentAnalyzer.analyze(
                List.of("-c", "x.c", "-o", "x.o", "-MD", "-MT", "t"),
                List.of("-c", "/p/x.c", "-o", "/p/x.o", "-MD", "-MT", "t"), cwd, Map.of())).dependencyTargets());
        assertEquals(List.of("x.o"), assertInstanceOf(Invocation.class, ArgumentAnalyzer.analyze(
                List.of("-c", "x.c", "-o", "x.o", "-MD"),
                List.of("-c", "/p q/x.c", "-o", "/p q/x.o", "-MD"), cwd, Map.of())).dependencyTargets());
    }

    @Test
    void dependencyFiles() {
        Invocation explicit = inv("-c x.c -o obj/x.o -MD -MF obj/x.d -MT obj/x.o");
        assertEquals("obj/x.d", explicit.outputs().get(OutputKind.DEPENDENCY));
        assertFalse(explicit.preprocessorArgs().stream().anyMatch(a -> a.startsWith("-M")), "no .d from the cpp run");
        assertFalse(explicit.keyArgs().contains("obj/x.d"), "the .d path does not change its contents");
        assertTrue(explicit.keyArgs().contains("-MT"));
        assertFalse(explicit.keyArgs().contains("obj/x.o"), "the target is rewritten on a hit, as ccache does");
        assertTrue(inv("-c x.c -MD -MT a#b").keyArgs().contains("a#b"), "a target needing quotes is keyed");

        Invocation implicit = inv("-c x.c -o obj/x.o -MMD");
        assertEquals("obj/x.d", implicit.outputs().get(OutputKind.DEPENDENCY));
        assertFalse(implicit.keyArgs().contains("obj/x.o"), "the default target is rewritten on a hit");
        assertEquals(List.of("obj/x.o"), implicit.dependencyTargets());
        assertEquals(List.of("obj/x.o"), explicit.dependencyTargets(), "-MT names it: rewritten on a hit");

        Invocation kernel = inv("-c x.c -o x.o -Wp,-MD,.x.o.d");
        assertEquals(".x.o.d", kernel.outputs().get(OutputKind.DEPENDENCY));
        assertFalse(kernel.preprocessorArgs().stream().anyMatch(a -> a.startsWith("-Wp")));

        assertEquals("x.d", inv("-c src/x.c -MD").outputs().get(OutputKind.DEPENDENCY));
    }

    @Test
    void sideOutputs() {
        Invocation i = inv("-c x.c -o o/x.o --coverage -g -gsplit-dwarf -fstack-usage");
        assertEquals("o/x.gcno", i.outputs().get(OutputKind.COVERAGE_NOTES));
        assertEquals("o/x.dwo", i.outputs().get(OutputKind.SPLIT_DWARF));
        assertEquals("o/x.su", i.outputs().get(OutputKind.STACK_USAGE));
        assertTrue(i.hashCwd());
        assertTrue(i.keyArgs().contains("o/x.o"), "the .gcda path is embedded in the object");
    }

    @Test
    void debugInfoHashesCwd() {
        assertTrue(inv("-c x.c -g").hashCwd());
        assertTrue(inv("-c x.c -ggdb3").hashCwd());
        assertFalse(inv("-c x.c -g -g0").hashCwd());
    }

    @Test
    void macroDebugInfoOrRecordedSwitchesKeepPreprocessorOptionsInTheKey() {
        assertTrue(inv("-c x.c -g3 -DX=1").keyArgs().contains("-DX=1"));
        assertTrue(inv("-c x.c -frecord-gcc-switches -DX=1").keyArgs().contains("-DX=1"));
        assertFalse(inv("-c x.c -g -DX=1").keyArgs().contains("-DX=1"));
    }

    @Test
    void languageSelection() {
        assertEquals(Language.CXX, inv("-x c++ -c x.c").language());
        assertEquals(Language.C, inv("-x c++ -x none -c x.c").language());
        assertEquals(Language.C_PREPROCESSED, inv("-c x.i").language());
        assertTrue(inv("-c x.i").keyArgs().contains("x.i"), "a preprocessed input's name is not in its text");
        assertEquals(Language.ASSEMBLER_WITH_CPP, inv("-c x.S").language());
    }

    @ParameterizedTest
    @CsvSource({
        "x.c -o x,                     CALLED_FOR_LINK",
        "-o prog main.o -L. libz.a,    CALLED_FOR_LINK",
        "-print-multiarch,             NO_INPUT_FILE",
        "--version,                    NO_INPUT_FILE",
        "-c x.c libz.a,                UNSUPPORTED_SOURCE_LANGUAGE",
        "-E x.c,                       CALLED_FOR_PREPROCESSING",
        "-c x.c y.c,                   MULTIPLE_SOURCE_FILES",
        "-c,                           NO_INPUT_FILE",
        "-c -,                         NO_INPUT_FILE",
        "-c x.c -o -,                  OUTPUT_TO_STDOUT",
        "conftest.c -o conftest,       AUTOCONF_TEST",
        "-o conftest conftest.o,       AUTOCONF_TEST",
        "-c x.c -M,                    UNSUPPORTED_COMPILER_OPTION",
        "-c x.c -MM,                   UNSUPPORTED_COMPILER_OPTION",
        "-c x.c -save-temps,           UNSUPPORTED_COMPILER_OPTION",
        "-c x.c -save-temps=obj,       UNSUPPORTED_COMPILER_OPTION",
        "-c x.c -ftime-trace,          UNSUPPORTED_COMPILER_OPTION",
        "-c x.c -fplugin=./p.so,       UNSUPPORTED_COMPILER_OPTION",
        "-c x.c -fprofile-use,         UNSUPPORTED_COMPILER_OPTION",
        "-c x.c -fprofile-use=dir,     UNSUPPORTED_COMPILER_OPTION",
        "-c x.c -fauto-profile=p,      UNSUPPORTED_COMPILER_OPTION",
        "-c x.c -fbranch-probabilities, UNSUPPORTED_COMPILER_OPTION",
        "'-c x.c -Wp,-M',            UNSUPPORTED_COMPILER_OPTION",
        "-c x.h,                       COULD_NOT_USE_PRECOMPILED_HEADER",
        "-c x.f90,                     UNSUPPORTED_SOURCE_LANGUAGE",
        "-x fortran -c x.c,            UNSUPPORTED_SOURCE_LANGUAGE",
        "-c x.c -o,                    BAD_COMPILER_ARGUMENTS",
        "-c x.c -o a.o -o b.o,         BAD_COMPILER_ARGUMENTS",
        "-c x.c -I,                    BAD_COMPILER_ARGUMENTS",
    })
    void uncacheableCalls(String line, Counter expected) {
        assertEquals(expected, verdict(line.trim()));
    }

    @Test
    void unsupportedEnvironment() {
        Analysis a = ArgumentAnalyzer.analyze(List.of("-c", "x.c"), cwd, Map.of("DEPENDENCIES_OUTPUT", "x.d"));
        assertEquals(Counter.UNSUPPORTED_ENVIRONMENT_VARIABLE, ((Uncacheable) a).counter());
    }

    @Test
    void responseFilesAreExpanded() throws Exception {
        Files.writeString(cwd.resolve("args.rsp"), "-O2 '-DNAME=a b' \"-DQ=\\\"q\\\"\"\n-c x.c @more.rsp\n");
        Files.writeString(cwd.resolve("more.rsp"), "-o out.o");
        Invocation i = inv("@args.rsp");
        assertEquals(List.of("-O2", "-DNAME=a b", "-DQ=\"q\"", "-c", "x.c", "-o", "out.o"), i.compileArgs());
        assertEquals("out.o", i.object());
        assertEquals(Counter.BAD_COMPILER_ARGUMENTS, verdict("@missing.rsp"));
    }

    @Test
    void filesTheCompilerReadsAreHashed() {
        Invocation i = inv("-c x.c -specs=my.specs -fsanitize-ignorelist=ign.txt");
        assertEquals(List.of("my.specs", "ign.txt"), i.hashedFiles());
    }

    @Test
    void colourChoiceIsTheLastColourOption() {
        assertEquals(DiagnosticsColour.NEVER, inv("-c x.c -fdiagnostics-color=never").colour());
        assertEquals(DiagnosticsColour.AUTO, inv("-c x.c").colour());
        assertEquals(DiagnosticsColour.ALWAYS, inv("-fno-diagnostics-color -c x.c -fdiagnostics-color").colour());
        assertEquals(DiagnosticsColour.AUTO, inv("-fdiagnostics-color=always -c x.c -fdiagnostics-color=auto").colour());
        assertEquals(DiagnosticsColour.ALWAYS, inv("-c x.c -Xclang -fcolor-diagnostics").colour());
        assertEquals(DiagnosticsColour.NEVER, inv("-c x.c -fcolor-diagnostics -fno-color-diagnostics").colour());
    }

    @Test
    void colourOptionsAreInNoKeyButInTheCompileOnly() {
        Invocation plain = inv("-c x.c -o x.o");
        for (String colour : List.of("-fdiagnostics-color", "-fdiagnostics-color=always", "-fdiagnostics-color=never",
                "-fdiagnostics-color=auto", "-fno-diagnostics-color", "-fcolor-diagnostics", "-fno-color-diagnostics",
                "-Xclang -fcolor-diagnostics")) {
            Invocation i = inv("-c x.c -o x.o " + colour);
            assertEquals(plain.keyArgs(), i.keyArgs(), colour);
            assertEquals(plain.directKeyArgs(), i.directKeyArgs(), colour);
            assertEquals(plain.preprocessorArgs(), i.preprocessorArgs(), colour);
            assertTrue(String.join(" ", i.compileArgs()).endsWith(colour), colour);
            assertEquals(List.of(colour.split(" ")), i.colourArgs(), colour);
        }
    }

    @Test
    void colourOptionsAreKeyedWhenTheObjectRecordsTheCommandLine() {
        assertNotEquals(inv("-c x.c -frecord-gcc-switches").keyArgs(),
                inv("-c x.c -frecord-gcc-switches -fdiagnostics-color=never").keyArgs());
    }

    @Test
    void anUnknownColourValueStaysKeyed() {
        assertNotEquals(inv("-c x.c").keyArgs(), inv("-c x.c -fdiagnostics-color=sometimes").keyArgs());
    }
}
