package cache.distributor.hosts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import cache.distributor.hosts.HostListSource.Origin;
import cache.distributor.hosts.HostProblem.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** distcc's dcc_get_hostlist order, on temporary directories and a map for the environment. */
class HostListSourceTest {

    @TempDir
    Path dir;
    Path home;
    Path distccDir;
    Path system;

    @BeforeEach
    void files() throws IOException {
        home = Files.createDirectories(dir.resolve("home"));
        distccDir = Files.createDirectories(dir.resolve("distcc-dir"));
        system = dir.resolve("etc-distcc-hosts");
    }

    private List<String> hostNames(HostList list) {
        return list.hosts().stream().map(h -> ((TcpHost) h).host()).toList();
    }

    @Test
    void environmentWinsOverEveryFile() throws IOException {
        Files.writeString(distccDir.resolve("hosts"), "fromdir");
        Files.writeString(system, "fromsystem");
        HostListSource source = HostListSource.locate(
                Map.of("DISTCC_HOSTS", "fromenv", "DISTCC_DIR", distccDir.toString()), system);
        assertEquals(Origin.ENVIRONMENT, source.origin());
        assertEquals("$DISTCC_HOSTS", source.describe());
        assertEquals(Optional.empty(), source.file());
        assertEquals(List.of("fromenv"), hostNames(source.load()));
    }

    /** distcc tests getenv() != NULL: set but empty is an empty list, and no file is read. */
    @Test
    void emptyEnvironmentIsAnEmptyListNotAFallThrough() throws IOException {
        Files.writeString(system, "fromsystem");
        HostListSource source = HostListSource.locate(Map.of("DISTCC_HOSTS", ""), system);
        assertEquals(Origin.ENVIRONMENT, source.origin());
        HostList list = source.load();
        assertEquals(List.of(), list.hosts());
        assertEquals("$DISTCC_HOSTS contained no hosts; can't distribute work, compiling locally",
                list.problems().get(0).message());
    }

    @Test
    void distccDirHostsBeforeTheSystemFile() throws IOException {
        Path hosts = Files.writeString(distccDir.resolve("hosts"), "# mine\nfromdir/8\n");
        Files.writeString(system, "fromsystem");
        HostListSource source = HostListSource.locate(
                Map.of("DISTCC_DIR", distccDir.toString(), "HOME", home.toString()), system);
        assertEquals(Origin.USER_FILE, source.origin());
        assertEquals(Optional.of(hosts), source.file());
        assertEquals(hosts.toString(), source.describe());
        assertEquals(List.of("fromdir"), hostNames(source.load()));
    }

    @Test
    void homeDotDistccWhenDistccDirIsUnset() throws IOException {
        Path hosts = Files.writeString(Files.createDirectories(home.resolve(".distcc")).resolve("hosts"),
                "fromhome");
        HostListSource source = HostListSource.locate(Map.of("HOME", home.toString()), system);
        assertEquals(Origin.USER_FILE, source.origin());
        assertEquals(Optional.of(hosts), source.file());
        assertEquals(List.of("fromhome"), hostNames(source.load()));
    }

    @Test
    void systemFileWhenNoUserFile() throws IOException {
        Files.writeString(system, "fromsystem");
        HostListSource source = HostListSource.locate(
                Map.of("DISTCC_DIR", distccDir.toString()), system);
        assertEquals(Origin.SYSTEM_FILE, source.origin());
        assertEquals(system.toString(), source.describe());
        HostList list = source.load();
        assertEquals(List.of("fromsystem"), hostNames(list));
        assertEquals(List.of(), list.problems());
    }

    @Test
    void noListAnywhere() {
        HostListSource source = HostListSource.locate(Map.of("HOME", home.toString()), system);
        assertEquals(Origin.NONE, source.origin());
        assertEquals("none", source.describe());
        HostList list = source.load();
        assertEquals(List.of(), list.hosts());
        assertEquals(List.of(Kind.NO_HOSTS), HostListTest.kinds(list));
    }

    @Test
    void unsetHomeIsSaidAndTheSystemFileStillRead() throws IOException {
        Files.writeString(system, "fromsystem");
        HostList list = HostListSource.locate(Map.of(), system).load();
        assertEquals(List.of("fromsystem"), hostNames(list));
        assertEquals(List.of(Kind.SOURCE), HostListTest.kinds(list));
        assertTrue(list.problems().get(0).message().contains("HOME is not set"));
    }

    /** access(R_OK) passes a directory, then reading fails: distcc fails too, without fall-through. */
    @Test
    void chosenFileThatCannotBeReadIsAProblemNotAnException() throws IOException {
        Files.createDirectories(distccDir.resolve("hosts"));
        Files.writeString(system, "fromsystem");
        HostListSource source = HostListSource.locate(
                Map.of("DISTCC_DIR", distccDir.toString()), system);
        assertEquals(Origin.USER_FILE, source.origin());
        HostList list = source.load();
        assertEquals(List.of(), list.hosts());
        assertEquals(List.of(Kind.SOURCE), HostListTest.kinds(list));
        assertTrue(list.problems().get(0).message().startsWith("cannot read " + distccDir.resolve("hosts")),
                list.problems().get(0).message());
    }

    @Test
    void unreadableUserFileIsPassedOverAndSaid() throws IOException {
        Path hosts = Files.writeString(distccDir.resolve("hosts"), "secret");
        Files.setPosixFilePermissions(hosts, PosixFilePermissions.fromString("---------"));
        assumeFalse(Files.isReadable(hosts), "root reads everything");
        Files.writeString(system, "fromsystem");
        HostListSource source = HostListSource.locate(
                Map.of("DISTCC_DIR", distccDir.toString()), system);
        assertEquals(Origin.SYSTEM_FILE, source.origin());
        HostList list = source.load();
        assertEquals(List.of("fromsystem"), hostNames(list));
        assertEquals(List.of(Kind.SOURCE), HostListTest.kinds(list));
    }

    @Test
    void fileProblemsNameTheFileAndLine() throws IOException {
        Path hosts = Files.writeString(distccDir.resolve("hosts"), "good\n\n  bad:port\n");
        HostList list = HostListSource.locate(Map.of("DISTCC_DIR", distccDir.toString()), system)
                .load();
        assertTrue(list.rejected());
        assertTrue(list.problems().get(0).message().startsWith(hosts + ":3:7: \"bad:port\": "),
                list.problems().get(0).message());
    }

    @Test
    void defaultSystemFileIsDistccs() {
        assertEquals("/etc/distcc/hosts", HostListSource.SYSTEM_HOSTS_FILE);
    }
}
