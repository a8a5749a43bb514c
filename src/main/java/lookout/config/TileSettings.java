package lookout.config;

import java.util.Map;

/**
 * Tiles for small people, per camera ({@code lookout.tiles.*}, see docs/tracking.md "Small people").
 *
 * @param mode           {@code auto}: a camera is tiled while the median height of its tracked people,
 *                       in the model's input pixels, is under {@code smallPersonPx}; {@code off}: never;
 *                       {@code on}: every camera
 * @param cameras        per-camera overrides of the mode (camera id to auto, on or off)
 * @param grid           the tile grid, rows x cols ("2x2")
 * @param overlap        the fraction of a tile its neighbour shares
 * @param smallPersonPx  the median tracked height (model input pixels) under which auto tiles a camera
 * @param minSamples     tracked boxes a camera needs before auto decides (it starts untiled)
 * @param maxFrameMs     a frame is tiled only while the whole frame's inference time x (1 + tiles) stays
 *                       within this many milliseconds (tiles cost one inference each)
 */
public record TileSettings(String mode, Map<String, String> cameras, String grid, double overlap, double smallPersonPx,
        int minSamples, double maxFrameMs) {
    public static final String AUTO = "auto";
    public static final String ON = "on";
    public static final String OFF = "off";

    public TileSettings {
        cameras = Map.copyOf(cameras);
        for (String m : cameras.values()) {
            check(m);
        }
        check(mode);
        if (smallPersonPx < 0 || minSamples < 1 || maxFrameMs <= 0) {
            throw new IllegalArgumentException("tiles: small-person-px >= 0, min-samples >= 1, max-frame-ms > 0 needed");
        }
    }

    private static void check(String m) {
        if (!AUTO.equals(m) && !ON.equals(m) && !OFF.equals(m)) {
            throw new IllegalArgumentException("tiles mode must be auto, on or off, got '" + m + "'");
        }
    }

    /** The mode of one camera: its override, else the default. */
    public String modeOf(String camera) {
        return cameras.getOrDefault(camera, mode);
    }

    /** "cam1:on,cam2:off" → {cam1=on, cam2=off}; blank → none. */
    public static Map<String, String> parseCameras(String spec) {
        java.util.LinkedHashMap<String, String> out = new java.util.LinkedHashMap<>();
        if (spec == null || spec.isBlank()) {
            return out;
        }
        for (String part : spec.split(",")) {
            int colon = part.lastIndexOf(':');
            if (colon <= 0 || colon == part.length() - 1) {
                throw new IllegalArgumentException("lookout.tiles.cameras: expected camera:auto|on|off, got '" + part.trim() + "'");
            }
            out.put(part.substring(0, colon).trim(), part.substring(colon + 1).trim().toLowerCase(java.util.Locale.ROOT));
        }
        return out;
    }
}
