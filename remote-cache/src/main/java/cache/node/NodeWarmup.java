package cache.node;

import cache.hashing.Digest;
import cache.node.protocol.MessageCodec;
import cache.node.protocol.NodeProtocol;
import cache.node.protocol.NodeProtocol.CompilerSpec;
import cache.node.protocol.NodeProtocol.Hit;
import cache.node.protocol.NodeProtocol.Message;
import cache.node.protocol.NodeProtocol.Probe;
import cache.store.CacheEntry;
import cache.store.CorruptEntryException;
import cache.store.EntryCodec;
import cache.store.OutputKind;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Runs a node's probe path in this JVM at start-up, so that the first node hits a client sees
 * are not answered by interpreted code: the probe frame decoded and a hit's frame encoded
 * through the node's Netty codecs (on an {@link EmbeddedChannel}: no socket), the compiler's
 * lookup ({@link CompilerResolver#resolveKnown}: file metadata only, never a process), the
 * node key, a store read and an entry's checksum and decoding ({@link NodeService#warmUpLookup}).
 *
 * <p>Why: in {@code farm.sh} (ii) each node answers 20 to 40 hits in all, and the first calls
 * of that path cost ~0.34 ms of CPU each against ~0.05 ms once compiled (a harness on this
 * machine, load ~6: docs/benchmarks.md, session 15). Nothing is written: the store is read
 * for keys it cannot hold (its local part only: no remote storage is asked), no counter moves,
 * nothing is logged per call.
 */
final class NodeWarmup {

    /** Calls that get the path's methods compiled (C1's threshold is ~200 calls per method). */
    static final int DEFAULT_PROBES = 2_000;

    private NodeWarmup() {}

    /** What a run did. */
    record Report(int probes, long millis) {}

    /**
     * Runs {@code probes} probes' worth of the path on {@code service}'s resolver and store, or
     * fewer when the thread is interrupted (the node is closing).
     */
    static Report run(NodeService service, int probes) {
        long started = System.nanoTime();
        byte[] object = new byte[1536];
        for (int i = 0; i < object.length; i++) {
            object[i] = (byte) (i * 31 + (i >> 4));
        }
        EntryCodec codec = EntryCodec.defaults();
        byte[] entry = codec.encode(new CacheEntry(0, new byte[0], new byte[0], Map.of(OutputKind.OBJECT, object)));
        CompilerSpec spec = new CompilerSpec(service.warmUpCompilerName(), "0-warm-up", "x86_64-warm-up");
        EmbeddedChannel channel = new EmbeddedChannel(NodeProtocol.frameDecoder(NodeProtocol.MAX_FRAME),
                new MessageCodec(), new SimpleChannelInboundHandler<Message>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, Message m) {
                        if (m instanceof Probe p) {
                            service.warmUpLookup(p.key(), p.compiler());
                            try {
                                codec.decode(entry); // the checksum a probe verifies before it answers
                            } catch (CorruptEntryException e) {
                                throw new IllegalStateException(e);
                            }
                            ctx.writeAndFlush(new Hit(p.id(), entry));
                        }
                    }
                });
        int done = 0;
        try {
            for (int i = 0; i < probes && !Thread.currentThread().isInterrupted(); i++) {
                Digest key = Digest.of(("warm-up " + i).getBytes(StandardCharsets.UTF_8));
                ByteBuf frame = channel.alloc().buffer();
                NodeProtocol.encode(new Probe(i + 1, key, spec), frame);
                channel.writeInbound(frame);
                for (Object out; (out = channel.readOutbound()) != null;) {
                    ReferenceCountUtil.release(out);
                }
                done++;
            }
        } finally {
            channel.finishAndReleaseAll();
        }
        return new Report(done, (System.nanoTime() - started) / 1_000_000);
    }
}
