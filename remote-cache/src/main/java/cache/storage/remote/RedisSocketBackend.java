package cache.storage.remote;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.time.Duration;

/**
 * {@code redis+unix:} over Lettuce (Netty's epoll transport reaches Unix sockets; Jedis, which
 * {@link RedisBackend} uses for TCP, needs a {@code java.net.Socket}, which the JDK does not make
 * for them): one connection per server, shared by every thread (Lettuce pipelines the commands
 * of concurrent callers on it), opened on first use and reopened by Lettuce after the server
 * comes back. While it is down, commands fail at once rather than queue, so a dead server costs a
 * caller no more than its connect timeout. Keys as {@link RedisBackend#PREFIX}.
 */
final class RedisSocketBackend implements RemoteBackend {

    private static final String PREFIX = RedisBackend.PREFIX;

    /** One set of Lettuce threads for every Redis server of the process. */
    private static final class Resources {
        static final ClientResources SHARED = DefaultClientResources.builder().ioThreadPoolSize(2)
                .computationThreadPoolSize(1).build();
    }

    private final RedisClient client;
    private final String where;
    private volatile StatefulRedisConnection<String, byte[]> connection;

    /** @param where the server as logs may show it (no credentials) */
    RedisSocketBackend(RedisTarget target, String where, Duration connectTimeout, Duration operationTimeout) {
        RedisURI uri = uri(target);
        uri.setTimeout(operationTimeout);
        this.where = where;
        this.client = RedisClient.create(Resources.SHARED, uri);
        client.setOptions(ClientOptions.builder()
                .socketOptions(SocketOptions.builder().connectTimeout(connectTimeout).build())
                .timeoutOptions(TimeoutOptions.enabled(operationTimeout))
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .autoReconnect(true)
                .build());
    }

    /** The Lettuce URI of a Unix socket target, with its database and credentials. */
    static RedisURI uri(RedisTarget t) {
        RedisURI.Builder b = RedisURI.Builder.socket(t.socket()).withDatabase(t.database());
        if (t.password() != null) {
            if (t.user() == null) {
                b.withPassword(t.password().toCharArray());
            } else {
                b.withAuthentication(t.user(), t.password().toCharArray());
            }
        }
        return b.build();
    }

    private StatefulRedisConnection<String, byte[]> connection() throws BackendException {
        StatefulRedisConnection<String, byte[]> c = connection;
        if (c != null) {
            return c;
        }
        synchronized (this) {
            if (connection == null) {
                try {
                    connection = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
                } catch (RedisException e) {
                    throw failure("connect", e);
                }
            }
            return connection;
        }
    }

    @Override
    public byte[] get(String key) throws BackendException {
        try {
            return connection().sync().get(PREFIX + key);
        } catch (RedisException e) {
            throw failure("GET", e);
        }
    }

    @Override
    public boolean put(String key, byte[] value, boolean onlyIfMissing) throws BackendException {
        try {
            String ok = onlyIfMissing ? connection().sync().set(PREFIX + key, value, SetArgs.Builder.nx())
                    : connection().sync().set(PREFIX + key, value);
            return "OK".equals(ok);
        } catch (RedisException e) {
            throw failure("SET", e);
        }
    }

    private BackendException failure(String what, RedisException e) {
        boolean timeout = isTimeout(e);
        String message = e.getMessage();
        if (e instanceof RedisConnectionException && e.getCause() != null) {
            message = message + ": " + e.getCause().getMessage();
        }
        return new BackendException("Redis " + what + " at " + where + ": " + message, timeout, e);
    }

    /** A command, the connect, or the connection's handshake (AUTH, SELECT) timed out. */
    private static boolean isTimeout(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RedisCommandTimeoutException || t instanceof io.netty.channel.ConnectTimeoutException
                    || t instanceof java.util.concurrent.TimeoutException) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        StatefulRedisConnection<String, byte[]> c = connection;
        if (c != null) {
            c.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    }
}
