package cache.frontend.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The real compilers on this machine that the integration tests run against. */
final class Compilers {

    private Compilers() {}

    /** gcc always; clang when installed, and always on CI (.ci/run installs it). */
    static List<String> cCompilers() {
        List<String> out = new ArrayList<>(List.of("gcc"));
        if (onPath("clang") || System.getenv("CI") != null) {
            out.add("clang");
        }
        return out;
    }

    static boolean onPath(String name) {
        for (String dir : System.getenv("PATH").split(":")) {
            if (Files.isExecutable(Path.of(dir, name))) {
                return true;
            }
        }
        return false;
    }

    static String cxxFor(String cc) {
        return cc.equals("gcc") ? "g++" : "clang++";
    }
}
