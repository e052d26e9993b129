package cache.storage.remote;

import java.net.URI;

/**
 * Where a {@code redis://[[USER:]PASSWORD@]HOST[:PORT][/DB]} or {@code
 * redis+unix:[//[[USER:]PASSWORD@]localhost]PATH[?db=DB]} URL points (already checked by the
 * grammar), and how to log in. {@link #toString} leaves the credentials out.
 *
 * @param host the server's host, or null for a Unix socket
 * @param socket the Unix socket's path, or null for TCP
 * @param user null: the default user
 * @param password null: no AUTH
 */
record RedisTarget(String host, int port, String socket, int database, String user, String password) {

    static final int DEFAULT_PORT = 6379;

    static RedisTarget of(URI url) {
        String user = null;
        String password = null;
        String info = url.getUserInfo();
        if (info != null && !info.isEmpty()) {
            int colon = info.indexOf(':');
            if (colon < 0) {
                password = info;
            } else {
                user = info.substring(0, colon);
                password = info.substring(colon + 1);
            }
        }
        if (url.getScheme().equals("redis+unix")) {
            String q = url.getQuery();
            int db = q == null ? 0 : Integer.parseInt(q.substring("db=".length()));
            return new RedisTarget(null, 0, url.getPath(), db, user, password);
        }
        String path = url.getPath();
        int db = path == null || path.length() <= 1 ? 0 : Integer.parseInt(path.substring(1));
        return new RedisTarget(url.getHost(), url.getPort() < 0 ? DEFAULT_PORT : url.getPort(), null, db, user,
                password);
    }

    boolean unixSocket() {
        return socket != null;
    }

    @Override
    public String toString() {
        return (unixSocket() ? "redis+unix:" + socket : "redis://" + host + ":" + port) + " db " + database;
    }
}
