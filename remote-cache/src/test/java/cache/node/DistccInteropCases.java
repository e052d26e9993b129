package cache.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * The acceptance cases of issue 20's interop line (C, C++, warnings, an error, {@code -MD},
 * {@code -MMD -MF -MT}, {@code -g}), one table for both sides: {@link DistccClientInteropIT}
 * (Debian's {@code distcc} client on our {@code cached}) and cache-frontend's {@code
 * DistccdInteropIT} (our distributor on Debian's {@code distccd}), which reads it from this
 * module's test jar. Each case says what each side expects of it.
 */
public final class DistccInteropCases {

    private DistccInteropCases() {}

    /** Where our distributor's job must end up, on a real {@code distccd}. */
    public enum Route {
        /** compiled by distccd, its answer used */
        NODE,
        /** run by distccd, then again here for gcc's own answer (counter {@code kept_local_<reason>}) */
        NODE_THEN_HERE,
        /** never sent to distccd (counter {@code kept_local_<reason>}) */
        HERE
    }

    /**
     * One command of the acceptance.
     *
     * @param outputs the files the command writes, compared
     * @param likeGcc whether distcc's own answer is plain gcc's, so {@code cached}'s must be too
     * @param storedOnNode whether a successful job is stored on the node (a failed one is not)
     * @param route where our distributor's job must end up
     * @param keptLocal the {@code kept_local_*} counter of a job the node does not answer, else null
     */
    public record Case(String name, List<String> command, List<String> outputs, boolean likeGcc,
            boolean storedOnNode, Route route, String keptLocal) {
        @Override
        public String toString() {
            return name;
        }
    }

    public static final List<Case> CASES = List.of(
            new Case("c", List.of("gcc", "-O2", "-c", "m.c", "-o", "m.o"), List.of("m.o"), true, true,
                    Route.NODE, null),
            new Case("c++", List.of("g++", "-O2", "-c", "p.cc", "-o", "p.o"), List.of("p.o"), true, true,
                    Route.NODE, null),
            // a compile of preprocessed text shows no source lines under its warnings
            new Case("warnings", List.of("gcc", "-Wall", "-O2", "-c", "w.c", "-o", "w.o"), List.of("w.o"), false,
                    true, Route.NODE_THEN_HERE, "kept_local_diagnostics_on_node"),
            new Case("error", List.of("gcc", "-O2", "-c", "e.c", "-o", "e.o"), List.of("e.o"), true, false,
                    Route.NODE_THEN_HERE, "kept_local_failed_on_node"),
            new Case("-MD", List.of("gcc", "-O2", "-MD", "-c", "m.c", "-o", "m.o"), List.of("m.o", "m.d"), true,
                    true, Route.NODE, null),
            // distcc 3.4 names this .d after the source (m.d), where gcc writes obj/m.d: distcc's own rule.
            new Case("-MD -o elsewhere", List.of("gcc", "-O2", "-MD", "-c", "m.c", "-o", "obj/m.o"),
                    List.of("obj/m.o", "obj/m.d", "m.d"), false, true, Route.NODE, null),
            new Case("c++ -MMD -MF -MT", List.of("g++", "-O2", "-MMD", "-MF", "deps/p.dep", "-MT", "p-target",
                    "-c", "p.cc", "-o", "p.o"), List.of("p.o", "deps/p.dep"), true, true, Route.NODE, null),
            // a -g object compiled from cpp's output has other DWARF columns
            new Case("-g", List.of("gcc", "-O2", "-g", "-c", "m.c", "-o", "m.o"), List.of("m.o"), false, true,
                    Route.HERE, "kept_local_no_source_node"),
            new Case("c++ -g", List.of("g++", "-O2", "-g", "-c", "p.cc", "-o", "p.o"), List.of("p.o"), false, true,
                    Route.HERE, "kept_local_no_source_node"));

    /** Every case under distcc's protocol 1 ({@code plain}) and 2 ({@code lzo}): (protocol, case). */
    public static Stream<Arguments> byProtocol() {
        List<Arguments> all = new ArrayList<>();
        for (String protocol : List.of("plain", "lzo")) {
            for (Case c : CASES) {
                all.add(Arguments.of(protocol, c));
            }
        }
        return all.stream();
    }

    private static final String C_SOURCE = """
            #include <string.h>
            #define TWICE(x) ((x) * 2)
            long measure_%s(const char *s) { return TWICE((long) strlen(s)) + 7; }
            """;
    private static final String CXX_SOURCE = """
            #include <string>
            #include <vector>
            template <typename T> T total(const std::vector<T> &v) { T s{}; for (const T &x : v) s += x; return s; }
            int size_%s() { std::vector<int> v{1, 2, 3}; return total(v) + (int) std::string("ab").size(); }
            """;
    private static final String WARNING_SOURCE = """
            #include <stdio.h>
            #define SQ(x) ((x) * (x))
            static int unused_%s(int a) { return a; }
            int shout(void) { int u; return printf("%%d\\n", SQ(3)); }
            """;
    private static final String ERROR_SOURCE = "int broken_%s(void) { return 1 }\n";

    /**
     * The cases' sources ({@code m.c}, {@code p.cc}, {@code w.c}, {@code e.c}) and their {@code
     * deps/} and {@code obj/} directories in {@code project}, salted so that no case can hit
     * another's entry.
     */
    public static Path writeSources(Path project, String salt) throws IOException {
        Files.createDirectories(project.resolve("deps"));
        Files.createDirectories(project.resolve("obj"));
        Files.writeString(project.resolve("m.c"), C_SOURCE.formatted(salt));
        Files.writeString(project.resolve("p.cc"), CXX_SOURCE.formatted(salt));
        Files.writeString(project.resolve("w.c"), WARNING_SOURCE.formatted(salt));
        Files.writeString(project.resolve("e.c"), ERROR_SOURCE.formatted(salt));
        return project;
    }

    /**
     * The outputs of case {@code c} that a command left in {@code project}, in the case's order,
     * each removed so that the next command writes it afresh (a file not written is not in the map).
     */
    public static Map<String, byte[]> takeOutputs(Path project, Case c) throws IOException {
        Map<String, byte[]> outputs = new LinkedHashMap<>();
        for (String out : c.outputs()) {
            Path f = project.resolve(out);
            if (Files.exists(f)) {
                outputs.put(out, Files.readAllBytes(f));
                Files.delete(f);
            }
        }
        return outputs;
    }
}
