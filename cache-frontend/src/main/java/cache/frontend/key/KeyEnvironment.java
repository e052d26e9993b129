package cache.frontend.key;

import cache.hashing.KeyBuilder;
import java.util.List;
import java.util.Map;

/**
 * The allow-list of environment variables that enter the key. Everything else in the caller's
 * environment is ignored, so unrelated variables (a changed PWD, MAKEFLAGS) never cause misses.
 */
public final class KeyEnvironment {

    /** Variables that change a compile's outputs or diagnostics. Sorted. */
    static final List<String> HASHED = List.of(
            "COMPILER_PATH",          // where gcc finds cc1 and as
            "CPATH",                  // header search (direct mode: not in the source text)
            "CPLUS_INCLUDE_PATH",
            "C_INCLUDE_PATH",
            "GCC_COLORS",             // colours in stored stderr
            "GCC_EXEC_PREFIX",
            "LANG",                   // language of diagnostics
            "LANGUAGE",
            "LC_ALL",
            "LC_CTYPE",
            "LC_MESSAGES",
            "OBJCPLUS_INCLUDE_PATH",
            "OBJC_INCLUDE_PATH",
            "SOURCE_DATE_EPOCH");     // __DATE__ and __TIME__

    /** The variables that choose the language of diagnostics: out of the key with {@code sloppiness = locale}, as in ccache. */
    static final List<String> LOCALE = List.of("LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "LC_MESSAGES");

    private KeyEnvironment() {}

    /**
     * {@code env} as the key sees it: with {@code locale} sloppiness, without the locale
     * variables (ccache 4.7 hashes LANG, LC_ALL, LC_CTYPE and LC_MESSAGES unless sloppy; LANGUAGE,
     * which cache also hashes, goes with them).
     */
    public static Map<String, String> forKey(Map<String, String> env, boolean sloppyLocale) {
        if (!sloppyLocale || LOCALE.stream().noneMatch(env::containsKey)) {
            return env;
        }
        Map<String, String> out = new java.util.HashMap<>(env);
        LOCALE.forEach(out::remove);
        return java.util.Collections.unmodifiableMap(out);
    }

    public static void addTo(KeyBuilder key, Map<String, String> env) {
        for (String name : HASHED) {
            String v = env.get(name);
            if (v != null) {
                key.add("env." + name, v);
            }
        }
    }
}
