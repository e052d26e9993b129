package cache.node;

import cache.compat.args.Language;
import cache.distcc.DistccLimits;
import cache.distcc.DistccProtocolException;
import cache.distcc.DistccReply;
import cache.distcc.DistccRequest;
import cache.hashing.Digest;
import cache.hashing.KeyBuilder;
import cache.node.protocol.NodeProtocol;
import cache.node.protocol.NodeProtocol.Compile;
import cache.node.protocol.NodeProtocol.CompileSource;
import cache.node.protocol.NodeProtocol.CompilerSpec;
import cache.node.protocol.NodeProtocol.ErrorCode;
import cache.node.protocol.NodeProtocol.Message;
import cache.node.protocol.NodeProtocol.Miss;
import cache.node.protocol.NodeProtocol.Probe;
import cache.node.protocol.NodeProtocol.Result;
import cache.node.protocol.NodeProtocol.Stats;
import cache.node.protocol.NodeProtocol.StatsReply;
import cache.process.ProcessResult;
import cache.process.ProcessRunner;
import cache.store.CacheEntry;
import cache.store.CorruptEntryException;
import cache.store.EntryCodec;
import cache.store.EntryStore;
import cache.store.OutputKind;
import com.github.luben.zstd.Zstd;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * What a node does with a request, independent of the transport: probe its cache, or check,
 * queue and run a compile and remember its result.
 *
 * <p>Entries are stored under a node key derived from the client's key and the node's own
 * compiler identity (name, binary path, size, mtime, version, target), so an entry built by
 * one compiler is never served for another, even after an upgrade in place. Probes and request
 * checks run on a small lookup pool (they touch RocksDB and, once per binary, run the compiler
 * to learn its version), except a probe whose compiler is known, answered on its connection's
 * event loop ({@link #probeNow}) unless remote storage is behind the store; compiles run on
 * {@code jobs} threads, the rest wait in a queue bounded by {@code maxQueued}. Identical concurrent compiles (the same node key) run once: the
 * later requests wait for the first and get its answer.
 */
public final class NodeService implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(NodeService.class.getName());

    private final NodeConfig config;
    private final EntryStore store;
    private final CompilerResolver resolver;
    private final ArgumentPolicy policy;
    private final ProcessRunner runner;
    private final NodeStats stats;
    private final EntryCodec codec = EntryCodec.defaults();
    private final ExecutorService lookups;
    private final ThreadPoolExecutor compiles;
    /**
     * The compiles running or queued, by node key: a request for a key already here waits for
     * that compile instead of running its own, so identical concurrent misses from any number of
     * clients are compiled once on this node.
     */
    private final ConcurrentHashMap<Digest, CompletableFuture<Outcome>> inFlight = new ConcurrentHashMap<>();
    private final Path nice = Stream.of("/usr/bin/nice", "/bin/nice").map(Path::of).filter(Files::isExecutable)
            .findFirst().orElse(null);

    /** A store that keeps itself under {@code --max-size} by evicting (RocksDB); otherwise a full one stops storing. */
    private final boolean storeEvicts;

    public NodeService(NodeConfig config, EntryStore store, CompilerResolver resolver, ProcessRunner runner,
            NodeStats stats) {
        this(config, store, false, resolver, runner, stats);
    }

    public NodeService(NodeConfig config, EntryStore store, boolean storeEvicts, CompilerResolver resolver,
            ProcessRunner runner, NodeStats stats) {
        this.config = config;
        this.store = store;
        this.storeEvicts = storeEvicts;
        this.resolver = resolver;
        this.policy = new ArgumentPolicy(config.maxArgs());
        this.runner = runner;
        this.stats = stats;
        int cores = Runtime.getRuntime().availableProcessors();
        this.lookups = new ThreadPoolExecutor(Math.max(2, cores), Math.max(2, cores), 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), daemonThreads("cached-lookup"));
        this.compiles = new ThreadPoolExecutor(config.jobs(), config.jobs(), 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), reniced(daemonThreads("cached-job"), config.nice()));
    }

    public NodeStats stats() {
        return stats;
    }

    /** The languages a {@code COMPILE_SOURCE} input may be: sources, never their preprocessed forms. */
    private static final Set<String> SOURCE_LANGUAGES = Set.of("c", "c++", "objective-c", "objective-c++");

    /**
     * A COMPILE or COMPILE_SOURCE, as the node runs it.
     *
     * @param placement where a COMPILE_SOURCE input goes and what the compiler records; null for a COMPILE
     * @param storeKey the client key the result is stored under ({@link CompileSource#jobKey} for a source)
     */
    private record JobRequest(int id, CompilerSpec compiler, String language, List<String> args, int inputLength,
            byte[] zstdInput, SourcePlacement placement, Digest storeKey) {

        static JobRequest of(Compile c) {
            return new JobRequest(c.id(), c.compiler(), c.language(), c.args(), c.inputLength(), c.zstdInput(), null,
                    c.key());
        }

        static JobRequest of(CompileSource c) throws Refusal {
            if (!SOURCE_LANGUAGES.contains(c.language())) {
                throw new Refusal(ErrorCode.BAD_LANGUAGE, "language '" + CompilerResolver.printable(c.language())
                        + "' is not a source language (c, c++, objective-c, objective-c++)");
            }
            return new JobRequest(c.id(), c.compiler(), c.language(), c.args(), c.inputLength(), c.zstdInput(),
                    SourcePlacement.of(c.source(), c.cwd()), CompileSource.jobKey(c.key(), c.source(), c.cwd()));
        }
    }

    /**
     * Answers one request (PROBE, COMPILE, COMPILE_SOURCE or STATS) from {@code peer}; the future never fails:
     * a refusal or a node failure is an ERROR message for that request.
     */
    public CompletableFuture<Message> handle(Message request, String peer) {
        CompletableFuture<Message> reply = new CompletableFuture<>();
        try {
            lookups.execute(() -> {
                try {
                    if (request instanceof Probe p) {
                        reply.complete(probe(p));
                    } else if (request instanceof Compile c) {
                        compile(JobRequest.of(c), peer, reply);
                    } else if (request instanceof CompileSource c) {
                        compile(JobRequest.of(c), peer, reply);
                    } else if (request instanceof Stats s) {
                        reply.complete(new StatsReply(s.id(), stats.snapshot()));
                    } else {
                        reply.complete(refuse(request.id(), new Refusal(ErrorCode.BAD_FRAME,
                                "not a request: " + request.getClass().getSimpleName()), peer));
                    }
                } catch (Refusal r) {
                    reply.complete(refuse(request.id(), r, peer));
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "request from " + peer + " failed", e);
                    reply.complete(refuse(request.id(), new Refusal(ErrorCode.INTERNAL, "node error: " + e), peer));
                }
            });
        } catch (RejectedExecutionException e) {
            reply.complete(new NodeProtocol.Error(request.id(), ErrorCode.INTERNAL,
                    "node is stopping"));
        }
        return reply;
    }

    /**
     * A job from a real distcc client: the same checks, node cache and compile as a COMPILE
     * (the compiler by name only: a distcc client says no version), keyed by what the client
     * sent (compiler, language, arguments, preprocessed text). {@code frame} is the whole
     * request as {@link DistccRequest#completeLength} measured it; it is decoded here, off the
     * caller's I/O thread (a {@code ,lzo} body is decompressed in the decode). The future fails
     * with a {@link DistccProtocolException} for a malformed request (counted
     * {@code distcc_bad_frame}) or a {@link Refusal} when the job is not run: the caller closes
     * the connection without a reply, as distccd does.
     */
    public CompletableFuture<DistccReply> compileDistcc(byte[] frame, DistccLimits limits, String peer) {
        CompletableFuture<DistccReply> out = new CompletableFuture<>();
        try {
            lookups.execute(() -> {
                DistccRequest r;
                try {
                    r = DistccRequest.readFrom(new ByteArrayInputStream(frame), limits);
                } catch (IOException e) {
                    stats.refused(e instanceof DistccProtocolException ? "distcc_bad_frame" : "other");
                    out.completeExceptionally(e);
                    return;
                }
                CompletableFuture<Message> reply = new CompletableFuture<>();
                reply.whenComplete((m, e) -> {
                    if (m instanceof Result res) {
                        try {
                            CacheEntry entry = codec.decode(res.entry());
                            byte[] object = entry.outputs().getOrDefault(OutputKind.OBJECT, new byte[0]);
                            out.complete(new DistccReply(r.version(), DistccReply.exited(entry.exitCode()),
                                    entry.stderr(), entry.stdout(), entry.exitCode() == 0 ? object : new byte[0]));
                        } catch (CorruptEntryException ce) {
                            out.completeExceptionally(ce);
                        }
                    } else if (m instanceof NodeProtocol.Error err) {
                        out.completeExceptionally(new Refusal(err.code(), err.message()));
                    } else {
                        out.completeExceptionally(e != null ? e : new IllegalStateException("unexpected " + m));
                    }
                });
                try {
                    DistccJob job = DistccJob.of(r.argv());
                    NodeCompiler compiler = resolver.resolveName(job.compiler());
                    Digest key = KeyBuilder.create()
                            .add("distcc.format", 1)
                            .add("distcc.language", job.language())
                            .add("distcc.args", String.join("\0", job.args()))
                            .add("distcc.argc", job.args().size())
                            .add("distcc.input", r.input())
                            .build();
                    CompilerSpec spec = new CompilerSpec(compiler.name(), compiler.version(), compiler.target());
                    compile(JobRequest.of(new Compile(0, key, spec, job.language(), job.args(), r.input().length,
                            Zstd.compress(r.input()))), peer, reply);
                } catch (Refusal refusal) {
                    reply.complete(refuse(0, refusal, peer));
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "distcc job from " + peer + " failed", e);
                    reply.complete(refuse(0, new Refusal(ErrorCode.INTERNAL, "node error: " + e), peer));
                }
            });
        } catch (RejectedExecutionException e) {
            out.completeExceptionally(new Refusal(ErrorCode.INTERNAL, "node is stopping"));
        }
        return out;
    }

    /**
     * A PROBE answered on the caller's thread (the connection's event loop), or null when it must
     * go through {@link #handle}: its compiler's identity is not known yet (learning it runs the
     * compiler), the store has remote storage behind it (a network round trip) or something
     * unexpected happened. What it does is {@link #handle}'s probe: file metadata of the
     * compiler, one store read and the entry's checksum; no process, no argument
     * to check (a probe carries none). It saves the node two thread hand-offs per probe (to the
     * lookup pool and back to the event loop), most of a node hit's cost on the node.
     */
    public Message probeNow(Probe p, String peer) {
        if (store != null && store.local() != store) {
            return null; // remote storage behind: its lookup is a network round trip, not for the event loop
        }
        try {
            NodeCompiler compiler = resolver.resolveKnown(p.compiler());
            return compiler == null ? null : probe(p, compiler);
        } catch (Refusal r) {
            return refuse(p.id(), r, peer);
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "probe from " + peer + " goes to the lookup pool", e);
            return null;
        }
    }

    /**
     * {@link NodeWarmup}'s lookup: what a probe does ({@link #probeNow}) before the entry's
     * checksum, for a key the store cannot hold, counting nothing. The compiler is looked up as a probe does (file metadata,
     * never a process); the node key is made for a stand-in compiler, since the spec's is none
     * of this node's.
     */
    void warmUpLookup(Digest key, CompilerSpec spec) {
        try {
            resolver.resolveKnown(spec);
        } catch (Refusal expected) {
            // the warm-up's version is nobody's: a known compiler refuses it, as it should
        }
        NodeCompiler standIn = new NodeCompiler(spec.name(), java.nio.file.Path.of("/warm-up/" + spec.name()),
                spec.version(), spec.target(), 1, 1);
        Digest nodeKey = nodeKey(key, standIn);
        if (store != null) {
            store.local().getEncoded(nodeKey);
        }
    }

    /** A compiler name on this node's whitelist (the first), for the warm-up's lookups; "gcc" without one. */
    String warmUpCompilerName() {
        java.nio.file.Path list = config.whitelist();
        if (list != null) {
            try (Stream<java.nio.file.Path> names = Files.list(list)) {
                java.util.Optional<String> first = names.map(p -> p.getFileName().toString())
                        .filter(n -> !n.startsWith(".")).sorted().findFirst();
                if (first.isPresent()) {
                    return first.get();
                }
            } catch (IOException e) {
                LOG.fine(() -> "warm-up: cannot list the whitelist: " + e);
            }
        }
        return "gcc";
    }

    private Message probe(Probe p) throws Refusal {
        return probe(p, resolver.resolve(p.compiler()));
    }

    private Message probe(Probe p, NodeCompiler compiler) {
        byte[] entry = lookup(nodeKey(p.key(), compiler));
        stats.probe(entry != null);
        return entry == null ? new Miss(p.id()) : new NodeProtocol.Hit(p.id(), entry);
    }

    private void compile(JobRequest c, String peer, CompletableFuture<Message> reply) throws Refusal {
        NodeCompiler compiler = resolver.resolve(c.compiler());
        // The languages the client's option table knows, in the node's column: sources and their
        // preprocessed forms; the input file gets the suffix that language has without -x.
        Language language = Language.forNode(c.language());
        String suffix = language == null ? null : language.suffix();
        if (suffix == null) {
            throw new Refusal(ErrorCode.BAD_LANGUAGE,
                    "language '" + CompilerResolver.printable(c.language()) + "' is not compiled here");
        }
        policy.check(c.args());
        if (c.inputLength() > config.maxInput()) {
            throw new Refusal(ErrorCode.TOO_LARGE,
                    "input of " + c.inputLength() + " bytes, more than the node's " + config.maxInput());
        }
        Digest nodeKey = nodeKey(c.storeKey(), compiler);
        byte[] cached = lookup(nodeKey);
        if (cached != null) {
            stats.compileHit();
            reply.complete(new Result(c.id(), true, cached));
            return;
        }
        CompletableFuture<Outcome> mine = new CompletableFuture<>();
        CompletableFuture<Outcome> running = inFlight.putIfAbsent(nodeKey, mine);
        if (running != null) {
            // The same key is compiling for another request (another client's, another daemon's):
            // this one gets its answer, exit code, output and object alike, and runs nothing.
            stats.compileJoined();
            LOG.fine(() -> "compile for " + peer + " joins the one running for " + nodeKey);
            running.whenComplete((o, e) -> reply.complete(answer(c.id(), o, e, peer)));
            return;
        }
        mine.whenComplete((o, e) -> reply.complete(answer(c.id(), o, e, peer)));
        // A compile of this key may have finished and left the table between the lookup and now;
        // it stored its entry here, so remote storage (asked by the first lookup) is not asked again.
        cached = lookup(store == null ? null : store.local(), nodeKey);
        if (cached != null) {
            stats.compileHit();
            settle(nodeKey, mine, new Outcome(true, cached, null));
            return;
        }
        if (compiles.getQueue().size() >= config.maxQueued()) {
            settle(nodeKey, mine, new Outcome(false, null,
                    new Refusal(ErrorCode.BUSY, "node has " + config.maxQueued() + " compiles queued")));
            return;
        }
        stats.jobQueued();
        try {
            compiles.execute(() -> {
                stats.jobStarted();
                long start = System.nanoTime();
                boolean ok = false;
                boolean timedOut = false;
                Outcome outcome;
                try {
                    JobOutput job = run(c, compiler, suffix);
                    timedOut = job.outcome().timedOut();
                    ok = job.object() != null;
                    outcome = timedOut
                            ? new Outcome(false, null, new Refusal(ErrorCode.TIMEOUT, "compile killed after "
                                    + config.jobLifetime().toSeconds() + " s (the node's --job-lifetime)"))
                            : finish(c, compiler, nodeKey, job, peer, start);
                } catch (Refusal r) {
                    outcome = new Outcome(false, null, r);
                } catch (IOException | RuntimeException e) {
                    LOG.log(Level.WARNING, "compile for " + peer + " failed", e);
                    outcome = new Outcome(false, null, new Refusal(ErrorCode.INTERNAL, "node error: " + e.getMessage()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    outcome = new Outcome(false, null, new Refusal(ErrorCode.INTERNAL, "node is stopping"));
                } finally {
                    stats.jobFinished((System.nanoTime() - start) / 1_000_000, ok, timedOut);
                }
                // Answered after the job is counted, so a client that asks STATS next sees it finished.
                settle(nodeKey, mine, outcome);
            });
        } catch (RejectedExecutionException e) {
            settle(nodeKey, mine, new Outcome(false, null, new Refusal(ErrorCode.INTERNAL, "node is stopping")));
        }
    }

    /**
     * How one compile of a node key ended, for every request that waited on it: the entry (any exit
     * code) and whether it was stored, or the refusal each of them is answered with.
     */
    private record Outcome(boolean stored, byte[] entry, Refusal refusal) {
    }

    /** Ends the compile of {@code nodeKey}: out of the in-flight table first, then its waiters answered. */
    private void settle(Digest nodeKey, CompletableFuture<Outcome> compile, Outcome outcome) {
        inFlight.remove(nodeKey, compile);
        compile.complete(outcome);
    }

    private Message answer(int id, Outcome o, Throwable failure, String peer) {
        if (failure != null || o == null) {
            return refuse(id, new Refusal(ErrorCode.INTERNAL, "node error: " + failure), peer);
        }
        return o.refusal() != null ? refuse(id, o.refusal(), peer) : new Result(id, o.stored(), o.entry());
    }

    /**
     * Runs the compiler on the input in a fresh private directory, removed afterwards: a COMPILE's
     * input is {@code input<suffix>} there, a COMPILE_SOURCE's goes where its {@link SourcePlacement} says.
     */
    private JobOutput run(JobRequest c, NodeCompiler compiler, String suffix)
            throws IOException, InterruptedException, Refusal {
        byte[] input = decompress(c);
        Path created = Files.createTempDirectory(config.tmpDir(), "cached-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try {
            // The real path: the one gcc finds as its working directory, which the prefix maps must match.
            Path dir = created.toRealPath();
            SourcePlacement source = c.placement();
            String in = "input" + suffix;
            String output = "output";
            Path workDir = dir;
            if (source == null) {
                Files.write(dir.resolve(in), input);
            } else {
                if (dir.toString().indexOf('=') >= 0) {
                    throw new IOException("the node's temporary directory " + dir + " holds '=', which a prefix map cannot");
                }
                workDir = SourcePlacement.workDir(dir);
                Files.createDirectory(workDir);
                Path file = source.file(dir);
                Files.createDirectories(file.getParent());
                Files.write(file, input, java.nio.file.StandardOpenOption.CREATE_NEW,
                        java.nio.file.StandardOpenOption.WRITE);
                in = source.argument(dir);
                output = dir.resolve("output").toString();
            }
            List<String> cmd = new ArrayList<>();
            if (config.nice() > 0 && nice != null && !RENICED.get()) {
                cmd.addAll(List.of(nice.toString(), "-n", Integer.toString(config.nice())));
            }
            cmd.add(compiler.path().toString());
            cmd.addAll(c.args());
            if (!c.args().contains("-c") && !c.args().contains("-S")) {
                cmd.add("-c");
            }
            if (source != null) {
                cmd.addAll(source.prefixMaps(dir));
            }
            cmd.addAll(List.of("-x", c.language(), in, "-o", output));
            long started = System.nanoTime();
            ProcessResult o = runner.run(cmd, workDir, environment(dir), config.jobLifetime());
            long ran = System.nanoTime() - started;
            Path out = dir.resolve("output");
            byte[] object = o.exitCode() == 0 && !o.timedOut() && Files.isRegularFile(out)
                    ? Files.readAllBytes(out) : null;
            return new JobOutput(o, object, ran);
        } finally {
            deleteTree(created);
        }
    }

    /** What a job left: the process outcome and the output file (null when there is none). */
    /** @param processNanos how long the compiler ran, start to exit, as this JVM saw it */
    private record JobOutput(ProcessResult outcome, byte[] object, long processNanos) {
    }

    /**
     * The RESULT of a finished compile. Only a successful compile with its output is stored
     * (failures are answered, never remembered), and only while the store is under its size.
     */
    private Outcome finish(JobRequest c, NodeCompiler compiler, Digest nodeKey, JobOutput job, String peer,
            long start) {
        ProcessResult o = job.outcome();
        Map<OutputKind, byte[]> outputs = new EnumMap<>(OutputKind.class);
        if (job.object() != null) {
            outputs.put(OutputKind.OBJECT, job.object());
        }
        int exit = o.exitCode() == 0 && job.object() == null ? 1 : o.exitCode();
        byte[] entry = codec.encode(new CacheEntry(exit, o.stdout(), o.stderr(), outputs));
        boolean stored = false;
        if (job.object() != null && store != null) {
            if (storeEvicts || store.totalBytes() + entry.length <= config.maxSize()) {
                store.putEncoded(nodeKey, entry);
                stats.stored();
                stored = true;
            } else {
                stats.storeFull();
            }
        }
        LOG.info(String.format("compile %s %s for %s: exit %d, %d bytes, %d ms (the compiler %d ms)%s",
                compiler.describe(), c.language(), peer, exit, entry.length, (System.nanoTime() - start) / 1_000_000,
                job.processNanos() / 1_000_000, stored ? ", stored" : ""));
        return new Outcome(stored, entry, null);
    }

    private Map<String, String> environment(Path dir) {
        StringBuilder path = new StringBuilder();
        for (Path p : config.searchPath()) {
            path.append(path.length() == 0 ? "" : ":").append(p);
        }
        return Map.of("PATH", path.toString(), "LC_ALL", "C", "TMPDIR", dir.toString());
    }

    private byte[] decompress(JobRequest c) throws Refusal {
        byte[] input = new byte[c.inputLength()];
        try {
            long n = Zstd.decompressByteArray(input, 0, input.length, c.zstdInput(), 0, c.zstdInput().length);
            if (n != input.length) {
                throw new Refusal(ErrorCode.BAD_INPUT,
                        "input decompressed to " + n + " bytes, announced " + input.length);
            }
        } catch (RuntimeException e) {
            throw new Refusal(ErrorCode.BAD_INPUT, "input does not decompress: " + e.getMessage());
        }
        return input;
    }

    /** The stored entry, verified (a corrupt one is removed and counted as a miss), or null. */
    private byte[] lookup(Digest nodeKey) {
        return lookup(store, nodeKey);
    }

    private byte[] lookup(EntryStore from, Digest nodeKey) {
        if (from == null) {
            return null;
        }
        byte[] bytes = from.getEncoded(nodeKey);
        if (bytes == null) {
            return null;
        }
        try {
            codec.decode(bytes);
            return bytes;
        } catch (CorruptEntryException e) {
            LOG.warning("removing corrupt entry " + nodeKey + ": " + e.getMessage());
            stats.corruptEntry();
            store.remove(nodeKey);
            return null;
        }
    }

    static Digest nodeKey(Digest clientKey, NodeCompiler c) {
        return KeyBuilder.create()
                .add("node.format", 1)
                .add("client.key", clientKey)
                .add("compiler.name", c.name())
                .add("compiler.path", c.path().toString())
                .add("compiler.size", c.size())
                .add("compiler.mtime", c.mtimeNanos())
                .add("compiler.version", c.version())
                .add("compiler.target", c.target())
                .build();
    }

    private Message refuse(int id, Refusal r, String peer) {
        stats.refused(r.code());
        LOG.info("refused " + r.code().label() + " for " + peer + ": " + r.getMessage());
        return new NodeProtocol.Error(id, r.code(), r.getMessage());
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    LOG.warning("cannot delete " + p + ": " + e.getMessage());
                }
            });
        } catch (IOException e) {
            LOG.warning("cannot clean " + dir + ": " + e.getMessage());
        }
    }

    /** Whether the current compile thread runs at the node's {@code --nice} already ({@link SelfNice}). */
    private static final ThreadLocal<Boolean> RENICED = ThreadLocal.withInitial(() -> false);

    /**
     * Threads of {@code factory} that renice themselves by {@code nice} first: the compilers
     * they start inherit it, without a {@code nice} process each. Where that fails, compiles
     * run under {@code nice} (said once in the log).
     */
    private ThreadFactory reniced(ThreadFactory factory, int nice) {
        if (nice <= 0) {
            return factory;
        }
        return r -> factory.newThread(() -> {
            boolean ok = SelfNice.thisThread(nice);
            RENICED.set(ok);
            if (!ok && renicing.compareAndSet(false, true)) {
                LOG.info("cannot renice the compile threads: compilers run under nice -n " + nice);
            }
            r.run();
        });
    }

    private final java.util.concurrent.atomic.AtomicBoolean renicing = new java.util.concurrent.atomic.AtomicBoolean();

    private static ThreadFactory daemonThreads(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public void close() {
        lookups.shutdownNow();
        compiles.shutdownNow();
        try {
            compiles.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
