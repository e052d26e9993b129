package cache.frontend.key;

import static org.junit.jupiter.api.Assertions.assertEquals;

import cache.process.ProcessResult;
import cache.process.ProcessRunner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The search path is asked once per command line, not once per source: each ask is a compiler run on a miss. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class SearchPathProbeTest {

    private static final String VERBOSE = """
            #include "..." search starts here:
            #include <...> search starts here:
             /usr/lib/gcc/x86_64-linux-gnu/12/include
             /usr/include
            End of search list.
            """;

    /** Answers every command like {@code gcc -v}, and remembers the commands. */
    private static final class CountingRunner implements ProcessRunner {
        final List<List<String>> commands = new ArrayList<>();

        @Override
        public ProcessResult run(List<String> command, Path cwd, Map<String, String> env, Duration limit) {
            commands.add(command);
            return new ProcessResult(0, new byte[0], VERBOSE.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static final CompilerIdentity GCC = new CompilerIdentity("gcc", Path.of("/usr/bin/gcc"), 1, 2);
    private static final Path CWD = Path.of("/tmp/project");

    private static List<String> cpp(String source, String... more) {
        List<String> out = new ArrayList<>(List.of("-O2", "-Iinc"));
        out.addAll(List.of(more));
        out.add(source);
        out.add("-E");
        return out;
    }

    @Test
    void sourcesOfOneCommandLineShareOneCompilerRun() throws Exception {
        CountingRunner runner = new CountingRunner();
        SearchPathProbe probe = new SearchPathProbe(runner);
        SearchPath first = probe.searchPath(GCC, "c", cpp("s0.c"), "s0.c", CWD, Map.of());
        SearchPath second = probe.searchPath(GCC, "c", cpp("s1.c"), "s1.c", CWD, Map.of());

        assertEquals(1, runner.commands.size(), "one run for both sources: " + runner.commands);
        assertEquals(List.of("/usr/bin/gcc", "-O2", "-Iinc", "-E", "-v", "-x", "c", "/dev/null"),
                runner.commands.get(0), "the source is not part of the command");
        assertEquals(List.of("/usr/lib/gcc/x86_64-linux-gnu/12/include", "/usr/include"), first.bracket());
        assertEquals(first, second);
    }

    @Test
    void anotherArgumentLanguageOrDirectoryIsAskedAgain() throws Exception {
        CountingRunner runner = new CountingRunner();
        SearchPathProbe probe = new SearchPathProbe(runner);
        probe.searchPath(GCC, "c", cpp("s0.c"), "s0.c", CWD, Map.of());
        probe.searchPath(GCC, "c", cpp("s0.c", "-Iother"), "s0.c", CWD, Map.of());
        probe.searchPath(GCC, "c++", cpp("s0.c"), "s0.c", CWD, Map.of());
        probe.searchPath(GCC, "c", cpp("s0.c"), "s0.c", Path.of("/tmp/elsewhere"), Map.of());

        assertEquals(4, runner.commands.size(), runner.commands.toString());
    }
}
