import org.bytedeco.javacpp.Loader;

/**
 * Run once while the image is built (docker/Containerfile): unpacks every native library the app
 * loads, libtorch through DJL (into DJL_CACHE_DIR) and OpenCV/FFmpeg/OpenBLAS through JavaCPP (into
 * org.bytedeco.javacpp.cachedir), so that a container never writes them at start and its root
 * filesystem can be read-only. Needs only the dependency jars (lib/main), not the app: the layer it
 * makes changes with the dependencies, not with every code change.
 */
public final class PrepareNatives {
    private PrepareNatives() {
    }

    public static void main(String[] args) throws Exception {
        ai.djl.engine.Engine engine = ai.djl.engine.Engine.getEngine("PyTorch");
        System.out.println("natives: libtorch " + engine.getVersion() + " in " + ai.djl.pytorch.jni.LibUtils.getLibtorchPath());
        String[] presets = {
            "org.bytedeco.openblas.global.openblas_nolapack", "org.bytedeco.openblas.global.openblas",
            "org.bytedeco.opencv.global.opencv_core", "org.bytedeco.opencv.global.opencv_imgproc",
            "org.bytedeco.opencv.global.opencv_imgcodecs",
            "org.bytedeco.ffmpeg.global.avutil", "org.bytedeco.ffmpeg.global.swresample",
            "org.bytedeco.ffmpeg.global.avcodec", "org.bytedeco.ffmpeg.global.avformat",
            "org.bytedeco.ffmpeg.global.swscale", "org.bytedeco.ffmpeg.global.avfilter",
            "org.bytedeco.ffmpeg.global.avdevice",
        };
        for (String preset : presets) {
            System.out.println("natives: " + preset + " -> " + Loader.load(Class.forName(preset)));
        }
    }
}
