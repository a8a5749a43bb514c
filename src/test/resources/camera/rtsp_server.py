#!/usr/bin/python3
"""A real RTSP server (GStreamer's gst-rtsp-server) for the camera bridge tests and manual checks.

    scripts/py src/test/resources/camera/rtsp_server.py PORT [--mount /cam] [--clip clip.mkv] [--fps 15]

Serves rtsp://127.0.0.1:PORT/cam as H.264: a live test pattern, or an H.264 Matroska clip played
at its own rate (make one with: ffmpeg -i vtest.avi -c:v libx264 -g 10 clip.mkv). Prints
"READY <url>" on stdout once it listens. Debian packages: python3-gi, gir1.2-gst-rtsp-server-1.0,
gstreamer1.0-plugins-{base,good,bad,ugly}.
"""
import argparse
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("--mount", default="/cam")
    parser.add_argument("--clip", help="H.264 .mkv to serve instead of a live test pattern")
    parser.add_argument("--fps", type=int, default=15, help="test pattern frame rate")
    args = parser.parse_args()

    Gst.init(None)
    if args.clip:
        launch = (f'( filesrc location="{args.clip}" ! matroskademux ! h264parse '
                  f'! rtph264pay name=pay0 pt=96 config-interval=1 )')
    else:
        launch = (f"( videotestsrc is-live=true pattern=ball "
                  f"! video/x-raw,width=320,height=240,framerate={args.fps}/1 "
                  f"! x264enc tune=zerolatency speed-preset=ultrafast key-int-max={args.fps} "
                  f"! rtph264pay name=pay0 pt=96 config-interval=1 )")
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(launch)
    factory.set_shared(True)

    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(args.port))
    server.get_mount_points().add_factory(args.mount, factory)
    if server.attach(None) == 0:
        print(f"FAILED cannot listen on 127.0.0.1:{args.port}", flush=True)
        sys.exit(1)
    print(f"READY rtsp://127.0.0.1:{args.port}{args.mount}", flush=True)
    GLib.MainLoop().run()


if __name__ == "__main__":
    main()
