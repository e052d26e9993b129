package cache.distributor.hosts;

import java.util.Objects;
import java.util.Optional;

/**
 * A distccd started over ssh: {@code [USER]@HOST[/LIMIT][:COMMAND][,OPTIONS]}. Parsed so the
 * grammar is whole and the report can name it, but never {@link #supported() supported}: this
 * distributor does not spawn ssh.
 *
 * @param entry   the entry as written
 * @param user    the login name before {@code @}, if any
 * @param host    the host after {@code @}, never empty (taken verbatim, up to {@code / :} or
 *                {@code ,}; ssh has no port syntax, use {@code ~/.ssh/config})
 * @param limit   at least 1; {@value TcpHost#DEFAULT_LIMIT} when the entry names none
 * @param command the server command after {@code :}, if any (distcc runs {@code distccd})
 * @param options the entry's options
 */
public record SshHost(
        String entry,
        Optional<String> user,
        String host,
        int limit,
        Optional<String> command,
        HostOptions options)
        implements HostSpec {

    public SshHost {
        Objects.requireNonNull(entry, "entry");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(options, "options");
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("empty host in " + entry);
        }
        if (limit < 1) {
            throw new IllegalArgumentException("limit " + limit + " below 1 in " + entry);
        }
    }

    @Override
    public boolean supported() {
        return false;
    }
}
