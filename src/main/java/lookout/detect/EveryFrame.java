package lookout.detect;

/** Every frame, in order, however late (offline footage, throughput first); only the age bound and overload skip frames. */
public final class EveryFrame implements SchedulingPolicy {
    @Override
    public Decision decide(int partition, String camera, long offset, long serviceTs) {
        return ANALYSE;
    }
}
