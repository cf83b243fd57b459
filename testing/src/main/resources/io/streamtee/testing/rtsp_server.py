#!/usr/bin/env python3
"""A tiny RTSP server for the tests: GStreamer's gst-rtsp-server on 127.0.0.1, serving the H.264 of an MPEG-TS file
at /stream (as it is: no re-encoding), one pipeline per client, from the file's start.

usage: rtsp_server.py FILE [PORT] [USER:PASSWORD]
Binds PORT (0: a port the kernel picks), prints "PORT <n>" once it listens, serves until stdin closes or it is killed.
With USER:PASSWORD, clients must authenticate (basic auth). With FILE "-", the environment variable RTSP_LAUNCH is
the pipeline served instead (e.g. an audio-only or an MJPEG stream). With the environment variables RTSP_TLS_CERT and
RTSP_TLS_KEY (PEM files), it speaks RTSP over TLS (rtsps://)."""
import os
import sys
import threading

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import Gio, GLib, Gst, GstRtspServer  # noqa: E402

Gst.init(None)
path = sys.argv[1]
port = sys.argv[2] if len(sys.argv) > 2 else "0"
credentials = sys.argv[3] if len(sys.argv) > 3 else None

server = GstRtspServer.RTSPServer()
server.set_address("127.0.0.1")
server.set_service(port)
factory = GstRtspServer.RTSPMediaFactory()
if path == "-":
    factory.set_launch("( %s )" % os.environ["RTSP_LAUNCH"])
else:
    factory.set_launch("( filesrc location=%s ! tsdemux ! h264parse ! rtph264pay name=pay0 pt=96 config-interval=-1 )"
                       % path.replace(" ", "\\ "))
factory.set_shared(False)
tls = os.environ.get("RTSP_TLS_CERT")
if credentials or tls:
    auth = GstRtspServer.RTSPAuth()
    token = GstRtspServer.RTSPToken()
    token.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, "user")
    if credentials:
        user, password = credentials.split(":", 1)
        auth.add_basic(GstRtspServer.RTSPAuth.make_basic(user, password), token)
    else:
        auth.set_default_token(token)
    if tls:
        auth.set_tls_certificate(Gio.TlsCertificate.new_from_files(tls, os.environ["RTSP_TLS_KEY"]))
    server.set_auth(auth)
    permissions = GstRtspServer.RTSPPermissions()
    permissions.add_role_from_structure(Gst.Structure.new_from_string(
        "user, media.factory.access=(boolean)true, media.factory.construct=(boolean)true"))
    factory.set_permissions(permissions)
server.get_mount_points().add_factory("/stream", factory)
loop = GLib.MainLoop()
if server.attach(None) == 0:
    print("ERROR cannot listen on 127.0.0.1:%s" % port, flush=True)
    sys.exit(1)
print("PORT %d" % server.get_bound_port(), flush=True)


def watch_stdin():
    # until EOF, keeping nothing: a stdin that never ends (a pipe kept open) must not fill the memory
    while sys.stdin.buffer.read(4096):
        pass
    GLib.idle_add(loop.quit)


threading.Thread(target=watch_stdin, daemon=True).start()
loop.run()
