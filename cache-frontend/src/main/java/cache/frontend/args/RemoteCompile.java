package cache.frontend.args;

import cache.compat.args.Language;
import cache.compat.args.NodeArguments;
import cache.compat.args.OptionTable;
import java.util.ArrayList;
import java.util.List;

/**
 * What a remote node would run to compile a call's preprocessed text: the {@code -x} language
 * the request carries and the arguments, legal by the node column of the shared
 * {@link OptionTable} (so the node's {@code ArgumentPolicy} accepts them, short of its limit on
 * their number); or a refusal saying why the call must be compiled here.
 *
 * <p>The node writes the only input and names the only output, so the input, {@code -o} and
 * {@code -x} are left out; the preprocessor runs here, so preprocessor-only and dependency
 * options are left out too. A {@link OptionTable#LOCAL_ONLY} option ({@code -march=native},
 * {@code -B}, plugins, specs files) refuses, as does what would make the preprocessed text
 * compile differently from the source ({@code -g3}, {@link OptionTable#SOURCE_ONLY} options)
 * and anything the node refuses.
 *
 * @param language the {@code -x} language of the preprocessed input, or {@code null} when refused
 * @param args the node compile's arguments (empty when refused)
 * @param refusal why the call is not compiled remotely, or {@code null} when it may be
 */
public record RemoteCompile(String language, List<String> args, String refusal) {

    public RemoteCompile {
        args = List.copyOf(args);
    }

    public boolean legal() {
        return refusal == null;
    }

    static RemoteCompile refused(String why) {
        return new RemoteCompile(null, List.of(), why);
    }

    /** The remote compile of {@code inv}'s preprocessed text, projected from its roles. */
    static RemoteCompile of(Invocation inv) {
        if (inv.verbatim()) {
            return refused("--ccache-skip: the roles of its words are unknown");
        }
        Language preprocessed = inv.language().preprocessedForm();
        if (preprocessed == Language.ASSEMBLER) {
            return refused("a node compiles C, C++ and Objective-C, not " + inv.language().gccName());
        }
        List<String> args = new ArrayList<>();
        boolean level3 = false;
        for (Argument a : inv.arguments()) {
            String why = PreprocessedCompile.notReproduced(a);
            if (why != null) {
                return refused(a.word() + " needs the source, not the preprocessed text");
            }
            switch (a.role()) {
                case INPUT, OUTPUT, LANGUAGE, PREPROCESSOR, DEPENDENCY -> { }
                case DEBUG -> {
                    level3 = PreprocessedCompile.debugLevel3(a.word(), level3);
                    args.addAll(a.words());
                }
                default -> args.addAll(a.words());
            }
        }
        if (level3) {
            return refused("debug info level 3: macro definitions are not in the preprocessed text");
        }
        return forArguments(preprocessed.gccName(), args);
    }

    /**
     * The remote compile of preprocessed {@code language} input with {@code args}: legal when no
     * word is a {@link OptionTable#LOCAL_ONLY} option and the node's column allows them all.
     */
    public static RemoteCompile forArguments(String language, List<String> args) {
        for (String word : args) {
            OptionTable.Option row = word.startsWith("-") ? OptionTable.exact(word) : null;
            if (row == null && word.startsWith("-")) {
                row = OptionTable.joined(word);
            }
            if (row != null && row.has(OptionTable.LOCAL_ONLY)) {
                return refused(word + " depends on this machine or its files");
            }
        }
        NodeArguments.Refused r = NodeArguments.firstRefused(args);
        if (r != null) {
            return refused("a node refuses '" + r.argument() + "': it " + r.why());
        }
        return new RemoteCompile(language, args, null);
    }
}
