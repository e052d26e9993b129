package cache.compat.config;

/**
 * The prefix of a string that C {@code strtod} converts: leading blanks, a sign, then
 * {@code inf}/{@code infinity}, {@code nan}/{@code nan(...)}, a hexadecimal float
 * ({@code 0x1.8p3}) or a decimal one ({@code 1.5e3}). {@code end} is 0 when nothing
 * converts; {@code rangeError} is C's {@code ERANGE} (overflow, or underflow to zero or a
 * subnormal).
 */
record Strtod(double value, int end, boolean rangeError) {

    static Strtod parse(String s, int from) {
        int i = from;
        while (i < s.length() && ValueSyntax.isSpace(s.charAt(i))) {
            i++;
        }
        boolean negative = false;
        if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            negative = s.charAt(i) == '-';
            i++;
        }
        double sign = negative ? -1 : 1;
        if (s.regionMatches(true, i, "infinity", 0, 8)) {
            return new Strtod(sign * Double.POSITIVE_INFINITY, i + 8, false);
        }
        if (s.regionMatches(true, i, "inf", 0, 3)) {
            return new Strtod(sign * Double.POSITIVE_INFINITY, i + 3, false);
        }
        if (s.regionMatches(true, i, "nan", 0, 3)) {
            int end = i + 3;
            if (end < s.length() && s.charAt(end) == '(') {
                int j = end + 1;
                while (j < s.length() && (ValueSyntax.isNameChar(s.charAt(j)))) {
                    j++;
                }
                if (j < s.length() && s.charAt(j) == ')') {
                    end = j + 1;
                }
            }
            return new Strtod(Double.NaN, end, false);
        }
        if (s.regionMatches(true, i, "0x", 0, 2)) {
            Strtod hex = parseHex(s, i + 2, sign);
            if (hex != null) {
                return hex;
            }
            // "0x" without hex digits: only the 0 converts.
            return new Strtod(sign * 0.0, i + 1, false);
        }
        int start = i;
        int digits = 0;
        boolean nonZero = false;
        while (i < s.length() && isDigit(s.charAt(i))) {
            nonZero |= s.charAt(i) != '0';
            i++;
            digits++;
        }
        if (i < s.length() && s.charAt(i) == '.') {
            i++;
            while (i < s.length() && isDigit(s.charAt(i))) {
                nonZero |= s.charAt(i) != '0';
                i++;
                digits++;
            }
        }
        if (digits == 0) {
            return new Strtod(0, 0, false);
        }
        int mantissaEnd = i;
        if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            int j = i + 1;
            if (j < s.length() && (s.charAt(j) == '+' || s.charAt(j) == '-')) {
                j++;
            }
            if (j < s.length() && isDigit(s.charAt(j))) {
                while (j < s.length() && isDigit(s.charAt(j))) {
                    j++;
                }
                i = j;
            }
        }
        String text = s.substring(start, i);
        if (mantissaEnd == i && text.endsWith(".")) {
            text = text + "0";
        }
        if (text.startsWith(".")) {
            text = "0" + text;
        }
        double v = Double.parseDouble(text);
        return new Strtod(sign * v, i, rangeError(v, nonZero));
    }

    private static Strtod parseHex(String s, int i, double sign) {
        int start = i;
        StringBuilder mantissa = new StringBuilder();
        boolean nonZero = false;
        while (i < s.length() && Character.digit(s.charAt(i), 16) >= 0 && s.charAt(i) < 0x80) {
            nonZero |= s.charAt(i) != '0';
            mantissa.append(s.charAt(i++));
        }
        int intDigits = mantissa.length();
        if (i < s.length() && s.charAt(i) == '.') {
            mantissa.append('.');
            i++;
            while (i < s.length() && Character.digit(s.charAt(i), 16) >= 0 && s.charAt(i) < 0x80) {
                nonZero |= s.charAt(i) != '0';
                mantissa.append(s.charAt(i++));
            }
        }
        if (intDigits == 0 && mantissa.length() <= 1) {
            return null;
        }
        String exponent = "0";
        if (i < s.length() && (s.charAt(i) == 'p' || s.charAt(i) == 'P')) {
            int j = i + 1;
            if (j < s.length() && (s.charAt(j) == '+' || s.charAt(j) == '-')) {
                j++;
            }
            if (j < s.length() && isDigit(s.charAt(j))) {
                while (j < s.length() && isDigit(s.charAt(j))) {
                    j++;
                }
                exponent = s.substring(i + 1, j);
                i = j;
            }
        }
        String m = mantissa.toString();
        if (m.startsWith(".")) {
            m = "0" + m;
        }
        if (m.endsWith(".")) {
            m = m + "0";
        }
        double v;
        try {
            v = Double.parseDouble("0x" + m + "p" + exponent);
        } catch (NumberFormatException e) {
            v = exponent.startsWith("-") ? 0 : Double.POSITIVE_INFINITY; // exponent beyond int range
        }
        if (start == i) {
            return null;
        }
        return new Strtod(sign * v, i, rangeError(v, nonZero));
    }

    private static boolean rangeError(double v, boolean nonZeroDigits) {
        return Double.isInfinite(v) || (nonZeroDigits && Math.abs(v) < Double.MIN_NORMAL);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
