package cache.distributor.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.hashing.Digest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class RendezvousTest {

    private static final int KEYS = 20_000;

    private static Digest key(int i) {
        return Digest.of(("src/file" + i + ".c").getBytes(StandardCharsets.UTF_8));
    }

    private static List<Node> nodes(int n, int weight) {
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            nodes.add(new Node("node" + i + ".farm:3632", weight));
        }
        return nodes;
    }

    @Test
    void rankingIsAPermutationOfTheNodes() {
        List<Node> nodes = nodes(7, 2);
        List<Node> ranking = Rendezvous.rank(key(1), nodes);
        assertEquals(7, ranking.size());
        assertEquals(new HashSet<>(nodes), new HashSet<>(ranking));
        assertEquals(List.of(), Rendezvous.rank(key(1), List.of()));
    }

    @Test
    void sameRankingFromIndependentComputationsAndAnyInputOrder() {
        List<Node> nodes = nodes(6, 3);
        List<Node> shuffled = new ArrayList<>(nodes);
        Collections.reverse(shuffled);
        for (int i = 0; i < 1_000; i++) {
            List<Node> first = Rendezvous.rank(key(i), nodes);
            assertEquals(first, Rendezvous.rank(key(i), List.copyOf(nodes)));
            assertEquals(first, Rendezvous.rank(key(i), shuffled));
        }
    }

    /**
     * Pinned so that a change of hash, byte order or formula, which would re-deal every key
     * across the farm, shows. The expected orders were computed outside Java, with the
     * reference libxxhash ({@code XXH3_64bits} via Python ctypes) and ccache's formula.
     */
    @Test
    void rankingMatchesTheReferenceComputation() {
        Digest key = Digest.fromHex("000102030405060708090a0b0c0d0e0f");
        assertEquals(List.of("node0.farm:3632", "node2.farm:3632", "node1.farm:3632",
                        "node3.farm:3632", "node4.farm:3632"),
                Rendezvous.rank(key, nodes(5, 1)).stream().map(Node::id).toList());
        List<Node> weighted = List.of(new Node("a.farm:3632", 2), new Node("b.farm:3632", 2),
                new Node("big.farm:3632", 4), new Node("c.farm:3632", 2));
        assertEquals(List.of("big.farm:3632", "c.farm:3632", "b.farm:3632", "a.farm:3632"),
                Rendezvous.rank(key, weighted).stream().map(Node::id).toList());
        assertEquals(15.5831, Rendezvous.score(key.toBytes(), new Node("big.farm:3632", 4)), 1e-4);
    }

    @Test
    void addingANodeMovesAboutOneNthOfTheKeysAllToTheNewNode() {
        List<Node> four = nodes(4, 2);
        List<Node> five = nodes(5, 2);
        Node added = five.get(4);
        int moved = 0;
        for (int i = 0; i < KEYS; i++) {
            Node before = Rendezvous.rank(key(i), four).get(0);
            Node after = Rendezvous.rank(key(i), five).get(0);
            if (!before.equals(after)) {
                moved++;
                assertEquals(added, after, "a key moved between old nodes");
            }
        }
        double share = moved / (double) KEYS;
        System.out.printf("rendezvous 4->5 nodes: %.2f %% of keys moved%n", 100 * share);
        assertTrue(share > 0.15 && share < 0.25, "moved share " + share);
    }

    @Test
    void removingANodeMovesOnlyItsKeys() {
        List<Node> five = nodes(5, 2);
        Node removed = five.get(2);
        List<Node> four = new ArrayList<>(five);
        four.remove(removed);
        int moved = 0;
        for (int i = 0; i < KEYS; i++) {
            Node before = Rendezvous.rank(key(i), five).get(0);
            Node after = Rendezvous.rank(key(i), four).get(0);
            if (!before.equals(after)) {
                moved++;
                assertEquals(removed, before, "a key of a remaining node moved");
                // the runner-up inherits the key: spilled work already went there
                assertEquals(Rendezvous.rank(key(i), five).get(1), after);
            }
        }
        double share = moved / (double) KEYS;
        System.out.printf("rendezvous 5->4 nodes: %.2f %% of keys moved%n", 100 * share);
        assertTrue(share > 0.15 && share < 0.25, "moved share " + share);
    }

    @Test
    void ownershipFollowsWeight() {
        Node heavy = new Node("big.farm:3632", 4);
        List<Node> nodes = List.of(heavy, new Node("a.farm:3632", 2), new Node("b.farm:3632", 2),
                new Node("c.farm:3632", 2));
        TreeMap<String, Integer> owned = new TreeMap<>();
        for (int i = 0; i < KEYS; i++) {
            owned.merge(Rendezvous.rank(key(i), nodes).get(0).id(), 1, Integer::sum);
        }
        double lightAverage = (owned.get("a.farm:3632") + owned.get("b.farm:3632")
                + owned.get("c.farm:3632")) / 3.0;
        double ratio = owned.get(heavy.id()) / lightAverage;
        System.out.printf("rendezvous weights 4:2:2:2 owned %s, ratio %.3f%n", owned, ratio);
        assertTrue(ratio > 1.8 && ratio < 2.2, "weight 4 vs 2 ownership ratio " + ratio);
        // expected share 4/10 of the keys
        double heavyShare = owned.get(heavy.id()) / (double) KEYS;
        assertTrue(Math.abs(heavyShare - 0.4) < 0.02, "heavy share " + heavyShare);
    }

    @Test
    void duplicateIdsAreRejected() {
        List<Node> nodes = List.of(new Node("x", 1), new Node("x", 2));
        assertThrows(IllegalArgumentException.class, () -> Rendezvous.rank(key(0), nodes));
    }

    @Test
    void nodeValidatesItsFields() {
        assertThrows(IllegalArgumentException.class, () -> new Node(" ", 1));
        assertThrows(IllegalArgumentException.class, () -> new Node("x", 0));
        assertThrows(NullPointerException.class, () -> new Node(null, 1));
    }
}
