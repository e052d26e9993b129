package cache.frontend.daemon;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How a daemon was started. {@code client} (the native binary) supervises compiles when known.
 *
 * @param idleTimeout the daemon exits after this long without requests
 * @param storeIdleTimeout a cache directory's store is closed after this long without calls
 */
record DaemonConfig(Path socket, Path client, Duration idleTimeout, Duration storeIdleTimeout, String buildVersion) {}
