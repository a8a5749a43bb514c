package lookout.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import lookout.common.CameraTags;
import lookout.config.FrameLimits;
import lookout.config.LiveSettings;
import lookout.testing.TestFrames;
import lookout.testing.TestSettings;

/**
 * The live page's memory under a flood: 1,000 cameras (as many as it shows) each sending frames of the
 * largest size a frame may have (8 MiB), first junk that fails the frame checks, then frames that pass
 * them. The bytes held never exceed the configured cap, and the heap grows by no more than the cap.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class LiveBufferBoundTest {
    private static final long PER_CAMERA = 16L << 20;
    private static final long TOTAL = 64L << 20;
    private static final int CAMERAS = CameraTags.MAX;
    private final FrameLimits limits = TestSettings.config().frameLimits();
    private final LiveHub hub = new LiveHub(new LiveSettings(true, 2, 320, 70, 16, Duration.ofMinutes(1),
            Duration.ofSeconds(10), PER_CAMERA, TOTAL), limits, System::currentTimeMillis, c -> null);

    @AfterEach
    void tearDown() {
        hub.close();
    }

    /** A JPEG that passes every check short of decoding pixels, padded to exactly the frame limit. */
    private byte[] largestPassingFrame() {
        byte[] jpeg = TestFrames.jpeg(64, 48);
        byte[] big = Arrays.copyOf(Arrays.copyOf(jpeg, jpeg.length - 2), limits.maxBytes());
        big[big.length - 2] = (byte) 0xFF;
        big[big.length - 1] = (byte) 0xD9;
        return big;
    }

    /** G1's region size, or 0 under another collector. */
    private static long g1RegionBytes() {
        try {
            var bean = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            boolean g1 = ManagementFactory.getGarbageCollectorMXBeans().stream().anyMatch(b -> b.getName().startsWith("G1"));
            return g1 ? Long.parseLong(bean.getVMOption("G1HeapRegionSize").getValue()) : 0;
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private static long usedHeapAfterGc(MemoryMXBean memory) throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    @Test
    void shouldHoldNoMoreThanItsByteCapWhenAThousandCamerasSendTheLargestFrames() throws Exception {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        byte[] junk = TestFrames.randomBytes(limits.maxBytes(), 5);
        byte[] passing = largestPassingFrame();
        long before = usedHeapAfterGc(memory);
        assertThat(passing.length).isEqualTo(8 * 1024 * 1024);
        long maxHeld = 0;
        for (int round = 0; round < 2; round++) {
            for (int c = 0; c < CAMERAS; c++) {
                // a fresh array per frame, as the consumer hands over: what is kept is really held
                hub.frame("junk-" + c, round, junk.clone());
                hub.frame("cam-" + c, round, passing.clone());
                maxHeld = Math.max(maxHeld, hub.bufferedBytes());
                assertThat(hub.bufferedBytes()).isLessThanOrEqualTo(TOTAL);
            }
        }
        long after = usedHeapAfterGc(memory);
        // G1 puts an array of half a region or more in whole regions of its own: an 8 MiB frame takes
        // 12 MiB of heap with 4 MiB regions. The cap counts frame bytes; the heap they take is this much.
        long region = g1RegionBytes();
        long perFrame = region <= 0 || passing.length < region / 2 ? passing.length
                : (passing.length + 16 + region - 1) / region * region;
        long heapOfCap = TOTAL / passing.length * perFrame;
        System.out.printf("live buffer under 2 x %d cameras x 8 MiB: held at most %d MiB (cap %d MiB), %d frames now, "
                + "%d refused; heap %d -> %d MiB (the held frames take %d MiB of heap in %d MiB regions)%n", CAMERAS,
                maxHeld >> 20, TOTAL >> 20, hub.bufferedFrames(), hub.refusedFrames(), before >> 20, after >> 20,
                heapOfCap >> 20, region >> 20);
        assertThat(maxHeld).isLessThanOrEqualTo(TOTAL).isGreaterThan(TOTAL - (8L << 20)); // full, never over
        assertThat(hub.refusedFrames()).isEqualTo(2L * CAMERAS); // every junk frame
        // 1,000 camera tiles (a chart each) and the JIT's leftovers come on top: 32 MiB of slack
        assertThat(after - before).as("heap growth").isLessThan(heapOfCap + (32L << 20));
    }
}
