package cache.frontend.args;

/** What argument analysis concluded: a cacheable {@link Invocation} or an {@link Uncacheable} verdict. */
public sealed interface Analysis permits Invocation, Uncacheable {}
