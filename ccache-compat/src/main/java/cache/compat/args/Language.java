package cache.compat.args;

import java.util.Locale;
import java.util.Map;

/**
 * Source languages as gcc names them for {@code -x}, with what the cache does with each.
 */
public enum Language {
    C("c", true, false),
    CXX("c++", true, false),
    OBJC("objective-c", true, false),
    OBJCXX("objective-c++", true, false),
    C_PREPROCESSED("cpp-output", false, false),
    CXX_PREPROCESSED("c++-cpp-output", false, false),
    OBJC_PREPROCESSED("objective-c-cpp-output", false, false),
    OBJCXX_PREPROCESSED("objective-c++-cpp-output", false, false),
    ASSEMBLER("assembler", false, false),
    ASSEMBLER_WITH_CPP("assembler-with-cpp", true, false),
    C_HEADER("c-header", true, true),
    CXX_HEADER("c++-header", true, true),
    OBJC_HEADER("objective-c-header", true, true),
    OBJCXX_HEADER("objective-c++-header", true, true);

    private static final Map<String, Language> BY_EXTENSION = Map.ofEntries(
            Map.entry("c", C), Map.entry("i", C_PREPROCESSED),
            Map.entry("cc", CXX), Map.entry("cp", CXX), Map.entry("cxx", CXX), Map.entry("cpp", CXX),
            Map.entry("CPP", CXX), Map.entry("c++", CXX), Map.entry("C", CXX), Map.entry("ii", CXX_PREPROCESSED),
            Map.entry("m", OBJC), Map.entry("mi", OBJC_PREPROCESSED),
            Map.entry("mm", OBJCXX), Map.entry("M", OBJCXX), Map.entry("mii", OBJCXX_PREPROCESSED),
            Map.entry("s", ASSEMBLER), Map.entry("S", ASSEMBLER_WITH_CPP), Map.entry("sx", ASSEMBLER_WITH_CPP),
            Map.entry("h", C_HEADER), Map.entry("H", CXX_HEADER), Map.entry("hh", CXX_HEADER),
            Map.entry("hp", CXX_HEADER), Map.entry("hxx", CXX_HEADER), Map.entry("hpp", CXX_HEADER),
            Map.entry("HPP", CXX_HEADER), Map.entry("h++", CXX_HEADER), Map.entry("tcc", CXX_HEADER));

    private final String gccName;
    private final boolean preprocessed;
    private final boolean header;

    Language(String gccName, boolean needsPreprocessing, boolean header) {
        this.gccName = gccName;
        this.preprocessed = !needsPreprocessing;
        this.header = header;
    }

    /** The name {@code -x} takes. */
    public String gccName() {
        return gccName;
    }

    /** True when the input is already preprocessed: its own bytes are hashed, no cpp run. */
    public boolean isPreprocessed() {
        return preprocessed;
    }

    /**
     * The language of this language's preprocessor output (ccache's {@code p_language}): what
     * the compile of preprocessed text is told with {@code -x}. Already preprocessed languages
     * are their own.
     */
    public Language preprocessedForm() {
        return switch (this) {
            case C, C_HEADER, C_PREPROCESSED -> C_PREPROCESSED;
            case CXX, CXX_HEADER, CXX_PREPROCESSED -> CXX_PREPROCESSED;
            case OBJC, OBJC_HEADER, OBJC_PREPROCESSED -> OBJC_PREPROCESSED;
            case OBJCXX, OBJCXX_HEADER, OBJCXX_PREPROCESSED -> OBJCXX_PREPROCESSED;
            case ASSEMBLER, ASSEMBLER_WITH_CPP -> ASSEMBLER;
        };
    }

    /**
     * The extension, without the dot, under which gcc and clang take this language's
     * preprocessed form: {@code i}, {@code ii}, {@code mi}, {@code mii} or {@code s}, ccache's
     * default {@code cpp_extension}.
     */
    public String preprocessedExtension() {
        return switch (preprocessedForm()) {
            case C_PREPROCESSED -> "i";
            case CXX_PREPROCESSED -> "ii";
            case OBJC_PREPROCESSED -> "mi";
            case OBJCXX_PREPROCESSED -> "mii";
            default -> "s";
        };
    }

    /** Compiling a header makes a precompiled header, which this cache does not store. */
    public boolean isHeader() {
        return header;
    }

    /** The language gcc infers from a file name, or {@code null} when it is not a source. */
    public static Language forFile(String path) {
        int slash = path.lastIndexOf('/');
        int dot = path.lastIndexOf('.');
        if (dot <= slash + 0 || dot == path.length() - 1) {
            return null;
        }
        return BY_EXTENSION.get(path.substring(dot + 1));
    }

    /**
     * The language a remote node compiles for {@code -x NAME} (gcc's own aliases {@code
     * objc-cpp-output} and {@code objc++-cpp-output} included), or {@code null}: sources and
     * their preprocessed forms, never headers or assembler.
     */
    public static Language forNode(String name) {
        Language l = switch (name) {
            case "objc-cpp-output" -> OBJC_PREPROCESSED;
            case "objc++-cpp-output" -> OBJCXX_PREPROCESSED;
            default -> forGccName(name);
        };
        return l == null || l.header || l == ASSEMBLER || l == ASSEMBLER_WITH_CPP || !name.equals(name.toLowerCase(Locale.ROOT))
                ? null : l;
    }

    /** The file suffix, with the dot, under which gcc and clang take this language without {@code -x}. */
    public String suffix() {
        return switch (this) {
            case C -> ".c";
            case CXX -> ".cc";
            case OBJC -> ".m";
            case OBJCXX -> ".mm";
            case ASSEMBLER_WITH_CPP -> ".S";
            case C_HEADER -> ".h";
            case CXX_HEADER, OBJC_HEADER, OBJCXX_HEADER -> ".hh";
            default -> "." + preprocessedExtension();
        };
    }

    /** The language for {@code -x NAME}, or {@code null} for names we do not cache. */
    public static Language forGccName(String name) {
        for (Language l : values()) {
            if (l.gccName.equals(name.toLowerCase(Locale.ROOT))) {
                return l;
            }
        }
        return null;
    }
}
