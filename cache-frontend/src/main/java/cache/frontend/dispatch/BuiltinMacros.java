package cache.frontend.dispatch;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Removes gcc's predefined macros from {@code gcc -E -fdirectives-only} output, so that the text
 * compiles again as a source: gcc defines those macros itself and refuses to see them redefined
 * ({@code __STDC__}, {@code __FILE__} …).
 *
 * <p>gcc writes each predefined macro as a line marker {@code # 0 "<built-in>"} followed by its
 * {@code #define}; the block ends at the next line marker naming another file, normally
 * {@code # 0 "<command-line>"}, whose {@code #define}s and {@code #undef}s (the call's {@code -D}
 * and {@code -U}) stay, as does everything else: the main file's marker, the working-directory
 * marker and the expanded includes. A marker is a line {@code # <digits> "<name>"…}; a
 * {@code <built-in>} marker anywhere starts a block again. Bytes are kept as they are (the text
 * need not be UTF-8; only the markers are read).
 */
final class BuiltinMacros {

    private static final byte[] BUILTIN = "\"<built-in>\"".getBytes(StandardCharsets.US_ASCII);

    private BuiltinMacros() {}

    /** {@code text} without its {@code <built-in>} blocks. */
    static byte[] strip(byte[] text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length);
        boolean builtin = false;
        int start = 0;
        while (start < text.length) {
            int end = start;
            while (end < text.length && text[end] != '\n') {
                end++;
            }
            int next = end < text.length ? end + 1 : end; // the line with its newline, if it has one
            int name = markerName(text, start, end);
            if (name >= 0) {
                builtin = startsWith(text, name, end, BUILTIN);
            }
            if (!builtin) {
                out.write(text, start, next - start);
            }
            start = next;
        }
        return out.toByteArray();
    }

    /** Where the quoted file name of a line marker {@code # <digits> "} starts, or -1 for another line. */
    private static int markerName(byte[] t, int start, int end) {
        int i = start;
        if (i + 1 >= end || t[i] != '#' || t[i + 1] != ' ') {
            return -1;
        }
        i += 2;
        int digits = i;
        while (i < end && t[i] >= '0' && t[i] <= '9') {
            i++;
        }
        if (i == digits || i + 1 >= end || t[i] != ' ' || t[i + 1] != '"') {
            return -1;
        }
        return i + 1;
    }

    private static boolean startsWith(byte[] t, int at, int end, byte[] prefix) {
        if (end - at < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (t[at + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
