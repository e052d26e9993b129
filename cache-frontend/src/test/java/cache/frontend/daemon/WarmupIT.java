package cache.frontend.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start-up warm-up really runs the request path — a real daemon in this JVM, its Unix
 * socket, real gcc, the real client as supervisor — and leaves nothing behind: no entry or
 * counter in the user's cache, no temporary directory, no pipeline that answers later.
 */
@Timeout(120)
class WarmupIT {

    private static final Path CLIENT = Path.of(System.getProperty("cache.dist", "../dist")).toAbsolutePath()
            .normalize().resolve("bin/cache");

    @TempDir
    Path tmp;
    private Path runDir;
    private Daemon daemon;

    @BeforeEach
    void startDaemon() throws Exception {
        runDir = Files.createTempDirectory(Path.of("/tmp"), "wu"); // a Unix socket path must be short
        daemon = new Daemon(new DaemonConfig(runDir.resolve("d.sock"), tmp.resolve("cache"), CLIENT,
                Duration.ofMinutes(5), "warmup-it"));
        daemon.start(false);
    }

    @AfterEach
    void stopDaemon() throws Exception {
        daemon.close();
        Files.deleteIfExists(runDir);
    }

    @Test
    void oneCompileThenDirectHitsOverTheSocketAndNothingReachesTheUsersCache() throws Exception {
        Path javaTmp = Path.of(System.getProperty("java.io.tmpdir"));
        long before = warmupDirs(javaTmp);
        Warmup w = new Warmup(daemon, CLIENT, 022, 50, 60_000_000_000L);
        w.run();
        assertEquals(48, w.hits(), "every call after the first C and the first C++ compile is a hit");
        assertEquals(before, warmupDirs(javaTmp), "its temporary directory is gone");
        assertNull(daemon.warmupPipeline(), "its pipeline is gone");
        AdminCommand.Result stats = AdminCommand.run(daemon.adminContext(), "cache", List.of("--print-stats"),
                Map.of("CCACHE_DIR", tmp.resolve("cache").toString()), tmp);
        for (String counter : List.of("direct_cache_hit", "cache_miss", "local_storage_write")) {
            assertTrue(stats.stdout().contains(counter + "\t0\n"), counter + " stays 0 in the user's cache:\n" + stats.stdout());
        }
    }

    @Test
    void aZeroBudgetCompilesNothingAndLeavesNothing() throws Exception {
        Path javaTmp = Path.of(System.getProperty("java.io.tmpdir"));
        long before = warmupDirs(javaTmp);
        Warmup w = new Warmup(daemon, CLIENT, 022, 50, 0);
        w.run();
        assertEquals(0, w.hits());
        assertEquals(before, warmupDirs(javaTmp));
    }

    @Test
    void aWarmupRequestAfterTheWarmupIsToldToCompileItself() throws Exception {
        ClientRequest call = new ClientRequest("warmup-it", ClientRequest.WARMUP, "gcc", "/usr/bin/gcc",
                List.of("-c", "x.c"), tmp.toString(), Map.of(), 022, "000", 0);
        ByteBuffer reply = ByteBuffer.allocate(4096);
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(runDir.resolve("d.sock")));
            ch.write(ByteBuffer.wrap(call.encode()));
            while (ch.read(reply) >= 0) {
                // until the daemon closes
            }
        }
        reply.flip();
        assertEquals(ReplyEncoder.FALLBACK, reply.get(), "a fallback record");
        assertEquals(0, Files.list(tmp).filter(p -> p.getFileName().toString().endsWith(".o")).count());
    }

    private static long warmupDirs(Path tmp) throws Exception {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.filter(p -> p.getFileName().toString().startsWith("cache-warmup-")).count();
        }
    }
}
