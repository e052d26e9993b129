package cache.distributor;

import static java.nio.charset.StandardCharsets.UTF_8;

import cache.distcc.DistccLimits;
import cache.distcc.DistccReply;
import cache.distcc.DistccRequest;
import cache.distributor.hosts.TcpHost;
import cache.hashing.Digest;
import cache.node.client.NodeClient;
import cache.node.protocol.NodeProtocol.CompilerSpec;
import cache.node.protocol.NodeProtocol.ErrorCode;
import cache.store.CacheEntry;
import cache.store.OutputKind;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;

/**
 * A real {@code distccd} host, spoken to in distcc's protocol version 1, or 2 for a {@code ,lzo}
 * host: one TCP connection per job, as distcc does; the whole request written, the whole reply
 * read, the sending side kept open until then (distccd kills a job whose client half-closes).
 *
 * <p>distcc's semantics: the preprocessed text goes as {@code DOTI} under a name whose extension
 * says its language ({@code .i}, {@code .ii}, {@code .mi}, {@code .mii}); {@code argv[0]} is the
 * compiler's bare name, which distccd looks up in its whitelist ({@code /usr/lib/distcc}) and on
 * its {@code PATH}. The compiler's exit status is the answer, a failed compile included. What is
 * not the compiler's answer is the node's failure (the host is backed off): no reply at all
 * (distccd's only way to refuse), a broken reply, a compiler killed by a signal, or one of
 * distcc's own exit codes (100 and above; 110, compiler missing, only skips the host for this
 * job). There is no cache to probe and no compiler version check: distccd runs whatever its
 * {@code PATH} holds under that name, as with distcc itself.
 */
final class DistccConnection implements NodeConnection {

    /** distcc's own exit codes start here ({@code exitcode.h}); a compiler's are below. */
    private static final int DISTCC_CODES = 100;
    /** {@code EXIT_COMPILER_MISSING}. */
    private static final int COMPILER_MISSING = 110;

    private final TcpHost host;
    private final Duration connectTimeout;
    private final Duration ioTimeout;
    private final Executor executor;

    /**
     * @param ioTimeout the longest wait for one read or write, the remote compile included
     *     (distcc's {@code DISTCC_IO_TIMEOUT})
     * @param executor where the blocking exchanges run (one thread per job in flight)
     */
    DistccConnection(TcpHost host, Duration connectTimeout, Duration ioTimeout, Executor executor) {
        this.host = host;
        this.connectTimeout = connectTimeout;
        this.ioTimeout = ioTimeout;
        this.executor = executor;
    }

    int version() {
        return host.options().lzo() ? 2 : 1;
    }

    @Override
    public boolean hasCache() {
        return false;
    }

    @Override
    public boolean compilesSources() {
        return false;
    }

    @Override
    public String protocol() {
        return "distcc " + version();
    }

    @Override
    public boolean isOpen() {
        return true; // no connection is kept
    }

    @Override
    public CompletableFuture<CacheEntry> probe(Digest key, CompilerSpec compiler) {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<CacheEntry> probeSource(Digest key, CompilerSpec compiler, String source, String cwd) {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<CacheEntry> compileSource(Digest key, CompilerSpec compiler, String language,
            List<String> args, String source, String cwd, byte[] input) {
        return CompletableFuture.failedFuture(new Farm.Unsupported(host.host() + ":" + host.port()
                + " is a distccd: it compiles preprocessed text only"));
    }

    @Override
    public CompletableFuture<CacheEntry> compile(Digest key, CompilerSpec compiler, String language,
            List<String> args, byte[] input) {
        String extension = extension(language);
        String refusal = extension == null ? "distcc sends preprocessed C, C++ or Objective-C, not " + language
                : DistccArguments.refusal(args);
        if (refusal != null) {
            return CompletableFuture.failedFuture(new Farm.Unsupported(refusal));
        }
        DistccRequest request = new DistccRequest(version(), argv(compiler, args, extension), input);
        return CompletableFuture.supplyAsync(() -> {
            try {
                return entry(exchange(request));
            } catch (SocketTimeoutException e) {
                throw new CompletionException(new TimeoutException("distccd " + host.host() + ":" + host.port()
                        + " sent nothing for " + ioTimeout.toMillis() + " ms"));
            } catch (IOException e) {
                throw new CompletionException(e);
            }
        }, executor);
    }

    /** The command line distccd runs: bare compiler name, the arguments, {@code -c}, input, {@code -o}. */
    static List<String> argv(CompilerSpec compiler, List<String> args, String extension) {
        List<String> argv = new ArrayList<>(args.size() + 5);
        String name = compiler.name();
        argv.add(name.substring(name.lastIndexOf('/') + 1));
        argv.addAll(args);
        if (!args.contains("-c") && !args.contains("-S")) {
            argv.add("-c");
        }
        argv.add("cache-job" + extension);
        argv.add("-o");
        argv.add(args.contains("-S") ? "cache-job.s" : "cache-job.o");
        return argv;
    }

    /** The file extension that tells gcc the input's preprocessed language, or null. */
    static String extension(String language) {
        return switch (language) {
            case "cpp-output" -> ".i";
            case "c++-cpp-output" -> ".ii";
            case "objective-c-cpp-output" -> ".mi";
            case "objective-c++-cpp-output" -> ".mii";
            default -> null;
        };
    }

    private DistccReply exchange(DistccRequest request) throws IOException {
        try (Socket s = new Socket()) {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(host.host(), host.port()), (int) connectTimeout.toMillis());
            s.setSoTimeout((int) Math.min(Integer.MAX_VALUE, ioTimeout.toMillis()));
            OutputStream out = new BufferedOutputStream(s.getOutputStream(), 64 << 10);
            request.writeTo(out);
            out.flush();
            return DistccReply.readFrom(new BufferedInputStream(s.getInputStream(), 64 << 10), request.version(),
                    DistccLimits.DEFAULT);
        }
    }

    /** The reply as an entry when it is the compiler's answer; the node's failure otherwise. */
    private CacheEntry entry(DistccReply r) throws IOException {
        String id = host.host() + ":" + host.port();
        if (!r.exited()) {
            throw new IOException("the compiler on distccd " + id + " died of signal " + (r.status() & 0x7f));
        }
        int code = r.exitCode();
        if (code == COMPILER_MISSING) {
            throw new NodeClient.NodeException(ErrorCode.COMPILER_MISSING, "distccd " + id + " has no such compiler: "
                    + new String(r.stderr(), UTF_8).strip());
        }
        if (code >= DISTCC_CODES) {
            throw new IOException("distccd " + id + " failed with distcc's exit code " + code + ": "
                    + new String(r.stderr(), UTF_8).strip());
        }
        Map<OutputKind, byte[]> outputs = code == 0 ? Map.of(OutputKind.OBJECT, r.object()) : Map.of();
        return new CacheEntry(code, r.stdout(), r.stderr(), outputs);
    }

    @Override
    public void close() {
        // nothing kept open
    }
}
