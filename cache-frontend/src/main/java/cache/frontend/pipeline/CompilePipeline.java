package cache.frontend.pipeline;

import cache.compat.Counter;
import cache.compat.config.Sloppiness;
import cache.frontend.args.Analysis;
import cache.frontend.args.ArgumentAnalyzer;
import cache.frontend.args.Invocation;
import cache.frontend.args.Uncacheable;
import cache.frontend.exec.ProcessResult;
import cache.frontend.exec.ProcessRunner;
import cache.frontend.key.CompilerIdentity;
import cache.frontend.key.DirectMode;
import cache.frontend.key.DirectModeKey;
import cache.frontend.key.DirectoryListings;
import cache.frontend.key.Manifest;
import cache.frontend.key.PreparedManifest;
import cache.frontend.key.PreprocessorModeKey;
import cache.frontend.key.SearchPath;
import cache.frontend.key.SearchPathProbe;
import cache.frontend.replay.OutputFiles;
import cache.hashing.Digest;
import cache.hashing.FileHashCache;
import cache.store.BlobStore;
import cache.store.CacheEntry;
import cache.store.CorruptEntryException;
import cache.store.CounterStore;
import cache.store.EntryStore;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The request flow of one compile call: analyse → key → lookup → compile on a miss → store →
 * replay. Any failure of ours ends in {@link Outcome.Fallback}: the client compiles as if we
 * were not there, and the failure is counted and logged with its reason.
 */
public final class CompilePipeline {

    private static final Logger LOG = Logger.getLogger(CompilePipeline.class.getName());
    private static final byte[] INCBIN = ".incbin".getBytes(StandardCharsets.US_ASCII);

    /** Results kept per manifest; older ones are dropped. */
    static final int MANIFEST_RESULTS = 32;
    /**
     * Files changed this recently before the call started are not recorded in a manifest: file
     * timestamps come from a coarse kernel clock, and a header rewritten while the build runs
     * must never be remembered with contents the compile did not see.
     */
    static final long TOO_NEW_NANOS = 100_000_000L;

    private final EntryStore store;
    private final BlobStore manifests;
    private final CounterStore counters;
    private final ProcessRunner runner;
    private final Clock clock;
    private final int daemonUmask;
    private final InFlight inFlight = new InFlight();
    private final FileHashCache fileHashes = new FileHashCache(200_000);
    private final DirectMode directMode = new DirectMode(fileHashes, new DirectoryListings());
    private final SearchPathProbe searchPaths;
    private final CompilerCheck compilerCheck;
    /**
     * Decoded manifests with the bytes they came from, so a hit skips the decompression and
     * parsing. Weighed by an estimate of their heap size: the compressed bytes times 16.
     */
    private final Cache<Digest, DecodedManifest> decodedManifests = Caffeine.newBuilder()
            .maximumWeight(64L << 20).weigher((Digest k, DecodedManifest v) -> v.raw().length * 16).build();

    private static final PreparedManifest EMPTY_MANIFEST = new PreparedManifest(Manifest.EMPTY);

    private record DecodedManifest(byte[] raw, PreparedManifest manifest) {}

    public CompilePipeline(EntryStore store, BlobStore manifests, CounterStore counters, ProcessRunner runner,
            Clock clock, int daemonUmask) {
        this.store = store;
        this.manifests = manifests;
        this.counters = counters;
        this.runner = runner;
        this.clock = clock;
        this.daemonUmask = daemonUmask;
        this.searchPaths = new SearchPathProbe(runner);
        this.compilerCheck = new CompilerCheck(runner);
    }

    /**
     * A call whose configuration could not be read: compiled by the client as asked, and counted
     * as a fallback (ccache would fail the build; a bad config file must not).
     */
    public Outcome configurationError(String message) {
        CallStats stats = new CallStats();
        stats.count(Counter.FALLBACK_LOCAL);
        LOG.warning("invalid configuration, falling back to a plain compile: " + message);
        try {
            stats.flush(counters, clock);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not record statistics", e);
        }
        return new Outcome.Fallback("invalid configuration: " + message);
    }

    /**
     * A call whose configuration names another cache directory than the one this daemon
     * serves: compiled by the client, counted here as a fallback.
     */
    public Outcome.Fallback notServed(String reason) {
        CallStats stats = new CallStats();
        stats.count(Counter.FALLBACK_LOCAL);
        LOG.info("not served, falling back to a plain compile: " + reason);
        try {
            stats.flush(counters, clock);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not record statistics", e);
        }
        return new Outcome.Fallback(reason);
    }

    public Outcome handle(CompileRequest original) throws InterruptedException {
        CallStats stats = new CallStats();
        Outcome outcome = null;
        try {
            outcome = counted(original, stats);
            return outcome;
        } finally {
            try {
                if (original.config().stats()) {
                    stats.flush(counters, clock);
                }
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "could not record statistics", e);
            }
            if (outcome != null) {
                CallLog.write(original, inputFile(original), stats, outcome);
            }
        }
    }

    /** The input file as the user named it, for {@code stats_log}: the last existing non-option argument. */
    private static String inputFile(CompileRequest req) {
        for (int i = req.args().size() - 1; i >= 0; i--) {
            String a = req.args().get(i);
            if (!a.startsWith("-") && Files.isRegularFile(req.cwd().resolve(a))) {
                return a;
            }
        }
        return "";
    }

    private Outcome counted(CompileRequest original, CallStats stats) throws InterruptedException {
        CompileRequest req = original;
        try {
            req = configured(original);
            if (req == null) {
                return passthrough(stats, Counter.COULD_NOT_FIND_COMPILER, "compiler " + original.config().compiler());
            }
            Outcome o = run(req, stats);
            if (o instanceof Outcome.Fallback f) {
                stats.count(Counter.FALLBACK_LOCAL);
                LOG.warning("falling back to a plain compile: " + f.reason());
            }
            return o;
        } catch (IOException | RuntimeException e) {
            stats.count(Counter.INTERNAL_ERROR);
            stats.count(Counter.FALLBACK_LOCAL);
            LOG.log(Level.WARNING, "internal error, falling back to a plain compile: " + req.args(), e);
            return new Outcome.Fallback("internal error: " + e);
        }
    }

    /**
     * The call with {@code compiler} (force the compiler, found on the caller's PATH) and
     * {@code umask} (for the outputs written) applied; null when the forced compiler is not found
     * or leads back to the client.
     */
    private static CompileRequest configured(CompileRequest req) throws IOException {
        String forced = req.config().compiler();
        Path compiler = req.compiler();
        String name = req.compilerName();
        if (!forced.isEmpty()) {
            Path p = forced.indexOf('/') >= 0 ? req.cwd().resolve(forced)
                    : CallSettings.onPath(forced, req.env());
            if (p == null || !Files.isExecutable(p) || p.toRealPath().getFileName().toString().equals("cache")) {
                return null;
            }
            compiler = p;
            name = forced;
        }
        int umask = req.config().umask().orElse(req.umask());
        if (compiler == req.compiler() && umask == req.umask()) {
            return req;
        }
        return new CompileRequest(name, compiler, req.args(), req.cwd(), req.env(), umask, req.stderrIsTerminal(),
                req.config());
    }

    private Outcome run(CompileRequest req, CallStats stats) throws IOException, InterruptedException {
        if (req.config().disable()) {
            return new Outcome.Passthrough("disabled by the configuration"); // ccache counts nothing either
        }
        Analysis analysis = ArgumentAnalyzer.analyze(req.args(), req.cwd(), req.env());
        if (analysis instanceof Uncacheable u) {
            return passthrough(stats, u.counter(), u.reason());
        }
        Invocation inv = (Invocation) analysis;
        Invocation keyInv = CallSettings.withoutIgnored(inv, req.config().ignoreOptions());
        CompilerIdentity compiler;
        Digest compilerChecked;
        try {
            CompilerIdentity found = CompilerIdentity.of(req.compilerName(), req.compiler());
            compilerChecked = compilerCheck.digest(found, req.config().compilerCheck(), req.cwd(), req.env());
            compiler = CompilerCheck.identity(found, req.config().compilerCheck());
        } catch (IOException e) {
            return passthrough(stats, Counter.COULD_NOT_FIND_COMPILER, e.getMessage());
        } catch (CompilerCheck.FailedException e) {
            return passthrough(stats, Counter.COMPILER_CHECK_FAILED, e.getMessage());
        }
        boolean colored = !inv.colorChosen() && req.stderrIsTerminal()
                && !"dumb".equals(req.env().getOrDefault("TERM", "dumb"));
        List<Digest> extraFiles = new ArrayList<>();
        for (String f : inv.hashedFiles()) {
            try {
                extraFiles.add(Digest.of(Files.readAllBytes(req.cwd().resolve(f))));
            } catch (IOException e) {
                // gcc may find it in its own directories; we cannot tell which file it reads.
                return passthrough(stats, Counter.UNSUPPORTED_COMPILER_OPTION, "cannot read " + f);
            }
        }
        // ccache's extra_files_to_hash, namespace and compiler_check: more inputs of every key.
        for (String f : req.config().extraFilesToHash().split(":")) {
            if (f.isEmpty()) {
                continue;
            }
            try {
                extraFiles.add(Digest.of(Files.readAllBytes(req.cwd().resolve(f))));
            } catch (IOException e) {
                return passthrough(stats, Counter.ERROR_HASHING_EXTRA_FILE, "cannot read " + f);
            }
        }
        if (!req.config().namespace().isEmpty()) {
            extraFiles.add(Digest.of(("namespace " + req.config().namespace()).getBytes(StandardCharsets.UTF_8)));
        }
        if (compilerChecked != null) {
            extraFiles.add(compilerChecked);
        }
        long started = epochNanos();

        Digest directKey = directKey(req, keyInv, compiler, colored, extraFiles, started);
        if (directKey != null && !req.config().recache()) {
            Digest entryKey = directMode.match(manifest(directKey), req.cwd());
            CacheEntry hit = entryKey == null ? null : lookup(entryKey, stats);
            if (hit != null) {
                return replayHit(req, inv, hit, stats, Counter.DIRECT_CACHE_HIT);
            }
            stats.count(Counter.DIRECT_CACHE_MISS);
        }
        if (req.config().readOnlyDirect() && !req.config().recache()) {
            return compile(req, inv, null, colored, stats, null); // direct lookups only, never stored
        }

        byte[] preprocessed;
        byte[] cppStderr;
        if (inv.language().isPreprocessed()) {
            preprocessed = Files.readAllBytes(req.cwd().resolve(inv.source()));
            cppStderr = new byte[0];
        } else {
            ProcessResult cpp = runner.run(command(req, req.config().prefixCommandCpp(), inv.preprocessorArgs(), false),
                    req.cwd(), req.env());
            if (cpp.exitCode() != 0) {
                LOG.info(() -> "preprocessor failed (" + cpp.exitCode() + "): " + String.join(" ", command(req,
                        req.config().prefixCommandCpp(), inv.preprocessorArgs(), false)) + "\n" + new String(cpp.stderr(), StandardCharsets.UTF_8));
                return passthrough(stats, Counter.PREPROCESSOR_ERROR, "preprocessor exited with " + cpp.exitCode());
            }
            preprocessed = cpp.stdout();
            cppStderr = cpp.stderr();
        }
        if (contains(preprocessed, INCBIN)) {
            return passthrough(stats, Counter.UNSUPPORTED_CODE_DIRECTIVE, ".incbin in " + inv.source());
        }
        Digest key = PreprocessorModeKey.builder(false, compiler, keyInv, req.cwd().toString(), req.env(),
                preprocessed, cppStderr, colored, extraFiles).build();
        Outcome outcome = lookupOrCompile(req, inv, key, colored, stats);
        // An entry exists under the key after a hit or a stored miss: only then is it worth a manifest result.
        boolean entryStored = stats.counted(Counter.PREPROCESSED_CACHE_HIT) || stats.counted(Counter.LOCAL_STORAGE_WRITE);
        if (directKey != null && entryStored && !req.config().readOnly()) {
            remember(req, inv, compiler, directKey, key, preprocessed, started);
        }
        return outcome;
    }

    /**
     * The direct-mode key, or {@code null} when direct mode cannot be used for this call
     * (disabled, an option hides preprocessor input, the source mentions {@code __TIME__} or
     * is being written right now).
     */
    private Digest directKey(CompileRequest req, Invocation inv, CompilerIdentity compiler, boolean colored,
            List<Digest> extraFiles, long started) {
        if (!inv.directModeAllowed() || inv.language().isPreprocessed() || !req.config().directMode()) {
            return null;
        }
        FileHashCache.Hashed source;
        try {
            source = fileHashes.hash(req.cwd().resolve(inv.source()));
        } catch (IOException e) {
            return null; // the preprocessor run reports it
        }
        int timeMacros = req.config().sloppiness().contains(Sloppiness.TIME_MACROS) ? 0 : FileHashCache.TIME;
        if ((source.timeMacros() & (timeMacros | FileHashCache.HAS_INCLUDE)) != 0 || tooNew(source, started)) {
            return null;
        }
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneId.systemDefault());
        return DirectModeKey.builder(false, compiler, inv, req.cwd().toString(), req.env(), source, colored,
                extraFiles, today).build();
    }

    /** The manifest stored under {@code directKey}, decoded and prepared once per stored version. */
    private PreparedManifest manifest(Digest directKey) {
        byte[] raw = manifests.get(directKey);
        if (raw == null) {
            return EMPTY_MANIFEST;
        }
        DecodedManifest known = decodedManifests.getIfPresent(directKey);
        if (known != null && Arrays.equals(known.raw(), raw)) {
            return known.manifest();
        }
        PreparedManifest m = new PreparedManifest(Manifest.decode(raw));
        decodedManifests.put(directKey, new DecodedManifest(raw, m));
        return m;
    }

    /** Adds this call's result to the manifest under {@code directKey}, when it may be remembered. */
    private void remember(CompileRequest req, Invocation inv, CompilerIdentity compiler, Digest directKey, Digest key,
            byte[] preprocessed, long started) throws IOException, InterruptedException {
        FileHashCache.Hashed source = fileHashes.hash(req.cwd().resolve(inv.source()));
        if (tooNew(source, started)) {
            return;
        }
        SearchPath search = searchPaths.searchPath(compiler, inv.language().gccName(), inv.preprocessorArgs(),
                inv.source(), req.cwd(), req.env());
        if (search == null) {
            return;
        }
        Manifest.Result result = directMode.record(key, preprocessed, search, req.cwd(), started - TOO_NEW_NANOS);
        if (result != null) {
            manifests.update(directKey, old -> Manifest.decode(old).with(result, MANIFEST_RESULTS).encode());
        }
    }

    private static boolean tooNew(FileHashCache.Hashed f, long started) {
        return f.stat().mtimeNanos() >= started - TOO_NEW_NANOS || f.stat().ctimeNanos() >= started - TOO_NEW_NANOS;
    }

    private long epochNanos() {
        java.time.Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private Outcome lookupOrCompile(CompileRequest req, Invocation inv, Digest key, boolean colored, CallStats stats)
            throws IOException, InterruptedException {
        if (req.config().recache() || req.config().readOnly()) {
            // recache: never a hit, always a new entry; read_only: never an entry, so nothing to share.
            CacheEntry hit = req.config().recache() ? null : lookup(key, stats);
            if (hit != null) {
                return replayHit(req, inv, hit, stats, Counter.PREPROCESSED_CACHE_HIT);
            }
            return compile(req, inv, key, colored, stats, null);
        }
        CacheEntry hit = lookup(key, stats);
        if (hit != null) {
            return replayHit(req, inv, hit, stats, Counter.PREPROCESSED_CACHE_HIT);
        }
        InFlight.Ticket ticket = inFlight.join(key);
        if (!ticket.owner()) {
            CacheEntry shared = await(ticket);
            if (shared != null) {
                stats.count(Counter.INFLIGHT_SHARED);
                return replayHit(req, inv, shared, stats, Counter.PREPROCESSED_CACHE_HIT);
            }
            return compile(req, inv, key, colored, stats, null);
        }
        return compile(req, inv, key, colored, stats, ticket);
    }

    private CacheEntry lookup(Digest key, CallStats stats) {
        try {
            CacheEntry e = store.get(key);
            stats.count(e != null ? Counter.LOCAL_STORAGE_READ_HIT : Counter.LOCAL_STORAGE_READ_MISS);
            return e;
        } catch (CorruptEntryException e) {
            stats.count(Counter.CORRUPT_ENTRY);
            stats.count(Counter.LOCAL_STORAGE_READ_MISS);
            LOG.warning("removed corrupt entry " + key + ": " + e.getMessage());
            return null;
        }
    }

    private Outcome replayHit(CompileRequest req, Invocation inv, CacheEntry hit, CallStats stats, Counter kind) {
        try {
            OutputFiles.write(req.cwd(), inv.outputs(), hit.outputs(), req.umask());
        } catch (IOException e) {
            // Unwritable directory, disk full …: the compiler, run by the client, says it its own way.
            stats.count(Counter.BAD_OUTPUT_FILE);
            return new Outcome.Fallback("cannot write outputs: " + e.getMessage());
        }
        stats.count(kind);
        stats.count(Counter.LOCAL_STORAGE_HIT);
        return new Outcome.Replay(hit.stdout(), hit.stderr(), hit.exitCode());
    }

    private Outcome compile(CompileRequest req, Invocation inv, Digest key, boolean colored, CallStats stats,
            InFlight.Ticket ticket) throws IOException, InterruptedException {
        CacheEntry stored = null;
        try {
            // As ccache 4.7 counts: recache is its own counter, not a miss; read_only_direct
            // (key == null) never looked in preprocessor mode.
            if (req.config().recache()) {
                stats.count(Counter.RECACHE);
            } else {
                stats.count(Counter.CACHE_MISS);
                if (key != null) {
                    stats.count(Counter.PREPROCESSED_CACHE_MISS);
                    stats.count(Counter.LOCAL_STORAGE_MISS);
                }
            }
            ProcessResult r = runner.run(command(req, req.config().prefixCommand(), inv.compileArgs(), colored),
                    req.cwd(), req.env());
            Outcome replay = new Outcome.Replay(r.stdout(), r.stderr(), r.exitCode());
            if (r.exitCode() != 0) {
                stats.count(Counter.COMPILE_FAILED);
                return replay;
            }
            if (r.stdout().length > 0) {
                stats.count(Counter.COMPILER_PRODUCED_STDOUT);
                return replay;
            }
            OutputFiles.Collected files = OutputFiles.collect(req.cwd(), inv.outputs());
            if (files.missing() != null) {
                stats.count(Counter.COMPILER_PRODUCED_NO_OUTPUT);
                LOG.info("compiler did not write " + inv.outputs().get(files.missing()) + "; not cached");
                return replay;
            }
            if (files.empty() != null) {
                stats.count(Counter.COMPILER_PRODUCED_EMPTY_OUTPUT);
                return replay;
            }
            if (req.umask() != daemonUmask) {
                OutputFiles.applyUmask(req.cwd(), inv.outputs(), req.umask());
            }
            if (key == null || req.config().readOnly()) {
                return replay;
            }
            stored = new CacheEntry(r.exitCode(), r.stdout(), r.stderr(), files.files());
            store.put(key, stored, req.config().namespace());
            stats.count(Counter.LOCAL_STORAGE_WRITE);
            return replay;
        } finally {
            if (ticket != null) {
                inFlight.finish(key, ticket, stored);
            }
        }
    }

    private static CacheEntry await(InFlight.Ticket ticket) throws InterruptedException {
        try {
            return ticket.future().get();
        } catch (ExecutionException e) {
            return null;
        }
    }

    private Outcome passthrough(CallStats stats, Counter why, String reason) {
        stats.count(why);
        return new Outcome.Passthrough(why.id() + ": " + reason);
    }

    /** {@code prefix... compiler [colour] args}: ccache's prefix_command (or _cpp) goes first. */
    private static List<String> command(CompileRequest req, String prefix, List<String> args, boolean colored) {
        List<String> cmd = new ArrayList<>(args.size() + 4);
        if (!prefix.isEmpty()) {
            cmd.addAll(CallSettings.prefix(prefix, req.cwd(), req.env()));
        }
        cmd.add(req.compiler().toString());
        if (colored) {
            cmd.add("-fdiagnostics-color=always");
        }
        cmd.addAll(args);
        return cmd;
    }

    static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0, n = haystack.length - needle.length; i <= n; i++) {
            if (haystack[i] != needle[0]) {
                continue;
            }
            for (int j = 1; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
