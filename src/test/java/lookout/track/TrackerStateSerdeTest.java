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
import lookout.detections.Appearance;
import lookout.detections.Detection;

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
        assertThat(TrackerStateSerde.toBytes(tracker.state())).hasSize(29 + 2 * (368 + 4));
        assertThat(TrackerStateSerde.toBytes(TrackerState.initial())).hasSize(29);
        // with the colour cue, each track also keeps its descriptor
        ByteTracker colour = new ByteTracker(SETTINGS.withAppearance(0.7, 0.5, 0.25));
        colour.update(List.of(ByteTrackerTest.person(0, 0.9)), List.of(ByteTrackerTest.look(3)), 1);
        assertThat(TrackerStateSerde.toBytes(colour.state())).hasSize(29 + 368 + 4 + 4 * Appearance.LENGTH);
    }

    @Test
    void shouldRestoreColourDescriptorsBitForBitAndContinueWithTheSameIds() {
        // Given a colour tracker whose state goes through the store before every frame, and one that never stops
        TrackerSettings colour = SETTINGS.withAppearance(0.7, 0.5, 0.25);
        List<List<Detection>> frames = scene(7, 120);
        ByteTracker reference = new ByteTracker(colour);
        TrackerState stored = TrackerState.initial();
        for (int f = 0; f < frames.size(); f++) {
            List<float[]> looks = new ArrayList<>();
            for (Detection d : frames.get(f)) {
                looks.add(ByteTrackerTest.look(Math.floorMod((int) (d.x1() / 60), Appearance.LENGTH)));
            }
            ByteTracker restored = new ByteTracker(colour, TrackerStateSerde.fromBytes(TrackerStateSerde.toBytes(stored)));
            List<TrackedDetection> a = restored.update(frames.get(f), looks, f + 1);
            List<TrackedDetection> b = reference.update(frames.get(f), looks, f + 1);
            // Then both give every detection the same id, and the bytes agree
            assertThat(a).isEqualTo(b);
            stored = restored.state();
            assertThat(TrackerStateSerde.toBytes(stored)).isEqualTo(TrackerStateSerde.toBytes(reference.state()));
        }
        assertThat(stored.tracks()).anyMatch(t -> t.appearance() != null);
    }

    @Test
    void shouldStillReadStatesWrittenBeforeTheColourCue() {
        // Given a version-1 state (no descriptors), as the previous build wrote it
        ByteTracker tracker = new ByteTracker(SETTINGS);
        tracker.update(List.of(ByteTrackerTest.person(0, 0.9), ByteTrackerTest.person(200, 0.9)), 1);
        byte[] v2 = TrackerStateSerde.toBytes(tracker.state());
        byte[] v1 = versionOne(v2, 2);
        // When it is read
        TrackerState back = TrackerStateSerde.fromBytes(v1);
        // Then it is the same state, without descriptors
        assertThat(TrackerStateSerde.toBytes(back)).isEqualTo(v2);
        assertThat(back.tracks()).allMatch(t -> t.appearance() == null);
    }

    /** The version-1 layout of a state without descriptors: each track's trailing descriptor length (0) left out. */
    private static byte[] versionOne(byte[] v2, int tracks) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(1);
        out.write(v2, 1, 28);
        for (int t = 0; t < tracks; t++) {
            out.write(v2, 29 + t * 372, 368);
        }
        return out.toByteArray();
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
        byte[] padded = Arrays.copyOf(full, full.length + 3);
        assertThatThrownBy(() -> TrackerStateSerde.fromBytes(padded))
                .isInstanceOf(SerializationException.class).hasMessageContaining("after its last track");
    }
}
