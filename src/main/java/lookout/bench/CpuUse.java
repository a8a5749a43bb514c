package lookout.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where the cores went during a bench step, from {@code /proc}: the detector's process, this
 * process (the embedded broker, the cameras' producer and the answers' reader) and everything else
 * on the machine. On a host where the broker and the load share the model's cores, the service's
 * rate against the raw model's is bounded by what they take; this says how much that was.
 */
final class CpuUse {
    /** /proc reports CPU time in USER_HZ, 100 on every Linux architecture Lookout runs on. */
    private static final double TICKS_PER_SECOND = 100.0;

    record Snapshot(long nanos, long serviceTicks, long benchTicks, long machineBusyTicks) {
    }

    private CpuUse() {
    }

    static Snapshot now(long servicePid) {
        return new Snapshot(System.nanoTime(), processTicks(servicePid), processTicks(ProcessHandle.current().pid()),
                machineBusyTicks());
    }

    /** Cores used on average between two snapshots: service, broker and load (this process), others. */
    static Map<String, Object> between(Snapshot a, Snapshot b) {
        double seconds = (b.nanos() - a.nanos()) / 1e9;
        double service = (b.serviceTicks() - a.serviceTicks()) / TICKS_PER_SECOND / seconds;
        double bench = (b.benchTicks() - a.benchTicks()) / TICKS_PER_SECOND / seconds;
        double machine = (b.machineBusyTicks() - a.machineBusyTicks()) / TICKS_PER_SECOND / seconds;
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("serviceCores", service);
        r.put("brokerAndLoadCores", bench);
        r.put("otherCores", Math.max(0, machine - service - bench));
        r.put("cpus", Runtime.getRuntime().availableProcessors());
        return r;
    }

    /** utime + stime of a process, or 0 where /proc cannot tell. */
    static long processTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            // the command name in parentheses may hold spaces: the fields that follow are counted from its end
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** Busy time of all CPUs together (user, nice, system, irq, softirq, steal). */
    static long machineBusyTicks() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i < Math.min(f.length, 9); i++) {
                if (i != 4 && i != 5) { // idle, iowait
                    busy += Long.parseLong(f[i]);
                }
            }
            return busy;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
