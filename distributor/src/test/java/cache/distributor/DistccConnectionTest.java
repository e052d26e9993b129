package cache.distributor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.node.protocol.NodeProtocol.CompilerSpec;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the farm asks a distccd to run, and what it keeps off distccd hosts. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class DistccConnectionTest {

    private static final CompilerSpec GCC = new CompilerSpec("gcc", "12.2.0", "x86_64-linux-gnu");

    @Test
    void argvIsBareCompilerArgumentsCompileInputAndOutput() {
        assertEquals(List.of("gcc", "-O2", "-Wall", "-c", "cache-job.i", "-o", "cache-job.o"),
                DistccConnection.argv(GCC, List.of("-O2", "-Wall"), ".i"));
        assertEquals(List.of("g++", "-S", "cache-job.ii", "-o", "cache-job.s"),
                DistccConnection.argv(new CompilerSpec("/usr/bin/g++", "12", "x"), List.of("-S"), ".ii"));
    }

    @Test
    void onlyPreprocessedLanguagesHaveAnExtension() {
        assertEquals(".i", DistccConnection.extension("cpp-output"));
        assertEquals(".ii", DistccConnection.extension("c++-cpp-output"));
        assertEquals(".mi", DistccConnection.extension("objective-c-cpp-output"));
        assertEquals(".mii", DistccConnection.extension("objective-c++-cpp-output"));
        assertNull(DistccConnection.extension("c"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-march=native", "-mtune=native", "-MM", "-E", "--coverage", "-fprofile-use=x",
        "-frepo", "-fplugin=x.so", "-specs=x", "-Wa,-adhln", "-xc", "stray.c"})
    void argumentsDistccdDropsSilentlyKeepTheJobOffDistccdHosts(String arg) {
        String why = DistccArguments.refusal(List.of("-O2", arg));
        assertTrue(why != null && why.contains(arg), "refused: " + why);
    }

    @Test
    void ordinaryArgumentsPass() {
        assertNull(DistccArguments.refusal(List.of("-O2", "-g0", "-Wall", "-fPIC", "-std=c11", "-c", "-MD")));
    }
}
