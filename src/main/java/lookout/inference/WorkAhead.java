package lookout.inference;

import lookout.frames.DecodedImage;
import lookout.frames.InvalidFrameException;

/**
 * Work an idle worker may take while no batch waits: a frame seen before the stream thread that owns
 * it got there (the latest-frame policy's look-ahead). The pool knows only this interface, so the
 * policy that feeds it lives with the topology.
 */
public interface WorkAhead {
    /** Whether a frame waits for an idle worker (lock-free: asked under the batcher's lock). */
    boolean hasWork();

    /** The next frame to analyse ahead, now started; null if none. */
    Analysis next();

    /** What to call (outside any lock of the caller) when work arrives: the pool's idle workers' alarm. */
    void onArrival(Runnable wake);

    /** A frame handed to a worker: decode it, run it, complete it. */
    interface Analysis {
        /** The frame's camera (which model runs it: the camera's own, if it has one). */
        String camera();

        /** The frame's image (decoded by the worker that runs it, off the stream thread). */
        DecodedImage decode() throws InvalidFrameException;

        void complete(InferencePool.Result result);

        void fail(Throwable error);
    }
}
