package cache.distributor;

import cache.node.client.ProbeChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * One node's idle {@link ProbeChannel}s: the connections a caller borrows to write a probe and
 * read its answer on its own thread ({@link CallerProbes}).
 *
 * <p>The pool sizes itself to the callers probing the node at once: when a caller finds no idle
 * channel it probes over the node's {@link cache.node.client.NodeClient} connection as before, and one more channel
 * is opened in the background (on {@code connector}), up to {@link #MAX}. A channel is handed
 * back only when it owes no answer; a failed one is closed and forgotten.
 */
final class ProbeChannels {

    private static final Logger LOG = Logger.getLogger(ProbeChannels.class.getName());

    /** Channels per node at most: the daemon's workers probing one node at once, beyond which the event-loop path serves. */
    static final int MAX = 8;

    private final InetSocketAddress address;
    private final Duration connectTimeout;
    private final byte[] authSecret;
    private final Executor connector;
    private final ConcurrentLinkedDeque<ProbeChannel> idle = new ConcurrentLinkedDeque<>();
    /** Channels open or being opened, idle or borrowed. */
    private final AtomicInteger open = new AtomicInteger();
    private volatile boolean closed;

    /** @param authSecret the node's shared secret, or null */
    ProbeChannels(InetSocketAddress address, Duration connectTimeout, byte[] authSecret, Executor connector) {
        this.address = address;
        this.connectTimeout = connectTimeout;
        this.authSecret = authSecret;
        this.connector = connector;
    }

    /** An idle channel, or null (and then one more is being opened, unless {@link #MAX} are). */
    ProbeChannel borrow() {
        ProbeChannel c;
        while ((c = idle.pollFirst()) != null) {
            if (c.isOpen()) {
                return c;
            }
            open.decrementAndGet();
        }
        grow();
        return null;
    }

    /** Starts opening a channel when none is idle (a node just connected to). */
    void prime() {
        if (idle.isEmpty()) {
            grow();
        }
    }

    /** Back to the pool when it is open and owes nothing; else closed and forgotten. */
    void giveBack(ProbeChannel c) {
        if (c.isOpen() && !c.owes() && !closed) {
            idle.addFirst(c); // the most recently used first: its node thread and socket are the warmest
        } else {
            discard(c);
        }
    }

    /** Closes a channel that failed or is not wanted. */
    void discard(ProbeChannel c) {
        c.close();
        open.decrementAndGet();
    }

    /** Starts opening one more channel unless {@link #MAX} are open or opening. */
    private void grow() {
        int n;
        do {
            n = open.get();
            if (n >= MAX || closed) {
                return;
            }
        } while (!open.compareAndSet(n, n + 1));
        try {
            connector.execute(() -> {
                try {
                    ProbeChannel c = ProbeChannel.connect(address, connectTimeout, "cache distributor", authSecret);
                    giveBack(c);
                } catch (IOException | RuntimeException e) {
                    open.decrementAndGet();
                    LOG.fine(() -> "no probe channel to " + address + ": " + e);
                }
            });
        } catch (RuntimeException rejected) { // the farm is closing
            open.decrementAndGet();
        }
    }

    /** Channels idle now. */
    int idle() {
        return idle.size();
    }

    /** Closes every idle channel; borrowed ones are closed when handed back. */
    void close() {
        closed = true;
        ProbeChannel c;
        while ((c = idle.pollFirst()) != null) {
            discard(c);
        }
    }
}
