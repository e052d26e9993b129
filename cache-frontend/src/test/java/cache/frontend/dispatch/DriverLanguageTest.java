package cache.frontend.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import cache.compat.args.Language;
import cache.frontend.args.ArgumentAnalyzer;
import cache.frontend.args.Invocation;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The language a node is told: a C++ driver's .c or .i input is C++ unless -x names the language. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class DriverLanguageTest {

    private static Language sent(String compiler, String args) {
        Invocation inv = assertInstanceOf(Invocation.class,
                ArgumentAnalyzer.analyze(Arrays.asList(args.split(" ")), Path.of("/tmp"), Map.of()), args);
        Language driver = FarmBuilder.driverLanguage(compiler, inv);
        return driver == null ? inv.language() : driver;
    }

    @Test
    void cxxDriversCompileCFilesAsCxx() {
        for (String driver : new String[] {"g++", "c++", "clang++", "x86_64-linux-gnu-g++-12", "g++-12"}) {
            assertEquals(Language.CXX, sent(driver, "-O2 -c lapi.c -o lapi.o"), driver + " lapi.c");
            assertEquals(Language.CXX_PREPROCESSED, sent(driver, "-O2 -c lapi.i -o lapi.o"), driver + " lapi.i");
        }
    }

    /** {@code -x none} hands the language back to the extension, which a C++ driver reads as C++. */
    @Test
    void xNoneBeforeTheInputLeavesTheChoiceToTheDriver() {
        assertEquals(Language.CXX, sent("g++", "-O2 -x none -c f.c -o f.o"), "g++ -x none f.c");
        assertEquals(Language.CXX, sent("g++", "-O2 -x c -x none -c f.c -o f.o"), "the last -x wins");
        assertEquals(Language.CXX, sent("g++", "-O2 -xnone -c f.c -o f.o"), "joined -xnone");
        assertEquals(Language.CXX_PREPROCESSED, sent("clang++", "-x none -c f.i -o f.o"), "clang++ -x none f.i");
        assertEquals(Language.C, sent("gcc", "-x none -c f.c -o f.o"), "gcc -x none f.c stays C");
        assertEquals(Language.C, sent("g++", "-x none -x c -c f.c -o f.o"), "a later -x c names C");
    }

    @Test
    void cDriversAndExplicitLanguagesAreLeftAsTheyAre() {
        assertEquals(Language.C, sent("gcc", "-O2 -c lapi.c -o lapi.o"));
        assertEquals(Language.C, sent("cc", "-O2 -c lapi.c -o lapi.o"));
        assertEquals(Language.C, sent("clang", "-O2 -c lapi.c -o lapi.o"));
        assertEquals(Language.C, sent("g++", "-O2 -x c -c lapi.c -o lapi.o"), "g++ -x c compiles C");
        assertEquals(Language.CXX, sent("gcc", "-O2 -c x.cpp -o x.o"));
        assertEquals(Language.CXX, sent("g++", "-O2 -c x.cc -o x.o"));
    }
}
