package cache.node;

import cache.compat.args.NodeArguments;
import cache.compat.args.NodeVerdict;
import cache.compat.args.OptionTable;
import cache.node.protocol.NodeProtocol.ErrorCode;
import java.util.List;

/**
 * Which compiler arguments a node runs. The node compiles one preprocessed input it writes
 * itself, in a private directory, into an output it names itself; anything else a client asks
 * for is refused. What each option is, as far as a node is concerned, is the node column
 * ({@link NodeVerdict}) of the option table the client reads too ({@link OptionTable}), and
 * the rule that applies it is {@link NodeArguments}: a client that consults it before sending
 * never sends what this policy refuses. This class adds what only the node knows, its limit
 * on the number of arguments, and turns a refusal into the protocol's.
 */
public final class ArgumentPolicy {

    private final int maxArgs;

    public ArgumentPolicy(int maxArgs) {
        this.maxArgs = maxArgs;
    }

    /** Refuses the first argument the node will not run, saying which and why. */
    public void check(List<String> args) throws Refusal {
        if (args.size() > maxArgs) {
            throw new Refusal(ErrorCode.TOO_LARGE, args.size() + " arguments, more than the node's " + maxArgs);
        }
        NodeArguments.Refused r = NodeArguments.firstRefused(args);
        if (r != null) {
            throw new Refusal(ErrorCode.FORBIDDEN_ARGUMENT,
                    "argument '" + CompilerResolver.printable(r.argument()) + "' " + r.why());
        }
    }

    /** The node's verdict on one argument as the option table gives it, or {@code null} for none. */
    static NodeVerdict verdict(String arg) {
        OptionTable.Option row = OptionTable.forNode(arg);
        return row == null ? null : row.node();
    }
}
