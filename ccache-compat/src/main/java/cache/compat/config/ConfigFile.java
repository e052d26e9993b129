package cache.compat.config;

import java.util.ArrayList;
import java.util.List;

/**
 * A configuration file split into lines the way ccache 4.7 reads it: lines end at {@code \n}
 * (a {@code \r} before it is blank space to be stripped), blank lines and lines whose first
 * non-blank character is {@code #} are comments, every other line is {@code key = value} with
 * blanks around key and value ignored. A line without {@code =} is an error; a line with an
 * empty key is skipped. Unknown keys are kept here and ignored by the loader, as ccache
 * ignores them.
 */
record ConfigFile(List<Line> lines) {

    /** One physical line. {@code key} is null for comments and blank lines. */
    record Line(int number, String text, String key, String value, String error) {}

    static ConfigFile parse(String content) {
        List<Line> lines = new ArrayList<>();
        int start = 0;
        int number = 0;
        while (start < content.length()) {
            int nl = content.indexOf('\n', start);
            int end = nl < 0 ? content.length() : nl;
            lines.add(parseLine(++number, content.substring(start, end)));
            start = end + 1;
        }
        return new ConfigFile(List.copyOf(lines));
    }

    private static Line parseLine(int number, String text) {
        String stripped = ValueSyntax.stripWhitespace(text);
        if (stripped.isEmpty() || stripped.charAt(0) == '#') {
            return new Line(number, text, null, null, null);
        }
        int eq = stripped.indexOf('=');
        if (eq < 0) {
            return new Line(number, text, null, null, "missing equal sign");
        }
        String key = ValueSyntax.stripWhitespace(stripped.substring(0, eq));
        String value = ValueSyntax.stripWhitespace(stripped.substring(eq + 1));
        return new Line(number, text, key.isEmpty() ? null : key, value, null);
    }
}
