package cache.frontend.pipeline;

import cache.compat.Counter;
import cache.frontend.args.Invocation;
import cache.process.ProcessResult;
import cache.process.ProcessRunner;
import cache.frontend.key.DirectMode;
import cache.frontend.key.IncludeScanner;
import cache.frontend.key.SearchPath;
import cache.frontend.key.SearchPathProbe;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * The preprocessor run of a preprocessor-mode call, and the checks its text allows: whether
 * the compile would read something the text does not show ({@code .incbin}, a file of the
 * calling process, a precompiled header). Its output goes to a temporary file, as in ccache (a
 * compiler's exit status on a failed write to a pipe cannot be trusted), which {@code
 * run_second_cpp = false} then compiles.
 */
final class PreprocessorRun {

    private static final Logger LOG = Logger.getLogger(PreprocessorRun.class.getName());
    private static final byte[] INCBIN = ".incbin".getBytes(StandardCharsets.US_ASCII);
    private static final Path DEV_NULL = Path.of("/dev/null");

    /**
     * The preprocessed text of a call, or why the call is not cacheable ({@link #refusal}, counted).
     * Closing it removes the temporary file.
     *
     * @param file the temporary file holding the text, or null (an input already preprocessed)
     */
    record Preprocessed(byte[] text, byte[] stderr, Path file, Outcome refusal) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            if (file != null) {
                Files.deleteIfExists(file);
            }
        }
    }

    private final ProcessRunner runner;
    private final TemporaryFiles temporaryFiles;
    private final SearchPathProbe searchPaths;
    private final DirectMode directMode;
    /** Shared with {@link CallPreparation}: compilers that failed on the colour option. */
    private final java.util.Set<cache.frontend.key.CompilerIdentity> refusesColour;

    PreprocessorRun(ProcessRunner runner, TemporaryFiles temporaryFiles, SearchPathProbe searchPaths,
            DirectMode directMode, java.util.Set<cache.frontend.key.CompilerIdentity> refusesColour) {
        this.runner = runner;
        this.temporaryFiles = temporaryFiles;
        this.searchPaths = searchPaths;
        this.directMode = directMode;
        this.refusesColour = refusesColour;
    }

    Preprocessed run(Call call) throws IOException, InterruptedException {
        Invocation inv = call.inv;
        if (inv.language().isPreprocessed()) {
            return checked(call, new Preprocessed(Files.readAllBytes(call.cwd().resolve(inv.source())), new byte[0],
                    null, null));
        }
        Path file = temporaryFiles.create(call.req, "cpp_stdout.", "." + extension(call));
        boolean handedOver = false;
        try {
            List<String> command = call.command(call.config().prefixCommandCpp(), arguments(call, file), null);
            ProcessResult cpp = runner.run(command, call.cwd(), call.req.env());
            if (cpp.exitCode() != 0) {
                LOG.info(() -> "preprocessor failed (" + cpp.exitCode() + "): " + String.join(" ", command) + "\n"
                        + new String(cpp.stderr(), StandardCharsets.UTF_8));
                Files.deleteIfExists(file);
                handedOver = true;
                if (call.how.preprocessed() && call.how.colour() != null
                        && CompilePipeline.refusedColour(cpp.stderr(), call.how.colour())) {
                    refusesColour.add(call.keys.compiler()); // an old gcc: later calls without the option
                }
                return new Preprocessed(null, null, null,
                        call.passthrough(Counter.PREPROCESSOR_ERROR, "preprocessor exited with " + cpp.exitCode()));
            }
            Preprocessed p = checked(call, new Preprocessed(Files.readAllBytes(file), cpp.stderr(), file, null));
            handedOver = true;
            return p;
        } finally {
            if (!handedOver) {
                Files.deleteIfExists(file);
            }
        }
    }

    /** The temporary file's extension, without the dot: {@code cpp_extension}, else the language's. */
    private static String extension(Call call) {
        return cache.frontend.args.PreprocessedCompile.extension(call.inv.language(), call.config().cppExtension());
    }

    /**
     * The preprocessor run's arguments, writing to {@code out}: the call's preprocessor
     * arguments; with {@code run_second_cpp = false}, ccache's (with the dependency options and
     * the colour option, since that run's diagnostics and .d file are part of the result).
     * keep_comments_cpp adds {@code -C}: comments stay in the text the key hashes.
     */
    private static List<String> arguments(Call call, Path out) {
        Compilation how = call.how;
        List<String> args;
        if (how.preprocessed()) {
            args = new ArrayList<>(how.plan().preprocessorArgs());
            if (how.colour() != null) {
                args.add(how.colour());
            }
            if (call.config().keepCommentsCpp()) {
                args.add("-C");
            }
            args.addAll(List.of("-E", "-o", out.toString(), call.inv.source()));
        } else {
            args = new ArrayList<>(call.inv.preprocessorArgs()); // ends with -E
            if (call.config().keepCommentsCpp()) {
                args.add("-C");
            }
            args.addAll(List.of("-o", out.toString()));
        }
        return args;
    }

    /** {@code p}, or a refusal when its text shows that the compile reads more than the key covers. */
    private Preprocessed checked(Call call, Preprocessed p) throws IOException, InterruptedException {
        Invocation inv = call.inv;
        String why = null;
        Counter counter = null;
        if (hasIncbinDirective(p.text())) {
            counter = Counter.UNSUPPORTED_CODE_DIRECTIVE;
            why = ".incbin in " + inv.source();
        } else {
            IncludeScanner.Scanned scanned = IncludeScanner.read(p.text()); // one pass for both checks
            String device = deviceInclude(call.cwd(), inv.source(), scanned.included());
            if (device != null) {
                counter = Counter.UNSUPPORTED_CODE_DIRECTIVE;
                why = "includes " + device;
            } else {
                String pch = inv.language().isPreprocessed() ? null : precompiledHeader(call, scanned);
                if (pch != null) {
                    counter = Counter.COULD_NOT_USE_PRECOMPILED_HEADER;
                    why = "precompiled header " + pch;
                }
            }
        }
        if (why == null) {
            return p;
        }
        p.close();
        return new Preprocessed(null, null, null, call.passthrough(counter, why));
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

    /**
     * A file the preprocessor read from {@code /dev} or {@code /proc} ({@code #include
     * "/dev/stdin"}, {@code /proc/self/fd/N}, a FIFO made a device …), or null; the source and
     * every header, also when reached through a symbolic link ({@code evil.h -> /dev/stdin}, a
     * source that is such a link). What such a file gives depends on the process that reads it,
     * and the daemon's preprocessor is not the caller's compiler: the client compiles such a
     * call itself. A file whose real path cannot be found counts too.
     */
    private static String deviceInclude(Path cwd, String source, List<IncludeScanner.Included> included) {
        if (readsProcessFile(cwd, source)) {
            return source;
        }
        for (IncludeScanner.Included inc : included) {
            String p = inc.path();
            if (!p.startsWith("<") && readsProcessFile(cwd, p)) { // not <built-in>, <command-line>
                return p;
            }
        }
        return null;
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
    private String precompiledHeader(Call call, IncludeScanner.Scanned scanned) throws IOException, InterruptedException {
        Invocation inv = call.inv;
        Path cwd = call.cwd();
        // clang's driver swaps "-include X" for the X.pch (or .gch) beside it even for the
        // preprocessor run, whose output then does not name X at all: look there first.
        for (String file : inv.forcedIncludes()) {
            for (String ext : List.of(".gch", ".pch")) {
                if (Files.exists(cwd.resolve(file + ext))) {
                    return file + ext;
                }
            }
        }
        // Only an include of the main file before its first token, or of the command line, can
        // be a precompiled header; without such an include no search path is needed (and the
        // compiler is not run once more for it). The implicit stdc-predef.h is the command
        // line's only include when it has no -include.
        boolean commandLineIncludes = DirectMode.commandLineIncludes(inv.preprocessorArgs());
        List<IncludeScanner.Included> candidates = new ArrayList<>();
        for (IncludeScanner.Included inc : scanned.precompilable()) {
            if (commandLineIncludes || !inc.fromCommandLine()) {
                candidates.add(inc);
            }
        }
        if (candidates.isEmpty()) {
            return null;
        }
        SearchPath search = searchPaths.searchPath(call.keys.compiler(), inv.language().gccName(),
                inv.preprocessorArgs(), inv.source(), cwd, call.req.env());
        if (search != null) {
            return directMode.precompiledHeader(scanned.included(), candidates, search, cwd, commandLineIncludes);
        }
        for (IncludeScanner.Included inc : candidates) { // search path unknown: at least beside each header
            for (String ext : List.of(".gch", ".pch")) {
                if (Files.exists(cwd.resolve(inc.path() + ext))) {
                    return inc.path() + ext;
                }
            }
        }
        return null;
    }
}
