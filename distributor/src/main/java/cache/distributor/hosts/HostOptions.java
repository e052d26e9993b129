package cache.distributor.hosts;

import java.util.Objects;
import java.util.Optional;

/**
 * The {@code ,OPTION} suffixes of a TCP or ssh entry: {@code ,lzo}, {@code ,cpp},
 * {@code ,auth[=PRINCIPAL]} and the undocumented {@code ,down}.
 *
 * @param lzo           {@code ,lzo}: compress requests and replies (distcc protocol 2)
 * @param cpp           {@code ,cpp}: preprocess on the server (pump mode, protocol 3); requires
 *                      {@code lzo}, as in distcc
 * @param auth          {@code ,auth}: GSS-API mutual authentication
 * @param authPrincipal the host name to use for the service principal ({@code ,auth=NAME})
 *                      instead of the entry's host; present only with {@code auth}
 * @param down          {@code ,down}: the host is never used
 */
public record HostOptions(
        boolean lzo, boolean cpp, boolean auth, Optional<String> authPrincipal, boolean down) {

    /** No options: protocol 1, no authentication, up. */
    public static final HostOptions NONE =
            new HostOptions(false, false, false, Optional.empty(), false);

    /** @throws IllegalArgumentException for {@code cpp} without {@code lzo}, which no protocol has */
    public HostOptions {
        Objects.requireNonNull(authPrincipal, "authPrincipal");
        if (cpp && !lzo) {
            throw new IllegalArgumentException("pump mode (',cpp') requires compression (',lzo')");
        }
        if (authPrincipal.isPresent() && !auth) {
            throw new IllegalArgumentException("an auth principal needs ',auth'");
        }
    }

    /** distcc's protocol version for these options: 1 plain, 2 with lzo, 3 with lzo and cpp. */
    public int protocol() {
        return cpp ? 3 : lzo ? 2 : 1;
    }
}
