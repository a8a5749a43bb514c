package lookout.track;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lookout.config.LookoutConfig;
import lookout.config.TrackerSettings;
import lookout.detections.Detection;

class TrackEvaluationTest {
    @TempDir
    Path dir;

    private static Map<Integer, List<Detection>> detectionsFrom(Map<Integer, List<IdBox>> gt, float score) {
        Map<Integer, List<Detection>> out = new TreeMap<>();
        gt.forEach((f, boxes) -> out.put(f, boxes.stream().map(b -> new Detection("person", score,
                (float) b.box().x1(), (float) b.box().y1(), (float) b.box().x2(), (float) b.box().y2())).toList()));
        return out;
    }

    private static Map<Integer, List<IdBox>> walkers(int frames, int firstFrameOfSecond) {
        Map<Integer, List<IdBox>> gt = new TreeMap<>();
        for (int f = 1; f <= frames; f++) {
            List<IdBox> boxes = new ArrayList<>();
            boxes.add(new IdBox(1, Rect.ofXywh(10 + 3 * f, 100, 40, 120)));
            if (f >= firstFrameOfSecond) {
                boxes.add(new IdBox(2, Rect.ofXywh(400 - 2 * f, 90, 45, 130)));
            }
            gt.put(f, boxes);
        }
        return gt;
    }

    @Test
    void shouldScorePerfectDetectionsOfPeoplePresentFromTheStartAsPerfectTracking() {
        var gt = walkers(30, 1);
        MotScore m = TrackEvaluation.run(gt, detectionsFrom(gt, 0.9f), TrackerSettings.byteTrack());
        assertThat(m.mota()).isEqualTo(1.0);
        assertThat(m.idf1()).isEqualTo(1.0);
    }

    @Test
    void shouldMissANewcomerOnlyUntilTheirTrackIsConfirmed() {
        // Given a second person entering on frame 10 and tracks confirmed on their 3rd hit
        var gt = walkers(30, 10);
        MotScore m = TrackEvaluation.run(gt, detectionsFrom(gt, 0.9f), TrackerSettings.byteTrack().withMinHits(3));
        // Then exactly their first two frames are missed, and nothing else goes wrong
        assertThat(m.misses()).isEqualTo(2);
        assertThat(m.falsePositives()).isZero();
        assertThat(m.idSwitches()).isZero();
    }

    @Test
    void shouldAgeTracksAcrossFramesWithoutDetections() {
        // Given detections missing on frames 11-20 (maxMissedFrames 5): the person comes back as a new track
        var gt = walkers(30, 100);
        Map<Integer, List<Detection>> dets = new TreeMap<>(detectionsFrom(gt, 0.9f));
        for (int f = 11; f <= 20; f++) {
            dets.remove(f);
        }
        MotScore m = TrackEvaluation.run(gt, dets, TrackerSettings.byteTrack().withMaxMissedFrames(5).withMinHits(1));
        assertThat(m.misses()).isEqualTo(10);
        assertThat(m.predIds()).isEqualTo(2);
        assertThat(m.idSwitches()).isEqualTo(1);
    }

    @Test
    void shouldDropDetectionsBelowAScoreLevel() {
        Map<Integer, List<Detection>> dets = Map.of(1, List.of(ByteTrackerTest.person(0, 0.2), ByteTrackerTest.person(50, 0.8)));
        assertThat(TrackEvaluation.atLeast(dets, 0.5).get(1)).extracting(Detection::score).containsExactly(0.8f);
    }

    @Test
    void shouldReadMotChallengeFilesDroppingIgnoredRows() throws IOException {
        Path gt = Files.writeString(dir.resolve("gt.txt"), "1,1,10,20,30,40,1,-1,-1,-1\n1,2,0,0,5,5,0,-1,-1,-1\n\n2,1,12,20,30,40,1,-1,-1,-1\n");
        Path det = Files.writeString(dir.resolve("det.txt"), "1,-1,10.5,20,30,40,0.93\n3,-1,1,2,3,4,0.1,-1,-1,-1\n");
        Map<Integer, List<IdBox>> g = MotFiles.readGroundTruth(gt);
        Map<Integer, List<Detection>> d = MotFiles.readDetections(det, "person");
        assertThat(g.get(1)).containsExactly(new IdBox(1, new Rect(10, 20, 40, 60)));
        assertThat(g.get(2)).hasSize(1);
        assertThat(d.get(1)).containsExactly(new Detection("person", 0.93f, 10.5f, 20f, 40.5f, 60f));
        assertThat(d.get(3)).hasSize(1);
    }

    @Test
    void shouldNameFileAndLineOfABadRow() throws IOException {
        Path det = Files.writeString(dir.resolve("det.txt"), "1,-1,10,20,30,40,0.9\n2,-1,x,20,30,40,0.9\n");
        assertThatThrownBy(() -> MotFiles.readDetections(det, "person"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("det.txt:2");
        Path shortRow = Files.writeString(dir.resolve("gt.txt"), "1,1,10,20\n");
        assertThatThrownBy(() -> MotFiles.readGroundTruth(shortRow)).hasMessageContaining("gt.txt:1");
    }

    @Test
    void shouldPrintATableAndJsonFromFilesAndWriteTracks() throws IOException {
        // Given a sequence folder and detections equal to its ground truth
        Path seq = Files.createDirectories(dir.resolve("SEQ").resolve("gt")).getParent();
        StringBuilder gt = new StringBuilder();
        StringBuilder det = new StringBuilder();
        walkers(20, 1).forEach((f, boxes) -> boxes.forEach(b -> {
            gt.append(String.format(java.util.Locale.ROOT, "%d,%d,%.1f,%.1f,%.1f,%.1f,1,-1,-1,-1%n", f, b.id(),
                    b.box().x1(), b.box().y1(), b.box().width(), b.box().height()));
            det.append(String.format(java.util.Locale.ROOT, "%d,-1,%.1f,%.1f,%.1f,%.1f,0.9%n", f,
                    b.box().x1(), b.box().y1(), b.box().width(), b.box().height()));
        }));
        Files.writeString(seq.resolve("gt").resolve("gt.txt"), gt);
        Path detFile = Files.writeString(dir.resolve("det.txt"), det);
        Path tracks = dir.resolve("tracks.txt");
        var gtFrames = MotFiles.readGroundTruth(seq.resolve("gt").resolve("gt.txt"));
        var detFrames = MotFiles.readDetections(detFile, "person");
        TrackerSettings settings = TrackerSettings.byteTrack().withMinHits(3);
        // When the report is made at two score levels and the tracks are written
        String report = MotReport.of("SEQ", detFile.toString(), gtFrames, detFrames, settings, List.of(0.5, 0.95));
        MotFiles.writeTracks(tracks, TrackEvaluation.track(gtFrames, detFrames, settings));
        // Then the 0.5 row is perfect, the 0.95 row has nothing, and the tracks file is in MOT format
        assertThat(report).contains("MOTA", "IDF1", "IDsw", "minHits=3");
        assertThat(report).containsPattern("0\\.50\\s+1\\.000\\s+1\\.000");
        assertThat(report).contains("\"minScore\":0.5000,\"score\":{\"mota\":1.0000,\"idf1\":1.0000");
        assertThat(report).contains("\"minScore\":0.9500,\"score\":{\"mota\":0.0000,\"idf1\":0.0000");
        assertThat(Files.readAllLines(tracks)).hasSize(40).first().asString().startsWith("1,1,13.00,100.00,40.00,120.00,1");
    }

    @Test
    void shouldTrackTudStadtmitteGroundTruthBoxesAlmostPerfectly() {
        // Given the real people's motion (ground-truth boxes as detections; no model involved)
        Path seq = Path.of(System.getProperty("lookout.data.dir", "../shared/data"), "tud", "TUD-Stadtmitte");
        assumeTrue(Files.isRegularFile(seq.resolve("gt/gt.txt")), "SKIPPED: real data not found at " + seq.toAbsolutePath());
        var gt = MotFiles.readGroundTruth(seq.resolve("gt/gt.txt"));
        // the service's settings, their memory rescaled from the cameras' rate to the sequence's 25 fps
        LookoutConfig config = LookoutConfig.current();
        MotScore m = TrackEvaluation.run(gt, detectionsFrom(gt, 0.9f), config.tracker().atFrameRate(config.trackerFrameRate(), 25));
        // Then the tracker itself loses little: crossings and occlusions are what remains
        assertThat(m.mota()).isGreaterThan(0.95);
        assertThat(m.idf1()).isGreaterThan(0.9);
    }
}
