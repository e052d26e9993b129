package cache.compat.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import cache.compat.RealCcache;
import cache.compat.config.Config;
import cache.compat.config.ConfigException;
import cache.compat.config.ConfigLoader;
import cache.compat.config.ConfigWriter;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The parsed steps, executed by a minimal executor for the configuration options, against the
 * real ccache on the same arguments: the same stdout, stderr and exit status. This checks the
 * parser's model (getopt, the settings pass, order, where a run stops) and the configuration
 * layer together.
 */
class CcacheCommandLineIT {

    @TempDir
    Path dir;

    record Outcome(String stdout, String stderr, int exitCode) {}

    /** Runs the configuration steps the way the daemon is meant to. */
    static Outcome execute(CcacheCommandLine cl, Map<String, String> callerEnv, Path cwd, Path system) {
        Map<String, String> env = cl.environment(callerEnv);
        StringBuilder out = new StringBuilder();
        ConfigLoader loader = new ConfigLoader();
        try {
            Config config = loader.load(env, system, cwd);
            for (Action a : cl.actions()) {
                switch (a.kind()) {
                    case FAIL -> {
                        return new Outcome(out.toString(), a.argument(), 1);
                    }
                    case HELP -> {
                        return new Outcome(out + CcacheCommandLine.help("ccache"), "", 0);
                    }
                    case GET_CONFIG -> out.append(config.get(a.argument())).append('\n');
                    case SHOW_CONFIG -> out.append(config.show());
                    case SET_CONFIG -> ConfigWriter.setFromArgument(cwd.resolve(config.primaryConfigPath()), a.argument(), env);
                    case MAX_SIZE -> out.append(ConfigWriter.setMaxSize(cwd.resolve(config.primaryConfigPath()), a.argument(), env));
                    case MAX_FILES -> out.append(ConfigWriter.setMaxFiles(cwd.resolve(config.primaryConfigPath()), a.argument(), env));
                    default -> throw new AssertionError("not a configuration step: " + a);
                }
                if (a.kind() == Action.Kind.SET_CONFIG || a.kind() == Action.Kind.MAX_SIZE
                        || a.kind() == Action.Kind.MAX_FILES) {
                    config = loader.load(env, system, cwd);
                }
            }
            return new Outcome(out.toString(), "", 0);
        } catch (ConfigException e) {
            return new Outcome(out.toString(), "ccache: error: " + e.getMessage() + "\n", 1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "-k cache_dir -d @/x",
        "-k max_files -o max_files=9 -k max_files -F 4 -k max_files",
        "-k max_files --config-path @/cp.conf -o max_files=12 -k max_files",
        "-o max_files=3 -o max_size=2G -p",
        "-F 5 -M abc -F 6",
        "-F 14 --trim-max-size abc",
        "-M1G --max-size=2G --max-s 3Gi -M 0 -F0 -F +7",
        "-k nope",
        "-k -p",
        "-o secondary_storage=file:/x -k remote_storage -k secondary_storage -p",
        "-o =x",
        "-o max_size",
        "-o max_files=1 --foo",
        "-dfoo -k cache_dir",
        "--directory=@/q -k cache_dir --dir @/r -k temporary_dir",
        "-pk max_size",
        "-k cache_dir -- -k max_files",
        "--max 4G",
        "--=x",
        "-o max_files=6 -h -o max_files=7",
        "-X 128",
        "--trim-dir @ -k cache_dir",
    })
    void sameOutputAsCcache(String line) throws Exception {
        List<String> args = List.of(line.replace("@", dir.toString()).split(" "));
        Path home = Files.createDirectories(dir.resolve("home"));
        Map<String, String> env = new LinkedHashMap<>();
        env.put("HOME", home.toString());
        env.put("PATH", "/usr/bin:/bin");
        env.put("CCACHE_DIR", dir.resolve("cache").toString());
        Path system = dir.resolve("system.conf");
        Map<String, String> ccacheEnv = new LinkedHashMap<>(env);
        ccacheEnv.put("CCACHE_CONFIGPATH2", system.toString());

        RealCcache.Result real = RealCcache.run(ccacheEnv, dir, args);
        // Both ran against the same directory: undo ccache's writes before ours.
        deleteTree(dir.resolve("cache"));
        Files.deleteIfExists(dir.resolve("cp.conf"));
        for (String d : List.of("x", "q", "r")) {
            deleteTree(dir.resolve(d));
        }
        Outcome ours = execute(CcacheCommandLine.parse(RealCcache.BINARY.toString(), args), env, dir, system);
        String expectedStdout = real.stdout();
        if (args.contains("-h")) {
            // Our help adds our own options at the end; the rest must be ccache's text.
            String help = CcacheCommandLine.help("ccache");
            expectedStdout = expectedStdout.replace(readHelp(), help);
        }
        assertEquals(new Outcome(expectedStdout, real.stderr(), real.exitCode()), ours, RealCcache.version());
    }

    @Test
    void helpTextOfTheInstalledCcacheIsTheCapturedOne() throws Exception {
        RealCcache.Result real = RealCcache.run(Map.of("PATH", "/usr/bin:/bin"), dir, List.of("--help"));
        assertEquals(readHelp(), real.stdout());
    }

    private static String readHelp() throws Exception {
        try (InputStream in = CcacheCommandLineIT.class.getResourceAsStream("ccache-help.txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void deleteTree(Path p) throws Exception {
        if (!Files.exists(p)) {
            return;
        }
        try (var walk = Files.walk(p)) {
            for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }
}
