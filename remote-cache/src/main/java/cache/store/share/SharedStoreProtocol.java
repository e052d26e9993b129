package cache.store.share;

import java.nio.charset.StandardCharsets;

/**
 * The frames by which one process uses a store another process holds open (RocksDB admits one
 * process per database): a cache directory shared by several users (Portage's
 * {@code /var/cache/ccache}, used by root, {@code portage} and {@code distcc}) is opened by the
 * first user's daemon, and the others' daemons reach its store through a Unix socket in the
 * directory. Only store operations travel: every user hashes, preprocesses and compiles as
 * themselves, so nothing runs or is read with another user's rights.
 *
 * <p>Request: {@code u32 length, u8 op, body}. Reply: {@code u32 length, u8 status, body}. One
 * request at a time per connection; connections are kept and reused.
 *
 * <pre>
 * op                body                                        reply body (status OK)
 * ENTRY_GET         key(16)                                     stored bytes (ABSENT: none)
 * ENTRY_PUT         key(16) str(namespace) bytes…               -
 * ENTRY_REMOVE      key(16)                                     u8 removed
 * BLOB_GET          key(16)                                     bytes (ABSENT: none)
 * BLOB_REPLACE      key(16) str(namespace) opt(old) opt(new)    - (CONFLICT: the value is not old)
 * COUNTERS_ADD      u32 n, n × (str name, i64 delta)            -
 * COUNTER_SET       str name, i64 value                         -
 * COUNTERS_GET      -                                           u32 n, n × (str name, i64 value)
 * USAGE             -                                           i64 entryBytes, entries, manifestBytes, manifests
 * CLEAR             -                                           -
 * CLEANUP           -                                           -
 * ENTRY_KEYS        -                                           u32 n, n × key(16)
 * str = u16 length + UTF-8; opt = u8 present (0/1) + u32 length + bytes
 * </pre>
 * Status ERROR carries a UTF-8 message. A frame that does not parse closes the connection.
 */
public final class SharedStoreProtocol {

    /** The socket's name in the cache directory. */
    public static final String SOCKET_NAME = "store.sock";
    /** The largest frame either side accepts (an object with debug information can be large). */
    public static final int MAX_FRAME = 1 << 30;

    public static final byte ENTRY_GET = 1;
    public static final byte ENTRY_PUT = 2;
    public static final byte ENTRY_REMOVE = 3;
    public static final byte BLOB_GET = 4;
    public static final byte BLOB_REPLACE = 5;
    public static final byte COUNTERS_ADD = 6;
    public static final byte COUNTER_SET = 7;
    public static final byte COUNTERS_GET = 8;
    public static final byte USAGE = 9;
    public static final byte CLEAR = 10;
    public static final byte CLEANUP = 11;
    public static final byte ENTRY_KEYS = 12;

    public static final byte OK = 0;
    public static final byte ABSENT = 1;
    public static final byte CONFLICT = 2;
    public static final byte ERROR = 3;

    private SharedStoreProtocol() {}

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
