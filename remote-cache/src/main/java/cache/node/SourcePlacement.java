package cache.node;

import cache.node.protocol.NodeProtocol.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Where a {@code COMPILE_SOURCE} input goes in a job's private directory, and the options that
 * make gcc record the client's names instead of the node's.
 *
 * <p>Layout of the private directory {@code P} (0700, fresh per job, its real path): the compiler
 * runs in {@code P/w}; a relative source {@code sub/y.c} is written at {@code P/w/sub/y.c} and
 * named on the command line exactly as the client spelled it; an absolute source {@code /a/b/x.c}
 * is written at {@code P/root/a/b/x.c} and named by that path. The object goes to
 * {@code P/output}, outside both trees, so no source name can collide with it.
 *
 * <p>gcc records the working directory ({@code DW_AT_comp_dir}, the line table's directory 0) and
 * the main file's name as given ({@code DW_AT_name}); {@code -fdebug-prefix-map=P/w=cwd} turns the
 * first into the client's, and for an absolute source {@code -fdebug-prefix-map=P/root=} and
 * {@code -fmacro-prefix-map=P/root=} (for {@code __BASE_FILE__}) turn the second. gcc tries the
 * maps last given first, so the more specific {@code P/root} maps come after the {@code P/w} one;
 * gcc leaves all of them out of {@code DW_AT_producer}. Everything else in the object comes from
 * the line markers of the input, which name the client's files already.
 *
 * <p>What is refused ({@code FORBIDDEN_ARGUMENT}): a source with a {@code ..} component (it
 * could leave its tree), an empty name, a trailing slash or {@code .} as the file, a name that
 * starts with {@code -} (the compiler would read an option), a NUL, more than
 * {@link #MAX_PATH} bytes or a component over {@link #MAX_COMPONENT}; a working directory that is
 * not absolute or holds a NUL.
 */
record SourcePlacement(String source, String cwd) {

    /** Longest source path and working directory accepted, in UTF-8 bytes. */
    static final int MAX_PATH = 1024;
    /** Longest path component (Linux's NAME_MAX). */
    static final int MAX_COMPONENT = 255;

    /** The placement of {@code source}, compiled as if in {@code cwd}, or why it is refused. */
    static SourcePlacement of(String source, String cwd) throws Refusal {
        String why = problem(source);
        if (why != null) {
            throw new Refusal(ErrorCode.FORBIDDEN_ARGUMENT,
                    "source path '" + CompilerResolver.printable(source) + "' " + why);
        }
        if (!cwd.startsWith("/") || cwd.indexOf('\0') >= 0 || bytes(cwd) > MAX_PATH) {
            throw new Refusal(ErrorCode.FORBIDDEN_ARGUMENT, "working directory '" + CompilerResolver.printable(cwd)
                    + "' is not an absolute path of at most " + MAX_PATH + " bytes");
        }
        return new SourcePlacement(source, cwd);
    }

    /** Why {@code source} cannot be placed, or null. */
    static String problem(String source) {
        if (source.isEmpty()) {
            return "is empty";
        }
        if (source.indexOf('\0') >= 0) {
            return "holds a NUL";
        }
        if (bytes(source) > MAX_PATH) {
            return "is longer than " + MAX_PATH + " bytes";
        }
        if (source.startsWith("-")) {
            return "starts with '-'";
        }
        if (source.endsWith("/")) {
            return "names a directory";
        }
        String[] parts = source.split("/", -1);
        for (String part : parts) {
            if (part.equals("..")) {
                return "has a '..' component";
            }
            if (bytes(part) > MAX_COMPONENT) {
                return "has a component longer than " + MAX_COMPONENT + " bytes";
            }
        }
        if (parts[parts.length - 1].equals(".")) {
            return "names a directory";
        }
        return null;
    }

    boolean absolute() {
        return source.startsWith("/");
    }

    /** Where the compiler runs, under the private directory {@code dir} (its real path). */
    static Path workDir(Path dir) {
        return dir.resolve("w");
    }

    /** The file the input is written to. */
    Path file(Path dir) {
        Path file = absolute() ? dir.resolve("root").resolve(source.substring(1)) : workDir(dir).resolve(source);
        if (!file.normalize().startsWith(dir) || file.normalize().equals(dir)) {
            throw new IllegalStateException("source " + source + " placed outside " + dir); // problem() prevents it
        }
        return file;
    }

    /** The input as the compiler's command line names it. */
    String argument(Path dir) {
        return absolute() ? dir + "/root" + source : source;
    }

    /** The options that record the client's directory and names, in the order gcc needs. */
    List<String> prefixMaps(Path dir) {
        String work = "-fdebug-prefix-map=" + workDir(dir) + "=" + cwd;
        if (!absolute()) {
            return List.of(work);
        }
        String root = dir + "/root=";
        return List.of(work, "-fdebug-prefix-map=" + root, "-fmacro-prefix-map=" + root);
    }

    private static int bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
