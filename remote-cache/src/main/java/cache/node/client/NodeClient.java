package cache.node.client;

import cache.hashing.Digest;
import cache.node.protocol.ByteCounter;
import cache.node.protocol.MessageCodec;
import cache.node.protocol.NodeProtocol;
import cache.node.protocol.NodeProtocol.Auth;
import cache.node.protocol.NodeProtocol.AuthOk;
import cache.node.protocol.NodeProtocol.Compile;
import cache.node.protocol.NodeProtocol.CompileSource;
import cache.node.protocol.NodeProtocol.CompilerSpec;
import cache.node.protocol.NodeProtocol.ErrorCode;
import cache.node.protocol.NodeProtocol.Hello;
import cache.node.protocol.NodeProtocol.Hit;
import cache.node.protocol.NodeProtocol.Message;
import cache.node.protocol.NodeProtocol.Miss;
import cache.node.protocol.NodeProtocol.Probe;
import cache.node.protocol.NodeProtocol.Result;
import cache.node.protocol.NodeProtocol.Stats;
import cache.node.protocol.NodeProtocol.StatsReply;
import cache.node.protocol.NodeProtocol.Welcome;
import cache.node.protocol.TcpTransport;
import cache.store.CacheEntry;
import cache.store.CorruptEntryException;
import cache.store.EntryCodec;
import com.github.luben.zstd.Zstd;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A client of one node over one persistent connection: {@link #connect} (TCP, optional TLS,
 * version handshake, optional shared-secret answer), then {@link #probe}, {@link #compile}
 * and {@link #stats}, which may be called from any thread and pipelined freely: each request
 * carries its own id and its future completes when its answer arrives, in any order.
 *
 * <p>Futures fail with {@link NodeException} when the node refuses (its code and reason, for
 * the caller's log), with {@link IOException} when the connection is lost, and with
 * {@link java.util.concurrent.TimeoutException} when the request timeout passes, with
 * {@link NodeSilentException} when a version 3 node stops saying it is alive. Entries are
 * returned as the node sent them; {@link #decode} verifies their checksum.
 *
 * <p>The usual sequence for one compile: {@code probe}; on a hit use the entry (no input
 * crossed the network); on a miss {@code compile} with the preprocessed input.
 */
public final class NodeClient implements AutoCloseable {

    /** How to connect. Defaults: 5 s connect, 10 min per request, no TLS, no secret. */
    public static final class Options {
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration requestTimeout = Duration.ofMinutes(10);
        private Duration silenceLimit = DEFAULT_SILENCE_LIMIT;
        private byte[] authSecret;
        private boolean tls;
        private Path trustCert;
        private String clientName = "cache";
        private EventLoopGroup group;

        public Options connectTimeout(Duration d) {
            this.connectTimeout = d;
            return this;
        }

        public Options requestTimeout(Duration d) {
            this.requestTimeout = d;
            return this;
        }

        /**
         * On a connection of protocol version 3 or later (whose node says it is alive every
         * second while it owes answers): how long the node may stay silent while requests are
         * pending before every one of them fails with {@link NodeSilentException} and the
         * connection is closed. Older nodes are bounded by the request timeout alone.
         */
        public Options silenceLimit(Duration d) {
            this.silenceLimit = d;
            return this;
        }

        /** The node's shared secret, answered to its challenge. */
        public Options authSecret(byte[] secret) {
            this.authSecret = secret;
            return this;
        }

        /**
         * TLS, trusting exactly the certificate (PEM) in {@code trustCert}; {@code null} trusts any
         * certificate (encryption without authentication of the node: only with a shared secret).
         */
        public Options tls(Path trustCert) {
            this.tls = true;
            this.trustCert = trustCert;
            return this;
        }

        public Options clientName(String name) {
            this.clientName = name;
            return this;
        }

        /** Shares an event loop among clients (the caller shuts it down); default: one thread per client. */
        public Options eventLoop(EventLoopGroup g) {
            this.group = g;
            return this;
        }
    }

    /** A node's refusal: its code and the reason it gave. */
    public static final class NodeException extends IOException {
        private final ErrorCode code;

        public NodeException(ErrorCode code, String reason) {
            super(code.label() + ": " + reason);
            this.code = code;
        }

        public ErrorCode code() {
            return code;
        }
    }

    /** A node of version 3 or later that said nothing for the silence limit while answers were owed: it hangs. */
    public static final class NodeSilentException extends IOException {
        public NodeSilentException(String message) {
            super(message);
        }
    }

    /** How long a version 3 node may be silent while it owes answers: ten of its keep-alive intervals. */
    public static final Duration DEFAULT_SILENCE_LIMIT = Duration.ofSeconds(10);

    /** The answer to a probe: {@code entry} is null on a miss. */
    public record ProbeResult(byte[] entry) {
        public boolean hit() {
            return entry != null;
        }
    }

    /** The answer to a compile: the entry (any exit code) and whether the node cached it. */
    public record CompileResult(boolean stored, byte[] entry) {
    }

    private static final EntryCodec CODEC = EntryCodec.defaults();

    private final EventLoopGroup group;
    private final boolean ownGroup;
    private final Options options;
    private final Map<Integer, CompletableFuture<Message>> pending = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final LongAdder bytesSent = new LongAdder();
    private final LongAdder bytesReceived = new LongAdder();
    private volatile IOException closedBecause;
    /** When the node was last heard from, or the first pending request sent (nanoTime). */
    private volatile long lastHeard = System.nanoTime();
    private Channel channel;
    private Welcome welcome;

    private NodeClient(Options options) {
        this.options = options;
        this.ownGroup = options.group == null;
        this.group = ownGroup ? TcpTransport.group(1) : options.group;
    }

    /** Connects, agrees on the protocol version and authenticates; blocks until done. */
    public static NodeClient connect(String host, int port, Options options) throws IOException {
        return connect(InetSocketAddress.createUnresolved(host, port), options);
    }

    /**
     * {@link #connect(String, int, Options)} to {@code address}: a TCP one, or a Netty {@link
     * LocalAddress} served in this JVM (no socket: the daemon's warm-up runs the client's code
     * against an in-process handler that way).
     */
    public static NodeClient connect(SocketAddress address, Options options) throws IOException {
        NodeClient c = new NodeClient(options);
        try {
            c.open(address);
            return c;
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    private void open(SocketAddress address) throws IOException {
        boolean local = address instanceof LocalAddress;
        String host = local ? ((LocalAddress) address).id() : ((InetSocketAddress) address).getHostString();
        int port = local ? 0 : ((InetSocketAddress) address).getPort();
        SslContext tls = null;
        if (options.tls) {
            SslContextBuilder b = SslContextBuilder.forClient();
            if (options.trustCert != null) {
                b.trustManager(options.trustCert.toFile());
            } else {
                b.trustManager(InsecureTrustManagerFactory.INSTANCE);
            }
            tls = b.build();
        }
        SslContext sslContext = tls;
        Bootstrap b = new Bootstrap().group(group).channel(local ? LocalChannel.class : TcpTransport.socketChannel(group))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) options.connectTimeout.toMillis())
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new ByteCounter(bytesReceived::add, bytesSent::add));
                        if (sslContext != null) {
                            ch.pipeline().addLast(sslContext.newHandler(ch.alloc(), host, port));
                        }
                        ch.pipeline().addLast(NodeProtocol.frameDecoder(NodeProtocol.MAX_FRAME));
                        ch.pipeline().addLast(new MessageCodec());
                        ch.pipeline().addLast(new Responses());
                    }
                });
        try {
            if (!local) {
                b.option(ChannelOption.TCP_NODELAY, true);
            }
            channel = (local ? b.connect(address) : b.connect(host, port)).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while connecting to " + host + ":" + port);
        } catch (Exception e) {
            throw new IOException("cannot connect to " + host + ":" + port + ": " + e.getMessage(), e);
        }
        Message w = await(send(new Hello(ids.incrementAndGet(), NodeProtocol.MIN_VERSION, NodeProtocol.VERSION,
                options.clientName)), options.connectTimeout);
        if (!(w instanceof Welcome welcomed)) {
            throw new IOException("node answered HELLO with frame type " + w.type());
        }
        welcome = welcomed;
        if (welcome.authRequired()) {
            if (options.authSecret == null) {
                throw new NodeException(ErrorCode.AUTH_REQUIRED, "node " + welcome.node()
                        + " requires a shared secret and none is configured");
            }
            Message ok = await(send(new Auth(ids.incrementAndGet(), Auth.mac(options.authSecret,
                    welcome.nonce()))), options.connectTimeout);
            if (!(ok instanceof AuthOk)) {
                throw new IOException("node answered AUTH with frame type " + ok.type());
            }
        }
        if (welcome.version() >= NodeProtocol.LIVENESS_VERSION) {
            long every = NodeProtocol.WORKING_INTERVAL.toMillis();
            var watch = channel.eventLoop().scheduleAtFixedRate(this::checkSilence, every, every, TimeUnit.MILLISECONDS);
            channel.closeFuture().addListener(f -> watch.cancel(false));
        }
    }

    /** Fails everything pending on a version 3 node that has been silent for the silence limit. */
    private void checkSilence() {
        long silent = System.nanoTime() - lastHeard;
        if (!pending.isEmpty() && closedBecause == null && silent > options.silenceLimit.toNanos()) {
            failAll(new NodeSilentException("node " + welcome.node() + " said nothing for "
                    + TimeUnit.NANOSECONDS.toSeconds(silent) + " s while " + pending.size()
                    + " requests were pending (it sends WORKING every second): it hangs"));
            channel.close();
        }
    }

    /** The node's name as it announced itself. */
    public String nodeName() {
        return welcome.node();
    }

    public int protocolVersion() {
        return welcome.version();
    }

    /** Whether the node takes {@link #compileSource} (it speaks version 2 or later). */
    public boolean compilesSources() {
        return protocolVersion() >= NodeProtocol.SOURCE_VERSION;
    }

    /** Asks whether the node has a result for {@code key} built by this compiler. */
    public CompletableFuture<ProbeResult> probe(Digest key, CompilerSpec compiler) {
        return send(new Probe(ids.incrementAndGet(), key, compiler)).thenApply(m -> {
            if (m instanceof Hit h) {
                return new ProbeResult(h.entry());
            }
            if (m instanceof Miss) {
                return new ProbeResult(null);
            }
            throw unexpected(m);
        });
    }

    /**
     * Sends the preprocessed input (compressed here) and the arguments to compile it with.
     *
     * @param language the {@code -x} language of the input (cpp-output, c++-cpp-output, c, …)
     * @param args compiler arguments without input, {@code -o} and {@code -x}
     */
    public CompletableFuture<CompileResult> compile(Digest key, CompilerSpec compiler, String language,
            List<String> args, byte[] input) {
        byte[] compressed = Zstd.compress(input);
        return send(new Compile(ids.incrementAndGet(), key, compiler, language, List.copyOf(args), input.length,
                compressed)).thenApply(m -> {
                    if (m instanceof Result r) {
                        return new CompileResult(r.stored(), r.entry());
                    }
                    throw unexpected(m);
                });
    }

    /**
     * Asks whether the node has the result of a {@link #compileSource} with these fields: a
     * {@link #probe} of {@link CompileSource#jobKey}, the key the node stores it under.
     */
    public CompletableFuture<ProbeResult> probeSource(Digest key, CompilerSpec compiler, String source, String cwd) {
        return probe(CompileSource.jobKey(key, source, cwd), compiler);
    }

    /**
     * Sends a source to be compiled as if in {@code cwd} under the name {@code source} (version
     * 2): the object, debug information included, is the one the client's compiler would write.
     * Fails with a {@link NodeException} ({@code BAD_VERSION}) without sending anything when the
     * node speaks only version 1 ({@link #compilesSources()}).
     *
     * @param language the source language (c, c++, objective-c, objective-c++)
     * @param args compiler arguments without input, {@code -o} and {@code -x}
     * @param source the source path as the client's command line spells it
     * @param cwd the client's working directory, as its compiler records it
     * @param input the source with includes expanded and macro definitions kept
     */
    public CompletableFuture<CompileResult> compileSource(Digest key, CompilerSpec compiler, String language,
            List<String> args, String source, String cwd, byte[] input) {
        if (!compilesSources()) {
            return CompletableFuture.failedFuture(new NodeException(ErrorCode.BAD_VERSION, "node " + nodeName()
                    + " speaks protocol version " + protocolVersion() + ", source compiles need "
                    + NodeProtocol.SOURCE_VERSION));
        }
        byte[] compressed = Zstd.compress(input);
        return send(new CompileSource(ids.incrementAndGet(), key, compiler, language, List.copyOf(args), source,
                cwd, input.length, compressed)).thenApply(m -> {
                    if (m instanceof Result r) {
                        return new CompileResult(r.stored(), r.entry());
                    }
                    throw unexpected(m);
                });
    }

    /** The node's counters, as on its stats port. */
    public CompletableFuture<Map<String, Long>> stats() {
        return send(new Stats(ids.incrementAndGet())).thenApply(m -> {
            if (m instanceof StatsReply s) {
                return s.values();
            }
            throw unexpected(m);
        });
    }

    /** Decodes and verifies an entry from {@link #probe} or {@link #compile}. */
    public static CacheEntry decode(byte[] entry) throws CorruptEntryException {
        return CODEC.decode(entry);
    }

    /** Bytes this client has written to the connection (TLS records included). */
    public long bytesSent() {
        return bytesSent.sum();
    }

    public long bytesReceived() {
        return bytesReceived.sum();
    }

    public boolean isOpen() {
        return channel != null && channel.isActive() && closedBecause == null;
    }

    private CompletableFuture<Message> send(Message m) {
        CompletableFuture<Message> f = new CompletableFuture<>();
        IOException closed = closedBecause;
        if (closed != null || channel == null) {
            f.completeExceptionally(closed != null ? closed : new IOException("not connected"));
            return f;
        }
        if (pending.isEmpty()) {
            lastHeard = System.nanoTime(); // silence counts from the first request owed
        }
        pending.put(m.id(), f);
        channel.writeAndFlush(m).addListener(w -> {
            if (!w.isSuccess()) {
                fail(m.id(), new IOException("cannot send to the node: " + w.cause(), w.cause()));
            }
        });
        f.orTimeout(options.requestTimeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((r, e) -> {
            if (e instanceof TimeoutException) {
                pending.remove(m.id());
            }
        });
        return f;
    }

    private static Message await(CompletableFuture<Message> f, Duration limit) throws IOException {
        try {
            return f.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        } catch (TimeoutException e) {
            throw new IOException("node did not answer within " + limit.toMillis() + " ms");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause());
        }
    }

    private void fail(int id, IOException e) {
        CompletableFuture<Message> f = pending.remove(id);
        if (f != null) {
            f.completeExceptionally(e);
        }
    }

    private void failAll(IOException e) {
        if (closedBecause == null) {
            closedBecause = e;
        }
        for (Integer id : List.copyOf(pending.keySet())) {
            fail(id, e);
        }
    }

    private static IllegalStateException unexpected(Message m) {
        return new IllegalStateException("unexpected answer type 0x" + Integer.toHexString(m.type()));
    }

    /** Routes answers to their requests by id; an ERROR for id 0 ends the connection. */
    private final class Responses extends SimpleChannelInboundHandler<Message> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Message m) {
            lastHeard = System.nanoTime();
            if (m instanceof NodeProtocol.Working) {
                return; // the node is alive and still working on something pending
            }
            if (m instanceof NodeProtocol.Error err) {
                NodeException e = new NodeException(err.code(), err.message());
                if (pending.containsKey(err.id())) {
                    fail(err.id(), e);
                } else {
                    failAll(e);
                }
                return;
            }
            CompletableFuture<Message> f = pending.remove(m.id());
            if (f != null) {
                f.complete(m);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            failAll(new IOException("connection to the node closed"));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failAll(new IOException("connection to the node failed: " + cause.getMessage(), cause));
            ctx.close();
        }
    }

    /** Fails every pending request with {@code why} (rather than "client closed"), then closes. */
    public void abort(IOException why) {
        failAll(why);
        close();
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        failAll(new IOException("client closed"));
        if (ownGroup) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
        }
    }
}
