package cache.frontend.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import cache.compat.config.Config;
import cache.compat.config.ConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Portage's PATH shape, laid out in a temporary directory: our links, distcc's links, the compilers. */
@Timeout(10)
class DistccMasqueradeTest {

    @TempDir
    Path tmp;

    private Path cacheBin;
    private Path links;
    private Path distccLinks;
    private Path usrBin;

    @BeforeEach
    void layOut() throws IOException {
        cacheBin = executable(Files.createDirectories(tmp.resolve("opt/bin")).resolve("cache"));
        Path distcc = executable(Files.createDirectories(tmp.resolve("usr/bin")).resolve("distcc"));
        usrBin = distcc.getParent();
        executable(usrBin.resolve("gcc"));
        links = Files.createDirectories(tmp.resolve("links"));
        Files.createSymbolicLink(links.resolve("gcc"), cacheBin);
        distccLinks = Files.createDirectories(tmp.resolve("usr/lib/distcc"));
        Files.createSymbolicLink(distccLinks.resolve("gcc"), Path.of("../../bin/distcc"));
    }

    private static Path executable(Path p) throws IOException {
        Files.writeString(p, "#!/bin/sh\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    private DistccMasquerade.Behind resolve(Path compiler, String path) {
        return DistccMasquerade.resolve(compiler, path, tmp, p -> CallSettings.isCacheItself(p, cacheBin));
    }

    @Test
    void theCompilerBehindDistccsLinkIsTheNextOfItsNameAfterTheLinksDirectory() {
        String path = links + ":" + distccLinks + ":" + usrBin;
        DistccMasquerade.Behind b = resolve(distccLinks.resolve("gcc"), path);
        assertEquals(usrBin.resolve("gcc"), b.realCompiler());
        assertEquals(usrBin.resolve("distcc"), b.distcc());
    }

    @Test
    void aSecondDistccLinkOrOurOwnLinkFurtherOnIsNeverTheCompiler() throws IOException {
        Path again = Files.createDirectories(tmp.resolve("other-distcc"));
        Files.createSymbolicLink(again.resolve("gcc"), usrBin.resolve("distcc"));
        Path ourAgain = Files.createDirectories(tmp.resolve("links2"));
        Files.createSymbolicLink(ourAgain.resolve("gcc"), cacheBin);
        String path = links + ":" + distccLinks + ":" + again + ":" + ourAgain + ":" + usrBin;
        assertEquals(usrBin.resolve("gcc"), resolve(distccLinks.resolve("gcc"), path).realCompiler());
    }

    @Test
    void aLinkWhoseDirectoryIsNotOnPathSearchesAllOfIt() {
        assertEquals(usrBin.resolve("gcc"), resolve(distccLinks.resolve("gcc"), links + ":" + usrBin).realCompiler());
    }

    @Test
    void aRealCompilerOrNothingBehindTheLinkLeavesTheCallAsItIs() {
        assertNull(resolve(usrBin.resolve("gcc"), distccLinks + ":" + usrBin), "not a link to distcc");
        assertNull(resolve(distccLinks.resolve("gcc"), links + ":" + distccLinks), "no gcc after distcc's dir");
        assertNull(resolve(usrBin.resolve("distcc"), distccLinks + ":" + usrBin), "distcc itself");
    }

    @Test
    void distccJoinsThePrefixOnce() {
        Path distcc = usrBin.resolve("distcc");
        assertEquals(distcc.toString(), DistccMasquerade.prefixWith("", distcc));
        assertEquals("nice " + distcc, DistccMasquerade.prefixWith(" nice ", distcc));
        assertEquals("distcc", DistccMasquerade.prefixWith("distcc", distcc));
        assertEquals("/opt/x/distcc -v", DistccMasquerade.prefixWith("/opt/x/distcc -v", distcc));
    }

    @Test
    void theCallCompilesWithTheRealCompilerAndDistccAsPrefixButTheClientKeepsTheLink() throws Exception {
        String path = links + ":" + distccLinks + ":" + usrBin;
        Map<String, String> env = Map.of("PATH", path, "CCACHE_DIR", tmp.resolve("cache").toString(),
                "HOME", tmp.toString());
        Config config = new ConfigLoader().load(env, tmp.resolve("no-system.conf"), tmp);
        CompileRequest req = new CompileRequest("gcc", distccLinks.resolve("gcc"), List.of("-c", "x.c"), tmp, env,
                022, false, config);
        CompileRequest c = CallPreparation.configured(req, cacheBin, new CompilerFiles(null), System.nanoTime());
        assertEquals(usrBin.resolve("gcc"), c.compiler());
        assertEquals(usrBin.resolve("distcc").toString(), c.config().prefixCommand());
        assertEquals(distccLinks.resolve("gcc"), CallPreparation.clientCompiler(req, c),
                "an uncacheable call still runs distcc's link, as without cache");

        CompileRequest plain = new CompileRequest("gcc", usrBin.resolve("gcc"), List.of("-c", "x.c"), tmp, env,
                022, false, config);
        CompileRequest same = CallPreparation.configured(plain, cacheBin, new CompilerFiles(null), System.nanoTime());
        assertEquals("", same.config().prefixCommand(), "a real compiler changes nothing");
        assertEquals(usrBin.resolve("gcc"), same.compiler());
    }
}
