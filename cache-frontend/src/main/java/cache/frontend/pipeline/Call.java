package cache.frontend.pipeline;

import cache.compat.Counter;
import cache.compat.config.Config;
import cache.frontend.args.Invocation;
import cache.frontend.key.KeyInputs;
import cache.frontend.replay.DiagnosticsColours;
import cache.frontend.replay.StderrPaths;
import cache.frontend.tier.StorageTiers;
import cache.hashing.CoarseClock;
import cache.hashing.Digest;
import cache.hashing.FileHashCache;
import cache.hashing.FileWatch;
import cache.hashing.FileStat;
import cache.hashing.KeyBuilder;
import cache.store.OutputKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One cacheable call once analysed: the request (with the configured compiler and umask), its
 * arguments by role, who compiles, the inputs of its keys, and what the configuration decides
 * for it, derived once. Everything a stage of {@link CompilePipeline} needs, so no stage takes
 * more than the call and its own input.
 */
final class Call {

    /**
     * For a call whose client did not send its coarse clock (the daemon's own warm-up, tests):
     * files changed this recently before the call started are not recorded in a manifest nor
     * trusted as a direct-mode source. File timestamps come from the kernel's coarse clock, and a
     * header rewritten while the build runs must never be remembered with contents the compile
     * did not see. With the client's coarse clock the margin is exact instead (see {@link
     * #trustedBefore}).
     */
    static final long TOO_NEW_NANOS = 100_000_000L;

    private static final Path DEV_NULL = Path.of("/dev/null");
    /**
     * {@code /dev/null} as a source, as build systems' flag probes use it ({@code -x c /dev/null}):
     * empty for every process that reads it, so the same input for the daemon as for the caller,
     * and, as in ccache, direct mode answers it (its timestamps move with every write to it).
     */
    private static final FileHashCache.Hashed EMPTY_SOURCE = new FileHashCache.Hashed(Digest.of(new byte[0]),
            new FileStat(0, 0, 0, 0, 0, false, false), 0);

    /** The request with the configured compiler and umask. */
    final CompileRequest req;
    final CallStats stats;
    /** The arguments by role, after {@code base_dir}. */
    final Invocation inv;
    /** How a miss runs the compiler. */
    final Compilation how;
    /** The inputs every key of this call shares. */
    final KeyInputs keys;
    /** The call's start, epoch nanoseconds: what changed after it is not trusted or remembered. */
    final long started;
    /** Whether outputs describe the sources ({@code -g}, coverage): keys then cover included contents. */
    final boolean debugInfo;
    /** See {@link #trustedBefore()}. */
    private final long trustedBefore;
    /** See {@link #readersStart}: the coarse clock before the first process reading the inputs; -1: not read. */
    private long readersFrom = -1;
    /** The source's digest in the call's direct key (null: no direct key). */
    Digest directSource;

    /** Whether a lookup may answer ({@code recache} off). */
    final boolean looksUp;
    /** Whether results are stored ({@code read_only} off). */
    final boolean stores;
    /** Whether direct mode only looks up and a miss compiles without a preprocessor-mode lookup. */
    final boolean readOnlyDirect;
    /** Whether a direct miss compiles in depend mode (see {@link #dependMode}). */
    final boolean dependMode;
    /**
     * Under {@code remote_only}, the manifest this call found in remote storage (null: none), the
     * one its result is recorded into: no manifest is kept locally then ({@link Manifests}).
     */
    byte[] remoteManifest;
    /** The storage tiers of this call's configuration, made on first use ({@code CompilePipeline.tiers}). */
    StorageTiers tiers;
    /** Store writes left until after the reply ({@link #writeLater}), in order; null: none. */
    private List<Runnable> laterWrites;

    /** Where the source's stat data come from while unchanged ({@code null}: a stat each time). */
    private final FileWatch watch;

    Call(CompileRequest req, CallStats stats, Invocation inv, Compilation how, KeyInputs keys, long started,
            boolean debugInfo, FileWatch watch) {
        this.req = req;
        this.watch = watch;
        this.stats = stats;
        this.inv = inv;
        this.how = how;
        this.keys = keys;
        this.started = started;
        this.debugInfo = debugInfo;
        long clock = req.clientClock();
        this.trustedBefore = clock > 0 && clock <= started ? clock : started - TOO_NEW_NANOS;
        Config c = req.config();
        this.looksUp = !c.recache();
        this.stores = !c.readOnly();
        this.readOnlyDirect = c.readOnlyDirect();
        this.dependMode = dependMode(c, inv);
    }

    Config config() {
        return req.config();
    }

    Path cwd() {
        return req.cwd();
    }

    /**
     * Whether a direct miss is compiled in depend mode: asked for, and the compiler writes a
     * full dependency file ({@code -MD}). With {@code -MMD} the file leaves out system headers,
     * whose changes would go unseen, so such calls take the preprocessor route instead.
     */
    private static boolean dependMode(Config c, Invocation inv) {
        return c.dependMode() && inv.outputs().containsKey(OutputKind.DEPENDENCY)
                && !inv.dependenciesOmitSystemHeaders();
    }

    /** The call is not cacheable for {@code why}: counted, and the client compiles as asked. */
    Outcome passthrough(Counter why, String reason) {
        stats.count(why);
        return new Outcome.Passthrough(why.id() + ": " + reason);
    }

    /**
     * What the client prints: the diagnostics without colours unless the caller wants them
     * ({@link Compilation#stripsColours}), then with absolute_paths_in_stderr their paths made
     * absolute, in ccache's order.
     */
    Outcome.Replay replay(byte[] stdout, byte[] stderr, int exitCode) {
        byte[] err = how.stripsColours() ? DiagnosticsColours.strip(stderr) : stderr;
        err = config().absolutePathsInStderr() && err.length > 0 ? StderrPaths.absolute(err, cwd()) : err;
        List<Runnable> later = laterWrites;
        laterWrites = null;
        return new Outcome.Replay(stdout, err, exitCode, later == null ? null : () -> later.forEach(Runnable::run));
    }

    /**
     * {@code write} (a back-fill of what remote storage answered) is done after this call's
     * reply if the call ends in one ({@link #replay}); a call that goes on to compile does it
     * first ({@link #writeNow}), so that what it records builds on it.
     */
    void writeLater(Runnable write) {
        if (laterWrites == null) {
            laterWrites = new ArrayList<>(2);
        }
        laterWrites.add(write);
    }

    /** The writes left for later, done now. */
    void writeNow() {
        List<Runnable> later = laterWrites;
        laterWrites = null;
        if (later != null) {
            later.forEach(Runnable::run);
        }
    }

    /**
     * {@code prefix... compiler args [colour]}: ccache's prefix_command (or _cpp) goes first; the
     * colour option last, after any of the caller's, so that it wins as in ccache.
     */
    List<String> command(String prefix, List<String> args, String colour) {
        List<String> cmd = new ArrayList<>(args.size() + 4);
        if (!prefix.isEmpty()) {
            cmd.addAll(CallSettings.prefix(prefix, cwd(), req.env()));
        }
        cmd.add(req.compiler().toString());
        cmd.addAll(args);
        if (colour != null) {
            cmd.add(colour);
        }
        return cmd;
    }

    /** The source's digest and stat data (see {@link #EMPTY_SOURCE} for {@code /dev/null}). */
    FileHashCache.Hashed hashSource(FileHashCache hashes) throws IOException {
        Path source = cwd().resolve(inv.source());
        return source.normalize().equals(DEV_NULL) ? EMPTY_SOURCE
                : hashes.hash(source, watch == null ? null : watch.session(stats.startNanos()));
    }

    /** How long {@link #readersStart} waits at most for the coarse clock's next tick. */
    static final long TICK_WAIT_NANOS = 100_000_000L;

    /**
     * Reads the coarse clock ({@link CoarseClock}) just before the call's first process that reads
     * its inputs (the preprocessor, or the compiler in depend mode) is started. A file stamped
     * before that reading was last written before that process started, and any later write
     * stamps it with the reading or a later time: so a file whose times are still before it once
     * the call has compiled is what the compile read, however little before the call it was
     * written. When {@code source} (the source's stat) is stamped at or after the clock's value
     * (written in this very tick, as a generator or a test writes a file just before compiling
     * it), this first waits for the clock's next tick, {@link #TICK_WAIT_NANOS} at most (and not
     * for a stamp further ahead than that), so that the source and whatever was written with it
     * fall before the reading. Only a miss waits, only for a source written in this instant, and
     * it is about to run the preprocessor and the compiler anyway. Nothing changes where
     * the coarse clock cannot be read: then the client's clock ({@link #trustedBefore}) stays the
     * limit.
     */
    void readersStart(FileStat source) throws InterruptedException {
        long now = CoarseClock.nowNanos();
        if (now < 0) {
            return;
        }
        long newest = source == null ? 0 : Math.max(source.mtimeNanos(), source.ctimeNanos());
        // a stamp further ahead (another machine's clock over NFS) is not waited for: not remembered
        if (source != null && source.changedSince(now) && newest - now < TICK_WAIT_NANOS) {
            long deadline = System.nanoTime() + TICK_WAIT_NANOS;
            while (now >= 0 && now <= newest && System.nanoTime() < deadline) {
                Thread.sleep(0, 500_000);
                now = CoarseClock.nowNanos();
            }
        }
        readersFrom = now;
    }

    /**
     * The time before which a file's last change must lie for a manifest to remember it: the
     * {@link #readersStart} reading when there is one (it is after the client's), else {@link
     * #trustedBefore}.
     */
    long recordableBefore() {
        return Math.max(readersFrom, trustedBefore);
    }

    /**
     * Whether the source as hashed now ({@code now}, after the compile) may be remembered: its times
     * before {@link #recordableBefore} and its contents those the direct key was made of (a source
     * rewritten between the lookup and the preprocessor's start is stamped before that start, but
     * the direct key names the old contents).
     */
    boolean sourceRecordable(FileHashCache.Hashed now) {
        return sourceRecordable(now, directSource, recordableBefore());
    }

    /** {@link #sourceRecordable(FileHashCache.Hashed)} of a source looked up as {@code atLookup} (null: not looked up). */
    static boolean sourceRecordable(FileHashCache.Hashed now, Digest atLookup, long before) {
        return !now.stat().changedSince(before) && (atLookup == null || atLookup.equals(now.digest()));
    }

    /**
     * The time before which a file's change is old enough to remember ({@link
     * FileStat#changedSince}): the kernel's coarse clock as the client read it before the call
     * reached us, which is before the compiler and this daemon read any file. A file stamped
     * before it was last written in an earlier clock tick, so any write after that (during the
     * compile, after the manifest is written) gets another stamp, and ccache's rule (a stamp
     * before the call's start) holds without its one-tick hole. Without the client's clock:
     * {@link #TOO_NEW_NANOS} before the call's start.
     */
    long trustedBefore() {
        return trustedBefore;
    }

    /**
     * Builds a key; with {@code debug} set, also writes its inputs as text next to the object
     * (or under {@code debug_dir}, at the object's absolute path), one file per key and call:
     * {@code <object>.<time>.cache-key-<kind>.txt}, {@code <time>} the call's start, as in ccache
     * (one call's files share it). Diffing two of them shows why a call missed.
     */
    Digest keyOf(String kind, KeyBuilder key) {
        Digest d = key.build();
        if (config().debug()) {
            String explained = "key " + d + "\n" + key.explanation();
            debugFile("cache-key-" + kind + ".txt", explained.getBytes(StandardCharsets.UTF_8));
            ccacheInputs(kind, explained);
        }
        return d;
    }

    /** The sections of {@code ccache-input-text} written so far. */
    private StringBuilder inputText;

    /**
     * The same key inputs under ccache's debug names: {@code ccache-input-c} (what every key of
     * the call shares), {@code -d} (direct mode), {@code -p} (preprocessor mode), and all of them
     * in {@code ccache-input-text} under ccache's section titles. Ours are text, not ccache's
     * hash input bytes: the names are what scripts that collect a call's debug files look for.
     */
    private void ccacheInputs(String kind, String explained) {
        if (inputText == null) {
            KeyBuilder common = KeyBuilder.explaining();
            keys.compiler().addTo(common);
            common.add("cwd.of_call", keys.cwd() == null ? "" : keys.cwd());
            for (var e : new java.util.TreeMap<>(keys.env()).entrySet()) {
                common.add("env." + e.getKey(), e.getValue());
            }
            String c = common.explanation();
            debugFile("ccache-input-c", c.getBytes(StandardCharsets.UTF_8));
            inputText = new StringBuilder("=== COMMON ===\n").append(c);
        }
        String section = switch (kind) {
            case "direct" -> "d";
            case "preprocessor" -> "p";
            default -> null;
        };
        if (section != null) {
            debugFile("ccache-input-" + section, explained.getBytes(StandardCharsets.UTF_8));
        }
        inputText.append("=== ").append(kind.toUpperCase(java.util.Locale.ROOT)).append(" MODE ===\n").append(explained);
        debugFile("ccache-input-text", inputText.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Writes a debug file {@code <object>.<time>.<suffix>} next to the object or under {@code debug_dir}. */
    void debugFile(String suffix, byte[] content) {
        DebugFiles.write(cwd(), inv.object(), config().debugDir(), started, suffix, content);
    }
}
