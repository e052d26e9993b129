package cache.frontend.dispatch;

import cache.compat.Counter;

/**
 * A builder's "not this job": distribution is off for the call, or the job must stay on this
 * machine. Not a failure: the chain asks the next builder and counts {@link #counter()} and
 * {@link #reason()}, if any.
 */
public final class Declined extends Exception {

    private final transient Counter counter;
    private final transient Counter reason;

    /** @param counter what the call counts ({@code kept_local}), or null: nothing to say */
    public Declined(Counter counter, String message) {
        this(counter, null, message);
    }

    /**
     * @param counter what the call counts ({@code kept_local}), or null: nothing to say
     * @param reason the counter of its reason ({@code kept_local_recache}, …), or null
     */
    public Declined(Counter counter, Counter reason, String message) {
        super(message, null, false, false);
        this.counter = counter;
        this.reason = reason;
    }

    public Counter counter() {
        return counter;
    }

    /** The counter naming why, counted beside {@link #counter()}; null when there is none. */
    public Counter reason() {
        return reason;
    }
}
