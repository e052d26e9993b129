package cache.frontend.key;

import cache.hashing.KeyBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Who compiles: the name the user called it by (gcc and g++ are the same binary but compile
 * .c files differently) and, as ccache's default {@code compiler_check = mtime}, the size and
 * modification time of the binary the name resolves to. An upgrade changes both.
 */
public record CompilerIdentity(String name, Path path, long size, long mtimeNanos) {

    public static CompilerIdentity of(String name, Path path) throws IOException {
        BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
        if (!a.isRegularFile()) {
            throw new IOException(path + " is not a regular file");
        }
        long nanos = a.lastModifiedTime().toInstant().getEpochSecond() * 1_000_000_000L
                + a.lastModifiedTime().toInstant().getNano();
        return new CompilerIdentity(baseName(name), path, a.size(), nanos);
    }

    /** The identity from stat data already read ({@code stat} null: the compiler does not exist). */
    public static CompilerIdentity of(String name, Path path, cache.hashing.FileStat stat) throws IOException {
        if (stat == null) {
            throw new java.nio.file.NoSuchFileException(path.toString());
        }
        if (!stat.regular()) {
            throw new IOException(path + " is not a regular file");
        }
        return new CompilerIdentity(baseName(name), path, stat.size(), stat.mtimeNanos());
    }

    public void addTo(KeyBuilder key) {
        key.add("compiler.name", name).add("compiler.size", size).add("compiler.mtime", mtimeNanos);
    }

    private static String baseName(String s) {
        return s.substring(s.lastIndexOf('/') + 1);
    }
}
