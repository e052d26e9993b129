package cache.frontend.dispatch;

import cache.compat.Counter;
import cache.compat.args.Language;
import cache.compat.config.Config;
import cache.distributor.Farm;
import cache.distributor.FarmException;
import cache.distributor.hosts.HostList;
import cache.distributor.hosts.HostListSource;
import cache.distributor.hosts.HostProblem;
import cache.distributor.monitor.DistccStateFiles;
import cache.distributor.monitor.FarmJobs;
import cache.frontend.args.Argument;
import cache.frontend.args.Invocation;
import cache.frontend.args.RemoteCompile;
import cache.frontend.args.Role;
import cache.frontend.key.CompilerIdentity;
import cache.node.protocol.NodeProtocol.CompilerSpec;
import cache.process.ProcessResult;
import cache.process.ProcessRunner;
import cache.store.CacheEntry;
import cache.store.OutputKind;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * The farm as a builder: a miss whose call has {@code prefix_command = distcc} (the ccache +
 * distcc habit) goes to the nodes of distcc's host list ({@code DISTCC_HOSTS}, {@code
 * $DISTCC_DIR/hosts}, {@code /etc/distcc/hosts}) instead of a {@code distcc} process;
 * {@code CACHE_DISTRIBUTOR=off} keeps the real {@code distcc} as the prefix.
 *
 * <p>A job stays here ({@code kept_local}, the reason in the log) when a node's object could
 * differ from this machine's or when a node cannot do it: no preprocessed text (depend mode,
 * read-only direct mode), {@code recache}, outputs besides the object and its {@code -MD}/{@code
 * -MMD} dependency file (which {@link DependencyRun} writes here, as distcc does), an option the option
 * table keeps local or a node refuses, no usable host, debug information a node cannot
 * reproduce byte for byte (clang's DWARF 5, coverage, the user's own path maps:
 * {@link DebugSources}) or no node speaking protocol version 2. Other gcc {@code -g} jobs, and
 * clang's up to DWARF 4, go as source compiles, whose objects equal this machine's. A node's
 * failed compile, and one that printed diagnostics, is run again here, so a build sees its own
 * compiler's answer and stderr (distcc does so for a failure; it passes a node's warnings on).
 *
 * <p>One {@link Farm} per distinct host list, closed after ten idle minutes; each compiler's
 * version and target (what a node checks before compiling) asked once.
 */
public final class FarmBuilder implements Builder {

    private static final Logger LOG = Logger.getLogger(FarmBuilder.class.getName());
    /** The switch that keeps the real {@code distcc} as a prefix process. */
    public static final String SWITCH = "CACHE_DISTRIBUTOR";

    private final ProcessRunner runner;
    private final Cache<String, Farm> farms = Caffeine.newBuilder().expireAfterAccess(Duration.ofMinutes(10))
            .removalListener((String k, Farm f, RemovalCause c) -> {
                if (f != null) {
                    f.close();
                }
            }).build();
    private final Cache<CompilerIdentity, CompilerSpec> specs = Caffeine.newBuilder().maximumSize(64).build();
    private final Set<String> reported = ConcurrentHashMap.newKeySet();
    private final DebugSources debug;
    private final DependencyRun dependencies;
    private final FarmJobs jobs;

    public FarmBuilder(ProcessRunner runner) {
        this(runner, new FarmJobs());
    }

    /** @param jobs where the jobs in flight are shown ({@code cache --monitor}) */
    public FarmBuilder(ProcessRunner runner, FarmJobs jobs) {
        this.runner = runner;
        this.debug = new DebugSources(runner);
        this.dependencies = new DependencyRun(runner);
        this.jobs = jobs;
    }

    /** The nodes of every farm in use ({@code host:port}) and whether each is healthy now. */
    public Map<String, Boolean> nodeHealth() {
        Map<String, Boolean> out = new java.util.TreeMap<>();
        for (Farm f : farms.asMap().values()) {
            f.nodeHealth().forEach((node, up) -> out.merge(node, up, Boolean::logicalAnd));
        }
        return out;
    }

    /** The jobs in flight on every farm of this builder. */
    public FarmJobs jobs() {
        return jobs;
    }

    @Override
    public String name() {
        return "farm";
    }

    /** Whether the call's misses go to the farm: {@code prefix_command} is distcc and the switch is not off. */
    public static boolean enabled(Config config, Map<String, String> env) {
        List<String> words = List.of(config.prefixCommand().trim().split("\\s+"));
        String first = words.isEmpty() ? "" : words.get(0);
        return Path.of(first.isEmpty() ? "." : first).getFileName().toString().equals("distcc")
                && !"off".equals(env.get(SWITCH));
    }

    @Override
    public CompletableFuture<BuildResult> build(BuildJob job) throws InterruptedException {
        if (!enabled(job.config(), job.env())) {
            return CompletableFuture.failedFuture(new Declined(null, "distribution is off for this call"));
        }
        Declined local = keptLocal(job);
        RemoteCompile remote = local == null ? job.inv().remoteCompile() : null;
        if (local == null && !remote.legal()) {
            local = kept(Counter.KEPT_LOCAL_OPTION, remote.refusal());
        }
        if (local == null && job.inv().hashCwd()) {
            String why = debug.keptLocal(job);
            local = why == null ? null : kept(Counter.KEPT_LOCAL_DEBUG_INFO, why);
        }
        HostListSource source = HostListSource.locate(job.env());
        HostList list = local == null ? source.load() : null;
        if (list != null) {
            report(list, source);
            if (list.rejected()) {
                local = kept(Counter.KEPT_LOCAL_HOST_LIST_MALFORMED, "malformed host list in " + source.describe()
                        + ": " + list.problems().get(0).message());
            } else if (list.hosts().isEmpty()) {
                local = kept(Counter.KEPT_LOCAL_NO_HOST, "no usable host in " + source.describe());
            }
        }
        if (local != null) {
            return CompletableFuture.failedFuture(local);
        }
        CompilerSpec spec;
        try {
            spec = spec(job);
        } catch (IOException e) { // a compiler that cannot say its version: nothing a node could check
            return CompletableFuture.failedFuture(kept(Counter.KEPT_LOCAL_COMPILER_VERSION, e.getMessage()));
        }
        NodeSecurity security;
        try {
            security = NodeSecurity.of(job.env());
        } catch (IOException e) {
            if (reported.add(e.getMessage())) {
                LOG.warning("distribution off for calls with these settings: " + e.getMessage());
            }
            return CompletableFuture.failedFuture(kept(Counter.KEPT_LOCAL_NODE_SECURITY, e.getMessage()));
        }
        Farm farm = farms.get(source.describe() + "\n" + String.join("\n", list.hosts().stream()
                .map(h -> h.entry()).toList()) + "\n" + security.describe(),
                k -> new Farm(list, security.applyTo(Farm.Options.defaults())));
        if (farm.isEmpty()) {
            return CompletableFuture.failedFuture(kept(Counter.KEPT_LOCAL_NO_HOST, "no TCP host in " + source.describe()));
        }
        List<String> args = new ArrayList<>(remote.args());
        if (job.colour() != null) {
            args.add(job.colour());
        }
        Language driver = driverLanguage(job);
        String language = driver == null ? remote.language() : driver.preprocessedForm().gccName();
        Farm.Job sent = new Farm.Job(job.key(), spec, language, args, job.preprocessedText());
        if (job.inv().hashCwd()) {
            try {
                sent = debug.job(job, sent);
            } catch (IOException e) {
                return CompletableFuture.failedFuture(kept(Counter.KEPT_LOCAL_DEBUG_INFO, e.getMessage()));
            }
        }
        byte[] deps = null;
        if (job.inv().outputs().containsKey(OutputKind.DEPENDENCY)) {
            try {
                deps = dependencies.run(job);
            } catch (IOException e) {
                return CompletableFuture.failedFuture(kept(Counter.KEPT_LOCAL_EXTRA_OUTPUTS, e.getMessage()));
            }
        }
        byte[] dependencyFile = deps;
        return farm.submit(sent, jobs.track(job.clientPid(), job.inv().source(), DistccStateFiles.forJob(job.env()))).handle((r, e) -> {
            if (e == null) {
                return result(r, job, dependencyFile);
            }
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof FarmException f) {
                throw new CompletionException(f.unsupported()
                        ? kept(Counter.KEPT_LOCAL_NO_SOURCE_NODE, f.getMessage())
                        : new BuilderFailure(counterOf(f.reason()), f.getMessage(), f));
            }
            throw e instanceof CompletionException c ? c : new CompletionException(e);
        });
    }

    /** g++, c++, clang++, x86_64-linux-gnu-g++-12 …: drivers that take a {@code .c} or {@code .i} file for C++. */
    private static final Pattern CXX_DRIVER = Pattern.compile("(.*-)?(g\\+\\+|c\\+\\+|clang\\+\\+)(-[0-9.]+)?");

    /**
     * The language a C++ driver compiles the input in when no {@code -x} names one: gcc's
     * {@code g++} (and clang's {@code clang++}) treat {@code .c} and {@code .i} files as C++,
     * while the argument table reads the extension. A node told "c" or "cpp-output" would run
     * the C compiler on C++-preprocessed text. Null when the table's language stands.
     */
    static Language driverLanguage(BuildJob job) {
        return driverLanguage(job.compiler().name(), job.inv());
    }

    static Language driverLanguage(String compilerName, Invocation inv) {
        if (!CXX_DRIVER.matcher(compilerName).matches() || languageNamed(inv)) {
            return null;
        }
        return switch (inv.language()) {
            case C -> Language.CXX;
            case C_PREPROCESSED -> Language.CXX_PREPROCESSED;
            default -> null;
        };
    }

    /**
     * Whether an {@code -x} before the input names its language: the last one before it wins,
     * {@code -x none} gives the choice back to the extension (and so to the driver), and one
     * after the input does not apply to it (gcc warns that it has no effect).
     */
    private static boolean languageNamed(Invocation inv) {
        String named = null;
        for (Argument a : inv.arguments()) {
            if (a.role() == Role.INPUT) {
                break;
            }
            if (a.role() == Role.LANGUAGE) {
                named = a.languageName();
            }
        }
        return named != null && !named.equals("none");
    }

    private static Declined kept(Counter reason, String message) {
        return new Declined(Counter.KEPT_LOCAL, reason, message);
    }

    /** The {@code builder_failed_*} counter of a farm's reason. */
    static Counter counterOf(FarmException.Reason reason) {
        return switch (reason) {
            case NO_HEALTHY_NODE -> Counter.BUILDER_FAILED_NO_HEALTHY_NODE;
            case UNREACHABLE -> Counter.BUILDER_FAILED_UNREACHABLE;
            case TIMEOUT -> Counter.BUILDER_FAILED_TIMEOUT;
            case PROTOCOL_ERROR -> Counter.BUILDER_FAILED_PROTOCOL_ERROR;
            case REFUSED -> Counter.BUILDER_FAILED_REFUSED;
            default -> Counter.BUILDER_FAILED_OTHER;
        };
    }

    /** Why {@code job} must stay here, or null. */
    private static Declined keptLocal(BuildJob job) {
        if (job.preprocessedText() == null || job.key() == null) {
            return kept(Counter.KEPT_LOCAL_NO_PREPROCESSED_TEXT,
                    "no preprocessed text (depend mode or read-only direct mode)");
        }
        if (job.config().recache()) {
            return kept(Counter.KEPT_LOCAL_RECACHE, "recache: compiled here");
        }
        Set<OutputKind> outputs = job.inv().outputs().keySet();
        if (!outputs.equals(Set.of(OutputKind.OBJECT)) && !outputs.equals(Set.of(OutputKind.OBJECT, OutputKind.DEPENDENCY))) {
            return kept(Counter.KEPT_LOCAL_EXTRA_OUTPUTS, "outputs besides the object and its dependency file: " + outputs);
        }
        String deps = outputs.contains(OutputKind.DEPENDENCY) ? DependencyRun.refusal(job.inv()) : null;
        if (deps != null) {
            return kept(Counter.KEPT_LOCAL_EXTRA_OUTPUTS, deps);
        }
        return null;
    }

    /**
     * The node's answer as the build's, with the dependency file written here (or null). A failed
     * compile, and a compile with diagnostics, are redone here: the node compiled preprocessed
     * text, so gcc's messages there show no source lines, and a build must see its own compiler's
     * stderr byte for byte (distcc passes the node's on).
     */
    private static BuildResult result(Farm.Result r, BuildJob job, byte[] dependencyFile) {
        CacheEntry e = r.entry();
        if (e.exitCode() != 0) {
            throw new CompletionException(kept(Counter.KEPT_LOCAL_FAILED_ON_NODE,
                    "the compile failed on " + r.node() + "; compiling here for the compiler's own answer"));
        }
        if (e.stderr().length > 0) {
            throw new CompletionException(kept(Counter.KEPT_LOCAL_DIAGNOSTICS_ON_NODE,
                    "the compile on " + r.node() + " printed diagnostics; compiling here for the compiler's own"));
        }
        Map<OutputKind, byte[]> outputs = e.outputs();
        if (dependencyFile != null) {
            outputs = new java.util.EnumMap<>(outputs);
            outputs.put(OutputKind.DEPENDENCY, dependencyFile);
        }
        byte[] object = outputs.get(OutputKind.OBJECT);
        OutputKind missing = object == null ? OutputKind.OBJECT : null;
        OutputKind empty = object != null && object.length == 0 ? OutputKind.OBJECT : null;
        LOG.fine(() -> (r.nodeHit() ? "node hit on " : "compiled on ") + r.node() + ": " + job.inv().source());
        return new BuildResult(e.exitCode(), e.stdout(), e.stderr(), outputs, missing, empty, false, r.node(),
                r.nodeHit() ? Counter.NODE_HIT : Counter.REMOTE_COMPILE);
    }

    /** Problems of a host list, logged once per list. */
    private void report(HostList list, HostListSource source) {
        for (HostProblem p : list.problems()) {
            if (reported.add(source.describe() + p.message())) {
                LOG.warning("host list: " + p.message());
            }
        }
    }

    /** The compiler as a node checks it: its name, version and target, asked once per binary. */
    private CompilerSpec spec(BuildJob job) throws IOException, InterruptedException {
        CompilerSpec known = specs.getIfPresent(job.compiler());
        if (known != null) {
            return known;
        }
        String version = ask(job, "-dumpfullversion");
        if (version.isEmpty()) {
            version = ask(job, "-dumpversion");
        }
        String target = ask(job, "-dumpmachine");
        if (version.isEmpty() || target.isEmpty()) {
            throw new IOException(job.compiler().path() + " reports no version or target");
        }
        CompilerSpec spec = new CompilerSpec(job.compiler().name(), version, target);
        specs.put(job.compiler(), spec);
        return spec;
    }

    /** What the compiler prints for {@code option}, as the node asks it (empty when it fails). */
    private String ask(BuildJob job, String option) throws IOException, InterruptedException {
        ProcessResult o = runner.run(List.of(job.compiler().path().toString(), option), job.cwd(),
                Map.of("PATH", job.env().getOrDefault("PATH", "/usr/bin:/bin"), "LC_ALL", "C"));
        return o.exitCode() != 0 ? "" : new String(o.stdout(), StandardCharsets.UTF_8).strip();
    }
}
