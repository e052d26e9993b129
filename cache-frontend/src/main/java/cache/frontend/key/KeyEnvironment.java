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

    private KeyEnvironment() {}

    public static void addTo(KeyBuilder key, Map<String, String> env) {
        for (String name : HASHED) {
            String v = env.get(name);
            if (v != null) {
                key.add("env." + name, v);
            }
        }
    }
}
