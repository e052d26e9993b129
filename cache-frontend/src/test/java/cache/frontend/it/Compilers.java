package cache.frontend.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The real compilers on this machine that the integration tests run against. */
final class Compilers {

    private Compilers() {}

    /**
     * gcc always; clang when installed. On CI (.ci/run installs clang and sets {@code CI}) a
     * missing clang fails the caller instead of dropping its clang cases.
     */
    static List<String> cCompilers() {
        List<String> out = new ArrayList<>(List.of("gcc"));
        if (Prerequisites.available(onPath("clang") && onPath("clang++"), "clang/clang++ on PATH")) {
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
