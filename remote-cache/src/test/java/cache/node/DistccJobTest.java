package cache.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A distcc client's argv read as distccd reads it: input, output and language found, the rest kept. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class DistccJobTest {

    @Test
    void debiansRequestKeepsTheFlagsAndDropsInputAndOutput() throws Refusal {
        DistccJob j = DistccJob.of(List.of("x86_64-linux-gnu-gcc", "-O2", "-c", "src/x.c", "-o", "obj/x.o"));
        assertEquals("x86_64-linux-gnu-gcc", j.compiler());
        assertEquals("cpp-output", j.language());
        assertEquals(List.of("-O2", "-c"), j.args());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"x.c,cpp-output", "x.i,cpp-output", "x.cc,c++-cpp-output", "x.cpp,c++-cpp-output",
        "x.C,c++-cpp-output", "x.ii,c++-cpp-output", "x.m,objective-c-cpp-output",
        "x.mm,objective-c++-cpp-output", "x.mii,objective-c++-cpp-output"})
    void theInputsExtensionGivesThePreprocessedLanguage(String input, String language) throws Refusal {
        assertEquals(language, DistccJob.of(List.of("gcc", "-c", input, "-o", "x.o")).language());
    }

    /** lua's {@code g++ -c lctype.c}: distcc sends {@code lctype.i} preprocessed as C++ (found by distcc-matrix.sh). */
    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({"g++,x.i,c++-cpp-output", "g++,x.c,c++-cpp-output", "c++,x.i,c++-cpp-output",
        "x86_64-linux-gnu-g++-12,x.i,c++-cpp-output", "/usr/bin/clang++,x.i,c++-cpp-output",
        "g++,x.m,objective-c-cpp-output", "gcc,x.i,cpp-output", "cc,x.i,cpp-output", "g++,x.ii,c++-cpp-output",
        "notg++wrapper,x.i,cpp-output"})
    void aCxxDriverTakesCAndIInputsAsCxx(String compiler, String input, String language) throws Refusal {
        assertEquals(language, DistccJob.of(List.of(compiler, "-c", input, "-o", "x.o")).language());
    }

    @Test
    void joinedAndBareOutputsAreDroppedAndUsrBinIsTolerated() throws Refusal {
        assertEquals(List.of("-c"), DistccJob.of(List.of("/usr/bin/gcc", "-c", "x.c", "-ox.o")).args());
        assertEquals("gcc", DistccJob.of(List.of("/usr/bin/gcc", "-c", "x.c", "x.o")).compiler());
        assertEquals(List.of("-c"), DistccJob.of(List.of("gcc", "-c", "x.c", "x.o")).args());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "gcc -E x.c -o x.o|is not compiled remotely",
        "gcc -c -x c x.c -o x.o|is not compiled remotely",
        "gcc -c a.c b.c -o x.o|two inputs",
        "gcc -c x.c -o a.o -o b.o|second",
        "gcc -c -o|missing -o",
        "gcc -c x.h -o x.o|no source input",
        "gcc x.c -o x.o|neither -c nor -S",
    })
    void whatDistccdRunsLocallyIsRefused(String argv, String reason) {
        Refusal r = assertThrows(Refusal.class, () -> DistccJob.of(List.of(argv.split(" "))));
        assertTrue(r.getMessage().contains(reason), r.getMessage());
    }
}
