package cache.frontend.args;

/**
 * What the caller's command line asks of diagnostics colours, as ccache 4.7 reads it: the last
 * of {@code -fdiagnostics-color[=always|=auto|=never]}, {@code -fno-diagnostics-color},
 * {@code -f[no-]color-diagnostics} and {@code -Xclang -fcolor-diagnostics} decides.
 *
 * <p>These options are neither keyed nor what decides the compile's colours: a miss always
 * compiles with the family's colour option ({@code cache.frontend.key.CompilerFamily#colourOption})
 * and stores coloured diagnostics; the caller's choice only decides whether a replay keeps the
 * colours ({@link #keepsColours}).
 */
public enum DiagnosticsColour {
    /** No choice, or {@code =auto}: colours when the caller's stderr is a terminal and {@code TERM} is not {@code dumb}. */
    AUTO,
    ALWAYS,
    NEVER;

    /** The choice {@code word} makes, or null when it is not one of the colour options. */
    static DiagnosticsColour of(String word) {
        return switch (word) {
            case "-fdiagnostics-color", "-fdiagnostics-color=always", "-fcolor-diagnostics" -> ALWAYS;
            case "-fno-diagnostics-color", "-fdiagnostics-color=never", "-fno-color-diagnostics" -> NEVER;
            case "-fdiagnostics-color=auto" -> AUTO;
            default -> null;
        };
    }

    /**
     * Whether the caller sees colours: asked for, or {@link #AUTO} with stderr a terminal and
     * {@code TERM} set and not {@code dumb} (any case), as ccache's {@code color_output_possible}.
     */
    public boolean keepsColours(boolean stderrIsTerminal, String term) {
        return switch (this) {
            case ALWAYS -> true;
            case NEVER -> false;
            case AUTO -> stderrIsTerminal && term != null && !term.equalsIgnoreCase("dumb");
        };
    }
}
