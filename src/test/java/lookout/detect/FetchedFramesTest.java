package lookout.detect;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FetchedFramesTest {
    private final FetchedFrames frames = new FetchedFrames();

    @Test
    void shouldChaseAFrameInTheLogOnlyWhenItIsMoreThanOneAnalysisNewer() {
        // Given analyses of 100 ms each and frame 0 of cam1 in hand, captured at t = 1000 ms
        for (int i = 0; i < 5; i++) {
            frames.analysed(0, "cam1", 100_000_000L);
        }
        assertThat(frames.chaseGainMs()).isEqualTo(100);
        frames.fetched(0, "cam1", 0);
        // When the log holds a frame captured 89 ms later (a camera slightly faster than the model)
        frames.logged(0, "cam1", 1, 1_089);
        // Then the frame in hand is analysed: a poll for one 89 ms fresher would leave the model idle
        assertThat(frames.newerWaiting(0, "cam1", 0, 1_000)).isFalse();
        // When the log holds one captured 150 ms later, Then it is worth the poll
        frames.logged(0, "cam1", 2, 1_150);
        assertThat(frames.newerWaiting(0, "cam1", 0, 1_000)).isTrue();
    }

    @Test
    void shouldKeepAFloorOfFiftyMillisecondsForAFastModel() {
        // Given analyses of 5 ms
        for (int i = 0; i < 5; i++) {
            frames.analysed(0, "cam1", 5_000_000L);
        }
        // Then a poll is still only worth a frame more than 50 ms fresher
        assertThat(frames.chaseGainMs()).isEqualTo(FetchedFrames.CHASE_MIN_GAIN_MS);
        frames.fetched(0, "cam1", 0);
        frames.logged(0, "cam1", 1, 1_040);
        assertThat(frames.newerWaiting(0, "cam1", 0, 1_000)).isFalse();
    }

    @Test
    void shouldSayAnotherCamerasFrameWaitsOnlyForALaterFrameOfAnotherCameraInTheSamePartition() {
        frames.fetched(0, "cam1", 9);
        frames.fetched(1, "cam2", 9);
        frames.fetched(0, "cam3", 4);
        // the camera itself, another partition, an earlier offset: nothing waits behind frame 5 of cam1
        assertThat(frames.otherCameraWaiting(0, "cam1", 5)).isFalse();
        // cam1's later frame waits behind frame 5 of cam3 on partition 0, fetched
        assertThat(frames.otherCameraWaiting(0, "cam3", 5)).isTrue();
        // or only landed in the log
        frames.logged(1, "cam4", 12, 1000);
        assertThat(frames.otherCameraWaiting(1, "cam2", 9)).isTrue();
        frames.forget(1);
        assertThat(frames.otherCameraWaiting(1, "cam2", 9)).isFalse();
    }

    @Test
    void shouldAnalyseASharedPartitionsSecondCameraOnItsTurnThoughItsNextFrameHasArrived() {
        // Given cam1 and cam2 on partition 0, their frames interleaved in the log, cam1 analysed last
        frames.fetched(0, "cam1", 10);
        frames.fetched(0, "cam2", 11);
        frames.analysed(0, "cam2", 100_000_000L);
        frames.analysed(0, "cam1", 100_000_000L);
        // When the thread, running late, reaches frame 11 of cam2 with cam1's 12 and cam2's 13 fetched
        frames.fetched(0, "cam1", 12);
        frames.fetched(0, "cam2", 13);
        // Then cam2's frame is analysed: superseding it would hand cam1 the next analysis again
        assertThat(frames.newerWaiting(0, "cam2", 11, 1_000)).isFalse();
        // but cam1, whose turn it is not, still goes to its newest frame (were 14 fetched)
        frames.fetched(0, "cam1", 14);
        assertThat(frames.newerWaiting(0, "cam1", 12, 1_000)).isTrue();
    }

    @Test
    void shouldSupersedeACamerasFrameOnItsTurnWhenItsNextFrameComesBeforeTheOtherCamerasNewest() {
        // Given slow cam2's turn on partition 0 (cam1 analysed last) and cam1 sending five times as fast
        frames.analysed(0, "cam1", 100_000_000L);
        fetch(0, "cam2", 10);
        fetch(0, "cam1", 11, 12, 13);
        fetch(0, "cam2", 14);
        fetch(0, "cam1", 15, 16);
        // Then frame 10 of cam2 is superseded: the thread reaches cam2's frame 14 before cam1's newest
        // (16), so cam2 keeps its turn with a fresher frame, and analysing 10 too would take cam1's
        assertThat(frames.newerWaiting(0, "cam2", 10, 1_000)).isTrue();
    }

    @Test
    void shouldStillCollapseABacklogToTheNewestFrameOnACamerasTurn() {
        // Given cam2's turn on partition 0 (cam1 analysed last)
        frames.analysed(0, "cam1", 100_000_000L);
        // When two newer frames of cam2 wait behind its frame 3, fetched or only in the log
        fetch(0, "cam2", 3, 5, 7);
        assertThat(frames.newerWaiting(0, "cam2", 3, 1_000)).isTrue();
        frames.logged(1, "cam2", 20, 5_000);
        frames.logged(1, "cam2", 21, 5_200);
        frames.analysed(1, "cam1", 100_000_000L);
        assertThat(frames.newerWaiting(1, "cam2", 19, 4_800)).isTrue();
    }

    @Test
    void shouldGiveALoneCameraNoTurnExceptionSoItsNewestFrameIsAnalysed() {
        frames.analysed(0, "cam1", 100_000_000L);
        fetch(0, "cam1", 4, 5);
        assertThat(frames.newerWaiting(0, "cam1", 4, 1_000)).isTrue();
        // nor after a restart of the task, which forgets whose turn it was
        frames.analysed(2, "cam2", 100_000_000L);
        frames.forget(2);
        fetch(2, "cam1", 4, 5);
        assertThat(frames.newerWaiting(2, "cam1", 4, 1_000)).isTrue();
    }

    private void fetch(int partition, String camera, long... offsets) {
        for (long offset : offsets) {
            frames.fetched(partition, camera, offset);
        }
    }
}
