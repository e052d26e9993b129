package cache.distributor;

import cache.distributor.hosts.HostList;
import cache.distributor.hosts.HostSpec;
import cache.distributor.hosts.TcpHost;
import cache.distributor.route.Failure;
import cache.distributor.route.Health;
import cache.distributor.route.Node;
import cache.distributor.route.Rendezvous;
import cache.distributor.route.Slot;
import cache.distributor.route.SlotPool;
import cache.hashing.Digest;
import cache.node.client.NodeClient;
import cache.node.client.ProbeChannel;
import cache.node.protocol.NodeProtocol.CompilerSpec;
import cache.node.protocol.NodeProtocol.ErrorCode;
import cache.node.protocol.TcpTransport;
import cache.store.CacheEntry;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;

/**
 * The nodes of one host list, used as one sharded cache that also compiles.
 *
 * <p>A job's key is first probed, without a slot, on its owner (rendezvous hashing over the
 * healthy nodes, weighted by their slot limits) and the next nodes of its ranking at once (all
 * three that may hold it while their probes stay under 200 bytes: {@link #firstRound}): the
 * first hit to arrive answers it. On a miss the job goes to the owner, or, when the
 * owner's slots are full, to the next node of that key's ranking; a free slot starts the next
 * waiting job at once, and the preprocessed input is uploaded only then. Each node has one
 * persistent, pipelined connection for compiles, and a small pool of probe channels ({@link
 * ProbeChannels}) on which the thread that submits a job writes its probes and reads their answers
 * itself ({@link CallerProbes}): a node hit then wakes only the node and that thread, where the
 * event-loop path wakes the farm's event loop twice more. A round goes that way when every node it
 * asks has an idle channel; otherwise it goes over the pipelined connections, as on first contact,
 * while the missing channels are opened in the background.
 *
 * <p>A host may also be a real {@code distccd} ({@link NodeKind} says how it is told apart): it
 * is routed, slotted and backed off the same way, but has no cache to probe, takes no source
 * jobs, and gets one connection per job in distcc's protocol ({@link DistccConnection}).
 *
 * <p>A node that cannot be reached, times out, breaks the protocol or sends a corrupt entry is
 * backed off (distcc's 60 s by default) and the job tried on the next node, at most {@link
 * #MAX_ATTEMPTS} nodes in all; a node that lacks the compiler is skipped for that job only. When
 * no node answers, the job's future fails with {@link FarmException}: the caller compiles
 * locally. A failed compile is an answer like any other ({@link Result#entry()} carries its exit
 * code); whether to trust it is the caller's choice.
 */
public final class Farm implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Farm.class.getName());

    /** Nodes tried for one job before it is handed back. */
    public static final int MAX_ATTEMPTS = 3;
    /** Nodes whose caches are asked for a key before a compile: the owner and the next ones of its ranking. */
    static final int PROBED = 3;
    /**
     * What the probes of one job's first round may send together: under the issue's 200 bytes per
     * node hit. With a usual compiler spec a probe is 59 bytes, so all three {@link #PROBED} nodes
     * fit (177 bytes).
     */
    static final int FIRST_ROUND_BYTES = 199;
    /**
     * Nodes probed at once first, when set ({@code -Dcache.farmFirstRound=N}, for measurements);
     * else {@link #firstRound(Job)} decides by the probes' size.
     */
    static final Integer FIRST_ROUND_SET = Integer.getInteger("cache.farmFirstRound");
    /**
     * Whether a probe round is written and read by the thread that submits the job, over the
     * nodes' {@link ProbeChannel}s ({@link CallerProbes}): true; {@code -Dcache.farmCallerProbes=false}
     * keeps every probe on the event-loop path (for measurements side by side).
     */
    static final boolean CALLER_PROBES = Boolean.parseBoolean(System.getProperty("cache.farmCallerProbes", "true"));
    /** How long a probe may take before its node counts as failed. */
    static final Duration PROBE_LIMIT = Duration.ofSeconds(5);

    /**
     * One compile for the farm.
     *
     * @param key the client's cache key (the node keeps its result under it, with its compiler)
     * @param compiler the compiler as the node's whitelist names it, with version and target
     * @param language the {@code -x} language of {@code input} (a preprocessed form)
     * @param args the compile arguments a node may run: no input, no {@code -o}, no {@code -x}
     * @param input the preprocessed text, or for a {@code source} job the directives-only source
     * @param source null, or the client's source name and directory: the job is then a source
     *     compile (protocol version 2), whose object records them as the client's compiler would
     */
    public record Job(Digest key, CompilerSpec compiler, String language, List<String> args, byte[] input,
            Source source) {
        /** A compile of preprocessed text. */
        public Job(Digest key, CompilerSpec compiler, String language, List<String> args, byte[] input) {
            this(key, compiler, language, args, input, null);
        }
    }

    /**
     * Where a source job's source lives on the client.
     *
     * @param path the source as the client's command line spells it
     * @param cwd the client's working directory as its compiler records it
     */
    public record Source(String path, String cwd) {}

    /** A node that cannot take this kind of job (a source job on a version 1 node or a distccd): try the next. */
    static final class Unsupported extends IOException {
        Unsupported(String message) {
            super(message);
        }
    }

    /** A node's answer: its entry (any exit code), the node, and whether its cache had it. */
    public record Result(CacheEntry entry, String node, boolean nodeHit) {}

    /**
     * How the farm connects.
     *
     * @param authSecret the nodes' shared secret, answered to a node's challenge ({@code cached
     *     --auth-secret-file}), or null
     * @param tls whether to speak TLS to the nodes ({@code cached --tls-cert})
     * @param trustCert with {@code tls}: the certificates (PEM) a node's must be or chain to; null
     *     trusts any (encryption without the node's authentication: only with a secret)
     */
    public record Options(Duration connectTimeout, Duration requestTimeout, Duration backoff, byte[] authSecret,
            boolean tls, java.nio.file.Path trustCert) {
        public Options(Duration connectTimeout, Duration requestTimeout, Duration backoff) {
            this(connectTimeout, requestTimeout, backoff, null, false, null);
        }

        /** distcc's defaults where it has them: 60 s backoff; 5 s to connect; 5 min per request. */
        public static Options defaults() {
            return new Options(Duration.ofSeconds(5), Duration.ofMinutes(5), Health.DEFAULT_BACKOFF);
        }

        /** These options with the nodes' secret and TLS settings. */
        public Options secured(byte[] secret, boolean useTls, java.nio.file.Path trust) {
            return new Options(connectTimeout, requestTimeout, backoff, secret, useTls, trust);
        }
    }

    private final Map<String, TcpHost> hosts = new LinkedHashMap<>();
    private final java.util.function.Function<TcpHost, java.net.SocketAddress> addresses;
    private final List<Node> nodes = new ArrayList<>();
    private final SlotPool slots;
    private final Health health;
    private final Options options;
    private final Map<String, CompletableFuture<NodeConnection>> connections = new ConcurrentHashMap<>();
    /** Probe rounds written and read by the thread that submits the job, on each node's probe channels. */
    private final CallerProbes callerProbes;
    /** Hosts found to be real distccd ({@link NodeKind}); forgotten when one of their jobs fails. */
    private final Set<String> distccd = ConcurrentHashMap.newKeySet();
    private final ExecutorService connector = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "farm-connect");
        t.setDaemon(true);
        return t;
    });
    /** One event-loop thread for every node connection of this farm ({@link TcpTransport}: epoll on Linux). */
    private final EventLoopGroup loop = TcpTransport.group(1, r -> {
        Thread t = new Thread(r, "farm-io");
        t.setDaemon(true);
        return t;
    });

    /** A farm of the TCP hosts of {@code list} (the list's problems are the caller's to report). */
    public Farm(HostList list, Options options) {
        this(list, options, null);
    }

    /**
     * @param addresses where each host is reached instead of its own address, or null: {@link
     *     FarmWarmup}'s in-process nodes (their jobs are not logged)
     */
    Farm(HostList list, Options options, java.util.function.Function<TcpHost, java.net.SocketAddress> addresses) {
        this.addresses = addresses;
        for (HostSpec h : list.hosts()) {
            if (h instanceof TcpHost t) {
                String id = t.host() + ":" + t.port();
                if (hosts.putIfAbsent(id, t) == null) {
                    nodes.add(new Node(id, t.limit()));
                }
            }
        }
        this.options = options;
        this.callerProbes = new CallerProbes(this::probeAddress, options.connectTimeout(), options.authSecret(),
                connector, this::probeFailed);
        this.slots = SlotPool.create(nodes, Math.max(1, list.localSlots()));
        this.health = Health.withBackoff(options.backoff(), System::nanoTime);
    }

    /** Each node's {@code host:port}, in list order, and whether it is healthy now (not backed off). */
    public Map<String, Boolean> nodeHealth() {
        Set<Node> up = new HashSet<>(health.healthy(nodes));
        Map<String, Boolean> out = new LinkedHashMap<>();
        for (Node n : nodes) {
            out.put(n.id(), up.contains(n));
        }
        return out;
    }

    /** Whether the farm has no node to send anything to. */
    public boolean isEmpty() {
        return nodes.isEmpty();
    }

    /**
     * The job's result from the first node that answers. Cancelling the future gives up waiting
     * for a slot; a job already sent is finished by its node (and cached there).
     */
    public CompletableFuture<Result> submit(Job job) {
        return submit(job, JobListener.NONE);
    }

    /** {@link #submit(Job)}, telling {@code listener} each phase the job goes through. */
    public CompletableFuture<Result> submit(Job job, JobListener listener) {
        CompletableFuture<Result> out = new CompletableFuture<>();
        JobTimes times = new JobTimes(System.nanoTime());
        List<Node> healthy = health.healthy(nodes);
        List<Node> ranking = healthy.isEmpty() ? List.of() : Rendezvous.rank(job.key(), healthy);
        times.ranking = ranking;
        java.util.concurrent.atomic.AtomicReference<FarmException.Reason> probeFailed =
                new java.util.concurrent.atomic.AtomicReference<>(FarmException.Reason.NO_HEALTHY_NODE);
        Set<String> missed = ConcurrentHashMap.newKeySet();
        // The probes go out first; the listener (the monitors' table, distcc's state file) is told
        // while they travel, not before (0.3-0.4 ms of a node hit at load ~5). What follows the
        // probes' answers is chained only after that, so the listener still sees the phases in
        // order (PROBE, then BLOCKED, COMPILE, DONE), however fast the answers come.
        java.util.concurrent.atomic.AtomicBoolean told = new java.util.concurrent.atomic.AtomicBoolean();
        Runnable tell = () -> {
            if (told.compareAndSet(false, true)) {
                long telling = System.nanoTime();
                listener.phase(JobListener.Phase.PROBE, ranking.isEmpty() ? null : ranking.get(0).id());
                times.told = System.nanoTime() - telling;
            }
        };
        CompletableFuture<Result> probed = probe(job, ranking.subList(0, Math.min(PROBED, ranking.size())),
                probeFailed, missed, times, tell);
        tell.run(); // when no probe was sent
        out.whenComplete((r, e) -> {
            listener.phase(JobListener.Phase.DONE, null);
            if (addresses == null) { // the warm-up's jobs are not the user's
                LOG.fine(() -> times.describe(job.key(), r, e));
            }
        });
        probed.whenComplete((hit, e) -> {
            times.probed = System.nanoTime();
            if (out.isDone()) {
                return;
            }
            if (hit != null) {
                out.complete(hit);
            } else {
                attempt(job, new HashSet<>(), new HashSet<>(), probeFailed.get(), listener, out, missed, times);
            }
        });
        return out;
    }

    /**
     * How many nodes of the key's ranking the first round asks at once: every node that may hold
     * the key ({@link #PROBED}) as long as their probes together stay within {@link
     * #FIRST_ROUND_BYTES} (three 59-byte probes with a usual compiler spec), else two (the owner
     * and the node a spilled job went to); {@code -Dcache.farmFirstRound=N} sets it. Why all of
     * them, for a small farm: a probe costs a node a store read and a checksum (its lookup: a
     * median 0.26 ms of CPU in session 16), but each round costs the job a round trip, so a key
     * held by the third node (a job spilled past two full nodes, or a ranking changed by a node
     * that joined or left) was found a round trip later, and every miss paid two round trips
     * before its upload instead of one. Why two at least: the owner holds most hits, but in a busy
     * build many jobs find the owner's slots full and are compiled on the next node of the key's
     * ranking (27 of 60 in session 13's {@code make -j6}).
     */
    static int firstRound(Job job) {
        if (FIRST_ROUND_SET != null) {
            return Math.max(1, Math.min(PROBED, FIRST_ROUND_SET));
        }
        CompilerSpec c = job.compiler();
        int probe = 4 + cache.node.protocol.NodeProtocol.FRAME_HEADER + 16 + utf8(c.name()) + utf8(c.version())
                + utf8(c.target());
        return Math.max(2, Math.min(PROBED, FIRST_ROUND_BYTES / probe));
    }

    /** A protocol string's size on the wire: u16 length and UTF-8. */
    private static int utf8(String s) {
        return 2 + s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }

    /**
     * The first verified hit among the caches of {@code asked}, or null. The first {@link
     * #firstRound(Job)} nodes of the key's ranking (the owner first) are asked at once; the rest,
     * if any, only when they all miss (or fail). Probes take no slot. A probe that fails, or
     * takes longer than {@link #PROBE_LIMIT}, is a miss, and its node is backed off (a stopped
     * node must not hold every job up).
     *
     * <p>What the ranking's order is for: who is asked in which round (above) and where a miss is
     * compiled ({@link #attempt}: the owner, else the next node with a free slot), so that a key's
     * later hits are found in the first round. It is not a preference among hits: every node
     * stores an entry under a node key that includes its compiler's identity (version, target,
     * binary), the client checked the compiler spec it sent, and each entry's checksum is
     * verified when it is decoded ({@link NativeConnection}), so any node's verified hit for the
     * key is the same compile's result. The first to arrive answers the job ({@link #firstHit});
     * a slower owner's answer is dropped (its failure still backs it off).
     */
    private CompletableFuture<Result> probe(Job job, List<Node> asked,
            java.util.concurrent.atomic.AtomicReference<FarmException.Reason> failed, Set<String> missed,
            JobTimes times, Runnable whileWaiting) {
        if (asked.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        int first = Math.min(firstRound(job), asked.size());
        return firstHit(job, asked.subList(0, first), failed, missed, times, whileWaiting).thenCompose(hit -> hit != null
                || first == asked.size()
                ? CompletableFuture.completedFuture(hit)
                : firstHit(job, asked.subList(first, asked.size()), failed, missed, times, () -> { }));
    }

    /**
     * The first hit to arrive among the caches of {@code asked}, all asked at once, or null once
     * every one of them has missed (or failed).
     */
    private CompletableFuture<Result> firstHit(Job job, List<Node> asked,
            java.util.concurrent.atomic.AtomicReference<FarmException.Reason> failed, Set<String> missed,
            JobTimes times, Runnable whileWaiting) {
        List<ProbeChannel> here = channelsFor(job, asked);
        if (here != null) {
            return CompletableFuture.completedFuture(callerProbes.round(job, asked, here, failed, missed, times::hit,
                    whileWaiting));
        }
        CompletableFuture<Result> first = new CompletableFuture<>();
        java.util.concurrent.atomic.AtomicInteger left = new java.util.concurrent.atomic.AtomicInteger(asked.size());
        if (asked.isEmpty()) {
            first.complete(null);
        }
        for (Node n : asked) {
            probeOne(job, n, failed, missed, times).whenComplete((r, e) -> { // probeOne never fails: a failure is a miss
                if (r != null) {
                    first.complete(r);
                } else if (left.decrementAndGet() == 0) {
                    first.complete(null);
                }
            });
        }
        whileWaiting.run();
        return first;
    }

    /**
     * The round's probe channels when every node of {@code asked} is a native node known to take
     * the job's probe (its pipelined connection is open) and has an idle channel; else null (the
     * round then goes over the pipelined connections: {@link CallerProbes#borrow}).
     */
    private List<ProbeChannel> channelsFor(Job job, List<Node> asked) {
        if (!CALLER_PROBES) {
            return null;
        }
        for (Node n : asked) {
            CompletableFuture<NodeConnection> c = connections.get(n.id());
            if (c == null || probeAddress(n) == null || !c.isDone() || c.isCompletedExceptionally()
                    || !(c.join() instanceof NativeConnection nc) || !nc.isOpen()
                    || (job.source() != null && !nc.compilesSources())) {
                return null;
            }
        }
        return callerProbes.borrow(asked);
    }

    /** Where {@code n}'s probe channels connect: its TCP address (a warm-up's too), or null (an in-VM one). */
    private java.net.InetSocketAddress probeAddress(Node n) {
        if (options.tls()) {
            return null; // the caller's plain probe channels speak no TLS: TLS probes stay on the node's connection
        }
        TcpHost h = hosts.get(n.id());
        if (addresses == null) {
            return java.net.InetSocketAddress.createUnresolved(h.host(), h.port());
        }
        return addresses.apply(h) instanceof java.net.InetSocketAddress a ? a : null;
    }

    /** Probe rounds written and read by their caller so far (the rest went through the event loop). */
    long callerRounds() {
        return callerProbes.rounds();
    }

    /** Idle probe channels to {@code node} ({@code host:port}) now: for tests. */
    int idleProbeChannels(String node) {
        return callerProbes.idle(node);
    }

    /** A probe's failure: unless it is a refusal that says nothing of the node, the node is backed off. */
    private void probeFailed(Node node, Throwable e,
            java.util.concurrent.atomic.AtomicReference<FarmException.Reason> failed) {
        Throwable cause = unwrap(e);
        if (!(cause instanceof NodeClient.NodeException ne && !nodeAtFault(ne.code()))) {
            failed.set(reasonOf(failureOf(cause)));
            health.failed(node, failureOf(cause));
            dropConnection(node, "node " + node.id() + " failed a probe (" + cause + ")");
            LOG.warning("node " + node.id() + " failed a probe, backed off: " + cause);
        }
    }

    /**
     * @param failed set to why the node failed, when it does (what a job left with no node fails with)
     * @param missed gets the node's id when its cache answered that it has no entry
     */
    private CompletableFuture<Result> probeOne(Job job, Node node,
            java.util.concurrent.atomic.AtomicReference<FarmException.Reason> failed, Set<String> missed,
            JobTimes times) {
        CompletableFuture<Result> p = connection(node).thenCompose(client -> {
            Source s = job.source();
            if (!client.hasCache() || (s != null && !client.compilesSources())) {
                return CompletableFuture.completedFuture(null);
            }
            long sent = System.nanoTime();
            return (s == null ? client.probe(job.key(), job.compiler())
                    : client.probeSource(job.key(), job.compiler(), s.path(), s.cwd()))
                    .thenApply(e -> {
                        if (e == null) {
                            missed.add(node.id());
                            return null;
                        }
                        times.hit(sent);
                        return new Result(e, node.id(), true);
                    });
        });
        return p.orTimeout(PROBE_LIMIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS).handle((r, e) -> {
            if (e != null) {
                probeFailed(node, e, failed);
            }
            return e == null ? r : null;
        });
    }

    /**
     * @param unable the nodes tried that cannot take this kind of job at all
     * @param last why the last node tried (or probed) did not answer: what the job fails with when
     *     no node is left; {@code NO_HEALTHY_NODE} when none failed for this job
     * @param missed the nodes whose caches said, just before, that they lack the key
     */
    private void attempt(Job job, Set<String> tried, Set<String> unable, FarmException.Reason last,
            JobListener listener, CompletableFuture<Result> out, Set<String> missed, JobTimes times) {
        List<Node> candidates = new ArrayList<>();
        for (Node n : health.healthy(nodes)) {
            if (!tried.contains(n.id())) {
                candidates.add(n);
            }
        }
        if (candidates.isEmpty() || tried.size() >= MAX_ATTEMPTS) {
            out.completeExceptionally(!unable.isEmpty() && unable.size() == tried.size()
                    ? new FarmException("no node takes this job (" + String.join("; ", unable) + ")", true)
                    : tried.isEmpty() ? new FarmException("every node is backed off", last)
                    : new FarmException("no node answered (tried " + String.join(", ", tried) + ")", last));
            return;
        }
        listener.phase(JobListener.Phase.BLOCKED, null);
        CompletableFuture<Slot> waiting = slots.acquire(Rendezvous.rank(job.key(), candidates));
        // A slot granted at once on a node whose cache just missed: asking it again would only
        // cost a round trip (its compile looks the key up again anyway before it runs).
        boolean fresh = waiting.isDone();
        out.whenComplete((r, e) -> waiting.cancel(false)); // a no-op once the slot came
        waiting.whenComplete((slot, e) -> {
            if (e != null) {
                if (!out.isDone()) {
                    out.completeExceptionally(e);
                }
                return;
            }
            if (out.isDone()) {
                slot.release();
                return;
            }
            Node node = slot.node();
            times.slot = System.nanoTime();
            times.node = node.id();
            listener.phase(JobListener.Phase.COMPILE, node.id());
            run(job, node, !(fresh && missed.contains(node.id()))).whenComplete((result, err) -> {
                slot.release();
                if (err == null) {
                    health.succeeded(node);
                    out.complete(result);
                    return;
                }
                Throwable cause = unwrap(err);
                FarmException.Reason why;
                if (cause instanceof Unsupported u) {
                    why = FarmException.Reason.UNSUPPORTED;
                    LOG.fine(() -> node.id() + " cannot take the job: " + u.getMessage());
                    unable.add(node.id() + ": " + u.getMessage());
                } else if (cause instanceof NodeClient.NodeException ne && !nodeAtFault(ne.code())) {
                    why = FarmException.Reason.REFUSED;
                    if (ne.code() == ErrorCode.FORBIDDEN_ARGUMENT || ne.code() == ErrorCode.TOO_LARGE) {
                        out.completeExceptionally(new FarmException(node.id() + " refused the job: " + ne.getMessage(),
                                FarmException.Reason.REFUSED));
                        return; // every node would: it is the job, not the node
                    }
                    LOG.fine(() -> node.id() + " cannot take the job: " + ne.getMessage());
                } else {
                    Failure f = failureOf(cause);
                    why = reasonOf(f);
                    health.failed(node, f);
                    dropConnection(node, "node " + node.id() + " failed a job (" + cause + ")");
                    distccd.remove(node.id());
                    LOG.warning("node " + node.id() + " failed, backed off: " + cause);
                }
                tried.add(node.id());
                attempt(job, tried, unable, why, listener, out, missed, times);
            });
        });
    }

    /** Whether a refusal says something about the node's state rather than about the job. */
    private static boolean nodeAtFault(ErrorCode code) {
        return switch (code) {
            case COMPILER_NOT_ALLOWED, COMPILER_MISMATCH, COMPILER_MISSING, FORBIDDEN_ARGUMENT, TOO_LARGE,
                    BAD_LANGUAGE -> false;
            default -> true;
        };
    }

    private static FarmException.Reason reasonOf(Failure f) {
        return switch (f) {
            case CONNECT -> FarmException.Reason.UNREACHABLE;
            case TIMEOUT -> FarmException.Reason.TIMEOUT;
            default -> FarmException.Reason.PROTOCOL_ERROR;
        };
    }

    /** What {@code t} says of the node; the client wraps a refused connection, so its causes count. */
    private static Failure failureOf(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof TimeoutException || c instanceof NodeClient.NodeSilentException) {
                return Failure.TIMEOUT;
            }
            if (c instanceof java.net.ConnectException || c instanceof FarmException) {
                return Failure.CONNECT;
            }
        }
        return Failure.PROTOCOL;
    }

    /**
     * The job on the node that holds its slot. With {@code reprobe}, its key is probed there once
     * more before the upload: an identical job (another daemon's) may have finished there while
     * this one waited for the slot, and the probe costs one round trip where the upload costs the
     * input. (One still running there is joined by the node's in-flight table: compiled once
     * either way.)
     */
    private CompletableFuture<Result> run(Job job, Node node, boolean reprobe) {
        if (job.source() != null) {
            return connection(node).thenCompose(client -> runSource(job, node, client, reprobe));
        }
        return connection(node).thenCompose(client -> (reprobe && client.hasCache()
                ? client.probe(job.key(), job.compiler())
                : CompletableFuture.<CacheEntry>completedFuture(null))
                .thenCompose(hit -> hit != null
                        ? CompletableFuture.completedFuture(new Result(hit, node.id(), true))
                        : client.compile(job.key(), job.compiler(), job.language(), job.args(), job.input())
                                .thenApply(e -> new Result(e, node.id(), false))));
    }

    /** A source job: probed under its own key, compiled with COMPILE_SOURCE; only version 2 nodes take it. */
    private static CompletableFuture<Result> runSource(Job job, Node node, NodeConnection client, boolean reprobe) {
        if (!client.compilesSources()) {
            return CompletableFuture.failedFuture(new Unsupported("speaks " + client.protocol()
                    + ", source compiles need native " + cache.node.protocol.NodeProtocol.SOURCE_VERSION));
        }
        Source s = job.source();
        return (reprobe ? client.probeSource(job.key(), job.compiler(), s.path(), s.cwd())
                : CompletableFuture.<CacheEntry>completedFuture(null))
                .thenCompose(hit -> hit != null
                        ? CompletableFuture.completedFuture(new Result(hit, node.id(), true))
                        : client.compileSource(job.key(), job.compiler(), job.language(), job.args(), s.path(),
                                s.cwd(), job.input()).thenApply(e -> new Result(e, node.id(), false)));
    }

    /**
     * The node's connection: a distccd's when the host is known to be one, else our native one,
     * and when that fails, a distccd's if the host behaves as one ({@link NodeKind}).
     */
    private CompletableFuture<NodeConnection> connection(Node node) {
        return connections.compute(node.id(), (id, known) -> {
            if (known != null && (!known.isDone() || (!known.isCompletedExceptionally() && known.join().isOpen()))) {
                return known;
            }
            if (known != null && known.isDone() && !known.isCompletedExceptionally()) {
                known.join().close();
            }
            TcpHost h = hosts.get(id);
            if (distccd.contains(id)) {
                return CompletableFuture.completedFuture(distcc(h));
            }
            NodeClient.Options o = new NodeClient.Options().connectTimeout(options.connectTimeout())
                    .requestTimeout(options.requestTimeout()).clientName("cache distributor").eventLoop(loop);
            if (options.authSecret() != null) {
                o.authSecret(options.authSecret());
            }
            if (options.tls()) {
                o.tls(options.trustCert());
            }
            return CompletableFuture.supplyAsync(() -> {
                try {
                    NativeConnection nc = new NativeConnection(addresses != null
                            ? NodeClient.connect(addresses.apply(h), o) : NodeClient.connect(h.host(), h.port(), o), id);
                    if (CALLER_PROBES && probeAddress(node) != null) {
                        callerProbes.prime(node); // its first probe channel, so that its next round needs no hand-off
                    }
                    return nc;
                } catch (IOException e) {
                    if (addresses == null && NodeKind.isDistccd(h.host(), h.port(), options.connectTimeout())) {
                        distccd.add(id);
                        LOG.info(() -> id + " does not speak our protocol and closes like a distccd: using distcc's"
                                + " protocol version " + (h.options().lzo() ? 2 : 1));
                        return distcc(h);
                    }
                    throw new CompletionException(e);
                }
            }, connector);
        });
    }

    private NodeConnection distcc(TcpHost h) {
        return new DistccConnection(h, options.connectTimeout(), options.requestTimeout(), connector);
    }

    private void dropConnection(Node node) {
        dropConnection(node, "the farm is closing");
    }

    /** Closes the node's connection; requests still pending on it fail with {@code why}, as their log says. */
    private void dropConnection(Node node, String why) {
        callerProbes.drop(node.id());
        CompletableFuture<NodeConnection> c = connections.remove(node.id());
        if (c != null && c.isDone() && !c.isCompletedExceptionally()) {
            c.join().abort(new IOException("connection dropped: " + why));
        }
    }

    /** When a job passed its phases, for the FINE log line that says where its time went. */
    private static final class JobTimes {
        final long submitted;
        volatile long probed;
        /** How long telling the listener of the probe phase took (while the probes travel). */
        volatile long told;
        /** A hit's probe: when it was handed to its connection and when its entry was back and verified. */
        private long hitSent;
        private long hitAnswered;
        volatile long slot;
        volatile String node;
        /** The key's ranking when the job was submitted, to say which of its nodes answered. */
        volatile List<Node> ranking = List.of();

        JobTimes(long submitted) {
            this.submitted = submitted;
        }

        /** The first hit's probe, sent at {@code sent}, is back and verified now. */
        synchronized void hit(long sent) {
            if (hitAnswered == 0) {
                hitSent = sent;
                hitAnswered = System.nanoTime();
            }
        }

        /**
         * Where a node hit's time went: until its probe was handed to the connection (a first
         * round's at once; a third node's after the first round), the round trip (encode,
         * loopback, the node, decode and checksum here), and from there to the job's end (waking
         * its waiter, the listener's last call); and, overlapping the round trip, how long
         * telling the listener of the probe phase took.
         */
        private synchronized String hitPhases(long done) {
            if (hitAnswered == 0) {
                return "";
            }
            return String.format(java.util.Locale.ROOT, " [hit: sent %.2f, round trip %.2f, after %.2f ms; told %.2f ms]",
                    (hitSent - submitted) / 1e6, (hitAnswered - hitSent) / 1e6, (done - hitAnswered) / 1e6,
                    told / 1e6);
        }

        /** {@code node}'s place in the key's ranking, from 1; 0 when it was not in it. */
        int rank(String node) {
            List<Node> r = ranking;
            for (int i = 0; i < r.size(); i++) {
                if (r.get(i).id().equals(node)) {
                    return i + 1;
                }
            }
            return 0;
        }

        String describe(Digest key, Result r, Throwable e) {
            long done = System.nanoTime();
            long p = probed == 0 ? done : probed;
            long s = slot == 0 ? p : slot;
            return String.format(java.util.Locale.ROOT,
                    "job %s: probe %.1f ms, slot wait %.1f ms, on %s %.1f ms, total %.1f ms: %s",
                    key.hex().substring(0, 12), (p - submitted) / 1e6, (s - p) / 1e6, node == null ? "-" : node,
                    (done - s) / 1e6, (done - submitted) / 1e6,
                    e != null ? "failed (" + unwrap(e) + ")" : (r.nodeHit() ? "node hit on " : "compiled on ")
                            + r.node() + " (#" + rank(r.node()) + " of the key's ranking)"
                            + (e == null && r.nodeHit() ? hitPhases(done) : ""));
        }
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    @Override
    public void close() {
        for (String id : List.copyOf(connections.keySet())) {
            dropConnection(new Node(id, 1));
        }
        callerProbes.close();
        connector.shutdownNow();
        loop.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
    }
}
