package lookout.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

class CpuUseTest {
    @Test
    void shouldReadThisProcesssCpuTimeAndTheMachinesFromProc() {
        long spent = CpuUse.processTicks(ProcessHandle.current().pid());
        assertTrue(spent > 0, "a JVM that has loaded classes has used CPU time: " + spent);
        assertTrue(CpuUse.machineBusyTicks() >= spent, "the machine's busy time includes this process's");
    }

    @Test
    void shouldCountAProcessThatIsGoneAsNoTime() {
        assertEquals(0, CpuUse.processTicks(Long.MAX_VALUE));
    }

    @Test
    void shouldSplitTheCoresBetweenTheDetectorThisProcessAndTheRest() {
        CpuUse.Snapshot a = new CpuUse.Snapshot(0, 1_000, 500, 2_000);
        CpuUse.Snapshot b = new CpuUse.Snapshot(10_000_000_000L, 2_700, 700, 4_000); // 10 s later
        Map<String, Object> cores = CpuUse.between(a, b);
        assertEquals(1.7, (double) cores.get("serviceCores"), 1e-9);
        assertEquals(0.2, (double) cores.get("brokerAndLoadCores"), 1e-9);
        assertEquals(0.1, (double) cores.get("otherCores"), 1e-9);
    }
}
