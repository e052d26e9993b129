package cache.storage.remote;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Where writes to remote storage run, so that no reply waits for one: two daemon threads (made
 * on demand, gone when idle) and a bounded queue. When the servers cannot keep up, {@link
 * #execute} throws {@link java.util.concurrent.RejectedExecutionException}: the caller drops the
 * write (and logs it), never delays the build.
 */
public final class BackgroundWrites implements Executor, AutoCloseable {

    private final ThreadPoolExecutor pool = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(1024), r -> {
                Thread t = new Thread(r, "remote-storage-write");
                t.setDaemon(true);
                return t;
            });

    public BackgroundWrites() {
        pool.allowCoreThreadTimeOut(true);
    }

    @Override
    public void execute(Runnable write) {
        pool.execute(write);
    }

    /** Waits until no write is queued or running, for {@code maxMillis} at most; whether none is. */
    public boolean awaitIdle(long maxMillis) throws InterruptedException {
        long deadline = System.nanoTime() + maxMillis * 1_000_000L;
        while (pool.getActiveCount() > 0 || !pool.getQueue().isEmpty()) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    /** Lets the queued writes finish, for a few seconds at most. */
    @Override
    public void close() {
        pool.shutdown();
        try {
            pool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
