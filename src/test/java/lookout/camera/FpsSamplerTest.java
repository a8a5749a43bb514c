package lookout.camera;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class FpsSamplerTest {

    private static List<Long> kept(FpsSampler sampler, double sourceFps, int frames) {
        List<Long> kept = new ArrayList<>();
        for (int i = 0; i < frames; i++) {
            long ts = Math.round(i * 1_000_000d / sourceFps); // microseconds, rounded like a demuxer's
            if (sampler.keep(ts)) {
                kept.add(ts);
            }
        }
        return kept;
    }

    @Test
    void shouldKeepEveryFrameWhenNoRateIsSet() {
        assertThat(kept(new FpsSampler(0), 30, 90)).hasSize(90);
    }

    @Test
    void shouldKeepEveryFrameWhenTheTargetIsAboveTheSourceRate() {
        assertThat(kept(new FpsSampler(60), 25, 100)).hasSize(100);
    }

    @Test
    void shouldHalveA30FpsSourceTo15ExactlyEveryOtherFrame() {
        List<Long> kept = kept(new FpsSampler(15), 30, 300);
        assertThat(kept).hasSize(150);
        for (int i = 1; i < kept.size(); i++) {
            assertThat(kept.get(i) - kept.get(i - 1)).isBetween(66_666L, 66_667L);
        }
    }

    @Test
    void shouldSpreadANonDividingRateEvenly() {
        // 25 fps down to 10 fps: 2.5 source frames per kept frame, so gaps of 2 and 3 frames only
        List<Long> kept = kept(new FpsSampler(10), 25, 250);
        assertThat(kept).hasSizeBetween(99, 101);
        for (int i = 1; i < kept.size(); i++) {
            assertThat(kept.get(i) - kept.get(i - 1)).isIn(80_000L, 120_000L);
        }
    }

    @Test
    void shouldNotBurstAfterAGapInTheSource() {
        FpsSampler sampler = new FpsSampler(5);
        assertThat(sampler.keep(0)).isTrue();
        // ten seconds without frames, then frames at 25 fps again
        int burst = 0;
        for (long ts = 10_000_000; ts < 10_200_000; ts += 40_000) {
            burst += sampler.keep(ts) ? 1 : 0;
        }
        assertThat(burst).isEqualTo(1);
    }

    @Test
    void shouldStartOverWhenTimestampsJumpBackwards() {
        FpsSampler sampler = new FpsSampler(1);
        assertThat(sampler.keep(50_000_000)).isTrue();
        assertThat(sampler.keep(0)).as("a looped file or a new connection starts again at zero").isTrue();
        assertThat(sampler.keep(100_000)).isFalse();
        assertThat(sampler.keep(1_000_000)).isTrue();
    }
}
