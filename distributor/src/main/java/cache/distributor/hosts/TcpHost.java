package cache.distributor.hosts;

import java.util.Objects;

/**
 * A distccd reached over TCP: {@code HOST[:PORT][/LIMIT][,OPTIONS]} or the old order
 * {@code HOST[/LIMIT][:PORT][,OPTIONS]}; {@code HOST} is a name, a dotted IPv4 address or a
 * bracketed IPv6 address (stored here without its brackets).
 *
 * <p>Supported unless it asks for pump mode ({@code ,cpp}) or authentication ({@code ,auth}).
 *
 * @param entry   the entry as written
 * @param host    the host name or address, never empty
 * @param port    1..65535; {@value #DEFAULT_PORT} when the entry names none
 * @param limit   at least 1; {@value #DEFAULT_LIMIT} when the entry names none
 * @param options the entry's options
 */
public record TcpHost(String entry, String host, int port, int limit, HostOptions options)
        implements HostSpec {

    /** distccd's port, used when the entry names none. */
    public static final int DEFAULT_PORT = 3632;
    /** Jobs per host when the entry names no limit: distcc's "a bit higher than local". */
    public static final int DEFAULT_LIMIT = 4;

    public TcpHost {
        Objects.requireNonNull(entry, "entry");
        Objects.requireNonNull(options, "options");
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("empty host in " + entry);
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " out of 1..65535 in " + entry);
        }
        if (limit < 1) {
            throw new IllegalArgumentException("limit " + limit + " below 1 in " + entry);
        }
    }

    /** distcc's protocol version for this host: 1, 2 ({@code ,lzo}) or 3 ({@code ,cpp,lzo}). */
    public int protocol() {
        return options.protocol();
    }

    @Override
    public boolean supported() {
        return !options.cpp() && !options.auth();
    }
}
