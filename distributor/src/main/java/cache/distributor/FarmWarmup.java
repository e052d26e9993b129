package cache.distributor;

import cache.distributor.hosts.HostList;
import cache.distributor.hosts.TcpHost;
import cache.hashing.Digest;
import cache.node.protocol.MessageCodec;
import cache.node.protocol.NodeProtocol;
import cache.node.protocol.NodeProtocol.Compile;
import cache.node.protocol.NodeProtocol.CompilerSpec;
import cache.node.protocol.NodeProtocol.Hello;
import cache.node.protocol.NodeProtocol.Hit;
import cache.node.protocol.NodeProtocol.Message;
import cache.node.protocol.NodeProtocol.Miss;
import cache.node.protocol.NodeProtocol.Probe;
import cache.node.protocol.NodeProtocol.Welcome;
import cache.store.CacheEntry;
import cache.store.EntryCodec;
import cache.store.OutputKind;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalServerChannel;
import cache.node.protocol.TcpTransport;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a {@link Farm}'s client side in this JVM, with no node process, so that a daemon's
 * first real node hits do not run interpreted: the routing, the probes' rounds on both paths
 * (the caller's {@code ProbeChannel}s and the event loop's {@code NodeClient}, its Netty
 * pipeline), the protocol's encoding and decoding, the entry's decoding and checksum, and a
 * miss's upload (zstd) and answer. The nodes are three in-process handlers that speak the node
 * protocol on loopback TCP ports of this JVM (127.0.0.1, ports the system picks, open for the
 * warm-up only: the caller's path needs a socket), or, with {@code inVm}, on Netty {@link
 * LocalAddress}es (in-VM channels, no socket: the event loop's path only). Each holds a third of
 * the keys, a quarter of them are held by none and "compiled" (answered with the same entry), so
 * hits come from the owner, the second node and the third, as a busy farm's do. Nothing is
 * written anywhere; the farm's per-job FINE lines are not logged for these jobs.
 */
public final class FarmWarmup {

    /** Jobs that get the path's methods compiled (C1's threshold is ~200 calls; a job calls most of them once). */
    public static final int DEFAULT_JOBS = 400;
    private static final AtomicInteger RUNS = new AtomicInteger();

    private FarmWarmup() {}

    /** What a run did; {@code callerRounds}: probe rounds on the caller's path (none in-VM). */
    public record Report(int jobs, int nodeHits, int compiled, long callerRounds, long millis) {}

    /** Runs {@code jobs} jobs one after the other through a farm of in-process nodes on loopback TCP. */
    public static Report run(int jobs) throws Exception {
        return run(jobs, false);
    }

    /** {@link #run(int)}; with {@code inVm}, on in-VM channels (no socket, no caller's path). */
    static Report run(int jobs, boolean inVm) throws Exception {
        long started = System.nanoTime();
        String prefix = "cache-farm-warmup-" + ProcessHandle.current().pid() + "-" + RUNS.incrementAndGet() + "-";
        java.util.concurrent.ThreadFactory threads = r -> {
            Thread t = new Thread(r, "farm-warmup-node");
            t.setDaemon(true);
            return t;
        };
        EventLoopGroup group = inVm ? new DefaultEventLoopGroup(1, threads) : TcpTransport.group(1, threads);
        byte[] object = new byte[1536];
        for (int i = 0; i < object.length; i++) {
            object[i] = (byte) (i * 31 + (i >> 4));
        }
        byte[] entry = EntryCodec.defaults().encode(new CacheEntry(0, new byte[0], new byte[0],
                Map.of(OutputKind.OBJECT, object)));
        List<Channel> servers = new ArrayList<>();
        int hits = 0;
        int compiled = 0;
        long callerRounds = 0;
        try {
            for (int n = 0; n < 3; n++) {
                int node = n;
                servers.add(new ServerBootstrap().group(group)
                        .channel(inVm ? LocalServerChannel.class : TcpTransport.serverChannel(group))
                        .childHandler(new ChannelInitializer<Channel>() {
                            @Override
                            protected void initChannel(Channel ch) {
                                ch.pipeline().addLast(NodeProtocol.frameDecoder(NodeProtocol.MAX_FRAME));
                                ch.pipeline().addLast(new MessageCodec());
                                ch.pipeline().addLast(new Node(node, entry));
                            }
                        }).bind(inVm ? new LocalAddress(prefix + n) : new InetSocketAddress("127.0.0.1", 0))
                        .sync().channel());
            }
            HostList list = HostList.parse("127.0.0.1:1/2 127.0.0.1:2/2 127.0.0.1:3/2", "the farm's warm-up");
            CompilerSpec compiler = new CompilerSpec("gcc", "0-warm-up", "x86_64-warm-up");
            try (Farm farm = new Farm(list, Farm.Options.defaults(),
                    (TcpHost h) -> servers.get(h.port() - 1).localAddress())) {
                for (int i = 0; i < jobs; i++) {
                    byte[] input = ("int warm_" + i + "(int x) { return x + " + i + "; }\n")
                            .getBytes(StandardCharsets.UTF_8);
                    Farm.Job job = new Farm.Job(Digest.of(input), compiler, "cpp-output", List.of("-O2"), input);
                    Farm.Result r = farm.submit(job).get(10, TimeUnit.SECONDS);
                    if (r.nodeHit()) {
                        hits++;
                    } else {
                        compiled++;
                    }
                }
                callerRounds = farm.callerRounds();
            }
        } finally {
            for (Channel s : servers) {
                s.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
        return new Report(jobs, hits, compiled, callerRounds, (System.nanoTime() - started) / 1_000_000);
    }

    /** Which in-process node holds {@code key}: 0–2, or 3 for none (a miss everywhere). */
    static int holder(Digest key) {
        return Character.digit(key.hex().charAt(0), 16) % 4;
    }

    /** One in-process node: answers HELLO, PROBE (a hit when it holds the key) and COMPILE. */
    private static final class Node extends SimpleChannelInboundHandler<Message> {
        private final int index;
        private final byte[] entry;

        Node(int index, byte[] entry) {
            this.index = index;
            this.entry = entry;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Message m) {
            if (m instanceof Hello h) {
                ctx.writeAndFlush(new Welcome(h.id(), NodeProtocol.VERSION, "warm-up-" + index, new byte[0],
                        NodeProtocol.MAX_FRAME));
            } else if (m instanceof Probe p) {
                ctx.writeAndFlush(holder(p.key()) == index ? new Hit(p.id(), entry) : new Miss(p.id()));
            } else if (m instanceof Compile c) {
                ctx.writeAndFlush(new NodeProtocol.Result(c.id(), true, entry));
            } else {
                ctx.close(); // nothing else is asked in a warm-up
            }
        }
    }
}
