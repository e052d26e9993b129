package cache.frontend.key;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import cache.compat.Counter;
import cache.compat.config.CompilerType;
import cache.compat.args.Language;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CompilerFamilyTest {

    @TempDir
    Path dir;

    /** ccache 4.7's guess_compiler on the final file name; checked against /usr/bin/ccache's log. */
    @ParameterizedTest
    @CsvSource({
        "gcc, GCC", "gcc-12, GCC", "x86_64-linux-gnu-gcc-12, GCC", "g++, GCC", "arm-none-eabi-g++, GCC",
        "clang, CLANG", "clang++-14, CLANG", "CLANG.exe, CLANG", "clang-cl, CLANG_CL", "clang-cl.exe, CLANG_CL",
        "nvcc, NVCC", "icl, ICL", "ICL.EXE, ICL", "cl, MSVC", "cl.exe, MSVC", "cc, OTHER", "c++, OTHER",
        "tcc, OTHER", "icx, OTHER", "mycl, OTHER", "gcc.real, GCC",
    })
    void guessesFromTheFileNameAsCcache(String name, CompilerType expected) {
        assertEquals(expected, CompilerFamily.guessFromName(name));
    }

    @Test
    void followsSymbolicLinksToTheRealCompiler() throws Exception {
        Path real = Files.writeString(Files.createDirectories(dir.resolve("lib/llvm/bin")).resolve("clang"), "");
        Path alt = Files.createSymbolicLink(dir.resolve("alt-cc"), Path.of("lib/llvm/bin/clang"));
        Path cc = Files.createSymbolicLink(Files.createDirectories(dir.resolve("bin")).resolve("cc"), alt);
        assertEquals(CompilerType.CLANG, CompilerFamily.guess(cc));
        assertEquals(CompilerType.CLANG, CompilerFamily.guess(real));
        assertEquals(CompilerType.OTHER, CompilerFamily.guess(Files.writeString(dir.resolve("cc"), "")));
    }

    @Test
    void aConfiguredTypeOverridesTheGuess() throws Exception {
        Path gcc = Files.writeString(dir.resolve("gcc"), "");
        assertEquals(CompilerType.GCC, CompilerFamily.of(CompilerType.AUTO, gcc));
        assertEquals(CompilerType.CLANG, CompilerFamily.of(CompilerType.CLANG, gcc));
        assertEquals(CompilerType.OTHER, CompilerFamily.of(CompilerType.OTHER, gcc));
    }

    @Test
    void colourOptionsAreTheFamilysOwn() {
        assertEquals("-fdiagnostics-color", CompilerFamily.colourOption(CompilerType.GCC, Language.C));
        assertEquals("-fdiagnostics-color", CompilerFamily.colourOption(CompilerType.GCC, Language.ASSEMBLER));
        assertEquals("-fcolor-diagnostics", CompilerFamily.colourOption(CompilerType.CLANG, Language.CXX));
        assertNull(CompilerFamily.colourOption(CompilerType.CLANG, Language.ASSEMBLER));
        assertNull(CompilerFamily.colourOption(CompilerType.OTHER, Language.C));
        assertNull(CompilerFamily.colourOption(CompilerType.NVCC, Language.C));
    }

    @Test
    void typesWhoseCommandLinesAreNotParsedAreRefused() {
        for (CompilerType t : List.of(CompilerType.MSVC, CompilerType.CLANG_CL, CompilerType.ICL, CompilerType.NVCC)) {
            assertEquals(Counter.UNSUPPORTED_COMPILER_OPTION, CompilerFamily.refusal(t, List.of("-c", "a.c")).counter());
        }
        for (CompilerType t : List.of(CompilerType.GCC, CompilerType.CLANG, CompilerType.OTHER)) {
            assertNull(CompilerFamily.refusal(t, List.of("-c", "a.c")));
        }
    }

    @Test
    void onlyGccAndClangNameTheTargetOfWpDependencyOptions() {
        List<String> wp = List.of("-Wp,-MD,a.d", "-c", "a.c", "-o", "b.o");
        assertEquals(Counter.UNSUPPORTED_COMPILER_OPTION, CompilerFamily.refusal(CompilerType.OTHER, wp).counter());
        assertEquals(Counter.UNSUPPORTED_COMPILER_OPTION,
                CompilerFamily.refusal(CompilerType.OTHER, List.of("-Wp,-MMD,a.d", "-c", "a.c")).counter());
        assertNull(CompilerFamily.refusal(CompilerType.GCC, wp));
        assertNull(CompilerFamily.refusal(CompilerType.CLANG, wp));
        assertNull(CompilerFamily.refusal(CompilerType.OTHER, List.of("-Wp,-MD,a.d", "-MT", "x", "-c", "a.c")));
        assertNull(CompilerFamily.refusal(CompilerType.OTHER, List.of("-Wp,-MD,a.d", "-MMD", "-c", "a.c")));
    }
}
