package lookout.tiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import lookout.detections.Detection;
import lookout.frames.DecodedImage;

class TilingTest {
    private final Tiling grid = new Tiling(2, 2, 0.2);

    static Detection box(float x1, float y1, float x2, float y2, float score) {
        return new Detection("person", score, x1, y1, x2, y2);
    }

    @Test
    void shouldCoverTheFrameWithTilesThatOverlapTheirNeighbours() {
        List<Tiling.Tile> tiles = grid.tilesOf(768, 576);
        assertThat(tiles).hasSize(4);
        // a tile is 768 / 1.8 = 427 wide, 320 tall; the second starts at 80% of the first
        assertThat(tiles.get(0)).isEqualTo(new Tiling.Tile(0, 0, 427, 320));
        assertThat(tiles.get(1)).isEqualTo(new Tiling.Tile(341, 0, 768, 320));
        assertThat(tiles.get(3)).isEqualTo(new Tiling.Tile(341, 256, 768, 576));
    }

    @Test
    void shouldCropATilesPixels() {
        byte[] rgb = new byte[10 * 6 * 3];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) i;
        }
        DecodedImage crop = Tiling.crop(new DecodedImage(10, 6, rgb), new Tiling.Tile(2, 1, 5, 3));
        assertThat(crop.width()).isEqualTo(3);
        assertThat(crop.height()).isEqualTo(2);
        // first pixel of the crop is the frame's (2, 1): byte (1 * 10 + 2) * 3
        assertThat(crop.rgb()[0]).isEqualTo((byte) 36);
        assertThat(crop.rgb()[3 * 3]).isEqualTo((byte) ((2 * 10 + 2) * 3));
    }

    @Test
    void shouldBringATilesBoxesBackToFramePixelsAndKeepASmallPersonOnlyATileFound() {
        // Given nothing in the whole frame, and a small person in the bottom-right tile (tile pixels)
        List<List<Detection>> perTile = List.of(List.of(), List.of(), List.of(), List.of(box(100, 100, 120, 150, 0.8f)));
        // When merged
        List<Detection> merged = grid.merge(768, 576, List.of(), perTile);
        // Then the person is there, shifted by the tile's origin (341, 256)
        assertThat(merged).containsExactly(box(441, 356, 461, 406, 0.8f));
    }

    @Test
    void shouldDropATilesBoxCutByAnInnerBorderAndKeepOneAtTheFramesEdge() {
        // a box touching the top-left tile's right border (x = 427) is a person the border cut
        Detection cut = box(400, 100, 426.5f, 200, 0.9f);
        // a box touching the frame's own left edge is not cut by a tile
        Detection edge = box(0, 100, 30, 200, 0.9f);
        List<Detection> merged = grid.merge(768, 576, List.of(), List.of(List.of(cut, edge), List.of(), List.of(), List.of()));
        assertThat(merged).containsExactly(edge);
    }

    @Test
    void shouldMergeOnePersonFoundInTheWholeFrameAndInATileIntoOneBox() {
        Detection whole = box(100, 100, 140, 200, 0.7f);
        Detection inTile = box(101, 99, 141, 201, 0.9f); // the top-left tile starts at (0, 0)
        List<Detection> merged = grid.merge(768, 576, List.of(whole), List.of(List.of(inTile), List.of(), List.of(), List.of()));
        assertThat(merged).containsExactly(inTile);
    }

    @Test
    void shouldKeepTwoOverlappingPeopleOfWhomNeitherCoversTheOtherMuch() {
        Detection a = box(100, 100, 140, 200, 0.9f);
        Detection b = box(125, 100, 165, 200, 0.8f); // IoU 0.23
        assertThat(Tiling.nms(List.of(b, a), 0.5)).containsExactly(a, b);
    }

    @Test
    void shouldRefuseAGridThatIsNotOne() {
        assertThat(Tiling.parse("3x2", 0.1)).isEqualTo(new Tiling(3, 2, 0.1));
        assertThatThrownBy(() -> Tiling.parse("1x1", 0.2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Tiling.parse("2by2", 0.2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Tiling(2, 2, 0.5)).isInstanceOf(IllegalArgumentException.class);
    }
}
