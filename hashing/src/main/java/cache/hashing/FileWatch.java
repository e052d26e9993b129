package cache.hashing;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Stat data remembered until the kernel says otherwise: a path stat'ed once through a {@link
 * Session} is watched with inotify (the file itself and every directory entry its resolution
 * walks through, symbolic links followed), and its stat data (or its absence) is answered from
 * memory until an event names one of them. A warm direct-mode hit checks ~100 headers and
 * shadowing candidates; with their answers remembered it makes no system call for them.
 *
 * <p>Correctness rests on the order of things. Events are queued by the kernel before the
 * system call that caused them returns, and a {@link Session} reads the whole queue when it
 * starts, so a session sees every change made before it started. A path is watched before it
 * is stat'ed, and its answer is trusted only if no event about it was read in between. What
 * inotify does not report is not watched: a path on a file system not in {@link #LOCAL} (a
 * network or FUSE mount, where another machine may write), a path whose resolution cannot be
 * followed, anything once the watch limit is reached; those are stat'ed on every call, as
 * before. A mount over a watched directory sends no event, so every session also polls
 * {@code /proc/self/mountinfo} (one system call; the kernel flags it after every change of the
 * mount table) and forgets everything when it changed. A queue overflow forgets everything. Writes through a shared {@code mmap} send no
 * event (and change the stat data only later, if at all): the same blind spot as a stat.
 *
 * <p>inotify is reached through the JDK's own natives ({@code sun.nio.fs.LinuxWatchService},
 * opened by the daemon's {@code --add-opens java.base/sun.nio.fs}); the events are read into a
 * direct buffer and the mount table is polled through {@code sun.nio.ch}, which the daemon's
 * {@code --add-opens java.base/sun.nio.ch} opens. Without them
 * (another OS, another JDK layout, tests without the options) {@link #open()} gives
 * {@code null} and callers stat as before.
 */
public final class FileWatch implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(FileWatch.class.getName());

    static final int IN_MODIFY = 0x2;
    static final int IN_ATTRIB = 0x4;
    static final int IN_CLOSE_WRITE = 0x8;
    static final int IN_MOVED_FROM = 0x40;
    static final int IN_MOVED_TO = 0x80;
    static final int IN_CREATE = 0x100;
    static final int IN_DELETE = 0x200;
    static final int IN_DELETE_SELF = 0x400;
    static final int IN_MOVE_SELF = 0x800;
    static final int IN_UNMOUNT = 0x2000;
    static final int IN_Q_OVERFLOW = 0x4000;
    static final int IN_IGNORED = 0x8000;
    static final int IN_ONLYDIR = 0x01000000;

    /** A directory: its entries (created, removed, renamed, attributes changed) and itself. */
    static final int DIR_MASK = IN_ATTRIB | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF
            | IN_MOVE_SELF | IN_ONLYDIR;
    /**
     * A file: its contents and attributes, written through any of its names (a directory's
     * watch does not see a write through a hard link in another directory).
     */
    static final int FILE_MASK = IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_DELETE_SELF | IN_MOVE_SELF;

    /** File systems whose changes all pass through this kernel, so inotify reports them. */
    static final Set<String> LOCAL = Set.of("ext2", "ext3", "ext4", "xfs", "btrfs", "tmpfs", "f2fs", "jfs", "reiserfs",
            "bcachefs", "zfs", "overlay", "ramfs");

    /** Symbolic links followed in one resolution before giving up, as the kernel's ELOOP. */
    static final int MAX_LINKS = 40;

    /** Remembered paths before everything is forgotten and watched afresh. */
    static final int MAX_MEMOS = 500_000;

    private static final int PENDING = 0;
    private static final int VALID = 1;
    private static final int INVALID = 2;

    /**
     * One path's remembered stat data ({@code null}: it does not exist), or, for a {@link
     * #listing} memo, the names in the directory the path resolves to (empty when it resolves to
     * nothing or to a file).
     */
    static final class Memo {
        final String path;
        /** A directory's names ({@link #listings}), not a path's stat data ({@link #memos}). */
        final boolean listing;
        volatile int state = PENDING;
        volatile FileStat stat;
        volatile Set<String> names;
        /** Set by {@link #register}: the walk found it absent under watches that were already in place. */
        boolean knownAbsent;

        Memo(String path) {
            this(path, false);
        }

        Memo(String path, boolean listing) {
            this.path = path;
            this.listing = listing;
        }
    }

    /**
     * Memos that depend on one thing. A memo that went invalid through another of its
     * dependencies stays listed until this one fires; such stale entries are dropped whenever
     * the list has doubled since the last sweep (amortized constant per add: the lists of "/"
     * and "/usr" hold every memo below them).
     */
    static final class Dependents {
        private final ArrayList<Memo> memos = new ArrayList<>(2);
        private int sweepAt = 8;

        void add(Memo m) {
            if (memos.size() >= sweepAt) {
                memos.removeIf(x -> x.state == INVALID);
                sweepAt = Math.max(8, 2 * memos.size());
            }
            memos.add(m);
        }

        int size() {
            return memos.size();
        }
    }

    /** One inotify watch: a directory or a file, and the memos that depend on it. */
    private static final class Watch {
        final int wd;
        final String path;
        /**
         * Memos that depend on this directory's entry of that name: every path resolved through
         * this directory has one, so an event about the directory itself (moved, deleted, its
         * permissions changed) fires them all.
         */
        final Map<String, Dependents> byName = new HashMap<>();
        /** Memos of this file itself (its contents and attributes). */
        final Dependents self = new Dependents();
        /** Memos that depend on every entry of this directory (its own stat data: its mtime). */
        final Dependents any = new Dependents();
        /**
         * Listings of this directory ({@link Session#names}): they answer only for names not in
         * it, so only a name appearing (created, moved in) or the directory itself changes them.
         */
        final Dependents created = new Dependents();

        Watch(int wd, String path) {
            this.wd = wd;
            this.path = path;
        }
    }

    private final Natives natives;
    private final ReentrantLock lock = new ReentrantLock();
    private final ByteBuffer events;
    private final long eventsAddress;
    /** The inotify descriptor, closed by {@link #close()} or, for one never closed, when unreachable. */
    private final Descriptor descriptor;
    private final Map<Integer, Watch> byWd = new HashMap<>();
    private final Map<String, Watch> byPath = new HashMap<>();
    /** Watches added so far (under the lock): a walk during which none was added needs no second look. */
    private long added;
    /** Device → whether its file system is in {@link #LOCAL}. */
    private final Map<Long, Boolean> localDevices = new HashMap<>();
    private final ConcurrentHashMap<String, Memo> memos = new ConcurrentHashMap<>();
    /** Directory (as looked up) → its remembered names ({@link Session#names}). */
    private final ConcurrentHashMap<String, Memo> listings = new ConcurrentHashMap<>();
    /**
     * Directories whose listing was dropped because a name appeared in them (objects written
     * next to sources): not listed again until everything is forgotten; their names are asked
     * for one by one ({@link Session#remembered}), whose memos do not depend on other names.
     */
    private final Set<String> churning = ConcurrentHashMap.newKeySet();
    /** Listings with more names than this are not remembered. */
    static final int MAX_LISTED = 20_000;
    /** {@code /proc/self/mountinfo}, open: it polls as "priority data" after every change of the mount table. */
    private final java.io.FileDescriptor mounts;
    /** The watch limit was reached at {@link #fullSince} (nanoTime): new paths are stat'ed every time until a restart. */
    private boolean full;
    private long fullSince;
    /** After the watch limit was reached, everything is dropped and watched afresh at most this often. */
    static final long RESTART_AFTER_NANOS = 60_000_000_000L;
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong stated = new AtomicLong();
    private final AtomicLong forgotten = new AtomicLong();

    private FileWatch(Natives natives) throws Throwable {
        this.natives = natives;
        this.events = ByteBuffer.allocateDirect(64 * 1024).order(ByteOrder.nativeOrder());
        this.eventsAddress = natives.address(events);
        this.descriptor = new Descriptor(natives, natives.init());
        CLEANER.register(this, descriptor);
        int m = natives.openMounts();
        descriptor.mounts = m;
        this.mounts = natives.fd(m);
    }

    private static final java.lang.ref.Cleaner CLEANER = java.lang.ref.Cleaner.create();

    /** The descriptor, apart from the watch, so that a cleaner can close it. */
    private static final class Descriptor implements Runnable {
        private final Natives natives;
        volatile int fd;
        volatile int mounts = -1;

        Descriptor(Natives natives, int fd) {
            this.natives = natives;
            this.fd = fd;
        }

        @Override
        public void run() {
            int f = fd;
            int m = mounts;
            fd = -1;
            mounts = -1;
            if (f >= 0) {
                natives.close(f);
            }
            if (m >= 0) {
                natives.close(m);
            }
        }
    }

    /** A watch, or {@code null} when inotify cannot be reached from here (see the class comment). */
    public static FileWatch open() {
        if (!"Linux".equals(System.getProperty("os.name")) || "false".equals(System.getProperty("cache.fileWatch"))) {
            return null;
        }
        try {
            return new FileWatch(Natives.get());
        } catch (Throwable e) {
            LOG.info("no change notification (" + e + "): every header is stat'ed on every lookup");
            return null;
        }
    }

    /**
     * Starts a lookup: reads every event queued so far, so that the answers of this session
     * reflect every change made before this call.
     */
    public Session session() {
        drain();
        return new Session();
    }

    /**
     * {@link #session()} for a call that began at {@code since} ({@link System#nanoTime()}):
     * when a drain that started after that has finished (an earlier lookup of the same call, or
     * another call's), every change made before the call began is known already, and the
     * session starts without reading the queue again.
     */
    public Session session(long since) {
        if (drainedSince - since < 0) {
            drain();
        }
        return new Session();
    }

    /**
     * {@link System#nanoTime()} at the start of the last drain that finished: every event queued
     * before it has been applied.
     */
    private volatile long drainedSince = System.nanoTime() - (1L << 62);

    /** {@link Session#remembered}'s answers. */
    public static final int UNKNOWN = 0;
    public static final int ABSENT = 1;
    public static final int PRESENT = 2;

    /**
     * Paths to watch, in the order asked: a lookup never registers a path itself (a walk and
     * the watches cost several times a stat, and a new daemon's first lookups of a project
     * would pay them all at once); one background thread does it, and the next lookup finds
     * the answers remembered.
     */
    private final java.util.concurrent.ThreadPoolExecutor registrar = registrar();

    /** One thread, gone after 10 s idle (a test JVM makes many watches and closes few). */
    private static java.util.concurrent.ThreadPoolExecutor registrar() {
        java.util.concurrent.ThreadPoolExecutor e = new java.util.concurrent.ThreadPoolExecutor(1, 1, 10,
                java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "file-watch");
                    t.setDaemon(true);
                    return t;
                });
        e.allowCoreThreadTimeOut(true);
        return e;
    }
    private final Set<String> queued = ConcurrentHashMap.newKeySet();

    /**
     * Paths that could not be watched (a network file system, the watch limit, a walk that
     * changed under us), with when: not tried again for a minute, so that a project on NFS
     * does not have every path walked again behind every lookup.
     */
    private final ConcurrentHashMap<String, Long> unwatchable = new ConcurrentHashMap<>();
    private final AtomicLong attempts = new AtomicLong();

    private void queue(String path) {
        queue(path, () -> {
            Memo m = memos.get(path);
            if (m == null || m.state == INVALID) {
                registerNow(path);
            }
        });
    }

    /** {@link #queue} for the listing of directory {@code dir}. */
    private void queueListing(String dir) {
        String key = "\0ls " + dir;
        queue(key, () -> {
            Memo m = listings.get(dir);
            if ((m == null || m.state == INVALID) && !churning.contains(dir)) {
                listNow(dir, key);
            }
        });
    }

    /** Runs {@code registration} on the background thread, once while queued, unless {@code key} failed lately. */
    private void queue(String key, Runnable registration) {
        Long failed = unwatchable.get(key);
        if (failed != null) {
            if (System.nanoTime() - failed < RESTART_AFTER_NANOS) {
                return;
            }
            unwatchable.remove(key, failed);
        }
        if (queued.size() < 100_000 && queued.add(key)) {
            try {
                registrar.execute(() -> {
                    queued.remove(key);
                    registration.run();
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                queued.remove(key); // closed
            }
        }
    }

    /**
     * Watches directory {@code dir} (its resolution, and the directory for names appearing) and
     * remembers its names (the background thread's work). The names are read after the watches
     * are in place, so a name created before the read is in them and one created after fires
     * the memo.
     */
    void listNow(String dir, String key) {
        attempts.incrementAndGet();
        Memo fresh = register(dir, true);
        if (fresh == null) {
            if (unwatchable.size() >= 100_000) {
                unwatchable.clear();
            }
            unwatchable.put(key, System.nanoTime());
            return;
        }
        Set<String> names = fresh.names; // set by register when nothing is to be listed
        if (names == null) {
            java.util.HashSet<String> found = new java.util.HashSet<>();
            try (java.nio.file.DirectoryStream<Path> s = Files.newDirectoryStream(Path.of(dir))) {
                for (Path p : s) {
                    if (found.size() >= MAX_LISTED) {
                        found = null;
                        break;
                    }
                    found.add(p.getFileName().toString());
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.FINE, "not listed: " + dir, e);
                found = null;
            }
            names = found == null ? null : Set.copyOf(found);
        }
        lock.lock();
        try {
            if (names != null && fresh.state == PENDING && listings.get(dir) == fresh) {
                fresh.names = names;
                fresh.state = VALID;
                return;
            }
            fresh.state = INVALID;
            listings.remove(dir, fresh);
        } finally {
            lock.unlock();
        }
    }

    /** Watches {@code path} and remembers its stat data (the background thread's work). */
    void registerNow(String path) {
        attempts.incrementAndGet();
        Memo fresh = register(path);
        if (fresh == null) {
            if (unwatchable.size() >= 100_000) {
                unwatchable.clear();
            }
            unwatchable.put(path, System.nanoTime());
            return;
        }
        FileStat s = null;
        boolean ok = false;
        try {
            // absent, and its directory was watched before the walk looked: no stat needed
            s = fresh.knownAbsent ? null : FileStat.ofOrNull(Path.of(path));
            ok = true;
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "not remembered: " + path, e);
        } finally {
            settle(fresh, s, ok);
        }
    }

    /** Waits until every path queued so far is watched and remembered (tests, benchmarks). */
    public void awaitQueued() {
        try {
            registrar.submit(() -> {}).get(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException
                | java.util.concurrent.RejectedExecutionException e) {
            throw new IllegalStateException("file watch registrations did not finish", e);
        }
    }

    /** Answers for one lookup; not for later use (a later lookup starts its own session). */
    public final class Session {
        private ArrayList<Memo> consulted;
        private boolean incomplete;

        private Session() {}

        /**
         * From now on, remembers every answer given, so that {@link #recorded()} can say later
         * whether all of them still hold.
         */
        public void record() {
            consulted = new ArrayList<>();
            incomplete = false;
        }

        /**
         * The answers given since {@link #record()}, as {@link Dependencies} that stay
         * {@link Dependencies#unchanged()} until an event about one of them is read; {@code
         * null} when an answer came from a stat that is not watched (then nothing derived from
         * them may be remembered).
         */
        public Dependencies recorded() {
            return consulted == null || incomplete ? null : new Dependencies(consulted.toArray(new Memo[0]));
        }

        /** {@code key}'s memo in {@code table} when it is valid (an answer: counted, and recorded), else null. */
        private Memo valid(Map<String, Memo> table, String key) {
            Memo m = table.get(key);
            if (m == null || m.state != VALID) {
                return null;
            }
            answered.incrementAndGet();
            if (consulted != null) {
                consulted.add(m);
            }
            return m;
        }

        /**
         * {@code path}'s stat data following links, or {@code null} when it does not exist:
         * remembered, or from a stat (and the path queued to be watched in the background,
         * so that a later lookup finds it remembered).
         */
        public FileStat statOrNull(String path) throws IOException {
            Memo m = valid(memos, path);
            if (m != null) {
                return m.stat;
            }
            stated.incrementAndGet();
            incomplete = true;
            queue(path);
            return FileStat.ofOrNull(Path.of(path));
        }

        /**
         * Whether {@code path} exists, from memory: {@link #PRESENT}, {@link #ABSENT}, or
         * {@link #UNKNOWN} when nothing is remembered (the path is then queued to be watched;
         * the caller answers some other way).
         */
        public int remembered(String path) {
            Memo m = valid(memos, path);
            if (m != null) {
                return m.stat != null ? PRESENT : ABSENT;
            }
            incomplete = true;
            queue(path);
            return UNKNOWN;
        }

        /**
         * The names in directory {@code dir} (absolute, as written: links and ".." are followed
         * as the kernel would), remembered while no name appears in it and its resolution is
         * unchanged; empty when it does not exist or is not a directory. Only a name's absence
         * may be read from it: a name listed may still not {@code stat} (a dangling link), so
         * those are asked with {@link #remembered}. {@code null} when nothing is remembered
         * (the directory is then queued to be listed, unless names keep appearing in it).
         */
        public Set<String> names(String dir) {
            Memo m = valid(listings, dir);
            if (m != null) {
                return m.names;
            }
            if (!churning.contains(dir)) {
                queueListing(dir);
            }
            return null;
        }

        /** {@link #statOrNull}, throwing {@link NoSuchFileException} when absent (as {@link FileStat#of}). */
        public FileStat stat(Path path) throws IOException {
            FileStat s = statOrNull(path.toString());
            if (s == null) {
                throw new NoSuchFileException(path.toString());
            }
            return s;
        }

        /** Whether {@code path} exists, following links; an error other than absence counts as absent. */
        public boolean exists(String path) {
            try {
                return statOrNull(path) != null;
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }
    }

    /**
     * Makes a pending memo valid with {@code stat}, unless an event about it was read since it
     * was registered (the drain removed it) or the stat failed ({@code ok} false: the memo is
     * dropped). Under the lock, so that no drain runs between the check and the write.
     */
    private void settle(Memo m, FileStat stat, boolean ok) {
        lock.lock();
        try {
            if (ok && m.state == PENDING && memos.get(m.path) == m) {
                m.stat = stat;
                m.state = VALID;
                return;
            }
            m.state = INVALID;
            memos.remove(m.path, m);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Answers a session gave: whatever was derived from them (a manifest's match) still holds
     * while they are {@link #unchanged()}. Read after a new session's drain, that is "nothing
     * about them changed before this lookup began".
     */
    public static final class Dependencies {
        private final Memo[] memos;

        Dependencies(Memo[] memos) {
            this.memos = memos;
        }

        /** Whether no event about any of them has been read: each answer would be given again. */
        public boolean unchanged() {
            for (Memo m : memos) {
                if (m.state != VALID) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Counters for the daemon's log and tests: answers from memory, real stats, times all was forgotten. */
    public long[] counts() {
        return new long[] {answered.get(), stated.get(), forgotten.get()};
    }

    /** Registrations tried by the background thread (tests). */
    long attempts() {
        return attempts.get();
    }

    /** Paths remembered now (tests). */
    int remembered() {
        return memos.size();
    }

    /** Directories whose names are remembered now (tests). */
    int listed() {
        return listings.size();
    }

    /**
     * Watches what {@code path}'s resolution depends on and returns its new, pending memo; or
     * {@code null} when it cannot be watched (then it is stat'ed every time).
     */
    private Memo register(String path) {
        return register(path, false);
    }

    /**
     * {@link #register(String)}, or with {@code listing} a pending listing memo of the directory
     * {@code path}: it depends on the resolution's entries and on names appearing in the
     * directory; its {@link Memo#names} are set already (empty) when there is no directory to list.
     */
    private Memo register(String path, boolean listing) {
        if (!path.startsWith("/")) {
            return null;
        }
        lock.lock();
        try {
            if (full && System.nanoTime() - fullSince > RESTART_AFTER_NANOS) {
                restart(); // the watches of a project built an hour ago make room for today's
            }
            if (descriptor.fd < 0 || full) {
                return null;
            }
            if (memos.size() + listings.size() >= MAX_MEMOS) {
                restart();
            }
            long addedBefore = added;
            Resolution r = resolve(path, this);
            if (r == null) {
                return null;
            }
            List<Watch> dirs = new ArrayList<>(r.entries.size());
            for (String[] entry : r.entries) {
                Watch w = watch(entry[0], true);
                if (w == null) {
                    return null;
                }
                dirs.add(w);
            }
            Watch target = null;
            if (r.target != null) {
                target = watch(r.target, r.targetIsDirectory);
                if (target == null) {
                    return null;
                }
            }
            // When the walk's lstats ran before one of its directories was watched, it is walked
            // again now that they all are: a change in between shows here, any later one as an
            // event. Under watches that were all there before the walk, its answers stand.
            boolean verified = added == addedBefore;
            if (!verified && !same(r, resolve(path, this))) {
                return null;
            }
            Memo m = new Memo(path, listing);
            m.knownAbsent = verified && r.target == null;
            for (int i = 0; i < dirs.size(); i++) {
                dirs.get(i).byName.computeIfAbsent(r.entries.get(i)[1], k -> new Dependents()).add(m);
            }
            if (listing) {
                if (target != null && r.targetIsDirectory) {
                    target.created.add(m);
                } else {
                    m.names = Set.of(); // nothing there, or a file: every name under it is absent (ENOENT, ENOTDIR)
                }
                listings.put(path, m);
                return m;
            }
            if (target != null) {
                (r.targetIsDirectory ? target.any : target.self).add(m);
            }
            memos.put(path, m);
            return m;
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "not watched: " + path, e);
            return null;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The directory entries a path's resolution walks through, as (real directory, name) pairs,
     * and the real path it ends at ({@code null} when a component does not exist).
     */
    record Resolution(List<String[]> entries, String target, boolean targetIsDirectory) {}

    /**
     * Walks {@code path} as the kernel does: component by component from the root, a symbolic
     * link's target spliced in where it stands, ".." taken from the real directory reached so
     * far. {@code null} when the walk cannot be followed (a permission, a loop).
     */
    static Resolution resolve(String path) throws IOException {
        return resolve(path, null);
    }

    /**
     * Where the walk of a directory prefix of a path ended: its real path and the entries it
     * went through; valid while {@link #valid} is (it is registered on those entries).
     */
    private record Prefix(String real, List<String[]> entries, Memo valid) {}

    /** Directory prefixes already walked (under the lock): a candidate then costs one lstat, not one per component. */
    private final Map<String, Prefix> prefixes = new HashMap<>();

    /**
     * {@link #resolve(String)}, starting from the longest directory prefix of {@code path} in
     * {@code known} that is still valid, and remembering the prefixes walked (when {@code known}
     * is not null).
     */
    private static Resolution resolve(String path, FileWatch known) throws IOException {
        String[] parts = path.split("/");
        int last = parts.length - 1;
        while (last > 0 && (parts[last].isEmpty())) {
            last--; // "a/b/" walks as "a/b"
        }
        List<String[]> entries = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        String cur = "/";
        int from = 0;
        if (known != null) {
            StringBuilder lexical = new StringBuilder();
            int best = -1;
            Prefix hit = null;
            for (int i = 0; i < last; i++) {
                lexical.append(parts[i]).append('/');
                Prefix p = known.prefixes.get(lexical.toString());
                if (p != null && p.valid.state == VALID) {
                    best = i;
                    hit = p;
                }
            }
            if (hit != null) {
                cur = hit.real;
                for (String[] e : hit.entries) {
                    entries.add(e);
                    seen.add(e[0] + '\0' + e[1]);
                }
                from = best + 1;
            }
        }
        int[] links = {0};
        StringBuilder lexical = new StringBuilder();
        for (int i = 0; i < from; i++) {
            lexical.append(parts[i]).append('/');
        }
        for (int i = from; i <= last; i++) {
            Step step = step(cur, parts[i], entries, seen, links);
            if (step == null) {
                return null;
            }
            if (step.real == null) {
                return new Resolution(entries, null, false);
            }
            cur = step.real;
            lexical.append(parts[i]).append('/');
            if (i == last) {
                return new Resolution(entries, cur, step.directory);
            }
            if (!step.directory) {
                return new Resolution(entries, null, false); // a component under a file: ENOTDIR
            }
            if (known != null && !parts[i].isEmpty()) {
                known.remember(lexical.toString(), cur, entries);
            }
        }
        return new Resolution(entries, cur, true);
    }

    /** Where one step of a walk ended: {@code real} null when absent. */
    private record Step(String real, boolean directory) {}

    /**
     * Takes component {@code c} from the real directory {@code cur}: an entry to watch, and a
     * symbolic link's target walked in its place. {@code null} when the walk cannot go on.
     */
    private static Step step(String cur, String c, List<String[]> entries, Set<String> seen, int[] links)
            throws IOException {
        if (c.isEmpty() || c.equals(".")) {
            return new Step(cur, true);
        }
        if (c.equals("..")) {
            return new Step(parent(cur), true);
        }
        if (seen.add(cur + '\0' + c)) {
            entries.add(new String[] {cur, c});
        }
        String next = cur.equals("/") ? "/" + c : cur + "/" + c;
        int kind = FileStat.kindNoFollow(Path.of(next));
        switch (kind) {
            case FileStat.ABSENT:
                return new Step(null, false);
            case FileStat.DIRECTORY:
                return new Step(next, true);
            case FileStat.REGULAR:
                return new Step(next, false);
            case FileStat.LINK:
                break;
            default:
                return null; // a FIFO, a device: not hashed anyway
        }
        if (++links[0] > MAX_LINKS) {
            return null;
        }
        String target = Files.readSymbolicLink(Path.of(next)).toString();
        String at = target.startsWith("/") ? "/" : cur;
        String[] parts = target.split("/");
        boolean directory = true;
        for (int i = 0; i < parts.length; i++) {
            if (!directory) {
                return new Step(null, false);
            }
            Step s = step(at, parts[i], entries, seen, links);
            if (s == null || s.real == null) {
                return s;
            }
            at = s.real;
            directory = s.directory;
        }
        return new Step(at, directory);
    }

    /**
     * Remembers the walk of directory prefix {@code lexical}, valid until one of its entries
     * changes. The walk's lstats ran before its entries were watched, so it is walked once more
     * after: a change in between shows as a different walk (then nothing is remembered), a
     * change after it as an event.
     */
    private void remember(String lexical, String real, List<String[]> entries) throws IOException {
        Prefix old = prefixes.get(lexical);
        if (old != null && old.valid.state == VALID) {
            return;
        }
        Memo valid = new Memo("\0prefix " + lexical);
        List<String[]> copy = List.copyOf(entries);
        for (String[] e : copy) {
            Watch w = watch(e[0], true);
            if (w == null) {
                return; // not watchable: walked again next time
            }
            w.byName.computeIfAbsent(e[1], k -> new Dependents()).add(valid);
        }
        Resolution check = resolve(lexical, null);
        if (check == null || !real.equals(check.target()) || !sameEntries(copy, check.entries())) {
            valid.state = INVALID;
            return;
        }
        valid.state = VALID;
        prefixes.put(lexical, new Prefix(real, copy, valid));
    }

    static boolean sameEntries(List<String[]> a, List<String[]> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!Arrays.equals(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    static boolean same(Resolution a, Resolution b) {
        return b != null && java.util.Objects.equals(a.target(), b.target()) && a.targetIsDirectory() == b.targetIsDirectory()
                && sameEntries(a.entries(), b.entries());
    }

    private static String parent(String dir) {
        int slash = dir.lastIndexOf('/');
        return slash <= 0 ? "/" : dir.substring(0, slash);
    }

    /** The watch of the real path {@code path}, added if needed; {@code null} when it cannot be watched. */
    private Watch watch(String path, boolean directory) throws IOException {
        Watch w = byPath.get(path);
        if (w != null) {
            return w;
        }
        FileStat s = FileStat.ofOrNull(Path.of(path));
        if (s == null || s.directory() != directory || !local(s.device(), path)) {
            return null;
        }
        int wd;
        try {
            wd = natives.addWatch(descriptor.fd, path, directory ? DIR_MASK : FILE_MASK);
        } catch (Throwable e) {
            // ENOSPC: the user's watch limit (fs.inotify.max_user_watches); EACCES: not ours to read
            if (natives.errno(e) == 28) {
                full = true;
                fullSince = System.nanoTime();
                LOG.info("inotify watch limit reached (fs.inotify.max_user_watches): further files are stat'ed on every lookup");
            }
            return null;
        }
        added++;
        w = byWd.get(wd);
        if (w == null) { // the same inode under another path shares its watch descriptor
            w = new Watch(wd, path);
            byWd.put(wd, w);
        }
        byPath.put(path, w);
        return w;
    }

    private boolean local(long device, String path) {
        Boolean known = localDevices.get(device);
        if (known == null) {
            String type;
            try {
                type = Files.getFileStore(Path.of(path)).type();
            } catch (IOException | RuntimeException e) {
                type = "";
            }
            known = LOCAL.contains(type);
            localDevices.put(device, known);
        }
        return known;
    }

    /** Reads every queued event and forgets the memos they name. */
    void drain() {
        lock.lock();
        long start = System.nanoTime();
        boolean done = false;
        try {
            int fd = descriptor.fd;
            if (fd < 0) {
                done = true; // closed: nothing is answered from memory
                return;
            }
            if (natives.mountsChanged(mounts)) {
                forgetAll();
            }
            while (true) {
                events.clear();
                int n;
                try {
                    n = natives.read(fd, eventsAddress, events.capacity());
                } catch (Throwable e) {
                    if (natives.errno(e) != 11) { // EAGAIN: nothing more
                        LOG.log(Level.WARNING, "inotify read failed; change notification off", e);
                        forgetAll();
                        closeFd();
                    }
                    done = true;
                    return;
                }
                if (n <= 0) {
                    done = true;
                    return;
                }
                events.limit(n);
                handle(events);
            }
        } finally {
            if (done) { // read to the end, or everything forgotten: no change made before it is unknown
                drainedSince = start;
            }
            lock.unlock();
        }
    }

    /** Applies the events in {@code b} (struct inotify_event records, native byte order). */
    private void handle(ByteBuffer b) {
        while (b.remaining() >= 16) {
            int wd = b.getInt();
            int mask = b.getInt();
            b.getInt(); // cookie
            int len = b.getInt();
            String name = null;
            if (len > 0) {
                int start = b.position();
                int end = start;
                while (end < start + len && b.get(end) != 0) {
                    end++;
                }
                byte[] bytes = new byte[end - start];
                b.get(start, bytes);
                name = new String(bytes, StandardCharsets.UTF_8);
                b.position(start + len);
            }
            event(wd, mask, name);
        }
    }

    /** One event: {@code name} is the directory entry's, {@code null} for the watched file or directory itself. */
    void event(int wd, int mask, String name) {
        if ((mask & (IN_Q_OVERFLOW | IN_UNMOUNT)) != 0) {
            forgetAll();
            return;
        }
        Watch w = byWd.get(wd);
        if (w == null) {
            return;
        }
        if ((mask & IN_IGNORED) != 0) { // the watch is gone (file deleted, file system unmounted)
            fireAll(w);
            byWd.remove(wd);
            byPath.values().removeIf(x -> x == w);
            return;
        }
        fire(w.any);
        if ((mask & (IN_CREATE | IN_MOVED_TO)) != 0 && w.created.size() > 0) {
            for (Memo m : w.created.memos) {
                if (m.state != INVALID && churning.size() < 100_000) {
                    churning.add(m.path);
                }
            }
            fire(w.created);
        }
        if (name != null) {
            Dependents named = w.byName.remove(name);
            if (named != null) {
                fire(named);
            }
        } else {
            fireAll(w);
        }
    }

    private void fireAll(Watch w) {
        fire(w.self);
        fire(w.any);
        fire(w.created);
        for (Dependents l : w.byName.values()) {
            fire(l);
        }
        w.byName.clear();
    }

    private void fire(Dependents list) {
        for (Memo m : list.memos) {
            m.state = INVALID;
            (m.listing ? listings : memos).remove(m.path, m);
        }
        list.memos.clear();
        list.sweepAt = 8;
    }

    private void forgetAll() {
        forgotten.incrementAndGet();
        for (Memo m : memos.values()) {
            m.state = INVALID;
        }
        memos.clear();
        for (Memo m : listings.values()) {
            m.state = INVALID;
        }
        listings.clear();
        churning.clear();
        for (Prefix p : prefixes.values()) {
            p.valid.state = INVALID;
        }
        prefixes.clear();
        for (Watch w : byWd.values()) {
            w.self.memos.clear();
            w.any.memos.clear();
            w.created.memos.clear();
            w.byName.clear();
        }
    }

    /**
     * Forgets everything and drops every watch: a new inotify instance, empty tables. A daemon
     * that lives for weeks would otherwise keep the watches of every tree it ever looked at.
     */
    void restart() {
        lock.lock();
        try {
            forgetAll();
            int old = descriptor.fd;
            if (old < 0) {
                return; // closed, or turned off after a read failure: stays off
            }
            try {
                descriptor.fd = natives.init();
            } catch (Throwable e) {
                descriptor.fd = -1;
                LOG.info("change notification off: a new inotify instance failed (" + e + ")");
            }
            natives.close(old);
            byWd.clear();
            byPath.clear();
            full = false;
        } finally {
            lock.unlock();
        }
    }

    private void closeFd() {
        descriptor.run();
    }

    @Override
    public void close() {
        registrar.shutdownNow();
        lock.lock();
        try {
            forgetAll();
            closeFd();
        } finally {
            lock.unlock();
        }
    }

    /** The JDK's inotify natives and its direct buffers' addresses, through method handles. */
    static final class Natives {
        private static volatile Natives instance;

        private final MethodHandle init;
        private final MethodHandle addWatch;
        private final MethodHandle configureBlocking;
        private final MethodHandle read;
        private final MethodHandle close;
        private final MethodHandle asNativeBuffer;
        private final MethodHandle nativeAddress;
        private final MethodHandle release;
        private final MethodHandle errno;
        private final Class<?> unixException;
        private final MethodHandle address;
        private final MethodHandle open;
        private final MethodHandle newFd;
        private final MethodHandle poll;

        private Natives() throws ReflectiveOperationException {
            Class<?> watchService = Class.forName("sun.nio.fs.LinuxWatchService");
            Class<?> dispatcher = Class.forName("sun.nio.fs.UnixNativeDispatcher");
            Class<?> buffers = Class.forName("sun.nio.fs.NativeBuffers");
            Class<?> buffer = Class.forName("sun.nio.fs.NativeBuffer");
            unixException = Class.forName("sun.nio.fs.UnixException");
            MethodHandles.Lookup ws = MethodHandles.privateLookupIn(watchService, MethodHandles.lookup());
            init = ws.findStatic(watchService, "inotifyInit", MethodType.methodType(int.class));
            addWatch = ws.findStatic(watchService, "inotifyAddWatch",
                    MethodType.methodType(int.class, int.class, long.class, int.class));
            configureBlocking = ws.findStatic(watchService, "configureBlocking",
                    MethodType.methodType(void.class, int.class, boolean.class));
            MethodHandles.Lookup nd = MethodHandles.privateLookupIn(dispatcher, MethodHandles.lookup());
            read = nd.findStatic(dispatcher, "read", MethodType.methodType(int.class, int.class, long.class, int.class));
            close = nd.findStatic(dispatcher, "close", MethodType.methodType(void.class, int.class));
            MethodHandles.Lookup nb = MethodHandles.privateLookupIn(buffers, MethodHandles.lookup());
            asNativeBuffer = nb.findStatic(buffers, "asNativeBuffer", MethodType.methodType(buffer, byte[].class))
                    .asType(MethodType.methodType(Object.class, byte[].class));
            MethodHandles.Lookup bl = MethodHandles.privateLookupIn(buffer, MethodHandles.lookup());
            nativeAddress = bl.findVirtual(buffer, "address", MethodType.methodType(long.class))
                    .asType(MethodType.methodType(long.class, Object.class));
            release = bl.findVirtual(buffer, "release", MethodType.methodType(void.class))
                    .asType(MethodType.methodType(void.class, Object.class));
            MethodHandles.Lookup ue = MethodHandles.privateLookupIn(unixException, MethodHandles.lookup());
            errno = ue.findVirtual(unixException, "errno", MethodType.methodType(int.class))
                    .asType(MethodType.methodType(int.class, Throwable.class));
            open = nd.findStatic(dispatcher, "open",
                    MethodType.methodType(int.class, Class.forName("sun.nio.fs.UnixPath"), int.class, int.class))
                    .asType(MethodType.methodType(int.class, Path.class, int.class, int.class));
            Class<?> ioUtil = Class.forName("sun.nio.ch.IOUtil");
            newFd = MethodHandles.privateLookupIn(ioUtil, MethodHandles.lookup()).findStatic(ioUtil, "newFD",
                    MethodType.methodType(java.io.FileDescriptor.class, int.class));
            Class<?> net = Class.forName("sun.nio.ch.Net");
            poll = MethodHandles.privateLookupIn(net, MethodHandles.lookup()).findStatic(net, "poll",
                    MethodType.methodType(int.class, java.io.FileDescriptor.class, int.class, long.class));
            Class<?> direct = Class.forName("sun.nio.ch.DirectBuffer");
            address = MethodHandles.lookup().findVirtual(direct, "address", MethodType.methodType(long.class))
                    .asType(MethodType.methodType(long.class, ByteBuffer.class));
        }

        static Natives get() throws ReflectiveOperationException {
            Natives n = instance;
            if (n == null) {
                n = new Natives();
                instance = n;
            }
            return n;
        }

        long address(ByteBuffer direct) throws Throwable {
            return (long) address.invokeExact(direct);
        }

        int init() throws Throwable {
            int fd = (int) init.invokeExact();
            configureBlocking.invokeExact(fd, false);
            return fd;
        }

        int addWatch(int fd, String path, int mask) throws Throwable {
            byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
            Object buf = asNativeBuffer.invokeExact(bytes);
            try {
                return (int) addWatch.invokeExact(fd, (long) nativeAddress.invokeExact(buf), mask);
            } finally {
                release.invokeExact(buf);
            }
        }

        /** {@code /proc/self/mountinfo} opened for reading (it is never read: only polled). */
        int openMounts() throws Throwable {
            return (int) open.invokeExact(Path.of("/proc/self/mountinfo"), 0 /* O_RDONLY */, 0);
        }

        java.io.FileDescriptor fd(int fd) throws Throwable {
            return (java.io.FileDescriptor) newFd.invokeExact(fd);
        }

        /**
         * Whether the mount table changed since the last call: the kernel marks the open file
         * with POLLPRI | POLLERR once per change (fs/proc_namespace.c, mounts_poll). A poll that
         * fails counts as a change.
         */
        boolean mountsChanged(java.io.FileDescriptor mounts) {
            try {
                return ((int) poll.invokeExact(mounts, POLLPRI | POLLERR, 0L) & (POLLPRI | POLLERR)) != 0;
            } catch (Throwable e) {
                return true;
            }
        }

        private static final int POLLPRI = 0x2;
        private static final int POLLERR = 0x8;

        int read(int fd, long address, int length) throws Throwable {
            return (int) read.invokeExact(fd, address, length);
        }

        void close(int fd) {
            try {
                close.invokeExact(fd);
            } catch (Throwable e) {
                LOG.log(Level.FINE, "inotify close", e);
            }
        }

        /** The errno of a {@code UnixException}, or -1. */
        int errno(Throwable e) {
            if (!unixException.isInstance(e)) {
                return -1;
            }
            try {
                return (int) errno.invokeExact(e);
            } catch (Throwable t) {
                return -1;
            }
        }
    }
}
