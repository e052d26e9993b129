package cache.node;

import cache.node.protocol.NodeProtocol.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A real distcc client's command line as the node runs it: the compiler's name, the language of
 * the preprocessed input ({@code DOTI}) and the arguments without input and output, which the
 * node chooses itself. Read as distccd's {@code dcc_scan_args} reads it: the input is the one
 * argument with a source extension, the output {@code -o X}, {@code -oX} or a bare {@code *.o};
 * the job must compile ({@code -c} or {@code -S}). What distccd would run locally is refused.
 *
 * @param compiler the bare compiler name (distccd's tolerated {@code /usr/bin/} or {@code /bin/} removed)
 * @param language the {@code -x} language of the preprocessed input
 * @param args the remaining arguments, in order
 */
record DistccJob(String compiler, String language, List<String> args) {

    /**
     * The preprocessed language of an input, by its extension (distcc's {@code dcc_is_source}),
     * for a C compiler driver; a C++ driver takes {@code .c} and {@code .i} as C++.
     */
    private static final Map<String, String> LANGUAGES = Map.ofEntries(
            Map.entry("c", "cpp-output"), Map.entry("i", "cpp-output"),
            Map.entry("cc", "c++-cpp-output"), Map.entry("cpp", "c++-cpp-output"),
            Map.entry("cxx", "c++-cpp-output"), Map.entry("cp", "c++-cpp-output"),
            Map.entry("c++", "c++-cpp-output"), Map.entry("C", "c++-cpp-output"),
            Map.entry("ii", "c++-cpp-output"),
            Map.entry("m", "objective-c-cpp-output"), Map.entry("mi", "objective-c-cpp-output"),
            Map.entry("mm", "objective-c++-cpp-output"), Map.entry("M", "objective-c++-cpp-output"),
            Map.entry("mii", "objective-c++-cpp-output"));

    private static final Pattern CXX_DRIVER = Pattern.compile("(.*-)?(g\\+\\+|c\\+\\+|clang\\+\\+)(-[0-9.]+)?");

    static DistccJob of(List<String> argv) throws Refusal {
        String compiler = argv.get(0);
        for (String prefix : List.of("/usr/bin/", "/bin/")) {
            if (compiler.startsWith(prefix)) {
                compiler = compiler.substring(prefix.length());
            }
        }
        String language = null;
        boolean output = false;
        boolean compiles = false;
        List<String> args = new ArrayList<>();
        for (int i = 1; i < argv.size(); i++) {
            String a = argv.get(i);
            if (a.equals("-o")) {
                if (output || i + 1 >= argv.size()) {
                    throw refused("a second or missing -o");
                }
                output = true;
                i++;
                continue;
            }
            if (a.startsWith("-o")) {
                if (output) {
                    throw refused("a second -o");
                }
                output = true;
                continue;
            }
            if (a.equals("-E") || a.equals("-x") || a.startsWith("-x")) {
                throw refused(CompilerResolver.printable(a) + " is not compiled remotely by distcc");
            }
            if (a.equals("-c") || a.equals("-S")) {
                compiles = true;
            }
            if (!a.startsWith("-")) {
                int dot = a.lastIndexOf('.');
                String ext = dot < 0 ? "" : a.substring(dot + 1);
                String lang = LANGUAGES.get(ext);
                if (lang != null) {
                    if (language != null) {
                        throw refused("two inputs");
                    }
                    language = lang;
                    continue;
                }
                if (ext.equals("o") && !output) {
                    output = true;
                    continue;
                }
            }
            args.add(a);
        }
        if (language == null) {
            throw refused("no source input");
        }
        if (language.equals("cpp-output") && isCxxDriver(compiler)) {
            // g++'s driver takes .c and .i inputs as C++ (g++spec.c), clang++'s too
            // (lookupCXXTypeForCType): the client preprocessed them as C++, distccd runs them so.
            language = "c++-cpp-output";
        }
        if (!compiles) {
            throw refused("neither -c nor -S");
        }
        return new DistccJob(compiler, language, args);
    }

    /**
     * A C++ compiler driver by its name: {@code g++}, {@code c++}, {@code clang++}, with a target
     * prefix or a version suffix ({@code aarch64-linux-gnu-g++-12}); the client's rule too
     * ({@code FarmBuilder}), so both ends agree on a job's language.
     */
    static boolean isCxxDriver(String compiler) {
        return CXX_DRIVER.matcher(compiler.substring(compiler.lastIndexOf('/') + 1)).matches();
    }

    private static Refusal refused(String why) {
        return new Refusal(ErrorCode.FORBIDDEN_ARGUMENT, "distcc job: " + why);
    }
}
