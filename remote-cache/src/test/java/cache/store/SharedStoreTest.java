package cache.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.hashing.Digest;
import cache.store.share.SharedStoreClient;
import cache.store.share.SharedStoreProtocol;
import cache.store.share.SharedStoreServer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store used through another process's socket ({@link SharedStoreClient} against {@link
 * SharedStoreServer} over a real Unix socket, the real RocksDB store behind it) keeps every
 * promise of {@link EntryStore}, updates manifests atomically against concurrent writers, and
 * survives hostile frames.
 */
@Timeout(60)
class SharedStoreTest extends EntryStoreContract {

    @TempDir
    Path dir;

    private LocalStore local;
    private EpollEventLoopGroup loop;
    private ExecutorService workers;
    private Channel server;
    private Path socket;
    private SharedStoreClient client;
    private final AtomicInteger failures = new AtomicInteger();

    @BeforeEach
    void serve() throws Exception {
        local = LocalStore.open(dir.resolve("db"), EntryCodec.defaults());
        loop = new EpollEventLoopGroup(1);
        workers = Executors.newCachedThreadPool();
        socket = Files.createTempDirectory(Path.of("/tmp"), "ss").resolve(SharedStoreProtocol.SOCKET_NAME);
        server = new ServerBootstrap().group(loop).channel(EpollServerDomainSocketChannel.class)
                .childHandler(new ChannelInitializer<EpollDomainSocketChannel>() {
                    @Override
                    protected void initChannel(EpollDomainSocketChannel ch) {
                        ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(SharedStoreProtocol.MAX_FRAME, 0, 4, 0, 4),
                                new SharedStoreServer(local, workers));
                    }
                }).bind(new DomainSocketAddress(socket.toString())).sync().channel();
        client = new SharedStoreClient(socket, EntryCodec.defaults(), failures::incrementAndGet);
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        if (server.isOpen()) {
            server.close().sync();
        }
        loop.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
        workers.shutdownNow();
        local.close();
        Files.deleteIfExists(socket);
        Files.deleteIfExists(socket.getParent());
    }

    @Override
    EntryStore store() {
        return client.entries();
    }

    @Test
    void whatTheClientWritesIsInTheHoldersStore() throws Exception {
        client.entries().put(key("k"), entry("obj"));
        assertEquals(entry("obj"), local.entries().get(key("k")));
        client.counters().addAll(Map.of("cache_miss", 2L, "direct_cache_hit", 3L));
        client.counters().add("cache_miss", 1);
        local.counters().add("cache_miss", 10);
        assertEquals(13L, client.counters().snapshot().get("cache_miss"));
        assertEquals(3L, local.counters().snapshot().get("direct_cache_hit"));
        client.counters().set("cache_miss", 0);
        assertEquals(0L, local.counters().snapshot().get("cache_miss"));
        assertEquals(local.usage(), client.usage());
    }

    @Test
    void manifestUpdatesFromManyWritersAreAllKept() throws Exception {
        Digest k = key("manifest");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> all = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                BlobStore writer = i % 2 == 0 ? client.manifests() : local.manifests();
                all.add(pool.submit(() -> writer.update(k, old -> append(old, (byte) 1))));
            }
            for (Future<?> f : all) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(200, client.manifests().get(k).length, "no update lost between the two processes' writers");
        client.manifests().update(k, old -> null);
        assertNull(local.manifests().get(k), "null deletes, as locally");
    }

    private static byte[] append(byte[] old, byte b) {
        byte[] next = old == null ? new byte[1] : java.util.Arrays.copyOf(old, old.length + 1);
        next[next.length - 1] = b;
        return next;
    }

    @Test
    void hostileFramesCloseOnlyTheirConnection() throws Exception {
        client.entries().put(key("kept"), entry("kept"));
        List<byte[]> hostile = List.of(
                new byte[] {0, 0, 0, 1, 99},                                  // unknown operation
                new byte[] {0, 0, 0, 3, SharedStoreProtocol.ENTRY_GET, 1, 2}, // key cut short
                new byte[] {0, 0, 0, 22, SharedStoreProtocol.BLOB_REPLACE, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                    0, 0, 0, 0, 7, 0, 0},                                     // bad presence byte
                new byte[] {0, 0, 0, 5, SharedStoreProtocol.COUNTERS_ADD, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff},
                new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1}); // longer than any frame
        for (byte[] frame : hostile) {
            try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                ch.connect(UnixDomainSocketAddress.of(socket));
                ch.write(ByteBuffer.wrap(frame));
                ByteBuffer reply = ByteBuffer.allocate(64);
                int n;
                while ((n = ch.read(reply)) > 0) {
                    // an error reply at most
                }
                assertEquals(-1, n, "the server closes a connection that sent " + java.util.Arrays.toString(frame));
            }
        }
        assertEquals(entry("kept"), client.entries().get(key("kept")), "and goes on serving the others");
        assertEquals(0, failures.get());
    }

    @Test
    void aHolderThatGoesAwayIsReportedOnceAndSeenBeforeTheNextCall() throws Exception {
        client.entries().put(key("x"), entry("x"));
        assertTrue(!client.holderGone(), "an answering holder");
        server.close().sync();
        loop.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync(); // closes its connections
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!client.holderGone() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(client.holderGone(), "the closed connection is noticed without a request");
        assertThrows(StoreException.class, () -> client.entries().getEncoded(key("x")));
        assertThrows(StoreException.class, () -> client.counters().snapshot());
        assertEquals(1, failures.get(), "the owner is told once");
    }

    @Test
    void largeEntriesCrossWhole() throws Exception {
        byte[] big = new byte[8 << 20];
        new java.util.Random(1).nextBytes(big);
        CacheEntry e = new CacheEntry(0, new byte[0], "w".getBytes(StandardCharsets.UTF_8),
                Map.of(OutputKind.OBJECT, big));
        client.entries().put(key("big"), e);
        assertArrayEquals(big, client.entries().get(key("big")).outputs().get(OutputKind.OBJECT));
    }
}
