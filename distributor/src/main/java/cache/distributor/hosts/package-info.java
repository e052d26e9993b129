/**
 * The host list: which machines get compile jobs, read where and as distcc 3.4 reads it
 * ({@code DISTCC_HOSTS}, {@code $DISTCC_DIR/hosts}, {@code /etc/distcc/hosts}), so an existing
 * distcc set-up moves over unchanged.
 *
 * <p>The public API: {@link cache.distributor.hosts.HostListSource} finds the list and says
 * where from; {@link cache.distributor.hosts.HostList#parse} reads one; a
 * {@link cache.distributor.hosts.HostList} holds the usable
 * {@link cache.distributor.hosts.HostSpec}s ({@link cache.distributor.hosts.TcpHost},
 * {@link cache.distributor.hosts.LocalHost}) in order, the global settings and the
 * {@link cache.distributor.hosts.HostProblem}s to log once.
 *
 * <p>The grammar (distcc 3.4 {@code src/hosts.c}, whose step-by-step behaviour this parser
 * follows; deviations are listed on {@code EntryParser} and {@code HostListParser}):
 *
 * <pre>
 * list    = *( whitespace | "#" comment-to-end-of-line | entry )
 * entry   = "--randomize" | "--localslots" ("="|"/") N | "--localslots_cpp" ("="|"/") N
 *         | "+zeroconf"
 *         | "localhost" [ "/" N ]                              (only these two spellings)
 *         | [USER] "@" HOST [ "/" N ] [ ":" COMMAND ] OPTIONS    (ssh)
 *         | HOSTID [ ":" PORT ] [ "/" N ] OPTIONS                (tcp)
 *         | HOSTID [ "/" N ] [ ":" PORT ] OPTIONS                (tcp, old order)
 * HOSTID  = name | IPv4 | "[" IPv6 "]"
 * OPTIONS = *( "," ( "lzo" | "cpp" | "auth" [ "=" NAME ] | "down" ) )
 * </pre>
 *
 * <p>Defaults: port 3632, limit 4 per tcp or ssh host and 2 for {@code localhost},
 * {@code --localslots} 4, {@code --localslots_cpp} 8. {@code ,lzo} is protocol 2;
 * {@code ,cpp,lzo} is protocol 3 (pump); {@code ,cpp} alone is an error, as in distcc.
 *
 * <p>The contract for bad input, which is never an exception: a malformed entry rejects the whole
 * list as distcc does (no hosts, compile locally, one message naming entry and position);
 * {@code ,down} hosts are dropped silently; hosts we cannot serve yet (pump, ssh, auth,
 * zeroconf) are dropped with one message each; text distcc ignores is ignored and said.
 * Shuffling for {@code --randomize} and choosing among hosts belong to the scheduler.
 */
package cache.distributor.hosts;
