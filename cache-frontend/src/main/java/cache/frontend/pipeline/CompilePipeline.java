package cache.frontend.pipeline;

import cache.compat.Counter;
import cache.compat.config.Sloppiness;
import cache.distributor.monitor.FarmJobs;
import cache.frontend.dispatch.BuildJob;
import cache.frontend.dispatch.BuildResult;
import cache.frontend.dispatch.Builder;
import cache.frontend.dispatch.BuilderChain;
import cache.frontend.dispatch.FarmBuilder;
import cache.frontend.dispatch.LocalBuilder;
import cache.frontend.key.CompilerIdentity;
import cache.frontend.key.DependModeKey;
import cache.frontend.key.DependencyFile;
import cache.frontend.key.DirectMode;
import cache.frontend.key.DirectModeKey;
import cache.frontend.key.DirectoryListings;
import cache.frontend.key.IncludeScanner;
import cache.frontend.key.KeyInputs;
import cache.frontend.key.PreparedManifest;
import cache.frontend.key.PreprocessorModeKey;
import cache.frontend.key.SearchPathProbe;
import cache.frontend.pipeline.CallPreparation.Answered;
import cache.frontend.pipeline.CallPreparation.NeedsThread;
import cache.frontend.pipeline.CallPreparation.Prepared;
import cache.frontend.pipeline.CallPreparation.Ready;
import cache.frontend.pipeline.PreprocessorRun.Preprocessed;
import cache.frontend.replay.DependencyPaths;
import cache.frontend.replay.DependencyTargets;
import cache.frontend.replay.OutputFiles;
import cache.frontend.tier.LocalTier;
import cache.frontend.tier.LookupTier;
import cache.frontend.tier.RemoteTier;
import cache.frontend.tier.StorageTiers;
import cache.frontend.tier.TierChain;
import cache.hashing.Digest;
import cache.hashing.FileHashCache;
import cache.hashing.FileWatch;
import cache.hashing.KeyBuilder;
import cache.process.ProcessRunner;
import cache.store.BlobStore;
import cache.store.CacheEntry;
import cache.store.CorruptEntryException;
import cache.store.CounterStore;
import cache.store.EntryCodec;
import cache.storage.remote.BackgroundWrites;
import cache.storage.remote.RemoteStorage;
import cache.storage.remote.RemoteStorages;
import cache.store.EntryStore;
import cache.store.OutputKind;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The request flow of one compile call, in the order it happens:
 *
 * <pre>
 *   prepare   request → {@link Call} (configured compiler, arguments by role, key inputs)   {@link CallPreparation}
 *   direct    direct key → manifest → entry key → tiers                                  {@link Manifests}
 *   depend    a direct miss with -MD: build, key by the .d file, store, record
 *   cpp       preprocessor run → preprocessor-mode key → tiers                           {@link PreprocessorRun}
 *   in-flight one build per key at a time; later callers share its entry                 {@link InFlight}
 *   build     the builders in order, local last                                          {@link BuilderChain}
 *   store     the entry to every tier; the manifest learns the result
 *   replay    outputs to the caller's paths, stdout/stderr/exit code to the client
 * </pre>
 *
 * Any failure of ours ends in {@link Outcome.Fallback}: the client compiles as if we were not
 * there, and the failure is counted and logged with its reason. A direct-mode hit is answered
 * on the calling thread ({@link #handleQuick}); what needs a process comes back as {@link
 * Outcome.Deferred} for a thread that may block. That thread is interrupted when the client
 * leaves, which stops the compiler; that is why the rest of a call is a plain callable run on a
 * worker rather than a chain of futures (cancelling a {@code CompletableFuture} interrupts nothing).
 */
public final class CompilePipeline {

    private static final Logger LOG = Logger.getLogger(CompilePipeline.class.getName());

    /** The local store, and any tiers chained to it; remote storage is per call ({@link #tiers}). */
    private final LookupTier localTiers;
    private final BuilderChain builders;
    private final Manifests manifests;
    private final CounterStore counters;
    private final Shared shared;
    /** Replies' after-reply writes not run yet ({@link #awaitLateWrites}). */
    private final LateWrites lateWrites = new LateWrites();
    private final Clock clock;
    private final int daemonUmask;
    private final CallPreparation preparation;
    /** Per store: two cache directories may hold the same key, and each must get its result stored. */
    private final InFlight inFlight = new InFlight();
    /**
     * Direct-mode misses under way, by direct key: identical calls that arrive together wait for
     * the first one's preprocessor run, compile and manifest instead of each running the
     * preprocessor, then look in direct mode again. The entries completed here are not used.
     */
    private final InFlight directMisses = new InFlight();

    /**
     * What the pipelines of one daemon share, whichever cache directory they serve: facts about
     * files and compilers (hashes by stat data, directory listings, search paths, compiler
     * checks) and decoded manifests (each checked against the bytes read from its own store, or
     * from remote storage).
     * One daemon serving many cache directories learns each fact once and holds it once.
     */
    public static final class Shared {
        final ProcessRunner runner;
        final Path clientBinary;
        final FileHashCache fileHashes = new FileHashCache(200_000);
        /** inotify's word on what changed, so that a lookup stats only that (null: not available here). */
        final FileWatch fileWatch = FileWatch.open();
        final DirectMode directMode = new DirectMode(fileHashes, new DirectoryListings(), fileWatch);
        /** The compilers' files, read again only when the watch reports a change. */
        final CompilerFiles compilers = new CompilerFiles(fileWatch);
        final SearchPathProbe searchPaths;
        final CompilerCheck compilerCheck;
        final PreprocessorRun preprocessor;
        /** The farm of distcc's host list, for calls with {@code prefix_command = distcc}. */
        final FarmBuilder farm;
        /**
         * Weighed by what each holds: its stored bytes and its arrays. 64 MiB keeps every manifest
         * of a project like git's (137 sources, ~0.2 MiB each); a cache smaller than a build's
         * manifests decodes each one again on every hit (it did: 32 MiB of an estimate that was
         * half the truth made git's warm build 1.6× slower).
         */
        public static final long DECODED_MANIFEST_WEIGHT = 64L << 20;
        final Cache<Digest, Manifests.Decoded> decodedManifests = Caffeine.newBuilder()
                .maximumWeight(DECODED_MANIFEST_WEIGHT)
                .weigher((Digest k, Manifests.Decoded v) -> v.manifest().cacheWeight(v.raw().length))
                .build();
        /**
         * The {@code remote_storage} servers of every cache directory, each opened once. A server
         * that failed is left alone for a minute, or {@code CACHE_REMOTE_BACKOFF_MS} (for tests).
         */
        final RemoteStorages remoteStorages = new RemoteStorages(EntryCodec.defaults(), remoteBackoff());
        /** Writes to remote storage, in the background so that no reply waits for one. */
        final BackgroundWrites remoteWrites = new BackgroundWrites();
        /** Remote reads made ahead of the call that needs them ({@link EarlyRead}). */
        final ExecutorService remoteReads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "remote-read");
            t.setDaemon(true);
            return t;
        });
        /**
         * Compilers that failed on the colour option every miss adds (gcc before 4.9 knows no
         * {@code -fdiagnostics-color}): their calls compile without it from then on. Keyed by the
         * identity the keys use, so an upgraded compiler is asked again.
         */
        final Set<CompilerIdentity> refusesColour = ConcurrentHashMap.newKeySet();

        /** @param clientBinary the native client (never taken for the real compiler), or null */
        public Shared(ProcessRunner runner, Path clientBinary) {
            this.runner = runner;
            this.clientBinary = clientBinary;
            this.searchPaths = new SearchPathProbe(runner);
            this.compilerCheck = new CompilerCheck(runner);
            this.farm = new FarmBuilder(runner);
            this.preprocessor = new PreprocessorRun(runner,
                    new TemporaryFiles(Path.of(System.getProperty("java.io.tmpdir"))), searchPaths, directMode, refusesColour);
        }

        private static java.time.Duration remoteBackoff() {
            String ms = System.getenv("CACHE_REMOTE_BACKOFF_MS");
            try {
                return ms == null ? RemoteStorage.BACKOFF : java.time.Duration.ofMillis(Long.parseUnsignedLong(ms));
            } catch (NumberFormatException e) {
                LOG.warning("CACHE_REMOTE_BACKOFF_MS=" + ms + " is not a number of milliseconds; ignored");
                return RemoteStorage.BACKOFF;
            }
        }

        /**
         * Opens the servers of {@code remoteStorage} (a {@code remote_storage} value) as its calls
         * will use them, each with {@code connections} pooled connections made ahead ({@link
         * RemoteStorage#warm}); how many servers answered. Counts nothing.
         */
        public int warmRemoteStorage(String remoteStorage, int connections) {
            int answered = 0;
            for (RemoteStorage r : remoteStorages.forValue(remoteStorage)) {
                answered += r.warm(connections);
            }
            return answered;
        }

        /** Waits until no remote write is queued or running, for {@code maxMillis} at most; whether none is. */
        public boolean awaitRemoteWrites(long maxMillis) throws InterruptedException {
            return remoteWrites.awaitIdle(maxMillis);
        }

        /**
         * Lets queued remote writes finish (a few seconds at most): before the stores close, since
         * a write that finishes counts itself into its call's store. Later writes are dropped.
         */
        public void finishRemoteWrites() {
            remoteWrites.close();
        }

        /** Lets queued remote writes finish (a few seconds at most), then closes the connections. */
        public void close() {
            if (fileWatch != null) {
                long[] c = fileWatch.counts();
                LOG.info("file watch: " + c[0] + " stats answered from memory, " + c[1] + " made, everything forgotten "
                        + c[2] + " times");
                fileWatch.close();
            }
            remoteReads.shutdownNow();
            remoteWrites.close();
            remoteStorages.close();
        }

        /** The farm's jobs in flight, for {@code cache --monitor}. */
        public FarmJobs farmJobs() {
            return farm.jobs();
        }

        /** inotify's word on what changed, or {@code null} where it is not available. */
        public FileWatch fileWatch() {
            return fileWatch;
        }

        /** The farms' nodes and whether each is healthy now, for the metrics port. */
        public java.util.Map<String, Boolean> farmNodeHealth() {
            return farm.nodeHealth();
        }

        /**
         * A call while {@code disable} is set: run by the client as asked, with the configured
         * {@code compiler}/{@code path}/{@code umask} applied as ccache applies them, and no store
         * touched (ccache neither counts it nor creates its cache directory).
         */
        public Outcome disabled(CompileRequest req) {
            Outcome o = new Outcome.Passthrough("disabled by the configuration");
            try {
                CompileRequest c = CallPreparation.configured(req, clientBinary, compilers, System.nanoTime());
                Path run = c == null ? req.compiler() : CallPreparation.clientCompiler(req, c);
                return run.equals(req.compiler()) ? o : Outcome.runningInstead(o, run);
            } catch (IOException | RuntimeException e) {
                return o;
            }
        }
    }

    public CompilePipeline(EntryStore store, BlobStore manifests, CounterStore counters, ProcessRunner runner,
            Clock clock, int daemonUmask) {
        this(store, manifests, counters, runner, clock, daemonUmask, null);
    }

    /** A pipeline with its own {@link Shared} part. */
    public CompilePipeline(EntryStore store, BlobStore manifests, CounterStore counters, ProcessRunner runner,
            Clock clock, int daemonUmask, Path clientBinary) {
        this(store, manifests, counters, new Shared(runner, clientBinary), clock, daemonUmask);
    }

    /** A pipeline for one store, sharing what it learns about files and compilers with others. */
    public CompilePipeline(EntryStore store, BlobStore manifests, CounterStore counters, Shared shared, Clock clock,
            int daemonUmask) {
        this(store, manifests, counters, shared, clock, daemonUmask, List.of(), List.of());
    }

    /**
     * @param slowerTiers tiers asked after the local store, fastest first (shared storage)
     * @param builders builders asked before the farm and the compile here, in order
     */
    public CompilePipeline(EntryStore store, BlobStore manifests, CounterStore counters, Shared shared, Clock clock,
            int daemonUmask, List<LookupTier> slowerTiers, List<Builder> builders) {
        this.localTiers = TierChain.of(new LocalTier(store), slowerTiers);
        List<Builder> all = new ArrayList<>(builders);
        all.add(shared.farm);
        all.add(new LocalBuilder(shared.runner, daemonUmask));
        this.builders = new BuilderChain(all);
        this.manifests = new Manifests(manifests, shared.decodedManifests, shared.directMode, shared.fileHashes,
                shared.searchPaths);
        this.counters = counters;
        this.shared = shared;
        this.clock = clock;
        this.daemonUmask = daemonUmask;
        this.preparation = new CallPreparation(shared.compilerCheck, shared.refusesColour, shared.compilers);
    }

    /**
     * A call whose configuration could not be read: compiled by the client as asked, and counted
     * as a fallback (ccache would fail the build; a bad config file must not).
     */
    public Outcome configurationError(String message) {
        CallStats stats = new CallStats(epochNanos());
        stats.count(Counter.FALLBACK_LOCAL);
        LOG.warning("invalid configuration, falling back to a plain compile: " + message);
        try {
            stats.flush(counters, clock);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not record statistics", e);
        }
        return new Outcome.Fallback("invalid configuration: " + message);
    }

    /** The call's outcome, with any work left for after the reply done ({@link Outcome#settled}). */
    /**
     * Waits (up to {@code max}) until the writes that replies left for after them ({@link
     * Outcome.Replay#afterReply}) are done: a {@code -C} or {@code -s} right after a build sees
     * the store as the build left it, not a back-fill landing after it.
     */
    public void awaitLateWrites(Duration max) throws InterruptedException {
        lateWrites.await(max);
    }

    public Outcome handle(CompileRequest original) throws InterruptedException {
        return Outcome.settled(handleHere(original, System.nanoTime()));
    }

    /**
     * The whole call on this thread (it may block), its writes for after the reply ({@link
     * Outcome.Replay#afterReply}) left to the caller, who runs them once the client has its
     * answer; {@code received} as for {@link #handleQuick(CompileRequest, long)}.
     */
    public Outcome handleHere(CompileRequest original, long received) throws InterruptedException {
        Outcome o = serve(original, false, received);
        return o instanceof Outcome.Deferred d ? d.rest().run() : o;
    }

    /**
     * Serves the call on the calling thread as far as that needs no process: a direct-mode hit,
     * an uncacheable or disabled call. A call that needs one (a miss, a preprocessor-mode lookup,
     * a compiler check command not run yet) comes back as {@link Outcome.Deferred}, to be finished
     * on a thread that may block; its statistics and log line are written when it finishes. The
     * daemon answers most of a warm build on its event loop this way, without a thread hand-off.
     */
    public Outcome handleQuick(CompileRequest original) {
        return handleQuick(original, System.nanoTime());
    }

    /**
     * {@link #handleQuick(CompileRequest)} for a request received at {@code received} ({@link
     * System#nanoTime()}): a file watch drained after that (by the configuration's load) is not
     * read again for this call.
     */
    public Outcome handleQuick(CompileRequest original, long received) {
        try {
            return serve(original, true, received);
        } catch (InterruptedException e) {
            throw new IllegalStateException("a quick call never waits", e); // nothing on the quick path blocks
        }
    }

    /**
     * The real compiler {@code name} in the colon-separated {@code dirs}, skipping links back to
     * this cache ({@code client}) or to ccache; null when there is none.
     */
    public static Path realCompiler(String name, String dirs, Path cwd, Path client) {
        return CallSettings.findCompiler(name, dirs, cwd, c -> CallSettings.isCacheItself(c, client));
    }

    /** The call's counters and log line are written once, when it has its outcome (or was interrupted). */
    private Outcome serve(CompileRequest original, boolean quick, long received) throws InterruptedException {
        CallStats stats = new CallStats(epochNanos(), received);
        stats.mark("start");
        Outcome outcome = null;
        try {
            outcome = counted(original, stats, quick);
            if (outcome instanceof Outcome.Deferred d) {
                return new Outcome.Deferred(() -> {
                    Outcome last = null;
                    try {
                        last = d.rest().run();
                        return lateWrites.tracked(last);
                    } finally {
                        finished(original, stats, last);
                    }
                });
            }
            return outcome;
        } finally {
            if (!(outcome instanceof Outcome.Deferred)) {
                finished(original, stats, outcome);
            }
        }
    }

    private void finished(CompileRequest original, CallStats stats, Outcome outcome) {
        stats.mark("finished");
        try {
            if (original.config().stats()) {
                stats.flush(counters, clock);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not record statistics", e);
        }
        if (outcome != null) {
            CallLog.write(original, () -> inputFile(original), stats, outcome);
            if (original.config().debug()) {
                CallLog.writeDebugLog(original, stats, outcome);
            }
        }
        stats.mark("counted");
        String phases = stats.phases();
        if (phases != null) {
            CallStats.PHASES.fine("phases of " + original.args() + ":" + phases);
        }
    }

    private long epochNanos() {
        java.time.Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /** The input file as the user named it, for {@code stats_log}: the last existing non-option argument. */
    private static String inputFile(CompileRequest req) {
        for (int i = req.args().size() - 1; i >= 0; i--) {
            String a = req.args().get(i);
            if (!a.startsWith("-") && (i == 0 || !req.args().get(i - 1).equals("-o"))
                    && Files.isRegularFile(req.cwd().resolve(a))) {
                return a;
            }
        }
        return "";
    }

    /** A part of a call that may be left for a worker thread. */
    @FunctionalInterface
    private interface Step {
        Outcome run() throws IOException, InterruptedException;
    }

    /** The call with the configured compiler, every failure of ours turned into a counted fallback. */
    private Outcome counted(CompileRequest original, CallStats stats, boolean quick) throws InterruptedException {
        CompileRequest req;
        try {
            req = CallPreparation.configured(original, shared.clientBinary, shared.compilers, stats.startNanos());
        } catch (IOException | RuntimeException e) {
            return internalError(original, e, stats);
        }
        if (req == null) {
            stats.count(Counter.COULD_NOT_FIND_COMPILER);
            return new Outcome.Passthrough(Counter.COULD_NOT_FIND_COMPILER.id() + ": compiler "
                    + original.config().compiler());
        }
        return guarded(original, req, stats, () -> start(req, stats, quick));
    }

    private static Outcome guarded(CompileRequest original, CompileRequest req, CallStats stats, Step step)
            throws InterruptedException {
        Outcome o;
        try {
            o = step.run();
        } catch (IOException | RuntimeException e) {
            return internalError(req, e instanceof UncheckedIOException u ? u.getCause() : e, stats);
        }
        if (o instanceof Outcome.Deferred d) {
            return new Outcome.Deferred(() -> guarded(original, req, stats, d.rest()::run));
        }
        if (o instanceof Outcome.Fallback f) {
            stats.count(Counter.FALLBACK_LOCAL);
            LOG.warning("falling back to a plain compile: " + f.reason());
        }
        Path run = CallPreparation.clientCompiler(original, req);
        return run.equals(original.compiler()) ? o : Outcome.runningInstead(o, run);
    }

    private static Outcome internalError(CompileRequest req, Throwable e, CallStats stats) {
        stats.count(Counter.INTERNAL_ERROR);
        stats.count(Counter.FALLBACK_LOCAL);
        LOG.log(Level.WARNING, "internal error, falling back to a plain compile: " + req.args(), e);
        return new Outcome.Fallback("internal error: " + e);
    }

    /** {@code step} as the rest of a call, for a thread that may block. */
    private static Outcome.Deferred deferred(Step step) {
        return new Outcome.Deferred(() -> {
            try {
                return step.run();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /**
     * Prepare and look up in direct mode; with {@code quick}, whatever follows that needs a
     * process comes back deferred. Nothing is counted before a deferral that the deferred rest
     * would count again.
     */
    private Outcome start(CompileRequest req, CallStats stats, boolean quick) throws IOException, InterruptedException {
        Prepared prepared = preparation.prepare(req, stats, quick);
        if (prepared instanceof NeedsThread) {
            return deferred(() -> start(req, stats, false));
        }
        if (prepared instanceof Answered a) {
            return a.outcome();
        }
        Call call = ((Ready) prepared).call();
        Digest directKey = directKey(call);
        stats.mark("direct-key");
        if (directKey != null && call.looksUp) {
            StorageTiers tiers = tiers(call);
            boolean remoteOnly = call.config().remoteOnly(); // no local manifest either, as ccache
            Digest entryKey = remoteOnly ? null : manifests.match(call, directKey);
            stats.mark("matched");
            // no local manifest, or one without a match: remote storage's may have the result
            // (another machine's build of other header versions, as after a pull), as in ccache
            if (entryKey == null && tiers.hasRemote()) {
                // remote storage may block for its timeouts: never on the event loop
                Step remote = () -> directRemoteManifest(call, directKey, tiers);
                return quick ? deferred(remote) : remote.run();
            }
            if (entryKey != null) {
                LookupTier.Hit hit = tiers.findLocal(entryKey, call.config().namespace(), call.stats::count);
                stats.mark("entry-found");
                if (hit == null && tiers.hasRemote()) {
                    // remote storage may block for its timeouts: never on the event loop
                    Step remote = () -> directRemote(call, directKey, entryKey, tiers);
                    return quick ? deferred(remote) : remote.run();
                }
                if (hit != null) {
                    if (call.config().reshare() && tiers.hasRemote()) {
                        byte[] manifest = manifests.raw(directKey); // queued for a background writer
                        if (manifest != null) {
                            tiers.reshareManifest(directKey, manifest, entryKey, hit.entry());
                        }
                    }
                    return replayHit(call, hit.entry(), hit.counter(), Counter.DIRECT_CACHE_HIT);
                }
            }
            stats.count(Counter.DIRECT_CACHE_MISS);
        }
        Step rest = () -> afterDirectLookup(call, directKey);
        return quick ? deferred(rest) : rest.run();
    }

    /**
     * A direct key without a manifest here: its manifest, then its entry, asked of remote storage.
     * The manifest comes with the entry of the result it was written for beside it (one round
     * trip); that entry is decoded on a {@code remote-read} thread while the manifest is decoded
     * and matched, and taken when the match gives its key. Without one (an entry too large to
     * store beside its manifest), the newest result's entry is read there instead, as soon as its
     * key is known. A match that gives another key reads that entry.
     */
    private Outcome directRemoteManifest(Call call, Digest directKey, StorageTiers tiers)
            throws IOException, InterruptedException {
        call.stats.mark("remote-step");
        StorageTiers.RemoteManifest found = tiers.findRemoteManifest(directKey, call.stats::count);
        call.stats.mark("manifest-get");
        Digest entryKey = null;
        EarlyRead[] started = new EarlyRead[1];
        boolean decodeHere = false;
        if (found != null) {
            String namespace = call.config().namespace();
            Consumer<Digest> newest = null;
            PreparedManifest before = manifests.decodedBefore(directKey, found.manifest());
            if (found.entry() != null) {
                // Decoded on another thread only when there is work to overlap it with: a manifest
                // decoded before whose match is remembered gives its key at once, and a hand-off
                // would only add two thread wake-ups to the call (on a busy machine, the wait of a
                // core for the decoding thread).
                decodeHere = before != null && manifests.matchRemembered(call, before);
                if (!decodeHere) {
                    started[0] = EarlyRead.start(found.entryKey(), found::inlined, shared.remoteReads);
                    call.stats.mark("entry-decode-started");
                }
            } else {
                newest = key -> {
                    started[0] = EarlyRead.start(key, counts -> tiers.findRemoteUnfilled(key, namespace, counts),
                            shared.remoteReads);
                    call.stats.mark("entry-read-started");
                };
            }
            PreparedManifest m = manifests.found(call, directKey, found.manifest(), before, tiers.lateCounts(),
                    newest);
            entryKey = manifests.match(call, m);
        }
        EarlyRead early = started[0];
        call.stats.mark("manifest-matched");
        if (entryKey != null) {
            LookupTier.Hit hit = tiers.findLocal(entryKey, call.config().namespace(), call.stats::count);
            if (hit != null) {
                if (early != null) {
                    early.drop();
                }
                return writtenUnlessAnswered(call, replayHit(call, hit.entry(), hit.counter(), Counter.DIRECT_CACHE_HIT));
            }
            if (decodeHere && entryKey.equals(found.entryKey())) {
                LookupTier.Hit beside;
                try {
                    beside = found.inlined(call.stats::count);
                } catch (CorruptEntryException e) {
                    return directRemote(call, directKey, entryKey, tiers); // counted; read under its own key
                }
                call.stats.mark("entry-beside-manifest");
                return remoteEntry(call, directKey, entryKey, tiers, beside);
            }
            EarlyRead.Answer read = early == null ? null : early.answerFor(entryKey, call.stats::count);
            if (read != null) {
                call.stats.mark(found.entry() != null ? "entry-beside-manifest" : "entry-read-early");
                return remoteEntry(call, directKey, entryKey, tiers, read.hit());
            }
            return directRemote(call, directKey, entryKey, tiers);
        }
        if (early != null) {
            early.drop();
        }
        call.stats.count(Counter.DIRECT_CACHE_MISS);
        call.writeNow(); // the manifest back-filled before this call records into it
        return afterDirectLookup(call, directKey);
    }

    /**
     * {@code o}; when it is not a replay (a hit whose outputs could not be written: the client
     * compiles), the back-fills the replay would have carried are written now.
     */
    private static Outcome writtenUnlessAnswered(Call call, Outcome o) {
        if (!(o instanceof Outcome.Replay)) {
            call.writeNow();
        }
        return o;
    }

    /**
     * {@code recorded}, the manifest under {@code directKey} as this call left it (null: none), to
     * remote storage, with the entry of {@code entryKey}, the result just recorded, beside it
     * ({@code encoded}: its bytes when the call read them so, else null).
     */
    private void shareManifest(Call call, Digest directKey, byte[] recorded, Digest entryKey, CacheEntry entry,
            byte[] encoded) {
        if (recorded != null) {
            tiers(call).putManifest(directKey, recorded, entryKey, entry, encoded);
        }
    }

    /** A direct-mode entry key the local store lacks, asked of remote storage. */
    private Outcome directRemote(Call call, Digest directKey, Digest entryKey, StorageTiers tiers)
            throws IOException, InterruptedException {
        call.stats.mark("entry-get-start");
        LookupTier.Hit hit = tiers.findRemoteUnfilled(entryKey, call.config().namespace(), call.stats::count);
        call.stats.mark("entry-got");
        return remoteEntry(call, directKey, entryKey, tiers, hit);
    }

    /** What remote storage answered for a direct-mode entry key: its hit replayed, or the miss carried on. */
    private Outcome remoteEntry(Call call, Digest directKey, Digest entryKey, StorageTiers tiers, LookupTier.Hit hit)
            throws IOException, InterruptedException {
        if (hit != null) {
            // the back-fills (this entry, and the manifest if it came from remote storage too)
            // are written after the reply: the hit does not wait for the local store
            call.writeLater(tiers.backFillLater(entryKey, hit, call.config().namespace(), call.stats::count));
            Outcome o = replayHit(call, hit.entry(), hit.counter(), Counter.DIRECT_CACHE_HIT);
            call.stats.mark("replayed");
            return writtenUnlessAnswered(call, o);
        }
        call.stats.count(Counter.DIRECT_CACHE_MISS);
        call.writeNow(); // the manifest back-filled before this call records into it
        return afterDirectLookup(call, directKey);
    }

    /**
     * The call's tiers: the local store and the storages its {@code remote_storage} names, with
     * its {@code remote_only} and {@code reshare}. Background writes count straight into the
     * counters (the call's own are written by then), unless statistics are off. Made once per call.
     */
    private StorageTiers tiers(Call call) {
        if (call.tiers == null) {
            call.tiers = newTiers(call);
        }
        return call.tiers;
    }

    private StorageTiers newTiers(Call call) {
        List<RemoteTier> remotes = new ArrayList<>();
        // A debugged call's writes are made in place, before it ends, and its log tells their
        // failures, as ccache's does (its remote_http suite looks for a PUT's "status code: 401").
        boolean debug = call.config().debug();
        for (var r : shared.remoteStorages.forValue(call.config().remoteStorage())) {
            remotes.add(debug ? new RemoteTier(r, Runnable::run, call.stats::note) : new RemoteTier(r, shared.remoteWrites));
        }
        boolean stats = call.config().stats();
        return new StorageTiers(localTiers, remotes, call.config().remoteOnly(), call.config().reshare(), c -> {
            if (stats) {
                try {
                    counters.add(c.id(), 1);
                } catch (RuntimeException e) {
                    LOG.log(Level.FINE, "could not count " + c.id(), e);
                }
            }
        });
    }

    /**
     * A call that direct mode did not answer. When an identical call (the same direct key) is
     * already past its direct miss, this one waits until that call has compiled and recorded its
     * manifest, then looks in direct mode again, with every check a direct lookup makes: a hit
     * there costs no preprocessor run (issue 17: 16 parallel clients starting the same sources ran
     * the preprocessor once each). When the first call recorded nothing (a failed compile, a file
     * too new to remember), the waiter goes on as if it had not waited.
     */
    private Outcome afterDirectLookup(Call call, Digest directKey) throws IOException, InterruptedException {
        if (directKey == null || !call.looksUp || !call.stores || call.readOnlyDirect || call.config().remoteOnly()) {
            // nothing would be recorded here for a waiter to find (read_only_direct stores nothing,
            // remote_only keeps no local manifest): waiting would only serialize the calls
            return missedDirect(call, directKey);
        }
        InFlight.Ticket ticket = directMisses.join(directKey);
        if (!ticket.owner()) {
            await(ticket);
            Outcome shared = directHitAfterWait(call, directKey);
            return shared != null ? shared : missedDirect(call, directKey);
        }
        try {
            return missedDirect(call, directKey);
        } finally {
            directMisses.finish(directKey, ticket, null);
        }
    }

    /** The manifest's answer once the identical call this one waited for has recorded its result; null: none. */
    private Outcome directHitAfterWait(Call call, Digest directKey) throws IOException {
        Digest entryKey = manifests.match(call, directKey);
        if (entryKey == null) {
            return null;
        }
        LookupTier.Hit hit = tiers(call).findLocal(entryKey, call.config().namespace(), call.stats::count);
        if (hit == null) {
            return null;
        }
        call.stats.uncount(Counter.DIRECT_CACHE_MISS); // counted when this call found no result; it has one now
        call.stats.count(Counter.INFLIGHT_SHARED);
        return replayHit(call, hit.entry(), hit.counter(), Counter.DIRECT_CACHE_HIT);
    }

    /** Depend mode, a compile without lookup, or preprocessor mode. */
    private Outcome missedDirect(Call call, Digest directKey) throws IOException, InterruptedException {
        if (directKey != null && call.stores && !call.readOnlyDirect) {
            // before the preprocessor or the compiler reads anything: what the manifest may remember
            call.readersStart(call.hashSource(shared.fileHashes).stat());
        }
        if (directKey != null && call.looksUp && call.dependMode) {
            return dependModeMiss(call, directKey);
        }
        if (call.readOnlyDirect && call.looksUp) {
            return compile(call, null, null, null).outcome(); // direct lookups only, never stored
        }
        return preprocessorMode(call, directKey);
    }

    /**
     * The direct-mode key, or {@code null} when direct mode cannot be used for this call
     * (disabled, an option hides preprocessor input, the source mentions {@code __TIME__} or
     * {@code __has_include}).
     */
    private Digest directKey(Call call) {
        if (!call.inv.directModeAllowed() || !call.config().directMode()) {
            return null;
        }
        FileHashCache.Hashed source;
        try {
            source = call.hashSource(shared.fileHashes);
        } catch (IOException e) {
            return null; // the preprocessor run reports it
        }
        int timeMacros = call.config().sloppiness().contains(Sloppiness.TIME_MACROS) ? 0 : FileHashCache.TIME;
        if ((source.flags() & (timeMacros | FileHashCache.HAS_INCLUDE)) != 0) {
            return null;
        }
        // A source written just now is looked up like any other (a hit compares contents); whether
        // it may be remembered is decided after the compile (Call#sourceRecordable).
        call.directSource = source.digest();
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneId.systemDefault());
        // Depend mode compiles the source: its direct key must not claim a compile of the preprocessed text.
        KeyInputs in = call.dependMode ? call.keys.compilingSource() : call.keys;
        return call.keyOf("direct", DirectModeKey.builder(in, source, today));
    }

    /** The preprocessor run, the preprocessor-mode key, the lookup or the build; the manifest learns the result. */
    private Outcome preprocessorMode(Call call, Digest directKey) throws IOException, InterruptedException {
        try (Preprocessed cpp = shared.preprocessor.run(call)) {
            if (cpp.refusal() != null) {
                return cpp.refusal();
            }
            if (call.config().debug()) {
                call.debugFile("cache-input-cpp." + cache.frontend.args.PreprocessedCompile.extension(
                        call.inv.language(), call.config().cppExtension()), cpp.text());
            }
            // Debug info may record the contents of the files read, not only the text they gave
            // (clang's DWARF 5 line tables hold each file's MD5): then those contents are keyed too.
            List<Digest> included = call.debugInfo ? includedContents(call, cpp.text()) : List.of();
            Digest key = call.keyOf("preprocessor",
                    PreprocessorModeKey.builder(call.keys, cpp.text(), cpp.stderr(), included));
            Served served = lookupOrBuild(call, key, cpp);
            if (directKey != null && served.entry() != null && call.stores) {
                shareManifest(call, directKey, manifests.recordPreprocessed(call, directKey, key, cpp.text()), key,
                        served.entry(), served.encoded());
            }
            return served.outcome();
        }
    }

    /**
     * A call's answer and the entry now under its key (a hit, or a result stored; null: none), with
     * its encoded bytes when the hit was read so (else null).
     */
    private record Served(Outcome outcome, CacheEntry entry, byte[] encoded) {}

    private Served lookupOrBuild(Call call, Digest key, Preprocessed cpp) throws IOException, InterruptedException {
        LookupTier.Hit hit = call.looksUp
                ? tiers(call).find(key, call.config().namespace(), call.stats::count, call::writeLater) : null;
        if (hit != null) {
            return hitServed(replayHit(call, hit.entry(), hit.counter(), Counter.PREPROCESSED_CACHE_HIT), hit.entry(),
                    hit.encoded());
        }
        if (!call.looksUp || !call.stores) {
            // recache: never a hit, always a new entry; read_only: never an entry, so nothing to share.
            return compile(call, key, cpp, null);
        }
        InFlight.Ticket ticket = inFlight.join(key);
        if (ticket.owner()) {
            // A compile of this key may have ended between the lookup above and the join: its
            // entry, not a second compile (read uncounted: the lookup above counted this call's).
            LookupTier.Hit landed = ticket.afterAnother()
                    ? tiers(call).findLocal(key, call.config().namespace(), c -> { }) : null;
            if (landed == null) {
                return compile(call, key, cpp, ticket);
            }
            inFlight.finish(key, ticket, landed.entry());
            call.stats.count(Counter.INFLIGHT_SHARED);
            return hitServed(replayHit(call, landed.entry(), landed.counter(), Counter.PREPROCESSED_CACHE_HIT),
                    landed.entry(), landed.encoded());
        }
        CacheEntry theirs = await(ticket);
        if (theirs == null) {
            return compile(call, key, cpp, null);
        }
        call.stats.count(Counter.INFLIGHT_SHARED);
        return hitServed(replayHit(call, theirs, Counter.LOCAL_STORAGE_HIT, Counter.PREPROCESSED_CACHE_HIT), theirs,
                null);
    }

    private static Served hitServed(Outcome replayed, CacheEntry entry, byte[] encoded) {
        return replayed instanceof Outcome.Replay ? new Served(replayed, entry, encoded)
                : new Served(replayed, null, null);
    }

    /** The miss of {@code key} (null: nothing is stored under a key of its own) built and stored. */
    private Served compile(Call call, Digest key, Preprocessed cpp, InFlight.Ticket ticket)
            throws IOException, InterruptedException {
        CacheEntry stored = null;
        try {
            // As ccache 4.7 counts: recache is its own counter, not a miss; read_only_direct
            // (key == null) never looked in preprocessor mode.
            if (!call.looksUp) {
                call.stats.count(Counter.RECACHE);
            } else if (key != null) {
                call.stats.count(Counter.PREPROCESSED_CACHE_MISS);
                if (!call.config().remoteOnly()) { // remote_only never asked the local store (ccache's remote_only suite)
                    call.stats.count(Counter.LOCAL_STORAGE_MISS);
                }
            }
            Built b = build(call, key, cpp);
            countMiss(call, b, key == null);
            if (b.entry() == null || key == null || !call.stores) {
                return new Served(b.outcome(), null, null);
            }
            tiers(call).put(key, b.entry(), call.config().namespace(), call.stats::count);
            stored = b.entry();
            return new Served(b.outcome(), stored, null);
        } finally {
            if (ticket != null) {
                inFlight.finish(key, ticket, stored);
            }
        }
    }

    /**
     * Depend mode after a direct miss: no preprocessor run. The compile writes its dependency
     * file; the entry key is the direct key plus every file that file lists with its contents,
     * and the result is added to the manifest like any other.
     */
    private Outcome dependModeMiss(Call call, Digest directKey) throws IOException, InterruptedException {
        if (!call.config().remoteOnly()) {
            call.stats.count(Counter.LOCAL_STORAGE_MISS);
        }
        Built b = build(call, null, null);
        countMiss(call, b, call.readOnlyDirect);
        if (b.entry() == null || !call.stores || call.readOnlyDirect) {
            return b.outcome();
        }
        List<String> deps = DependencyFile.prerequisites(b.entry().outputs().get(OutputKind.DEPENDENCY));
        if (deps.isEmpty()) {
            LOG.info("depend mode: no prerequisites in " + call.inv.outputs().get(OutputKind.DEPENDENCY) + "; not cached");
            return b.outcome();
        }
        List<String> headers = deps.subList(1, deps.size()); // the first is the source, already in the direct key
        KeyBuilder key = DependModeKey.builder(call.config().debug(), directKey, headers, call.cwd(), shared.fileHashes);
        if (key == null) {
            return b.outcome(); // listed but unreadable now: nothing to remember
        }
        Digest entryKey = call.keyOf("depend", key);
        tiers(call).put(entryKey, b.entry(), call.config().namespace(), call.stats::count);
        shareManifest(call, directKey, manifests.recordDependencies(call, directKey, entryKey, headers), entryKey,
                b.entry(), null);
        return b.outcome();
    }

    /**
     * {@code cache_miss} as ccache 4.7 counts it: a compile that gave a result (a failed compile,
     * or one with stdout or a missing or empty output, counts only its own reason), and every
     * compile in read-only and read-only-direct mode, which ccache counts before running it.
     */
    private static void countMiss(Call call, Built b, boolean readOnlyDirect) {
        if (call.looksUp && (b.entry() != null || !call.stores || readOnlyDirect)) {
            call.stats.count(Counter.CACHE_MISS);
        }
    }

    /** A build's answer to the client, and the entry to store ({@code null} when it must not be cached). */
    private record Built(Outcome outcome, CacheEntry entry) {}

    /**
     * Builds the miss and judges the result; counts any reason not to cache it.
     *
     * <p>Compiling the preprocessed text ({@code run_second_cpp = false}), the result's stderr is
     * the preprocessor's followed by the compiler's, as ccache stores it; and when that compile
     * leaves nothing to cache (stdout, a missing or empty output) the call is handed back to the
     * client, which runs the command as given, as ccache does: what the compile of the
     * temporary file printed is not what the user's command prints.
     */
    private Built build(Call call, Digest key, Preprocessed cpp) throws IOException, InterruptedException {
        Compilation how = call.how;
        boolean preprocessed = how.preprocessed() && cpp != null && cpp.file() != null;
        List<String> args = call.inv.compileArgs();
        if (preprocessed) {
            args = new ArrayList<>(how.plan().compileArgs());
            if (how.colour() != null) {
                args.add(how.colour());
            }
            args.addAll(List.of("-o", call.inv.object(), cpp.file().toString()));
        }
        // With the farm on, prefix_command = distcc is the farm: a compile here runs without it.
        String prefix = FarmBuilder.enabled(call.config(), call.req.env()) ? "" : call.config().prefixCommand();
        BuildJob job = new BuildJob(key, call.keys.compiler(), call.inv, preprocessed ? cpp.file() : null,
                cpp == null ? null : cpp.text(), how.colour(),
                call.command(prefix, args, preprocessed ? null : how.colour()), call.cwd(), call.req.env(),
                call.req.umask(), call.config(), call.req.clientPid());
        BuildResult r = builders.build(job, call.stats::count);
        if (r.counter() != null) {
            call.stats.count(r.counter());
        }
        if (r.exitCode() != 0 && how.colour() != null && refusedColour(r.stderr(), how.colour())) {
            // ccache's retry: an old gcc that does not know the option we added fails on it. The
            // client compiles the command as given this once; later calls compile without it.
            // Counted and logged as any fallback (guarded).
            shared.refusesColour.add(call.keys.compiler());
            return new Built(new Outcome.Fallback(call.keys.compiler().path() + " does not know " + how.colour()
                    + "; its later calls compile without it"), null);
        }
        byte[] stderr = preprocessed ? concat(cpp.stderr(), r.stderr()) : r.stderr();
        Outcome replay = call.replay(r.stdout(), stderr, r.exitCode());
        if (r.exitCode() != 0) {
            call.stats.count(Counter.COMPILE_FAILED);
            return new Built(replay, null);
        }
        // What the compiler prints on stdout (an assembler listing, a wrapper's messages) is
        // stored and replayed, as ccache 4.7 does; compiler_produced_stdout is no longer counted.
        Counter notCached = null;
        if (r.missing() != null) {
            notCached = Counter.COMPILER_PRODUCED_NO_OUTPUT;
            LOG.info("compiler did not write " + call.inv.outputs().get(r.missing()) + "; not cached");
        } else if (r.empty() != null) {
            notCached = Counter.COMPILER_PRODUCED_EMPTY_OUTPUT;
        }
        if (notCached != null) {
            call.stats.count(notCached);
            return new Built(preprocessed
                    ? new Outcome.Passthrough(notCached.id() + ": compiling the preprocessed text") : replay, null);
        }
        // The entry keeps the compiler's files; the caller gets them as ccache writes them (base_dir in a .d).
        java.util.Map<OutputKind, byte[]> given = withRelativeDependencyPaths(call, withTypedTargets(call, r.outputs()));
        if (!r.inPlace()) {
            Outcome written = writeOutputs(call, given);
            if (written != null) {
                return new Built(written, null);
            }
        } else if (given != r.outputs()) {
            String dep = call.inv.outputs().get(OutputKind.DEPENDENCY);
            Outcome written = writeOutputs(call, java.util.Map.of(OutputKind.DEPENDENCY, dep),
                    java.util.Map.of(OutputKind.DEPENDENCY, given.get(OutputKind.DEPENDENCY)));
            if (written != null) {
                return new Built(written, null);
            }
        }
        return new Built(replay, new CacheEntry(r.exitCode(), r.stdout(), stderr, r.outputs()));
    }

    /**
     * Whether a failed compile's {@code stderr} is the compiler refusing {@code option}: it names
     * the option without its dash, as ccache looks for it (some compilers print it without one).
     */
    static boolean refusedColour(byte[] stderr, String option) {
        return stderr != null && new String(stderr, java.nio.charset.StandardCharsets.ISO_8859_1)
                .contains(option.substring(1));
    }

    /** A hit: its outputs to the caller's paths, then its stdout, stderr and exit code. */
    private Outcome replayHit(Call call, CacheEntry hit, Counter tier, Counter kind) {
        java.util.Map<OutputKind, byte[]> outputs = hit.outputs();
        List<String> target = call.inv.dependencyTargets();
        byte[] dep = target == null ? null : outputs.get(OutputKind.DEPENDENCY);
        if (dep != null) {
            byte[] retargeted = DependencyTargets.retarget(dep, target);
            if (retargeted == null) {
                // Laid out in a way we cannot reproduce for another target: the compiler writes it.
                return new Outcome.Fallback("the stored dependency file's target cannot be rewritten exactly");
            }
            if (retargeted != dep) {
                outputs = new java.util.EnumMap<>(outputs);
                outputs.put(OutputKind.DEPENDENCY, retargeted);
            }
        }
        Outcome failed = writeOutputs(call, withRelativeDependencyPaths(call, outputs));
        call.stats.mark("outputs-written");
        if (failed != null) {
            return failed;
        }
        call.stats.count(kind);
        call.stats.count(tier);
        return call.replay(hit.stdout(), hit.stderr(), hit.exitCode());
    }

    /**
     * A miss's {@code outputs} with the dependency file's rule targets those a hit gives (the
     * command as typed, see {@code ArgumentAnalyzer.analyze(rawArgs, typed, …)}): with {@code base_dir} the
     * compile named its relative {@code -o}. The entry keeps the compiler's file. {@code outputs}
     * itself when nothing changes or the layout cannot be reproduced (the compiler's file then).
     */
    private static java.util.Map<OutputKind, byte[]> withTypedTargets(Call call,
            java.util.Map<OutputKind, byte[]> outputs) {
        byte[] dep = outputs.get(OutputKind.DEPENDENCY);
        List<String> target = call.inv.dependencyTargets();
        if (dep == null || target == null || call.config().baseDir().isEmpty()) {
            return outputs;
        }
        byte[] retargeted = DependencyTargets.retarget(dep, target);
        if (retargeted == null || retargeted == dep) {
            return outputs;
        }
        java.util.Map<OutputKind, byte[]> out = new java.util.EnumMap<>(outputs);
        out.put(OutputKind.DEPENDENCY, retargeted);
        return out;
    }

    /**
     * {@code outputs} with the dependency file's paths under {@code base_dir} made relative to
     * the call's directory, as ccache 4.7 writes it ({@link DependencyPaths}); {@code outputs}
     * itself when nothing changes.
     */
    private static java.util.Map<OutputKind, byte[]> withRelativeDependencyPaths(Call call,
            java.util.Map<OutputKind, byte[]> outputs) {
        byte[] dep = outputs.get(OutputKind.DEPENDENCY);
        String baseDir = call.config().baseDir();
        if (dep == null || baseDir.isEmpty()) {
            return outputs;
        }
        byte[] relative = DependencyPaths.relativeToCwd(dep, baseDir, CallPreparation.apparentCwd(call.req));
        if (relative == dep) {
            return outputs;
        }
        java.util.Map<OutputKind, byte[]> out = new java.util.EnumMap<>(outputs);
        out.put(OutputKind.DEPENDENCY, relative);
        return out;
    }

    /** Writes outputs to the caller's paths; null when written, else the fallback that says why not. */
    private Outcome writeOutputs(Call call, java.util.Map<OutputKind, byte[]> outputs) {
        return writeOutputs(call, call.inv.outputs(), outputs);
    }

    private Outcome writeOutputs(Call call, java.util.Map<OutputKind, String> paths,
            java.util.Map<OutputKind, byte[]> outputs) {
        try {
            OutputFiles.write(call.cwd(), paths, outputs, call.req.umask(), daemonUmask);
            return null;
        } catch (IOException e) {
            // Unwritable directory, disk full …: the compiler, run by the client, says it its own way.
            call.stats.count(Counter.BAD_OUTPUT_FILE);
            return new Outcome.Fallback("cannot write outputs: " + e.getMessage());
        }
    }

    /** Digests of the contents of the source and of every file the preprocessor read, in first-inclusion order. */
    private List<Digest> includedContents(Call call, byte[] preprocessed) {
        List<String> paths = new ArrayList<>();
        paths.add(call.inv.source());
        for (IncludeScanner.Included inc : IncludeScanner.scan(preprocessed)) {
            paths.add(inc.path());
        }
        List<Digest> out = new ArrayList<>(paths.size());
        for (String p : paths) {
            try {
                out.add(shared.fileHashes.hash(call.cwd().resolve(p)).digest());
            } catch (IOException e) {
                out.add(Digest.of(("unreadable:" + p).getBytes(StandardCharsets.UTF_8)));
            }
        }
        return out;
    }

    private static CacheEntry await(InFlight.Ticket ticket) throws InterruptedException {
        try {
            return ticket.future().get();
        } catch (ExecutionException e) {
            return null;
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
