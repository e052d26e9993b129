package cache.node.client;

import cache.node.protocol.NodeProtocol;
import cache.node.protocol.NodeProtocol.Hit;
import cache.node.protocol.NodeProtocol.Message;
import cache.node.protocol.NodeProtocol.Miss;
import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;

/**
 * The answers to probes already written on several {@link ProbeChannel}s, read by the calling
 * thread in the order they arrive: all of a round's probes are written first, then {@link #next}
 * waits on all their sockets at once (one selector, the caller's own thread), so the first hit
 * to arrive is seen first whatever node sent it, and a slow or hung node holds up no other.
 *
 * <p>Not thread-safe; close it when done (the channels stay open: the caller decides their fate,
 * by {@link #unanswered()}).
 */
public final class ProbeRound implements AutoCloseable {

    /**
     * One channel's answer.
     *
     * @param channel which one
     * @param entry the node's entry bytes on a hit (unverified: {@link NodeClient#decode}), null on a miss or failure
     * @param failure why the channel failed (it is closed), or null
     */
    public record Answer(ProbeChannel channel, byte[] entry, IOException failure) {
        public boolean hit() {
            return entry != null;
        }

        public boolean miss() {
            return entry == null && failure == null;
        }
    }

    private final Selector selector;
    private final List<ProbeChannel> waiting = new ArrayList<>();
    private final List<Answer> ready = new ArrayList<>();

    /** @param channels each owes the answer to a probe just written */
    public ProbeRound(List<ProbeChannel> channels) throws IOException {
        this.selector = Selector.open();
        for (ProbeChannel c : channels) {
            try {
                c.channel().register(selector, SelectionKey.OP_READ, c);
                waiting.add(c);
            } catch (IOException | RuntimeException e) {
                c.close();
                ready.add(new Answer(c, null, e instanceof IOException io ? io : new IOException(e)));
            }
        }
    }

    /**
     * The next answer to arrive, or null when every channel has answered or {@code deadline}
     * (nanoTime) passed first ({@link #unanswered()} then says which did not).
     *
     * @throws java.io.InterruptedIOException when the thread is interrupted (its flag stays set)
     */
    public Answer next(long deadline) throws IOException {
        while (ready.isEmpty() && !waiting.isEmpty()) {
            for (ProbeChannel c : List.copyOf(waiting)) { // an answer may already be whole in the buffer
                take(c);
            }
            if (!ready.isEmpty()) {
                break;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            if (Thread.currentThread().isInterrupted()) { // select would return at once, again and again
                throw new java.io.InterruptedIOException("interrupted while waiting for probe answers");
            }
            selector.select(ProbeChannel.remainingMillis(deadline));
            selector.selectedKeys().clear();
        }
        return ready.isEmpty() ? null : ready.remove(0);
    }

    /** Reads what {@code c} has; when its answer is whole, moves it from waiting to ready. */
    private void take(ProbeChannel c) {
        Answer a;
        try {
            Message m = c.poll();
            if (m == null) {
                return;
            }
            if (m instanceof Hit h) {
                a = new Answer(c, h.entry(), null);
            } else if (m instanceof Miss) {
                a = new Answer(c, null, null);
            } else if (m instanceof NodeProtocol.Error err) {
                a = new Answer(c, null, new NodeClient.NodeException(err.code(), err.message()));
                if (err.id() == 0) {
                    c.close(); // an error for the connection: the node closes it
                }
            } else {
                c.close();
                a = new Answer(c, null, new IOException("node " + c.nodeName() + " answered a probe with frame type 0x"
                        + Integer.toHexString(m.type())));
            }
        } catch (IOException e) {
            c.close();
            a = new Answer(c, null, e);
        }
        waiting.remove(c);
        SelectionKey k = c.channel().keyFor(selector);
        if (k != null) {
            k.cancel();
        }
        ready.add(a);
    }

    /** The channels whose answers have not been read (still owed). */
    public List<ProbeChannel> unanswered() {
        return List.copyOf(waiting);
    }

    @Override
    public void close() {
        try {
            selector.close();
        } catch (IOException ignored) {
            // the channels stay open; the selector's descriptor is released either way
        }
    }
}
