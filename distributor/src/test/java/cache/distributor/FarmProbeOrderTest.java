package cache.distributor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.distributor.hosts.HostList;
import cache.distributor.monitor.FarmJobs;
import cache.distributor.route.Node;
import cache.distributor.route.Rendezvous;
import cache.hashing.Digest;
import cache.node.CachedNode;
import cache.node.NodeConfig;
import cache.node.protocol.NodeProtocol.CompilerSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The farm's round trips per job, counted by three real in-process {@code cached} nodes on
 * 127.0.0.2–4 compiling with the real gcc: a miss is probed once on each of the first
 * {@value Farm#PROBED} nodes of its key's ranking; a miss whose slot comes at once is uploaded
 * without probing its node a second time; a later identical job (a new farm, as a new daemon) is
 * a node hit answered by the node that compiled it, with no compile anywhere, and by one round of
 * {@link Farm#firstRound} probes (all three nodes with gcc's spec: 177 bytes); a result held by the
 * second node of the ranking only (a spilled job's) is found there in that same round, and answers
 * the job while the owner's answer is still held back (any verified hit is as good as the
 * owner's); a key no node holds is compiled; one held by the third only is found there in the
 * first round too, while the first two nodes' answers are held back. On the caller's path (probe channels open): a hit is written and
 * read by the submitting thread; a hung owner holds up no other node's hit and is still backed off
 * once its probe limit passes; a hung node alone is a timed-out miss and backed off.
 */
@Timeout(120)
class FarmProbeOrderTest {

    private static final List<String> ADDRESSES = List.of("127.0.0.2", "127.0.0.3", "127.0.0.4");

    @TempDir
    Path tmp;

    private final Map<String, CachedNode> nodes = new LinkedHashMap<>();
    private CompilerSpec gcc;

    @BeforeEach
    void startNodes() throws Exception {
        gcc = new CompilerSpec("gcc", run("gcc", "-dumpfullversion"), run("gcc", "-dumpmachine"));
        for (String address : ADDRESSES) {
            Path dir = Files.createDirectories(tmp.resolve(address));
            Path whitelist = Files.createDirectories(dir.resolve("whitelist"));
            Files.createSymbolicLink(whitelist.resolve("gcc"), Path.of("../../bin/distcc"));
            NodeConfig config = new NodeConfig().listen(address).port(0).jobs(2).nice(0)
                    .cacheDir(dir.resolve("store")).whitelist(whitelist)
                    .tmpDir(Files.createDirectories(dir.resolve("tmp"))).nodeName("node-" + address);
            CachedNode node = CachedNode.start(config);
            nodes.put(address + ":" + node.address().getPort(), node);
        }
    }

    @AfterEach
    void stopNodes() {
        nodes.values().forEach(CachedNode::close);
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try (InputStream in = p.getInputStream()) {
            String out = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", cmd) + ": " + out);
            return out;
        }
    }

    private Farm farm() {
        return farm(List.copyOf(nodes.keySet()));
    }

    private static Farm farm(List<String> ids) {
        String hosts = ids.stream().map(id -> id + "/2").collect(Collectors.joining(" "));
        return new Farm(HostList.parse(hosts, "test"), Farm.Options.defaults());
    }

    /** The key's ranking over all three nodes, as the farm ranks them ({@code host:port}, 2 slots each). */
    private List<String> ranking(Digest key) {
        return Rendezvous.rank(key, nodes.keySet().stream().map(id -> new Node(id, 2)).toList()).stream()
                .map(Node::id).toList();
    }

    private Farm.Job job() throws Exception {
        return job("int twice(int x) { return 2 * x; }\n");
    }

    private Farm.Job job(String source) throws Exception {
        Path c = tmp.resolve("t.c");
        Files.writeString(c, source);
        byte[] preprocessed = run("gcc", "-E", c.toString()).getBytes(StandardCharsets.UTF_8);
        return new Farm.Job(Digest.of(preprocessed), gcc, "cpp-output", List.of("-O2"), preprocessed);
    }

    private Map<String, Long> counter(String name) {
        Map<String, Long> m = new LinkedHashMap<>();
        nodes.forEach((id, n) -> m.put(id, n.stats().snapshot().get(name)));
        return m;
    }

    private static long sum(Map<String, Long> m) {
        return m.values().stream().mapToLong(Long::longValue).sum();
    }

    @Test
    void aMissIsProbedOnceOnEachOfTheFirstNodesAndUploadedWithoutASecondProbe() throws Exception {
        Farm.Job job = job();
        Farm.Result r;
        try (Farm farm = farm()) {
            r = farm.submit(job).get(60, TimeUnit.SECONDS);
        }
        assertEquals(0, r.entry().exitCode());
        assertFalse(r.nodeHit());
        Map<String, Long> probes = counter("probes");
        Map<String, Long> compiles = counter("compiles_ok");
        assertEquals(1, sum(compiles), "one compile on the farm: " + compiles);
        assertEquals(1, compiles.get(r.node()), "compiled where the result says: " + r.node() + " " + compiles);
        assertEquals(Farm.PROBED, sum(probes), "each of the first nodes probed once, none twice: " + probes);
        assertEquals(1, probes.get(r.node()), "the compiling node was not probed again before the upload: " + probes);
    }

    @Test
    void anIdenticalJobFromANewFarmIsANodeHitOnTheNodeThatCompiledItWithoutACompile() throws Exception {
        Farm.Job job = job();
        String compiledOn;
        List<JobListener.Phase> compiledPhases = new CopyOnWriteArrayList<>();
        FarmJobs table = new FarmJobs();
        JobListener tracked = table.track(1, "t.c");
        try (Farm first = farm()) {
            compiledOn = first.submit(job, (phase, node) -> {
                compiledPhases.add(phase);
                tracked.phase(phase, node);
            }).get(60, TimeUnit.SECONDS).node();
        }
        Farm.Result again;
        List<JobListener.Phase> hitPhases = new CopyOnWriteArrayList<>();
        JobListener trackedHit = table.track(2, "t.c");
        try (Farm second = farm()) {
            again = second.submit(job, (phase, node) -> {
                hitPhases.add(phase);
                trackedHit.phase(phase, node);
            }).get(60, TimeUnit.SECONDS);
        }
        // The listener is told of the probe while the probes travel, yet hears every phase in order.
        assertEquals(List.of(JobListener.Phase.PROBE, JobListener.Phase.BLOCKED, JobListener.Phase.COMPILE,
                JobListener.Phase.DONE), compiledPhases);
        assertEquals(List.of(JobListener.Phase.PROBE, JobListener.Phase.DONE), hitPhases);
        assertEquals(List.of(), table.snapshot(), "no job left in the monitors' table");
        assertNotNull(again.entry());
        assertTrue(again.nodeHit(), "answered from a node's cache");
        assertEquals(compiledOn, again.node(), "by the key's owner, which compiled it");
        assertEquals(1, sum(counter("compiles_ok")), "no second compile: " + counter("compiles_ok"));
        assertEquals(1, sum(counter("node_hits")), counter("node_hits").toString());
    }

    @Test
    void aHitOnTheOwnerIsAnsweredByOneRoundOfProbesAskingEveryNodeOnce() throws Exception {
        Farm.Job job = job();
        assertEquals(Farm.PROBED, Farm.firstRound(job), "gcc's probes fit 200 bytes three times: one round for all");
        List<String> ranking = ranking(job.key());
        try (Farm first = farm()) {
            assertEquals(ranking.get(0), first.submit(job).get(60, TimeUnit.SECONDS).node(), "compiled on the owner");
        }
        Map<String, Long> before = counter("probes");
        Farm.Result again;
        try (Farm second = farm()) {
            again = second.submit(job).get(60, TimeUnit.SECONDS);
            // The owner's hit answers the job without waiting for the other nodes, whose probes may
            // still be on their way (their connections opening): with the farm still open (a closed
            // farm drops what it has not sent), wait, bounded, until they have counted them.
            for (String id : ranking) {
                awaitProbe(id, before.get(id));
            }
        }
        assertTrue(again.nodeHit());
        assertEquals(ranking.get(0), again.node());
        Map<String, Long> after = counter("probes");
        for (String id : nodes.keySet()) {
            assertEquals(before.get(id) + 1, after.get(id),
                    "every node probed once, in one round: before " + before + ", after " + after);
        }
    }

    @Test
    void aResultOnlyTheSecondNodeOfTheRankingHoldsIsFoundInOneRoundOfProbes() throws Exception {
        Farm.Job job = job();
        // Every node behind a proxy of its own, so that the owner's answers can be held back.
        Map<String, Proxy> proxies = proxyEach();
        try {
            List<String> ranking = compiledOnlyOnRank(job, proxies, 1); // as if the owner's slots had been full
            String spilledTo = proxies.get(ranking.get(1)).target();
            Map<String, Long> before = counter("probes");
            // The owner's answers (its handshake included) wait until the second node has been
            // probed: asking the second only after the owner's miss would never release them
            // (the proxy gives up after a bound, and the farm then goes on the old way).
            Proxy owner = proxies.get(ranking.get(0));
            owner.holdUntil(() -> counter("probes").get(spilledTo) > before.get(spilledTo));
            Farm.Result r;
            String ownerNode = owner.target();
            try (Farm all = farm(ranking)) {
                r = all.submit(job).get(60, TimeUnit.SECONDS);
                // The second node's hit may answer before the owner's probe is even sent (its
                // connection was held): with the farm still open, wait, bounded, until it is counted.
                awaitProbe(ownerNode, before.get(ownerNode));
                awaitProbe(proxies.get(ranking.get(2)).target(), before.get(proxies.get(ranking.get(2)).target()));
            }
            assertTrue(owner.releasedByCondition(),
                    "the second node was probed while the owner's answer was still held back: one round");
            assertTrue(r.nodeHit(), "found in the second node's cache");
            assertEquals(ranking.get(1), r.node());
            assertEquals(1, sum(counter("compiles_ok")), "no second compile: " + counter("compiles_ok"));
            Map<String, Long> after = counter("probes");
            String third = proxies.get(ranking.get(2)).target();
            assertEquals(before.get(ownerNode) + 1, after.get(ownerNode), "the owner asked once");
            assertEquals(before.get(spilledTo) + 1, after.get(spilledTo), "the next node asked once");
            assertEquals(before.get(third) + 1, after.get(third), "the third node asked once, in the same round");
        } finally {
            proxies.values().forEach(Proxy::close);
        }
    }

    @Test
    void aHitHeldOnlyByTheSecondNodeIsAnsweredWhileTheOwnersProbeIsPendingAndAMissOnAllIsCompiled()
            throws Exception {
        Farm.Job spilled = job();
        Map<String, Proxy> proxies = proxyEach();
        try {
            List<String> ranking = compiledOnlyOnRank(spilled, proxies, 1); // as if the owner's slots had been full
            try (Farm all = farm(ranking)) {
                // A key no node holds: every probe misses and the job is compiled (which also opens
                // the farm's connection to every node, so that below only a probe's answer is held).
                Map<String, Long> compiledBefore = counter("compiles_ok");
                Farm.Result fresh = all.submit(job("int thrice(int x) { return 3 * x; }\n")).get(60, TimeUnit.SECONDS);
                assertFalse(fresh.nodeHit(), "a miss on every node is compiled, not answered from a cache");
                assertEquals(0, fresh.entry().exitCode());
                assertEquals(sum(compiledBefore) + 1, sum(counter("compiles_ok")), "compiled once on the farm");

                Proxy owner = proxies.get(ranking.get(0));
                Map<String, Long> before = counter("probes");
                java.util.concurrent.CompletableFuture<Farm.Result> answer = new java.util.concurrent.CompletableFuture<>();
                owner.holdUntil(answer::isDone); // the owner answers only once the job is answered
                completes(all.submit(spilled), answer);
                Farm.Result r = answer.get(60, TimeUnit.SECONDS);
                assertTrue(owner.releasedByCondition(),
                        "answered while the owner's probe answer was still held back (not after the proxy's "
                                + Proxy.HOLD_LIMIT_MS + " ms bound)");
                assertTrue(r.nodeHit(), "found in the second node's cache");
                assertEquals(ranking.get(1), r.node());
                awaitProbe(owner.target(), before.get(owner.target()));
                assertEquals(before.get(owner.target()) + 1, counter("probes").get(owner.target()),
                        "the owner was asked (its answer was what was pending)");
            }
            assertEquals(2, sum(counter("compiles_ok")), "nothing compiled for the hit: " + counter("compiles_ok"));
        } finally {
            proxies.values().forEach(Proxy::close);
        }
    }

    /** Completes {@code answer} as {@code job} completes: a future a proxy's condition can name before the job exists. */
    private static void completes(java.util.concurrent.CompletableFuture<Farm.Result> job,
            java.util.concurrent.CompletableFuture<Farm.Result> answer) {
        job.whenComplete((r, e) -> {
            if (e != null) {
                answer.completeExceptionally(e);
            } else {
                answer.complete(r);
            }
        });
    }

    /** A proxy in front of every node, by its own {@code host:port}; the caller closes them. */
    private Map<String, Proxy> proxyEach() throws IOException {
        Map<String, Proxy> proxies = new LinkedHashMap<>();
        for (CachedNode n : nodes.values()) {
            Proxy p = new Proxy(n.address());
            proxies.put(p.id(), p);
        }
        return proxies;
    }

    /** The key's ranking over the proxies, as a farm of them ranks it. */
    private static List<String> rankingOver(Map<String, Proxy> proxies, Digest key) {
        return Rendezvous.rank(key, proxies.keySet().stream().map(id -> new Node(id, 2)).toList()).stream()
                .map(Node::id).toList();
    }

    /**
     * Compiles {@code job} on the node behind the proxy at {@code index} of the key's ranking over
     * the proxies, alone; that ranking.
     */
    private List<String> compiledOnlyOnRank(Farm.Job job, Map<String, Proxy> proxies, int index) throws Exception {
        List<String> ranking = rankingOver(proxies, job.key());
        compiledOnlyOn(job, proxies.get(ranking.get(index)).target());
        return ranking;
    }

    /** Compiles {@code job} on {@code node} alone (a farm of that node only), so that only it holds the result. */
    private void compiledOnlyOn(Farm.Job job, String node) throws Exception {
        try (Farm alone = farm(List.of(node))) {
            assertEquals(node, alone.submit(job).get(60, TimeUnit.SECONDS).node());
        }
    }

    /** Waits, bounded, until {@code node} has counted more probes than {@code before}. */
    private void awaitProbe(String node, long before) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (counter("probes").get(node) <= before && System.nanoTime() < end) {
            Thread.sleep(10);
        }
    }

    @Test
    void aResultOnlyTheThirdNodeHoldsIsFoundInTheFirstRoundWhileTheFirstTwoAreHeldBack() throws Exception {
        Farm.Job job = job();
        Map<String, Proxy> proxies = proxyEach();
        try {
            List<String> ranking = compiledOnlyOnRank(job, proxies, 2); // as if the first two had been full
            Map<String, Long> before = counter("probes");
            // The first two nodes' answers (their handshakes included) wait until the job is
            // answered: asking the third only after both missed would never release them.
            java.util.concurrent.CompletableFuture<Farm.Result> answer = new java.util.concurrent.CompletableFuture<>();
            Proxy owner = proxies.get(ranking.get(0));
            Proxy next = proxies.get(ranking.get(1));
            owner.holdUntil(answer::isDone);
            next.holdUntil(answer::isDone);
            try (Farm all = farm(ranking)) {
                completes(all.submit(job), answer);
                Farm.Result r = answer.get(60, TimeUnit.SECONDS);
                assertTrue(owner.releasedByCondition() && next.releasedByCondition(),
                        "answered while the first two nodes' answers were held back: one round");
                assertTrue(r.nodeHit(), "found in the third node's cache");
                assertEquals(ranking.get(2), r.node());
                for (String id : ranking) {
                    awaitProbe(proxies.get(id).target(), before.get(proxies.get(id).target()));
                }
            }
            assertEquals(1, sum(counter("compiles_ok")), "no second compile: " + counter("compiles_ok"));
            Map<String, Long> after = counter("probes");
            for (String id : nodes.keySet()) {
                assertEquals(before.get(id) + 1, after.get(id), "each node asked once: " + before + " " + after);
            }
        } finally {
            proxies.values().forEach(Proxy::close);
        }
    }

    /**
     * Submits {@code job} (a node hit) until the farm has an idle probe channel to each node of
     * {@code firstRound} (they are opened in the background after a probe found none), so that its
     * next job is probed on the submitting thread. Bounded by a count.
     */
    private static void warm(Farm farm, Farm.Job job, List<String> firstRound) throws Exception {
        for (int i = 0; i < 200; i++) {
            assertTrue(farm.submit(job).get(60, TimeUnit.SECONDS).nodeHit());
            if (firstRound.stream().allMatch(id -> farm.idleProbeChannels(id) > 0)) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no probe channel opened to " + firstRound);
    }

    /** Whether the job's future was complete when submit returned, its last phase told on this thread. */
    private static boolean answeredOnTheCaller(Farm farm, Farm.Job job) throws Exception {
        List<Thread> doneOn = new CopyOnWriteArrayList<>();
        java.util.concurrent.CompletableFuture<Farm.Result> f = farm.submit(job, (phase, node) -> {
            if (phase == JobListener.Phase.DONE) {
                doneOn.add(Thread.currentThread());
            }
        });
        boolean done = f.isDone();
        assertTrue(f.get(60, TimeUnit.SECONDS).nodeHit());
        return done && doneOn.equals(List.of(Thread.currentThread()));
    }

    @Test
    void aNodeHitOnIdleProbeChannelsIsAnsweredOnTheSubmittingThread() throws Exception {
        Farm.Job job = job();
        try (Farm farm = farm()) {
            farm.submit(job).get(60, TimeUnit.SECONDS); // compiled on the owner
            List<String> firstRound = ranking(job.key()).subList(0, Farm.firstRound(job));
            warm(farm, job, firstRound);
            for (int i = 0; i < 20; i++) {
                // A node whose answer came after the hit is read in the background: wait (bounded) until
                // its channel is back, so that each hit finds an idle channel on every node it asks.
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (firstRound.stream().anyMatch(id -> farm.idleProbeChannels(id) == 0) && System.nanoTime() < end) {
                    Thread.sleep(5);
                }
                assertTrue(answeredOnTheCaller(farm, job), "hit " + i + " written and read by the caller");
            }
        }
        assertEquals(1, sum(counter("compiles_ok")), "compiled once: " + counter("compiles_ok"));
    }

    @Test
    void aHungOwnerHoldsUpNoHitOfTheNextNodeOnTheCallersPathAndIsStillBackedOff() throws Exception {
        Farm.Job spilled = job();
        Map<String, Proxy> proxies = proxyEach();
        try {
            List<String> ranking = compiledOnlyOnRank(spilled, proxies, 1); // as if the owner's slots had been full
            try (Farm all = farm(ranking)) {
                warm(all, spilled, ranking.subList(0, Farm.firstRound(spilled)));
                Proxy owner = proxies.get(ranking.get(0));
                owner.holdUntil(() -> false, Proxy.SILENCE_MS); // the owner hangs past the probe limit
                Farm.Result r = all.submit(spilled).get(60, TimeUnit.SECONDS);
                assertTrue(r.nodeHit());
                assertEquals(ranking.get(1), r.node(), "the next node's hit answered");
                assertTrue(all.nodeHealth().get(ranking.get(0)),
                        "answered before the owner's probe limit passed (its answer was not waited for first)");
                long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Proxy.SILENCE_MS);
                while (all.nodeHealth().get(ranking.get(0)) && System.nanoTime() < end) {
                    Thread.sleep(20);
                }
                assertFalse(all.nodeHealth().get(ranking.get(0)), "the hung owner backed off once its probe timed out");
                assertFalse(owner.releasedByCondition());
            }
        } finally {
            proxies.values().forEach(Proxy::close);
        }
    }

    @Test
    void aHungNodeOnTheCallersPathIsAMissAndBackedOff() throws Exception {
        Farm.Job job = job();
        Map<String, Proxy> proxies = proxyEach();
        try {
            String only = proxies.keySet().iterator().next();
            try (Farm alone = farm(List.of(only))) {
                alone.submit(job).get(60, TimeUnit.SECONDS); // compiled there
                warm(alone, job, List.of(only));
                proxies.get(only).holdUntil(() -> false, Proxy.SILENCE_MS);
                java.util.concurrent.ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
                        java.util.concurrent.ExecutionException.class, () -> alone.submit(job).get(60, TimeUnit.SECONDS));
                FarmException f = org.junit.jupiter.api.Assertions.assertInstanceOf(FarmException.class, e.getCause());
                assertEquals(FarmException.Reason.TIMEOUT, f.reason(), f.getMessage());
                assertFalse(alone.nodeHealth().get(only), "backed off");
            }
        } finally {
            proxies.values().forEach(Proxy::close);
        }
    }

    /**
     * A TCP forwarder on the node's address (another port) that can hold the node's answers back
     * until a condition holds (polled; at most {@link #HOLD_LIMIT_MS}, below the farm's connect
     * timeout, then it lets them through anyway and says so).
     */
    private static final class Proxy implements AutoCloseable {
        static final long HOLD_LIMIT_MS = 4_000;
        /** Longer than the farm's probe limit: a node held this long is a hung node to the farm. */
        static final long SILENCE_MS = Farm.PROBE_LIMIT.toMillis() + 3_000;
        private final InetSocketAddress node;
        private final ServerSocket server;
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();
        private final AtomicBoolean byCondition = new AtomicBoolean();
        /** While not null and not counted down, the node's answers wait (on every connection, open or not yet). */
        private volatile CountDownLatch gate;
        private volatile Thread holder;

        Proxy(InetSocketAddress node) throws IOException {
            this.node = node;
            this.server = new ServerSocket(0, 50, node.getAddress());
            Thread t = new Thread(this::accept, "proxy-" + id());
            t.setDaemon(true);
            t.start();
        }

        String id() {
            return node.getAddress().getHostAddress() + ":" + server.getLocalPort();
        }

        String target() {
            return node.getAddress().getHostAddress() + ":" + node.getPort();
        }

        void holdUntil(BooleanSupplier condition) {
            holdUntil(condition, HOLD_LIMIT_MS);
        }

        /** {@link #holdUntil(BooleanSupplier)} for at most {@code limitMs}. */
        void holdUntil(BooleanSupplier condition, long limitMs) {
            CountDownLatch released = new CountDownLatch(1);
            gate = released;
            Thread t = new Thread(() -> {
                long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(limitMs);
                while (System.nanoTime() < end) {
                    if (condition.getAsBoolean()) {
                        byCondition.set(true);
                        break;
                    }
                    try {
                        Thread.sleep(2);
                    } catch (InterruptedException e) {
                        break;
                    }
                }
                released.countDown();
            }, "proxy-hold");
            t.setDaemon(true);
            holder = t;
            t.start();
        }

        /** Whether the answers were let through because the condition held; waits (bounded) for that decision. */
        boolean releasedByCondition() throws InterruptedException {
            Thread t = holder;
            if (t != null) {
                t.join(SILENCE_MS + 1_000);
            }
            return byCondition.get();
        }

        private void accept() {
            try {
                while (true) {
                    Socket client = server.accept();
                    Socket upstream = new Socket(node.getAddress(), node.getPort());
                    client.setTcpNoDelay(true);
                    upstream.setTcpNoDelay(true);
                    sockets.add(client);
                    sockets.add(upstream);
                    pump(client, upstream, false);
                    pump(upstream, client, true);
                }
            } catch (IOException closed) {
                // the test is over
            }
        }

        /** Copies {@code from} to {@code to}; with {@code hold}, each read waits while the {@link #gate} is closed. */
        private void pump(Socket from, Socket to, boolean hold) {
            Thread t = new Thread(() -> {
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    byte[] buf = new byte[8192];
                    for (int n; (n = in.read(buf)) >= 0;) {
                        CountDownLatch g = hold ? gate : null;
                        if (g != null) {
                            g.await();
                        }
                        out.write(buf, 0, n);
                        out.flush();
                    }
                } catch (IOException | InterruptedException e) {
                    // a side closed
                } finally {
                    closeQuietly(from);
                    closeQuietly(to);
                }
            }, "proxy-pump");
            t.setDaemon(true);
            t.start();
        }

        private static void closeQuietly(Socket s) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }

        @Override
        public void close() {
            CountDownLatch g = gate;
            if (g != null) {
                g.countDown();
            }
            try {
                server.close();
            } catch (IOException ignored) {
                // closing
            }
            sockets.forEach(Proxy::closeQuietly);
        }
    }
}
