package cache.frontend.daemon;

import cache.compat.config.Config;
import cache.compat.config.ConfigException;
import cache.compat.config.RemoteStorageUrl;
import cache.frontend.pipeline.CompilePipeline;
import cache.frontend.pipeline.CompileRequest;
import cache.frontend.pipeline.Outcome;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Serves one client connection: decodes the request frame and answers it. A compile that needs
 * no process (a direct-mode hit, an uncacheable call) is answered right here on the event loop,
 * without a thread hand-off: most calls of a warm build. The rest (a miss blocks for as long as
 * the compiler runs; admin commands may walk the whole store) continue on a worker thread. A
 * client that goes away mid-compile interrupts its worker, which kills the compiler.
 */
final class ClientHandler extends SimpleChannelInboundHandler<ByteBuf> {

    private static final Logger LOG = Logger.getLogger(ClientHandler.class.getName());

    private final Daemon daemon;
    private final ExecutorService workers;
    private boolean received;
    /** The request is the daemon's own warm-up, not a user's. */
    private boolean ownWarmup;
    private Future<?> work;
    /** Whether the deferred work began (or can no longer begin); whether the request was ended. */
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean ended = new AtomicBoolean();
    /** The store this call uses, once it has one; released when the request ends. */
    private volatile CacheDirectories.Lease lease;
    /** The answer's work for after the reply ({@link Outcome.Replay#afterReply}); null: none. */
    private volatile Runnable afterReply;
    /**
     * Whether the reply was handed to the channel. From then on the client's leaving (which it
     * does as soon as it has read the reply) no longer interrupts the work: what is left of it is
     * the after-reply writes (a remote hit's back-fill, which in a new directory waits for the
     * store's open), which would otherwise be lost.
     */
    private volatile boolean replied;

    ClientHandler(Daemon daemon, ExecutorService workers) {
        this.daemon = daemon;
        this.workers = workers;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
        if (received) {
            ctx.close(); // one request per connection
            return;
        }
        received = true;
        byte[] body = ByteBufUtil.getBytes(frame);
        ClientRequest req;
        try {
            req = ClientRequest.decode(body);
        } catch (IllegalArgumentException e) {
            LOG.warning("malformed request, connection closed: " + e.getMessage());
            ctx.close();
            return;
        }
        if (!req.version().equals(daemon.buildVersion())) {
            LOG.info("client version " + req.version() + " differs from " + daemon.buildVersion() + "; exiting for a restart");
            ctx.writeAndFlush(ReplyEncoder.text(ctx.alloc(), ReplyEncoder.RESTART, daemon.buildVersion()))
                    .addListener(ChannelFutureListener.CLOSE)
                    .addListener(f -> daemon.stopSoon());
            return;
        }
        ownWarmup = req.kind().equals(ClientRequest.WARMUP);
        daemon.requestStarted(ownWarmup);
        if (req.kind().equals(ClientRequest.ADMIN)) {
            defer(ctx, () -> admin(ctx, req));
            return;
        }
        if (req.kind().equals(ClientRequest.MONITOR)) {
            finish(ctx, () -> ReplyEncoder.replay(ctx.alloc(), MonitorText.render(daemon.directories().shared()
                    .farmJobs().snapshot()).getBytes(java.nio.charset.StandardCharsets.UTF_8), new byte[0], 0));
            return;
        }
        if (!req.kind().equals(ClientRequest.COMPILE) && !req.kind().equals(ClientRequest.WARMUP)) {
            finish(ctx, () -> encode(ctx, new Outcome.Fallback("unknown request kind " + req.kind())));
            return;
        }
        Outcome quick;
        long arrived = System.nanoTime(); // the call began: what changed before it must be seen
        try {
            quick = ownWarmup ? warmupCompile(req, arrived) : quickCompile(req, arrived);
        } catch (RuntimeException e) {
            quick = failed(e);
        }
        if (quick instanceof Outcome.Deferred d) {
            defer(ctx, () -> encode(ctx, d.rest().run()));
        } else {
            Outcome answer = quick;
            finish(ctx, () -> encode(ctx, answer));
        }
    }

    /** How a reply is made; it may wait (a compile), and an interrupt means the client left. */
    @FunctionalInterface
    private interface Answer {
        ByteBuf get() throws InterruptedException;
    }

    /** Finishes the request on a worker thread: it may block (a compile, an admin command, opening a store). */
    private void defer(ChannelHandlerContext ctx, Answer answer) {
        work = workers.submit(() -> {
            if (started.compareAndSet(false, true)) {
                finish(ctx, answer);
            }
        });
    }

    private void finish(ChannelHandlerContext ctx, Answer answer) {
        ByteBuf reply;
        try {
            reply = answer.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ctx.close();
            return;
        } catch (RuntimeException e) {
            reply = encode(ctx, failed(e));
        } catch (Throwable e) { // an Error (out of memory, a class that cannot load): the client compiles
            LOG.log(Level.SEVERE, "request failed", e);
            ctx.close();
            return;
        } finally {
            if (afterReply == null) {
                end();
            }
        }
        replied = true;
        ctx.writeAndFlush(reply).addListener(ChannelFutureListener.CLOSE);
        Runnable after = afterReply;
        if (after != null) {
            try {
                after.run(); // the client has its answer; the call still holds its store
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "writing after the reply failed", e);
            } finally {
                end();
            }
        }
    }

    /** The request is over: the daemon's activity count and the store's use by this call end, once. */
    private void end() {
        if (ended.compareAndSet(false, true)) {
            if (lease != null) {
                lease.close();
            }
            daemon.requestFinished(ownWarmup);
        }
    }

    private static Outcome failed(RuntimeException e) {
        LOG.log(Level.WARNING, "request failed", e);
        return new Outcome.Fallback("daemon error: " + e);
    }

    /** A warm-up call: to the warm-up's private pipeline (refused once the warm-up is over). */
    private Outcome warmupCompile(ClientRequest req, long arrived) {
        CompilePipeline pipeline = daemon.warmupPipeline();
        if (pipeline == null) {
            return new Outcome.Fallback("no warm-up running");
        }
        try {
            return pipeline.handleQuick(compileRequest(req, daemon.configs().load(req.env(), daemon.systemConfig(),
                    Path.of(req.cwd()), arrived)), arrived);
        } catch (ConfigException e) {
            return new Outcome.Fallback("invalid configuration: " + e.getMessage());
        }
    }

    /**
     * A user's call: its configuration applied, then as much of it as needs no process, in the
     * store of the cache directory its configuration names. A directory whose store is not open
     * yet continues on a worker, which opens it (creating the directory; a new one opens in the
     * background, {@link CacheDirectories#leaseForCall}).
     */
    private Outcome quickCompile(ClientRequest req, long arrived) {
        Path cwd = Path.of(req.cwd());
        Config config;
        try {
            config = daemon.configs().load(req.env(), daemon.systemConfig(), cwd, arrived);
        } catch (ConfigException e) {
            // ccache stops with its error and status 1 (a CCACHE_DISABLE=0 says the user meant
            // something ccache does not read); compiling anyway would hide the mistake.
            LOG.warning("invalid configuration, the call fails as ccache's does: " + e.getMessage());
            return new Outcome.Replay(new byte[0],
                    ("cache: error: " + e.getMessage() + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8), 1);
        }
        String unusable = config.disable() ? null : RemoteStorageUrl.fatalError(config.remoteStorage());
        if (unusable != null) {
            // ccache 4.7.5 stops such a call with its error too: a remote_storage it cannot parse
            // would otherwise go unnoticed while the team's cache is never shared
            LOG.warning("remote_storage refused, the call fails as ccache's does: " + unusable);
            return new Outcome.Replay(new byte[0],
                    ("cache: error: " + unusable + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8), 1);
        }
        CompileRequest cr = compileRequest(req, config);
        if (config.disable()) {
            return daemon.directories().shared().disabled(cr);
        }
        Path dir = cwd.resolve(config.cacheDir()).normalize();
        try {
            lease = daemon.directories().leaseIfOpen(dir);
        } catch (IOException e) {
            return new Outcome.Fallback("cache directory " + dir + ": " + e.getMessage());
        }
        if (lease == null) {
            return new Outcome.Deferred(() -> {
                try {
                    lease = daemon.directories().leaseForCall(dir, config, req.umask());
                } catch (IOException e) {
                    return new Outcome.Fallback("cannot use the cache directory " + dir + ": " + e.getMessage());
                }
                lease.applyConfig(config);
                // its writes for after the reply (a remote hit's back-fill, which in a new
                // directory waits for its store) left for after it, as from the event loop
                return lease.pipeline().handleHere(cr, arrived);
            });
        }
        lease.applyConfig(config);
        if (config.debug() && !config.remoteStorage().isBlank()) {
            // A debugged call makes its remote writes before it ends, as ccache does, so that its
            // log can tell their failures: all of it on a worker, never holding the event loop.
            return new Outcome.Deferred(() -> lease.pipeline().handleHere(cr, arrived));
        }
        return lease.pipeline().handleQuick(cr, arrived);
    }

    /**
     * The call as the pipeline runs it. As in ccache, every process it starts (preprocessor,
     * compiler, check command) sees {@code CCACHE_DISABLE=1}, so a compiler that is a wrapper
     * calling ccache (or cache) again compiles once, not through the cache a second time.
     */
    private static CompileRequest compileRequest(ClientRequest req, Config config) {
        Map<String, String> env = req.env();
        if (!config.disable() && !"1".equals(env.get("CCACHE_DISABLE"))) {
            env = new HashMap<>(env);
            env.put("CCACHE_DISABLE", "1");
            env = Collections.unmodifiableMap(env);
        }
        return new CompileRequest(req.compilerName(), Path.of(req.compiler()), req.args(), Path.of(req.cwd()),
                env, req.umask(), req.isTerminal(2), config, req.pid(), req.clock());
    }

    private ByteBuf encode(ChannelHandlerContext ctx, Outcome outcome) {
        if (outcome instanceof Outcome.Replay r) {
            ByteBuf reply = ReplyEncoder.replay(ctx.alloc(), r.stdout(), r.stderr(), r.exitCode());
            afterReply = r.afterReply();
            return reply;
        }
        if (outcome instanceof Outcome.Passthrough p) {
            return ReplyEncoder.runYourself(ctx.alloc(), ReplyEncoder.PASSTHROUGH, p.reason(), p.compiler());
        }
        if (outcome instanceof Outcome.Fallback f) {
            return ReplyEncoder.runYourself(ctx.alloc(), ReplyEncoder.FALLBACK, f.reason(), f.compiler());
        }
        throw new IllegalStateException("not an answer: " + outcome);
    }

    private ByteBuf admin(ChannelHandlerContext ctx, ClientRequest req) {
        String program = req.compilerName() == null ? "cache" : req.compilerName();
        AdminCommand.Result r = AdminCommand.run(daemon.adminContext(), program, req.args(), req.env(),
                Path.of(req.cwd()), clientStdin(ctx), req.umask());
        return ReplyEncoder.replay(ctx.alloc(), r.stdout().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                r.stderr().getBytes(java.nio.charset.StandardCharsets.UTF_8), r.exitCode());
    }

    /**
     * The client's standard input, reopened through {@code /proc}: the kernel's peer
     * credentials name the process (same user, checked on accept).
     */
    private static Path clientStdin(ChannelHandlerContext ctx) {
        if (ctx.channel() instanceof EpollDomainSocketChannel ch) {
            try {
                return Path.of("/proc/" + ch.peerCredentials().pid() + "/fd/0");
            } catch (java.io.IOException | RuntimeException e) {
                return null;
            }
        }
        return null;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (work != null && !work.isDone() && !replied) { // a client that left before its answer: stop the work
            work.cancel(true);
            if (started.compareAndSet(false, true)) {
                end(); // the work never ran, so its finish() will not end the request
            }
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.log(Level.FINE, "client connection error", cause);
        ctx.close();
    }
}
