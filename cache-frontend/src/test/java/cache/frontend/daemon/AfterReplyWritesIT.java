package cache.frontend.daemon;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.store.LocalStore;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client leaves as soon as it has read its reply; what the daemon still has to do for the call
 * then (a remote hit's back-fill into the local store) must not be cut short by that. A real
 * daemon in this JVM on its Unix socket, a real {@code file:} remote storage, real gcc and real
 * RocksDB: the first call of a new cache directory is answered from remote storage while the
 * store's open is held (so its back-fill has to wait for the open, an interruptible wait), the
 * client closes its end, and only then is the store let open. The back-fill must land.
 */
@Timeout(120)
class AfterReplyWritesIT {

    private static final Path CLIENT = Path.of(System.getProperty("cache.dist", "../dist")).toAbsolutePath()
            .normalize().resolve("bin/cache");

    @TempDir
    Path tmp;
    private Path runDir;
    private Path src;
    private Daemon daemon;
    private final CountDownLatch mayOpen = new CountDownLatch(1);
    private final CountDownLatch openBegun = new CountDownLatch(1);

    @BeforeEach
    void startDaemon() throws Exception {
        src = Files.createDirectories(tmp.resolve("src"));
        Path x = Files.writeString(src.resolve("x.c"), "#include <string.h>\nint x(const char *s) { return strlen(s) * 5; }\n");
        Files.setLastModifiedTime(x, FileTime.from(Instant.now().minusSeconds(3600)));
        Thread.sleep(300); // its ctime: older than the daemon's margin for "too new" (0.1 s)
        runDir = Files.createTempDirectory(Path.of("/tmp"), "ar"); // a Unix socket path must be short
        Path held = tmp.resolve("second");
        daemon = new Daemon(new DaemonConfig(runDir.resolve("d.sock"), CLIENT, Duration.ofMinutes(5),
                Duration.ofMinutes(5), "after-reply-it"), (db, codec, options) -> {
                    if (db.startsWith(held)) {
                        openBegun.countDown();
                        try {
                            // bounded: a test that never lets it open fails instead of hanging
                            if (!mayOpen.await(30, TimeUnit.SECONDS)) {
                                throw new IOException("the test never let the store open");
                            }
                        } catch (InterruptedException e) {
                            throw new java.io.InterruptedIOException();
                        }
                    }
                    return LocalStore.open(db, codec, options);
                });
        daemon.start(false);
    }

    @AfterEach
    void stopDaemon() throws Exception {
        mayOpen.countDown();
        daemon.close();
        try (Stream<Path> s = Files.walk(runDir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private Map<String, String> env(String cacheDir, boolean remote) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", System.getenv("PATH"));
        env.put("HOME", tmp.toString());
        env.put("LC_ALL", "C");
        env.put("CCACHE_DIR", tmp.resolve(cacheDir).toString());
        env.put("CCACHE_CONFIGPATH", tmp.resolve("no-config").toString());
        if (remote) {
            env.put("CCACHE_REMOTE_STORAGE", "file:" + tmp.resolve("remote"));
        }
        return env;
    }

    /** One compile over the daemon's socket, as the client sends it; its exit code. Reads to the end, then leaves. */
    private int compile(Map<String, String> env, Path out) throws IOException {
        byte[] frame = new ClientRequest(daemon.buildVersion(), ClientRequest.COMPILE, "gcc", "/usr/bin/gcc",
                List.of("-O2", "-c", "x.c", "-o", out.toString()), src.toString(), env, 022, "000",
                ProcessHandle.current().pid(), 0).encode();
        ByteBuffer reply = ByteBuffer.allocate(1 << 20);
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(daemon.socket()));
            ByteBuffer b = ByteBuffer.wrap(frame);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            while (ch.read(reply) >= 0) {
                // until the daemon closes its end after the reply
            }
        } // the client is gone, as the native client is once it has its answer
        reply.flip();
        while (reply.remaining() >= 5) {
            byte tag = reply.get();
            int len = reply.getInt();
            if (tag == ReplyEncoder.EXIT && len == 4) {
                return reply.getInt();
            }
            reply.position(reply.position() + len);
        }
        return -1; // not a replay: the client would compile itself
    }

    private long stat(String cacheDir, String counter) {
        AdminCommand.Result r = AdminCommand.run(daemon.adminContext(), "cache", List.of("--print-stats"),
                env(cacheDir, false), tmp);
        for (String line : r.stdout().split("\n")) {
            String[] kv = line.split("\t");
            if (kv.length == 2 && kv[0].equals(counter)) {
                return Long.parseLong(kv[1]);
            }
        }
        throw new AssertionError("no " + counter + " in\n" + r.stdout());
    }

    private static long remoteValues(Path remote) throws IOException {
        if (!Files.isDirectory(remote)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(remote)) {
            return s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().equals("CACHEDIR.TAG")).count();
        }
    }

    @Test
    void aRemoteHitsBackFillLandsThoughTheClientLeftBeforeTheStoreOpened() throws Exception {
        assertEquals(0, compile(env("first", true), tmp.resolve("seed.o")), "the first directory compiles");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (remoteValues(tmp.resolve("remote")) < 2 && System.nanoTime() < deadline) {
            Thread.sleep(20); // its entry and its manifest, written in the background
        }
        assertEquals(2, remoteValues(tmp.resolve("remote")), "the entry and its manifest in remote storage");

        // the new directory's first call: answered from remote storage while its store is held
        assertEquals(0, compile(env("second", true), tmp.resolve("hit.o")));
        assertTrue(openBegun.await(10, TimeUnit.SECONDS), "the store's open had begun");
        assertArrayEquals(Files.readAllBytes(tmp.resolve("seed.o")), Files.readAllBytes(tmp.resolve("hit.o")));
        Thread.sleep(300); // the client's leaving reaches the daemon while the back-fill waits for the open
        mayOpen.countDown();

        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (stat("second", "local_storage_write") < 2 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(2, stat("second", "local_storage_write"), "the entry and the manifest back-filled");
        assertEquals(1, stat("second", "remote_storage_hit"));

        // without remote storage now: a local direct-mode hit, nothing compiled
        assertEquals(0, compile(env("second", false), tmp.resolve("local.o")));
        assertEquals(1, stat("second", "local_storage_hit"), "the back-filled entry served the call");
        assertEquals(2, stat("second", "direct_cache_hit"));
        assertEquals(0, stat("second", "cache_miss"));
        assertArrayEquals(Files.readAllBytes(tmp.resolve("seed.o")), Files.readAllBytes(tmp.resolve("local.o")));
    }
}
