package cache.node;

import cache.node.protocol.NodeProtocol;
import cache.node.protocol.NodeProtocol.Auth;
import cache.node.protocol.NodeProtocol.AuthOk;
import cache.node.protocol.NodeProtocol.Compile;
import cache.node.protocol.NodeProtocol.CompileSource;
import cache.node.protocol.NodeProtocol.ErrorCode;
import cache.node.protocol.NodeProtocol.Hello;
import cache.node.protocol.NodeProtocol.Message;
import cache.node.protocol.NodeProtocol.Probe;
import cache.node.protocol.NodeProtocol.Stats;
import cache.node.protocol.NodeProtocol.Welcome;
import cache.node.protocol.ProtocolException;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.net.ssl.SSLException;

/**
 * One client connection: HELLO (version), then the HMAC challenge when the node has a secret,
 * then any number of pipelined PROBE, COMPILE (COMPILE_SOURCE from version 2) and STATS requests, each answered under its
 * request id as soon as it is done. From version 3, a WORKING frame each second of silence while answers are owed.
 *
 * <p>Hostile input never gets further than this connection: a frame that does not decode, is
 * too long, comes out of order or fails authentication is logged with its reason, counted as
 * a refusal, answered with one ERROR frame when possible, and the connection is closed.
 */
final class NodeHandler extends SimpleChannelInboundHandler<Message> {

    private static final Logger LOG = Logger.getLogger(NodeHandler.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();

    private enum State { HELLO, AUTH, READY, CLOSED }

    private final NodeConfig config;
    private final NodeService service;
    private final NodeStats stats;
    private final AtomicInteger inFlight = new AtomicInteger();
    private State state = State.HELLO;
    /** The version agreed in HELLO: what frames this connection may carry. */
    private int version;
    private byte[] nonce = new byte[0];
    /** When this connection last wrote an answer (nanoTime): keep-alives fill only the silences. */
    private volatile long lastWrite = System.nanoTime();
    private ScheduledFuture<?> keepAlive;
    private final ConnectionSlot slot;

    NodeHandler(NodeConfig config, NodeService service, AtomicInteger openConnections) {
        this.config = config;
        this.service = service;
        this.stats = service.stats();
        this.slot = new ConnectionSlot(config, stats, openConnections);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        if (!slot.take(ctx, "connection")) {
            state = State.CLOSED;
            return;
        }
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        slot.release();
        state = State.CLOSED;
        if (keepAlive != null) {
            keepAlive.cancel(false);
        }
        super.channelInactive(ctx);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Message m) {
        switch (state) {
            case HELLO -> hello(ctx, m);
            case AUTH -> auth(ctx, m);
            case READY -> request(ctx, m);
            case CLOSED -> {
                // frames already decoded from a connection being closed: ignored
            }
        }
    }

    private void hello(ChannelHandlerContext ctx, Message m) {
        if (!(m instanceof Hello h)) {
            fail(ctx, m.id(), ErrorCode.BAD_VERSION, "first frame must be HELLO, got type 0x"
                    + Integer.toHexString(m.type()));
            return;
        }
        int agreed = Math.min(NodeProtocol.VERSION, h.maxVersion());
        if (agreed < h.minVersion() || agreed < NodeProtocol.MIN_VERSION) {
            fail(ctx, h.id(), ErrorCode.BAD_VERSION, "node speaks versions " + NodeProtocol.MIN_VERSION + ".."
                    + NodeProtocol.VERSION + ", client " + h.minVersion() + ".." + h.maxVersion());
            return;
        }
        version = agreed;
        if (version >= NodeProtocol.LIVENESS_VERSION) {
            long every = NodeProtocol.WORKING_INTERVAL.toMillis();
            keepAlive = ctx.executor().scheduleAtFixedRate(() -> keepAlive(ctx), every, every, TimeUnit.MILLISECONDS);
        }
        if (config.authSecret() != null) {
            nonce = new byte[NodeProtocol.NONCE_BYTES];
            RANDOM.nextBytes(nonce);
            state = State.AUTH;
        } else {
            state = State.READY;
        }
        ctx.writeAndFlush(new Welcome(h.id(), version, config.nodeName(), nonce, config.maxFrame()));
    }

    private void auth(ChannelHandlerContext ctx, Message m) {
        if (!(m instanceof Auth a)) {
            fail(ctx, m.id(), ErrorCode.AUTH_REQUIRED, "this node requires authentication first");
            return;
        }
        if (!MessageDigest.isEqual(Auth.mac(config.authSecret(), nonce), a.mac())) {
            fail(ctx, a.id(), ErrorCode.AUTH_FAILED, "wrong shared-secret answer");
            return;
        }
        state = State.READY;
        ctx.writeAndFlush(new AuthOk(a.id()));
    }

    private void request(ChannelHandlerContext ctx, Message m) {
        if (!(m instanceof Probe || m instanceof Compile || m instanceof Stats || m instanceof CompileSource)) {
            fail(ctx, m.id(), ErrorCode.BAD_FRAME, "unexpected frame type 0x" + Integer.toHexString(m.type()));
            return;
        }
        if (m instanceof CompileSource && version < NodeProtocol.SOURCE_VERSION) {
            fail(ctx, m.id(), ErrorCode.BAD_FRAME, "COMPILE_SOURCE needs protocol version "
                    + NodeProtocol.SOURCE_VERSION + ", this connection agreed on " + version);
            return;
        }
        if (m instanceof Probe p) {
            long start = System.nanoTime();
            Message now = service.probeNow(p, slot.peer());
            if (now != null) { // answered here, on the event loop: no hand-off to a pool and back
                long looked = System.nanoTime();
                lastWrite = looked;
                ctx.writeAndFlush(now);
                if (LOG.isLoggable(java.util.logging.Level.FINE)) {
                    long written = System.nanoTime();
                    LOG.fine(String.format(java.util.Locale.ROOT, "probe for %s: %s, looked up in %.3f ms, written in %.3f ms",
                            slot.peer(), now instanceof NodeProtocol.Hit ? "hit" : "answered", (looked - start) / 1e6,
                            (written - looked) / 1e6));
                }
                return;
            }
        }
        int n = inFlight.incrementAndGet();
        if (n > 4 * config.maxInFlight()) {
            inFlight.decrementAndGet();
            stats.refused(ErrorCode.BUSY);
            ctx.writeAndFlush(new NodeProtocol.Error(m.id(), ErrorCode.BUSY,
                    "more than " + 4 * config.maxInFlight() + " requests in flight on one connection"));
            return;
        }
        if (n >= config.maxInFlight()) {
            // Backpressure: stop reading until answers drain. Frames already read are still
            // decoded, hence the hard limit above.
            ctx.channel().config().setAutoRead(false);
        }
        service.handle(m, slot.peer()).whenComplete((reply, e) -> {
            if (inFlight.decrementAndGet() < config.maxInFlight() && !ctx.channel().config().isAutoRead()) {
                ctx.channel().config().setAutoRead(true);
            }
            lastWrite = System.nanoTime();
            ctx.writeAndFlush(reply);
        });
    }

    /**
     * Version 3: while this connection owes answers and has written nothing for a
     * {@link NodeProtocol#WORKING_INTERVAL}, tells the client the node is alive, so that a
     * client can fail a node that stops answering within seconds rather than at its request timeout.
     */
    private void keepAlive(ChannelHandlerContext ctx) {
        long now = System.nanoTime();
        if (state == State.READY && inFlight.get() > 0
                && now - lastWrite >= NodeProtocol.WORKING_INTERVAL.toNanos() * 9 / 10) {
            lastWrite = now;
            ctx.writeAndFlush(new NodeProtocol.Working(0));
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent e && e.state() == IdleState.READER_IDLE && inFlight.get() == 0
                && state != State.CLOSED) {
            stats.refused("idle");
            LOG.info("closing " + slot.peer() + ": nothing received for " + config.idleTimeout().toSeconds() + " s"
                    + (state == State.READY ? "" : " (handshake not finished)"));
            state = State.CLOSED;
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (state == State.CLOSED) {
            return;
        }
        if (cause instanceof TooLongFrameException) {
            fail(ctx, 0, ErrorCode.TOO_LARGE, "frame longer than the node's " + config.maxFrame() + " bytes");
        } else if (cause instanceof DecoderException && cause.getCause() instanceof ProtocolException p) {
            fail(ctx, 0, ErrorCode.BAD_FRAME, p.getMessage());
        } else if (cause instanceof DecoderException && cause.getCause() instanceof SSLException s) {
            stats.refused("tls");
            LOG.info("closing " + slot.peer() + ": TLS: " + s.getMessage());
            state = State.CLOSED;
            ctx.close();
        } else if (cause instanceof IOException) {
            LOG.fine(() -> slot.peer() + ": " + cause.getMessage());
            state = State.CLOSED;
            ctx.close();
        } else {
            LOG.warning("closing " + slot.peer() + ": " + cause);
            stats.refused("other");
            state = State.CLOSED;
            ctx.close();
        }
    }

    /** Refuses the connection: counted, logged, one ERROR frame, closed. */
    private void fail(ChannelHandlerContext ctx, int id, ErrorCode code, String reason) {
        stats.refused(code);
        LOG.info("closing " + slot.peer() + ": " + code.label() + ": " + reason);
        state = State.CLOSED;
        ctx.writeAndFlush(new NodeProtocol.Error(id, code, reason)).addListener(ChannelFutureListener.CLOSE);
    }
}
