package cache.compat.config;

import java.util.Locale;

/**
 * The {@code compiler_type} values of ccache 4.7. Any other configured word means
 * {@link #AUTO}, silently, as in ccache.
 */
public enum CompilerType {
    AUTO,
    CLANG,
    CLANG_CL,
    GCC,
    ICL,
    MSVC,
    NVCC,
    OTHER;

    /** The word used in configuration ({@code clang-cl}). */
    public String word() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static CompilerType parse(String value) {
        for (CompilerType t : values()) {
            if (t.word().equals(value)) {
                return t;
            }
        }
        return AUTO;
    }
}
