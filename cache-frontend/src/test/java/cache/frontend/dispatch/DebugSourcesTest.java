package cache.frontend.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.compat.config.Config;
import cache.compat.config.ConfigLoader;
import cache.distributor.Farm;
import cache.frontend.args.ArgumentAnalyzer;
import cache.frontend.args.Invocation;
import cache.frontend.key.CompilerIdentity;
import cache.node.protocol.NodeProtocol.CompilerSpec;
import cache.process.ProcessResult;
import cache.process.ProcessRunner;
import java.nio.charset.StandardCharsets;
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
 * Which clang {@code -g} jobs go to a node: up to DWARF 4 (no MD5s in the line table), as a
 * rewritten-includes source with the call's macros; DWARF 5 and {@code -gembed-source} stay here.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class DebugSourcesTest {

    @TempDir
    Path tmp;

    /** Answers every command with {@code int x;} on stdout, and remembers the commands. */
    private static final class RecordingRunner implements ProcessRunner {
        final List<List<String>> commands = new ArrayList<>();

        @Override
        public ProcessResult run(List<String> command, Path cwd, Map<String, String> env, Duration limit) {
            commands.add(command);
            return new ProcessResult(0, "int x;\n".getBytes(StandardCharsets.UTF_8), new byte[0]);
        }
    }

    private BuildJob job(String compiler, String args) throws Exception {
        Map<String, String> env = Map.of("HOME", tmp.toString(), "CCACHE_DIR", tmp.resolve("cache").toString());
        Invocation inv = assertInstanceOf(Invocation.class,
                ArgumentAnalyzer.analyze(Arrays.asList(args.split(" ")), tmp, env), args);
        Config config = new ConfigLoader().load(env, tmp.resolve("no-system.conf"), tmp);
        return new BuildJob(null, new CompilerIdentity(compiler, Path.of("/usr/bin/" + compiler), 1, 2), inv, null,
                null, null, List.of(), tmp, env, 022, config);
    }

    private String keptLocal(String args) throws Exception {
        return new DebugSources(new RecordingRunner()).keptLocal(job("clang", args));
    }

    @Test
    void clangDwarf5StaysHere() throws Exception {
        assertNotNull(keptLocal("-O2 -g -c x.c -o x.o"), "clang's default DWARF (5)");
        assertNotNull(keptLocal("-O2 -g -gdwarf-5 -c x.c -o x.o"));
        assertNotNull(keptLocal("-O2 -g -gdwarf-4 -gdwarf-5 -c x.c -o x.o"), "the last -gdwarf-N wins");
        assertNotNull(keptLocal("-O2 -g -gdwarf -c x.c -o x.o"), "-gdwarf: the default version");
        assertNotNull(keptLocal("-O2 -g -gdwarf-4 -gembed-source -c x.c -o x.o"), "-gembed-source");
    }

    @Test
    void clangDwarf4AndOlderGo() throws Exception {
        assertNull(keptLocal("-O2 -g -gdwarf-4 -c x.c -o x.o"));
        assertNull(keptLocal("-O2 -gdwarf-5 -g -gdwarf-4 -c x.c -o x.o"), "the last -gdwarf-N wins");
        assertNull(keptLocal("-O2 -g -gdwarf-2 -c x.c -o x.o"));
    }

    @Test
    void clangJobIsTheRewrittenSourceWithTheCallsMacros() throws Exception {
        RecordingRunner runner = new RecordingRunner();
        BuildJob job = job("clang", "-O2 -g -gdwarf-4 -DFOO=3 -Iinc -U BAR -c x.c -o x.o");
        Farm.Job plain = new Farm.Job(null, new CompilerSpec("clang", "14.0.6", "x86_64-pc-linux-gnu"), "c",
                List.of("-O2", "-g", "-gdwarf-4", "-c"), new byte[0]);
        Farm.Job sent = new DebugSources(runner).job(job, plain);

        assertEquals(1, runner.commands.size());
        List<String> cpp = runner.commands.get(0);
        assertTrue(cpp.contains("-frewrite-includes") && !cpp.contains("-fdirectives-only"), cpp.toString());
        assertEquals(List.of("-O2", "-g", "-gdwarf-4", "-c", "-DFOO=3", "-U", "BAR"), sent.args(),
                "-D and -U follow the text: clang's rewritten includes leave them out");
        assertEquals("int x;\n", new String(sent.input(), StandardCharsets.UTF_8), "no builtin block to strip");
        assertEquals("x.c", sent.source().path());
        assertEquals("c", sent.language());
    }
}
