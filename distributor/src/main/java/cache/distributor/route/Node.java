package cache.distributor.route;

import java.util.Objects;

/**
 * A farm node as routing sees it: a stable id and a weight.
 *
 * <p>The weight is the node's slot limit (the {@code /LIMIT} of a distcc host entry): it
 * bounds the jobs sent to the node at once, and it scales the node's share of the key space
 * in {@link Rendezvous}. The id names the node in hashes, so it must be the same string in
 * every process that routes to the farm (for example {@code host:port}); changing it
 * re-deals the node's keys.
 *
 * @param id     non-blank, unique within a farm
 * @param weight at least 1
 */
public record Node(String id, int weight) {

    public Node {
        Objects.requireNonNull(id, "id");
        if (id.isBlank()) {
            throw new IllegalArgumentException("a node id must not be blank");
        }
        if (weight < 1) {
            throw new IllegalArgumentException("node " + id + ": weight must be at least 1, got " + weight);
        }
    }
}
