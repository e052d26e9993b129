package cache.store.share;

import static cache.store.share.SharedStoreProtocol.ABSENT;
import static cache.store.share.SharedStoreProtocol.CONFLICT;
import static cache.store.share.SharedStoreProtocol.ERROR;
import static cache.store.share.SharedStoreProtocol.OK;

import cache.hashing.Digest;
import cache.store.LocalStore;
import cache.store.StoreUsage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Serves one connection of another process to a store this process holds ({@link
 * SharedStoreProtocol}). Store operations block (RocksDB, a cleanup), so each request runs on
 * {@code executor}, one at a time per connection. A frame that does not parse closes the
 * connection; the others go on.
 */
public final class SharedStoreServer extends SimpleChannelInboundHandler<ByteBuf> {

    private static final Logger LOG = Logger.getLogger(SharedStoreServer.class.getName());

    private final LocalStore store;
    private final Executor executor;

    public SharedStoreServer(LocalStore store, Executor executor) {
        this.store = store;
        this.executor = executor;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
        byte[] body = ByteBufUtil.getBytes(frame);
        ctx.channel().config().setAutoRead(false); // one request at a time
        try {
            executor.execute(() -> answer(ctx, body));
        } catch (RejectedExecutionException e) {
            ctx.close();
        }
    }

    private void answer(ChannelHandlerContext ctx, byte[] body) {
        Frames.Reader in = new Frames.Reader(body);
        Frames.Writer out = new Frames.Writer();
        try {
            byte status = serve(in.u8(), in, out);
            in.end();
            ByteBuf reply = ctx.alloc().buffer(5 + out.size());
            reply.writeInt(1 + out.size()).writeByte(status).writeBytes(out.bytes(), 0, out.size());
            ctx.writeAndFlush(reply).addListener(f -> {
                ctx.channel().config().setAutoRead(true);
            });
        } catch (IllegalArgumentException e) {
            LOG.warning("malformed shared-store frame, connection closed: " + e.getMessage());
            ctx.close();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "shared-store request failed", e);
            byte[] msg = String.valueOf(e).getBytes(StandardCharsets.UTF_8);
            ByteBuf reply = ctx.alloc().buffer(5 + msg.length);
            reply.writeInt(1 + msg.length).writeByte(ERROR).writeBytes(msg);
            ctx.writeAndFlush(reply).addListener(f -> ctx.channel().config().setAutoRead(true));
        }
    }

    private byte serve(byte op, Frames.Reader in, Frames.Writer out) {
        switch (op) {
            case SharedStoreProtocol.ENTRY_GET -> {
                byte[] v = store.entries().getEncoded(in.digest());
                if (v == null) {
                    return ABSENT;
                }
                out.bytes(v);
                return OK;
            }
            case SharedStoreProtocol.ENTRY_PUT -> {
                Digest key = in.digest();
                String namespace = in.str();
                store.entries().putEncoded(key, in.rest(), namespace);
                return OK;
            }
            case SharedStoreProtocol.ENTRY_REMOVE -> {
                out.u8(store.entries().remove(in.digest()) ? 1 : 0);
                return OK;
            }
            case SharedStoreProtocol.BLOB_GET -> {
                byte[] v = store.manifests().get(in.digest());
                if (v == null) {
                    return ABSENT;
                }
                out.bytes(v);
                return OK;
            }
            case SharedStoreProtocol.BLOB_REPLACE -> {
                Digest key = in.digest();
                String namespace = in.str();
                byte[] expected = in.opt();
                byte[] next = in.opt();
                AtomicBoolean matched = new AtomicBoolean();
                store.manifests().update(key, old -> {
                    matched.set(Arrays.equals(old, expected));
                    return matched.get() ? next : old;
                }, namespace);
                return matched.get() ? OK : CONFLICT;
            }
            case SharedStoreProtocol.COUNTERS_ADD -> {
                int n = in.count();
                Map<String, Long> deltas = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) {
                    deltas.merge(in.str(), in.i64(), Long::sum);
                }
                store.counters().addAll(deltas);
                return OK;
            }
            case SharedStoreProtocol.COUNTER_SET -> {
                store.counters().set(in.str(), in.i64());
                return OK;
            }
            case SharedStoreProtocol.COUNTERS_GET -> {
                Map<String, Long> all = store.counters().snapshot();
                out.u32(all.size());
                all.forEach((k, v) -> out.str(k).i64(v));
                return OK;
            }
            case SharedStoreProtocol.USAGE -> {
                StoreUsage u = store.usage();
                out.i64(u.entryBytes()).i64(u.entries()).i64(u.manifestBytes()).i64(u.manifests());
                return OK;
            }
            case SharedStoreProtocol.CLEAR -> {
                store.entries().clear();
                store.manifests().clear();
                return OK;
            }
            case SharedStoreProtocol.CLEANUP -> {
                store.cleanup();
                return OK;
            }
            case SharedStoreProtocol.ENTRY_KEYS -> {
                java.util.List<Digest> keys = new java.util.ArrayList<>();
                store.entries().forEachKey(keys::add);
                out.u32(keys.size());
                keys.forEach(out::digest);
                return OK;
            }
            default -> throw new IllegalArgumentException("unknown operation " + op);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.log(Level.FINE, "shared-store connection error", cause);
        ctx.close();
    }
}
