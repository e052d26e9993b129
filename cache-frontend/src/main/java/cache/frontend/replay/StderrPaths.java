package cache.frontend.replay;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * {@code absolute_paths_in_stderr}: the relative file names at the start of the compiler's
 * diagnostic lines made absolute, exactly as ccache 4.7's
 * {@code rewrite_stderr_to_absolute_paths} does, so that with {@code base_dir} (which makes the
 * compiler see relative paths) an IDE can still open the files a message names.
 *
 * <p>Line by line (a line keeps its {@code \n}; a last line without one counts too): a leading
 * {@code "In file included from "} is kept as is, then any ANSI CSI colour sequences at the
 * start are kept, then the text up to the first {@code ':'} is taken for a path. If a file or
 * directory of that name exists (relative to the call's working directory), it is replaced by
 * its real path (absolute, symbolic links resolved); otherwise the line is left alone. Lines
 * without a colon are left alone. So {@code m.c:2:20: warning: …}, {@code m.c: In function …}
 * and {@code In file included from inc/h1.h:1,} are rewritten, but the continuation lines
 * {@code "                 from m.c:1:"} are not (ccache 4.7 only knows the first form), and
 * neither is {@code gcc: warning: …} unless a file named {@code gcc} exists in the directory.
 *
 * <p>A line that starts with an ESC which does not begin a CSI sequence is passed through
 * unchanged: ccache 4.7 loops forever on one.
 */
public final class StderrPaths {

    private static final byte[] INCLUDED_FROM = "In file included from ".getBytes(StandardCharsets.US_ASCII);
    private static final byte ESC = 0x1b;

    private StderrPaths() {}

    /** {@code text} with its diagnostic paths made absolute against {@code cwd} on this file system. */
    public static byte[] absolute(byte[] text, Path cwd) {
        return absolute(text, name -> realPath(cwd, name));
    }

    /**
     * {@code text} with its diagnostic paths replaced by what {@code realPath} says, which
     * answers null for a name that does not exist.
     */
    public static byte[] absolute(byte[] text, Function<String, String> realPath) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length + 256);
        int start = 0;
        while (start < text.length) {
            int nl = indexOf(text, (byte) '\n', start, text.length);
            int end = nl < 0 ? text.length : nl + 1;
            line(text, start, end, out, realPath);
            start = end;
        }
        return out.toByteArray();
    }

    private static void line(byte[] t, int from, int end, ByteArrayOutputStream out,
            Function<String, String> realPath) {
        int p = from;
        if (startsWith(t, p, end, INCLUDED_FROM)) {
            p += INCLUDED_FROM.length;
        }
        while (p < end && t[p] == ESC) {
            int len = csiLength(t, p, end);
            if (len == 0) {
                break;
            }
            p += len;
        }
        out.write(t, from, p - from);
        int colon = indexOf(t, (byte) ':', p, end);
        String replacement = colon < 0 ? null : resolve(t, p, colon, realPath);
        if (replacement == null) {
            out.write(t, p, end - p);
            return;
        }
        out.writeBytes(replacement.getBytes(StandardCharsets.UTF_8));
        out.write(t, colon, end - colon);
    }

    /** The real path for the name in {@code t[from, to)}, or null when it names nothing (or is not text). */
    private static String resolve(byte[] t, int from, int to, Function<String, String> realPath) {
        if (from == to) {
            return null;
        }
        String name;
        try {
            name = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(t, from, to - from))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
        return name.indexOf('\0') >= 0 ? null : realPath.apply(name);
    }

    /**
     * Length of the CSI sequence {@code ESC [ [0x30-0x3f]* [0x20-0x2f]* (K|m)} at {@code p}, or 0
     * when there is none there (ccache's {@code find_first_ansi_csi_seq}).
     */
    static int csiLength(byte[] t, int p, int end) {
        if (p + 1 >= end || t[p + 1] != '[') {
            return 0;
        }
        int q = p + 2;
        while (q < end && t[q] >= 0x30 && t[q] <= 0x3f) {
            q++;
        }
        while (q < end && t[q] >= 0x20 && t[q] <= 0x2f) {
            q++;
        }
        return q < end && (t[q] == 'K' || t[q] == 'm') ? q + 1 - p : 0;
    }

    /** realpath(3) of {@code name} taken relative to {@code cwd}, or null when it does not exist. */
    static String realPath(Path cwd, String name) {
        try {
            return cwd.resolve(name).toRealPath().toString();
        } catch (IOException | InvalidPathException | SecurityException e) {
            return null;
        }
    }

    private static boolean startsWith(byte[] t, int p, int end, byte[] prefix) {
        if (end - p < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (t[p + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] t, byte b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (t[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
