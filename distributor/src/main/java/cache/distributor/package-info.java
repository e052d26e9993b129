/**
 * The distributor: host lists (DISTCC_HOSTS grammar), scheduling, slots, backoff and the
 * protocol clients (native and distcc). Empty until the distribution issue lands; the local
 * pipeline compiles every miss itself meanwhile.
 */
package cache.distributor;
