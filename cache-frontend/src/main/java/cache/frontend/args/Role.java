package cache.frontend.args;

/**
 * What one argument of a compile is for, decided once by {@link ArgumentAnalyzer}; the
 * preprocessor run, the compile, the {@code run_second_cpp = false} pair and a remote compile
 * are each a projection of the roles ({@link Invocation}, {@link PreprocessedCompile},
 * {@link RemoteCompile}).
 */
public enum Role {
    /** The source file. */
    INPUT,
    /** {@code -o file}. */
    OUTPUT,
    /** {@code -x language}. */
    LANGUAGE,
    /** {@code -c} or {@code -S}: how far the compile goes. */
    MODE,
    /** Shapes the dependency file: {@code -MD}, {@code -MMD}, {@code -MP}, {@code -MF}, {@code -MT}, {@code -MQ}, their {@code -Wp,} forms, {@code -MG}. */
    DEPENDENCY,
    /** Only the preprocessor needs it ({@code -D}, {@code -I}, {@code -include}, {@code -Wp,…}, {@code -finput-charset=}). */
    PREPROCESSOR,
    /** Only the compile of preprocessed text needs it ({@code -Werror}, {@code -Wa,…}, {@code -Xlinker …}). */
    COMPILE_ONLY,
    /** A {@code -g} option: debug information and its level. */
    DEBUG,
    /** Chooses diagnostics colours ({@code -fdiagnostics-color…}, {@code -fcolor-diagnostics}, {@code -Xclang -fcolor-diagnostics}). */
    COLOUR,
    /** Passed to every run. */
    COMMON,
    /** Named with {@code --ccache-skip}: passed on, its meaning unknown. */
    VERBATIM
}
