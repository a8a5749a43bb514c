package lookout.labels;

/** An inclusive 1-based frame range such as {@code 1-90}; {@link #ALL} admits every frame. */
public record FrameRange(int first, int last) {
    public static final FrameRange ALL = new FrameRange(1, Integer.MAX_VALUE);

    public static FrameRange parse(String text) {
        if (text == null || text.isBlank()) {
            return ALL;
        }
        String[] parts = text.trim().split("-", -1);
        try {
            if (parts.length == 1) {
                int n = Integer.parseInt(parts[0]);
                return new FrameRange(n, n);
            }
            if (parts.length == 2) {
                int a = parts[0].isEmpty() ? 1 : Integer.parseInt(parts[0]);
                int b = parts[1].isEmpty() ? Integer.MAX_VALUE : Integer.parseInt(parts[1]);
                if (a >= 1 && b >= a) {
                    return new FrameRange(a, b);
                }
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new IllegalArgumentException("frame range must look like A-B (1-based, A <= B), got " + text);
    }

    public boolean contains(int frame) {
        return frame >= first && frame <= last;
    }
}
