package cache.distributor;

/**
 * What one job of a {@link Farm} is doing, for whoever shows it ({@code cache --monitor},
 * distcc's state files, gauges). Called on the farm's threads, in order for one job, and must
 * return at once; a listener that throws is the caller's bug, not the job's.
 */
@FunctionalInterface
public interface JobListener {

    /** Listens to nothing. */
    JobListener NONE = (phase, node) -> {};

    /** The phases of a job, in the order a job goes through them (some skipped). */
    enum Phase {
        /** Its key is asked of the owner and the next nodes of its ranking (no slot held). */
        PROBE,
        /** Waiting for a slot on a node of its ranking. */
        BLOCKED,
        /** Holding a slot: probed once more if it waited for it, uploaded, compiled and received. */
        COMPILE,
        /** Answered, failed or given up: the job holds nothing any more. */
        DONE
    }

    /** @param node the node's {@code host:port} the phase happens on, or null (no one node) */
    void phase(Phase phase, String node);
}
