/**
 * The distributor: misses compiled on a farm of nodes that remember.
 *
 * <p>{@link cache.distributor.Farm} is the public face: one per host list, it takes a
 * {@link cache.distributor.Farm.Job} (the cache key, the compiler, the preprocessed input and
 * the arguments a node may run) and answers with the node's entry. Sub-packages hold its parts:
 * {@code hosts} reads distcc's host lists, {@code route} ranks nodes per key (rendezvous
 * hashing), hands out slots without polling and backs failed nodes off. The module knows no
 * front-end type: the daemon adapts it as one of its builders.
 */
package cache.distributor;
