/**
 * Routing of cache misses to farm nodes: which node should compile a key, and when it may.
 *
 * <p>Contract. For each miss the distributor takes the {@link cache.distributor.route.Health
 * healthy} nodes, {@link cache.distributor.route.Rendezvous#rank ranks} them for the key, and
 * {@link cache.distributor.route.SlotPool#acquire acquires} a
 * {@link cache.distributor.route.Slot} from that ranking: on the key's owner if it has a free
 * slot, else on the next node in the key's ranking, else on whichever of them frees first.
 * The slot is held until the reply is read, then released; a failure is reported to
 * {@code Health} with a {@link cache.distributor.route.Failure}, which backs the node off.
 * Nodes are plain {@link cache.distributor.route.Node} values (id, weight = slot limit).
 *
 * <p>Design.
 * <ul>
 *   <li><b>Rendezvous, not list order.</b> distcc prefers hosts in list order, so every
 *       client piles onto the first host and any node may see any file. Ranking by weighted
 *       rendezvous hashing gives each key an owner: the same object file is always compiled
 *       (and so cached) on the same node, and the nodes' caches add up to one sharded cache
 *       instead of N copies of the popular entries. A node joining or leaving moves only its
 *       own share of keys, so the other nodes' caches stay warm. Weights make a node with
 *       twice the slots own twice the keys.</li>
 *   <li><b>Bounded load.</b> The owner is a preference, not an obligation: when it is full the
 *       job spills to the next node of the same key's ranking, so a hot key spreads over a
 *       stable, short list of nodes rather than at random, and no node runs more jobs than its
 *       limit.</li>
 *   <li><b>No polling.</b> distcc sleeps a second and rescans when every slot is taken, which
 *       leaves freed slots idle on the critical path. Here a waiter is a future in a FIFO
 *       queue and a release hands its slot to the oldest waiter that can use it, at once.</li>
 *   <li><b>Time is injected.</b> Backoff reads a {@code nanoTime} supplier; tests advance a
 *       fake one explicitly and never sleep.</li>
 * </ul>
 */
package cache.distributor.route;
