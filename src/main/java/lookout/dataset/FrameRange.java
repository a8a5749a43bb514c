package lookout.dataset;

/** An inclusive 1-based frame range "A-B" (or a single frame "A"). */
public record FrameRange(int first, int last) {
    public static final FrameRange ALL = new FrameRange(1, Integer.MAX_VALUE);

    public FrameRange {
        if (first < 1 || last < first) {
            throw new IllegalArgumentException("bad frame range " + first + "-" + last + " (1-based, first <= last)");
        }
    }

    public static FrameRange parse(String text) {
        if (text == null || text.isBlank()) {
            return ALL;
        }
        String[] parts = text.trim().split("-");
        try {
            if (parts.length == 1) {
                int f = Integer.parseInt(parts[0].trim());
                return new FrameRange(f, f);
            }
            if (parts.length == 2) {
                return new FrameRange(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new IllegalArgumentException("bad frame range '" + text + "': expected A-B, e.g. 91-179");
    }

    public boolean contains(int frame) {
        return frame >= first && frame <= last;
    }

    @Override
    public String toString() {
        return last == Integer.MAX_VALUE ? first + "-" : first + "-" + last;
    }
}
