package cache.frontend.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The servers a test starts ({@code distccd}, {@code cached}): a free loopback port to give one,
 * the wait until it accepts connections there, its log, and its stop.
 */
final class ServerProcesses {

    private ServerProcesses() {}

    /** A port nothing listens on at {@code address} now (the server started next binds it). */
    static int free(String address) throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(address), 0));
            return s.getLocalPort();
        }
    }

    /**
     * Returns once {@code address:port} accepts a connection, tried every 100 ms for up to 60 s;
     * when {@code server} exits first or never listens, stops it and fails with its log.
     *
     * @param name how a failure names the server ({@code distccd}, {@code cached})
     * @param log the file the server's output goes to
     */
    static void awaitListening(String name, Process server, String address, int port, Path log)
            throws InterruptedException {
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                if (!server.isAlive()) {
                    throw new AssertionError(name + " on " + address + ":" + port + " exited: " + read(log));
                }
                try {
                    new Socket(address, port).close();
                    return;
                } catch (IOException e) {
                    Thread.sleep(100);
                }
            }
            throw new AssertionError(name + " did not listen on " + address + ":" + port + ": " + read(log));
        } catch (Throwable t) {
            stop(server);
            throw t;
        }
    }

    /** {@code log}'s text, or why there is none. */
    static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Stops {@code server} (SIGTERM, then SIGKILL after 20 s) and waits for it, if it still runs. */
    static void stop(Process server) throws InterruptedException {
        if (!server.isAlive()) {
            return;
        }
        server.destroy();
        if (!server.waitFor(20, TimeUnit.SECONDS)) {
            server.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
        }
    }
}
