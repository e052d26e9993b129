package cache.frontend.dispatch;

import cache.compat.Counter;
import java.io.IOException;

/**
 * A builder could not answer, and says why with a counter ({@code builder_failed_timeout}, …)
 * that the chain counts beside {@code builder_failed}.
 */
public final class BuilderFailure extends IOException {

    private final transient Counter reason;

    public BuilderFailure(Counter reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Counter reason() {
        return reason;
    }
}
