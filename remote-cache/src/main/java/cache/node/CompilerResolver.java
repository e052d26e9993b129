package cache.node;

import cache.node.protocol.NodeProtocol.CompilerSpec;
import cache.node.protocol.NodeProtocol.ErrorCode;
import cache.process.ProcessResult;
import cache.process.ProcessRunner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * Turns the compiler a client names into a binary this node may run, or a {@link Refusal}.
 *
 * <p>The rules, in order (distccd 3.3+'s, plus an identity check):
 * <ol>
 *   <li>the name is a bare file name ({@code gcc}, {@code x86_64-linux-gnu-g++-12}): no
 *       {@code /}, no {@code ..}, no leading {@code -} or {@code .}; never a path or a command;</li>
 *   <li>an entry of that name exists in the whitelist directory (a dangling link counts: on
 *       Debian they point at distcc), unless the node runs with {@code --allow-any-compiler};</li>
 *   <li>the binary is the first of that name on the node's search path whose real file is not
 *       a wrapper (distcc, ccache, cache …), so a masquerade directory on PATH is skipped;</li>
 *   <li>its version ({@code -dumpfullversion}, else {@code -dumpversion}) and target
 *       ({@code -dumpmachine}) equal what the client reported, so objects of different
 *       compilers never mix.</li>
 * </ol>
 * Identities are probed once per binary and remembered by path, size and modification time.
 */
public final class CompilerResolver {

    private static final Logger LOG = Logger.getLogger(CompilerResolver.class.getName());
    private static final Pattern BARE_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._+-]{0,127}");
    /** Real file names of programs that call compilers rather than being one. */
    private static final Set<String> WRAPPERS = Set.of("distcc", "distccd", "ccache", "sccache", "icecc", "cache",
            "cached", "buildcache");
    private static final Duration PROBE_LIMIT = Duration.ofSeconds(20);

    private record Stamp(Path path, long size, long mtimeNanos) {
    }

    private record Identity(String version, String target) {
    }

    private final Path whitelist;
    private final List<Path> searchPath;
    private final ProcessRunner runner;
    private final Map<Stamp, Identity> identities = new ConcurrentHashMap<>();

    /**
     * @param whitelist the whitelist directory, or {@code null} to allow any bare name (insecure)
     * @param searchPath where compilers are looked up, in order
     */
    public CompilerResolver(Path whitelist, List<Path> searchPath, ProcessRunner runner) {
        this.whitelist = whitelist;
        this.searchPath = List.copyOf(searchPath);
        this.runner = runner;
    }

    /** The binary to run for {@code spec}; refuses when it is not allowed, absent or different. */
    public NodeCompiler resolve(CompilerSpec spec) throws Refusal {
        return check(spec, resolveName(spec.name()));
    }

    /**
     * {@link #resolve}, but without running a process: null when the binary's identity (its
     * version and target) has not been asked yet, so that the caller can resolve it where a
     * process may run. Only file metadata is read: cheap enough for an I/O thread.
     */
    public NodeCompiler resolveKnown(CompilerSpec spec) throws Refusal {
        NodeCompiler found = find(allowedName(spec.name()), false);
        return found == null ? null : check(spec, found);
    }

    private static NodeCompiler check(CompilerSpec spec, NodeCompiler found) throws Refusal {
        String name = spec.name();
        if (!found.version().equals(spec.version()) || !found.target().equals(spec.target())) {
            throw new Refusal(ErrorCode.COMPILER_MISMATCH, "node has " + found.describe() + ", client asked for "
                    + name + " " + printable(spec.version()) + " " + printable(spec.target()));
        }
        return found;
    }

    /**
     * The binary to run for a compiler named {@code name}, by rules 1 to 3 only: what a distcc
     * client asks for, which carries no version or target (distccd checks none either).
     */
    public NodeCompiler resolveName(String name) throws Refusal {
        return find(allowedName(name), true);
    }

    /** {@code name} when it is a bare name on the whitelist; refused otherwise. */
    private String allowedName(String name) throws Refusal {
        if (!BARE_NAME.matcher(name).matches() || name.contains("..")) {
            throw new Refusal(ErrorCode.COMPILER_NOT_ALLOWED,
                    "compiler must be a bare name from the node's whitelist, got '" + printable(name) + "'");
        }
        if (whitelist != null && !Files.exists(whitelist.resolve(name), LinkOption.NOFOLLOW_LINKS)) {
            throw new Refusal(ErrorCode.COMPILER_NOT_ALLOWED,
                    "compiler '" + name + "' is not in the node's whitelist " + whitelist);
        }
        return name;
    }

    /**
     * The binary named {@code name} on the search path; null when its identity is not known yet
     * and {@code mayRun} is false (learning it runs the binary).
     */
    private NodeCompiler find(String name, boolean mayRun) throws Refusal {
        for (Path dir : searchPath) {
            Path candidate = dir.resolve(name);
            try {
                if (!Files.isRegularFile(candidate) || !Files.isExecutable(candidate)) {
                    continue;
                }
                Path real = candidate.toRealPath();
                if (WRAPPERS.contains(real.getFileName().toString())) {
                    continue;
                }
                BasicFileAttributes a = Files.readAttributes(real, BasicFileAttributes.class);
                long mtime = a.lastModifiedTime().toInstant().getEpochSecond() * 1_000_000_000L
                        + a.lastModifiedTime().toInstant().getNano();
                Stamp stamp = new Stamp(candidate, a.size(), mtime);
                Identity id = identities.get(stamp);
                if (id == null) {
                    if (!mayRun) {
                        return null;
                    }
                    id = probe(candidate);
                    identities.put(stamp, id);
                    LOG.info("compiler " + name + " = " + candidate + " (" + real + "): " + id.version() + " "
                            + id.target());
                }
                return new NodeCompiler(name, candidate, id.version(), id.target(), a.size(), mtime);
            } catch (IOException e) {
                LOG.warning("cannot use " + candidate + ": " + e.getMessage());
            }
        }
        throw new Refusal(ErrorCode.COMPILER_MISSING, "node has no compiler '" + name + "' on its path");
    }

    private Identity probe(Path compiler) throws IOException {
        String version = ask(compiler, "-dumpfullversion");
        if (version.isEmpty()) {
            version = ask(compiler, "-dumpversion");
        }
        String target = ask(compiler, "-dumpmachine");
        if (version.isEmpty() || target.isEmpty()) {
            throw new IOException(compiler + " reports no version or target");
        }
        return new Identity(version, target);
    }

    private String ask(Path compiler, String option) throws IOException {
        try {
            Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
            ProcessResult o = runner.run(List.of(compiler.toString(), option), tmp,
                    Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"), "LC_ALL", "C"),
                    PROBE_LIMIT);
            if (o.exitCode() != 0 || o.timedOut()) {
                return "";
            }
            return new String(o.stdout(), StandardCharsets.UTF_8).strip();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while probing " + compiler);
        }
    }

    /** Client text inside a log line or a reply: printable ASCII, bounded. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 200; i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return b.toString();
    }
}
