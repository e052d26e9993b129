package cache.frontend.replay;

import java.io.ByteArrayOutputStream;

/**
 * Diagnostics without their colours, as ccache 4.7's {@code strip_ansi_csi_seqs} gives them to
 * a caller that does not want colours: every ANSI CSI sequence ending in {@code m} (colour) or
 * {@code K} (erase in line), {@code ESC [ [0x30-0x3f]* [0x20-0x2f]* (m|K)}, taken out; any other
 * byte, an ESC that starts no such sequence included, kept. gcc and clang colour a
 * diagnostic only with such sequences, so the text left is what an uncoloured compile prints.
 */
public final class DiagnosticsColours {

    private static final byte ESC = 0x1b;

    private DiagnosticsColours() {}

    /** {@code text} without its colour sequences; {@code text} itself when it has none. */
    public static byte[] strip(byte[] text) {
        int first = -1;
        for (int i = 0; i < text.length; i++) {
            if (text[i] == ESC && StderrPaths.csiLength(text, i, text.length) > 0) {
                first = i;
                break;
            }
        }
        if (first < 0) {
            return text;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length);
        out.write(text, 0, first);
        int i = first;
        while (i < text.length) {
            int len = text[i] == ESC ? StderrPaths.csiLength(text, i, text.length) : 0;
            if (len > 0) {
                i += len;
            } else {
                out.write(text[i]);
                i++;
            }
        }
        return out.toByteArray();
    }
}
