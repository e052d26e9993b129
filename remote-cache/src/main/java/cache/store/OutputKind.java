package cache.store;

/**
 * The files a compile can leave behind, each stored in an entry under its own code. Codes are
 * part of the on-disk format: never renumber, only add.
 */
public enum OutputKind {
    /** The object ({@code -c}) or assembly ({@code -S}) output named by {@code -o}. */
    OBJECT(1),
    /** The make dependency file ({@code -MD}, {@code -MMD}, {@code -Wp,-MD,file}). */
    DEPENDENCY(2),
    /** Coverage notes ({@code --coverage}, {@code -ftest-coverage}). */
    COVERAGE_NOTES(3),
    /** Split DWARF ({@code -gsplit-dwarf}). */
    SPLIT_DWARF(4),
    /** Stack usage ({@code -fstack-usage}). */
    STACK_USAGE(5),
    /** The assembler's listing file ({@code -Wa,-a=file}, {@code -Wa,-adhln=file}). */
    ASSEMBLER_LISTING(6);

    private final int code;

    OutputKind(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static OutputKind fromCode(int code) {
        for (OutputKind k : values()) {
            if (k.code == code) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown output kind code " + code);
    }
}
