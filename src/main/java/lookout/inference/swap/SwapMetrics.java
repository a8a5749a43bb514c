package lookout.inference.swap;

import java.util.function.BooleanSupplier;

/** What following the registry reports (the detector's meters implement it). */
public interface SwapMetrics {
    /** A swap ended with this outcome. */
    void modelSwap(String outcome);

    /** A registry record was skipped, for this reason. */
    void registrySkipped(String reason);

    /** A published version was refused, for this reason. */
    void modelRefused(String reason);

    /** Whether the watcher is alive, read when scraped. */
    void watcherUp(BooleanSupplier up);

    /** Whether the registry serves a version this replica refused or cannot fetch, read when scraped. */
    void modelDivergent(BooleanSupplier divergent);
}
