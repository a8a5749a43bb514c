package lookout.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import lookout.config.FrameLimits;
import lookout.frames.FrameDecoder;
import lookout.inference.InferencePool;
import lookout.testing.TestFrames;

@Timeout(10)
class LookaheadTest {
    private static final byte[] JPEG = TestFrames.jpeg(32, 24);
    private final List<String> wasted = new CopyOnWriteArrayList<>();
    private final AtomicInteger wakes = new AtomicInteger();
    private final Lookahead ahead = new Lookahead(new FrameDecoder(new FrameLimits(200_000, 8192, 8192L * 4608)),
            wasted::add);

    {
        ahead.onArrival(wakes::incrementAndGet);
    }

    @Test
    void shouldKeepOnlyTheNewestLandedFrameOfACameraAndWakeTheWorkers() {
        // Given frames 3, 5 and 4 of cam1 landing in that order
        ahead.landed(0, "cam1", 3, 1000, JPEG);
        ahead.landed(0, "cam1", 5, 1100, JPEG);
        ahead.landed(0, "cam1", 4, 1050, JPEG);
        // Then one frame waits, the newest, and the workers were woken for each newer one
        assertThat(ahead.hasWork()).isTrue();
        assertThat(ahead.waiting()).isEqualTo(1);
        assertThat(wakes.get()).isEqualTo(2);
        assertThat(ahead.next().offset()).isEqualTo(5);
        assertThat(ahead.hasWork()).isFalse();
        assertThat(ahead.next()).isNull();
    }

    @Test
    void shouldStartTheCameraWhoseWaitingFrameWasCapturedLongestAgoFirst() {
        // Given a fast camera's frame captured after a slow camera's
        ahead.landed(0, "fast", 9, 2000, JPEG);
        ahead.landed(1, "slow", 2, 1500, JPEG);
        // Then the slow camera's frame is started first
        assertThat(ahead.next().camera()).isEqualTo("slow");
        assertThat(ahead.next().camera()).isEqualTo("fast");
    }

    @Test
    void shouldHandTheStartedResultToTheStreamThreadAndSupersedeTheFramesItOvertakes() throws Exception {
        // Given frame 7 of cam1 started ahead and finished
        ahead.landed(0, "cam1", 7, 1000, JPEG);
        Lookahead.Analysis a = ahead.next();
        InferencePool.Result r = new InferencePool.Result(List.of(), 0, 1, 1);
        a.complete(r);
        // When the stream thread reaches frames 5, 6 and 7, and then 8
        // Then 5 and 6 are overtaken, 7 takes the result (no second inference), 8 goes the usual way
        assertThat(ahead.decide(0, "cam1", 5)).isInstanceOf(Lookahead.Overtaken.class);
        assertThat(ahead.decide(0, "cam1", 6)).isInstanceOf(Lookahead.Overtaken.class);
        Lookahead.Decision seven = ahead.decide(0, "cam1", 7);
        assertThat(seven).isInstanceOf(Lookahead.Started.class);
        assertThat(((Lookahead.Started) seven).result().get()).isSameAs(r);
        assertThat(ahead.decide(0, "cam1", 8)).isInstanceOf(Lookahead.Usual.class);
        assertThat(wasted).isEmpty();
    }

    @Test
    void shouldNeverStartAFrameItsStreamThreadHasAlreadyReached() {
        // Given frame 4 of cam1 waiting, and the stream thread reaching it first
        ahead.landed(0, "cam1", 4, 1000, JPEG);
        assertThat(ahead.decide(0, "cam1", 4)).isInstanceOf(Lookahead.Usual.class);
        // Then no worker starts it, nor an older frame landing late
        assertThat(ahead.next()).isNull();
        ahead.landed(0, "cam1", 3, 900, JPEG);
        assertThat(ahead.hasWork()).isFalse();
        // And another camera of the partition is unaffected
        ahead.landed(0, "cam2", 2, 900, JPEG);
        assertThat(ahead.next().camera()).isEqualTo("cam2");
    }

    @Test
    void shouldCountAnAnalysisThatNoStreamThreadTookAsWasted() {
        // Given frame 1 of cam1 started, then frame 2 started before the stream thread reached 1
        ahead.landed(0, "cam1", 1, 1000, JPEG);
        ahead.next();
        ahead.landed(0, "cam1", 2, 1100, JPEG);
        ahead.next();
        // And frame 1 of cam2 started, then its partition moving away
        ahead.landed(3, "cam2", 1, 1000, JPEG);
        ahead.next();
        ahead.forget(3);
        // Then both unused analyses are counted, and cam1's frame 1 is answered overtaken
        assertThat(wasted).containsExactlyInAnyOrder("cam1", "cam2");
        assertThat(ahead.decide(0, "cam1", 1)).isInstanceOf(Lookahead.Overtaken.class);
        assertThat(ahead.decide(3, "cam2", 1)).isInstanceOf(Lookahead.Usual.class);
    }

    @Test
    void shouldHoldNoFramesForMoreCamerasThanItsBound() {
        for (int i = 0; i < Lookahead.MAX_CAMERAS + 10; i++) {
            ahead.landed(0, "cam" + i, i, 1000, JPEG);
        }
        assertThat(ahead.waiting()).isEqualTo(Lookahead.MAX_CAMERAS);
    }

    @Test
    void shouldDecodeTheFrameInTheWorkerThatRunsIt() throws Exception {
        ahead.landed(0, "cam1", 1, 1000, JPEG);
        assertThat(ahead.next().decode().width()).isEqualTo(32);
    }
}
