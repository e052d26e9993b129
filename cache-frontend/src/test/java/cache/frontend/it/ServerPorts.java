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
 * The loopback ports of the servers a test starts ({@code distccd}, {@code cached}): a free one
 * to give a server, and the wait until the server accepts connections on it.
 */
final class ServerPorts {

    private ServerPorts() {}

    /** A port nothing listens on at {@code address} now (the server started next binds it). */
    static int free(String address) throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(address), 0));
            return s.getLocalPort();
        }
    }

    /**
     * Returns once {@code address:port} accepts a connection, tried every 100 ms for up to 60 s;
     * fails with the server's log when {@code server} exits first or never listens.
     *
     * @param name how a failure names the server ({@code distccd}, {@code cached})
     * @param log the file the server's output goes to
     */
    static void awaitListening(String name, Process server, String address, int port, Path log)
            throws InterruptedException {
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
    }

    /** {@code log}'s text, or why there is none. */
    static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
