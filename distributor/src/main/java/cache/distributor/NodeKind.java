package cache.distributor;

import cache.node.protocol.NodeProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * The two kinds of node a host list may name without saying which: a {@code cached} node speaks
 * our native protocol, a real {@code distccd} speaks distcc's.
 *
 * <p>How the farm tells them apart, with no extra syntax in the host list: it opens our native
 * connection; a {@code cached} node answers the {@code HELLO} at once. distccd never speaks first
 * and reads a request's first 12 bytes as distcc's {@code DIST} header: our {@code HELLO} frame
 * (longer than 12 bytes, and starting with its length, never "DIST") makes it close the
 * connection without sending a byte. So when the native handshake fails, {@link #detect} sends
 * a {@code HELLO} once more on a fresh connection: a peer that closes it (or resets it) without
 * a byte is a distccd. The answer is remembered per host for the farm's life; a distcc job that
 * fails forgets it, so a host that changed kind is asked again.
 */
enum NodeKind {
    NATIVE, DISTCC;

    /**
     * Whether the peer at {@code host:port} behaves as a distccd: it accepts the connection and
     * closes it, sending nothing, after our native {@code HELLO}.
     *
     * @param deadline for the connect and for the peer's answer (a silent peer is not a distccd,
     *     which closes at once)
     */
    static boolean isDistccd(String host, int port, Duration deadline) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), (int) deadline.toMillis());
            s.setSoTimeout((int) deadline.toMillis());
            s.getOutputStream().write(hello());
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            // a reset after distccd closed with our unread bytes in its buffer; a refused connect is not
            return e.getMessage() != null && e.getMessage().contains("reset");
        } catch (IOException e) {
            return false;
        }
    }

    /** Our native HELLO frame, as {@link cache.node.client.NodeClient} sends it. */
    static byte[] hello() {
        ByteBuf b = Unpooled.buffer();
        try {
            NodeProtocol.encode(new NodeProtocol.Hello(1, NodeProtocol.MIN_VERSION, NodeProtocol.VERSION,
                    "cache distributor"), b);
            byte[] out = new byte[b.readableBytes()];
            b.readBytes(out);
            return out;
        } finally {
            b.release();
        }
    }
}
