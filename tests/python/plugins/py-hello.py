#!/usr/bin/env python3
# The Python counterpart of examples/hello, written with Kong's own Python
# PDK and run as its dedicated server (MsgPack:1): `-dump` prints the plugin's
# info, `-kong-prefix DIR` listens on DIR/py-hello.sock.
from kong_pdk.cli import start_dedicated_server

Schema = ({"message": {"type": "string"}},)
version = "0.1.0"
priority = 0


class Plugin(object):
    def __init__(self, config):
        self.config = config

    def access(self, kong):
        # The PDK's default Lua style: every call answers (value, error).
        host, err = kong.request.get_header("host")
        if err:
            kong.log.err("unable to get header for request: ", err)
            return
        kong.response.set_header("x-hello-from-python",
                                 "Python says %s to %s" % (self.config["message"], host))


if __name__ == "__main__":
    start_dedicated_server("py-hello", Plugin, version, priority, Schema)
