package cache.distributor;

import cache.distributor.route.Node;
import cache.node.client.NodeClient;
import cache.node.client.ProbeChannel;
import cache.node.client.ProbeRound;
import cache.store.CacheEntry;
import cache.store.CorruptEntryException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.LongConsumer;
import java.util.logging.Logger;

/**
 * A {@link Farm}'s probe rounds written and read by the thread that submits the job, on each
 * node's pool of {@link ProbeChannel}s ({@link ProbeChannels}).
 *
 * <p>Why: over the node's pipelined {@link NodeClient} connection a probe crosses four thread
 * wake-ups (the caller hands it to the farm's event loop, the node reads it, the event loop
 * reads the answer, the caller is woken); here two (the node, the caller). The contract is the
 * event loop's path's: the first verified hit to arrive answers; a probe that fails, or is not
 * answered within {@link Farm#PROBE_LIMIT}, is a miss and its node is backed off (through {@code
 * failures}, the farm's own handling), also when the job was answered by another node meanwhile
 * (the answers still owed are then read on the farm's connector thread, {@link #drain}).
 */
final class CallerProbes {

    private static final Logger LOG = Logger.getLogger(CallerProbes.class.getName());

    /** What the farm does with a probe's failure: back the node off unless the node is not at fault. */
    interface Failures {
        void failed(Node node, Throwable cause, AtomicReference<FarmException.Reason> reason);
    }

    private final Function<Node, InetSocketAddress> addresses;
    private final Duration connectTimeout;
    /** The nodes' shared secret, or null. */
    private final byte[] authSecret;
    private final ExecutorService connector;
    private final Failures failures;
    private final Map<String, ProbeChannels> pools = new ConcurrentHashMap<>();
    private final LongAdder rounds = new LongAdder();

    /**
     * @param addresses where a node's probe channels connect
     * @param connector where channels are opened and answers still owed after a job are read
     */
    CallerProbes(Function<Node, InetSocketAddress> addresses, Duration connectTimeout, byte[] authSecret,
            ExecutorService connector, Failures failures) {
        this.addresses = addresses;
        this.connectTimeout = connectTimeout;
        this.authSecret = authSecret;
        this.connector = connector;
        this.failures = failures;
    }

    private ProbeChannels pool(Node n) {
        return pools.computeIfAbsent(n.id(), id -> new ProbeChannels(addresses.apply(n), connectTimeout, authSecret, connector));
    }

    /** Starts opening {@code n}'s first channel (a node just connected to). */
    void prime(Node n) {
        pool(n).prime();
    }

    /**
     * An idle channel for each node of {@code asked}, in its order, or null when one of them has
     * none (then every node without one gets one opened in the background for later rounds).
     */
    List<ProbeChannel> borrow(List<Node> asked) {
        List<ProbeChannel> borrowed = new ArrayList<>(asked.size());
        boolean all = true;
        for (Node n : asked) {
            ProbeChannel c = pool(n).borrow(); // null starts opening one: every node's pool grows at once
            all &= c != null;
            borrowed.add(c);
        }
        if (!all) {
            for (int i = 0; i < borrowed.size(); i++) {
                if (borrowed.get(i) != null) {
                    pool(asked.get(i)).giveBack(borrowed.get(i));
                }
            }
            return null;
        }
        return borrowed;
    }

    /**
     * One round of probes on the calling thread: each of {@code asked} gets its probe written on
     * its channel (from {@link #borrow}), {@code whileWaiting} runs, then the answers are read as
     * they arrive, until a verified hit (the answer) or every node has missed, failed, or let
     * {@link Farm#PROBE_LIMIT} pass.
     *
     * @param failed set to why a node failed, when one does
     * @param missed gets the id of each node whose cache answered that it has no entry
     * @param hitSent told when the hit's probe was written (nanoTime)
     */
    Farm.Result round(Farm.Job job, List<Node> asked, List<ProbeChannel> channels,
            AtomicReference<FarmException.Reason> failed, Set<String> missed, LongConsumer hitSent,
            Runnable whileWaiting) {
        rounds.increment();
        Farm.Source s = job.source();
        Map<ProbeChannel, Node> nodeOf = new IdentityHashMap<>();
        List<ProbeChannel> sent = new ArrayList<>(channels.size());
        for (int i = 0; i < channels.size(); i++) {
            ProbeChannel c = channels.get(i);
            Node n = asked.get(i);
            nodeOf.put(c, n);
            try {
                c.sendProbe(job.key(), job.compiler(), s == null ? null : s.path(), s == null ? null : s.cwd());
                sent.add(c);
            } catch (IOException e) {
                pool(n).discard(c);
                failures.failed(n, e, failed);
            }
        }
        whileWaiting.run();
        long deadline = System.nanoTime() + Farm.PROBE_LIMIT.toNanos();
        ProbeRound round;
        try {
            round = new ProbeRound(sent);
        } catch (IOException e) { // no selector: the channels cannot be read, and owe answers
            sent.forEach(c -> pool(nodeOf.get(c)).discard(c));
            LOG.warning("cannot wait for probe answers: " + e);
            return null;
        }
        Farm.Result hit = null;
        try {
            for (ProbeRound.Answer a; hit == null && (a = round.next(deadline)) != null;) {
                hit = answered(nodeOf.get(a.channel()), a, failed, missed);
                if (hit != null) {
                    hitSent.accept(a.channel().sentAt());
                }
            }
            if (hit != null) { // answers already here need no other thread: their channels go back now
                for (ProbeRound.Answer a; (a = round.next(System.nanoTime())) != null;) {
                    settled(nodeOf.get(a.channel()), a);
                }
            }
            List<ProbeChannel> left = round.unanswered();
            if (hit != null && !left.isEmpty()) {
                drain(left, nodeOf, deadline);
            } else {
                left.forEach(c -> timedOut(nodeOf.get(c), c, failed));
            }
        } catch (IOException e) { // interrupted (the caller gave up): the channels still owing are closed
            round.unanswered().forEach(c -> pool(nodeOf.get(c)).discard(c));
        } finally {
            round.close();
        }
        return hit;
    }

    /** One channel's answer: a verified hit's result, or null (a miss, or a failure, whose node is backed off). */
    private Farm.Result answered(Node n, ProbeRound.Answer a, AtomicReference<FarmException.Reason> failed,
            Set<String> missed) {
        ProbeChannels pool = pool(n);
        if (a.failure() != null) {
            if (a.channel().isOpen()) {
                pool.giveBack(a.channel()); // a refusal of this request: the connection stays good
            } else {
                pool.discard(a.channel());
            }
            failures.failed(n, a.failure(), failed);
            return null;
        }
        if (a.miss()) {
            pool.giveBack(a.channel());
            missed.add(n.id());
            return null;
        }
        try {
            CacheEntry e = NodeClient.decode(a.entry());
            pool.giveBack(a.channel());
            return new Farm.Result(e, n.id(), true);
        } catch (CorruptEntryException x) {
            pool.discard(a.channel());
            failures.failed(n, new IOException("corrupt entry from " + n.id(), x), failed);
            return null;
        }
    }

    /** An answer no longer wanted (the job was answered): its channel back, or its node's failure handled. */
    private void settled(Node n, ProbeRound.Answer a) {
        if (a.failure() == null || a.channel().isOpen()) {
            pool(n).giveBack(a.channel());
        } else {
            pool(n).discard(a.channel());
        }
        if (a.failure() != null) {
            failures.failed(n, a.failure(), new AtomicReference<>());
        }
    }

    private void timedOut(Node n, ProbeChannel c, AtomicReference<FarmException.Reason> failed) {
        pool(n).discard(c);
        failures.failed(n, new TimeoutException("no answer to a probe within " + Farm.PROBE_LIMIT.toMillis() + " ms"),
                failed);
    }

    /**
     * Reads, on the connector, the answers {@code left} still owe after the job was answered, until
     * {@code deadline}: a channel that answers goes back to its pool, one that fails or stays silent
     * has its node backed off, as the event loop's path does for a probe that outlives its job.
     */
    private void drain(List<ProbeChannel> left, Map<ProbeChannel, Node> nodeOf, long deadline) {
        Runnable reading = () -> {
            ProbeRound round;
            try {
                round = new ProbeRound(left);
            } catch (IOException e) {
                left.forEach(c -> pool(nodeOf.get(c)).discard(c));
                return;
            }
            try {
                for (ProbeRound.Answer a; (a = round.next(deadline)) != null;) {
                    settled(nodeOf.get(a.channel()), a);
                }
                round.unanswered().forEach(c -> timedOut(nodeOf.get(c), c, new AtomicReference<>()));
            } catch (IOException e) { // interrupted: the farm is closing
                round.unanswered().forEach(c -> pool(nodeOf.get(c)).discard(c));
            } finally {
                round.close();
            }
        };
        try {
            connector.execute(reading);
        } catch (RejectedExecutionException closing) {
            left.forEach(c -> pool(nodeOf.get(c)).discard(c));
        }
    }

    /** Rounds done so far. */
    long rounds() {
        return rounds.sum();
    }

    /** Idle channels to {@code node} now. */
    int idle(String node) {
        ProbeChannels p = pools.get(node);
        return p == null ? 0 : p.idle();
    }

    /** Forgets a node's channels (it failed): the idle ones are closed, a new pool starts empty. */
    void drop(String node) {
        ProbeChannels p = pools.remove(node);
        if (p != null) {
            p.close();
        }
    }

    /** Closes every node's idle channels. */
    void close() {
        for (String id : List.copyOf(pools.keySet())) {
            drop(id);
        }
    }
}
