package cache.frontend.dispatch;

import cache.compat.args.Language;
import cache.compat.args.NodeVerdict;
import cache.compat.args.OptionTable;
import cache.compat.config.CompilerType;
import cache.distributor.Farm;
import cache.frontend.args.Argument;
import cache.frontend.args.Role;
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
 * <p>clang has no {@code -fdirectives-only}; its {@code -frewrite-includes} does the same (includes
 * expanded between line markers, macros kept, the source's own text unchanged; the command
 * line's {@code -D} and {@code -U} go along as arguments), and the node's
 * placement and path maps make clang record this machine's names as they make gcc. That reproduces
 * clang's object byte for byte up to DWARF 4 only: a DWARF 5 line table (clang's default since
 * clang 14) holds an MD5 of each file's contents, which clang cannot compute for the files a
 * rewritten source names in line markers, so it leaves every checksum out. Hence clang {@code -g}
 * goes to a node only when the last {@code -gdwarf-N} says 2, 3 or 4.
 *
 * <p>Stays here: clang with DWARF 5 (its default or said), or with {@code -gembed-source}; a
 * compiler of another type, or a gcc-typed one whose {@code --version} says clang; coverage and profiling (outputs name this machine's paths); a user's own path maps or
 * working-directory options ({@code -fdebug-prefix-map}, {@code -ffile-prefix-map},
 * {@code -fdebug-compilation-dir}, {@code -f[no-]working-directory} …), which would interact
 * with the node's; options that record the command line ({@code -frecord-gcc-switches}), which
 * differs on the node; a source that is already preprocessed. {@code -g3} and split DWARF are
 * kept here before this ({@code RemoteCompile}, outputs besides the object).
 */
final class DebugSources {

    private static final Set<String> LANGUAGES = Set.of("c", "c++", "objective-c", "objective-c++");
    /** The DWARF versions whose clang objects a node reproduces: no checksums in their line tables. */
    private static final Set<String> CLANG_DWARF = Set.of("-gdwarf-2", "-gdwarf-3", "-gdwarf-4");
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
        boolean clang = type == CompilerType.CLANG;
        if (clang) {
            String dwarf = null;
            for (Argument a : job.inv().arguments()) {
                String w = a.word();
                if (w.equals("-gdwarf") || w.startsWith("-gdwarf-")) {
                    dwarf = w;
                } else if (w.equals("-gembed-source")) {
                    return "debug information with clang -gembed-source: kept here, it embeds this machine's files";
                }
            }
            if (dwarf == null || !CLANG_DWARF.contains(dwarf)) {
                return "debug information with clang's DWARF " + (dwarf == null ? "default" : dwarf)
                        + ": its line table holds an MD5 of each source file, which a node cannot reproduce"
                        + " (-gdwarf-4 can go)";
            }
        } else if (type != CompilerType.GCC) {
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
        if (!clang && !isRealGcc(job)) {
            return "debug information with " + job.compiler().path() + ", which says it is clang";
        }
        return null;
    }

    /**
     * The job's source as the node recreates it: gcc's directives-only text without predefined
     * macros, or clang's rewritten includes, under the source's name as the call spells it, with
     * the working directory the compiler records here.
     *
     * @throws IOException when the directives-only pass fails (the job then stays here)
     */
    Farm.Job job(BuildJob job, Farm.Job plain) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(job.compiler().path().toString());
        List<String> cpp = job.inv().preprocessorArgs();
        cmd.addAll(cpp.subList(0, cpp.size() - 1));
        boolean clang = CompilerFamily.of(job.config().compilerType(), job.compiler().path()) == CompilerType.CLANG;
        cmd.add(clang ? "-frewrite-includes" : "-fdirectives-only");
        cmd.add("-E");
        ProcessResult r = runner.run(cmd, job.cwd(), job.env());
        if (r.exitCode() != 0) {
            throw new IOException("the " + (clang ? "rewrite-includes" : "directives-only")
                    + " preprocessor pass failed (exit " + r.exitCode() + ")");
        }
        Language driver = FarmBuilder.driverLanguage(job);
        Language language = driver == null ? job.inv().language() : driver;
        return new Farm.Job(plain.key(), plain.compiler(), language.gccName(), clang ? withMacros(job, plain.args())
                : plain.args(), clang ? r.stdout() : BuiltinMacros.strip(r.stdout()), new Farm.Source(job.inv().inputFile(), recordedCwd(job)));
    }

    /**
     * {@code args} and the call's {@code -D} and {@code -U}, in their order: gcc's directives-only
     * text defines the command line's macros itself, clang's rewritten includes do not (its
     * {@code -include} files it does inline). clang records neither in the object.
     */
    private static List<String> withMacros(BuildJob job, List<String> args) {
        List<String> out = new ArrayList<>(args);
        for (Argument a : job.inv().arguments()) {
            if (a.role() != Role.INPUT && (a.word().startsWith("-D") || a.word().startsWith("-U"))) {
                out.addAll(a.words());
            }
        }
        return out;
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
