package cache.frontend.it;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's real {@code distccd} on a loopback address and a free port, in the foreground, its
 * log (every job's summary line) in a file of the test's; stopped by {@link #stop}. Started as
 * root, distccd runs as its own user, who cannot open a file in a test's private directory:
 * its log goes to stderr, a file this process opened for it.
 */
final class DistccdProcess {

    /** distccd's summary of a job whose compiler ran, successful or not. */
    private static final Pattern JOB = Pattern.compile("\\(dcc_job_summary\\) client: \\S+ COMPILE_(OK|ERROR) ");
    private static final Pattern COMPILE_OK = Pattern.compile("COMPILE_OK exit:0");

    final String address;
    final int port;
    final int slots;
    final Process process;
    private final Path logFile;

    private DistccdProcess(String address, int port, int slots, Process process, Path logFile) {
        this.address = address;
        this.port = port;
        this.slots = slots;
        this.process = process;
        this.logFile = logFile;
    }

    static DistccdProcess start(String address, Path dir, int slots) throws Exception {
        int port = ServerProcesses.free(address);
        Path log = dir.resolve("distccd.log");
        Process p = new ProcessBuilder("distccd", "--daemon", "--no-detach", "--listen", address,
                "--port", String.valueOf(port), "--allow", "127.0.0.0/8", "--jobs", String.valueOf(slots),
                "--log-stderr", "--log-level", "info")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        ServerProcesses.awaitListening("distccd", p, address, port, log);
        return new DistccdProcess(address, port, slots, p, log);
    }

    /** Its entry in a host list: {@code ADDRESS:PORT/SLOTS}. */
    String entry() {
        return address + ":" + port + "/" + slots;
    }

    /** Jobs distccd says it compiled successfully: its {@code COMPILE_OK} summary lines. */
    int compiled() {
        return count(COMPILE_OK);
    }

    /** Jobs whose compiler distccd ran, successful or failed: its {@code COMPILE_OK} and {@code COMPILE_ERROR} summaries. */
    int jobs() {
        return count(JOB);
    }

    private int count(Pattern p) {
        Matcher m = p.matcher(log());
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    String log() {
        return ServerProcesses.read(logFile);
    }

    void stop() throws InterruptedException {
        ServerProcesses.stop(process);
    }

    @Override
    public String toString() {
        return "distccd " + address + ":" + port;
    }
}
