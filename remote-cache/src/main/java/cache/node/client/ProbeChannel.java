package cache.node.client;

import cache.hashing.Digest;
import cache.node.protocol.NodeProtocol;
import cache.node.protocol.NodeProtocol.Auth;
import cache.node.protocol.NodeProtocol.AuthOk;
import cache.node.protocol.NodeProtocol.CompileSource;
import cache.node.protocol.NodeProtocol.CompilerSpec;
import cache.node.protocol.NodeProtocol.ErrorCode;
import cache.node.protocol.NodeProtocol.Hello;
import cache.node.protocol.NodeProtocol.Message;
import cache.node.protocol.NodeProtocol.Probe;
import cache.node.protocol.NodeProtocol.Welcome;
import cache.node.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A probe-only connection to a node that the thread asking drives itself: it writes the probe
 * and reads the answer on its own thread ({@link ProbeRound}), with no event loop between.
 *
 * <p>Why: on the {@link NodeClient} path a probe crosses four thread wake-ups (the caller hands
 * the request to the client's event loop, the node's loop reads it, the client's loop reads the
 * answer, the caller is woken), and with a quiet gap between probes each wake-up is costly. Here
 * only the node's loop and the caller wake. The connection speaks the same native protocol and
 * handshake as {@link NodeClient} (HELLO, and AUTH with the shared secret when the node requires
 * it; TCP_NODELAY); TLS is not spoken here: a TLS node's probes stay on {@link NodeClient}.
 *
 * <p>Not thread-safe: one caller at a time (a pool hands it out). A channel owes at most one
 * answer ({@link #owes()}); frames for other request ids (a WORKING, an answer given up on) are
 * dropped. A failed channel is closed and never reused.
 */
public final class ProbeChannel implements AutoCloseable {

    private final SocketChannel channel;
    private final String node;
    private final int version;
    private final int maxFrame;
    /** Bytes read and not yet taken as frames; flipped for reading only inside {@link #poll}. */
    private ByteBuffer in = ByteBuffer.allocate(8192);
    private int ids;
    /** The id of the probe whose answer is owed, or 0. */
    private int owed;
    private long sentAt;
    private long bytesSent;

    private ProbeChannel(SocketChannel channel, Welcome welcome) {
        this.channel = channel;
        this.node = welcome.node();
        this.version = welcome.version();
        this.maxFrame = Math.min(NodeProtocol.MAX_FRAME, Math.max(welcome.maxFrame(), 1 << 16));
    }

    /**
     * Connects, agrees on the protocol version and authenticates, blocking for at most {@code
     * timeout} in all.
     *
     * @param secret the node's shared secret, or null (a node that requires one then refuses
     *     with {@link NodeClient.NodeException} {@code AUTH_REQUIRED}, as {@link NodeClient} does)
     */
    public static ProbeChannel connect(InetSocketAddress address, Duration timeout, String clientName, byte[] secret)
            throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        SocketChannel ch = SocketChannel.open();
        try {
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            InetSocketAddress target = address.isUnresolved()
                    ? new InetSocketAddress(address.getHostString(), address.getPort()) : address;
            try (Selector s = Selector.open()) {
                if (!ch.connect(target)) {
                    SelectionKey k = ch.register(s, SelectionKey.OP_CONNECT);
                    while (!ch.finishConnect()) {
                        if (s.select(remainingMillis(deadline)) == 0 && System.nanoTime() >= deadline) {
                            throw new java.net.SocketTimeoutException("connect to " + target + " timed out");
                        }
                        s.selectedKeys().clear();
                    }
                    k.cancel();
                }
            }
            ProbeChannel pc = new ProbeChannel(ch, new Welcome(0, NodeProtocol.MIN_VERSION, target.toString(),
                    new byte[0], NodeProtocol.MAX_FRAME));
            Message w = pc.exchange(new Hello(1, NodeProtocol.MIN_VERSION, NodeProtocol.VERSION, clientName), deadline);
            if (!(w instanceof Welcome welcome)) {
                throw new IOException("node answered HELLO with frame type " + w.type());
            }
            if (welcome.authRequired()) {
                if (secret == null) {
                    throw new NodeClient.NodeException(ErrorCode.AUTH_REQUIRED, "node " + welcome.node()
                            + " requires a shared secret and none is configured");
                }
                Message ok = pc.exchange(new Auth(2, Auth.mac(secret, welcome.nonce())), deadline);
                if (!(ok instanceof AuthOk)) {
                    throw new IOException("node answered AUTH with frame type " + ok.type());
                }
            }
            ProbeChannel ready = new ProbeChannel(ch, welcome);
            ready.ids = 2;
            ready.bytesSent = pc.bytesSent;
            return ready;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Sends {@code m} and waits, bounded by {@code deadline}, for the frame answering it (the handshake). */
    private Message exchange(Message m, long deadline) throws IOException {
        write(m);
        owed = m.id();
        try (Selector s = Selector.open()) {
            channel.register(s, SelectionKey.OP_READ);
            while (true) {
                Message a = poll();
                if (a instanceof NodeProtocol.Error err) {
                    throw new NodeClient.NodeException(err.code(), err.message());
                }
                if (a != null) {
                    return a;
                }
                if (System.nanoTime() >= deadline) {
                    throw new java.net.SocketTimeoutException("node did not answer within the connect timeout");
                }
                s.select(remainingMillis(deadline));
                s.selectedKeys().clear();
            }
        }
    }

    static long remainingMillis(long deadline) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()) + 1);
    }

    /** The node's name as it announced itself. */
    public String nodeName() {
        return node;
    }

    public int protocolVersion() {
        return version;
    }

    /** Whether the node answers probes of source jobs ({@link CompileSource#jobKey}): version 2 or later. */
    public boolean compilesSources() {
        return version >= NodeProtocol.SOURCE_VERSION;
    }

    /** Whether a probe's answer is still owed (the channel must not be handed to another caller). */
    public boolean owes() {
        return owed != 0;
    }

    /** When the owed probe was written (nanoTime). */
    public long sentAt() {
        return sentAt;
    }

    public boolean isOpen() {
        return channel.isOpen();
    }

    /** Bytes written to the node, handshake included. */
    public long bytesSent() {
        return bytesSent;
    }

    SocketChannel channel() {
        return channel;
    }

    /**
     * Writes a probe of {@code key} (of a source job's key when {@code source} is not null, as
     * {@link NodeClient#probeSource}); its answer is then owed.
     */
    public void sendProbe(Digest key, CompilerSpec compiler, String source, String cwd) throws IOException {
        if (owed != 0) {
            throw new IllegalStateException("an answer is still owed on this channel");
        }
        Digest k = source == null ? key : CompileSource.jobKey(key, source, cwd);
        int id = ++ids;
        write(new Probe(id, k, compiler));
        owed = id;
        sentAt = System.nanoTime();
    }

    private void write(Message m) throws IOException {
        ByteBuf b = Unpooled.buffer(128);
        try {
            NodeProtocol.encode(m, b);
            ByteBuffer out = b.nioBuffer();
            int n = out.remaining();
            channel.write(out);
            if (out.hasRemaining()) { // an idle connection's send buffer takes a frame this small whole
                throw new IOException("the node's connection took only " + (n - out.remaining()) + " of " + n + " bytes");
            }
            bytesSent += n;
        } finally {
            b.release();
        }
    }

    /**
     * The owed answer if it has arrived whole (reading what the socket holds, without blocking),
     * else null. A HIT, MISS or ERROR for the owed id clears the debt; other frames are dropped.
     *
     * @throws EOFException when the node closed the connection
     */
    Message poll() throws IOException {
        while (true) {
            Message m = frame();
            if (m != null) {
                if (m.id() == owed || (m instanceof NodeProtocol.Error e && e.id() == 0)) {
                    owed = 0;
                    return m;
                }
                continue; // WORKING, or the answer to a request given up on
            }
            if (!in.hasRemaining()) {
                in = grow(in, in.capacity() * 2);
            }
            int n = channel.read(in);
            if (n < 0) {
                throw new EOFException("node " + node + " closed the connection");
            }
            if (n == 0) {
                return null;
            }
        }
    }

    /** One whole frame from the bytes read, or null. */
    private Message frame() throws IOException {
        if (in.position() < 4) {
            return null;
        }
        int length = in.getInt(0);
        if (length < NodeProtocol.FRAME_HEADER || length > maxFrame) {
            throw new IOException("frame of " + length + " bytes from node " + node);
        }
        if (in.position() < 4 + length) {
            if (in.capacity() < 4 + length) {
                in = grow(in, 4 + length);
            }
            return null;
        }
        Message m;
        try {
            m = NodeProtocol.decode(Unpooled.wrappedBuffer(in.array(), 4, length));
        } catch (ProtocolException e) {
            throw new IOException("bad frame from node " + node + ": " + e.getMessage(), e);
        }
        in.flip();
        in.position(4 + length);
        in.compact();
        return m;
    }

    private static ByteBuffer grow(ByteBuffer b, int capacity) {
        ByteBuffer g = ByteBuffer.allocate(capacity);
        b.flip();
        g.put(b);
        return g;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    @Override
    public String toString() {
        return "probe channel to " + node;
    }
}
