package cache.frontend.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The object a debug log is named after, found as ccache finds it, for calls it refuses too. */
class DebugFilesTest {

    @TempDir
    Path cwd;

    @Test
    void theObjectIsTheOutputOptionElseTheSourcesNameInTheCwd() throws Exception {
        Files.createDirectories(cwd.resolve("src"));
        Files.writeString(cwd.resolve("src/x.c"), "int x;\n");
        assertEquals("out/y.o", DebugFiles.objectOf(List.of("-c", "src/x.c", "-o", "out/y.o"), cwd));
        assertEquals("y.o", DebugFiles.objectOf(List.of("-c", "-oy.o", "src/x.c"), cwd));
        assertEquals("x.o", DebugFiles.objectOf(List.of("-c", "src/x.c", "-save-temps"), cwd));
        assertEquals("x.s", DebugFiles.objectOf(List.of("-S", "src/x.c"), cwd));
        assertNull(DebugFiles.objectOf(List.of("-c", "missing.c"), cwd), "no source, no object to name a log after");
        assertNull(DebugFiles.objectOf(List.of("--version"), cwd));
    }
}
