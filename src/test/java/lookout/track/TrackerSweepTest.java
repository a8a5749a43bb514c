package lookout.track;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import lookout.config.TrackerSettings;
import lookout.detections.Detection;

class TrackerSweepTest {
    /** Two empty frames, then one person walking right 2 px a frame up to frame 12: ground truth. */
    static Map<Integer, List<IdBox>> walk() {
        Map<Integer, List<IdBox>> gt = new TreeMap<>();
        gt.put(1, List.of());
        gt.put(2, List.of());
        for (int f = 3; f <= 12; f++) {
            gt.put(f, List.of(new IdBox(1, new Rect(100 + 2 * f, 100, 140 + 2 * f, 220))));
        }
        return gt;
    }

    static Map<Integer, List<Detection>> detections(Map<Integer, List<IdBox>> gt) {
        Map<Integer, List<Detection>> det = new TreeMap<>();
        gt.forEach((f, boxes) -> {
            List<Detection> d = new ArrayList<>();
            for (IdBox b : boxes) {
                d.add(new Detection("person", 0.9f, (float) b.box().x1(), (float) b.box().y1(), (float) b.box().x2(),
                        (float) b.box().y2()));
            }
            det.put(f, d);
        });
        return det;
    }

    @Test
    void shouldPlayASequenceBackwardsAndAsEveryFifthFrameFromEachStart() {
        Map<Integer, List<IdBox>> gt = walk();
        List<TrackerSweep.Sequence> v = TrackerSweep.variants("walk", 25, gt, detections(gt), null,
                List.of("25fps", "reversed", "5fps"));
        assertThat(v).extracting(TrackerSweep.Sequence::name).containsExactly("walk", "walk reversed", "walk 5fps+0",
                "walk 5fps+1", "walk 5fps+2", "walk 5fps+3", "walk 5fps+4");
        // reversed: the last frame comes first
        assertThat(v.get(1).gt().get(1).get(0).box().x1()).isEqualTo(124);
        // every 5th frame from the first: frames 1, 6, 11 become 1, 2, 3, at 5 fps
        TrackerSweep.Sequence first = v.get(2);
        assertThat(first.fps()).isEqualTo(5);
        assertThat(first.gt().keySet()).containsExactly(1, 2, 3);
        assertThat(first.gt().get(2).get(0).box().x1()).isEqualTo(112);
        // from the fifth: frames 5, 10 only
        assertThat(v.get(6).gt().keySet()).containsExactly(1, 2);
    }

    @Test
    void shouldRankSettingsByTheMeanOverVariantGroupsBestFirst() {
        Map<Integer, List<IdBox>> gt = walk();
        List<TrackerSweep.Sequence> v = TrackerSweep.variants("walk", 25, gt, detections(gt), null, List.of("25fps", "5fps"));
        TrackerSweep.Grid grid = new TrackerSweep.Grid(new double[] {0.5}, new double[] {0}, new double[] {0.3},
                new double[] {0.1}, new double[] {0.5}, new int[] {6}, new int[] {1, 3}, new double[] {0}, new double[] {1},
                new double[] {0});
        List<TrackerSweep.Result> results = TrackerSweep.sweep(v, grid, 5);
        // confirming on the first hit loses nothing on a perfect walk; waiting for 3 hits loses its first frames
        // (and at 5 fps, where the walker is seen on 2 frames, all of them)
        assertThat(results).extracting(r -> r.settings().minHits()).containsExactly(1, 3);
        assertThat(results.get(0).rank()).isEqualTo(1.0);
        assertThat(results.get(1).rank()).isLessThan(1.0);
        assertThat(results.get(0).settings()).isEqualTo(new TrackerSettings(0.5, 0.3, 0.5, 0.1, 0.5, 6, 1));
    }
}
