package cache.compat.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One entry of {@code remote_storage}, as ccache 4.7.5 spells it ({@code doc/MANUAL.adoc},
 * "Remote storage backends"; {@code src/storage/Storage.cpp}): a URL, then {@code |}-separated
 * attributes, each {@code key=value} or {@code key} (short for {@code key=true}), values
 * percent-decoded. Entries are separated by spaces.
 *
 * <pre>
 *   file:DIRECTORY  file://[HOST]DIRECTORY                     layout=subdirs|flat, umask=OCTAL, update-mtime
 *   http://[USER:PASSWORD@]HOST[:PORT][/PATH]                  layout=subdirs|flat|bazel, bearer-token=, header=NAME=VALUE, keep-alive
 *   redis://[[USER:]PASSWORD@]HOST[:PORT][/DB]
 *   redis+unix:SOCKET_PATH[?db=DB]  redis+unix://[[USER:]PASSWORD@localhost]SOCKET_PATH[?db=DB]
 *   every backend:  read-only, shards=NAME[(WEIGHT)],…, connect-timeout=MS (100), operation-timeout=MS (10000)
 * </pre>
 *
 * A malformed entry is refused with a message that names it with its secrets redacted; the
 * other entries stay usable ({@link #parseAll}). Nothing here opens a connection.
 */
public final class RemoteStorageUrl {

    /** What a password, token or header value is replaced by wherever a URL is shown. */
    public static final String REDACTED = "********";

    /** The schemes a backend exists for. */
    public static final List<String> SCHEMES = List.of("file", "http", "https", "redis", "redis+unix");

    /** A name replacing {@code *} in a sharded URL, with its share of the keys. */
    public record Shard(String name, double weight) {}

    /**
     * Every entry that parsed, and a message for each that did not; {@code fatal}: the message of
     * the first entry ccache 4.7.5 itself refuses ({@link Unusable}), or null.
     */
    public record Parsed(List<RemoteStorageUrl> urls, List<String> errors, String fatal) {}

    /**
     * An entry ccache 4.7.5 refuses outright, stopping the call with {@code ccache: error:} and
     * status 1 instead of compiling: no URL, a URL it cannot parse (no scheme, a malformed one,
     * user info without a host, a colon in a relative path's first segment) or an unknown scheme.
     * The message is ccache's. Other entries this parser refuses (a relative {@code file:} path, a
     * missing host) ccache accepts and then fails to use: those are logged and left out.
     */
    public static final class Unusable extends ConfigException {
        private static final long serialVersionUID = 1L;

        Unusable(String message) {
            super(message);
        }
    }

    /** {@link Parsed#fatal()} of recent values (a build's calls all carry the same one). */
    private static final com.github.benmanes.caffeine.cache.Cache<String, java.util.Optional<String>> FATAL =
            com.github.benmanes.caffeine.cache.Caffeine.newBuilder().maximumSize(256).build();

    /** The {@link Parsed#fatal()} message of {@code value}, or null; remembered per value. */
    public static String fatalError(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        return FATAL.get(value, v -> java.util.Optional.ofNullable(parseAll(v).fatal())).orElse(null);
    }

    private static final Pattern USER_INFO = Pattern.compile("(//)([^/@?#]*)@");

    private final String url;
    private final String scheme;
    private final Map<String, String> attributes;
    private final boolean readOnly;
    private final List<Shard> shards;
    private final int connectTimeoutMs;
    private final int operationTimeoutMs;

    private RemoteStorageUrl(String url, String scheme, Map<String, String> attributes, List<Shard> shards) {
        this.url = url;
        this.scheme = scheme;
        this.attributes = Map.copyOf(attributes);
        this.shards = List.copyOf(shards);
        this.readOnly = "true".equals(attributes.get("read-only"));
        this.connectTimeoutMs = millis(attributes, "connect-timeout", 100);
        this.operationTimeoutMs = millis(attributes, "operation-timeout", 10_000);
    }

    /** Each space-separated entry of {@code value}; a malformed one is left out with a message. */
    public static Parsed parseAll(String value) {
        List<RemoteStorageUrl> urls = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        String fatal = null;
        for (String entry : value.split(" ")) {
            if (entry.isEmpty()) {
                continue;
            }
            try {
                urls.add(parse(entry));
            } catch (Unusable e) {
                errors.add(e.getMessage());
                fatal = fatal == null ? e.getMessage() : fatal;
            } catch (ConfigException e) {
                errors.add(e.getMessage());
            }
        }
        return new Parsed(List.copyOf(urls), List.copyOf(errors), fatal);
    }

    /** One entry ({@code URL|attr=value|…}). */
    public static RemoteStorageUrl parse(String entry) throws ConfigException {
        String[] parts = entry.split("\\|", -1);
        String url = parts[0];
        if (url.isEmpty()) {
            throw new Unusable("remote storage config must provide a URL: " + redact(entry));
        }
        int colon = url.indexOf(':');
        int slash = url.indexOf('/');
        if (colon < 0 || (slash >= 0 && slash < colon)) {
            throw new Unusable("URL scheme must not be empty: " + redact(url));
        }
        String scheme = url.substring(0, colon).toLowerCase(Locale.ROOT);
        if (!scheme.matches("[a-z][a-z0-9+.-]*")) {
            throw new Unusable("Cannot parse URL " + redact(url) + ": Scheme in '" + redact(url) + "' is invalid");
        }
        String rest = url.substring(colon + 1);
        if (rest.startsWith("//")) {
            String authority = rest.substring(2).split("[/?#]", 2)[0];
            int at = authority.lastIndexOf('@');
            if (at >= 0 && authority.substring(at + 1).isEmpty()) {
                throw new Unusable("Cannot parse URL " + redact(url) + ": User info defined, but host is empty");
            }
        } else if (!rest.startsWith("/") && rest.split("/", 2)[0].contains(":")) {
            throw new Unusable("Cannot parse URL " + redact(url)
                    + ": The first segment of the relative path can't contain ':'");
        }
        if (!SCHEMES.contains(scheme)) {
            throw new Unusable("unknown remote storage URL: " + redact(url));
        }
        Map<String, String> attributes = new LinkedHashMap<>();
        List<Shard> shards = new ArrayList<>();
        for (int i = 1; i < parts.length; i++) {
            if (parts[i].isEmpty()) {
                continue;
            }
            int eq = parts[i].indexOf('=');
            String key = eq < 0 ? parts[i] : parts[i].substring(0, eq);
            String value = eq < 0 ? "true" : percentDecode(parts[i].substring(eq + 1), entry);
            if (key.equals("shards")) {
                if (url.indexOf('*') < 0) {
                    throw new ConfigException("Missing \"*\" in URL when using shards: \"" + redact(url) + "\"");
                }
                shards.addAll(shards(value));
            } else if (key.equals("header")) {
                // several header= attributes add several headers: kept as lines
                value = attributes.containsKey("header") ? attributes.get("header") + "\n" + value : value;
                if (value.lines().anyMatch(h -> h.indexOf('=') <= 0)) {
                    throw new ConfigException("header= needs NAME=VALUE in " + redact(entry));
                }
            }
            attributes.put(key, value);
        }
        RemoteStorageUrl r = new RemoteStorageUrl(url, scheme, attributes, shards);
        r.check(entry);
        return r;
    }

    private void check(String entry) throws ConfigException {
        for (String k : List.of("connect-timeout", "operation-timeout")) {
            String v = attributes.get(k);
            if (v != null && !v.matches("[0-9]{1,9}")) {
                throw new ConfigException("invalid " + k + " \"" + v + "\" (milliseconds) in " + redact(entry));
            }
        }
        String umask = attributes.get("umask");
        if (umask != null && !umask.matches("[0-7]{1,4}")) {
            throw new ConfigException("invalid umask \"" + umask + "\" (octal) in " + redact(entry));
        }
        String layout = attributes.get("layout");
        List<String> layouts = scheme.equals("file") ? List.of("subdirs", "flat")
                : scheme.startsWith("http") ? List.of("subdirs", "flat", "bazel") : List.of();
        if (layout != null && !layouts.contains(layout)) {
            throw new ConfigException("unknown layout \"" + layout + "\" for " + scheme + " storage in " + redact(entry));
        }
        for (String shard : shards.isEmpty() ? List.of("") : shards.stream().map(Shard::name).toList()) {
            URI u = uri(shard);
            if (scheme.startsWith("http") || scheme.equals("redis")) {
                if (u.getHost() == null || u.getHost().isEmpty()) {
                    throw new ConfigException("no host in " + redact(entry));
                }
            }
            if (scheme.equals("http") || scheme.equals("https")) {
                if (u.getRawUserInfo() != null && u.getRawUserInfo().indexOf(':') < 0) {
                    throw new ConfigException("expected username:password in URL " + redact(entry));
                }
            }
            if (scheme.equals("redis")) {
                String db = u.getPath() == null || u.getPath().isEmpty() ? "" : u.getPath().substring(1);
                if (!db.isEmpty() && !db.matches("[0-9]{1,5}")) {
                    throw new ConfigException("invalid database number \"" + db + "\" in " + redact(entry));
                }
            }
            if (scheme.equals("file") || scheme.equals("redis+unix")) {
                String path = u.getPath();
                if (path == null || !path.startsWith("/")) {
                    throw new ConfigException("the path must be absolute in " + redact(entry));
                }
                String host = u.getHost();
                if (host != null && !host.isEmpty() && !host.equals("localhost")) {
                    throw new ConfigException("host must be empty or localhost in " + redact(entry));
                }
            }
            if (scheme.equals("redis+unix") && u.getRawQuery() != null
                    && !u.getRawQuery().matches("db=[0-9]{1,5}")) {
                throw new ConfigException("invalid query \"" + u.getRawQuery() + "\" (db=N) in " + redact(entry));
            }
        }
    }

    private static List<Shard> shards(String value) throws ConfigException {
        List<Shard> out = new ArrayList<>();
        for (String shard : value.split(",")) {
            if (shard.isEmpty()) {
                continue;
            }
            int lp = shard.indexOf('(');
            if (lp < 0) {
                out.add(new Shard(shard, 1.0));
                continue;
            }
            if (!shard.endsWith(")")) {
                throw new ConfigException("Invalid shard name: \"" + shard + "\"");
            }
            double weight;
            try {
                weight = Double.parseDouble(shard.substring(lp + 1, shard.length() - 1));
            } catch (NumberFormatException e) {
                throw new ConfigException("Invalid shard weight: \"" + shard + "\"");
            }
            if (!(weight >= 0.0) || Double.isInfinite(weight)) {
                throw new ConfigException("Invalid shard weight: \"" + shard + "\"");
            }
            out.add(new Shard(shard.substring(0, lp), weight));
        }
        if (out.isEmpty()) {
            throw new ConfigException("shards= names no shard");
        }
        return out;
    }

    private static String percentDecode(String raw, String entry) throws ConfigException {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        try {
            // only %XX: a '+' stays a '+'
            return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("invalid percent-encoding in " + redact(entry));
        }
    }

    private static int millis(Map<String, String> attributes, String key, int dflt) {
        String v = attributes.get(key);
        return v == null || !v.matches("[0-9]{1,9}") ? dflt : Integer.parseInt(v);
    }

    /** The URL with {@code *} replaced by {@code shard} ("" when not sharded), parsed. */
    public URI uri(String shard) throws ConfigException {
        String expanded = shards.isEmpty() ? url : url.replaceFirst(Pattern.quote("*"), shard);
        try {
            return new URI(expanded);
        } catch (URISyntaxException e) {
            throw new ConfigException("Cannot parse URL " + redact(expanded) + ": " + e.getReason());
        }
    }

    /** The URL as given, {@code *} unexpanded; holds credentials: never log it, use {@link #forLogging}. */
    public String url() {
        return url;
    }

    public String scheme() {
        return scheme;
    }

    /** A decoded attribute value, or null. */
    public String attribute(String key) {
        return attributes.get(key);
    }

    public boolean readOnly() {
        return readOnly;
    }

    /** Empty when the URL is not sharded. */
    public List<Shard> shards() {
        return shards;
    }

    public int connectTimeoutMs() {
        return connectTimeoutMs;
    }

    public int operationTimeoutMs() {
        return operationTimeoutMs;
    }

    /** The URL and its attributes, passwords, bearer tokens and header values replaced by {@value #REDACTED}. */
    public String forLogging() {
        StringBuilder out = new StringBuilder(redact(url));
        attributes.forEach((k, v) -> {
            switch (k) {
                case "bearer-token" -> out.append('|').append(k).append('=').append(REDACTED);
                case "header" -> v.lines().forEach(h ->
                        out.append("|header=").append(h, 0, h.indexOf('=') + 1).append(REDACTED));
                default -> out.append('|').append(k).append(v.equals("true") ? "" : "=" + v);
            }
        });
        return out.toString();
    }

    @Override
    public String toString() {
        return forLogging();
    }

    /**
     * {@code text} (a {@code remote_storage} value, an entry or a URL) with the password part of
     * every user-info and every secret attribute value replaced by {@value #REDACTED}: what
     * {@code -p} and every log line show. Text without secrets comes back unchanged.
     */
    public static String redact(String text) {
        StringBuilder out = new StringBuilder();
        String[] entries = text.split(" ", -1);
        for (int i = 0; i < entries.length; i++) {
            if (i > 0) {
                out.append(' ');
            }
            String[] parts = entries[i].split("\\|", -1);
            out.append(USER_INFO.matcher(parts[0]).replaceAll(m -> {
                String info = m.group(2);
                int colon = info.indexOf(':');
                String user = colon < 0 ? "" : info.substring(0, colon + 1);
                return "//" + java.util.regex.Matcher.quoteReplacement(user) + REDACTED + "@";
            }));
            for (int p = 1; p < parts.length; p++) {
                String a = parts[p];
                out.append('|');
                if (a.startsWith("bearer-token=")) {
                    out.append("bearer-token=").append(REDACTED);
                } else if (a.startsWith("header=") && a.indexOf('=', 7) > 0) {
                    out.append(a, 0, a.indexOf('=', 7) + 1).append(REDACTED);
                } else {
                    out.append(a);
                }
            }
        }
        return out.toString();
    }
}
