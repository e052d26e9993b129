package cache.compat.args;

/**
 * What a remote node does with an option: the node column of {@link OptionTable}. A node
 * compiles one preprocessed input it writes itself, in a private directory, into an output it
 * names itself; it refuses what would make the compiler do anything else.
 */
public enum NodeVerdict {
    /** Runs or loads code the client chooses (plugins, specs, tool directories, raw cc1/LLVM options). */
    LOADS_CODE("loads code into the compiler"),
    /** Reads or writes a file of the client's choosing (sysroots, -include, profiles, sanitizer lists). */
    CLIENT_FILE("reads or writes a file of the client's choosing"),
    /** Chooses or adds an output (-o, -M*, dumps, coverage notes, split DWARF), which the node names itself. */
    OUTPUT("chooses or adds an output, which the node names itself"),
    /** Carried elsewhere in the request, or makes this no compile of one input (-x, -E, linker inputs). */
    NOT_HERE("is not accepted in a node compile's arguments"),
    /** Allowed, the next argument (or the joined rest) is its value; only -D and -U values may hold a {@code /}. */
    VALUE(""),
    /** Allowed only with a relative directory without {@code ..} (harmless in the private directory). */
    INCLUDE_DIR(""),
    /** Allowed, may hold paths: they only rewrite strings recorded in the output. */
    PATH_MAP("");

    private final String why;

    NodeVerdict(String why) {
        this.why = why;
    }

    /** Whether the node refuses an argument with this verdict. */
    public boolean refused() {
        return !why.isEmpty();
    }

    /** The reason given for a refusal ("loads code into the compiler"); empty when allowed. */
    public String why() {
        return why;
    }
}
