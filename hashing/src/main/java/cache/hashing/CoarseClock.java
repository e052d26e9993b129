package cache.hashing;

import java.lang.invoke.MethodHandle;
import java.lang.reflect.Array;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The kernel's coarse real-time clock ({@code CLOCK_REALTIME_COARSE}): the clock that stamps
 * files' mtime and ctime. Every write after a reading of it stamps the file with that reading or
 * a later one; the fine clock gives no such promise (a write just after a fine reading may get an
 * earlier, coarse stamp). Read through the JDK's foreign function API ({@code clock_gettime}),
 * which the daemon's JDK has (22 and later); the module is compiled for 17, so it is found by
 * reflection. Where it is not there, {@link #nowNanos()} says so with -1 and callers keep their
 * stricter rule.
 */
public final class CoarseClock {

    private static final Logger LOG = Logger.getLogger(CoarseClock.class.getName());

    /** {@code CLOCK_REALTIME_COARSE} in Linux's {@code <time.h>}. */
    private static final int CLOCK_REALTIME_COARSE = 5;

    private static final Reader READER = Reader.open();

    private CoarseClock() {}

    /** Whether {@link #nowNanos()} reads the clock (false: it always says -1). */
    public static boolean available() {
        return READER != null;
    }

    /** The coarse clock now, in nanoseconds since the epoch; -1 when it cannot be read here. */
    public static long nowNanos() {
        if (READER == null) {
            return -1;
        }
        try {
            return READER.read();
        } catch (Throwable e) {
            LOG.log(Level.FINE, "clock_gettime(CLOCK_REALTIME_COARSE) failed", e);
            return -1;
        }
    }

    /** {@code clock_gettime} bound through {@code java.lang.foreign}, with the layouts to read a timespec. */
    private static final class Reader {
        private final MethodHandle clockGettime;
        private final MethodHandle ofConfinedArena;
        private final MethodHandle allocate;
        private final MethodHandle getLong;
        private final MethodHandle close;

        private Reader(MethodHandle clockGettime, MethodHandle ofConfinedArena, MethodHandle allocate,
                MethodHandle getLong, MethodHandle close) {
            this.clockGettime = clockGettime;
            this.ofConfinedArena = ofConfinedArena;
            this.allocate = allocate;
            this.getLong = getLong;
            this.close = close;
        }

        long read() throws Throwable {
            Object arena = ofConfinedArena.invoke();
            try {
                Object timespec = allocate.invoke(arena, 16L);
                int rc = (int) clockGettime.invoke(CLOCK_REALTIME_COARSE, timespec);
                if (rc != 0) {
                    return -1;
                }
                long seconds = (long) getLong.invoke(timespec, 0L);
                long nanos = (long) getLong.invoke(timespec, 8L);
                return seconds > 0 ? seconds * 1_000_000_000L + nanos : -1;
            } finally {
                close.invoke(arena);
            }
        }

        /** The reader, or null on a JDK without the API (or a platform without the function). */
        static Reader open() {
            if (Runtime.version().feature() < 22) {
                return null;
            }
            try {
                java.lang.invoke.MethodHandles.Lookup l = java.lang.invoke.MethodHandles.publicLookup();
                Class<?> linkerC = Class.forName("java.lang.foreign.Linker");
                Class<?> optionC = Class.forName("java.lang.foreign.Linker$Option");
                Class<?> lookupC = Class.forName("java.lang.foreign.SymbolLookup");
                Class<?> segmentC = Class.forName("java.lang.foreign.MemorySegment");
                Class<?> descriptorC = Class.forName("java.lang.foreign.FunctionDescriptor");
                Class<?> layoutC = Class.forName("java.lang.foreign.MemoryLayout");
                Class<?> valueLayoutC = Class.forName("java.lang.foreign.ValueLayout");
                Class<?> ofLongC = Class.forName("java.lang.foreign.ValueLayout$OfLong");
                Class<?> arenaC = Class.forName("java.lang.foreign.Arena");

                Object linker = linkerC.getMethod("nativeLinker").invoke(null);
                Object stdlib = linkerC.getMethod("defaultLookup").invoke(linker);
                Optional<?> symbol = (Optional<?>) lookupC.getMethod("find", String.class).invoke(stdlib, "clock_gettime");
                if (symbol.isEmpty()) {
                    return null;
                }
                Object javaInt = valueLayoutC.getField("JAVA_INT").get(null);
                Object address = valueLayoutC.getField("ADDRESS").get(null);
                Object javaLong = valueLayoutC.getField("JAVA_LONG").get(null);
                Object args = Array.newInstance(layoutC, 2);
                Array.set(args, 0, javaInt);
                Array.set(args, 1, address);
                Object descriptor = descriptorC.getMethod("of", layoutC, args.getClass()).invoke(null, javaInt, args);
                MethodHandle clockGettime = (MethodHandle) linkerC
                        .getMethod("downcallHandle", segmentC, descriptorC, Array.newInstance(optionC, 0).getClass())
                        .invoke(linker, symbol.get(), descriptor, Array.newInstance(optionC, 0));
                MethodHandle ofConfined = l.unreflect(arenaC.getMethod("ofConfined"));
                MethodHandle allocate = l.unreflect(arenaC.getMethod("allocate", long.class));
                MethodHandle get = l.unreflect(segmentC.getMethod("get", ofLongC, long.class));
                MethodHandle getLong = java.lang.invoke.MethodHandles.insertArguments(get, 1, javaLong);
                MethodHandle close = l.unreflect(arenaC.getMethod("close"));
                Reader r = new Reader(clockGettime, ofConfined, allocate, getLong, close);
                return r.read() > 0 ? r : null;
            } catch (Throwable e) {
                LOG.log(Level.FINE, "no coarse clock through java.lang.foreign", e);
                return null;
            }
        }
    }
}
