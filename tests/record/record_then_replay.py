#!/usr/bin/env python3
"""A recording made with mock-kong standing in for Kong replays strictly.

    record_then_replay.py MOCK_KONG FIXTURE WORKDIR [--other PLUGIN...] -- SERVER...

SERVER is the plugin server as mock-kong takes one: PLUGIN [ARGS...], or
--query-cmd CMD --start-cmd CMD [--socket PATH].

1. mock-kong --replay FIXTURE plays Kong, the plugin server's start command
   being `mock-kong --record`: every case passes or fails through the
   recorder as it does without it (a server that crashes included: Kong
   starts the recorder again, which continues its recording).
2. The recording holds one case per lifecycle, each with its transcript.
3. mock-kong --replay RECORDING against the same server: every case passes,
   but for those that failed without the recorder.
4. With --other, a plugin that makes one PDK call more than the recorded
   one: its replay of the recording fails at that call, naming it.
"""
import json
import os
import shlex
import subprocess
import sys


def fail(message):
    print("FAILED: " + message)
    sys.exit(1)


def run(command, what):
    print("$ " + " ".join(shlex.quote(c) for c in command), flush=True)
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=300)
    print(done.stdout, flush=True)
    return done


def verdicts(output):
    """PASS or FAIL of each case, in order."""
    return [line.split()[0] for line in output.splitlines()
            if line.startswith("PASS ") or line.startswith("FAIL ")]


def split_server(args):
    """The plugin command, or the query and start commands and the socket."""
    server = {"plugin": [], "query": None, "start": None, "socket": None}
    i = 0
    while i < len(args):
        if args[i] in ("--query-cmd", "--start-cmd", "--socket"):
            server[args[i][2:].split("-")[0]] = args[i + 1]
            i += 2
        else:
            server["plugin"] = args[i:]
            break
    return server


def main():
    if "--" not in sys.argv:
        fail(__doc__)
    own, server_args = sys.argv[1:sys.argv.index("--")], sys.argv[sys.argv.index("--") + 1:]
    mock_kong, fixture, workdir = own[:3]
    other = own[own.index("--other") + 1:] if "--other" in own else []
    os.makedirs(workdir, exist_ok=True)
    recording = os.path.join(workdir, "recording.json")
    if os.path.exists(recording):
        os.remove(recording)
    server = split_server(server_args)

    # Kong's side: the real query command, and the recorder as the start
    # command. Its own arguments reach it quoted: $KONG_PREFIX in the
    # server's commands is the recorder's private prefix, not Kong's.
    if server["plugin"]:
        query = " ".join(map(shlex.quote, server["plugin"])) + ' -kong-prefix "$KONG_PREFIX" -dump'
    else:
        query = server["query"]
    recorder = (shlex.quote(mock_kong) + " --record " + shlex.quote(recording) +
                ' --kong-prefix "$KONG_PREFIX" --listen recorder.socket ' +
                " ".join(map(shlex.quote, server_args)))
    direct = run([mock_kong, "--replay", fixture] + server_args, "the replay without recorder")
    expected = verdicts(direct.stdout)
    played = run([mock_kong, "--replay", fixture, "--query-cmd", query, "--start-cmd", recorder,
                  "--socket", "recorder.socket"], "the replay through the recorder")
    if played.returncode != direct.returncode or verdicts(played.stdout) != expected:
        fail("through the recorder the cases went %s (exit %d), without it %s (exit %d)" % (
            verdicts(played.stdout), played.returncode, expected, direct.returncode))

    with open(recording) as f:
        recorded = json.load(f)
    with open(fixture) as f:
        cases = len(json.load(f)["cases"])
    if len(recorded["cases"]) != cases:
        fail("the recording has %d cases, the fixture %d" % (len(recorded["cases"]), cases))
    for c in recorded["cases"]:
        if not c.get("transcript"):
            fail("case %s has no transcript" % c["name"])

    replayed = run([mock_kong, "--replay", recording] + server_args, "the strict replay")
    if verdicts(replayed.stdout) != expected:
        fail("the strict replay of the recording went %s, the fixture %s" % (
            verdicts(replayed.stdout), expected))

    if other:
        changed = run([mock_kong, "--replay", recording] + other, "the changed plugin's replay")
        calls = len(recorded["cases"][0]["transcript"])
        wanted = "transcript[%d]: expected no call: the transcript ends after %d call(s), got " % (
            calls, calls)
        if changed.returncode != 1 or wanted not in changed.stdout:
            fail("the plugin making one call more did not fail its strict replay at call %d "
                 "(exit %d)" % (calls, changed.returncode))
    print("ok")


if __name__ == "__main__":
    main()
