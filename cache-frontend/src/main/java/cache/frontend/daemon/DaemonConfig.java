package cache.frontend.daemon;

import java.nio.file.Path;
import java.time.Duration;

/** How a daemon was started. {@code client} (the native binary) supervises compiles when known. */
record DaemonConfig(Path socket, Path cacheDir, Path client, Duration idleTimeout, String buildVersion) {}
