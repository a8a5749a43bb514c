package lookout.track;

import static lookout.track.SmallMatrix.add;
import static lookout.track.SmallMatrix.diagonal;
import static lookout.track.SmallMatrix.inverse;
import static lookout.track.SmallMatrix.multiply;
import static lookout.track.SmallMatrix.subtract;
import static lookout.track.SmallMatrix.transpose;

/**
 * A constant-velocity Kalman filter over a box, stateless: the {@link State} (mean, covariance)
 * lives in each {@link Track}, so the tracker's state serialises as plain numbers.
 *
 * <p>State {@code [cx, cy, a, h, vcx, vcy, va, vh]}: centre, aspect ratio w/h, height and their
 * velocities, ByteTrack's (and DeepSORT's) parameterisation rather than SORT's [cx, cy, area, r].
 * Why: (1) the noise is scaled by the box height, so uncertainty is relative to the object's size
 * and one setting serves near and far pedestrians; (2) the height is linear in scale where SORT's
 * area is quadratic: a constant area velocity over-extrapolates a shrinking box and can drive the
 * area negative (SORT clamps it); (3) a pedestrian's aspect ratio barely changes, which the tiny
 * aspect noise encodes. Noise weights are ByteTrack's (1/20 of the height for position, 1/160 for
 * velocity).
 */
public final class KalmanBoxFilter {
    static final int DIM = 8;
    private static final double POSITION_WEIGHT = 1.0 / 20;
    private static final double VELOCITY_WEIGHT = 1.0 / 160;

    /** x' = F x with dt = 1 frame. */
    private static final double[][] MOTION = motion();
    private static final double[][] MOTION_T = transpose(MOTION);
    /** z = H x: the measurement is the first four state entries. */
    private static final double[][] PROJECTION = projection();
    private static final double[][] PROJECTION_T = transpose(PROJECTION);

    /** Mean (8) and covariance (8x8). Treated as immutable: every operation returns a new one. */
    public record State(double[] mean, double[][] covariance) {
        /** The box the mean describes. */
        public Rect box() {
            double w = mean[2] * mean[3];
            double h = mean[3];
            return new Rect(mean[0] - w / 2, mean[1] - h / 2, mean[0] + w / 2, mean[1] + h / 2);
        }
    }

    /** A new track's state: the box, zero velocity, velocity very uncertain. */
    public State initiate(Rect box) {
        double[] z = measurement(box);
        double h = z[3];
        double[] mean = {z[0], z[1], z[2], z[3], 0, 0, 0, 0};
        double[] std = {
            2 * POSITION_WEIGHT * h, 2 * POSITION_WEIGHT * h, 1e-2, 2 * POSITION_WEIGHT * h,
            10 * VELOCITY_WEIGHT * h, 10 * VELOCITY_WEIGHT * h, 1e-5, 10 * VELOCITY_WEIGHT * h};
        return new State(mean, diagonal(squared(std)));
    }

    /** One frame ahead. */
    public State predict(State s) {
        double h = s.mean()[3];
        double[] std = {
            POSITION_WEIGHT * h, POSITION_WEIGHT * h, 1e-2, POSITION_WEIGHT * h,
            VELOCITY_WEIGHT * h, VELOCITY_WEIGHT * h, 1e-5, VELOCITY_WEIGHT * h};
        double[] mean = multiply(MOTION, s.mean());
        double[][] cov = add(multiply(multiply(MOTION, s.covariance()), MOTION_T), diagonal(squared(std)));
        return new State(mean, symmetric(cov));
    }

    /** {@code frames} frames ahead (a frame the service skipped still moves the people in it). */
    public State predict(State s, int frames) {
        State out = s;
        for (int i = 0; i < frames; i++) {
            out = predict(out);
        }
        return out;
    }

    /** Corrects the state with a measured box. */
    public State update(State s, Rect box) {
        double[] z = measurement(box);
        double h = s.mean()[3];
        double[] std = {POSITION_WEIGHT * h, POSITION_WEIGHT * h, 1e-1, POSITION_WEIGHT * h};
        double[][] pht = multiply(s.covariance(), PROJECTION_T);
        double[][] innovationCov = add(multiply(PROJECTION, pht), diagonal(squared(std)));
        double[][] gain = multiply(pht, inverse(innovationCov));
        double[] projected = multiply(PROJECTION, s.mean());
        double[] innovation = new double[4];
        for (int i = 0; i < 4; i++) {
            innovation[i] = z[i] - projected[i];
        }
        double[] correction = multiply(gain, innovation);
        double[] mean = s.mean().clone();
        for (int i = 0; i < DIM; i++) {
            mean[i] += correction[i];
        }
        double[][] cov = subtract(s.covariance(), multiply(multiply(gain, innovationCov), transpose(gain)));
        return new State(mean, symmetric(cov));
    }

    static double[] measurement(Rect box) {
        double h = box.height();
        // a degenerate (zero-height) box would make the aspect ratio infinite
        double safeH = Math.max(h, 1e-6);
        return new double[] {box.centerX(), box.centerY(), box.width() / safeH, safeH};
    }

    /**
     * Rounding leaves a covariance a hair off symmetric; averaging it with its transpose keeps it a
     * covariance, and lets {@link TrackerStateSerde} store only the upper triangle and restore it exactly.
     */
    private static double[][] symmetric(double[][] m) {
        for (int i = 0; i < m.length; i++) {
            for (int j = i + 1; j < m.length; j++) {
                double v = (m[i][j] + m[j][i]) / 2;
                m[i][j] = v;
                m[j][i] = v;
            }
        }
        return m;
    }

    private static double[] squared(double[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] * v[i];
        }
        return out;
    }

    private static double[][] motion() {
        double[][] f = SmallMatrix.identity(DIM);
        for (int i = 0; i < 4; i++) {
            f[i][4 + i] = 1;
        }
        return f;
    }

    private static double[][] projection() {
        double[][] h = new double[4][DIM];
        for (int i = 0; i < 4; i++) {
            h[i][i] = 1;
        }
        return h;
    }
}
