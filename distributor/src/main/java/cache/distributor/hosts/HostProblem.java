package cache.distributor.hosts;

import java.util.Objects;

/**
 * Something about a host list the user should hear about once, when the list is read: never an
 * exception, because a bad host list must not break a build (the worst outcome is compiling
 * locally, which is what distcc does too).
 *
 * @param kind    what happened to the entry, and so to the list
 * @param entry   the entry's text as written, or {@code ""} when the problem is not one entry's
 * @param line    1-based line of the problem in the list's text, or 0 when not one entry's
 * @param column  1-based column of the offending character, or 0 when not one entry's
 * @param message the whole sentence to log: source, position, entry, what is wrong and what was
 *                done about it
 */
public record HostProblem(Kind kind, String entry, int line, int column, String message) {

    /** What a problem did to the list. */
    public enum Kind {
        /**
         * The list is malformed where distcc rejects the whole list (bad port, bad limit, empty
         * host, unterminated {@code [}, unknown option, {@code ,cpp} without {@code ,lzo}): the
         * {@link HostList} has no hosts, so every job compiles locally.
         */
        REJECTED,
        /** An entry asks for something this distributor cannot do yet; it alone is skipped. */
        UNSUPPORTED,
        /** Part of an entry was ignored (as distcc ignores it); the entry is used without it. */
        IGNORED,
        /** The list holds no host entries at all; every job compiles locally. */
        NO_HOSTS,
        /** Finding or reading the list's file failed. */
        SOURCE
    }

    public HostProblem {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(entry, "entry");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return message;
    }
}
