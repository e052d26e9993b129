package cache.frontend.replay;

import cache.frontend.args.BaseDir;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * ccache 4.7's {@code base_dir} in a dependency file: every absolute path after the first rule
 * target that lies under the base directory is written relative to the working directory
 * (ccache's {@code Depfile::rewrite_source_paths}), so that two checkouts get the same {@code
 * .d} and build systems see no absolute path. Entries keep the compiler's own file; this is
 * applied to what a call writes, on a miss and on a hit alike, for that call's directory.
 *
 * <p>As in ccache, a file that changes is laid out again token by token: each line's words
 * joined by one space (a line that began with blanks begins with one).
 */
public final class DependencyPaths {

    private DependencyPaths() {}

    /** {@code dep} with paths under {@code baseDir} relative to {@code cwd}; {@code dep} itself when none is. */
    public static byte[] relativeToCwd(byte[] dep, String baseDir, Path cwd) {
        if (dep == null || baseDir == null || baseDir.isEmpty() || !baseDir.startsWith("/")) {
            return dep;
        }
        String text = new String(dep, StandardCharsets.UTF_8);
        if (!text.contains(baseDir)) {
            return dep;
        }
        StringBuilder out = new StringBuilder(text.length());
        boolean rewritten = false;
        boolean seenTarget = false;
        int start = 0;
        while (start < text.length()) {
            int nl = text.indexOf('\n', start);
            int end = nl < 0 ? text.length() : nl;
            String line = text.substring(start, end);
            boolean first = true;
            for (String token : line.split("[ \t]+")) {
                if (token.isEmpty()) {
                    continue;
                }
                if (!first || line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                    out.append(' ');
                }
                first = false;
                String written = token;
                if (seenTarget && token.startsWith("/")) {
                    written = BaseDir.relative(token, baseDir, cwd);
                    rewritten |= !written.equals(token);
                }
                out.append(written);
                if (token.endsWith(":")) {
                    seenTarget = true;
                }
            }
            if (nl >= 0) {
                out.append('\n');
            }
            start = end + 1;
        }
        return rewritten ? out.toString().getBytes(StandardCharsets.UTF_8) : dep;
    }
}
