package cache.frontend.daemon;

import cache.compat.config.Config;
import cache.compat.config.ConfigException;
import cache.frontend.pipeline.CompileRequest;
import cache.frontend.pipeline.Outcome;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Serves one client connection: decodes the request frame, runs it on a worker thread (a
 * compile blocks for as long as the compiler runs), writes the reply and closes. A client that
 * goes away mid-compile interrupts its worker, which kills the compiler.
 */
final class ClientHandler extends SimpleChannelInboundHandler<ByteBuf> {

    private static final Logger LOG = Logger.getLogger(ClientHandler.class.getName());

    private final Daemon daemon;
    private final ExecutorService workers;
    private Future<?> work;

    ClientHandler(Daemon daemon, ExecutorService workers) {
        this.daemon = daemon;
        this.workers = workers;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
        if (work != null) {
            ctx.close(); // one request per connection
            return;
        }
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
        daemon.requestStarted();
        work = workers.submit(() -> serve(ctx, req));
    }

    private void serve(ChannelHandlerContext ctx, ClientRequest req) {
        ByteBuf reply;
        try {
            reply = switch (req.kind()) {
                case "compile" -> compile(ctx, req);
                case "admin" -> admin(ctx, req);
                default -> ReplyEncoder.text(ctx.alloc(), ReplyEncoder.FALLBACK, "unknown request kind " + req.kind());
            };
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ctx.close();
            return;
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "request failed", e);
            reply = ReplyEncoder.text(ctx.alloc(), ReplyEncoder.FALLBACK, "daemon error: " + e);
        } finally {
            daemon.requestFinished();
        }
        ctx.writeAndFlush(reply).addListener(ChannelFutureListener.CLOSE);
    }

    private ByteBuf compile(ChannelHandlerContext ctx, ClientRequest req) throws InterruptedException {
        Path cwd = Path.of(req.cwd());
        Outcome outcome;
        try {
            Config config = daemon.configs().load(req.env(), daemon.systemConfig(), cwd);
            if (!daemon.serves(config, cwd)) {
                return ReplyEncoder.text(ctx.alloc(), ReplyEncoder.FALLBACK, daemon.pipeline().notServed(
                        "cache_dir " + config.cacheDir() + " is not the directory this daemon serves").reason());
            }
            daemon.applyConfig(config);
            CompileRequest cr = new CompileRequest(req.compilerName(), Path.of(req.compiler()), req.args(), cwd,
                    req.env(), req.umask(), req.isTerminal(2), config);
            outcome = daemon.pipeline().handle(cr);
        } catch (ConfigException e) {
            outcome = daemon.pipeline().configurationError(e.getMessage());
        }
        if (outcome instanceof Outcome.Replay r) {
            return ReplyEncoder.replay(ctx.alloc(), r.stdout(), r.stderr(), r.exitCode());
        }
        if (outcome instanceof Outcome.Passthrough p) {
            return ReplyEncoder.runYourself(ctx.alloc(), ReplyEncoder.PASSTHROUGH, p.reason(), p.compiler());
        }
        Outcome.Fallback f = (Outcome.Fallback) outcome;
        return ReplyEncoder.runYourself(ctx.alloc(), ReplyEncoder.FALLBACK, f.reason(), f.compiler());
    }

    private ByteBuf admin(ChannelHandlerContext ctx, ClientRequest req) {
        String program = req.compilerName() == null ? "cache" : req.compilerName();
        AdminCommand.Result r = AdminCommand.run(daemon.adminContext(), program, req.args(), req.env(),
                Path.of(req.cwd()), clientStdin(ctx));
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
        if (work != null && !work.isDone()) {
            work.cancel(true);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.log(Level.FINE, "client connection error", cause);
        ctx.close();
    }
}
