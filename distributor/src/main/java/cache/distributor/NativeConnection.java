package cache.distributor;

import cache.hashing.Digest;
import cache.node.client.NodeClient;
import cache.node.protocol.NodeProtocol.CompilerSpec;
import cache.store.CacheEntry;
import cache.store.CorruptEntryException;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** A {@code cached} node over our native protocol: one persistent, pipelined {@link NodeClient}. */
final class NativeConnection implements NodeConnection {

    private final NodeClient client;
    private final String node;

    NativeConnection(NodeClient client, String node) {
        this.client = client;
        this.node = node;
    }

    @Override
    public boolean hasCache() {
        return true;
    }

    @Override
    public boolean compilesSources() {
        return client.compilesSources();
    }

    @Override
    public String protocol() {
        return "native " + client.protocolVersion();
    }

    @Override
    public boolean isOpen() {
        return client.isOpen();
    }

    @Override
    public CompletableFuture<CacheEntry> probe(Digest key, CompilerSpec compiler) {
        return client.probe(key, compiler).thenApply(r -> r.hit() ? decode(r.entry()) : null);
    }

    @Override
    public CompletableFuture<CacheEntry> probeSource(Digest key, CompilerSpec compiler, String source, String cwd) {
        return client.probeSource(key, compiler, source, cwd).thenApply(r -> r.hit() ? decode(r.entry()) : null);
    }

    @Override
    public CompletableFuture<CacheEntry> compile(Digest key, CompilerSpec compiler, String language,
            List<String> args, byte[] input) {
        return client.compile(key, compiler, language, args, input).thenApply(c -> decode(c.entry()));
    }

    @Override
    public CompletableFuture<CacheEntry> compileSource(Digest key, CompilerSpec compiler, String language,
            List<String> args, String source, String cwd, byte[] input) {
        return client.compileSource(key, compiler, language, args, source, cwd, input)
                .thenApply(c -> decode(c.entry()));
    }

    /** A node's entry, its checksum verified: a corrupt one is the node's failure. */
    private CacheEntry decode(byte[] entry) {
        try {
            return NodeClient.decode(entry);
        } catch (CorruptEntryException e) {
            throw new CompletionException(new IOException("corrupt entry from " + node, e));
        }
    }

    @Override
    public void abort(IOException why) {
        client.abort(why);
    }

    @Override
    public void close() {
        client.close();
    }
}
