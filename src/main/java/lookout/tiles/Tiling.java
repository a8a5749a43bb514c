package lookout.tiles;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import lookout.detections.Detection;
import lookout.frames.DecodedImage;

/**
 * Tiles for small people: a frame is analysed whole and as {@code rows x cols} overlapping tiles. The
 * model resizes every input to its own input size, so a tile's people come out larger than in the
 * whole frame (a 2x2 grid on 4:3 frames: 1.8 times), which is what finds the ones too small for it.
 * The boxes are merged back into frame pixels: a tile's box that touches an inner tile border is a
 * person the border cut, and is dropped (the whole frame or the neighbouring tile sees them whole);
 * the rest are merged with the whole frame's by greedy NMS per label, highest score first. The same
 * rule as {@code model/lookout_model/tiles.py}, which measured it.
 *
 * @param rows    tiles down
 * @param cols    tiles across
 * @param overlap fraction of a tile its neighbour shares (a person near a border is whole in one of them)
 */
public record Tiling(int rows, int cols, double overlap) {
    /** Two overlapping boxes of one label above this IoU are one person. */
    static final double MERGE_IOU = 0.5;
    /** A tile's box within this many pixels of an inner tile border was cut by it. */
    static final double EDGE_PX = 2;

    public Tiling {
        if (rows < 1 || cols < 1 || rows * cols < 2 || rows > 8 || cols > 8) {
            throw new IllegalArgumentException("a tile grid needs 2 to 64 tiles, at most 8 a side, got " + rows + "x" + cols);
        }
        if (!(overlap >= 0 && overlap < 0.5)) {
            throw new IllegalArgumentException("tile overlap must be in [0, 0.5), got " + overlap);
        }
    }

    /** "2x2" (rows x cols). */
    public static Tiling parse(String grid, double overlap) {
        String[] p = grid.trim().toLowerCase(java.util.Locale.ROOT).split("x");
        if (p.length != 2) {
            throw new IllegalArgumentException("tile grid must look like 2x2, got '" + grid + "'");
        }
        try {
            return new Tiling(Integer.parseInt(p[0].trim()), Integer.parseInt(p[1].trim()), overlap);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("tile grid must look like 2x2, got '" + grid + "'");
        }
    }

    public int tiles() {
        return rows * cols;
    }

    /** A tile: its place in the frame, [x0, x1) x [y0, y1). */
    public record Tile(int x0, int y0, int x1, int y1) {
    }

    /** The tiles of a width x height frame, row by row. */
    public List<Tile> tilesOf(int width, int height) {
        double th = height / (rows - (rows - 1) * overlap);
        double tw = width / (cols - (cols - 1) * overlap);
        List<Tile> out = new ArrayList<>(tiles());
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int y0 = (int) Math.round(r * th * (1 - overlap));
                int x0 = (int) Math.round(c * tw * (1 - overlap));
                out.add(new Tile(x0, y0, Math.min(width, (int) Math.round(x0 + tw)), Math.min(height, (int) Math.round(y0 + th))));
            }
        }
        return out;
    }

    /** The tile's pixels as an image of its own. */
    public static DecodedImage crop(DecodedImage image, Tile t) {
        int w = t.x1() - t.x0();
        int h = t.y1() - t.y0();
        byte[] out = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            System.arraycopy(image.rgb(), ((t.y0() + y) * image.width() + t.x0()) * 3, out, y * w * 3, w * 3);
        }
        return new DecodedImage(w, h, out);
    }

    /** The crops of every tile of the image, in {@link #tilesOf} order. */
    public List<DecodedImage> crops(DecodedImage image) {
        return tilesOf(image.width(), image.height()).stream().map(t -> crop(image, t)).toList();
    }

    /**
     * The whole frame's detections and each tile's ({@code perTile} in {@link #tilesOf} order, boxes in
     * tile pixels) as one list in frame pixels, highest score first.
     */
    public List<Detection> merge(int width, int height, List<Detection> whole, List<List<Detection>> perTile) {
        List<Tile> tiles = tilesOf(width, height);
        if (perTile.size() != tiles.size()) {
            throw new IllegalArgumentException(perTile.size() + " tile results for " + tiles.size() + " tiles");
        }
        List<Detection> all = new ArrayList<>(whole);
        for (int i = 0; i < tiles.size(); i++) {
            Tile t = tiles.get(i);
            for (Detection d : perTile.get(i)) {
                Detection f = new Detection(d.label(), d.score(), d.x1() + t.x0(), d.y1() + t.y0(), d.x2() + t.x0(), d.y2() + t.y0());
                boolean cut = t.x0() > 0 && f.x1() <= t.x0() + EDGE_PX || t.y0() > 0 && f.y1() <= t.y0() + EDGE_PX
                        || t.x1() < width && f.x2() >= t.x1() - EDGE_PX || t.y1() < height && f.y2() >= t.y1() - EDGE_PX;
                if (!cut) {
                    all.add(f);
                }
            }
        }
        return nms(all, MERGE_IOU);
    }

    /** Greedy non-maximum suppression per label, highest score first; the kept boxes in that order. */
    static List<Detection> nms(List<Detection> dets, double iou) {
        List<Detection> sorted = new ArrayList<>(dets);
        sorted.sort(Comparator.comparingDouble((Detection d) -> d.score()).reversed());
        List<Detection> kept = new ArrayList<>();
        for (Detection d : sorted) {
            boolean overlaps = false;
            for (Detection k : kept) {
                if (k.label().equals(d.label()) && iou(k, d) > iou) {
                    overlaps = true;
                    break;
                }
            }
            if (!overlaps) {
                kept.add(d);
            }
        }
        return kept;
    }

    static double iou(Detection a, Detection b) {
        double iw = Math.min(a.x2(), b.x2()) - Math.max(a.x1(), b.x1());
        double ih = Math.min(a.y2(), b.y2()) - Math.max(a.y1(), b.y1());
        if (iw <= 0 || ih <= 0) {
            return 0;
        }
        double inter = iw * ih;
        double union = (a.x2() - a.x1()) * (a.y2() - a.y1()) + (b.x2() - b.x1()) * (b.y2() - b.y1()) - inter;
        return union <= 0 ? 0 : inter / union;
    }
}
