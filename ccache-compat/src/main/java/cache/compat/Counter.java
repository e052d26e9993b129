package cache.compat;

/**
 * Statistics counters. The ccache ones keep ccache 4.7's names (as {@code --print-stats}
 * prints them) and meanings; ours follow after them. {@link Kind} says where {@code -s}
 * adds each one up.
 */
public enum Counter {
    AUTOCONF_TEST("autoconf_test", "Autoconf compile/link", Kind.UNCACHEABLE),
    BAD_COMPILER_ARGUMENTS("bad_compiler_arguments", "Bad compiler arguments", Kind.UNCACHEABLE),
    BAD_OUTPUT_FILE("bad_output_file", "Could not write to output file", Kind.ERROR),
    CACHE_MISS("cache_miss", "Misses", Kind.MISS),
    CALLED_FOR_LINK("called_for_link", "Called for linking", Kind.UNCACHEABLE),
    CALLED_FOR_PREPROCESSING("called_for_preprocessing", "Called for preprocessing", Kind.UNCACHEABLE),
    CLEANUPS_PERFORMED("cleanups_performed", "Cleanups", Kind.OTHER),
    COMPILE_FAILED("compile_failed", "Compilation failed", Kind.UNCACHEABLE),
    COMPILER_CHECK_FAILED("compiler_check_failed", "Compiler check failed", Kind.ERROR),
    COMPILER_PRODUCED_EMPTY_OUTPUT("compiler_produced_empty_output", "Compiler output file empty", Kind.UNCACHEABLE),
    COMPILER_PRODUCED_NO_OUTPUT("compiler_produced_no_output", "Compiler produced no output", Kind.UNCACHEABLE),
    COMPILER_PRODUCED_STDOUT("compiler_produced_stdout", "Compiler produced stdout", Kind.UNCACHEABLE),
    COULD_NOT_FIND_COMPILER("could_not_find_compiler", "Could not find compiler", Kind.ERROR),
    COULD_NOT_USE_MODULES("could_not_use_modules", "Could not use modules", Kind.UNCACHEABLE),
    COULD_NOT_USE_PRECOMPILED_HEADER("could_not_use_precompiled_header", "Could not use precompiled header", Kind.UNCACHEABLE),
    DIRECT_CACHE_HIT("direct_cache_hit", "Direct", Kind.HIT),
    DIRECT_CACHE_MISS("direct_cache_miss", "Direct misses", Kind.OTHER),
    ERROR_HASHING_EXTRA_FILE("error_hashing_extra_file", "Error hashing extra file", Kind.ERROR),
    INTERNAL_ERROR("internal_error", "Internal error", Kind.ERROR),
    LOCAL_STORAGE_HIT("local_storage_hit", "Hits", Kind.OTHER),
    LOCAL_STORAGE_MISS("local_storage_miss", "Misses", Kind.OTHER),
    LOCAL_STORAGE_READ_HIT("local_storage_read_hit", "Read hits", Kind.OTHER),
    LOCAL_STORAGE_READ_MISS("local_storage_read_miss", "Read misses", Kind.OTHER),
    LOCAL_STORAGE_WRITE("local_storage_write", "Writes", Kind.OTHER),
    MISSING_CACHE_FILE("missing_cache_file", "Missing cache file", Kind.ERROR),
    MULTIPLE_SOURCE_FILES("multiple_source_files", "Multiple source files", Kind.UNCACHEABLE),
    NO_INPUT_FILE("no_input_file", "No input file", Kind.UNCACHEABLE),
    OUTPUT_TO_STDOUT("output_to_stdout", "Output to stdout", Kind.UNCACHEABLE),
    PREPROCESSED_CACHE_HIT("preprocessed_cache_hit", "Preprocessed", Kind.HIT),
    PREPROCESSED_CACHE_MISS("preprocessed_cache_miss", "Preprocessed misses", Kind.OTHER),
    PREPROCESSOR_ERROR("preprocessor_error", "Preprocessing failed", Kind.UNCACHEABLE),
    RECACHE("recache", "Forced recache", Kind.UNCACHEABLE),
    REMOTE_STORAGE_ERROR("remote_storage_error", "Errors", Kind.OTHER),
    REMOTE_STORAGE_HIT("remote_storage_hit", "Hits", Kind.OTHER),
    REMOTE_STORAGE_MISS("remote_storage_miss", "Misses", Kind.OTHER),
    REMOTE_STORAGE_READ_HIT("remote_storage_read_hit", "Read hits", Kind.OTHER),
    REMOTE_STORAGE_READ_MISS("remote_storage_read_miss", "Read misses", Kind.OTHER),
    REMOTE_STORAGE_TIMEOUT("remote_storage_timeout", "Timeouts", Kind.OTHER),
    REMOTE_STORAGE_WRITE("remote_storage_write", "Writes", Kind.OTHER),
    UNSUPPORTED_CODE_DIRECTIVE("unsupported_code_directive", "Unsupported code directive", Kind.UNCACHEABLE),
    UNSUPPORTED_COMPILER_OPTION("unsupported_compiler_option", "Unsupported compiler option", Kind.UNCACHEABLE),
    UNSUPPORTED_ENVIRONMENT_VARIABLE("unsupported_environment_variable", "Unsupported environment variable", Kind.UNCACHEABLE),
    UNSUPPORTED_SOURCE_LANGUAGE("unsupported_source_language", "Unsupported source language", Kind.UNCACHEABLE),

    // Ours, beyond ccache's set.
    /** A stored entry failed its checksum; it was removed and the call compiled. */
    CORRUPT_ENTRY("corrupt_entry", "Corrupt entries removed", Kind.ERROR),
    /**
     * The daemon could not complete a cacheable call and told the client to compile itself.
     * (A client that cannot reach the daemon at all falls back without being counted.)
     */
    FALLBACK_LOCAL("fallback_local", "Fell back to plain compile", Kind.ERROR),
    /** Waited for an identical compile already running instead of compiling again. */
    INFLIGHT_SHARED("inflight_shared", "Shared an in-flight compile", Kind.OTHER),
    /** A builder (a farm's node, …) could not answer a miss; the next one, at last this machine, compiled it. */
    BUILDER_FAILED("builder_failed", "Builder failed, compiled by the next", Kind.OTHER),
    /** A miss compiled on a farm's node. */
    REMOTE_COMPILE("remote_compile", "Compiled on a node", Kind.OTHER),
    /** A miss answered by a farm node's cache, without compiling anywhere. */
    NODE_HIT("node_hit", "Answered by a node's cache", Kind.OTHER),
    /** A miss that distribution was on for but that stays here (reason: a {@link Kind#KEPT_LOCAL} counter). */
    KEPT_LOCAL("kept_local", "Kept local", Kind.OTHER),

    // Why a miss stayed here (each kept_local counts one of these) …
    KEPT_LOCAL_NO_PREPROCESSED_TEXT("kept_local_no_preprocessed_text", "No preprocessed text", Kind.KEPT_LOCAL),
    KEPT_LOCAL_RECACHE("kept_local_recache", "Forced recache", Kind.KEPT_LOCAL),
    KEPT_LOCAL_EXTRA_OUTPUTS("kept_local_extra_outputs", "Outputs besides the object", Kind.KEPT_LOCAL),
    KEPT_LOCAL_OPTION("kept_local_option", "Option kept local", Kind.KEPT_LOCAL),
    KEPT_LOCAL_DEBUG_INFO("kept_local_debug_info", "Debug information kept local", Kind.KEPT_LOCAL),
    /** A malformed host list (distcc rejects the whole list): shown by {@code -s} too. */
    KEPT_LOCAL_HOST_LIST_MALFORMED("kept_local_host_list_malformed", "Host list malformed", Kind.KEPT_LOCAL),
    KEPT_LOCAL_NO_HOST("kept_local_no_host", "No usable host", Kind.KEPT_LOCAL),
    KEPT_LOCAL_NODE_SECURITY("kept_local_node_security", "Node secret or TLS settings unusable", Kind.KEPT_LOCAL),
    KEPT_LOCAL_COMPILER_VERSION("kept_local_compiler_version", "Compiler version unknown", Kind.KEPT_LOCAL),
    KEPT_LOCAL_NO_SOURCE_NODE("kept_local_no_source_node", "No node takes source compiles", Kind.KEPT_LOCAL),
    KEPT_LOCAL_FAILED_ON_NODE("kept_local_failed_on_node", "Compile failed on node", Kind.KEPT_LOCAL),
    KEPT_LOCAL_DIAGNOSTICS_ON_NODE("kept_local_diagnostics_on_node", "Diagnostics on node", Kind.KEPT_LOCAL),

    // … and why a builder could not answer (each builder_failed counts one of these).
    BUILDER_FAILED_NO_HEALTHY_NODE("builder_failed_no_healthy_node", "Every node backed off", Kind.BUILDER_FAILED),
    BUILDER_FAILED_UNREACHABLE("builder_failed_unreachable", "Node unreachable", Kind.BUILDER_FAILED),
    BUILDER_FAILED_TIMEOUT("builder_failed_timeout", "Node timed out", Kind.BUILDER_FAILED),
    BUILDER_FAILED_PROTOCOL_ERROR("builder_failed_protocol_error", "Node protocol error", Kind.BUILDER_FAILED),
    BUILDER_FAILED_REFUSED("builder_failed_refused", "Refused by node", Kind.BUILDER_FAILED),
    BUILDER_FAILED_OTHER("builder_failed_other", "Other failure", Kind.BUILDER_FAILED);

    /**
     * How {@code -s} adds a counter up. {@code KEPT_LOCAL} and {@code BUILDER_FAILED} are the
     * reasons behind {@link #KEPT_LOCAL} and {@link #BUILDER_FAILED}, listed by {@code -sv}.
     */
    public enum Kind { HIT, MISS, UNCACHEABLE, ERROR, OTHER, KEPT_LOCAL, BUILDER_FAILED }

    private final String id;
    private final String description;
    private final Kind kind;

    Counter(String id, String description, Kind kind) {
        this.id = id;
        this.description = description;
        this.kind = kind;
    }

    /** The name {@code --print-stats} prints. */
    public String id() {
        return id;
    }

    public String description() {
        return description;
    }

    public Kind kind() {
        return kind;
    }
}
