package cache.storage.remote;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.SetParams;

/**
 * {@code redis://} over Jedis: a pool of blocking connections, each command written and its
 * answer read by the calling thread, as ccache's hiredis does. A remote hit is two GETs on the
 * daemon's worker; through a client with its own I/O threads (Lettuce, which this replaced for
 * TCP) each GET also woke that thread twice and the caller once: about 1 ms per GET on a
 * 2-core machine where a blocking socket took 0.1–0.2 ms; through this backend the daemon's
 * manifest GET, with its checks, took 0.32 ms (docs/benchmarks.md, "Remote storage", session 14).
 *
 * <p>Connections are made on first use with the URL's connect timeout, every command bounded by
 * its operation timeout. A pooled connection the server dropped (a restart) fails its next
 * command at once: that is retried once on a new connection, so a restarted server is not
 * taken for a failing one; a timeout, a refused connect or an error the server answered is not
 * retried. Keys are {@code cache:} and the entry key in hex (not ccache's {@code ccache:}
 * prefix: the entries differ).
 */
final class RedisBackend implements RemoteBackend {

    static final String PREFIX = "cache:";

    private final RedisClient client;
    private final String where;

    /** @param where the server as logs may show it (no credentials) */
    RedisBackend(RedisTarget target, String where, Duration connectTimeout, Duration operationTimeout) {
        this.where = where;
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(millis(connectTimeout))
                .socketTimeoutMillis(millis(operationTimeout))
                .database(target.database())
                // no CLIENT SETINFO round trips on every new connection
                .clientSetInfoConfig(ClientSetInfoConfig.DISABLED);
        if (target.password() != null) {
            config.user(target.user()).password(target.password());
        }
        ConnectionPoolConfig pooling = new ConnectionPoolConfig();
        pooling.setMaxTotal(64); // more than the daemon's workers: a caller never waits for a connection
        pooling.setMaxIdle(16);
        pooling.setMaxWait(operationTimeout);
        pooling.setTestOnBorrow(false); // a PING per command would double the round trips
        // no MBean per pool: registering one loaded ~180 JMX classes and started the platform's
        // MBean server on a daemon's first remote call, the call waiting for it
        pooling.setJmxEnabled(false);
        this.client = RedisClient.builder().hostAndPort(target.host(), target.port()).clientConfig(config.build())
                .poolConfig(pooling).build();
    }

    private static int millis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, d.toMillis()));
    }

    /** One command on a pooled connection. */
    @FunctionalInterface
    private interface Command<T> {
        T on(RedisClient client);
    }

    @Override
    public byte[] get(String key) throws BackendException {
        byte[] k = (PREFIX + key).getBytes(StandardCharsets.UTF_8);
        return run("GET", c -> c.get(k));
    }

    @Override
    public boolean put(String key, byte[] value, boolean onlyIfMissing) throws BackendException {
        byte[] k = (PREFIX + key).getBytes(StandardCharsets.UTF_8);
        String ok = run("SET", c -> onlyIfMissing ? c.set(k, value, SetParams.setParams().nx()) : c.set(k, value));
        return "OK".equals(ok);
    }

    private <T> T run(String what, Command<T> command) throws BackendException {
        try {
            return command.on(client);
        } catch (JedisConnectionException e) {
            if (isTimeout(e) || refused(e)) {
                throw failure(what, e);
            }
            // A connection that was dead before we used it (the server restarted, or dropped it
            // while idle): so are the other idle ones. A new connection answers for the server.
            client.getPool().clear();
            try {
                return command.on(client);
            } catch (JedisException again) {
                throw failure(what, again);
            }
        } catch (JedisException e) {
            throw failure(what, e);
        }
    }

    /** Nobody listens there: a new connection would be refused as well. */
    private static boolean refused(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return true;
            }
        }
        return false;
    }

    private BackendException failure(String what, JedisException e) {
        String message = e.getMessage();
        if (e.getCause() != null && e.getCause().getMessage() != null) {
            message = message + ": " + e.getCause().getMessage();
        }
        return new BackendException("Redis " + what + " at " + where + ": " + message, isTimeout(e), e);
    }

    /** A command or the connect timed out. */
    private static boolean isTimeout(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        client.close();
    }
}
