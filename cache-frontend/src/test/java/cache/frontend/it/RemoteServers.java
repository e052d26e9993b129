package cache.frontend.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Real Redis and nginx servers for the remote storage tests, each on a free loopback port and
 * with every file under the test's directory: Debian's {@code redis-server} (no snapshots) and
 * nginx with WebDAV ({@code nginx-extras}). A missing server skips the test, or fails it on CI
 * ({@link Prerequisites}).
 */
public final class RemoteServers {

    static final Path REDIS_SERVER = Path.of("/usr/bin/redis-server");
    static final Path REDIS_CLI = Path.of("/usr/bin/redis-cli");
    static final Path NGINX = Path.of("/usr/sbin/nginx");

    private RemoteServers() {}

    public static void requireRedis() {
        Prerequisites.require(Files.isExecutable(REDIS_SERVER) && Files.isExecutable(REDIS_CLI),
                "redis-server and redis-cli (Debian package redis-server)");
    }

    static void requireNginx() {
        Prerequisites.require(Files.isExecutable(NGINX), "nginx with WebDAV (Debian package nginx-extras)");
    }

    /** A loopback port free right now. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** redis-server on {@code port} (127.0.0.1), its files in {@code dir}; returns once it accepts. */
    public static Process startRedis(Path dir, int port, String... extraArgs) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        List<String> cmd = new ArrayList<>(List.of(REDIS_SERVER.toString(), "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString()));
        cmd.addAll(List.of(extraArgs));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile())).start();
        awaitPort(p, port, dir.resolve("redis.log"));
        return p;
    }

    /**
     * nginx on {@code port}, its files in {@code dir} (documents in {@code dir/data}); {@code
     * server} is the body of its one {@code server} block after {@code listen} and {@code root},
     * {@code http} extra directives of the {@code http} block. Returns once it accepts.
     */
    static Process startNginx(Path dir, int port, String server, String http) throws IOException, InterruptedException {
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(dir.resolve("nginx.conf"), """
                daemon off; master_process off; worker_processes 1;
                pid %1$s/nginx.pid; error_log %1$s/error.log;
                events { worker_connections 256; }
                http {
                    access_log off;
                    client_body_temp_path %1$s/body; proxy_temp_path %1$s/proxy; fastcgi_temp_path %1$s/fcgi;
                    uwsgi_temp_path %1$s/uwsgi; scgi_temp_path %1$s/scgi;
                    %3$s
                    server {
                        listen 127.0.0.1:%2$d; root %1$s/data; client_max_body_size 256m;
                        %4$s
                    }
                }
                """.formatted(dir, port, http, server));
        Process p = new ProcessBuilder(NGINX.toString(), "-p", dir.toString(), "-e",
                dir.resolve("stderr.log").toString(), "-c", dir.resolve("nginx.conf").toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("out.log").toFile()).start();
        awaitPort(p, port, dir.resolve("error.log"));
        return p;
    }

    /** WebDAV PUT and GET under the document root, directories made as needed. */
    static final String WEBDAV = "location / { dav_methods PUT; create_full_put_path on; }";

    /** Until {@code port} accepts (bounded by the calling test's timeout); fails if the server exits first. */
    static void awaitPort(Process p, int port, Path log) throws InterruptedException {
        while (true) {
            assertTrue(p.isAlive(), () -> "server exited: " + read(log));
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return;
            } catch (IOException notYet) {
                Thread.sleep(20);
            }
        }
    }

    public static void stop(Process p) throws InterruptedException {
        if (p != null) {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** {@code redis-cli -p PORT -n DB ARGS…}'s output, trimmed. */
    public static String redisCli(int port, int db, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(REDIS_CLI.toString(), "-h", "127.0.0.1", "-p",
                Integer.toString(port), "-n", Integer.toString(db)));
        cmd.addAll(List.of(args));
        CacheFixture.Result r = CacheFixture.run(Path.of("/"), cmd, Map.of("PATH", "/usr/bin:/bin"));
        assertEquals(0, r.exitCode(), "redis-cli " + List.of(args) + ": " + r.err());
        return r.out().trim();
    }

    /** The number of keys in database {@code db}, as Redis counts them ({@code DBSIZE}). */
    public static long redisKeys(int port, int db) throws IOException, InterruptedException {
        return Long.parseLong(redisCli(port, db, "DBSIZE"));
    }

    /** The regular files under {@code dir} (none when it does not exist). */
    static List<Path> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().equals("CACHEDIR.TAG")).toList();
        }
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "(no log)";
        }
    }
}
