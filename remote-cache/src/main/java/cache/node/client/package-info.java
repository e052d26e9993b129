/**
 * The client of a node ({@code cached}): {@link cache.node.client.NodeClient}. It needs only the
 * wire protocol ({@code cache.node.protocol}) and the entry codec ({@code cache.store}), never
 * the node's server classes, its command line or its HTTP statistics, so a client such as the
 * distributor does not carry the server along.
 */
package cache.node.client;
