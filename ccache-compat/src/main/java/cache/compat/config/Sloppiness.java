package cache.compat.config;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.StringJoiner;

/**
 * The {@code sloppiness} values of ccache 4.7, in the order {@code ccache -p} lists them
 * (alphabetical). Unknown words in a configured list are ignored, as ccache ignores them for
 * forward compatibility; {@code no_system_headers} is the old spelling of
 * {@link #SYSTEM_HEADERS}.
 */
public enum Sloppiness {
    CLANG_INDEX_STORE,
    FILE_STAT_MATCHES,
    FILE_STAT_MATCHES_CTIME,
    GCNO_CWD,
    INCLUDE_FILE_CTIME,
    INCLUDE_FILE_MTIME,
    IVFSOVERLAY,
    LOCALE,
    MODULES,
    PCH_DEFINES,
    RANDOM_SEED,
    SYSTEM_HEADERS,
    TIME_MACROS;

    /** The word used in configuration ({@code time_macros}). */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a list separated by commas and/or blanks. */
    static EnumSet<Sloppiness> parse(String value) {
        EnumSet<Sloppiness> result = EnumSet.noneOf(Sloppiness.class);
        for (String token : value.split("[, ]")) {
            String t = ValueSyntax.stripWhitespace(token);
            if (t.equals("no_system_headers")) {
                result.add(SYSTEM_HEADERS);
                continue;
            }
            for (Sloppiness s : values()) {
                if (s.word().equals(t)) {
                    result.add(s);
                }
            }
        }
        return result;
    }

    /** As {@code ccache -p} prints the set: {@code locale, time_macros}. */
    static String format(Set<Sloppiness> set) {
        StringJoiner j = new StringJoiner(", ");
        for (Sloppiness s : values()) {
            if (set.contains(s)) {
                j.add(s.word());
            }
        }
        return j.toString();
    }
}
