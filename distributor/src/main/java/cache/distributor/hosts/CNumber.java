package cache.distributor.hosts;

/**
 * The C library's view of characters and decimal numbers, which distcc's host parser uses
 * ({@code isspace}, {@code isdigit}, {@code atoi}, {@code strtol(..., 10)}) in the "C" locale,
 * so that this parser splits and reads exactly the text distcc does.
 */
final class CNumber {

    /** Beyond this many digits a value is out of every range we accept; stop accumulating. */
    private static final long SATURATED = 1L << 40;

    private CNumber() {}

    /** C's {@code isspace}: space, \t, \n, \v, \f, \r. */
    static boolean isSpace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }

    /** C's {@code isdigit}: ASCII 0-9 only. */
    static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /**
     * Where {@code strtol} would stop reading {@code s} at {@code from}: past leading whitespace,
     * an optional sign and the digits; {@code from} itself when there are no digits.
     */
    static int scan(String s, int from) {
        int i = from;
        while (i < s.length() && isSpace(s.charAt(i))) {
            i++;
        }
        if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            i++;
        }
        int digits = i;
        while (i < s.length() && isDigit(s.charAt(i))) {
            i++;
        }
        return i == digits ? from : i;
    }

    /**
     * The value of {@code s[from, end)} as returned by {@link #scan}, 0 when empty (as
     * {@code atoi}); magnitudes past 2^40 are clamped there, which every caller rejects.
     */
    static long value(String s, int from, int end) {
        long value = 0;
        boolean negative = false;
        for (int i = from; i < end; i++) {
            char c = s.charAt(i);
            if (c == '-') {
                negative = true;
            } else if (isDigit(c)) {
                value = Math.min(SATURATED, value * 10 + (c - '0'));
            }
        }
        return negative ? -value : value;
    }
}
