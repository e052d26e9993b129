package cache.compat.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.compat.cli.Action.Kind;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Parsing of ccache's own options. Every expectation was observed with Debian's ccache 4.7.5
 * ({@code env -i HOME=… CCACHE_DIR=… ccache ARGS}); {@code CcacheCommandLineIT} re-checks the
 * error texts against the binary.
 */
class CcacheCommandLineTest {

    private static CcacheCommandLine parse(String... args) {
        return CcacheCommandLine.parse("ccache", List.of(args));
    }

    private static List<Action> actions(String... args) {
        return parse(args).actions();
    }

    private static Action fail(String text) {
        return new Action(Kind.FAIL, text, null);
    }

    @Test
    void everyOptionShortAndLong() {
        assertEquals(List.of(Action.of(Kind.CLEANUP), Action.of(Kind.CLEANUP)), actions("-c", "--cleanup"));
        assertEquals(List.of(Action.of(Kind.CLEAR), Action.of(Kind.CLEAR)), actions("-C", "--clear"));
        assertEquals(List.of(Action.of(Kind.CHECKSUM_FILE, "f")), actions("--checksum-file", "f"));
        assertEquals(List.of(Action.of(Kind.EXTRACT_RESULT, "f")), actions("--extract-result", "f"));
        assertEquals(List.of(Action.of(Kind.GET_CONFIG, "k"), Action.of(Kind.GET_CONFIG, "l")),
                actions("-k", "k", "--get-config", "l"));
        assertEquals(List.of(Action.of(Kind.HASH_FILE, "-")), actions("--hash-file", "-"));
        assertEquals(List.of(Action.of(Kind.INSPECT, "a"), Action.of(Kind.INSPECT, "b"), Action.of(Kind.INSPECT, "c")),
                actions("--inspect", "a", "--dump-manifest", "b", "--dump-result", "c"));
        assertEquals(List.of(new Action(Kind.MAX_FILES, "5", 5L), new Action(Kind.MAX_FILES, "0", 0L)),
                actions("-F", "5", "--max-files", "0"));
        assertEquals(List.of(new Action(Kind.MAX_SIZE, "1G", 1_000_000_000L), new Action(Kind.MAX_SIZE, "2", 2_000_000_000L)),
                actions("-M", "1G", "--max-size", "2"));
        assertEquals(List.of(Action.of(Kind.PRINT_STATS)), actions("--print-stats"));
        assertEquals(List.of(new Action(Kind.RECOMPRESS, "19", 19L), new Action(Kind.RECOMPRESS, "uncompressed", null),
                new Action(Kind.RECOMPRESS, "-5", -5L)), actions("-X", "19", "--recompress", "uncompressed", "-X-5"));
        assertEquals(List.of(Action.of(Kind.SET_CONFIG, "a=b"), Action.of(Kind.SET_CONFIG, "c=d")),
                actions("-o", "a=b", "--set-config", "c=d"));
        assertEquals(List.of(Action.of(Kind.SHOW_COMPRESSION), Action.of(Kind.SHOW_COMPRESSION)), actions("-x", "--show-compression"));
        assertEquals(List.of(Action.of(Kind.SHOW_CONFIG), Action.of(Kind.SHOW_CONFIG)), actions("-p", "--show-config"));
        assertEquals(List.of(Action.of(Kind.SHOW_LOG_STATS)), actions("--show-log-stats"));
        assertEquals(List.of(Action.of(Kind.SHOW_STATS), Action.of(Kind.SHOW_STATS)), actions("-s", "--show-stats"));
        assertEquals(List.of(Action.of(Kind.VERSION), Action.of(Kind.VERSION)), actions("-V", "--version"));
        assertEquals(List.of(Action.of(Kind.ZERO_STATS), Action.of(Kind.ZERO_STATS)), actions("-z", "--zero-stats"));
        assertEquals(List.of(Action.of(Kind.STOP_DAEMON)), actions("--stop-daemon"));
        assertEquals(List.of(Action.of(Kind.HELP)), actions("-h"));
        assertEquals(List.of(Action.of(Kind.HELP)), actions("--help"));
    }

    @Test
    void argumentSpellings() {
        Action m = new Action(Kind.MAX_SIZE, "1G", 1_000_000_000L);
        for (String[] args : new String[][] {{"-M1G"}, {"-M", "1G"}, {"--max-size=1G"}, {"--max-size", "1G"},
                {"--max-s=1G"}, {"--max-si", "1G"}}) {
            assertEquals(List.of(m), actions(args), Arrays.toString(args));
        }
        // An argument may start with '-': ccache -k -s → unknown configuration option "-s"
        assertEquals(List.of(Action.of(Kind.GET_CONFIG, "-s")), actions("-k", "-s"));
        assertEquals(List.of(Action.of(Kind.SET_CONFIG, "")), actions("--set-config="));
    }

    @Test
    void bundledShortOptions() {
        // ccache -svv is -s with verbosity 2; -skcache_dir is -s then -k cache_dir
        CcacheCommandLine c = parse("-svv");
        assertEquals(List.of(Action.of(Kind.SHOW_STATS)), c.actions());
        assertEquals(2, c.verbosity());
        assertEquals(List.of(Action.of(Kind.ZERO_STATS), Action.of(Kind.SHOW_STATS)), actions("-zs"));
        assertEquals(List.of(Action.of(Kind.SHOW_STATS), Action.of(Kind.GET_CONFIG, "cache_dir")), actions("-skcache_dir"));
        assertEquals(List.of(Action.of(Kind.SHOW_STATS), Action.of(Kind.GET_CONFIG, "cache_dir")), actions("-svk", "cache_dir"));
    }

    @Test
    void settingsApplyWhereverTheyStand() {
        // ccache -k cache_dir -d /tmp/x prints /tmp/x; -s -v is as verbose as -v -s
        CcacheCommandLine c = parse("-k", "cache_dir", "-d", "/tmp/x", "-s", "-v", "--config-path", "/c", "-d/tmp/y",
                "--trim-max-size", "1k", "--trim-method", "mtime");
        assertEquals(List.of(Action.of(Kind.GET_CONFIG, "cache_dir"), Action.of(Kind.SHOW_STATS)), c.actions());
        assertEquals(Optional.of("/tmp/y"), c.cacheDir());
        assertEquals(Optional.of("/c"), c.configPath());
        assertEquals(1, c.verbosity());
        assertEquals(OptionalLong.of(1000), c.trimMaxSize());
        assertEquals(CcacheCommandLine.TrimMethod.MTIME, c.trimMethod());
        assertEquals(Optional.of("/q"), parse("--directory=/q").cacheDir());
        assertEquals(Optional.of("/q"), parse("--di", "/q").cacheDir());
    }

    @Test
    void trimMethodIsMtimeOnlyWhenSpelledSo() {
        // ccache --trim-method foo is accepted silently
        assertEquals(CcacheCommandLine.TrimMethod.ATIME, parse("--trim-method", "MTIME").trimMethod());
        assertEquals(CcacheCommandLine.TrimMethod.ATIME, parse("--trim-method", "foo").trimMethod());
        assertEquals(List.of(), actions("--trim-method", "foo"));
    }

    @Test
    void environmentAsCcacheSetsIt() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CCACHE_DIR", "/old");
        env.put("HOME", "/h");
        Map<String, String> seen = parse("-d", "/new", "--config-path", "/c.conf", "-s").environment(env);
        assertEquals(List.of("CCACHE_DIR", "HOME", "CCACHE_CONFIGPATH"), List.copyOf(seen.keySet()));
        assertEquals("/new", seen.get("CCACHE_DIR"));
        assertEquals("/c.conf", seen.get("CCACHE_CONFIGPATH"));
        assertEquals(env, parse("-s").environment(env));
    }

    @Test
    void operandsAreIgnoredAndDoubleDashEndsOptions() {
        // ccache -s extra -z zeroes too; ccache -- -s does nothing; ccache - does nothing
        assertEquals(List.of(Action.of(Kind.SHOW_STATS), Action.of(Kind.ZERO_STATS)), actions("-s", "extra", "-z"));
        assertEquals(List.of(), actions("--", "-s"));
        assertEquals(List.of(Action.of(Kind.GET_CONFIG, "cache_dir")), actions("-k", "cache_dir", "--", "-k", "max_files"));
        assertEquals(List.of(), actions("-"));
    }

    @Test
    void helpEndsTheRunVersionDoesNot() {
        // ccache -F 11 -h -F 12 writes 11 only; ccache -V -F 10 prints the version and writes 10
        assertEquals(List.of(new Action(Kind.MAX_FILES, "11", 11L), Action.of(Kind.HELP)), actions("-F", "11", "-h", "-F", "12"));
        assertEquals(List.of(Action.of(Kind.HELP)), actions("-h", "--evict-older-than", "1d"));
        assertEquals(List.of(Action.of(Kind.VERSION), new Action(Kind.MAX_FILES, "10", 10L)), actions("-V", "-F", "10"));
    }

    @Test
    void evictionRunsOnceAfterEverythingElse() {
        // ccache --evict-older-than 0s --print-stats prints the files before evicting them
        assertEquals(List.of(Action.of(Kind.PRINT_STATS), new Action(Kind.EVICT, null, 0L)),
                actions("--evict-older-than", "0s", "--print-stats"));
        assertEquals(List.of(Action.of(Kind.SHOW_STATS), new Action(Kind.EVICT, "ns", 2 * 86400L)),
                actions("--evict-namespace", "x", "--evict-older-than", "1d", "-s", "--evict-namespace", "ns",
                        "--evict-older-than=2d"));
        assertEquals(List.of(new Action(Kind.EVICT, "", null)), actions("--evict-namespace", ""));
    }

    @Test
    void badValuesStopAtTheirPosition() {
        // ccache -F 5 -M abc: "Set cache file limit to 5", then the error, status 1
        assertEquals(List.of(new Action(Kind.MAX_FILES, "5", 5L), fail("ccache: error: invalid size: \"abc\"\n")),
                actions("-F", "5", "-M", "abc", "-z"));
        assertEquals(List.of(fail("ccache: error: invalid unsigned integer: \"-1\"\n")), actions("-F", "-1"));
        assertEquals(List.of(fail("ccache: error: compression level must be between -128 and 127\n")), actions("-X", "128"));
        assertEquals(List.of(fail("ccache: error: invalid integer: \"Uncompressed\"\n")), actions("-X", "Uncompressed"));
        // ccache -z --evict-older-than 1x zeroes, then fails; no eviction
        assertEquals(List.of(Action.of(Kind.ZERO_STATS),
                fail("ccache: error: invalid suffix (supported: d (day) and s (second)): \"1x\"\n")),
                actions("-z", "--evict-older-than", "1x", "--evict-namespace", "n"));
        assertEquals(List.of(fail("ccache: error: please specify --trim-max-size when using --trim-dir\n")),
                actions("--trim-dir", "/d", "-s"));
        assertEquals(List.of(Action.of(Kind.TRIM_DIR, "/d")), actions("--trim-dir", "/d", "--trim-max-size", "6k"));
    }

    @Test
    void badTrimMaxSizeStopsBeforeAnyAction() {
        // ccache -F 14 --trim-max-size abc leaves max_files alone
        assertEquals(List.of(fail("ccache: error: invalid size: \"abc\"\n")), actions("-F", "14", "--trim-max-size", "abc"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "-Q|ccache: invalid option -- 'Q'",
        "-sQ|ccache: invalid option -- 'Q'",
        "-W foo|ccache: invalid option -- 'W'",
        "--foo|ccache: unrecognized option '--foo'",
        "--foo=bar|ccache: unrecognized option '--foo=bar'",
        "---x|ccache: unrecognized option '---x'",
        "--ccache-skip|ccache: unrecognized option '--ccache-skip'",
        "-M|ccache: option requires an argument -- 'M'",
        "-M 1G -M|ccache: option requires an argument -- 'M'",
        "--max-size|ccache: option '--max-size' requires an argument",
        "--max-s|ccache: option '--max-size' requires an argument",
        "--zero-stats=1|ccache: option '--zero-stats' doesn't allow an argument",
        "--zero=1|ccache: option '--zero-stats' doesn't allow an argument",
        "--max 4G|ccache: option '--max' is ambiguous; possibilities: '--max-files' '--max-size'",
        "--max=1G|ccache: option '--max=1G' is ambiguous; possibilities: '--max-files' '--max-size'",
        "--s|ccache: option '--s' is ambiguous; possibilities: '--set-config' '--show-compression' '--show-config' '--show-log-stats' '--show-stats'",
        "--c|ccache: option '--c' is ambiguous; possibilities: '--checksum-file' '--cleanup' '--clear' '--config-path'",
        "--d|ccache: option '--d' is ambiguous; possibilities: '--dir' '--dump-manifest' '--dump-result'",
        "--dum x|ccache: option '--dum' is ambiguous; possibilities: '--dump-manifest' '--dump-result'",
        "--v|ccache: option '--v' is ambiguous; possibilities: '--verbose' '--version'",
        "--=x|ccache: option '--=x' is ambiguous; possibilities: '--checksum-file' '--cleanup' '--clear' '--config-path' '--dir' '--directory' '--dump-manifest' '--dump-result' '--evict-namespace' '--evict-older-than' '--extract-result' '--get-config' '--hash-file' '--help' '--inspect' '--max-files' '--max-size' '--print-stats' '--recompress' '--set-config' '--show-compression' '--show-config' '--show-log-stats' '--show-stats' '--trim-dir' '--trim-max-size' '--trim-method' '--verbose' '--version' '--zero-stats'",
        "-o max_files=77 --foo|ccache: unrecognized option '--foo'",
        "--foo --trim-max-size abc|ccache: unrecognized option '--foo'",
        "--stop|ccache: unrecognized option '--stop'",
    })
    void usageErrorsStopEverything(String args, String message) {
        assertEquals(List.of(fail(message + "\n")), actions(args.split(" ")));
    }

    @Test
    void uniquePrefixes() {
        assertEquals(List.of(Action.of(Kind.PRINT_STATS)), actions("--p"));
        assertEquals(List.of(Action.of(Kind.ZERO_STATS)), actions("--z"));
        assertEquals(List.of(Action.of(Kind.GET_CONFIG, "x")), actions("--g", "x"));
        assertEquals(List.of(new Action(Kind.RECOMPRESS, "1", 1L)), actions("--r", "1"));
    }

    @Test
    void getoptNamesTheProgramAsInvokedCcacheErrorsByItsName() {
        assertEquals(List.of(fail("/usr/bin/cache: invalid option -- 'Q'\n")),
                CcacheCommandLine.parse("/usr/bin/cache", List.of("-Q")).actions());
        assertEquals(List.of(fail("cache: error: invalid size: \"x\"\n")),
                CcacheCommandLine.parse("/usr/bin/cache", List.of("-M", "x")).actions());
        assertEquals(List.of(fail(CcacheCommandLine.help("cache"))),
                CcacheCommandLine.parse("/usr/bin/cache", List.of()).actions());
    }

    @Test
    void noArgumentsIsTheUsageOnStderr() {
        assertEquals(List.of(fail(CcacheCommandLine.help("ccache"))), actions());
    }

    @Test
    void optionModeStartsWithADash() {
        assertTrue(CcacheCommandLine.isOptionMode(List.of("-s")));
        assertTrue(CcacheCommandLine.isOptionMode(List.of("-")));
        assertTrue(CcacheCommandLine.isOptionMode(List.of()));
        assertFalse(CcacheCommandLine.isOptionMode(List.of("gcc", "-c", "x.c")));
    }

    @Test
    void helpIsCcachesWithOurNameAndOptions() throws Exception {
        String ccache;
        try (InputStream in = getClass().getResourceAsStream("ccache-help.txt")) { // ccache --help, 4.7.5
            ccache = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String ours = CcacheCommandLine.help("ccache");
        String common = ours.substring(0, ours.indexOf("Options of ccache only:"));
        assertEquals(ccache.substring(0, ccache.indexOf("See also the manual")), common);
        String named = CcacheCommandLine.help("cache");
        assertTrue(named.startsWith("Usage:\n    cache [options]\n    cache compiler [compiler options]\n"
                + "    compiler [compiler options]            (cache masquerading as the compiler)\n"), named);
        assertTrue(named.contains("        --stop-daemon          stop the daemon serving this cache directory\n"));
    }
}
