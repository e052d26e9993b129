package cache.compat.config;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.function.Function;

/**
 * The value grammar of ccache 4.7: sizes, unsigned and signed integers, octal umasks,
 * floating point, booleans (file and environment forms), durations, {@code $VAR} expansion
 * and lexical path normalisation. Each parser accepts exactly what ccache accepts and fails
 * with ccache's message, checked against Debian's ccache 4.7.5 binary (see
 * {@code ValueSyntaxTest}).
 *
 * <p>ccache builds several of these on C library calls ({@code strtod}, {@code stoull},
 * {@code stoll}); the quirks that follow from that are kept on purpose: {@code 0x10} is a
 * valid size (16G), {@code 5GB} is 5G (text after the suffix letter is ignored), {@code inf}
 * is a size of 0 and {@code nan} one of 2<sup>63</sup> bytes (the x86-64 conversion of those
 * doubles to an unsigned 64-bit integer).
 */
public final class ValueSyntax {

    private ValueSyntax() {}

    // ---------------------------------------------------------------- sizes

    /**
     * A size in bytes ({@code max_size}, {@code -M}): a C floating-point number, optional
     * blanks, then an optional suffix {@code k/K, M, G, T} (decimal) or the same followed by
     * {@code i} (binary). No suffix means G. The result is an unsigned 64-bit value held in a
     * {@code long}.
     */
    public static long parseSize(String value) throws ConfigException {
        Strtod d = Strtod.parse(value, 0);
        if (d.rangeError() || d.end() == 0 || value.isEmpty() || d.value() < 0) {
            throw invalidSize(value);
        }
        double x = d.value();
        int p = d.end();
        while (p < value.length() && isSpace(value.charAt(p))) {
            p++;
        }
        if (p < value.length()) {
            int multiplier = p + 1 < value.length() && value.charAt(p + 1) == 'i' ? 1024 : 1000;
            int steps;
            switch (value.charAt(p)) {
                case 'T' -> steps = 4;
                case 'G' -> steps = 3;
                case 'M' -> steps = 2;
                case 'K', 'k' -> steps = 1;
                default -> throw invalidSize(value);
            }
            for (int i = 0; i < steps; i++) {
                x *= multiplier; // one multiplication per step, in ccache's order: rounding is the same
            }
        } else {
            x *= 1000 * 1000 * 1000;
        }
        return toUint64(x);
    }

    private static ConfigException invalidSize(String value) {
        return new ConfigException("invalid size: \"" + value + "\"");
    }

    /** As {@code ccache -k max_size} prints a size: {@code 5.0G}, {@code 5.2M}, or bytes below 1 MB. */
    public static String formatSizeParsable(long size) {
        double d = unsignedToDouble(size);
        if (Long.compareUnsigned(size, 1_000_000_000L) >= 0) {
            return fixed1(d / 1e9) + "G";
        } else if (Long.compareUnsigned(size, 1_000_000L) >= 0) {
            return fixed1(d / 1e6) + "M";
        }
        return Long.toUnsignedString(size);
    }

    /** As {@code ccache -M} reports a size: {@code 1.0 GB}, {@code 1.0 MB}, else kilobytes ({@code 0.5 kB}). */
    public static String formatSizeHuman(long size) {
        double d = unsignedToDouble(size);
        if (Long.compareUnsigned(size, 1_000_000_000L) >= 0) {
            return fixed1(d / 1e9) + " GB";
        } else if (Long.compareUnsigned(size, 1_000_000L) >= 0) {
            return fixed1(d / 1e6) + " MB";
        }
        return fixed1(d / 1e3) + " kB";
    }

    // ---------------------------------------------------------------- integers

    /**
     * An unsigned 64-bit decimal integer ({@code max_files}, {@code -F}): blanks around it are
     * ignored, a leading {@code +} is allowed, a {@code -} is not.
     */
    public static long parseUnsigned(String value) throws ConfigException {
        return parseUnsigned(value, null, 10, "");
    }

    /**
     * An unsigned integer in {@code radix} with an optional inclusive upper bound; failures say
     * {@code invalid unsigned [octal ]integer: "v"} or {@code <description> must be between 0
     * and <max>}.
     */
    static long parseUnsigned(String value, Long max, int radix, String description) throws ConfigException {
        String s = stripWhitespace(value);
        String kind = radix == 8 ? "invalid unsigned octal integer" : "invalid unsigned integer";
        ConfigException invalid = new ConfigException(kind + ": \"" + s + "\"");
        int i = 0;
        if (i < s.length() && s.charAt(i) == '+') {
            i++;
        }
        if (i == s.length()) {
            throw invalid;
        }
        BigInteger result = BigInteger.ZERO;
        for (; i < s.length(); i++) {
            int digit = Character.digit(s.charAt(i), radix);
            if (digit < 0 || s.charAt(i) > 0x7f) {
                throw invalid;
            }
            result = result.multiply(BigInteger.valueOf(radix)).add(BigInteger.valueOf(digit));
        }
        if (result.bitLength() > 64) {
            throw invalid; // stoull's out_of_range
        }
        long r = result.longValue();
        if (max != null && Long.compareUnsigned(r, max) > 0) {
            throw new ConfigException(description + " must be between 0 and " + max);
        }
        return r;
    }

    /**
     * A signed decimal integer within {@code [min, max]} ({@code compression_level}, {@code -X});
     * failures say {@code invalid integer: "v"} or {@code <description> must be between min and max}.
     */
    public static int parseSigned(String value, int min, int max, String description) throws ConfigException {
        String s = stripWhitespace(value);
        ConfigException invalid = new ConfigException("invalid integer: \"" + s + "\"");
        int i = 0;
        if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            i++;
        }
        if (i == s.length()) {
            throw invalid;
        }
        for (int j = i; j < s.length(); j++) {
            if (s.charAt(j) < '0' || s.charAt(j) > '9') {
                throw invalid;
            }
        }
        BigInteger result = new BigInteger(s.charAt(0) == '+' ? s.substring(1) : s);
        if (result.bitLength() > 63) {
            throw invalid; // stoll's out_of_range
        }
        long r = result.longValue();
        if (r < min || r > max) {
            throw new ConfigException(description + " must be between " + min + " and " + max);
        }
        return (int) r;
    }

    /** An octal umask up to 0777; the empty string means "not set" ({@code -1}). */
    static int parseUmask(String value) throws ConfigException {
        if (value.isEmpty()) {
            return -1;
        }
        return (int) parseUnsigned(value, 0777L, 8, "umask");
    }

    static String formatUmask(int umask) {
        return umask < 0 ? "" : String.format(Locale.ROOT, "%03o", umask);
    }

    // ---------------------------------------------------------------- floating point

    /** A C floating-point number taking the whole string ({@code limit_multiple}). */
    static double parseDouble(String value) throws ConfigException {
        Strtod d = Strtod.parse(value, 0);
        if (d.end() == 0 || d.end() != value.length() || d.rangeError()) {
            throw new ConfigException("invalid floating point: \"" + value + "\"");
        }
        return d.value();
    }

    /** {@code {:.1f}} as fmt renders it: the exact binary value rounded half-to-even. */
    static String fixed1(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        String s = new BigDecimal(d).setScale(1, RoundingMode.HALF_EVEN).toPlainString();
        if ((d < 0 || (d == 0 && 1 / d < 0)) && !s.startsWith("-")) {
            s = "-" + s; // -0.0 and negatives that round to zero keep their sign, as in C
        }
        return s;
    }

    // ---------------------------------------------------------------- booleans

    /** A boolean in a configuration file: exactly {@code true} or {@code false}. */
    static boolean parseFileBoolean(String value) throws ConfigException {
        if (value.equals("true")) {
            return true;
        } else if (value.equals("false")) {
            return false;
        }
        throw new ConfigException("not a boolean value: \"" + value + "\"");
    }

    /**
     * A boolean from {@code CCACHE_<name>} or {@code CCACHE_NO<name>}: any value, even empty,
     * means set; {@code 0}, {@code false}, {@code disable} and {@code no} (any case) are refused
     * so that {@code CCACHE_DISABLE=0} does not silently disable the cache.
     */
    static boolean parseEnvBoolean(String value, boolean negated, String envName) throws ConfigException {
        String lower = value.toLowerCase(Locale.ROOT);
        if (value.equals("0") || lower.equals("false") || lower.equals("disable") || lower.equals("no")) {
            String suggestion = "CCACHE_" + (negated ? "" : "NO") + envName + "=true";
            throw new ConfigException("invalid boolean environment variable value \"" + value
                    + "\" (did you mean to set \"" + suggestion + "\"?)");
        }
        return !negated;
    }

    // ---------------------------------------------------------------- durations

    /**
     * An age for {@code --evict-older-than}: an unsigned integer with a {@code d} (days) or
     * {@code s} (seconds) suffix, in seconds.
     */
    public static long parseDuration(String value) throws ConfigException {
        long unit;
        if (value.endsWith("d")) {
            unit = 24 * 3600;
        } else if (value.endsWith("s")) {
            unit = 1;
        } else {
            throw new ConfigException("invalid suffix (supported: d (day) and s (second)): \"" + value + "\"");
        }
        return parseUnsigned(value.substring(0, value.length() - 1)) * unit;
    }

    // ---------------------------------------------------------------- strings and paths

    /**
     * Replaces {@code $NAME} and {@code ${NAME}} (NAME: ASCII letters, digits, underscore) with
     * the variable's value. A {@code $} not followed by a name stays as it is; an unset variable
     * and an unclosed brace are errors.
     */
    static String expandEnvironment(String s, Function<String, String> env) throws ConfigException {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c != '$') {
                out.append(c);
                i++;
                continue;
            }
            int left = i + 1;
            boolean curly = left < s.length() && s.charAt(left) == '{';
            if (curly) {
                left++;
            }
            int right = left;
            while (right < s.length() && isNameChar(s.charAt(right))) {
                right++;
            }
            if (curly && (right == s.length() || s.charAt(right) != '}')) {
                throw new ConfigException("syntax error: missing '}' after \"" + s.substring(left) + "\"");
            }
            if (right == left) {
                // A '$' without a name is kept and scanning resumes after it (and after a '{',
                // which "${}" loses, as in ccache).
                out.append('$');
                i = left;
                continue;
            }
            String name = s.substring(left, right);
            String v = env.apply(name);
            if (v == null) {
                throw new ConfigException("environment variable \"" + name + "\" not set");
            }
            out.append(v);
            i = curly ? right + 1 : right;
        }
        return out.toString();
    }

    static boolean isNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }

    /**
     * Lexical normalisation: repeated slashes collapse, {@code .} segments go, {@code x/..}
     * pairs cancel, {@code ..} directly under the root disappears, a trailing slash goes.
     * Symbolic links are not looked at.
     */
    static String normalizePath(String path) {
        boolean absolute = path.startsWith("/");
        java.util.ArrayDeque<String> parts = new java.util.ArrayDeque<>();
        for (String seg : path.split("/")) {
            if (seg.isEmpty() || seg.equals(".")) {
                continue;
            }
            if (seg.equals("..")) {
                if (!parts.isEmpty() && !parts.peekLast().equals("..")) {
                    parts.removeLast();
                    continue;
                }
                if (absolute) {
                    continue;
                }
            }
            parts.addLast(seg);
        }
        String joined = String.join("/", parts);
        if (absolute) {
            return "/" + joined;
        }
        return joined.isEmpty() ? "." : joined;
    }

    /** C {@code isspace} in the C locale. */
    static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0b || c == '\f' || c == '\r';
    }

    static String stripWhitespace(String s) {
        int b = 0;
        int e = s.length();
        while (b < e && isSpace(s.charAt(b))) {
            b++;
        }
        while (e > b && isSpace(s.charAt(e - 1))) {
            e--;
        }
        return s.substring(b, e);
    }

    // ---------------------------------------------------------------- C conversions

    /** What {@code static_cast<uint64_t>(double)} yields on x86-64, including for NaN and overflow. */
    static long toUint64(double x) {
        final double two63 = 9.223372036854775808E18;
        if (Double.isNaN(x)) {
            return Long.MIN_VALUE;
        }
        if (x >= two63 * 2) {
            return 0; // cvttsd2si overflow (0x8000…) xor the high bit
        }
        if (x >= two63) {
            return ((long) (x - two63)) ^ Long.MIN_VALUE;
        }
        return (long) x;
    }

    private static double unsignedToDouble(long v) {
        if (v >= 0) {
            return v;
        }
        return new BigDecimal(Long.toUnsignedString(v)).doubleValue();
    }
}
