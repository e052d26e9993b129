package cache.compat.config;

/**
 * Where a configuration value came from, as {@code ccache -p} shows it in parentheses:
 * {@code default}, {@code environment} or the configuration file's path.
 */
public record Origin(Kind kind, String file) {

    public enum Kind { DEFAULT, ENVIRONMENT, FILE }

    public static final Origin DEFAULT = new Origin(Kind.DEFAULT, null);
    public static final Origin ENVIRONMENT = new Origin(Kind.ENVIRONMENT, null);

    public static Origin file(String path) {
        return new Origin(Kind.FILE, path);
    }

    /** The text between the parentheses in {@code ccache -p}. */
    public String label() {
        return switch (kind) {
            case DEFAULT -> "default";
            case ENVIRONMENT -> "environment";
            case FILE -> file;
        };
    }
}
