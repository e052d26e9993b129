package cache.distributor.hosts;

import java.util.Objects;

/**
 * The special entry {@code localhost} or {@code localhost/LIMIT}: run the compile in place, with
 * no daemon. Only those two spellings are special; {@code localhost:3632} or
 * {@code localhost,lzo} is a {@link TcpHost} named {@code localhost}, as in distcc.
 *
 * @param entry the entry as written
 * @param limit at least 1; {@value #DEFAULT_LIMIT} when the entry names none
 */
public record LocalHost(String entry, int limit) implements HostSpec {

    /** Local jobs when the entry names no limit (distcc's default for {@code localhost}). */
    public static final int DEFAULT_LIMIT = 2;

    public LocalHost {
        Objects.requireNonNull(entry, "entry");
        if (limit < 1) {
            throw new IllegalArgumentException("limit " + limit + " below 1 in " + entry);
        }
    }

    @Override
    public boolean supported() {
        return true;
    }
}
