package cache.frontend.daemon;

import cache.compat.Counter;
import cache.compat.StatsReport;
import cache.store.CounterStore;
import cache.store.EntryStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code cache -…} commands the daemon answers (it owns the store, so statistics and
 * clearing go through it). Option names and output follow ccache 4.7.
 */
@Command(name = "cache", sortOptions = false,
        description = "Compile cache (ccache-compatible). Use as `cache <compiler> <args>` or through compiler-named links.")
final class AdminCommand {

    @Option(names = {"-s", "--show-stats"}, description = "show a summary of statistics counters")
    boolean showStats;

    @Option(names = {"-v", "--verbose"}, description = "more detail (with -s)")
    boolean[] verbose = new boolean[0];

    @Option(names = "--print-stats", description = "print statistics counters in machine-readable form")
    boolean printStats;

    @Option(names = {"-z", "--zero-stats"}, description = "zero statistics counters")
    boolean zeroStats;

    @Option(names = {"-C", "--clear"}, description = "clear the cache completely")
    boolean clear;

    @Option(names = "--stop-daemon", description = "stop the daemon serving this cache directory")
    boolean stopDaemon;

    @Option(names = {"-V", "--version"}, description = "print version information")
    boolean version;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help text")
    boolean help;

    /** What the daemon lends to admin commands. */
    record Context(String cacheDir, EntryStore store, cache.store.BlobStore manifests, CounterStore counters,
            long maxSizeBytes, String buildVersion, Clock clock, Runnable stop) {}

    /** The result of one admin call. */
    record Result(String stdout, String stderr, int exitCode) {}

    static Result run(List<String> args, Context ctx) {
        AdminCommand cmd = new AdminCommand();
        CommandLine cli = new CommandLine(cmd);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        try {
            cli.parseArgs(args.toArray(new String[0]));
        } catch (CommandLine.ParameterException e) {
            return new Result("", "cache: " + e.getMessage() + "\n", 1);
        }
        if (cli.isUsageHelpRequested()) {
            cli.usage(cli.getOut());
            cli.getOut().flush();
            return new Result(out.toString(), "", 0);
        }
        StringBuilder o = new StringBuilder();
        if (cmd.version) {
            o.append("cache version ").append(ctx.buildVersion()).append('\n');
        }
        if (cmd.clear) {
            ctx.store().clear();
            ctx.manifests().clear();
        }
        if (cmd.zeroStats) {
            zero(ctx);
            o.append("Statistics zeroed\n");
        }
        if (cmd.showStats) {
            o.append(report(ctx).showStats(cmd.verbose.length > 0));
        }
        if (cmd.printStats) {
            o.append(report(ctx).printStats());
        }
        if (cmd.stopDaemon) {
            o.append("cache: daemon stopping\n");
            ctx.stop().run();
        }
        return new Result(o.toString(), "", 0);
    }

    static StatsReport report(Context ctx) {
        Map<String, Long> raw = ctx.counters().snapshot();
        Map<Counter, Long> values = new EnumMap<>(Counter.class);
        for (Counter c : Counter.values()) {
            values.put(c, raw.getOrDefault(c.id(), 0L));
        }
        return new StatsReport(values, raw.getOrDefault("stats_updated_timestamp", 0L),
                raw.getOrDefault("stats_zeroed_timestamp", 0L),
                new StatsReport.Storage(ctx.cacheDir(), ctx.store().totalBytes(), ctx.store().entryCount(),
                        ctx.maxSizeBytes()));
    }

    private static void zero(Context ctx) {
        for (Counter c : Counter.values()) {
            ctx.counters().set(c.id(), 0);
        }
        ctx.counters().set("stats_zeroed_timestamp", ctx.clock().instant().getEpochSecond());
    }
}
