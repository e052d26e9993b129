package cache.storage.remote;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's redis-server and nginx started for a test on loopback: a free port found at run time,
 * files under the test's own directory. {@code .ci/run} installs both; with {@code CI} set a
 * missing one fails the test, without it the test is skipped.
 */
public final class RealServers {

    private RealServers() {}

    public static void require(Path binary) {
        boolean ci = System.getenv("CI") != null && !System.getenv("CI").isEmpty()
                && !System.getenv("CI").equalsIgnoreCase("false");
        if (!Files.isExecutable(binary)) {
            if (ci) {
                fail(binary + " is missing, and CI is set: .ci/run installs it");
            }
            Assumptions.abort(binary + " is not installed (and CI is not set): skipped");
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A server process; {@link #close} kills it and waits for it. */
    public static final class Server implements AutoCloseable {
        final Process process;
        public final int port;
        public final Path dir;

        Server(Process process, int port, Path dir) {
            this.process = process;
            this.port = port;
            this.dir = dir;
        }

        /** Kills it at once (SIGKILL), as a crash would, and waits for it. */
        public void kill() {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() {
            kill();
        }
    }

    /**
     * redis-server on {@code port} (0: a free one) and the unix socket {@code dir/redis.sock},
     * with {@code password} (null: none); nothing saved to disk.
     */
    public static Server redis(Path dir, int port, String password) throws IOException, InterruptedException {
        Path redis = Path.of("/usr/bin/redis-server");
        require(redis);
        Files.createDirectories(dir);
        int p = port == 0 ? freePort() : port;
        List<String> cmd = new ArrayList<>(List.of(redis.toString(), "--port", Integer.toString(p), "--bind", "127.0.0.1",
                "--unixsocket", dir.resolve("redis.sock").toString(), "--unixsocketperm", "700", "--save", "",
                "--appendonly", "no", "--dir", dir.toString(), "--daemonize", "no"));
        if (password != null) {
            cmd.addAll(List.of("--requirepass", password));
        }
        Process proc = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile()).start();
        awaitPort(proc, p, dir.resolve("redis.log"));
        return new Server(proc, p, dir);
    }

    /**
     * nginx serving {@code dir/data} with WebDAV PUT on a free port: {@code /fail/} answers 500
     * to everything.
     */
    public static Server nginx(Path dir) throws IOException, InterruptedException {
        Path nginx = Path.of("/usr/sbin/nginx");
        require(nginx);
        for (String d : List.of("data", "tmp", "logs")) {
            Files.createDirectories(dir.resolve(d));
        }
        int port = freePort();
        String conf = """
                daemon off;
                master_process off;
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/logs/error.log;
                events { worker_connections 64; }
                http {
                    access_log off;
                    client_body_temp_path %1$s/tmp/body;
                    proxy_temp_path %1$s/tmp/proxy;
                    fastcgi_temp_path %1$s/tmp/fastcgi;
                    uwsgi_temp_path %1$s/tmp/uwsgi;
                    scgi_temp_path %1$s/tmp/scgi;
                    server {
                        listen 127.0.0.1:%2$d;
                        root %1$s/data;
                        client_max_body_size 256m;
                        location / {
                            dav_methods PUT DELETE;
                            create_full_put_path on;
                            dav_access user:rw group:r all:r;
                        }
                        location /fail/ { return 500; }
                    }
                }
                """.formatted(dir, port);
        Files.writeString(dir.resolve("nginx.conf"), conf);
        Process proc = new ProcessBuilder(nginx.toString(), "-p", dir.toString(), "-e", dir.resolve("logs/stderr.log").toString(),
                "-c", dir.resolve("nginx.conf").toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("logs/out.log").toFile()).start();
        awaitPort(proc, port, dir.resolve("logs/error.log"));
        return new Server(proc, port, dir);
    }

    /** Until the port accepts; fails when the process exits first (bounded by the test's timeout). */
    private static void awaitPort(Process proc, int port, Path log) throws IOException, InterruptedException {
        while (true) {
            if (!proc.isAlive()) {
                fail("server exited with " + proc.exitValue() + ": "
                        + (Files.exists(log) ? Files.readString(log) : "(no log)"));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return;
            } catch (IOException notYet) {
                Thread.sleep(20);
            }
        }
    }

    /** A loopback server that accepts connections and never answers: a hung HTTP cache. */
    static final class Silent implements AutoCloseable {
        final ServerSocket socket;
        private final List<Socket> held = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final Thread acceptor;

        Silent() throws IOException {
            socket = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
            acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(socket.accept());
                    }
                } catch (IOException closed) {
                    // closed by close()
                }
            }, "silent-server");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (Socket s : held) {
                s.close();
            }
        }
    }
}
