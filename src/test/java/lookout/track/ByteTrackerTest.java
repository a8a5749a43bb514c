package lookout.track;

import static lookout.track.TrackedDetection.NO_TRACK;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import lookout.config.TrackerSettings;
import lookout.detections.Detection;

class ByteTrackerTest {
    /** ByteTrack's settings but confirmation after 2 hits and a 5-frame memory, small enough to test. */
    private static final TrackerSettings SETTINGS = TrackerSettings.byteTrack().withMaxMissedFrames(5).withMinHits(2);

    static Detection person(double x, double score) {
        return new Detection("person", (float) score, (float) x, 100f, (float) x + 40f, 220f);
    }

    private static List<Long> ids(List<TrackedDetection> out) {
        return out.stream().map(TrackedDetection::trackId).toList();
    }

    @Test
    void shouldKeepOneIdForAPersonWalkingAcrossFrames() {
        // Given a person walking 4 px/frame
        ByteTracker tracker = new ByteTracker(SETTINGS);
        List<Long> seen = new ArrayList<>();
        // When tracked for 20 frames
        for (int f = 1; f <= 20; f++) {
            seen.addAll(ids(tracker.update(List.of(person(4 * f, 0.9)), f)));
        }
        // Then every frame carries the same id
        assertThat(seen).containsOnly(1L);
    }

    @Test
    void shouldConfirmTracksBornOnTheFirstFrameAtOnce() {
        ByteTracker tracker = new ByteTracker(SETTINGS);
        List<TrackedDetection> out = tracker.update(List.of(person(0, 0.9), person(200, 0.9)), 1);
        assertThat(ids(out)).containsExactly(1L, 2L);
    }

    @Test
    void shouldConfirmALaterNewcomerOnlyAfterMinHits() {
        // Given a tracker already running on one person
        ByteTracker tracker = new ByteTracker(SETTINGS.withMinHits(3));
        tracker.update(List.of(person(0, 0.9)), 1);
        // When a second person appears and stays
        List<Long> newcomer = new ArrayList<>();
        for (int f = 2; f <= 5; f++) {
            newcomer.add(tracker.update(List.of(person(0, 0.9), person(300, 0.9)), f).get(1).trackId());
        }
        // Then they get an id on their third consecutive frame, the next id in line, and keep it
        assertThat(newcomer).containsExactly(NO_TRACK, NO_TRACK, 2L, 2L);
    }

    @Test
    void shouldDropATentativeTrackThatMissesAFrame() {
        // Given a one-frame false positive next to a tracked person
        ByteTracker tracker = new ByteTracker(SETTINGS);
        tracker.update(List.of(person(0, 0.9)), 1);
        tracker.update(List.of(person(0, 0.9), person(300, 0.9)), 2);
        // When it is gone for a frame and then shows up again
        tracker.update(List.of(person(0, 0.9)), 3);
        List<TrackedDetection> out = tracker.update(List.of(person(0, 0.9), person(300, 0.9)), 4);
        // Then it starts over as tentative: no id yet, and no id was spent on the noise
        assertThat(ids(out)).containsExactly(1L, NO_TRACK);
        assertThat(tracker.state().nextId()).isEqualTo(2);
    }

    @Test
    void shouldNeverStartATrackFromALowScoreDetection() {
        ByteTracker tracker = new ByteTracker(SETTINGS);
        for (int f = 1; f <= 5; f++) {
            assertThat(ids(tracker.update(List.of(person(0, 0.4)), f))).containsExactly(NO_TRACK);
        }
        assertThat(tracker.state().tracks()).isEmpty();
    }

    @Test
    void shouldKeepATrackThroughLowScoreDetectionsWhilePartlyHidden() {
        // Given a tracked person whose score drops to 0.3 for three frames (occluded)
        ByteTracker cascade = new ByteTracker(SETTINGS);
        ByteTracker highOnly = new ByteTracker(SETTINGS.withLowScore(SETTINGS.highScore()));
        List<Long> withCascade = new ArrayList<>();
        List<Long> without = new ArrayList<>();
        for (int f = 1; f <= 8; f++) {
            double score = f >= 4 && f <= 6 ? 0.3 : 0.9;
            withCascade.add(cascade.update(List.of(person(3 * f, score)), f).get(0).trackId());
            without.add(highOnly.update(List.of(person(3 * f, score)), f).get(0).trackId());
        }
        // Then the low-score round keeps them on their track; without it those frames are lost
        assertThat(withCascade).containsOnly(1L);
        assertThat(without).containsExactly(1L, 1L, 1L, NO_TRACK, NO_TRACK, NO_TRACK, 1L, 1L);
    }

    @Test
    void shouldTreatAFloatScoreEqualToTheBarAsReachingIt() {
        // Given a bar of 0.9 (a double) and a detection scoring 0.9f (slightly below 0.9 as a double)
        ByteTracker tracker = new ByteTracker(SETTINGS.withHighScore(0.9).withNewTrackScore(0.9));
        // Then it counts as high and starts a track
        assertThat(ids(tracker.update(List.of(person(0, 0.9f)), 1))).containsExactly(1L);
    }

    @Test
    void shouldIgnoreDetectionsBelowTheLowScoreAndKeepInputOrder() {
        ByteTracker tracker = new ByteTracker(SETTINGS);
        List<Detection> dets = List.of(person(300, 0.05), person(0, 0.9));
        List<TrackedDetection> out = tracker.update(dets, 1);
        assertThat(out).extracting(TrackedDetection::detection).containsExactlyElementsOf(dets);
        assertThat(ids(out)).containsExactly(NO_TRACK, 1L);
    }

    @Test
    void shouldReFindAMissedPersonUnderTheirIdWithinMaxMissedFrames() {
        // Given a walking person, then 5 frames with no detection (maxMissedFrames = 5)
        ByteTracker tracker = new ByteTracker(SETTINGS);
        for (int f = 1; f <= 5; f++) {
            tracker.update(List.of(person(4 * f, 0.9)), f);
        }
        for (int f = 6; f <= 10; f++) {
            tracker.update(List.of(), f);
        }
        // When they reappear where their walk leads
        List<TrackedDetection> out = tracker.update(List.of(person(44, 0.9)), 11);
        // Then the id is the old one
        assertThat(ids(out)).containsExactly(1L);
    }

    @Test
    void shouldEndATrackAfterMaxMissedFramesAndGiveTheReturnANewId() {
        // Given a standing person, then 6 frames with no detection (one more than maxMissedFrames)
        ByteTracker tracker = new ByteTracker(SETTINGS.withMinHits(1));
        tracker.update(List.of(person(0, 0.9)), 1);
        for (int f = 2; f <= 7; f++) {
            tracker.update(List.of(), f);
        }
        // Then the track is gone, and the same spot later is someone new
        assertThat(tracker.state().tracks()).isEmpty();
        assertThat(ids(tracker.update(List.of(person(0, 0.9)), 8))).containsExactly(2L);
    }

    @Test
    void shouldNotCountFramesNobodyLookedAtAsMissed() {
        // Given a person seen on frame 1, then the next analysed frame is 7 (frames 2-6 not looked at)
        ByteTracker tracker = new ByteTracker(SETTINGS.withMinHits(1));
        tracker.update(List.of(person(0, 0.9)), 1);
        // When frame 7 has nobody
        tracker.update(List.of(), 7);
        // Then that is one miss, not six: the track lives on (maxMissedFrames = 5)
        assertThat(tracker.state().tracks()).extracting(Track::missed).containsExactly(1);
        // and it ends only after more than maxMissedFrames analysed frames without them
        for (int f = 8; f <= 12; f++) {
            tracker.update(List.of(), f);
        }
        assertThat(tracker.state().tracks()).isEmpty();
    }

    @Test
    void shouldFollowAFastWalkerAcrossAGapByPredictingTheirMotion() {
        // Given a person moving 20 px/frame (half their width), tracked for 10 frames
        ByteTracker tracker = new ByteTracker(SETTINGS);
        for (int f = 1; f <= 10; f++) {
            tracker.update(List.of(person(20 * f, 0.9)), f);
        }
        // When the next analysed frame is 13 and they are at 260 px: no overlap with where they were
        assertThat(new Rect(200, 100, 240, 220).iou(new Rect(260, 100, 300, 220))).isZero();
        List<TrackedDetection> out = tracker.update(List.of(person(260, 0.9)), 13);
        // Then the Kalman prediction over the gap still finds them
        assertThat(ids(out)).containsExactly(1L);
    }

    @Test
    void shouldKeepTwoPeopleWalkingSideBySideApart() {
        // Given two people 30 px apart (overlapping boxes) walking in step
        ByteTracker tracker = new ByteTracker(SETTINGS);
        List<List<Long>> frames = new ArrayList<>();
        for (int f = 1; f <= 15; f++) {
            // listed in alternating order, so input position cannot carry the identity
            List<Detection> dets = f % 2 == 0
                    ? List.of(person(3 * f, 0.9), person(3 * f + 30, 0.8))
                    : List.of(person(3 * f + 30, 0.8), person(3 * f, 0.9));
            List<Long> ids = ids(tracker.update(dets, f));
            frames.add(f % 2 == 0 ? ids : List.of(ids.get(1), ids.get(0)));
        }
        // Then each keeps the id they got on the first frame (the right one, listed first there, got 1)
        assertThat(frames).containsOnly(List.of(2L, 1L));
    }

    @Test
    void shouldTreatASequenceNumberGoingBackAsTheNextFrame() {
        // Given a camera that restarted its numbering
        ByteTracker tracker = new ByteTracker(SETTINGS);
        tracker.update(List.of(person(0, 0.9)), 1000);
        // When the next frame is numbered 1
        List<TrackedDetection> out = tracker.update(List.of(person(2, 0.9)), 1);
        // Then the person keeps their id
        assertThat(ids(out)).containsExactly(1L);
        assertThat(tracker.state().lastFrameSeq()).isEqualTo(1);
    }

    // ---- the colour cue

    private static final TrackerSettings COLOUR = SETTINGS.withAppearance(0.7, 0.5, 0.25);

    /** A colour descriptor with all its weight in one bin: two different bins are as far apart as colours get. */
    static float[] look(int bin) {
        float[] v = new float[lookout.detections.Appearance.LENGTH];
        v[bin] = 1;
        return v;
    }

    private static final float[] RED = look(0);
    private static final float[] BLUE = look(5);

    @Test
    void shouldKeepIdsApartByColourWhereTheBoxesAloneWouldSwapThem() {
        // Given a red and a blue person side by side, overlapping, tracked for a few frames
        ByteTracker boxes = new ByteTracker(SETTINGS);
        ByteTracker colour = new ByteTracker(COLOUR);
        for (int f = 1; f <= 4; f++) {
            List<Detection> dets = List.of(person(100, 0.9), person(130, 0.9));
            boxes.update(dets, f);
            colour.update(dets, List.of(RED, BLUE), f);
        }
        // When they swap places between two frames (the red one now at 125, the blue one at 105)
        List<Detection> swapped = List.of(person(125, 0.9), person(105, 0.9));
        List<Long> byBoxes = ids(boxes.update(swapped, 5));
        List<Long> byColour = ids(colour.update(swapped, List.of(RED, BLUE), 5));
        // Then boxes alone follow the positions and swap the ids; the colours keep red on 1 and blue on 2
        assertThat(byBoxes).containsExactly(2L, 1L);
        assertThat(byColour).containsExactly(1L, 2L);
    }

    @Test
    void shouldReFindALostPersonByColourWhereTheirBoxNoLongerOverlapsThePrediction() {
        // Given a red person tracked standing still, then hidden for 2 frames
        ByteTracker tracker = new ByteTracker(COLOUR);
        for (int f = 1; f <= 3; f++) {
            tracker.update(List.of(person(100, 0.9)), List.of(RED), f);
        }
        tracker.update(List.of(), List.of(), 4);
        tracker.update(List.of(), List.of(), 5);
        // When they reappear 60 px further on (no overlap with where they were), with their colours
        List<TrackedDetection> back = tracker.update(List.of(person(160, 0.9)), List.of(RED), 6);
        // Then they get their id back at once
        assertThat(ids(back)).containsExactly(1L);
    }

    @Test
    void shouldNotGiveALostIdToSomeoneInOtherColours() {
        ByteTracker tracker = new ByteTracker(COLOUR);
        for (int f = 1; f <= 3; f++) {
            tracker.update(List.of(person(100, 0.9)), List.of(RED), f);
        }
        tracker.update(List.of(), List.of(), 4);
        // a blue person where the red one was: not the same person, a new (tentative) track
        List<TrackedDetection> other = tracker.update(List.of(person(105, 0.9)), List.of(BLUE), 5);
        assertThat(ids(other)).containsExactly(NO_TRACK);
    }

    @Test
    void shouldTrackByBoxesAloneWhenNoDescriptorsArePassed() {
        // Given the same walk through a boxes-only tracker and a colour tracker given no descriptors
        ByteTracker boxes = new ByteTracker(SETTINGS);
        ByteTracker colour = new ByteTracker(COLOUR);
        for (int f = 1; f <= 30; f++) {
            List<Detection> dets = f % 7 == 3 ? List.of(person(3 * f, 0.4))
                    : List.of(person(3 * f, 0.9), person(300 - 5 * f, 0.8));
            // Then every frame gets the same ids
            assertThat(ids(colour.update(dets, null, f))).isEqualTo(ids(boxes.update(dets, f)));
        }
    }

    @Test
    void shouldRefuseDescriptorsThatDoNotMatchTheDetections() {
        ByteTracker tracker = new ByteTracker(COLOUR);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> tracker.update(List.of(person(0, 0.9)), List.of(RED, BLUE), 1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
