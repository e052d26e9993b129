package cache.frontend.daemon;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A decoded request from the native client; see {@code docs/client-protocol.md}. Decoding
 * rejects anything malformed with {@link IllegalArgumentException}: a hostile or broken
 * client gets its connection closed and nothing else happens.
 */
record ClientRequest(
        String version,
        String kind,
        String compilerName,
        String compiler,
        List<String> args,
        String cwd,
        Map<String, String> env,
        int umask,
        String ttys,
        long pid,
        long clock) {

    static final int MAX_RECORDS = 1 << 20;
    static final String COMPILE = "compile";
    static final String ADMIN = "admin";
    /** {@code cache --monitor}: the farm's jobs in flight, as text; nothing else is read. */
    static final String MONITOR = "monitor";
    /** A compile from the daemon's own {@link Warmup}, served by its private pipeline. */
    static final String WARMUP = "warmup";

    static ClientRequest decode(byte[] body) {
        String version = null;
        String kind = null;
        String name = null;
        String compiler = null;
        String cwd = null;
        String ttys = "000";
        int umask = 022;
        long pid = 0;
        long clock = 0;
        List<String> args = new ArrayList<>();
        Map<String, String> env = new LinkedHashMap<>();
        int pos = 0;
        int records = 0;
        while (pos < body.length) {
            if (body.length - pos < 5 || ++records > MAX_RECORDS) {
                throw new IllegalArgumentException("truncated record header at " + pos);
            }
            char tag = (char) (body[pos] & 0xff);
            int len = ((body[pos + 1] & 0xff) << 24) | ((body[pos + 2] & 0xff) << 16)
                    | ((body[pos + 3] & 0xff) << 8) | (body[pos + 4] & 0xff);
            pos += 5;
            if (len < 0 || len > body.length - pos) {
                throw new IllegalArgumentException("record length " + len + " exceeds the request");
            }
            String value = new String(body, pos, len, StandardCharsets.UTF_8);
            pos += len;
            if (version == null && tag != 'V') {
                throw new IllegalArgumentException("first record must be V, got " + tag);
            }
            switch (tag) {
                case 'V' -> version = value;
                case 'K' -> kind = value;
                case 'N' -> name = value;
                case 'C' -> compiler = value;
                case 'A' -> args.add(value);
                case 'D' -> cwd = value;
                case 'E' -> {
                    int eq = value.indexOf('=');
                    if (eq > 0) {
                        env.putIfAbsent(value.substring(0, eq), value.substring(eq + 1));
                    }
                }
                case 'U' -> umask = parseOctal(value);
                case 'T' -> ttys = value;
                case 'P' -> pid = parsePid(value);
                case 'S' -> clock = parseClock(value);
                default -> throw new IllegalArgumentException("unknown record tag " + (int) tag);
            }
        }
        if (version == null || kind == null || cwd == null) {
            throw new IllegalArgumentException("request lacks V, K or D");
        }
        if ((kind.equals(COMPILE) || kind.equals(WARMUP)) && (name == null || compiler == null || !compiler.startsWith("/"))) {
            throw new IllegalArgumentException("compile request lacks N or an absolute C");
        }
        if (!cwd.startsWith("/")) {
            throw new IllegalArgumentException("cwd is not absolute: " + cwd);
        }
        return new ClientRequest(version, kind, name, compiler, List.copyOf(args), cwd, env, umask, ttys, pid, clock);
    }

    /** The request as the native client frames it: a 4-byte length, then the records. */
    byte[] encode() {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes(new byte[4]);
        record(out, 'V', version);
        record(out, 'K', kind);
        if (compilerName != null) {
            record(out, 'N', compilerName);
        }
        if (compiler != null) {
            record(out, 'C', compiler);
        }
        for (String a : args) {
            record(out, 'A', a);
        }
        record(out, 'D', cwd);
        env.forEach((k, v) -> record(out, 'E', k + "=" + v));
        record(out, 'U', Integer.toOctalString(umask));
        record(out, 'T', ttys);
        if (pid != 0) {
            record(out, 'P', Long.toString(pid));
        }
        if (clock != 0) {
            record(out, 'S', Long.toString(clock));
        }
        byte[] frame = out.toByteArray();
        java.nio.ByteBuffer.wrap(frame).putInt(frame.length - 4);
        return frame;
    }

    private static void record(java.io.ByteArrayOutputStream out, char tag, String value) {
        byte[] v = value.getBytes(StandardCharsets.UTF_8);
        out.write(tag);
        out.writeBytes(java.nio.ByteBuffer.allocate(4).putInt(v.length).array());
        out.writeBytes(v);
    }

    boolean isTerminal(int fd) {
        return ttys.length() > fd && ttys.charAt(fd) == '1';
    }

    private static int parseOctal(String s) {
        try {
            int v = Integer.parseInt(s, 8);
            if (v < 0 || v > 0777) {
                throw new IllegalArgumentException("bad umask " + s);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad umask " + s, e);
        }
    }

    private static long parseClock(String s) {
        try {
            long v = Long.parseLong(s);
            if (v <= 0) {
                throw new IllegalArgumentException("bad clock " + s);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad clock " + s, e);
        }
    }

    private static long parsePid(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad pid " + s, e);
        }
    }
}
