package cache.distributor.hosts;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the host list comes from, chosen as distcc 3.4's {@code dcc_get_hostlist} chooses it:
 *
 * <ol>
 *   <li>{@code DISTCC_HOSTS}, whenever it is set, even to the empty string (distcc tests
 *       {@code getenv(...) != NULL}; an empty value is an empty list, so compile locally, and the
 *       files are not read);
 *   <li>else {@code $DISTCC_DIR/hosts}, or {@code $HOME/.distcc/hosts} when {@code DISTCC_DIR}
 *       is unset, if readable ({@code access(path, R_OK)}); unlike distcc this never creates
 *       {@code ~/.distcc};
 *   <li>else the system file, {@value #SYSTEM_HOSTS_FILE} by default, if readable;
 *   <li>else none: no hosts, compile locally.
 * </ol>
 *
 * <p>A file that exists but is not readable is passed over, as distcc passes it over, and is
 * reported as a {@link HostProblem.Kind#SOURCE} problem of the list finally used. A chosen file
 * that then cannot be read (a directory, an I/O error) gives a list with no hosts and that problem;
 * distcc fails the same way. Nothing here throws for a missing or bad list.
 */
public final class HostListSource {

    /** Where distcc built with {@code sysconfdir=/etc} (as distributions do) reads its system list. */
    public static final String SYSTEM_HOSTS_FILE = "/etc/distcc/hosts";

    /** Which of the places in distcc's order supplied the list. */
    public enum Origin { ENVIRONMENT, USER_FILE, SYSTEM_FILE, NONE }

    private final Origin origin;
    private final Optional<Path> file;
    private final String environmentText;
    private final List<HostProblem> passedOver;

    private HostListSource(Origin origin, Optional<Path> file, String environmentText,
            List<HostProblem> passedOver) {
        this.origin = origin;
        this.file = file;
        this.environmentText = environmentText;
        this.passedOver = List.copyOf(passedOver);
    }

    /** Locates the list for the process environment {@code env}, with the system file at its default. */
    public static HostListSource locate(Map<String, String> env) {
        return locate(env, Path.of(SYSTEM_HOSTS_FILE));
    }

    /** Locates the list for the environment {@code env}, with the system file at {@code systemFile}. */
    public static HostListSource locate(Map<String, String> env, Path systemFile) {
        Objects.requireNonNull(env, "env");
        Objects.requireNonNull(systemFile, "systemFile");
        String hosts = env.get("DISTCC_HOSTS");
        if (hosts != null) {
            return new HostListSource(Origin.ENVIRONMENT, Optional.empty(), hosts, List.of());
        }
        List<HostProblem> passedOver = new ArrayList<>();
        Optional<Path> userFile = userFile(env, passedOver);
        if (userFile.isPresent() && readable(userFile.get(), passedOver)) {
            return new HostListSource(Origin.USER_FILE, userFile, null, passedOver);
        }
        if (readable(systemFile, passedOver)) {
            return new HostListSource(Origin.SYSTEM_FILE, Optional.of(systemFile), null, passedOver);
        }
        return new HostListSource(Origin.NONE, Optional.empty(), null, passedOver);
    }

    /** The place the list came from. */
    public Origin origin() {
        return origin;
    }

    /** The file read, for {@link Origin#USER_FILE} and {@link Origin#SYSTEM_FILE}. */
    public Optional<Path> file() {
        return file;
    }

    /** How logs and {@code cache -s -v} name the source: {@code $DISTCC_HOSTS}, a path, or "none". */
    public String describe() {
        return switch (origin) {
            case ENVIRONMENT -> "$DISTCC_HOSTS";
            case USER_FILE, SYSTEM_FILE -> file.orElseThrow().toString();
            case NONE -> "none";
        };
    }

    /**
     * Reads (for a file) and parses the list; never throws. Problems met while locating the
     * list come first in {@link HostList#problems()}.
     */
    public HostList load() {
        List<HostProblem> problems = new ArrayList<>(passedOver);
        String text;
        if (origin == Origin.ENVIRONMENT) {
            text = environmentText;
        } else if (origin == Origin.NONE) {
            problems.add(new HostProblem(HostProblem.Kind.NO_HOSTS, "", 0, 0,
                    "no host list is set ($DISTCC_HOSTS, $DISTCC_DIR/hosts or ~/.distcc/hosts, "
                            + SYSTEM_HOSTS_FILE + "); can't distribute work, compiling locally"));
            return HostList.withoutHosts(problems);
        } else {
            try {
                // Decoding replaces malformed bytes: host names are ASCII, and a stray byte must
                // not cost the whole file.
                text = new String(Files.readAllBytes(file.orElseThrow()), StandardCharsets.UTF_8);
            } catch (IOException | RuntimeException e) {
                problems.add(sourceProblem("cannot read " + describe() + ": " + e
                        + "; can't distribute work, compiling locally"));
                return HostList.withoutHosts(problems);
            }
        }
        HostList parsed = HostList.parse(text, describe());
        if (problems.isEmpty()) {
            return parsed;
        }
        problems.addAll(parsed.problems());
        return new HostList(parsed.hosts(), parsed.randomize(), parsed.localSlots(),
                parsed.localSlotsCpp(), problems);
    }

    @Override
    public String toString() {
        return "HostListSource[" + origin + " " + describe() + "]";
    }

    /** distcc's {@code dcc_get_top_dir}: {@code $DISTCC_DIR} if set, else {@code $HOME/.distcc}. */
    private static Optional<Path> userFile(Map<String, String> env, List<HostProblem> passedOver) {
        String dir = env.get("DISTCC_DIR");
        if (dir == null) {
            String home = env.get("HOME");
            if (home == null) {
                passedOver.add(sourceProblem("HOME is not set; not reading ~/.distcc/hosts"));
                return Optional.empty();
            }
            dir = home + "/.distcc";
        }
        try {
            return Optional.of(Path.of(dir + "/hosts"));
        } catch (RuntimeException e) { // InvalidPathException, e.g. a NUL in the variable
            passedOver.add(sourceProblem("not reading " + dir + "/hosts: " + e.getMessage()));
            return Optional.empty();
        }
    }

    /** {@code access(path, R_OK)}; an existing file we may not read is said, not hidden. */
    private static boolean readable(Path path, List<HostProblem> passedOver) {
        if (Files.isReadable(path)) {
            return true;
        }
        if (Files.exists(path)) {
            passedOver.add(sourceProblem("not reading " + path + ": permission denied"));
        }
        return false;
    }

    private static HostProblem sourceProblem(String message) {
        return new HostProblem(HostProblem.Kind.SOURCE, "", 0, 0, message);
    }
}
