package cache.frontend.dispatch;

import cache.compat.args.Language;
import cache.compat.args.NodeVerdict;
import cache.compat.args.OptionTable;
import cache.compat.config.CompilerType;
import cache.distributor.Farm;
import cache.frontend.args.Argument;
import cache.frontend.key.CompilerFamily;
import cache.frontend.key.CompilerIdentity;
import cache.process.ProcessResult;
import cache.process.ProcessRunner;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Jobs with debug information as source compiles ({@code COMPILE_SOURCE}): what the farm sends
 * so that a node's {@code -g} object is byte for byte this machine's, or why it must stay here.
 *
 * <p>A node compiling the call's {@code -E} text records another compile (gcc's {@code -E}
 * collapses whitespace, so DWARF columns differ). What does reproduce it, with gcc: the call's
 * preprocessor arguments with {@code -fdirectives-only} (includes expanded, macros kept and
 * expanded by the compile itself), less the predefined macros ({@link BuiltinMacros}), written on
 * the node under the source's own name and compiled as source with the node mapping its
 * directory to the working directory recorded here (see the node's {@code SourcePlacement}).
 *
 * <p>Stays here: clang ({@code compiler_type}, or a compiler whose {@code --version} says clang):
 * clang's DWARF 5 line table holds an MD5 of each file's contents and the node's file is not the
 * source; coverage and profiling (outputs name this machine's paths); a user's own path maps or
 * working-directory options ({@code -fdebug-prefix-map}, {@code -ffile-prefix-map},
 * {@code -fdebug-compilation-dir}, {@code -f[no-]working-directory} …), which would interact
 * with the node's; options that record the command line ({@code -frecord-gcc-switches}), which
 * differs on the node; a source that is already preprocessed. {@code -g3} and split DWARF are
 * kept here before this ({@code RemoteCompile}, outputs besides the object).
 */
final class DebugSources {

    private static final Set<String> LANGUAGES = Set.of("c", "c++", "objective-c", "objective-c++");
    private static final Set<String> KEPT = Set.of("-fworking-directory", "-fno-working-directory",
            "-frecord-gcc-switches", "-frecord-command-line", "-grecord-command-line", "--coverage",
            "-ftest-coverage", "-fprofile-arcs");

    private final ProcessRunner runner;
    /** Whether a gcc-typed compiler is really gcc (its {@code --version} does not say clang), per binary. */
    private final Cache<CompilerIdentity, Boolean> realGcc = Caffeine.newBuilder().maximumSize(64).build();

    DebugSources(ProcessRunner runner) {
        this.runner = runner;
    }

    /** Why the debug job {@code job} stays here, or null when it can go as a source compile. */
    String keptLocal(BuildJob job) throws InterruptedException {
        CompilerType type = CompilerFamily.of(job.config().compilerType(), job.compiler().path());
        if (type == CompilerType.CLANG) {
            return "debug information with clang: its line table holds an MD5 of each source file, which a node"
                    + " cannot reproduce";
        }
        if (type != CompilerType.GCC) {
            return "debug information with compiler_type " + type.word() + ": only gcc's is reproduced remotely";
        }
        String language = job.inv().language().gccName();
        if (!LANGUAGES.contains(language)) {
            return "debug information for " + language + " input: only sources are compiled as sources remotely";
        }
        for (Argument a : job.inv().arguments()) {
            String w = a.word();
            OptionTable.Option row = w.startsWith("-") ? OptionTable.forNode(w) : null;
            if ((row != null && row.node() == NodeVerdict.PATH_MAP) || KEPT.contains(w)
                    || w.startsWith("-fprofile-generate")) {
                return "debug information with " + w + ": kept here, its paths and records are this machine's";
            }
        }
        if (!isRealGcc(job)) {
            return "debug information with " + job.compiler().path() + ", which says it is clang";
        }
        return null;
    }

    /**
     * The job's source as the node recreates it: the directives-only text without predefined
     * macros, under the source's name as the call spells it, with the working directory gcc
     * records here.
     *
     * @throws IOException when the directives-only pass fails (the job then stays here)
     */
    Farm.Job job(BuildJob job, Farm.Job plain) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(job.compiler().path().toString());
        List<String> cpp = job.inv().preprocessorArgs();
        cmd.addAll(cpp.subList(0, cpp.size() - 1));
        cmd.add("-fdirectives-only");
        cmd.add("-E");
        ProcessResult r = runner.run(cmd, job.cwd(), job.env());
        if (r.exitCode() != 0) {
            throw new IOException("the directives-only preprocessor pass failed (exit " + r.exitCode() + ")");
        }
        Language driver = FarmBuilder.driverLanguage(job);
        Language language = driver == null ? job.inv().language() : driver;
        return new Farm.Job(plain.key(), plain.compiler(), language.gccName(), plain.args(),
                BuiltinMacros.strip(r.stdout()), new Farm.Source(job.inv().inputFile(), recordedCwd(job)));
    }

    /**
     * The directory gcc records as the compilation directory (libiberty's {@code getpwd}):
     * {@code $PWD} as it is spelled when it names the working directory, else the real path.
     */
    static String recordedCwd(BuildJob job) {
        String pwd = job.env().get("PWD");
        if (pwd != null && pwd.startsWith("/")) {
            try {
                if (Files.isSameFile(Path.of(pwd), job.cwd())) {
                    return pwd;
                }
            } catch (IOException | RuntimeException e) {
                // gone or not a path: the real directory
            }
        }
        try {
            return job.cwd().toRealPath().toString();
        } catch (IOException e) {
            return job.cwd().toString();
        }
    }

    private boolean isRealGcc(BuildJob job) throws InterruptedException {
        Boolean known = realGcc.getIfPresent(job.compiler());
        if (known != null) {
            return known;
        }
        boolean gcc;
        try {
            ProcessResult o = runner.run(List.of(job.compiler().path().toString(), "--version"), job.cwd(),
                    Map.of("PATH", job.env().getOrDefault("PATH", "/usr/bin:/bin"), "LC_ALL", "C"));
            gcc = o.exitCode() == 0 && !new String(o.stdout(), StandardCharsets.UTF_8).toLowerCase(
                    java.util.Locale.ROOT).contains("clang");
        } catch (IOException e) {
            gcc = false;
        }
        realGcc.put(job.compiler(), gcc);
        return gcc;
    }
}
