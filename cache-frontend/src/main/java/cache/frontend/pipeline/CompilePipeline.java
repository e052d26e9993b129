package cache.frontend.pipeline;

import cache.compat.Counter;
import cache.compat.config.CompilerType;
import cache.compat.config.Sloppiness;
import cache.frontend.args.Analysis;
import cache.frontend.args.ArgumentAnalyzer;
import cache.frontend.args.BaseDir;
import cache.frontend.args.Invocation;
import cache.frontend.args.PreprocessedCompile;
import cache.frontend.args.Uncacheable;
import cache.frontend.key.CompilerFamily;
import cache.frontend.key.CompilerIdentity;
import cache.frontend.key.DependencyFile;
import cache.frontend.key.DirectMode;
import cache.frontend.key.DirectModeKey;
import cache.frontend.key.DirectoryListings;
import cache.frontend.key.IncludeScanner;
import cache.frontend.key.Manifest;
import cache.frontend.key.PreparedManifest;
import cache.frontend.key.PreprocessorModeKey;
import cache.frontend.key.SearchPath;
import cache.frontend.key.SearchPathProbe;
import cache.frontend.replay.OutputFiles;
import cache.frontend.replay.StderrPaths;
import cache.hashing.Digest;
import cache.hashing.FileHashCache;
import cache.hashing.FileStat;
import cache.hashing.KeyBuilder;
import cache.process.ProcessResult;
import cache.process.ProcessRunner;
import cache.store.BlobStore;
import cache.store.CacheEntry;
import cache.store.CorruptEntryException;
import cache.store.CounterStore;
import cache.store.EntryStore;
import cache.store.OutputKind;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
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
    private final Path clientBinary;
    private final ProcessRunner runner;
    private final Clock clock;
    private final int daemonUmask;
    /** Per store: two cache directories may hold the same key, and each must get its result stored. */
    private final InFlight inFlight = new InFlight();
    private final FileHashCache fileHashes;
    private final DirectMode directMode;
    private final SearchPathProbe searchPaths;
    private final CompilerCheck compilerCheck;
    private final TemporaryFiles temporaryFiles;
    private final Cache<Digest, DecodedManifest> decodedManifests;

    /**
     * What the pipelines of one daemon share, whichever cache directory they serve: facts about
     * files and compilers (hashes by stat data, directory listings, search paths, compiler
     * checks) and decoded manifests (each checked against the bytes read from its own store).
     * One daemon serving many cache directories learns each fact once and holds it once.
     */
    public static final class Shared {
        final ProcessRunner runner;
        final Path clientBinary;
        final FileHashCache fileHashes = new FileHashCache(200_000);
        final DirectMode directMode = new DirectMode(fileHashes, new DirectoryListings());
        final SearchPathProbe searchPaths;
        final CompilerCheck compilerCheck;
        final TemporaryFiles temporaryFiles = new TemporaryFiles(Path.of(System.getProperty("java.io.tmpdir")));
        /**
         * Decoded manifests with the bytes they came from, so a hit skips the decompression and
         * parsing. Weighed by an estimate of their heap size: the compressed bytes times 16.
         */
        final Cache<Digest, DecodedManifest> decodedManifests = Caffeine.newBuilder()
                .maximumWeight(32L << 20).weigher((Digest k, DecodedManifest v) -> v.raw().length * 16).build();

        /**
         * A call while {@code disable} is set: run by the client as asked, with the configured
         * {@code compiler}/{@code path}/{@code umask} applied as ccache applies them, and no store
         * touched (ccache neither counts it nor creates its cache directory).
         */
        public Outcome disabled(CompileRequest req) {
            Outcome o = new Outcome.Passthrough("disabled by the configuration");
            try {
                CompileRequest c = configured(req, clientBinary);
                return c == null || c.compiler().equals(req.compiler()) ? o : Outcome.runningInstead(o, c.compiler());
            } catch (IOException | RuntimeException e) {
                return o;
            }
        }

        /** @param clientBinary the native client (never taken for the real compiler), or null */
        public Shared(ProcessRunner runner, Path clientBinary) {
            this.runner = runner;
            this.clientBinary = clientBinary;
            this.searchPaths = new SearchPathProbe(runner);
            this.compilerCheck = new CompilerCheck(runner);
        }
    }

    private static final PreparedManifest EMPTY_MANIFEST = new PreparedManifest(Manifest.EMPTY);

    private record DecodedManifest(byte[] raw, PreparedManifest manifest) {}

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
        this.store = store;
        this.manifests = manifests;
        this.counters = counters;
        this.clientBinary = shared.clientBinary;
        this.runner = shared.runner;
        this.clock = clock;
        this.daemonUmask = daemonUmask;
        this.fileHashes = shared.fileHashes;
        this.directMode = shared.directMode;
        this.searchPaths = shared.searchPaths;
        this.compilerCheck = shared.compilerCheck;
        this.temporaryFiles = shared.temporaryFiles;
        this.decodedManifests = shared.decodedManifests;
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

    public Outcome handle(CompileRequest original) throws InterruptedException {
        Outcome o = serve(original, false);
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
        try {
            return serve(original, true);
        } catch (InterruptedException e) {
            throw new IllegalStateException("a quick call never waits", e); // nothing on the quick path blocks
        }
    }

    private Outcome serve(CompileRequest original, boolean quick) throws InterruptedException {
        CallStats stats = new CallStats();
        Outcome outcome = null;
        try {
            outcome = counted(original, stats, quick);
            if (outcome instanceof Outcome.Deferred d) {
                return new Outcome.Deferred(() -> {
                    Outcome last = null;
                    try {
                        last = d.rest().run();
                        return last;
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

    /**
     * The end of every call, also one interrupted on the way (its client left): its statistics
     * so far, and its log line when it has an outcome.
     */
    private void finished(CompileRequest original, CallStats stats, Outcome outcome) {
        try {
            if (original.config().stats()) {
                stats.flush(counters, clock);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not record statistics", e);
        }
        if (outcome != null) {
            CallLog.write(original, () -> inputFile(original), stats, outcome);
        }
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

    private Outcome counted(CompileRequest original, CallStats stats, boolean quick) throws InterruptedException {
        CompileRequest req = original;
        try {
            req = configured(original, clientBinary);
            if (req == null) {
                return passthrough(stats, Counter.COULD_NOT_FIND_COMPILER, "compiler " + original.config().compiler());
            }
            Outcome o = run(req, stats, quick);
            if (o instanceof Outcome.Deferred d) {
                CompileRequest configured = req;
                return new Outcome.Deferred(() -> {
                    try {
                        return answered(original, configured, d.rest().run(), stats);
                    } catch (RuntimeException e) {
                        return internalError(configured, e, stats);
                    }
                });
            }
            return answered(original, req, o, stats);
        } catch (IOException | RuntimeException e) {
            return internalError(req, e, stats);
        }
    }

    private static Outcome answered(CompileRequest original, CompileRequest req, Outcome o, CallStats stats) {
        if (o instanceof Outcome.Fallback f) {
            stats.count(Counter.FALLBACK_LOCAL);
            LOG.warning("falling back to a plain compile: " + f.reason());
        }
        return req.compiler().equals(original.compiler()) ? o : Outcome.runningInstead(o, req.compiler());
    }

    private static Outcome internalError(CompileRequest req, Exception thrown, CallStats stats) {
        Throwable e = thrown instanceof java.io.UncheckedIOException u ? u.getCause() : thrown;
        stats.count(Counter.INTERNAL_ERROR);
        stats.count(Counter.FALLBACK_LOCAL);
        LOG.log(Level.WARNING, "internal error, falling back to a plain compile: " + req.args(), e);
        return new Outcome.Fallback("internal error: " + e);
    }

    /**
     * The call with {@code compiler} (force the compiler), {@code path} (where to look for it)
     * and {@code umask} (for the outputs written) applied; null when the compiler is not found.
     * As in ccache, a compiler named without a slash is searched in {@code path} when it is
     * set, else in the caller's {@code PATH}, skipping links back to this cache or to ccache; a
     * compiler the client was given by path is not searched again.
     */
    private static CompileRequest configured(CompileRequest req, Path clientBinary) throws IOException {
        String forced = req.config().compiler();
        String searchPath = req.config().path();
        Path compiler = req.compiler();
        String name = req.compilerName();
        if (!forced.isEmpty() || (!searchPath.isEmpty() && name.indexOf('/') < 0)) {
            String wanted = forced.isEmpty() ? name : forced;
            Path p = wanted.indexOf('/') >= 0 ? req.cwd().resolve(wanted)
                    : CallSettings.findCompiler(wanted,
                            searchPath.isEmpty() ? req.env().getOrDefault("PATH", "/usr/bin:/bin") : searchPath,
                            req.cwd(), c -> CallSettings.isCacheItself(c, clientBinary));
            if (p == null || !Files.isExecutable(p) || CallSettings.isCacheItself(p, clientBinary)) {
                return null;
            }
            compiler = p;
            name = wanted;
        }
        int umask = req.config().umask().orElse(req.umask());
        if (compiler.equals(req.compiler()) && umask == req.umask()) {
            return req;
        }
        return new CompileRequest(name, compiler, req.args(), req.cwd(), req.env(), umask, req.stderrIsTerminal(),
                req.config());
    }

    /**
     * The real compiler {@code name} in the colon-separated {@code dirs}, skipping links back to
     * this cache ({@code client}) or to ccache; null when there is none.
     */
    public static Path realCompiler(String name, String dirs, Path cwd, Path client) {
        return CallSettings.findCompiler(name, dirs, cwd, c -> CallSettings.isCacheItself(c, client));
    }

    /** A part of {@link #run} that may be left for a worker thread. */
    @FunctionalInterface
    private interface Step {
        Outcome run() throws IOException, InterruptedException;
    }

    /** {@code step} as the rest of a deferred call: what it throws goes to {@link #counted}'s handling. */
    private static Outcome.Deferred deferred(Step step) {
        return new Outcome.Deferred(() -> {
            try {
                return step.run();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    /**
     * The call, up to the direct-mode lookup; with {@code quick}, whatever follows that needs a
     * process comes back as {@link Outcome.Deferred}. Nothing is counted before a deferral that
     * the deferred rest would count again.
     */
    private Outcome run(CompileRequest req, CallStats stats, boolean quick) throws IOException, InterruptedException {
        if (req.config().disable()) {
            return new Outcome.Passthrough("disabled by the configuration"); // ccache counts nothing either
        }
        // base_dir: the command is analysed, hashed and run with paths under it made relative.
        String baseDir = req.config().baseDir();
        List<String> args = baseDir.isEmpty() ? req.args() : BaseDir.rewrite(req.args(), baseDir, apparentCwd(req));
        Analysis analysis = ArgumentAnalyzer.analyze(args, req.cwd(), req.env());
        if (analysis instanceof Uncacheable u) {
            return passthrough(stats, u.counter(), u.reason());
        }
        // compiler_type: families whose command lines we do not parse run uncached.
        CompilerType type = CompilerFamily.of(req.config().compilerType(), req.compiler());
        Uncacheable refused = CompilerFamily.refusal(type, ((Invocation) analysis).compileArgs());
        if (refused != null) {
            return passthrough(stats, refused.counter(), refused.reason());
        }
        boolean debugInfo = ((Invocation) analysis).hashCwd(); // -g or coverage: outputs describe the sources
        Invocation inv = req.config().hashDir() ? (Invocation) analysis : ((Invocation) analysis).withoutCwdInKey();
        Invocation keyInv = CallSettings.withoutIgnored(inv, req.config().ignoreOptions());
        CompilerIdentity compiler;
        Digest compilerChecked;
        try {
            CompilerIdentity found = CompilerIdentity.of(req.compilerName(), req.compiler());
            if (quick && !compilerCheck.ready(found, req.config().compilerCheck())) {
                return deferred(() -> run(req, stats, false)); // its command runs once per compiler
            }
            compilerChecked = compilerCheck.digest(found, req.config().compilerCheck(), req.cwd(), req.env());
            compiler = CompilerCheck.identity(found, req.config().compilerCheck());
        } catch (IOException e) {
            return passthrough(stats, Counter.COULD_NOT_FIND_COMPILER, e.getMessage());
        } catch (CompilerCheck.FailedException e) {
            return passthrough(stats, Counter.COMPILER_CHECK_FAILED, e.getMessage());
        }
        String colourOption = CompilerFamily.colourOption(type, inv.language());
        boolean colored = colourOption != null && !inv.colorChosen() && req.stderrIsTerminal()
                && !"dumb".equals(req.env().getOrDefault("TERM", "dumb"));
        if (quick && (!inv.hashedFiles().isEmpty() || !req.config().extraFilesToHash().isEmpty())) {
            // Files read whole on every call (profiles, extra_files_to_hash) may be large: not on the event loop.
            return deferred(() -> run(req, stats, false));
        }
        Compilation how = new Compilation(colored, colourOption, secondCppPlan(req, inv, type), null, null);
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

        Digest directKey = directKey(req, keyInv, compiler, how, extraFiles, started);
        if (directKey != null && !req.config().recache()) {
            Digest entryKey = directMode.match(manifest(directKey), req.cwd());
            CacheEntry hit = entryKey == null ? null : lookup(entryKey, stats);
            if (hit != null) {
                return replayHit(req, inv, hit, stats, Counter.DIRECT_CACHE_HIT);
            }
            stats.count(Counter.DIRECT_CACHE_MISS);
        }
        Step rest = () -> afterDirectLookup(req, stats, inv, keyInv, compiler, how, extraFiles, started, directKey,
                debugInfo);
        return quick ? deferred(rest) : rest.run();
    }

    /** A call that direct mode did not answer: depend mode, or the preprocessor-mode lookup, or a compile. */
    private Outcome afterDirectLookup(CompileRequest req, CallStats stats, Invocation inv, Invocation keyInv,
            CompilerIdentity compiler, Compilation how, List<Digest> extraFiles, long started, Digest directKey,
            boolean debugInfo) throws IOException, InterruptedException {
        if (directKey != null && !req.config().recache() && dependMode(req, inv)) {
            return dependModeMiss(req, inv, compiler, directKey, how.ofSource(), stats, started);
        }
        if (req.config().readOnlyDirect() && !req.config().recache()) {
            return compile(req, inv, null, how.ofSource(), stats, null); // direct lookups only, never stored
        }
        return preprocessorMode(req, inv, keyInv, compiler, how, extraFiles, directKey, debugInfo, started, stats);
    }

    /**
     * The miss path after direct mode: run the preprocessor (its output goes to a temporary
     * file), key the call by its output, look up, and compile on a miss.
     */
    private Outcome preprocessorMode(CompileRequest req, Invocation inv, Invocation keyInv, CompilerIdentity compiler,
            Compilation how, List<Digest> extraFiles, Digest directKey, boolean debugInfo, long started,
            CallStats stats) throws IOException, InterruptedException {
        boolean colored = how.colored();
        String extension = PreprocessedCompile.extension(inv.language(), req.config().cppExtension());
        Path cppFile = null;
        try {

            byte[] preprocessed;
            byte[] cppStderr;
            if (inv.language().isPreprocessed()) {
                preprocessed = Files.readAllBytes(req.cwd().resolve(inv.source()));
                cppStderr = new byte[0];
            } else {
                // As ccache: the output goes to a file (a compiler's exit status on a failed write to a
                // pipe cannot be trusted), which run_second_cpp = false then compiles.
                cppFile = temporaryFiles.create(req, "cpp_stdout.", "." + extension);
                List<String> cppCommand = command(req, req.config().prefixCommandCpp(),
                        preprocessorArgs(req, inv, how, cppFile), null);
                ProcessResult cpp = runner.run(cppCommand, req.cwd(), req.env());
                if (cpp.exitCode() != 0) {
                    LOG.info(() -> "preprocessor failed (" + cpp.exitCode() + "): " + String.join(" ", cppCommand) + "\n"
                            + new String(cpp.stderr(), StandardCharsets.UTF_8));
                    return passthrough(stats, Counter.PREPROCESSOR_ERROR, "preprocessor exited with " + cpp.exitCode());
                }
                preprocessed = Files.readAllBytes(cppFile);
                cppStderr = cpp.stderr();
                how = how.withPreprocessed(cppFile, cppStderr);
            }
            if (hasIncbinDirective(preprocessed)) {
                return passthrough(stats, Counter.UNSUPPORTED_CODE_DIRECTIVE, ".incbin in " + inv.source());
            }
            String device = deviceInclude(req, inv.source(), preprocessed);
            if (device != null) {
                return passthrough(stats, Counter.UNSUPPORTED_CODE_DIRECTIVE, "includes " + device);
            }
            String pch = inv.language().isPreprocessed() ? null : precompiledHeader(req, inv, compiler, preprocessed);
            if (pch != null) {
                return passthrough(stats, Counter.COULD_NOT_USE_PRECOMPILED_HEADER, "precompiled header " + pch);
            }
            if (req.config().debug()) {
                debugFile(req, inv, "cache-input-cpp." + extension, preprocessed, started);
            }
            // Debug info may record the contents of the files read, not only the text they gave
            // (clang's DWARF 5 line tables hold each file's MD5): then those contents are keyed too.
            List<Digest> included = debugInfo ? includedContents(req, inv.source(), preprocessed) : List.of();
            KeyBuilder keyInputs = PreprocessorModeKey.builder(req.config().debug(), compiler, keyInv,
                    req.cwd().toString(), req.env(), preprocessed, cppStderr, colored, extraFiles, included);
            if (how.preprocessed()) {
                // Compiling the preprocessed text gives other diagnostics (and objects, in corner
                // cases) than compiling the source; the file's extension chooses the language.
                keyInputs.add("run_second_cpp", "false").add("cpp_extension", extension);
            }
            Digest key = keyOf(req, inv, "preprocessor", keyInputs, started);
            Outcome outcome = lookupOrCompile(req, inv, key, how, stats);
            // An entry exists under the key after a hit or a stored miss: only then is it worth a manifest result.
            boolean entryStored = stats.counted(Counter.PREPROCESSED_CACHE_HIT) || stats.counted(Counter.LOCAL_STORAGE_WRITE);
            if (directKey != null && entryStored && !req.config().readOnly()) {
                remember(req, inv, compiler, directKey, key, preprocessed, started);
            }
            return outcome;
        } finally {
            if (cppFile != null) {
                Files.deleteIfExists(cppFile);
            }
        }
    }

    /**
     * The {@code run_second_cpp = false} plan for this call, or null when the setting is on.
     * Calls the plan cannot reproduce compile their source, as with the setting on.
     */
    private static PreprocessedCompile.Plan secondCppPlan(CompileRequest req, Invocation inv, CompilerType type) {
        if (req.config().runSecondCpp()) {
            return null;
        }
        PreprocessedCompile.Plan plan = PreprocessedCompile.plan(inv,
                req.args().contains("--ccache-skip"), type, req.config().cppExtension());
        if (!plan.preprocessed()) {
            LOG.fine(() -> "run_second_cpp = false: compiling the source of " + inv.source() + ": "
                    + plan.sourceReason());
        }
        return plan;
    }

    /**
     * The preprocessor run's arguments, writing to {@code out}: the call's preprocessor
     * arguments; with {@code run_second_cpp = false}, ccache's (with the dependency options and
     * the colour option, since that run's diagnostics and .d file are part of the result).
     * keep_comments_cpp adds {@code -C}: comments stay in the text the key hashes.
     */
    private static List<String> preprocessorArgs(CompileRequest req, Invocation inv, Compilation how, Path out) {
        List<String> args;
        if (how.preprocessed()) {
            args = new ArrayList<>(how.plan().preprocessorArgs());
            if (how.colour() != null) {
                args.add(how.colour());
            }
            if (req.config().keepCommentsCpp()) {
                args.add("-C");
            }
            args.addAll(List.of("-E", "-o", out.toString(), inv.source()));
        } else {
            args = new ArrayList<>(inv.preprocessorArgs()); // ends with -E
            if (req.config().keepCommentsCpp()) {
                args.add("-C");
            }
            args.addAll(List.of("-o", out.toString()));
        }
        return args;
    }

    /**
     * The direct-mode key, or {@code null} when direct mode cannot be used for this call
     * (disabled, an option hides preprocessor input, the source mentions {@code __TIME__} or
     * is being written right now).
     */
    private Digest directKey(CompileRequest req, Invocation inv, CompilerIdentity compiler, Compilation how,
            List<Digest> extraFiles, long started) {
        if (!inv.directModeAllowed() || inv.language().isPreprocessed() || !req.config().directMode()) {
            return null;
        }
        FileHashCache.Hashed source;
        try {
            source = hashSource(req, inv);
        } catch (IOException e) {
            return null; // the preprocessor run reports it
        }
        int timeMacros = req.config().sloppiness().contains(Sloppiness.TIME_MACROS) ? 0 : FileHashCache.TIME;
        if ((source.flags() & (timeMacros | FileHashCache.HAS_INCLUDE)) != 0 || tooNew(source, started)) {
            return null;
        }
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneId.systemDefault());
        KeyBuilder key = DirectModeKey.builder(req.config().debug(), compiler, inv, req.cwd().toString(), req.env(),
                source, how.colored(), extraFiles, today);
        if (how.preprocessed() && !dependMode(req, inv)) {
            // A manifest names entries by their preprocessor-mode keys, which differ, but a
            // direct hit must not serve one setting's result to the other either.
            key.add("run_second_cpp", "false").add("cpp_extension",
                    PreprocessedCompile.extension(inv.language(), req.config().cppExtension()));
        }
        return keyOf(req, inv, "direct", key, started);
    }

    /** Digests of the contents of the source and of every file the preprocessor read, in first-inclusion order. */
    private List<Digest> includedContents(CompileRequest req, String source, byte[] preprocessed) {
        List<String> paths = new ArrayList<>();
        paths.add(source);
        for (IncludeScanner.Included inc : IncludeScanner.scan(preprocessed)) {
            paths.add(inc.path());
        }
        List<Digest> out = new ArrayList<>(paths.size());
        for (String p : paths) {
            try {
                out.add(fileHashes.hash(req.cwd().resolve(p)).digest());
            } catch (IOException e) {
                out.add(Digest.of(("unreadable:" + p).getBytes(StandardCharsets.UTF_8)));
            }
        }
        return out;
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

    private static final DateTimeFormatter DEBUG_STAMP = DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss_SSSSSS");

    /**
     * Builds a key; with {@code debug} set, also writes its inputs as text next to the object
     * (or under {@code debug_dir}, at the object's absolute path), one file per key and call:
     * {@code <object>.<time>.cache-key-<kind>.txt}, {@code <time>} the call's start, as in ccache
     * (one call's files share it). Diffing two of them shows why a call missed.
     */
    private Digest keyOf(CompileRequest req, Invocation inv, String kind, KeyBuilder key, long started) {
        Digest d = key.build();
        if (!req.config().debug()) {
            return d;
        }
        debugFile(req, inv, "cache-key-" + kind + ".txt",
                ("key " + d + "\n" + key.explanation()).getBytes(StandardCharsets.UTF_8), started);
        return d;
    }

    /**
     * Writes a debug file {@code <object>.<time>.<suffix>} next to the object or under {@code
     * debug_dir}; {@code started}, the call's start in epoch nanoseconds, gives {@code <time>}.
     */
    private void debugFile(CompileRequest req, Invocation inv, String suffix, byte[] content, long started) {
        Path object = req.cwd().resolve(inv.object()).normalize();
        String debugDir = req.config().debugDir();
        Path base = debugDir.isEmpty() ? object
                : req.cwd().resolve(debugDir).resolve(object.toString().substring(1));
        String stamp = DEBUG_STAMP.format(LocalDateTime.ofInstant(Instant.ofEpochSecond(0, started),
                ZoneId.systemDefault()));
        Path out = base.resolveSibling(base.getFileName() + "." + stamp + "." + suffix);
        try {
            Files.createDirectories(out.getParent());
            Files.write(out, content);
        } catch (IOException | RuntimeException e) {
            LOG.warning("debug: cannot write " + out + ": " + e.getMessage());
        }
    }

    /**
     * A file the preprocessor read from {@code /dev} or {@code /proc} ({@code #include
     * "/dev/stdin"}, {@code /proc/self/fd/N}, a FIFO made a device …), or null; the source and
     * every header, also when reached through a symbolic link ({@code evil.h -> /dev/stdin}, a
     * source that is such a link). What such a file gives depends on the process that reads it,
     * and the daemon's preprocessor is not the caller's compiler: the client compiles such a
     * call itself. A file whose real path cannot be found counts too.
     */
    private static String deviceInclude(CompileRequest req, String source, byte[] preprocessed) {
        if (readsProcessFile(req.cwd(), source)) {
            return source;
        }
        for (IncludeScanner.Included inc : IncludeScanner.scan(preprocessed)) {
            String p = inc.path();
            if (!p.startsWith("<") && readsProcessFile(req.cwd(), p)) { // not <built-in>, <command-line>
                return p;
            }
        }
        return null;
    }

    private static final Path DEV_NULL = Path.of("/dev/null");
    /**
     * {@code /dev/null} as a source, as build systems' flag probes use it ({@code -x c /dev/null}):
     * empty for every process that reads it, so the same input for the daemon as for the caller,
     * and, as in ccache, direct mode answers it (its timestamps move with every write to it).
     */
    private static final FileHashCache.Hashed EMPTY_SOURCE = new FileHashCache.Hashed(Digest.of(new byte[0]),
            new FileStat(0, 0, 0, 0, 0, false, false), 0);

    /** The source's digest and stat data (see {@link #EMPTY_SOURCE} for {@code /dev/null}). */
    private FileHashCache.Hashed hashSource(CompileRequest req, Invocation inv) throws IOException {
        Path source = req.cwd().resolve(inv.source());
        return source.normalize().equals(DEV_NULL) ? EMPTY_SOURCE : fileHashes.hash(source);
    }

    private static boolean readsProcessFile(Path cwd, String path) {
        try {
            Path abs = cwd.resolve(path).normalize();
            if (abs.equals(DEV_NULL)) {
                return false; // by its name only: a link to it may stand for the caller's stdin
            }
            return inProcessTree(abs) || inProcessTree(abs.toRealPath());
        } catch (IOException | RuntimeException e) {
            return true;
        }
    }

    private static boolean inProcessTree(Path abs) {
        return abs.startsWith("/dev") || abs.startsWith("/proc");
    }

    /**
     * A precompiled header the compile could read in place of a header the preprocessor
     * output names (see {@link DirectMode#precompiledHeader}), or null. The preprocessor does
     * not read it, so its contents would be missing from the key.
     */
    private String precompiledHeader(CompileRequest req, Invocation inv, CompilerIdentity compiler, byte[] preprocessed)
            throws IOException, InterruptedException {
        // clang's driver swaps "-include X" for the X.pch (or .gch) beside it even for the
        // preprocessor run, whose output then does not name X at all: look there first.
        List<String> args = inv.preprocessorArgs();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String file = a.equals("-include") || a.equals("--include") ? (i + 1 < args.size() ? args.get(i + 1) : null)
                    : a.startsWith("--include=") ? a.substring("--include=".length())
                    : a.startsWith("-include") && !a.startsWith("-include-") ? a.substring("-include".length()) : null;
            if (file != null && !file.isEmpty()) {
                for (String ext : List.of(".gch", ".pch")) {
                    if (Files.exists(req.cwd().resolve(file + ext))) {
                        return file + ext;
                    }
                }
            }
        }
        List<IncludeScanner.Included> included = IncludeScanner.scan(preprocessed);
        SearchPath search = searchPaths.searchPath(compiler, inv.language().gccName(), inv.preprocessorArgs(),
                inv.source(), req.cwd(), req.env());
        if (search != null) {
            return directMode.precompiledHeader(included, search, req.cwd(),
                    DirectMode.commandLineIncludes(inv.preprocessorArgs()));
        }
        for (IncludeScanner.Included inc : included) { // search path unknown: at least beside each header
            for (String ext : List.of(".gch", ".pch")) {
                if (Files.exists(req.cwd().resolve(inc.path() + ext))) {
                    return inc.path() + ext;
                }
            }
        }
        return null;
    }

    /** Adds this call's result to the manifest under {@code directKey}, when it may be remembered. */
    private void remember(CompileRequest req, Invocation inv, CompilerIdentity compiler, Digest directKey, Digest key,
            byte[] preprocessed, long started) throws IOException, InterruptedException {
        FileHashCache.Hashed source = hashSource(req, inv);
        if (tooNew(source, started)) {
            return;
        }
        SearchPath search = searchPaths.searchPath(compiler, inv.language().gccName(), inv.preprocessorArgs(),
                inv.source(), req.cwd(), req.env());
        if (search == null) {
            return;
        }
        Manifest.Result result = directMode.record(key,
                DirectMode.withoutIgnored(IncludeScanner.scan(preprocessed), req.config().ignoreHeadersInManifest(),
                        req.cwd()),
                search, req.cwd(), started - TOO_NEW_NANOS, DirectMode.commandLineIncludes(inv.preprocessorArgs()));
        if (result != null) {
            manifests.update(directKey, old -> Manifest.decode(old).with(result, MANIFEST_RESULTS).encode(),
                    req.config().namespace());
        }
    }

    /**
     * The working directory as the user sees it: {@code $PWD} when it names the same directory
     * as the real one (a checkout reached through a symbolic link), as ccache does.
     */
    static Path apparentCwd(CompileRequest req) {
        String pwd = req.env().get("PWD");
        if (pwd != null && pwd.startsWith("/") && !pwd.equals(req.cwd().toString())) {
            try {
                if (Files.isSameFile(Path.of(pwd), req.cwd())) {
                    return Path.of(pwd);
                }
            } catch (IOException | RuntimeException e) {
                // not the same directory, or gone: the real one
            }
        }
        return req.cwd();
    }

    private static boolean tooNew(FileHashCache.Hashed f, long started) {
        return f.stat().mtimeNanos() >= started - TOO_NEW_NANOS || f.stat().ctimeNanos() >= started - TOO_NEW_NANOS;
    }

    private long epochNanos() {
        java.time.Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private Outcome lookupOrCompile(CompileRequest req, Invocation inv, Digest key, Compilation how, CallStats stats)
            throws IOException, InterruptedException {
        if (req.config().recache() || req.config().readOnly()) {
            // recache: never a hit, always a new entry; read_only: never an entry, so nothing to share.
            CacheEntry hit = req.config().recache() ? null : lookup(key, stats);
            if (hit != null) {
                return replayHit(req, inv, hit, stats, Counter.PREPROCESSED_CACHE_HIT);
            }
            return compile(req, inv, key, how, stats, null);
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
            return compile(req, inv, key, how, stats, null);
        }
        return compile(req, inv, key, how, stats, ticket);
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
            OutputFiles.write(req.cwd(), inv.outputs(), hit.outputs(), req.umask(), daemonUmask);
        } catch (IOException e) {
            // Unwritable directory, disk full …: the compiler, run by the client, says it its own way.
            stats.count(Counter.BAD_OUTPUT_FILE);
            return new Outcome.Fallback("cannot write outputs: " + e.getMessage());
        }
        stats.count(kind);
        stats.count(Counter.LOCAL_STORAGE_HIT);
        return replay(req, hit.stdout(), hit.stderr(), hit.exitCode());
    }

    private Outcome compile(CompileRequest req, Invocation inv, Digest key, Compilation how, CallStats stats,
            InFlight.Ticket ticket) throws IOException, InterruptedException {
        CacheEntry stored = null;
        try {
            // As ccache 4.7 counts: recache is its own counter, not a miss; read_only_direct
            // (key == null) never looked in preprocessor mode.
            if (req.config().recache()) {
                stats.count(Counter.RECACHE);
            } else if (key != null) {
                stats.count(Counter.PREPROCESSED_CACHE_MISS);
                stats.count(Counter.LOCAL_STORAGE_MISS);
            }
            Compiled c = runCompile(req, inv, how, stats);
            countMiss(req, stats, c, key == null);
            if (c.entry() == null || key == null || req.config().readOnly()) {
                return c.replay();
            }
            store.put(key, c.entry(), req.config().namespace());
            stats.count(Counter.LOCAL_STORAGE_WRITE);
            stored = c.entry();
            return c.replay();
        } finally {
            if (ticket != null) {
                inFlight.finish(key, ticket, stored);
            }
        }
    }

    /**
     * Whether a direct miss is compiled in depend mode: asked for, and the compiler writes a
     * full dependency file ({@code -MD}). With {@code -MMD} the file leaves out system headers,
     * whose changes would go unseen, so such calls take the preprocessor route instead.
     */
    private static boolean dependMode(CompileRequest req, Invocation inv) {
        if (!req.config().dependMode() || !inv.outputs().containsKey(OutputKind.DEPENDENCY)) {
            return false;
        }
        for (String a : inv.compileArgs()) {
            if (a.equals("-MMD") || a.startsWith("-Wp,-MMD,")) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code cache_miss} as ccache 4.7 counts it: a compile that gave a result (a failed compile,
     * or one with stdout or a missing or empty output, counts only its own reason), and every
     * compile in read-only and read-only-direct mode, which ccache counts before running it.
     */
    private static void countMiss(CompileRequest req, CallStats stats, Compiled c, boolean readOnlyDirect) {
        if (!req.config().recache() && (c.entry() != null || req.config().readOnly() || readOnlyDirect)) {
            stats.count(Counter.CACHE_MISS);
        }
    }

    /** A compile's answer to the client, and the entry to store ({@code null} when it must not be cached). */
    private record Compiled(Outcome replay, CacheEntry entry) {}

    /**
     * Runs the real compile and collects what it wrote; counts the miss and any reason not to cache.
     *
     * <p>Compiling the preprocessed text ({@code run_second_cpp = false}), the result's stderr is
     * the preprocessor's followed by the compiler's, as ccache stores it; and when that compile
     * leaves nothing to cache (stdout, a missing or empty output) the call is handed back to the
     * client, which runs the command as given, as ccache does: what the compile of the
     * temporary file printed is not what the user's command prints.
     */
    private Compiled runCompile(CompileRequest req, Invocation inv, Compilation how, CallStats stats)
            throws IOException, InterruptedException {
        List<String> args = inv.compileArgs();
        if (how.compilesPreprocessed()) {
            args = new ArrayList<>(how.plan().compileArgs());
            if (how.colour() != null) {
                args.add(how.colour());
            }
            args.addAll(List.of("-o", inv.object(), how.preprocessedFile().toString()));
        }
        ProcessResult r = runner.run(command(req, req.config().prefixCommand(), args,
                how.compilesPreprocessed() ? null : how.colour()), req.cwd(), req.env());
        byte[] stderr = how.compilesPreprocessed() ? concat(how.cppStderr(), r.stderr()) : r.stderr();
        Outcome replay = replay(req, r.stdout(), stderr, r.exitCode());
        if (r.exitCode() != 0) {
            stats.count(Counter.COMPILE_FAILED);
            return new Compiled(replay, null);
        }
        Counter notCached = null;
        OutputFiles.Collected files = null;
        if (r.stdout().length > 0) {
            notCached = Counter.COMPILER_PRODUCED_STDOUT;
        } else {
            files = OutputFiles.collect(req.cwd(), inv.outputs());
            if (files.missing() != null) {
                notCached = Counter.COMPILER_PRODUCED_NO_OUTPUT;
                LOG.info("compiler did not write " + inv.outputs().get(files.missing()) + "; not cached");
            } else if (files.empty() != null) {
                notCached = Counter.COMPILER_PRODUCED_EMPTY_OUTPUT;
            }
        }
        if (notCached != null) {
            stats.count(notCached);
            return new Compiled(how.compilesPreprocessed()
                    ? new Outcome.Passthrough(notCached.id() + ": compiling the preprocessed text") : replay, null);
        }
        if (req.umask() != daemonUmask) {
            OutputFiles.applyUmask(req.cwd(), inv.outputs(), req.umask());
        }
        return new Compiled(replay, new CacheEntry(r.exitCode(), r.stdout(), stderr, files.files()));
    }

    /** What the client prints: with absolute_paths_in_stderr, the diagnostics' paths made absolute. */
    private static Outcome.Replay replay(CompileRequest req, byte[] stdout, byte[] stderr, int exitCode) {
        byte[] err = req.config().absolutePathsInStderr() && stderr.length > 0
                ? StderrPaths.absolute(stderr, req.cwd()) : stderr;
        return new Outcome.Replay(stdout, err, exitCode);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /**
     * Depend mode after a direct miss: no preprocessor run. The compile writes its dependency
     * file; the entry key is the direct key plus every file that file lists with its contents,
     * and the result is added to the manifest like any other.
     */
    private Outcome dependModeMiss(CompileRequest req, Invocation inv, CompilerIdentity compiler, Digest directKey,
            Compilation how, CallStats stats, long started) throws IOException, InterruptedException {
        stats.count(Counter.LOCAL_STORAGE_MISS);
        Compiled c = runCompile(req, inv, how, stats);
        countMiss(req, stats, c, req.config().readOnlyDirect());
        if (c.entry() == null || req.config().readOnly() || req.config().readOnlyDirect()) {
            return c.replay();
        }
        byte[] depFile = c.entry().outputs().get(OutputKind.DEPENDENCY);
        List<String> deps = DependencyFile.prerequisites(depFile);
        if (deps.isEmpty()) {
            LOG.info("depend mode: no prerequisites in " + inv.outputs().get(OutputKind.DEPENDENCY) + "; not cached");
            return c.replay();
        }
        KeyBuilder key = (req.config().debug() ? KeyBuilder.explaining() : KeyBuilder.create())
                .add("mode", "depend").add("direct", directKey);
        for (String dep : deps.subList(1, deps.size())) { // the first is the source, already in the direct key
            FileHashCache.Hashed h;
            try {
                h = fileHashes.hash(req.cwd().resolve(dep));
            } catch (IOException e) {
                return c.replay(); // listed but unreadable now: nothing to remember
            }
            key.add("path", dep).add("file", h.digest());
        }
        Digest entryKey = keyOf(req, inv, "depend", key, started);
        store.put(entryKey, c.entry(), req.config().namespace());
        stats.count(Counter.LOCAL_STORAGE_WRITE);
        FileHashCache.Hashed source = hashSource(req, inv);
        if (!tooNew(source, started)) {
            SearchPath search = searchPaths.searchPath(compiler, inv.language().gccName(),
                    inv.preprocessorArgs(), inv.source(), req.cwd(), req.env());
            Manifest.Result result = search == null ? null
                    : directMode.recordFromDependencies(entryKey, inv.source(), deps.subList(1, deps.size()), search,
                            req.cwd(), started - TOO_NEW_NANOS, DirectMode.commandLineIncludes(inv.preprocessorArgs()),
                            req.config().ignoreHeadersInManifest());
            if (result != null) {
                manifests.update(directKey, old -> Manifest.decode(old).with(result, MANIFEST_RESULTS).encode(),
                        req.config().namespace());
            }
        }
        return c.replay();
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
    private static List<String> command(CompileRequest req, String prefix, List<String> args, String colour) {
        List<String> cmd = new ArrayList<>(args.size() + 4);
        if (!prefix.isEmpty()) {
            cmd.addAll(CallSettings.prefix(prefix, req.cwd(), req.env()));
        }
        cmd.add(req.compiler().toString());
        if (colour != null) {
            cmd.add(colour);
        }
        cmd.addAll(args);
        return cmd;
    }

    /**
     * Whether the preprocessed text holds an assembler {@code .incbin "file"} directive (in an
     * assembler source, or inside an {@code asm} string as {@code .incbin \"file\"}): the
     * assembler reads that file, which no key covers. Only the directive's shape counts, as in
     * ccache 4.7 ({@code .incbin} then optional blanks, an optional backslash and a quote); the
     * word elsewhere (a member {@code s.incbin_size}, prose in a string) is no file read.
     */
    static boolean hasIncbinDirective(byte[] text) {
        outer:
        for (int i = 0, n = text.length - INCBIN.length; i <= n; i++) {
            for (int j = 0; j < INCBIN.length; j++) {
                if (text[i + j] != INCBIN[j]) {
                    continue outer;
                }
            }
            int k = i + INCBIN.length;
            while (k < text.length && (text[k] == ' ' || text[k] == '\t')) {
                k++;
            }
            if (k < text.length && text[k] == '\\') {
                k++;
            }
            if (k < text.length && text[k] == '"') {
                return true;
            }
        }
        return false;
    }
}
