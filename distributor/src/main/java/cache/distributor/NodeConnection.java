package cache.distributor;

import cache.hashing.Digest;
import cache.node.protocol.NodeProtocol.CompilerSpec;
import cache.store.CacheEntry;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What the farm needs of one node, whatever protocol it speaks: our native protocol ({@link
 * NativeConnection}, a {@code cached} node with a cache to probe) or distcc's ({@link
 * DistccConnection}, a real {@code distccd}: no cache, one connection per job).
 *
 * <p>Futures fail with {@link cache.node.client.NodeClient.NodeException} when the node refuses
 * for a reason of the job's or its own configuration, {@link Farm.Unsupported} when it cannot
 * take this kind of job at all, and any other exception when the node failed (it is backed off).
 */
interface NodeConnection extends AutoCloseable {

    /** Whether the node keeps a cache that {@link #probe} asks; without one a probe is always a miss. */
    boolean hasCache();

    /** Whether the node takes {@link #compileSource}. */
    boolean compilesSources();

    /** The protocol, for log lines: "native 2", "distcc 1". */
    String protocol();

    /** Whether the connection can take requests (false once it broke). */
    boolean isOpen();

    /** The node's entry for {@code key} built by {@code compiler}, or null. */
    CompletableFuture<CacheEntry> probe(Digest key, CompilerSpec compiler);

    /** The node's entry for a source job with these fields, or null. */
    CompletableFuture<CacheEntry> probeSource(Digest key, CompilerSpec compiler, String source, String cwd);

    /** Compiles preprocessed {@code input}: the entry has the compiler's exit code, a failed compile included. */
    CompletableFuture<CacheEntry> compile(Digest key, CompilerSpec compiler, String language, List<String> args,
            byte[] input);

    /** Compiles a source job as if in {@code cwd}; only when {@link #compilesSources()}. */
    CompletableFuture<CacheEntry> compileSource(Digest key, CompilerSpec compiler, String language,
            List<String> args, String source, String cwd, byte[] input);

    /** Closes the connection; requests still pending on it fail with {@code why}. */
    default void abort(IOException why) {
        close();
    }

    @Override
    void close();
}
