package cache.frontend.it;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

/**
 * Tools some integration tests compare against (clang, Debian's ccache) that a developer's
 * machine may lack. {@code .ci/run} installs them and exports {@code CI=true}: there a missing
 * tool is a failure, because a comparison that silently does not run proves nothing. Without
 * {@code CI} the test (or the clang case) is skipped.
 */
final class Prerequisites {

    private Prerequisites() {}

    /** {@code CI} set to anything but empty or {@code false}, as CI services and {@code .ci/run} set it. */
    static boolean onCi() {
        String ci = System.getenv("CI");
        return ci != null && !ci.isEmpty() && !ci.equalsIgnoreCase("false");
    }

    /**
     * Whether a tool is there: {@code present} itself, except that on CI an absent tool fails
     * the calling test with {@code what} in the message.
     */
    static boolean available(boolean present, String what) {
        if (!present && onCi()) {
            fail(what + " is missing, and CI is set: on CI it must be installed (.ci/run apt-installs it);"
                    + " a missing tool fails there instead of skipping the comparison");
        }
        return present;
    }

    /** Skips the calling test when the tool is absent (fails it on CI, see {@link #available}). */
    static void require(boolean present, String what) {
        Assumptions.assumeTrue(available(present, what), what + " is not installed (and CI is not set): skipped");
    }
}
