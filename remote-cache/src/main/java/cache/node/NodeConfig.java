package cache.node;

/**
 * Everything a node is configured with; {@link CachedMain} fills it from the command line,
 * tests set what they need. Fluent setters, getters of the same name.
 */
public final class NodeConfig {

    /** Address to bind (port and stats port). */
    private String listen = "0.0.0.0";
    /** Native protocol port; 0 picks a free one (tests). */
    private int port = 3632;
    /** Serve the HTTP stats port. */
    private boolean stats = false;
    /** HTTP stats port; 0 picks a free one. */
    private int statsPort = 3633;
    /** Client networks, IP[/BITS]; empty = loopback only. */
    private java.util.List<String> allow = java.util.List.of();
    /** Concurrent compiles. */
    private int jobs = Runtime.getRuntime().availableProcessors() + 2;
    /** Compiles waiting for a job slot before BUSY. */
    private int maxQueued = 256;
    /** Niceness added to compilers, through their compile threads ({@link SelfNice}) or {@code nice} (0 = none). */
    private int nice = 5;
    /** A compile running longer is killed. */
    private java.time.Duration jobLifetime = java.time.Duration.ofMinutes(5);
    /** The node's store; null = no store (tests only). */
    private java.nio.file.Path cacheDir = null;
    /** Bytes the node's store may hold. */
    private long maxSize = 5_000_000_000L;
    /** Whitelist directory; null = any bare compiler name. */
    private java.nio.file.Path whitelist = java.nio.file.Path.of("/usr/lib/distcc");
    /** Where compilers are looked up. */
    private java.util.List<java.nio.file.Path> searchPath = defaultSearchPath();
    /** Where private job directories are made. */
    private java.nio.file.Path tmpDir = java.nio.file.Path.of(System.getProperty("java.io.tmpdir"));
    /** Largest frame accepted (bytes, length prefix excluded). */
    private int maxFrame = 32 << 20;
    /** Largest uncompressed input accepted. */
    private int maxInput = 256 << 20;
    /** Most compiler arguments accepted. */
    private int maxArgs = 1024;
    /** Open connections; more are closed at once. */
    private int maxConnections = 512;
    /** Requests one connection may have unanswered. */
    private int maxInFlight = 64;
    /** A connection silent this long with nothing in flight is closed. */
    private java.time.Duration idleTimeout = java.time.Duration.ofSeconds(60);
    /** Shared secret for the HMAC challenge; null = no authentication. */
    private byte[] authSecret = null;
    /** PEM certificate chain; with tlsKey enables TLS. */
    private java.nio.file.Path tlsCert = null;
    /** PEM PKCS#8 private key. */
    private java.nio.file.Path tlsKey = null;
    /** Remote storage behind the node's own store (ccache's {@code remote_storage} grammar); "" = none. */
    private String remoteStorage = "";
    /** Name announced in WELCOME. */
    private String nodeName = defaultNodeName();

    public String remoteStorage() {
        return remoteStorage;
    }

    public NodeConfig remoteStorage(String value) {
        this.remoteStorage = value;
        return this;
    }

    public String listen() {
        return listen;
    }

    public NodeConfig listen(String value) {
        this.listen = value;
        return this;
    }

    public int port() {
        return port;
    }

    public NodeConfig port(int value) {
        this.port = value;
        return this;
    }

    public boolean stats() {
        return stats;
    }

    public NodeConfig stats(boolean value) {
        this.stats = value;
        return this;
    }

    public int statsPort() {
        return statsPort;
    }

    public NodeConfig statsPort(int value) {
        this.statsPort = value;
        return this;
    }

    public java.util.List<String> allow() {
        return allow;
    }

    public NodeConfig allow(java.util.List<String> value) {
        this.allow = value;
        return this;
    }

    public int jobs() {
        return jobs;
    }

    public NodeConfig jobs(int value) {
        this.jobs = value;
        return this;
    }

    public int maxQueued() {
        return maxQueued;
    }

    public NodeConfig maxQueued(int value) {
        this.maxQueued = value;
        return this;
    }

    public int nice() {
        return nice;
    }

    public NodeConfig nice(int value) {
        this.nice = value;
        return this;
    }

    public java.time.Duration jobLifetime() {
        return jobLifetime;
    }

    public NodeConfig jobLifetime(java.time.Duration value) {
        this.jobLifetime = value;
        return this;
    }

    public java.nio.file.Path cacheDir() {
        return cacheDir;
    }

    public NodeConfig cacheDir(java.nio.file.Path value) {
        this.cacheDir = value;
        return this;
    }

    public long maxSize() {
        return maxSize;
    }

    public NodeConfig maxSize(long value) {
        this.maxSize = value;
        return this;
    }

    public java.nio.file.Path whitelist() {
        return whitelist;
    }

    public NodeConfig whitelist(java.nio.file.Path value) {
        this.whitelist = value;
        return this;
    }

    public java.util.List<java.nio.file.Path> searchPath() {
        return searchPath;
    }

    public NodeConfig searchPath(java.util.List<java.nio.file.Path> value) {
        this.searchPath = value;
        return this;
    }

    public java.nio.file.Path tmpDir() {
        return tmpDir;
    }

    public NodeConfig tmpDir(java.nio.file.Path value) {
        this.tmpDir = value;
        return this;
    }

    public int maxFrame() {
        return maxFrame;
    }

    public NodeConfig maxFrame(int value) {
        this.maxFrame = value;
        return this;
    }

    public int maxInput() {
        return maxInput;
    }

    public NodeConfig maxInput(int value) {
        this.maxInput = value;
        return this;
    }

    public int maxArgs() {
        return maxArgs;
    }

    public NodeConfig maxArgs(int value) {
        this.maxArgs = value;
        return this;
    }

    public int maxConnections() {
        return maxConnections;
    }

    public NodeConfig maxConnections(int value) {
        this.maxConnections = value;
        return this;
    }

    public int maxInFlight() {
        return maxInFlight;
    }

    public NodeConfig maxInFlight(int value) {
        this.maxInFlight = value;
        return this;
    }

    public java.time.Duration idleTimeout() {
        return idleTimeout;
    }

    public NodeConfig idleTimeout(java.time.Duration value) {
        this.idleTimeout = value;
        return this;
    }

    public byte[] authSecret() {
        return authSecret;
    }

    public NodeConfig authSecret(byte[] value) {
        this.authSecret = value;
        return this;
    }

    public java.nio.file.Path tlsCert() {
        return tlsCert;
    }

    public NodeConfig tlsCert(java.nio.file.Path value) {
        this.tlsCert = value;
        return this;
    }

    public java.nio.file.Path tlsKey() {
        return tlsKey;
    }

    public NodeConfig tlsKey(java.nio.file.Path value) {
        this.tlsKey = value;
        return this;
    }

    public String nodeName() {
        return nodeName;
    }

    public NodeConfig nodeName(String value) {
        this.nodeName = value;
        return this;
    }

    /** $DISTCCD_PATH as distccd, else $PATH. */
    static java.util.List<java.nio.file.Path> defaultSearchPath() {
        String p = System.getenv("DISTCCD_PATH");
        if (p == null || p.isBlank()) {
            p = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        }
        java.util.List<java.nio.file.Path> dirs = new java.util.ArrayList<>();
        for (String d : p.split(":")) {
            if (!d.isEmpty()) {
                dirs.add(java.nio.file.Path.of(d));
            }
        }
        return dirs;
    }

    static String defaultNodeName() {
        try {
            String h = java.nio.file.Files.readString(java.nio.file.Path.of("/etc/hostname")).strip();
            return h.isEmpty() ? "cached" : h;
        } catch (java.io.IOException e) {
            return "cached";
        }
    }
}
