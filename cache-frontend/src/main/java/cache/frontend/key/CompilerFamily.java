package cache.frontend.key;

import cache.compat.Counter;
import cache.compat.config.CompilerType;
import cache.compat.args.Language;
import cache.frontend.args.Uncacheable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Which family a compiler belongs to ({@code compiler_type}): the configured type, or with
 * {@code auto} the guess ccache 4.7 makes, and what the type changes for a call.
 *
 * <p>The guess follows symbolic links from the resolved compiler to the file they end at (so
 * {@code cc → /etc/alternatives/cc → gcc} is gcc, and a link named {@code cl} to clang is
 * clang), takes that file's base name, lower-cased and without its extension, and looks for
 * {@code clang-cl}, {@code clang}, {@code gcc} or {@code g++}, {@code nvcc}, then the exact names
 * {@code icl} and {@code cl}; anything else is {@code other}.
 *
 * <p>The type decides: the option that asks for coloured diagnostics ({@link #colourOption}),
 * which colour options the compile of preprocessed text keeps, and whether the call can be
 * served at all ({@link #refusal}). MSVC-style compilers ({@code msvc}, {@code clang-cl},
 * {@code icl}) take {@code /}-options, {@code /Fo} and {@code /showIncludes} and nvcc has
 * {@code -optf}, {@code -dc}, {@code -odir} and an {@code -Werror} with an argument, none of which
 * the argument analysis knows; such calls run uncached rather than risk a wrong key.
 */
public final class CompilerFamily {

    /** Symbolic links followed at most, as a guard against loops (the kernel's own limit). */
    private static final int MAX_LINKS = 40;

    private CompilerFamily() {}

    /** The type of {@code compiler} (resolved, absolute): {@code configured} unless it is {@code auto}. */
    public static CompilerType of(CompilerType configured, Path compiler) {
        return configured == CompilerType.AUTO ? guess(compiler) : configured;
    }

    /** ccache 4.7's {@code guess_compiler} on the compiler's path. */
    public static CompilerType guess(Path compiler) {
        try {
            return guess(compiler, link -> {});
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e); // the visitor above throws nothing
        }
    }

    /** Told of each path {@link #guess(Path, LinkVisitor)} reaches through a link. */
    @FunctionalInterface
    public interface LinkVisitor {
        void reached(Path path) throws IOException;
    }

    /** {@link #guess(Path)}, telling {@code visitor} of every path a link leads it to, in order. */
    public static CompilerType guess(Path compiler, LinkVisitor visitor) throws IOException {
        Path p = compiler;
        for (int i = 0; i < MAX_LINKS && Files.isSymbolicLink(p); i++) {
            try {
                Path target = Files.readSymbolicLink(p);
                p = target.isAbsolute() ? target : p.resolveSibling(target);
            } catch (IOException | UnsupportedOperationException e) {
                break;
            }
            visitor.reached(p);
        }
        Path file = p.getFileName();
        return guessFromName(file == null ? "" : file.toString());
    }

    /** The guess for a file name (the last component of the compiler's final path). */
    static CompilerType guessFromName(String fileName) {
        int dot = fileName.lastIndexOf('.');
        String name = (dot >= 0 ? fileName.substring(0, dot) : fileName).toLowerCase(Locale.ROOT);
        if (name.contains("clang-cl")) {
            return CompilerType.CLANG_CL;
        } else if (name.contains("clang")) {
            return CompilerType.CLANG;
        } else if (name.contains("gcc") || name.contains("g++")) {
            return CompilerType.GCC;
        } else if (name.contains("nvcc")) {
            return CompilerType.NVCC;
        } else if (name.equals("icl")) {
            return CompilerType.ICL;
        } else if (name.equals("cl")) {
            return CompilerType.MSVC;
        }
        return CompilerType.OTHER;
    }

    /**
     * The option that makes the compiler colour its diagnostics although stderr is a pipe, or
     * null when the type has none: ccache passes {@code -fdiagnostics-color} to gcc,
     * {@code -fcolor-diagnostics} to clang (not for assembler sources, where clang warns that it
     * is unused) and nothing to any other type.
     */
    public static String colourOption(CompilerType type, Language language) {
        if (type == CompilerType.GCC) {
            return "-fdiagnostics-color";
        }
        if (type == CompilerType.CLANG && language != Language.ASSEMBLER) {
            return "-fcolor-diagnostics";
        }
        return null;
    }

    /**
     * Why a call to a compiler of this type is run uncached, or null when it can be served.
     * {@code args} are the call's arguments (response files need not be expanded: the
     * dependency options this looks at never come from one in practice, and a miss here only
     * means ccache's stricter answer is not given).
     */
    public static Uncacheable refusal(CompilerType type, List<String> args) {
        switch (type) {
            case MSVC, CLANG_CL, ICL -> {
                return new Uncacheable(Counter.UNSUPPORTED_COMPILER_OPTION,
                        "compiler_type " + type.word() + ": MSVC-style command lines are not supported");
            }
            case NVCC -> {
                return new Uncacheable(Counter.UNSUPPORTED_COMPILER_OPTION,
                        "compiler_type nvcc: nvcc command lines are not supported");
            }
            case GCC, CLANG -> {
                return null;
            }
            default -> {
                // ccache: only gcc and clang are known to name the dependency target when
                // -Wp,-MD or -Wp,-MMD comes without -MD, -MMD, -MT or -MQ (its message says
                // "with -o", but an object named after the source counts as well).
                return wpDependencyTargetUnknown(args) ? new Uncacheable(Counter.UNSUPPORTED_COMPILER_OPTION,
                        "-Wp,-M[M]D with -o without -MMD, -MQ or -MT is only supported for GCC or Clang") : null;
            }
        }
    }

    private static boolean wpDependencyTargetUnknown(List<String> args) {
        boolean wp = false;
        boolean named = false;
        for (String a : args) {
            if ((a.startsWith("-Wp,-MD,") && a.indexOf(',', 8) < 0) || (a.startsWith("-Wp,-MMD,") && a.indexOf(',', 9) < 0)) {
                wp = true;
            } else if (a.equals("-MD") || a.equals("-MMD") || a.startsWith("-MT") || a.startsWith("-MQ")) {
                named = true;
            }
        }
        return wp && !named;
    }
}
