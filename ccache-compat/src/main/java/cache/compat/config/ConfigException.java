package cache.compat.config;

/**
 * A configuration value, line or file that ccache 4.7 would refuse. The message is ccache's
 * own wording, prefixed the way ccache prefixes it: {@code /path/ccache.conf:3: not a boolean
 * value: "maybe"} for a file line, {@code CCACHE_MAXFILES: invalid unsigned integer: "x"} for
 * an environment variable, bare for a command-line argument. ccache prints it as
 * {@code ccache: error: <message>} and exits with status 1.
 */
public class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    /** The same error with a location in front ({@code file:line} or an environment variable). */
    ConfigException at(String location) {
        return new ConfigException(location + ": " + getMessage());
    }
}
