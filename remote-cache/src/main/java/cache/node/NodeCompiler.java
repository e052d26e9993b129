package cache.node;

import java.nio.file.Path;

/**
 * A compiler binary this node runs: the name it was asked by, the PATH entry found for it
 * (executed as found, so gcc locates cc1 through its argv[0]), and the identity it reports.
 */
public record NodeCompiler(String name, Path path, String version, String target, long size, long mtimeNanos) {

    /** The words a client logs on a mismatch ("gcc 12.2.0 x86_64-linux-gnu"). */
    public String describe() {
        return name + " " + version + " " + target;
    }
}
