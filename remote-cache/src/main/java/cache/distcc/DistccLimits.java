package cache.distcc;

/**
 * What a reader accepts before it allocates anything: distcc itself has no limits (a 32-bit
 * length is trusted), a server facing the network needs them.
 *
 * @param maxArgs most {@code ARGV} elements ({@code ARGC})
 * @param maxArgBytes most bytes of one {@code ARGV} and of all of them together
 * @param maxBody most bytes of one body ({@code DOTI}, {@code DOTO}, {@code SERR}, {@code SOUT}),
 *     compressed and uncompressed alike
 */
public record DistccLimits(int maxArgs, int maxArgBytes, int maxBody) {

    /** 4096 arguments, 1 MiB of them, 256 MiB per body. */
    public static final DistccLimits DEFAULT = new DistccLimits(4096, 1 << 20, 256 << 20);

    public DistccLimits {
        if (maxArgs < 1 || maxArgBytes < 1 || maxBody < 1) {
            throw new IllegalArgumentException("limits must be positive: " + maxArgs + ", " + maxArgBytes
                    + ", " + maxBody);
        }
    }
}
