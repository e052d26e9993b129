package cache.distributor;

import java.util.List;

/**
 * The arguments for which distccd 3.4 drops a job without a word ({@code dcc_scan_args} in
 * {@code arg.c}, and {@code -fplugin=}/{@code -specs=} in {@code serve.c}). A client that sent
 * one would see "no answer" and blame the host; such a job is kept off distccd hosts instead (a
 * {@code cached} node may still take it).
 *
 * <p>Only what can reach a node is listed: the input, {@code -o}, {@code -x} and the
 * preprocessor's options never do (the farm sends preprocessed text under a name of its own).
 */
final class DistccArguments {

    private DistccArguments() {
    }

    /** Why distccd would drop a job with {@code args}, or null. */
    static String refusal(List<String> args) {
        for (String a : args) {
            String why = refusal(a);
            if (why != null) {
                return "distccd keeps " + a + " local (" + why + ")";
            }
        }
        return null;
    }

    private static String refusal(String a) {
        if (!a.startsWith("-")) {
            return "a second input or output";
        }
        if (a.equals("-E")) {
            return "preprocessing";
        }
        if (a.startsWith("-M") && !a.equals("-MD") && !a.equals("-MMD") && !a.equals("-MG") && !a.equals("-MP")
                && !a.startsWith("-MF") && !a.startsWith("-MT") && !a.startsWith("-MQ")) {
            return "dependency output only";
        }
        if (a.equals("-march=native") || a.equals("-mtune=native")) {
            return "the client's own CPU";
        }
        if (a.startsWith("-Wa,") && (a.contains(",-a") || a.contains("--MD"))) {
            return "assembler listing or dependencies";
        }
        if (a.equals("-fprofile-arcs") || a.equals("-ftest-coverage") || a.equals("--coverage")
                || a.startsWith("-fprofile-generate") || a.startsWith("-fprofile-use")
                || a.startsWith("-fauto-profile") || a.equals("-fprofile-correction")) {
            return "profile or coverage files";
        }
        if (a.equals("-frepo") || a.startsWith("-dr") || a.startsWith("-x")) {
            return "not distributable by distcc";
        }
        if (a.startsWith("-fplugin=") || a.startsWith("-specs=")) {
            return "a file on the client";
        }
        if (a.startsWith("-o")) {
            return "an output of the client's";
        }
        return null;
    }
}
