package cache.distributor.route;

import cache.hashing.Digest;
import cache.hashing.Hashing;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Weighted rendezvous (highest random weight) ranking of nodes for a key.
 *
 * <p>Contract: {@link #rank} returns every given node exactly once, most preferred first.
 * The order depends only on the key and on each node's id and weight: not on the order of
 * the input, the process, the JVM or the platform. Removing a node moves only the keys it
 * owned; adding one moves to it only the keys it now owns, about {@code weight / total
 * weight} of them. A node owns keys in proportion to its weight.
 *
 * <p>Design: the score of a node for a key is {@code weight / -ln(h)} where {@code h} is a
 * uniform value in [0, 1) made from the 53 low bits of XXH3-64 over the key's 16 big-endian
 * bytes followed by the id's UTF-8 bytes. This is ccache's sharding formula
 * ({@code get_shard_url} in {@code src/storage/Storage.cpp}); with it the probability that a
 * node scores highest is exactly its share of the total weight. {@code h == 0} scores 0 (as
 * in ccache); equal scores, which need equal hashes, fall back to id order so that the result
 * stays total and deterministic.
 */
public final class Rendezvous {

    private static final int SIGNIFICAND_BITS = 53;
    private static final long MASK = (1L << SIGNIFICAND_BITS) - 1;
    private static final double DENOMINATOR = 1L << SIGNIFICAND_BITS;

    private Rendezvous() {}

    /**
     * The nodes in order of preference for {@code key}; the first is the key's owner.
     *
     * @throws IllegalArgumentException if two nodes share an id
     */
    public static List<Node> rank(Digest key, Collection<Node> nodes) {
        byte[] keyBytes = key.toBytes();
        Set<String> ids = new HashSet<>();
        List<Scored> scored = new ArrayList<>(nodes.size());
        for (Node node : nodes) {
            if (!ids.add(node.id())) {
                throw new IllegalArgumentException("duplicate node id " + node.id());
            }
            scored.add(new Scored(node, score(keyBytes, node)));
        }
        scored.sort(Comparator.comparingDouble(Scored::score).reversed()
                .thenComparing(s -> s.node().id()));
        List<Node> ranking = new ArrayList<>(scored.size());
        for (Scored s : scored) {
            ranking.add(s.node());
        }
        return List.copyOf(ranking);
    }

    /** The node's weighted score for a key; package-private for tests. */
    static double score(byte[] keyBytes, Node node) {
        byte[] id = node.id().getBytes(StandardCharsets.UTF_8);
        byte[] input = new byte[keyBytes.length + id.length];
        System.arraycopy(keyBytes, 0, input, 0, keyBytes.length);
        System.arraycopy(id, 0, input, keyBytes.length, id.length);
        double h = (Hashing.xxh3_64(input, 0, input.length) & MASK) / DENOMINATOR;
        return h == 0.0 ? 0.0 : node.weight() / -Math.log(h);
    }

    private record Scored(Node node, double score) {}
}
