package cache.frontend.args;

import cache.compat.Counter;

/** The call is run as asked, uncached; {@code counter} records why, {@code reason} says it to a person. */
public record Uncacheable(Counter counter, String reason) implements Analysis {}
