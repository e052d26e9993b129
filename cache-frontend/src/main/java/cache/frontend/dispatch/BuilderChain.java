package cache.frontend.dispatch;

import cache.compat.Counter;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Builders tried in order, the local one last. A builder that cannot answer hands the job to
 * the next, counted as {@code builder_failed} and by its reason ({@link BuilderFailure#reason()},
 * else {@code builder_failed_other}) and logged; one that declines the job ({@link Declined})
 * hands it on with the counters it names; only the last one's failure
 * reaches the call (which then falls back to the client's own compile).
 */
public final class BuilderChain {

    private static final Logger LOG = Logger.getLogger(BuilderChain.class.getName());

    private final List<Builder> builders;
    /** Reasons already logged: a build keeps thousands of calls local for a handful of reasons. */
    private final Cache<String, Boolean> reported = Caffeine.newBuilder().maximumSize(1_000)
            .expireAfterWrite(Duration.ofHours(1)).build();

    /** @param builders in order of preference; the last is the one that always can (the local one) */
    public BuilderChain(List<Builder> builders) {
        if (builders.isEmpty()) {
            throw new IllegalArgumentException("a chain needs a builder");
        }
        this.builders = List.copyOf(builders);
    }

    /**
     * The first answer a builder gives. Interrupted (the client left), the pending build is
     * cancelled and the interruption rethrown.
     */
    public BuildResult build(BuildJob job, Consumer<Counter> counts) throws IOException, InterruptedException {
        for (int i = 0; ; i++) {
            Builder b = builders.get(i);
            boolean last = i == builders.size() - 1;
            try {
                return await(b.build(job));
            } catch (Declined d) {
                if (d.counter() != null) {
                    counts.accept(d.counter());
                    if (d.reason() != null) {
                        counts.accept(d.reason());
                    }
                    if (reported.asMap().putIfAbsent(d.getMessage(), Boolean.TRUE) == null) {
                        LOG.info(b.name() + ": " + d.counter().id() + ": " + d.getMessage()
                                + " (said once an hour per reason)");
                    }
                }
                if (last) {
                    throw new IOException("no builder took the job: " + d.getMessage());
                }
            } catch (IOException | RuntimeException e) {
                if (last) {
                    throw e;
                }
                counts.accept(Counter.BUILDER_FAILED);
                counts.accept(e instanceof BuilderFailure f ? f.reason() : Counter.BUILDER_FAILED_OTHER);
                LOG.warning("builder " + b.name() + " failed, trying " + builders.get(i + 1).name() + ": " + e);
            }
        }
    }

    private static BuildResult await(CompletableFuture<BuildResult> f)
            throws IOException, InterruptedException, Declined {
        try {
            return f.get();
        } catch (InterruptedException e) {
            f.cancel(true);
            throw e;
        } catch (CancellationException e) {
            throw new IOException("build cancelled", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof Declined d) {
                throw d;
            }
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof RuntimeException r) {
                throw r;
            }
            if (c instanceof InterruptedException ie) {
                throw ie;
            }
            throw new IOException(c);
        }
    }
}
