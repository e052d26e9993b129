package cache.node;

import cache.node.protocol.NodeProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;

/** A plain blocking socket speaking (or mangling) the node protocol, for hostile-client tests. */
final class RawConnection implements AutoCloseable {

    final Socket socket;
    private final DataInputStream in;

    RawConnection(InetSocketAddress node, String sourceAddress) throws IOException {
        socket = new Socket();
        if (sourceAddress != null) {
            socket.bind(new InetSocketAddress(sourceAddress, 0));
        }
        socket.setSoTimeout(30_000);
        socket.connect(node, 5_000);
        in = new DataInputStream(socket.getInputStream());
    }

    RawConnection(InetSocketAddress node) throws IOException {
        this(node, null);
    }

    static byte[] frame(NodeProtocol.Message m) {
        ByteBuf b = Unpooled.buffer();
        NodeProtocol.encode(m, b);
        byte[] bytes = new byte[b.readableBytes()];
        b.readBytes(bytes);
        return bytes;
    }

    /** Writes bytes; false when the node has already closed the connection. */
    boolean write(byte[] bytes) {
        try {
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Reads one frame (skipping WORKING keep-alives), or null at end of stream. */
    NodeProtocol.Message read() throws Exception {
        while (true) {
            NodeProtocol.Message m = readFrame();
            if (!(m instanceof NodeProtocol.Working)) { // a version 3 node's keep-alive during a long compile
                return m;
            }
        }
    }

    /** Reads one frame, whatever it is, or null at end of stream. */
    NodeProtocol.Message readFrame() throws Exception {
        int length;
        try {
            length = in.readInt();
        } catch (EOFException | SocketException e) {
            return null;
        }
        byte[] body = new byte[length];
        in.readFully(body);
        return NodeProtocol.decode(Unpooled.wrappedBuffer(body));
    }

    /**
     * Reads (and drops) everything until the node closes the connection: true at end of stream
     * or on a reset by the node, false when nothing ends it within the socket's read timeout.
     */
    boolean drainToEnd() throws IOException {
        InputStream s = socket.getInputStream();
        byte[] buf = new byte[8192];
        try {
            while (s.read(buf) >= 0) {
                // discard
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            // reset by the node: closed as well
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
