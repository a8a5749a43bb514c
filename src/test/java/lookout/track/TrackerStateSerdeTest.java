package lookout.track;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

import lookout.config.TrackerSettings;
import lookout.detect.Detection;

class TrackerStateSerdeTest {
    private static final TrackerSettings SETTINGS = TrackerSettings.byteTrack().withMaxMissedFrames(8);
    private final TrackerStateSerde serde = new TrackerStateSerde();

    /** A noisy street: people entering, walking, hiding for a few frames, leaving; plus clutter. */
    static List<List<Detection>> scene(long seed, int frames) {
        Random rnd = new Random(seed);
        List<List<Detection>> out = new ArrayList<>();
        double[][] walkers = new double[8][];
        for (int f = 0; f < frames; f++) {
            List<Detection> dets = new ArrayList<>();
            for (int w = 0; w < walkers.length; w++) {
                if (walkers[w] == null && rnd.nextInt(10) == 0) {
                    walkers[w] = new double[] {rnd.nextDouble() * 500, 100 + rnd.nextDouble() * 50, rnd.nextGaussian() * 4, 80 + rnd.nextDouble() * 80};
                }
                double[] p = walkers[w];
                if (p == null) {
                    continue;
                }
                p[0] += p[2];
                if (p[0] < -50 || p[0] > 650 || rnd.nextInt(80) == 0) {
                    walkers[w] = null;
                    continue;
                }
                if (rnd.nextInt(6) == 0) {
                    continue; // missed by the detector
                }
                double score = rnd.nextInt(4) == 0 ? 0.15 + rnd.nextDouble() * 0.45 : 0.6 + rnd.nextDouble() * 0.4;
                double jx = rnd.nextGaussian() * 2;
                double jy = rnd.nextGaussian() * 2;
                dets.add(new Detection("person", (float) score, (float) (p[0] + jx), (float) (p[1] + jy),
                        (float) (p[0] + jx + p[3] * 0.4), (float) (p[1] + jy + p[3])));
            }
            if (rnd.nextInt(3) == 0) {
                double x = rnd.nextDouble() * 600;
                dets.add(new Detection("person", (float) (0.1 + rnd.nextDouble() * 0.8), (float) x, 50f, (float) x + 30, 150f));
            }
            out.add(dets);
        }
        return out;
    }

    @Test
    void shouldContinueWithIdenticalIdsAfterEveryFrameWentThroughTheStore() {
        // Given a tracker that is never serialised, and one rebuilt from bytes before every frame,
        // as a processor reading its state store (or a replica restoring the changelog) would
        List<List<Detection>> frames = scene(11, 300);
        ByteTracker reference = new ByteTracker(SETTINGS);
        byte[] stored = null;
        List<List<TrackedDetection>> expected = new ArrayList<>();
        List<List<TrackedDetection>> actual = new ArrayList<>();
        // When both see the same 300 frames (with a few frames skipped)
        long seq = 0;
        for (List<Detection> dets : frames) {
            seq += dets.size() % 5 == 4 ? 3 : 1;
            expected.add(reference.update(dets, seq));
            TrackerState state = stored == null ? TrackerState.initial() : serde.deserializer().deserialize("t", stored);
            ByteTracker restored = new ByteTracker(SETTINGS, state);
            actual.add(restored.update(dets, seq));
            stored = serde.serializer().serialize("t", restored.state());
        }
        // Then every output, ids included, is identical, and the scene really exercised the tracker
        assertThat(actual).isEqualTo(expected);
        assertThat(reference.state().nextId()).isGreaterThan(10);
        assertThat(expected.stream().flatMap(List::stream).filter(t -> !t.tracked()).count()).isPositive();
    }

    @Test
    void shouldResumeMidSequenceOnAnotherInstanceWithTheSameOutputs() {
        // Given a tracker that ran 150 frames, was saved, and is restored elsewhere (a rebalance)
        List<List<Detection>> frames = scene(5, 300);
        ByteTracker reference = new ByteTracker(SETTINGS);
        ByteTracker first = new ByteTracker(SETTINGS);
        for (int f = 0; f < 150; f++) {
            reference.update(frames.get(f), f + 1);
            first.update(frames.get(f), f + 1);
        }
        ByteTracker second = new ByteTracker(SETTINGS, TrackerStateSerde.fromBytes(TrackerStateSerde.toBytes(first.state())));
        // When the rest of the sequence goes to the restored one
        for (int f = 150; f < 300; f++) {
            // Then it answers exactly as the never-interrupted tracker
            assertThat(second.update(frames.get(f), f + 1)).isEqualTo(reference.update(frames.get(f), f + 1));
        }
        assertThat(TrackerStateSerde.toBytes(second.state())).isEqualTo(TrackerStateSerde.toBytes(reference.state()));
    }

    @Test
    void shouldRestoreEveryNumberBitForBit() {
        ByteTracker tracker = new ByteTracker(SETTINGS);
        List<List<Detection>> frames = scene(3, 40);
        for (int f = 0; f < frames.size(); f++) {
            tracker.update(frames.get(f), 100 + f);
        }
        TrackerState state = tracker.state();
        TrackerState back = TrackerStateSerde.fromBytes(TrackerStateSerde.toBytes(state));
        assertThat(back.nextId()).isEqualTo(state.nextId());
        assertThat(back.lastFrameSeq()).isEqualTo(139);
        assertThat(back.frames()).isEqualTo(40);
        assertThat(back.tracks()).hasSameSizeAs(state.tracks()).isNotEmpty();
        for (int i = 0; i < state.tracks().size(); i++) {
            Track a = state.tracks().get(i);
            Track b = back.tracks().get(i);
            assertThat(List.of(b.id(), (long) b.hits(), (long) b.missed())).isEqualTo(List.of(a.id(), (long) a.hits(), (long) a.missed()));
            assertThat(b.kalman().mean()).containsExactly(a.kalman().mean());
            assertThat(Arrays.deepEquals(b.kalman().covariance(), a.kalman().covariance())).isTrue();
        }
    }

    @Test
    void shouldTakeAFewHundredBytesPerTrack() {
        ByteTracker tracker = new ByteTracker(SETTINGS);
        tracker.update(List.of(ByteTrackerTest.person(0, 0.9), ByteTrackerTest.person(200, 0.9)), 1);
        assertThat(TrackerStateSerde.toBytes(tracker.state())).hasSize(29 + 2 * 368);
        assertThat(TrackerStateSerde.toBytes(TrackerState.initial())).hasSize(29);
    }

    @Test
    void shouldMapNullToNullForTombstones() {
        assertThat(serde.serializer().serialize("t", null)).isNull();
        assertThat(serde.deserializer().deserialize("t", null)).isNull();
    }

    @Test
    void shouldRefuseAnUnknownVersionOrTruncatedBytes() {
        byte[] bytes = TrackerStateSerde.toBytes(new ByteTracker(SETTINGS).state());
        byte[] future = bytes.clone();
        future[0] = 9;
        assertThatThrownBy(() -> TrackerStateSerde.fromBytes(future))
                .isInstanceOf(SerializationException.class).hasMessageContaining("version 9");
        ByteTracker tracker = new ByteTracker(SETTINGS);
        tracker.update(List.of(ByteTrackerTest.person(0, 0.9)), 1);
        byte[] full = TrackerStateSerde.toBytes(tracker.state());
        assertThatThrownBy(() -> TrackerStateSerde.fromBytes(Arrays.copyOf(full, full.length - 8)))
                .isInstanceOf(SerializationException.class);
        assertThatThrownBy(() -> TrackerStateSerde.fromBytes(new byte[] {1, 0, 0}))
                .isInstanceOf(SerializationException.class).hasMessageContaining("truncated");
    }
}
