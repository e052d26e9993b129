package cache.frontend.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.node.client.NodeClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The recipes of the Gentoo, Arch and Arch Linux ARM guides that put ccache and distcc
 * together, played with {@code cache} where ccache stood ({@code docs/recipes.md}): each case
 * sets {@code PATH}, the variables and, where it matters, the user as the tool does, and runs
 * Debian's real {@code distcc}, {@code distccd}, gcc and our real {@code cache} and
 * {@code cached} on loopback. Each case has its own cache directory and daemon.
 *
 * <p>The tree under test is a world-readable copy of {@code dist/} in a directory of its own,
 * because {@code distccd} started as root compiles as {@code nobody} (as a packaged distccd
 * runs as its own user) and that user must be able to run our client and daemon.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class DistccRecipesIT {

    private static final Path DISTCC = Path.of("/usr/bin/distcc");
    private static final Path DISTCCD = Path.of("/usr/bin/distccd");
    private static final Path DISTCC_LINKS = Path.of("/usr/lib/distcc");
    private static final String CROSS = "aarch64-linux-gnu-gcc";
    private static final String SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin";
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));
    private static final String SOURCE = """
            #include <string.h>
            static const char greeting[] = "recipe";
            int length(int n) { return (int)strlen(greeting) * n + 7; }
            """;

    private Path root;
    private Path client;
    private Path links;
    private Node gccNode;
    private final List<Process> started = new ArrayList<>();

    @BeforeAll
    void copyDistAndStartANode() throws Exception {
        Prerequisites.require(Files.isExecutable(DISTCC) && Files.isExecutable(DISTCCD)
                && Files.isExecutable(DISTCC_LINKS.resolve("gcc")), "Debian's distcc (distcc, distccd, /usr/lib/distcc)");
        root = Files.createTempDirectory(Path.of("/tmp"), "recipes-it");
        sh("chmod", "755", root.toString());
        sh("cp", "-r", CacheFixture.DIST.toString(), root.resolve("dist").toString());
        sh("chmod", "-R", "a+rX", root.resolve("dist").toString());
        client = root.resolve("dist/bin/cache");
        links = root.resolve("links");
        CacheFixture.Result r = CacheFixture.run(root, List.of(client.toString(), "--install-links", links.toString()),
                Map.of("PATH", SYSTEM_PATH, "HOME", root.toString()));
        assertEquals(0, r.exitCode(), r.err());
        gccNode = Node.start(root.resolve("dist/bin/cached"), Files.createDirectories(root.resolve("node-gcc")),
                List.of("gcc", "cc", "g++", "c++"));
    }

    @AfterAll
    void stopEverything() throws Exception {
        for (Process p : started) {
            stop(p);
        }
        if (gccNode != null) {
            stop(gccNode.process);
        }
        if (root != null) {
            try (Stream<Path> all = Files.walk(root)) {
                all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    // ------------------------------------------------------------------ the recipes

    /**
     * Gentoo's "distcc with ccache", node side: a real distccd (as {@code nobody} when we are
     * root) whose PATH starts with our links. distccd's whitelist ({@code /usr/lib/distcc/gcc})
     * and masquerade check accept the link, the node's compiles go through our cache, and the
     * second identical job from a real distcc client is a hit there, the objects equal to gcc's.
     */
    @Test
    void distccdWithOurLinksFirstOnItsPathServesARepeatedJobFromTheCache() throws Exception {
        Path node = Files.createDirectories(root.resolve("distccd-node"));
        Map<String, String> nodeEnv = userEnv(node, links + ":" + SYSTEM_PATH);
        Path log = node.resolve("distccd.log");
        int port = startDistccd(node, log, nodeEnv);

        Path project = project("gentoo-client");
        Map<String, Long> stats = twoIdenticalJobs(project, port, node, nodeEnv, log);
        String story = "node cache " + stats + "\n" + Files.readString(log);
        assertFalse(Files.readString(log).contains("really a link to"),
                "distccd's masquerade check takes our link for a compiler: " + story);
        asUser(node, List.of(client.toString(), "--stop-daemon"), nodeEnv);
    }

    /**
     * The node side with distccd's other whitelist: {@code DISTCC_CMDLIST} naming our {@code gcc}
     * links ({@code gcc} and its target name, which Debian's client sends; distccd's PATH
     * without our links). distccd remaps the client's {@code gcc} to the listed
     * path, so the job runs our link, which compiles with the next gcc on PATH through the node's
     * cache: the repeated job is a hit there. A compiler not in the list ({@code g++}) is refused
     * by distccd, the client (no fallback) fails, nothing is compiled for it.
     */
    @Test
    void distccdWithACmdlistNamingOurLinkCachesItsJobsAndRefusesOtherCompilers() throws Exception {
        Path node = Files.createDirectories(root.resolve("cmdlist-node"));
        Path cmdlist = node.resolve("cmdlist");
        // Debian's distcc client sends gcc as x86_64-linux-gnu-gcc (its gcc's target name).
        Files.writeString(cmdlist, links.resolve("gcc") + "\n" + links.resolve(targetName("gcc")) + "\n");
        Map<String, String> nodeEnv = userEnv(node, SYSTEM_PATH);
        nodeEnv.put("DISTCC_CMDLIST", cmdlist.toString());
        Path log = node.resolve("distccd.log");
        int port = startDistccd(node, log, nodeEnv);

        Path project = project("cmdlist-client");
        Files.writeString(project.resolve("y.cc"), "int twice(int n) { return n * 2; }\n");
        CacheFixture.backdate(project);
        Map<String, Long> stats = twoIdenticalJobs(project, port, node, nodeEnv, log);
        Map<String, String> env = plainEnv(project.resolve(".distcc"), SYSTEM_PATH);
        env.put("DISTCC_HOSTS", "127.0.0.1:" + port + "/2");
        env.put("DISTCC_FALLBACK", "0");

        CacheFixture.Result refused = CacheFixture.run(project, List.of("/usr/bin/env", "distcc", "g++", "-O2", "-c", "y.cc",
                "-o", "y.o"), env);
        String distccdLog = Files.readString(log);
        assertTrue(refused.exitCode() != 0, "g++ is not in the list: the job fails without fallback: " + refused.err());
        assertFalse(Files.exists(project.resolve("y.o")), "no object for the refused job");
        assertTrue(distccdLog.contains("g++ in DISTCC_CMDLIST failed"), "distccd refused it:\n" + distccdLog);
        Map<String, Long> after = CacheFixture.parseStats(asUser(node, List.of(client.toString(), "--print-stats"),
                nodeEnv).out());
        assertEquals(stats.get("cache_miss"), after.get("cache_miss"), "the refused job never reached our cache: " + after);
        asUser(node, List.of(client.toString(), "--stop-daemon"), nodeEnv);
    }

    /** Gentoo's client side: {@code PATH=<cache links>:$PATH CCACHE_PREFIX=distcc}, misses to a cached node. */
    @Test
    void ccachePrefixDistccBehindOurLinksSendsMissesToTheNode() throws Exception {
        Path project = project("gentoo-prefix");
        Map<String, String> env = cacheEnv(project, links + ":" + SYSTEM_PATH);
        env.put("CCACHE_PREFIX", "distcc");
        env.put("DISTCC_HOSTS", gccNode.hostEntry());
        compileAndCompare(project, env, "gcc", "gcc");
        Map<String, Long> s = stats(env);
        assertEquals(1L, s.getOrDefault("remote_compile", 0L), "compiled on the node: " + s);
        compileAndCompare(project, env, "gcc", "gcc");
        assertEquals(1L, hits(stats(env)), "and the second time a local hit");
        stopDaemon(env);
    }

    /**
     * Portage's {@code FEATURES="distcc ccache"}: {@code PATH=<cache links>:/usr/lib/distcc:/usr/bin},
     * {@code CCACHE_DIR}, {@code DISTCC_DIR=<dir>/.distcc}. The gcc after our link is distcc's
     * masquerade link; the call compiles with /usr/bin/gcc and our distributor takes the miss.
     */
    @Test
    void portageDistccLinksBehindOursUseOurDistributorWithTheRealCompiler() throws Exception {
        Path project = project("portage-farm");
        Map<String, String> env = cacheEnv(project, links + ":" + DISTCC_LINKS + ":" + SYSTEM_PATH);
        env.put("DISTCC_DIR", project.resolve(".distcc").toString());
        env.put("DISTCC_HOSTS", gccNode.hostEntry());
        long before = gccNode.compiles();
        compileAndCompare(project, env, "gcc", "gcc");
        Map<String, Long> s = stats(env);
        assertEquals(1L, s.getOrDefault("remote_compile", 0L), "our distributor compiled it on the node: " + s);
        assertEquals(before + 1, gccNode.compiles(), "one compile on the node");
        compileAndCompare(project, env, "gcc", "gcc");
        assertEquals(1L, hits(stats(env)), "the second call is a local hit");
        // A call we do not cache runs distcc's link as found; distcc finds /usr/bin/gcc past its dir.
        CacheFixture.Result link = CacheFixture.run(project, List.of("/usr/bin/env", "gcc", "-shared", "x.o", "-o",
                "libx.so"), env);
        assertEquals(0, link.exitCode(), "a link through distcc's masquerade: " + link.err());
        assertTrue(Files.isRegularFile(project.resolve("libx.so")), "linked");
        assertEquals(1L, stats(env).getOrDefault("called_for_link", 0L), "counted as a link");
        stopDaemon(env);
    }

    /**
     * The same Portage PATH with {@code CACHE_DISTRIBUTOR=off}: the real distcc takes the miss to a
     * real distccd (with {@code DISTCC_FALLBACK=0} a job it did not distribute fails), running
     * /usr/bin/gcc there, never distcc inside distcc. Then with our distributor on, the same
     * distccd in the host list takes the miss from it through distcc's protocol.
     */
    @Test
    void portageWithOurDistributorOffPassesTheMissToTheRealDistcc() throws Exception {
        Path node = Files.createDirectories(root.resolve("plain-distccd"));
        Path log = node.resolve("distccd.log");
        int port = startDistccd(node, log, Map.of("PATH", SYSTEM_PATH, "LC_ALL", "C"));

        Path project = project("portage-off");
        Map<String, String> env = cacheEnv(project, links + ":" + DISTCC_LINKS + ":" + SYSTEM_PATH);
        env.put("DISTCC_DIR", project.resolve(".distcc").toString());
        env.put("DISTCC_HOSTS", "127.0.0.1:" + port + "/2");
        env.put("DISTCC_FALLBACK", "0");
        env.put("CACHE_DISTRIBUTOR", "off");
        compileAndCompare(project, env, "gcc", "gcc");
        Map<String, Long> s = stats(env);
        assertEquals(1L, s.getOrDefault("cache_miss", 0L), "a miss: " + s);
        assertEquals(0L, s.getOrDefault("remote_compile", 0L), "not our distributor: " + s);
        assertTrue(Files.readString(log).contains("COMPILE_OK"), "the real distccd compiled it:\n" + Files.readString(log));
        compileAndCompare(project, env, "gcc", "gcc");
        assertEquals(1L, hits(stats(env)), "the second call is a local hit");
        stopDaemon(env);

        // The same distccd in the host list with our distributor on: it takes the miss itself.
        Path farm = project("portage-distccd-farm");
        Map<String, String> farmEnv = cacheEnv(farm, links + ":" + DISTCC_LINKS + ":" + SYSTEM_PATH);
        farmEnv.put("DISTCC_DIR", farm.resolve(".distcc").toString());
        farmEnv.put("DISTCC_HOSTS", "127.0.0.1:" + port + "/2");
        long before = Files.readString(log).split("COMPILE_OK", -1).length;
        compileAndCompare(farm, farmEnv, "gcc", "gcc");
        Map<String, Long> f = stats(farmEnv);
        assertEquals(1L, f.getOrDefault("remote_compile", 0L), "our distributor compiled it on distccd: " + f);
        assertEquals(before + 1, Files.readString(log).split("COMPILE_OK", -1).length,
                "one more job on the real distccd:\n" + Files.readString(log));
        stopDaemon(farmEnv);
    }

    /**
     * Portage's shared cache directory with root as one of its users: {@code CCACHE_DIR} a
     * setgid directory of the {@code portage} group with {@code umask = 002} in its
     * {@code ccache.conf}, nothing else made by hand; root and a {@code portage}-like user (made
     * with {@code useradd}) build through {@code PATH=<cache links>:<distcc links>:/usr/bin}
     * with one {@code DISTCC_DIR}, each with its own daemon. Root's daemon opens the store, the
     * user's uses it through root's socket; each gets hits on the other's entries, and every
     * file root made in the directory carries the group, so the user can write beside it.
     */
    @Test
    void portageCacheDirSharedByRootAndThePortageUserHitsEachOthersEntries() throws Exception {
        Prerequisites.require(ROOT && Files.isExecutable(Path.of("/usr/bin/setpriv"))
                && Files.isExecutable(Path.of("/usr/sbin/useradd")), "root with setpriv and useradd (for a portage user)");
        String user = "cacheportage";
        sh("/usr/sbin/groupadd", "-f", user);
        if (CacheFixture.run(Path.of("/"), List.of("id", user), Map.of("PATH", SYSTEM_PATH)).exitCode() != 0) {
            sh("/usr/sbin/useradd", "-M", "-N", "-g", user, "-s", "/bin/sh", user);
        }
        Path ccacheDir = Files.createDirectories(root.resolve("var/cache/ccache"));
        sh("chgrp", user, ccacheDir.toString());
        sh("chmod", "2775", ccacheDir.toString());
        Files.writeString(ccacheDir.resolve("ccache.conf"), "umask = 002\n");
        Path distccDir = Files.createDirectories(root.resolve("var/tmp/portage/.distcc"));
        sh("chgrp", user, distccDir.toString());
        sh("chmod", "2775", distccDir.toString());
        sh("chmod", "755", root.resolve("var").toString(), root.resolve("var/cache").toString(),
                root.resolve("var/tmp").toString(), root.resolve("var/tmp/portage").toString());
        Path project = project("portage-shared");
        Files.writeString(project.resolve("b.c"), SOURCE.replace("recipe", "portage-b"));
        CacheFixture.backdate(project);
        sh("chmod", "-R", "a+rX", project.toString());

        Map<String, Path> out = new HashMap<>();
        Map<String, Map<String, String>> envs = new HashMap<>();
        for (String who : List.of("root", user)) {
            Path home = Files.createDirectories(root.resolve("portage-home-" + who));
            Files.createDirectories(home.resolve("run"));
            out.put(who, Files.createDirectories(home.resolve("out")));
            sh("chown", "-R", who + ":" + (who.equals("root") ? "root" : user), home.toString());
            sh("chmod", "700", home.resolve("run").toString());
            Map<String, String> env = plainEnv(distccDir, links + ":" + DISTCC_LINKS + ":" + SYSTEM_PATH);
            env.put("HOME", home.toString());
            env.put("XDG_RUNTIME_DIR", home.resolve("run").toString());
            env.put("CCACHE_DIR", ccacheDir.toString());
            env.put("DISTCC_HOSTS", gccNode.hostEntry());
            env.put("CACHE_WARMUP", "0");
            envs.put(who, env);
        }
        // root compiles a (a miss, to the node), the user hits it; the user compiles b, root hits it.
        long before = gccNode.compiles();
        String[][] steps = {{"root", "x"}, {user, "x"}, {user, "b"}, {"root", "b"}};
        for (String[] step : steps) {
            String who = step[0];
            Path object = out.get(who).resolve(step[1] + ".o");
            List<String> cmd = new ArrayList<>();
            if (!who.equals("root")) {
                cmd.addAll(List.of("setpriv", "--reuid=" + who, "--regid=" + user, "--init-groups", "--"));
            }
            cmd.addAll(List.of("/usr/bin/env", "gcc", "-O2", "-c", step[1] + ".c", "-o", object.toString()));
            CacheFixture.Result r = CacheFixture.run(project, cmd, envs.get(who));
            assertEquals(0, r.exitCode(), who + " compiling " + step[1] + ".c: " + r.err());
            assertArrayEquals(localObject(project, List.of("gcc", "-O2", "-c", step[1] + ".c", "-o", "ref-" + step[1] + ".o")),
                    Files.readAllBytes(object), who + "'s " + step[1] + ".o equals gcc's");
        }
        Map<String, Long> s = stats(envs.get("root"));
        assertEquals(2L, s.getOrDefault("cache_miss", 0L), "one miss each, in one set of counters: " + s);
        assertEquals(2L, s.getOrDefault("remote_compile", 0L), "both misses compiled on the node: " + s);
        assertEquals(2L, hits(s), "each user hit the other's entry: " + s);
        assertEquals(before + 2, gccNode.compiles(), "two compiles on the node");
        String rootLog = Files.readString(root.resolve("portage-home-root/run/cache/d.log"));
        assertTrue(rootLog.contains("serving the shared store of " + ccacheDir), rootLog);
        String userLog = Files.readString(root.resolve("portage-home-" + user + "/run/cache/d.log"));
        assertTrue(userLog.contains("using the store of " + ccacheDir + " through"), userLog);
        try (Stream<Path> all = Files.walk(ccacheDir)) {
            for (Path p : all.toList()) {
                CacheFixture.Result g = CacheFixture.run(Path.of("/"), List.of("stat", "-c", "%G", p.toString()),
                        Map.of("PATH", SYSTEM_PATH));
                assertEquals(user, g.out().trim(), p + " carries the shared directory's group");
            }
        }
        CacheFixture.run(project, List.of("setpriv", "--reuid=" + user, "--regid=" + user, "--init-groups", "--",
                client.toString(), "--stop-daemon"), envs.get(user));
        stopDaemon(envs.get("root"));
    }

    /**
     * makepkg's {@code BUILDENV=(distcc ccache)}: {@code PATH=/usr/lib/ccache/bin:$PATH} (our
     * links there), {@code CCACHE_PREFIX=distcc}, {@code CCACHE_BASEDIR=$srcdir},
     * {@code DISTCC_HOSTS} from makepkg.conf. The first build goes to the node; the same package
     * built again in another {@code $srcdir} hits the cache thanks to the base directory.
     */
    @Test
    void makepkgDistccAndCcacheBuildEnvironment() throws Exception {
        Path ccacheBin = root.resolve("usr/lib/ccache/bin");
        CacheFixture.Result r = CacheFixture.run(root, List.of(client.toString(), "--install-links", ccacheBin.toString()),
                Map.of("PATH", SYSTEM_PATH, "HOME", root.toString()));
        assertEquals(0, r.exitCode(), r.err());
        Path cacheDir = Files.createDirectories(root.resolve("makepkg-cache"));
        Path run = Files.createDirectories(root.resolve("makepkg-run"));
        sh("chmod", "700", run.toString());
        Map<String, Long> s = Map.of();
        for (String build : List.of("build1", "build2")) {
            Path srcdir = Files.createDirectories(root.resolve(build + "/src"));
            Path project = Files.createDirectories(srcdir.resolve("pkg-1.0"));
            Files.createDirectories(project.resolve("include"));
            Files.writeString(project.resolve("include/pkg.h"), "#define PKG_SCALE 3\n");
            Files.writeString(project.resolve("x.c"), "#include <pkg.h>\n" + SOURCE.replace("* n", "* n * PKG_SCALE").replace("recipe", "makepkg"));
            CacheFixture.backdate(project);
            Map<String, String> env = cacheEnv(project, ccacheBin + ":" + SYSTEM_PATH);
            env.put("CCACHE_DIR", cacheDir.toString());
            env.put("XDG_RUNTIME_DIR", run.toString()); // one user session, one daemon
            env.put("CCACHE_PREFIX", "distcc");
            env.put("CCACHE_BASEDIR", srcdir.toString());
            env.put("DISTCC_HOSTS", gccNode.hostEntry());
            compileAndCompare(project, env, "gcc", "gcc", "-I" + project.resolve("include"));
            s = stats(env);
        }
        assertEquals(1L, s.getOrDefault("remote_compile", 0L), "the first build's miss went to the node: " + s);
        assertEquals(1L, hits(s), "the second build, in another $srcdir, hits: " + s);
        Map<String, String> env = cacheEnv(root, SYSTEM_PATH);
        env.put("CCACHE_DIR", cacheDir.toString());
        env.put("XDG_RUNTIME_DIR", run.toString());
        stopDaemon(env);
    }

    /** Plain distcc users ({@code PATH=/usr/lib/distcc:$PATH}) who put our links in front: C and C++. */
    @Test
    void plainDistccMasqueradeUsersWithOurLinksInFront() throws Exception {
        Path project = project("plain");
        Files.writeString(project.resolve("y.cc"), "#include <string>\nint size(const std::string &s) { return (int)s.size() * 2; }\n");
        CacheFixture.backdate(project);
        Map<String, String> env = cacheEnv(project, links + ":" + DISTCC_LINKS + ":" + SYSTEM_PATH);
        env.put("DISTCC_HOSTS", gccNode.hostEntry());
        compileAndCompare(project, env, "cc", "cc");
        CacheFixture.Result r = CacheFixture.run(project, List.of("/usr/bin/env", "c++", "-O2", "-c", "y.cc", "-o", "y.o"), env);
        assertEquals(0, r.exitCode(), r.err());
        assertArrayEquals(localObject(project, List.of("c++", "-O2", "-c", "y.cc", "-o", "ref-y.o")),
                Files.readAllBytes(project.resolve("y.o")), "C++ object equals c++'s");
        Map<String, Long> s = stats(env);
        assertEquals(2L, s.getOrDefault("remote_compile", 0L), "both compiled on the node: " + s);
        stopDaemon(env);
    }

    /**
     * Cross-compiling as in the Arch Linux ARM guide: a node on its own port whose whitelist names
     * {@code aarch64-linux-gnu-gcc} serves those jobs; a node without it is not used for them
     * (the job compiles here), and the objects equal a local cross-compile.
     */
    @Test
    void aCrossCompilingNodeServesItsToolchainAndOnlyItsToolchain() throws Exception {
        Prerequisites.require(Files.isExecutable(Path.of("/usr/bin", CROSS)), CROSS + " (apt-get install gcc-aarch64-linux-gnu)");
        Node cross = Node.start(root.resolve("dist/bin/cached"), Files.createDirectories(root.resolve("node-cross")),
                List.of(CROSS));
        try {
            Path crossLinks = root.resolve("links-cross");
            CacheFixture.Result r = CacheFixture.run(root, List.of(client.toString(), "--install-links",
                    crossLinks.toString()), Map.of("PATH", SYSTEM_PATH, "HOME", root.toString()));
            assertEquals(0, r.exitCode(), r.err());
            assertTrue(Files.isSymbolicLink(crossLinks.resolve(CROSS)), "--install-links links the cross compiler");

            Path project = project("cross");
            Map<String, String> env = cacheEnv(project, crossLinks + ":" + SYSTEM_PATH);
            env.put("CCACHE_PREFIX", "distcc");
            env.put("DISTCC_HOSTS", gccNode.hostEntry() + " " + cross.hostEntry());
            long gccBefore = gccNode.compiles();
            compileAndCompare(project, env, CROSS, CROSS);
            Map<String, Long> s = stats(env);
            assertEquals(1L, s.getOrDefault("remote_compile", 0L), "compiled on a node: " + s);
            assertEquals(1L, cross.compiles(), "on the cross node");
            assertEquals(gccBefore, gccNode.compiles(), "not on the node without the cross compiler");
            stopDaemon(env);

            Path alone = project("cross-alone");
            Map<String, String> env2 = cacheEnv(alone, crossLinks + ":" + SYSTEM_PATH);
            env2.put("CCACHE_PREFIX", "distcc");
            env2.put("DISTCC_HOSTS", gccNode.hostEntry());
            compileAndCompare(alone, env2, CROSS, CROSS);
            Map<String, Long> s2 = stats(env2);
            assertEquals(0L, s2.getOrDefault("remote_compile", 0L) + s2.getOrDefault("node_hit", 0L),
                    "a node without the cross compiler is not used: " + s2);
            assertEquals(gccBefore, gccNode.compiles(), "the gcc node compiled nothing");
            stopDaemon(env2);
        } finally {
            stop(cross.process);
        }
    }

    // ------------------------------------------------------------------ helpers

    /** {@code <gcc -dumpmachine>-name}: what Debian's distcc client sends for {@code name}. */
    private static String targetName(String name) throws Exception {
        CacheFixture.Result r = CacheFixture.run(Path.of("/"), List.of("gcc", "-dumpmachine"), Map.of("PATH", SYSTEM_PATH));
        assertEquals(0, r.exitCode(), r.err());
        return r.out().trim() + "-" + name;
    }

    private Path project(String name) throws IOException, InterruptedException {
        Path p = Files.createDirectories(root.resolve(name));
        Files.writeString(p.resolve("x.c"), SOURCE.replace("recipe", name)); // its own text: no node hit from another case
        CacheFixture.backdate(p);
        return p;
    }

    /** {@code name -O2 -c x.c -o x.o} through the environment, and its object equals {@code reference}'s own. */
    private void compileAndCompare(Path project, Map<String, String> env, String name, String reference,
            String... extra) throws Exception {
        // env execs the compiler through the child's PATH, as make does (ProcessBuilder looks up ours).
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/env", name, "-O2"));
        cmd.addAll(List.of(extra));
        Files.deleteIfExists(project.resolve("x.o"));
        cmd.addAll(List.of("-c", "x.c", "-o", "x.o"));
        CacheFixture.Result r = CacheFixture.run(project, cmd, env);
        assertEquals(0, r.exitCode(), cmd + ": " + r.err());
        List<String> ref = new ArrayList<>(List.of(reference, "-O2"));
        ref.addAll(List.of(extra));
        ref.addAll(List.of("-c", "x.c", "-o", "ref.o"));
        assertArrayEquals(localObject(project, ref), Files.readAllBytes(project.resolve("x.o")),
                "the object equals " + reference + "'s own");
    }

    private static byte[] localObject(Path project, String compiler, String opt) throws Exception {
        return localObject(project, List.of(compiler, opt, "-c", "x.c", "-o", "ref.o"));
    }

    private static byte[] localObject(Path project, List<String> cmd) throws Exception {
        CacheFixture.Result r = CacheFixture.run(project, cmd, Map.of("PATH", SYSTEM_PATH, "LC_ALL", "C"));
        assertEquals(0, r.exitCode(), r.err());
        return Files.readAllBytes(project.resolve(cmd.get(cmd.size() - 1)));
    }

    /** An environment of our own: a cache directory and runtime directory, nothing of the caller's. */
    private Map<String, String> cacheEnv(Path project, String path) throws Exception {
        Map<String, String> env = plainEnv(project.resolve(".distcc"), path);
        env.put("CCACHE_DIR", Files.createDirectories(project.resolve("cache-dir")).toString());
        Path run = Files.createDirectories(project.resolve("run"));
        sh("chmod", "700", run.toString());
        env.put("XDG_RUNTIME_DIR", run.toString());
        env.put("CACHE_IDLE_TIMEOUT", "300");
        env.put("CACHE_WARMUP", "0");
        return env;
    }

    private Map<String, String> plainEnv(Path distccDir, String path) throws IOException {
        Files.createDirectories(distccDir);
        Map<String, String> env = new HashMap<>();
        env.put("PATH", path);
        env.put("HOME", root.toString());
        env.put("LC_ALL", "C");
        env.put("DISTCC_DIR", distccDir.toString());
        String javaHome = System.getenv("JAVA_HOME");
        if (javaHome != null) {
            env.put("JAVA_HOME", javaHome);
        }
        return env;
    }

    /** distccd's environment for its compiles: its own cache and runtime directory, owned by its user. */
    private Map<String, String> userEnv(Path node, String path) throws Exception {
        Map<String, String> env = cacheEnv(node, path);
        env.put("HOME", node.toString());
        if (ROOT) {
            sh("chown", "-R", "nobody:", node.toString());
        }
        return env;
    }

    private CacheFixture.Result asUser(Path node, List<String> cmd, Map<String, String> env) throws Exception {
        List<String> full = new ArrayList<>();
        if (ROOT) {
            full.addAll(List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"));
        }
        full.addAll(cmd);
        return CacheFixture.run(node, full, env);
    }

    private Map<String, Long> stats(Map<String, String> env) throws Exception {
        CacheFixture.Result r = CacheFixture.run(root, List.of(client.toString(), "--print-stats"), env);
        assertEquals(0, r.exitCode(), r.err());
        return CacheFixture.parseStats(r.out());
    }

    private static long hits(Map<String, Long> s) {
        return s.getOrDefault("direct_cache_hit", 0L) + s.getOrDefault("preprocessed_cache_hit", 0L);
    }

    private void stopDaemon(Map<String, String> env) throws Exception {
        CacheFixture.run(root, List.of(client.toString(), "--stop-daemon"), env);
    }

    /** A real distccd on 127.0.0.1 and a free port, as {@code nobody} when we are root (as a packaged one drops root). */
    private int startDistccd(Path dir, Path log, Map<String, String> env) throws Exception {
        Files.writeString(log, "");
        sh("chmod", "666", log.toString());
        int port = freePort();
        List<String> cmd = new ArrayList<>(List.of(DISTCCD.toString(), "--daemon", "--no-detach", "--listen", "127.0.0.1",
                "--port", String.valueOf(port), "--allow", "127.0.0.1/32", "--jobs", "2", "--log-file", log.toString(),
                "--log-level", "info"));
        if (ROOT) {
            cmd.addAll(List.of("--user", "nobody"));
        }
        awaitPort(port, start(cmd, env, dir.resolve("distccd.out")), log);
        return port;
    }

    /**
     * Two identical {@code distcc gcc -O2 -c x.c} jobs from a real client to the distccd on
     * {@code port} (no fallback: a job not compiled there fails), whose compiles go through our
     * cache as the node's user: both objects equal gcc's, the first a miss in the node's cache,
     * the second a hit. Returns the node cache's counters.
     */
    private Map<String, Long> twoIdenticalJobs(Path project, int port, Path node, Map<String, String> nodeEnv, Path log)
            throws Exception {
        Map<String, String> env = plainEnv(project.resolve(".distcc"), SYSTEM_PATH);
        env.put("DISTCC_HOSTS", "127.0.0.1:" + port + "/2");
        env.put("DISTCC_FALLBACK", "0");
        for (String out : List.of("first.o", "second.o")) {
            CacheFixture.Result r = CacheFixture.run(project, List.of("/usr/bin/env", "distcc", "gcc", "-O2", "-c", "x.c",
                    "-o", out), env);
            assertEquals(0, r.exitCode(), "distcc → distccd: " + r.err() + "\n" + Files.readString(log));
        }
        byte[] local = localObject(project, "gcc", "-O2");
        assertArrayEquals(local, Files.readAllBytes(project.resolve("first.o")), "the node's compile equals gcc's");
        assertArrayEquals(local, Files.readAllBytes(project.resolve("second.o")), "the node's hit equals gcc's");
        Map<String, Long> stats = CacheFixture.parseStats(asUser(node, List.of(client.toString(), "--print-stats"),
                nodeEnv).out());
        String story = "node cache " + stats + "\n" + Files.readString(log);
        assertEquals(1L, stats.getOrDefault("cache_miss", 0L), "the first job went through our link, a miss: " + story);
        assertEquals(1L, hits(stats), "the repeated job is a hit in the node's cache: " + story);
        return stats;
    }

    private Process start(List<String> cmd, Map<String, String> env, Path output) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        started.add(p);
        return p;
    }

    private static void stop(Process p) throws InterruptedException {
        List<ProcessHandle> children = p.descendants().toList();
        p.destroy();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
        }
        children.forEach(ProcessHandle::destroy);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void awaitPort(int port, Process p, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new AssertionError("server on " + port + " exited: " + read(log));
            }
            try {
                new Socket("127.0.0.1", port).close();
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("server did not listen on " + port + ": " + read(log));
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static void sh(String... cmd) throws Exception {
        CacheFixture.Result r = CacheFixture.run(Path.of("/"), List.of(cmd), Map.of("PATH", SYSTEM_PATH));
        assertEquals(0, r.exitCode(), List.of(cmd) + ": " + r.err());
    }

    /** A real {@code cached} on 127.0.0.1, an ephemeral port, a whitelist of distcc's masquerade shape. */
    private record Node(Process process, int port, Path log) {
        static Node start(Path cached, Path dir, List<String> compilers) throws Exception {
            Path whitelist = Files.createDirectories(dir.resolve("whitelist"));
            for (String c : compilers) {
                Files.createSymbolicLink(whitelist.resolve(c), Path.of("../../bin/distcc"));
            }
            int port = freePort();
            Path log = dir.resolve("cached.log");
            Process p = new ProcessBuilder(cached.toString(), "--listen", "127.0.0.1", "--port", String.valueOf(port),
                    "--whitelist", whitelist.toString(), "--cache-dir", dir.resolve("store").toString(),
                    "--tmp-dir", Files.createDirectories(dir.resolve("jobs")).toString(), "--jobs", "2",
                    "--log-level", "info").redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                awaitPort(port, p, log);
            } catch (Throwable t) {
                stop(p);
                throw t;
            }
            return new Node(p, port, log);
        }

        String hostEntry() {
            return "127.0.0.1:" + port + "/2";
        }

        long compiles() throws Exception {
            NodeClient.Options options = new NodeClient.Options().requestTimeout(Duration.ofSeconds(30))
                    .connectTimeout(Duration.ofSeconds(10));
            try (NodeClient c = NodeClient.connect("127.0.0.1", port, options)) {
                return c.stats().get(30, TimeUnit.SECONDS).getOrDefault("compiles_ok", 0L);
            }
        }
    }
}
