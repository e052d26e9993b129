package cache.frontend.daemon;

import cache.distributor.monitor.FarmJobs;
import java.util.List;
import java.util.Locale;

/**
 * {@code cache --monitor}: the farm's jobs in flight in {@code distccmon-text}'s columns (client
 * pid, phase, file, host and slot; sorted by host, then slot), followed by one blank line as
 * each of its refreshes is. A job not yet on a node shows its phase with an empty host, as
 * distcc's own blocked jobs do.
 */
final class MonitorText {

    private MonitorText() {}

    static String render(List<FarmJobs.Row> rows) {
        StringBuilder out = new StringBuilder();
        for (FarmJobs.Row r : rows) {
            // distccmon-text: "%6ld  %-10.10s  %-30.30s %24.24s[%d]\n"
            out.append(String.format(Locale.ROOT, "%6d  %-10.10s  %-30.30s %24.24s[%d]\n", r.pid(),
                    r.phase().label(), tail(r.file(), 30), r.node(), Math.max(0, r.slot())));
        }
        return out.append('\n').toString();
    }

    /** The end of a long path, which names the file (distcc keeps the start and cuts the name off). */
    private static String tail(String s, int width) {
        return s.length() <= width ? s : s.substring(s.length() - width);
    }
}
