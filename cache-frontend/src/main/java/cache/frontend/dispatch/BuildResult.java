package cache.frontend.dispatch;

import cache.compat.Counter;
import cache.store.OutputKind;
import java.util.Map;

/**
 * A compiler's answer to a {@link BuildJob}.
 *
 * @param outputs the files the compile wrote, by kind; empty when it failed
 * @param missing an output the compile did not write, or null
 * @param empty an output it wrote empty, or null
 * @param inPlace whether the outputs are already at the caller's paths (a local compile writes
 *     them there); otherwise the call writes them, as it writes a hit
 * @param builtBy the builder's {@link Builder#name()}
 * @param counter what the call counts for how it was built ({@code remote_compile}, {@code
 *     node_hit}), or null (a local compile)
 */
public record BuildResult(int exitCode, byte[] stdout, byte[] stderr, Map<OutputKind, byte[]> outputs,
        OutputKind missing, OutputKind empty, boolean inPlace, String builtBy, Counter counter) {

    /** Whether the outputs are whole: the compile succeeded and wrote every output (its stdout is kept with them). */
    public boolean complete() {
        return exitCode == 0 && missing == null && empty == null;
    }
}
