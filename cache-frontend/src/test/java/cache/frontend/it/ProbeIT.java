package cache.frontend.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 22: a build system's compiler probes ({@code gcc -Werror <flag> -c -x c /dev/null -o
 * .tmp/tmp}, kept when the exit status is 0) must get the compiler's own answer through a daemon
 * that is just starting (its JIT warm-up running, its first compiles), or the build silently
 * changes what it compiles. Every probe's status, stdout and stderr are compared with gcc's own.
 */
@Timeout(600)
class ProbeIT extends CacheWorkDir {

    @BeforeEach
    void setUp() throws Exception {
        cache.env.put("CACHE_WARMUP", "1"); // as a user's daemon starts: its warm-up competes with the probes
        // Code that some flags turn into errors at the compile stage, after a clean preprocessor run.
        Files.writeString(work.resolve("code.c"), """
                #include <string.h>
                int vla(int n) { int a[n]; memset(a, 0, sizeof a); return a[0]; }
                int big(void) { volatile char b[4096]; b[0] = 1; return b[0]; }
                int shadow(int x) { { int x = 2; return x; } }
                """);
    }

    /**
     * A probe's {@code -o /dev/null}: the miss and the hit write into the device, as the
     * compiler does. A hit used to unlink its target and rename a file into place, which as
     * root turned {@code /dev/null} into a regular file (ccache's own suite found it), and the
     * umask was applied to it. The device must stay a world-writable character device.
     */
    @Test
    void outputsToDevNullGoIntoTheDeviceAndLeaveIt() throws Exception {
        Path devNull = Path.of("/dev/null");
        int before = (Integer) Files.getAttribute(devNull, "unix:mode");
        assertEquals(0020000, before & 0170000, "the test starts with the character device");
        for (int i = 0; i < 3; i++) {
            CacheFixture.Result r = cache.cache(work, "gcc", "-O2", "-c", "code.c", "-o", "/dev/null");
            assertEquals(0, r.exitCode(), r.err());
            CacheFixture.Result d = cache.cache(work, "gcc", "-O2", "-c", "code.c", "-o", "x.o", "-MD", "-MF",
                    "/dev/null");
            assertEquals(0, d.exitCode(), d.err());
            assertEquals(before, (int) (Integer) Files.getAttribute(devNull, "unix:mode"),
                    "round " + i + ": /dev/null is still the device, with its mode");
        }
        assertTrue(cache.hits() >= 2, "hits were written there: " + cache.stats());
    }

    /** Kbuild-style flags: valid, invalid, and valid ones that fail only on {@code code.c}. */
    private static final List<String> FLAGS = List.of("-fno-allow-store-data-races", "-Waddress-of-packed-member",
            "-Wno-address-of-packed-member", "--param=allow-store-data-races=0", "-fno-stack-clash-protection",
            "-fzero-call-used-regs=used-gpr", "-ftrivial-auto-var-init=zero", "-fconserve-stack",
            "-Wimplicit-fallthrough=5", "-Wframe-larger-than=2048", "-fno-strict-overflow", "-Werror=date-time",
            "-mindirect-branch=thunk-extern", "-mfunction-return=thunk-extern", "-fcf-protection=none",
            "-fpatchable-function-entry=16,16", "-fmacro-prefix-map=./=", "-Wno-array-bounds", "-mrecord-mcount",
            "-fno-such-flag", "-mno-such-target-flag", "-Wno-such-warning", "-Wsuch-warning", "--param=no-such=1",
            "-Wvla", "-Wframe-larger-than=64", "-Wshadow", "-Wno-vla", "-Wstack-usage=16", "-fstack-usage");

    @Test
    void optionProbesThroughAStartingDaemonGetTheCompilersAnswers() throws Exception {
        List<List<String>> probes = new ArrayList<>();
        for (String flag : FLAGS) {
            probes.add(List.of("-Werror", "-O2", flag, "-c", "-x", "c", "/dev/null", "-o"));
            probes.add(List.of("-Werror", "-O2", flag, "-c", "code.c", "-o"));
        }
        // gcc's own answers, one at a time.
        List<CacheFixture.Result> expected = new ArrayList<>();
        for (int i = 0; i < probes.size(); i++) {
            expected.add(probe(List.of("gcc"), probes.get(i), "plain" + i));
        }
        cache.stopDaemon();
        // The same probes through the client, four at a time, from a daemon's first second on.
        List<String> client = List.of(CacheFixture.CLIENT.toString(), "gcc");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 2; round++) { // a cold round, then one answered from the cache
                List<Future<CacheFixture.Result>> got = new ArrayList<>();
                for (int i = 0; i < probes.size(); i++) {
                    int n = i;
                    String dir = "r" + round + "-" + i;
                    got.add(pool.submit(() -> probe(client, probes.get(n), dir)));
                }
                for (int i = 0; i < probes.size(); i++) {
                    CacheFixture.Result want = expected.get(i);
                    CacheFixture.Result have = got.get(i).get();
                    String what = "round " + round + ": gcc " + String.join(" ", probes.get(i));
                    assertEquals(want.exitCode(), have.exitCode(), what + "\n" + have.err());
                    assertEquals(want.out(), have.out(), what);
                    assertEquals(want.err().replace("plain" + i, "DIR"),
                            have.err().replace("r" + round + "-" + i, "DIR"), what);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        Map<String, Long> s = cache.stats();
        // The daemon's own compile path was reached, both for probes that pass and that fail.
        assertTrue(s.getOrDefault("cache_miss", 0L) > 10, s.toString());
        assertTrue(s.getOrDefault("compile_failed", 0L) >= 4, s.toString());
        // The second round from direct mode, /dev/null sources included, as ccache answers them.
        assertTrue(s.getOrDefault("direct_cache_hit", 0L) >= 30, s.toString());
        assertEquals(0L, s.getOrDefault("internal_error", 0L), s.toString());
    }

    /**
     * A compile the daemon runs that ends by a signal (here the compiler kills itself once, as
     * the OOM killer or our supervision stopping with the daemon would) is not the compiler's
     * answer: the client compiles for itself and the build gets gcc's real result.
     */
    @Test
    void aCompileKilledUnderTheDaemonIsNotTheCompilersAnswer() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path mark = tmp.resolve("killed-once");
        Path gcc = bin.resolve("gcc");
        Files.writeString(gcc, """
                #!/bin/sh
                # The first compile (-c, not a preprocessor or search-path run) is killed.
                case " $* " in *" -E "*) exec gcc-real "$@";; esac
                case " $* " in *" -c "*) if [ ! -e '%s' ]; then : > '%s'; kill -9 $$; fi;; esac
                exec gcc-real "$@"
                """.formatted(mark, mark));
        Files.setPosixFilePermissions(gcc, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createSymbolicLink(bin.resolve("gcc-real"), Path.of("/usr/bin/gcc"));
        cache.env.put("PATH", bin + ":" + cache.env.get("PATH"));

        CacheFixture.Result plain = probe(List.of("/usr/bin/gcc"), List.of("-O2", "-c", "code.c", "-o"), "plain");
        assertEquals(0, plain.exitCode(), plain.err());
        CacheFixture.Result r = probe(List.of(CacheFixture.CLIENT.toString(), gcc.toString()),
                List.of("-O2", "-c", "code.c", "-o"), "via");
        assertTrue(Files.exists(mark), "the daemon's compile was killed");
        assertEquals(0, r.exitCode(), r.err());
        assertArrayEquals(Files.readAllBytes(work.resolve("plain/tmp")), Files.readAllBytes(work.resolve("via/tmp")));
        Map<String, Long> s = cache.stats();
        assertEquals(1L, s.getOrDefault("fallback_local", 0L), s.toString());
        assertEquals(0L, s.getOrDefault("compile_failed", 0L), s.toString());
        long pid = cache.daemonPid();
        // The daemon lives on: the next call is compiled and stored, the one after is a hit.
        for (String dir : List.of("again", "hit")) {
            CacheFixture.Result next = probe(List.of(CacheFixture.CLIENT.toString(), gcc.toString()),
                    List.of("-O2", "-c", "code.c", "-o"), dir);
            assertEquals(0, next.exitCode(), next.err());
            assertArrayEquals(Files.readAllBytes(work.resolve("plain/tmp")), Files.readAllBytes(work.resolve(dir + "/tmp")));
        }
        assertEquals(pid, cache.daemonPid());
        assertEquals(1L, cache.hits());
    }

    /** {@code prefix… args… DIR/tmp} in a fresh directory DIR, as Kbuild's try-run makes it. */
    private CacheFixture.Result probe(List<String> prefix, List<String> args, String dir) throws Exception {
        Files.createDirectories(work.resolve(dir));
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(args);
        cmd.add(dir + "/tmp");
        return cache.run(work, cmd);
    }
}
