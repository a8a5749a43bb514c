package lookout.tiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import lookout.config.TileSettings;
import lookout.model.ModelMetadata;

class TilePlannerTest {
    /** The default model's input: short side resized to 480, long side at most 1024. */
    static final ModelMetadata MODEL = new ModelMetadata("m", "1", "a", List.of("__background__", "person"), 480, 1024,
            null, null, null, null, null, null, null);

    static TilePlanner planner(String mode, Map<String, String> cameras) {
        return new TilePlanner(new TileSettings(mode, cameras, "2x2", 0.2, 48, 30, 1000), () -> MODEL);
    }

    static float[] people(int n, float height) {
        float[] h = new float[n];
        Arrays.fill(h, height);
        return h;
    }

    @Test
    void shouldTileACameraWhosePeopleAreSmallOnceItHasSeenEnoughOfThem() {
        TilePlanner p = planner(TileSettings.AUTO, Map.of());
        // 40 px people on a 768x576 frame are 33 px to the model (480 / 576): small
        p.observe("roof", 768, 576, people(20, 40));
        assertThat(p.tile("roof")).as("20 boxes are not enough to judge").isFalse();
        p.observe("roof", 768, 576, people(10, 40));
        assertThat(p.tile("roof")).isTrue();
        assertThat(p.medianInputPx("roof")).isEqualTo(40 * 480 / 576.0, org.assertj.core.data.Offset.offset(1e-3));
    }

    @Test
    void shouldNotTileACameraWhosePeopleAreLarge() {
        TilePlanner p = planner(TileSettings.AUTO, Map.of());
        p.observe("door", 640, 480, people(50, 150));
        assertThat(p.tile("door")).isFalse();
        assertThat(p.tile("never-seen")).isFalse();
    }

    @Test
    void shouldMeasureSizesInTheModelsInputPixels() {
        TilePlanner p = planner(TileSettings.AUTO, Map.of());
        // 90 px on a 1080p frame is 40 px to the model (480 / 1080): small, although 90 px on 576 lines is not
        p.observe("hd", 1920, 1080, people(40, 90));
        p.observe("sd", 768, 576, people(40, 90));
        assertThat(p.tile("hd")).isTrue();
        assertThat(p.tile("sd")).isFalse();
    }

    @Test
    void shouldHoldItsDecisionNearTheBarInsteadOfFlipping() {
        TilePlanner p = planner(TileSettings.AUTO, Map.of());
        p.observe("c", 640, 480, people(200, 40)); // 40 model px: small
        assertThat(p.tile("c")).isTrue();
        p.observe("c", 640, 480, people(200, 55)); // above the bar, within 1.25 x of it: still tiled
        assertThat(p.tile("c")).isTrue();
        p.observe("c", 640, 480, people(200, 70)); // clearly large now
        assertThat(p.tile("c")).isFalse();
    }

    @Test
    void shouldLetACamerasSettingOverrideWhatItsTracksSay() {
        TilePlanner p = planner(TileSettings.AUTO, Map.of("roof", "off", "lobby", "on"));
        p.observe("roof", 640, 480, people(100, 20));
        assertThat(p.tile("roof")).isFalse();
        assertThat(p.tile("lobby")).isTrue();
        TilePlanner off = planner(TileSettings.OFF, Map.of("lobby", "auto"));
        off.observe("lobby", 640, 480, people(100, 20));
        off.observe("other", 640, 480, people(100, 20));
        assertThat(off.tile("lobby")).isTrue();
        assertThat(off.tile("other")).isFalse();
    }

    @Test
    void shouldTileOnlyWhileTheTimeBudgetAllowsFiveInferences() {
        TilePlanner p = planner(TileSettings.ON, Map.of());
        p.inferred(150); // 5 x 150 = 750 ms <= 1000
        assertThat(p.tile("any")).isTrue();
        for (int i = 0; i < 50; i++) {
            p.inferred(300); // 5 x 300 = 1500 ms > 1000
        }
        assertThat(p.wants("any")).isTrue();
        assertThat(p.tile("any")).isFalse();
    }

    @Test
    void shouldReadPerCameraOverridesAndRefuseNonsense() {
        assertThat(TileSettings.parseCameras("roof:on, door:OFF")).containsExactly(Map.entry("roof", "on"), Map.entry("door", "off"));
        assertThat(TileSettings.parseCameras(" ")).isEmpty();
        assertThatThrownBy(() -> TileSettings.parseCameras("roof")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TileSettings("sometimes", Map.of(), "2x2", 0.2, 48, 30, 1000))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TileSettings("auto", Map.of("x", "maybe"), "2x2", 0.2, 48, 30, 1000))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
