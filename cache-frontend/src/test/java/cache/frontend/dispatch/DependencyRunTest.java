package cache.frontend.dispatch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import cache.compat.config.Config;
import cache.compat.config.ConfigLoader;
import cache.frontend.args.ArgumentAnalyzer;
import cache.frontend.args.Invocation;
import cache.frontend.key.CompilerIdentity;
import cache.process.ProcessResult;
import cache.process.ProcessRunner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dependency file of a farm job, written here: the preprocessor run's command (the call's
 * dependency options, the temporary {@code -MF}, {@code -MQ <object>} when no target is named)
 * and the forms it leaves to a local compile.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class DependencyRunTest {

    private static final byte[] DEPS = "x.o: x.c\n".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path tmp;

    /** Writes {@link #DEPS} where {@code -MF} says, exits with {@code exit}, remembers the command. */
    private static final class FakeCpp implements ProcessRunner {
        final int exit;
        List<String> command;

        FakeCpp(int exit) {
            this.exit = exit;
        }

        @Override
        public ProcessResult run(List<String> command, Path cwd, Map<String, String> env, Duration limit)
                throws IOException {
            this.command = command;
            Files.write(Path.of(command.get(command.indexOf("-MF") + 1)), DEPS);
            return new ProcessResult(exit, new byte[0], "cpp: trouble\n".getBytes(StandardCharsets.UTF_8));
        }
    }

    private Invocation inv(String args, Map<String, String> extraEnv) {
        Map<String, String> env = new java.util.HashMap<>(Map.of("HOME", tmp.toString()));
        env.putAll(extraEnv);
        return assertInstanceOf(Invocation.class, ArgumentAnalyzer.analyze(Arrays.asList(args.split(" ")), tmp, env),
                args);
    }

    private BuildJob job(String args) throws Exception {
        Map<String, String> env = Map.of("HOME", tmp.toString());
        Config config = new ConfigLoader().load(env, tmp.resolve("no-system.conf"), tmp);
        return new BuildJob(null, new CompilerIdentity("gcc", Path.of("/usr/bin/gcc"), 1, 2), inv(args, Map.of()), null,
                null, null, List.of(), tmp, env, 022, config);
    }

    /** The run's arguments after the compiler, with the temporary file's name replaced by {@code TMP}. */
    private static List<String> tail(List<String> command) {
        List<String> out = new ArrayList<>(command.subList(1, command.size()));
        out.set(out.indexOf("-MF") + 1, "TMP");
        return out;
    }

    @Test
    void mdWithoutATargetGetsTheObjectAsTarget() throws Exception {
        FakeCpp cpp = new FakeCpp(0);
        assertArrayEquals(DEPS, new DependencyRun(cpp).run(job("-O2 -DX=1 -MD -c x.c -o obj/x.o")));
        assertEquals("/usr/bin/gcc", cpp.command.get(0));
        assertEquals(List.of("-O2", "-DX=1", "x.c", "-E", "-MD", "-MQ", "obj/x.o", "-MF", "TMP", "-o", "/dev/null"),
                tail(cpp.command));
    }

    @Test
    void theCallsMfIsReplacedAndItsTargetsAndPhonyTargetsKept() throws Exception {
        FakeCpp cpp = new FakeCpp(0);
        new DependencyRun(cpp).run(job("-O2 -MMD -MP -MF deps/x.dep -MT t1 -MQ$t2 -c x.c -o x.o"));
        assertEquals(List.of("-O2", "x.c", "-E", "-MMD", "-MP", "-MT", "t1", "-MQ", "$t2", "-MF", "TMP", "-o",
                "/dev/null"), tail(cpp.command));
    }

    @Test
    void aFailedRunIsAnErrorSoTheJobStaysHere() throws Exception {
        IOException e = assertThrows(IOException.class, () -> new DependencyRun(new FakeCpp(1)).run(job(
                "-O2 -MD -c x.c -o x.o")));
        assertEquals(true, e.getMessage().contains("cpp: trouble"), e.getMessage());
    }

    @Test
    void onlyTheDriversOwnDependencyOptionsAreReproduced() {
        assertNull(DependencyRun.refusal(inv("-O2 -MD -c x.c -o x.o", Map.of())));
        assertNull(DependencyRun.refusal(inv("-O2 -MMD -MFx.dep -MTt -c x.c -o x.o", Map.of())));
        assertNotNull(DependencyRun.refusal(inv("-O2 -Wp,-MD,x.dep -c x.c -o x.o", Map.of())), "-Wp,-MD,file");
    }
}
