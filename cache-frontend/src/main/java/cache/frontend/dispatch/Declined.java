package cache.frontend.dispatch;

import cache.compat.Counter;

/**
 * A builder's "not this job": distribution is off for the call, or the job must stay on this
 * machine. Not a failure: the chain asks the next builder and counts {@link #counter()}, if any.
 */
public final class Declined extends Exception {

    private final transient Counter counter;

    /** @param counter what the call counts ({@code kept_local}), or null: nothing to say */
    public Declined(Counter counter, String reason) {
        super(reason, null, false, false);
        this.counter = counter;
    }

    public Counter counter() {
        return counter;
    }
}
