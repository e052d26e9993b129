package cache.frontend.pipeline;

import cache.compat.Counter;
import cache.compat.config.CompilerType;
import cache.compat.config.Config;
import cache.compat.config.Sloppiness;
import cache.frontend.args.Analysis;
import cache.frontend.args.ArgumentAnalyzer;
import cache.frontend.args.BaseDir;
import cache.frontend.args.Invocation;
import cache.frontend.args.PreprocessedCompile;
import cache.frontend.args.PrefixMaps;
import cache.frontend.args.Uncacheable;
import cache.frontend.key.CompilerFamily;
import cache.frontend.key.CompilerIdentity;
import cache.frontend.key.KeyEnvironment;
import cache.frontend.key.KeyInputs;
import cache.hashing.Digest;
import cache.hashing.FileStat;
import cache.hashing.FileWatch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;

/**
 * The first stage of a call: from the client's request to a {@link Call}, or to the reason it
 * is not cacheable. Applies the configuration's compiler choice, {@code base_dir}, the argument
 * analysis, the compiler family's limits, {@code compiler_check}, and reads the files every key
 * includes.
 */
final class CallPreparation {

    private static final Logger LOG = Logger.getLogger(CallPreparation.class.getName());

    /** What preparing a call gave. */
    sealed interface Prepared {}

    /** A cacheable call. */
    record Ready(Call call) implements Prepared {}

    /** An answer already: not cacheable, disabled, no compiler (counted by then). */
    record Answered(Outcome outcome) implements Prepared {}

    /** Preparing needs a thread that may block (a compiler check command, large files); nothing counted yet. */
    record NeedsThread() implements Prepared {}

    private final CompilerCheck compilerCheck;
    /** Compilers (as identified for keys) that failed on the family's colour option: compiled without it. */
    private final Set<CompilerIdentity> refusesColour;

    private final CompilerFiles compilers;

    CallPreparation(CompilerCheck compilerCheck, Set<CompilerIdentity> refusesColour, CompilerFiles compilers) {
        this.compilerCheck = compilerCheck;
        this.refusesColour = refusesColour;
        this.compilers = compilers;
    }

    /**
     * @param req the request with the configured compiler (see {@link #configured})
     * @param quick whether this thread must not block: then {@link NeedsThread} instead
     */
    Prepared prepare(CompileRequest req, CallStats stats, boolean quick) throws IOException, InterruptedException {
        Config config = req.config();
        if (config.disable()) {
            return new Answered(new Outcome.Passthrough("disabled by the configuration")); // ccache counts nothing either
        }
        // base_dir: the command is analysed, hashed and run with paths under it made relative.
        String baseDir = config.baseDir();
        List<String> asked = config.sloppiness().contains(Sloppiness.CLANG_INDEX_STORE)
                ? withoutIndexStorePath(req.args()) : req.args();
        List<String> args = baseDir.isEmpty() ? asked : BaseDir.rewrite(asked, baseDir, apparentCwd(req));
        // One analysis; with base_dir the .d's rule target is the object as typed (see analyze).
        Analysis analysis = ArgumentAnalyzer.analyze(args, asked, req.cwd(), req.env());
        if (analysis instanceof Uncacheable u) {
            return answered(stats, u.counter(), u.reason());
        }
        Invocation analysed = (Invocation) analysis;
        FileWatch watch = compilers.watch();
        Uncacheable misplaced = misplacedFiles(analysed, req.cwd(),
                watch == null ? null : watch.session(stats.startNanos()));
        if (misplaced != null) {
            return answered(stats, misplaced.counter(), misplaced.reason());
        }
        CompilerFiles.Facts facts;
        try {
            facts = compilers.of(req.compiler(), stats.startNanos());
        } catch (IOException e) {
            return answered(stats, Counter.COULD_NOT_FIND_COMPILER, e.getMessage());
        }
        // compiler_type: families whose command lines we do not parse run uncached.
        CompilerType type = config.compilerType() == CompilerType.AUTO ? facts.guess() : config.compilerType();
        Uncacheable refused = CompilerFamily.refusal(type, analysed.compileArgs());
        if (refused != null) {
            return answered(stats, refused.counter(), refused.reason());
        }
        boolean debugInfo = analysed.hashCwd(); // -g or coverage: outputs describe the sources
        // The call keeps what its outputs really embed (a builder must know); hash_dir = false
        // only leaves the cwd out of its keys.
        Invocation inv = analysed;
        Invocation keyed = config.hashDir() ? analysed : analysed.withoutCwdInKey();
        CompilerIdentity compiler;
        Digest compilerChecked;
        try {
            CompilerIdentity found = CompilerIdentity.of(req.compilerName(), req.compiler(), facts.stat());
            if (quick && !compilerCheck.ready(found, req.compilerName(), config.compilerCheck())) {
                return new NeedsThread(); // its command runs once per compiler
            }
            compilerChecked = compilerCheck.digest(found, req.compilerName(), config.compilerCheck(), req.cwd(), req.env());
            compiler = CompilerCheck.identity(found, config.compilerCheck());
        } catch (IOException e) {
            return answered(stats, Counter.COULD_NOT_FIND_COMPILER, e.getMessage());
        } catch (CompilerCheck.FailedException e) {
            return answered(stats, Counter.COMPILER_CHECK_FAILED, e.getMessage());
        }
        // ccache's colours: every compile coloured, the caller's choice only decides the replay;
        // not for a compiler that refused the option (gcc before 4.9), as ccache retries without it.
        String colourOption = refusesColour.contains(compiler) ? null : CompilerFamily.colourOption(type, inv.language());
        if (colourOption == null && !inv.colourArgs().isEmpty()) {
            // No colour option of ours to force: the caller's colour options decide the compile's stderr.
            keyed = keyed.withKeyArgs(keyed.compileArgs(), withColourArgs(keyed.keyArgs(), inv),
                    withColourArgs(keyed.directKeyArgs(), inv));
        }
        boolean stripsColours = colourOption != null
                && !inv.colour().keepsColours(req.stderrIsTerminal(), req.env().get("TERM"));
        if (quick && (!inv.hashedFiles().isEmpty() || !config.extraFilesToHash().isEmpty())) {
            // Files read whole on every call (profiles, extra_files_to_hash) may be large: not on the event loop.
            return new NeedsThread();
        }
        Compilation how = new Compilation(colourOption, stripsColours, secondCppPlan(req, inv, type), null, null);
        List<Digest> extraFiles = new ArrayList<>();
        for (String f : inv.hashedFiles()) {
            try {
                extraFiles.add(Digest.of(Files.readAllBytes(req.cwd().resolve(f))));
            } catch (IOException e) {
                // gcc may find it in its own directories; we cannot tell which file it reads.
                return answered(stats, Counter.UNSUPPORTED_COMPILER_OPTION, "cannot read " + f);
            }
        }
        // ccache's extra_files_to_hash, namespace and compiler_check: more inputs of every key.
        for (String f : config.extraFilesToHash().split(":")) {
            if (f.isEmpty()) {
                continue;
            }
            try {
                extraFiles.add(Digest.of(Files.readAllBytes(req.cwd().resolve(f))));
            } catch (IOException e) {
                return answered(stats, Counter.ERROR_HASHING_EXTRA_FILE, "cannot read " + f);
            }
        }
        if (!config.namespace().isEmpty()) {
            extraFiles.add(Digest.of(("namespace " + config.namespace()).getBytes(StandardCharsets.UTF_8)));
        }
        if (compilerChecked != null) {
            extraFiles.add(compilerChecked);
        }
        String preprocessedExtension = how.preprocessed()
                ? PreprocessedCompile.extension(inv.language(), config.cppExtension()) : null;
        // -fdebug-prefix-map of the cwd: keyed relative to it, and the cwd keyed as the compiler writes it.
        // The compiler writes the apparent directory (PWD) when it is the real one, as ccache hashes it.
        String cwd = req.cwd().toString();
        String apparent = apparentCwd(req).toString();
        keyed = keyed.withKeyArgs(keyed.compileArgs(),
                PrefixMaps.keyed(PrefixMaps.keyed(keyed.keyArgs(), apparent), cwd),
                PrefixMaps.keyed(PrefixMaps.keyed(keyed.directKeyArgs(), apparent), cwd));
        String mappedCwd = PrefixMaps.mappedCwd(keyed.compileArgs(), apparent);
        KeyInputs keys = new KeyInputs(compiler, CallSettings.withoutIgnored(keyed, config.ignoreOptions()),
                keyed.hashCwd() ? (mappedCwd.equals(apparent) ? cwd : mappedCwd)
                        : apparent, // the directory line gcc writes (PWD), left out of the text hashed
                KeyEnvironment.forKey(req.env(), config.sloppiness().contains(Sloppiness.LOCALE)), List.copyOf(extraFiles), preprocessedExtension,
                config.debug());
        return new Ready(new Call(req, stats, inv, how, keys, stats.started(), debugInfo, compilers.watch()));
    }

    private static List<String> withColourArgs(List<String> key, Invocation inv) {
        List<String> out = new ArrayList<>(key);
        out.add("[colour]");
        out.addAll(inv.colourArgs());
        return List.copyOf(out);
    }

    /**
     * ccache's checks of the files a call names, before anything runs: a source that is not a
     * regular file is no input ({@code /dev/null} excepted, a common probe); an object path that
     * exists but is not a regular file (a directory), or whose directory does not exist, is a bad
     * output file ({@code /dev/null} excepted). The compiler, run as asked, then says why.
     */
    static Uncacheable misplacedFiles(Invocation inv, Path cwd, FileWatch.Session watched) throws IOException {
        if (!inv.source().equals("/dev/null")) {
            Path path = cwd.resolve(inv.source());
            FileStat source = watched == null ? FileStat.ofOrNull(path) : watched.statOrNull(path.toString());
            // A link is not judged here: followed by the daemon it may name the daemon's own
            // file (src.c -> /dev/stdin); the preprocessor run finds what the caller's names.
            if ((source == null || !source.regular()) && !Files.isSymbolicLink(path)) {
                return new Uncacheable(Counter.NO_INPUT_FILE, inv.source() + " is not a regular file");
            }
        }
        String object = inv.object();
        if (object.equals("/dev/null")) {
            return null;
        }
        Path target = cwd.resolve(object);
        FileStat existing = FileStat.ofOrNull(target);
        if (existing != null && !existing.regular()) {
            return new Uncacheable(Counter.BAD_OUTPUT_FILE, object + " is not a regular file");
        }
        Path dir = target.getParent();
        FileStat parent = dir == null ? null : FileStat.ofOrNull(dir);
        if (parent == null || !parent.directory()) {
            return new Uncacheable(Counter.BAD_OUTPUT_FILE, "the directory of " + object + " does not exist");
        }
        return null;
    }

    private static Answered answered(CallStats stats, Counter why, String reason) {
        stats.count(why);
        return new Answered(new Outcome.Passthrough(why.id() + ": " + reason));
    }

    /**
     * The {@code run_second_cpp = false} plan for this call, or null when the setting is on.
     * Calls the plan cannot reproduce compile their source, as with the setting on.
     */
    private static PreprocessedCompile.Plan secondCppPlan(CompileRequest req, Invocation inv, CompilerType type) {
        if (req.config().runSecondCpp()) {
            return null;
        }
        PreprocessedCompile.Plan plan = PreprocessedCompile.plan(inv, inv.verbatim(), type,
                req.config().cppExtension());
        if (!plan.preprocessed()) {
            LOG.fine(() -> "run_second_cpp = false: compiling the source of " + inv.source() + ": "
                    + plan.sourceReason());
        }
        return plan;
    }

    /**
     * The call with {@code compiler} (force the compiler), {@code path} (where to look for it)
     * and {@code umask} (for the outputs written) applied; null when the compiler is not found.
     * As in ccache, a compiler named without a slash is searched in {@code path} when it is
     * set, else in the caller's {@code PATH}, skipping links back to this cache or to ccache; a
     * compiler the client was given by path is not searched again.
     */
    static CompileRequest configured(CompileRequest req, Path clientBinary, CompilerFiles compilers, long since)
            throws IOException {
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
        Config config = req.config();
        Path distcc;
        try {
            distcc = compilers.of(compiler, since).distcc();
        } catch (IOException e) {
            distcc = null; // unreadable: the preparation says so
        }
        DistccMasquerade.Behind behind = DistccMasquerade.resolve(compiler, distcc,
                searchPath.isEmpty() ? req.env().getOrDefault("PATH", "/usr/bin:/bin") : searchPath, req.cwd(),
                c -> CallSettings.isCacheItself(c, clientBinary));
        if (behind != null) {
            Path link = compiler;
            LOG.fine(() -> link + " is distcc's masquerade link: compiling with " + behind.realCompiler()
                    + " and " + behind.distcc() + " as prefix_command");
            compiler = behind.realCompiler();
            config = config.withPrefixCommand(DistccMasquerade.prefixWith(config.prefixCommand(), behind.distcc()));
        }
        int umask = config.umask().orElse(req.umask());
        if (compiler.equals(req.compiler()) && umask == req.umask() && config == req.config()) {
            return req;
        }
        return new CompileRequest(name, compiler, req.args(), req.cwd(), req.env(), umask, req.stderrIsTerminal(),
                config, req.clientPid(), req.clientClock());
    }

    /**
     * The compiler the client runs when the call is not cached: the configured one, except that
     * distcc's masquerade link found by the client stays itself, so an uncacheable call (a link, a
     * call ccache would not cache) goes through distcc as it did before {@code cache} stood in front.
     */
    static Path clientCompiler(CompileRequest original, CompileRequest configured) {
        if (configured.compiler().equals(original.compiler())) {
            return original.compiler();
        }
        if (original.config().compiler().isEmpty() && DistccMasquerade.distccOf(original.compiler()) != null) {
            return original.compiler();
        }
        return configured.compiler();
    }

    /**
     * The working directory as the user sees it: {@code $PWD} when it names the same directory
     * as the real one (a checkout reached through a symbolic link), as ccache does.
     */
    /**
     * {@code sloppiness = clang_index_store}: {@code -index-store-path DIR} is dropped from the
     * call, neither keyed nor run, as ccache 4.7 drops it (Xcode passes a directory named by a
     * UUID; the index store is an editor's side output, not the compile's).
     */
    static List<String> withoutIndexStorePath(List<String> args) {
        int at = args.indexOf("-index-store-path");
        if (at < 0) {
            return args;
        }
        List<String> out = new ArrayList<>(args.size());
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals("-index-store-path")) {
                i++; // and its directory
                continue;
            }
            out.add(args.get(i));
        }
        return out;
    }

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
}
