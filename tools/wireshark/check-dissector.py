#!/usr/bin/env python3
"""Check the PumpWire Wireshark dissector against the reference library.

Usage:
    python3 tools/wireshark/check-dissector.py --pumpwire PATH [--tshark tshark] [--keylog FILE] CAPTURE...

For each capture, runs
    tshark -X lua_script:tools/wireshark/pumpwire.lua -r CAPTURE -T pdml
    PUMPWIRE decode --format json CAPTURE
and compares, packet by packet and event by event, in order:
  - a frame: the JSON view's leaves (pumpwire.<path of keys>) with the dissector's view fields
    (every pumpwire.* field but pumpwire.wire.* and pumpwire.error.*, leaves only), in order;
  - a rejected frame or noise: error code and offset;
  - both: the event's stream offset.
Reassembly results of the library (items with "reassembled": true, and errors counted from the
payload) are skipped: the dissector does not reassemble.

With --keylog FILE (spec/security.md 14.3, 14.4), each capture is first written as a decrypted view
(PUMPWIRE capture --decrypt CAPTURE --keylog FILE), which tshark dissects, and the library decodes
the original with the key log (PUMPWIRE decode --keylog FILE): the opened frames' views, "opened"
member included, must be the dissector's. A capture of which the key log opens no frame fails.

Exit status: 0 when everything agrees, 1 on any disagreement or if tshark or pumpwire fail.
Python 3.11 standard library only.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
LUA = os.path.join(HERE, "pumpwire.lua")


class ToolError(Exception):
    pass


def run(cmd, attempts=3):
    for attempt in range(attempts):
        try:
            return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        except OSError as e:
            # A binary being replaced by a rebuild is briefly missing or busy: wait and retry.
            if attempt + 1 == attempts:
                raise ToolError(f"cannot run {cmd[0]}: {e}") from e
            time.sleep(2)


# --------------------------------------------------------------------------------------------
# The library's side
# --------------------------------------------------------------------------------------------

def flatten_json(value, path, out):
    """Ordered (abbrev, value) leaves of a JSON view value."""
    if value is None:
        return
    if isinstance(value, dict):
        for key, sub in value.items():
            flatten_json(sub, f"{path}.{key}", out)
    elif isinstance(value, list):
        for sub in value:
            flatten_json(sub, path, out)
    elif isinstance(value, bool):
        out.append((path, "1" if value else "0"))
    elif isinstance(value, int):
        out.append((path, str(value)))
    elif isinstance(value, str):
        if path.endswith((".data", ".payload", ".tag", ".ciphertext")):
            value = value.lower()
        out.append((path, value))
    else:
        out.append((path, repr(value)))


# Findings that no frame decoder or stream reader reports (spec 10), so the dissector, which
# decodes frames one at a time, has no counterpart for them: the reassembler's FRAGMENT_CONFLICT,
# FRAGMENT_MISSING and FRAGMENT_INTERLEAVED (5.3; the library reports them next to the frame the
# decoder accepted), memory-image and log errors (52-61), session findings (64-79) and problems
# of the capture file (80-95).
NOT_DECODER_CODES = frozenset([35, 36, 37, *range(52, 62), *range(64, 80), *range(80, 96)])

FRAME_KEYS = ("messageType", "typeCode", "sequence", "authentication", "message", "fragment", "sealed", "opened")


def library_event(item):
    """An event of the library: ("frame", leaves) or ("error", (code, offset))."""
    if "error" in item:
        err = item["error"]
        return ("error", (int(err["code"]), int(err["offset"])))
    leaves = []
    for key in FRAME_KEYS:
        if key in item:
            flatten_json(item[key], "pumpwire." + key, leaves)
    return ("frame", leaves)


def library_events(pumpwire, capture, keylog=None, opened_count=None):
    proc = run([pumpwire, "decode", "--format", "json", "--file", capture] + (["--keylog", keylog] if keylog else []))
    # Exit status 1 means "something was rejected", which captures of bad frames do on purpose.
    if proc.returncode not in (0, 1):
        raise ToolError(f"pumpwire exited with {proc.returncode}: {proc.stderr.decode(errors='replace').strip()}")
    try:
        items = json.loads(proc.stdout)
    except json.JSONDecodeError as e:
        raise ToolError(f"pumpwire printed no JSON ({e}); stderr: {proc.stderr.decode(errors='replace').strip()}") from e
    if not isinstance(items, list):
        raise ToolError("pumpwire's JSON output is not an array")
    packets = {}
    for item in items:
        if "opened" in item and opened_count is not None:
            opened_count[0] += 1
        if item.get("reassembled") is True:
            continue
        if "error" in item and item["error"].get("offsetFrom") == "payload":
            continue
        if "error" in item and int(item["error"].get("code", 0)) in NOT_DECODER_CODES:
            continue
        if "packet" not in item or "streamOffset" not in item:
            raise ToolError(f"a library item without \"packet\" and \"streamOffset\": {json.dumps(item)[:200]}")
        kind, data = library_event(item)
        packets.setdefault(int(item["packet"]), []).append((int(item["streamOffset"]), kind, data))
    return packets


# --------------------------------------------------------------------------------------------
# The dissector's side
# --------------------------------------------------------------------------------------------

def field_types(tshark):
    """abbrev -> FT_ type of every pumpwire field, from tshark -G fields."""
    proc = run([tshark, "-G", "fields", "-X", f"lua_script:{LUA}"])
    if proc.returncode != 0:
        raise ToolError(f"tshark -G fields exited with {proc.returncode}: {proc.stderr.decode(errors='replace').strip()}")
    types = {}
    for line in proc.stdout.decode(errors="replace").splitlines():
        cols = line.split("\t")
        if len(cols) >= 4 and cols[0] == "F" and cols[2].startswith("pumpwire."):
            types[cols[2]] = cols[3]
    if "pumpwire.messageType" not in types:
        raise ToolError("tshark did not load the dissector (no pumpwire.messageType field)")
    return types


def is_view_field(name):
    return (name.startswith("pumpwire.") and not name.startswith("pumpwire.wire.")
            and not name.startswith("pumpwire.error."))


def field_value(field, ftype):
    if ftype == "FT_BYTES":
        return field.get("value", "").replace(":", "").lower()
    show = field.get("show", "")
    if ftype == "FT_BOOLEAN":
        low = show.strip().lower()
        if low in ("1", "true"):
            return "1"
        if low in ("0", "false"):
            return "0"
        return show
    return show


def flatten_pdml(proto_elem, types):
    """Ordered (abbrev, value) view leaves and the error (code, offset) of one <proto>."""
    leaves = []
    error = {}

    def walk(elem):
        for field in elem.findall("field"):
            name = field.get("name", "")
            children = field.findall("field")
            if name in ("pumpwire.error.code", "pumpwire.error.offset"):
                error[name] = int(field.get("show", "-1"))
            elif is_view_field(name) and not children:
                ftype = types.get(name, "")
                if ftype != "FT_NONE":
                    leaves.append((name, field_value(field, ftype)))
            walk(field)

    walk(proto_elem)
    err = None
    if error:
        err = (error.get("pumpwire.error.code", -1), error.get("pumpwire.error.offset", -1))
    return leaves, err


# tshark's messages for a capture file that is cut short or damaged. Like a PumpWire capture
# reader (spec 14.1, PW-CAP-3), tshark then shows the packets before the problem and exits with 2;
# those packets are still compared.
DAMAGED_FILE = ("appears to have been cut short", "appears to be damaged or corrupt")


def dissector_events(tshark, capture, types, notes):
    proc = run([tshark, "-X", f"lua_script:{LUA}", "-r", capture, "-T", "pdml"])
    stderr = proc.stderr.decode(errors="replace")
    if proc.returncode != 0:
        damaged = [l.strip() for l in stderr.splitlines() if any(d in l for d in DAMAGED_FILE)]
        if proc.returncode == 2 and damaged:
            notes.append(f"{damaged[0]} (the packets before the problem are compared)")
        else:
            raise ToolError(f"tshark exited with {proc.returncode}: {stderr.strip()}")
    lua_problems = [l for l in stderr.splitlines() if "Lua" in l or "lua" in l]
    if lua_problems:
        raise ToolError("tshark reported Lua problems: " + " | ".join(lua_problems[:5]))
    try:
        root = ET.fromstring(proc.stdout)
    except ET.ParseError as e:
        raise ToolError(f"tshark's PDML does not parse: {e}") from e
    packets = {}
    lua_errors = []
    for index, packet in enumerate(root.findall("packet"), start=1):
        number = index
        for field in packet.iter("field"):
            if field.get("name") == "frame.number":
                number = int(field.get("show", index))
                break
        data_start = 0    # link type 147: no pseudo-header, the data starts at frame offset 0
        events = []
        for proto in packet.findall("proto"):
            if proto.get("name") != "pumpwire":
                continue
            offset = int(proto.get("pos", "0")) - data_start
            leaves, err = flatten_pdml(proto, types)
            if err is not None:
                events.append((offset, "error", err))
            else:
                events.append((offset, "frame", leaves))
        # A Lua runtime error shows up as a _ws.lua.error item (an exception as _ws.malformed):
        # it is a disagreement too.
        for field in packet.iter("field"):
            if field.get("name") in ("_ws.lua.error", "_ws.malformed"):
                lua_errors.append((number, field.get("showname", "")))
        if events:
            packets[number] = events
    return packets, lua_errors


# --------------------------------------------------------------------------------------------
# Comparison
# --------------------------------------------------------------------------------------------

def describe(kind, data):
    if kind == "error":
        return f"error code {data[0]} offset {data[1]}"
    if kind == "frame":
        return "frame"
    return f"{kind} {data}"


def compare_event(lib, dis, report):
    lo, lkind, ldata = lib
    do, dkind, ddata = dis
    ok = True
    if lo != do:
        report(lo, "streamOffset", lo, do)
        ok = False
    if lkind != dkind:
        report(lo, "event", describe(lkind, ldata), describe(dkind, ddata))
        return False
    if lkind == "error":
        if ldata[0] != ddata[0]:
            report(lo, "pumpwire.error.code", ldata[0], ddata[0])
            ok = False
        if ldata[1] != ddata[1]:
            report(lo, "pumpwire.error.offset", ldata[1], ddata[1])
            ok = False
        return ok
    for i in range(max(len(ldata), len(ddata))):
        lf = ldata[i] if i < len(ldata) else ("(none)", "")
        df = ddata[i] if i < len(ddata) else ("(none)", "")
        if lf != df:
            if lf[0] == df[0]:
                report(lo, lf[0], lf[1], df[1])
            else:
                report(lo, f"field #{i + 1}", f"{lf[0]}={lf[1]}", f"{df[0]}={df[1]}")
            return False
    return ok


def decrypted_view(pumpwire, capture, keylog, directory):
    """The decrypted capture of spec/security.md 14.4, for tshark."""
    output = os.path.join(directory, os.path.basename(capture) + ".opened.pcapng")
    proc = run([pumpwire, "capture", "--decrypt", capture, "--keylog", keylog, "--output", output])
    if proc.returncode != 0:
        raise ToolError(f"pumpwire capture --decrypt exited with {proc.returncode}: {proc.stderr.decode(errors='replace').strip()}")
    return output


def check_capture(capture, pumpwire, tshark, types, keylog=None, directory=None):
    name = os.path.basename(capture)
    problems = []

    def report_for(packet):
        def report(offset, field, lib_value, dis_value):
            problems.append(f"{name}: packet {packet} stream offset {offset}: {field}: "
                            f"library {lib_value!r}, dissector {dis_value!r}")
        return report

    notes = []
    opened = [0]
    lib = library_events(pumpwire, capture, keylog, opened)
    if keylog:
        if opened[0] == 0:
            problems.append(f"{name}: the key log opens no frame of this capture")
        else:
            notes.append(f"{opened[0]} frames opened with the key log, compared in the decrypted view")
    dis, lua_errors = dissector_events(tshark, decrypted_view(pumpwire, capture, keylog, directory) if keylog else capture,
                                       types, notes)
    for packet, text in lua_errors:
        problems.append(f"{name}: packet {packet}: the dissector failed: {text}")
    agree = 0
    for packet in sorted(set(lib) | set(dis)):
        levents = lib.get(packet, [])
        devents = dis.get(packet, [])
        report = report_for(packet)
        for i in range(max(len(levents), len(devents))):
            if i >= len(levents):
                o, k, d = devents[i]
                report(o, "event", "(none)", describe(k, d))
            elif i >= len(devents):
                o, k, d = levents[i]
                report(o, "event", describe(k, d), "(none)")
            elif compare_event(levents[i], devents[i], report):
                agree += 1
    return agree, problems, notes


PCAP_MAGICS = (b"\x0a\x0d\x0d\x0a",                       # pcapng (spec PW-CAP-4)
               b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4",     # classic pcap, microseconds
               b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d",     # classic pcap, nanoseconds
               b"\x34\xcd\xb2\xa1", b"\xa1\xb2\xcd\x34")     # modified pcap


def refused_by_library(pumpwire, capture):
    """The library refuses the whole file (CAPTURE_MALFORMED at file offset 0: a pcap variant it
    cannot tell apart, spec PW-CAP-3) where Wireshark guesses: nothing to compare."""
    proc = run([pumpwire, "validate", "--format", "json", capture])
    for line in proc.stdout.decode(errors="replace").splitlines():
        try:
            finding = json.loads(line)
        except json.JSONDecodeError:
            continue
        if finding.get("code") == 81 and finding.get("fileOffset") == 0:
            return True
    return False


def capture_form(path):
    with open(path, "rb") as f:
        head = f.read(4)
    if head == PCAP_MAGICS[0]:
        return "pcapng"
    if head in PCAP_MAGICS[1:]:
        return "pcap"
    return None


def main(argv=None):
    parser = argparse.ArgumentParser(description="Compare the PumpWire Lua dissector with the library.")
    parser.add_argument("--pumpwire", required=True, help="path of the pumpwire command-line tool")
    parser.add_argument("--tshark", default="tshark", help="tshark command (default: tshark)")
    parser.add_argument("--keylog", help="a key log (spec/security.md 14.2): compare the opened frames, "
                        "the dissector reading the decrypted view that pumpwire capture --decrypt writes")
    parser.add_argument("captures", nargs="+", metavar="CAPTURE")
    args = parser.parse_args(argv)
    directory = tempfile.mkdtemp(prefix="check-dissector-") if args.keylog else None

    failed = False
    total_agree = 0
    total_problems = 0
    try:
        types = field_types(args.tshark)
    except ToolError as e:
        print(f"error: {e}")
        return 1
    checked = 0
    for capture in args.captures:
        name = os.path.basename(capture)
        try:
            form = capture_form(capture)
        except OSError as e:
            print(f"{name}: error: {e}")
            failed = True
            continue
        if form is None:
            print(f"{name}: skipped: not a pcapng or pcap file (tshark does not read hex logs or raw streams)")
            continue
        if refused_by_library(args.pumpwire, capture):
            print(f"{name}: skipped: the library refuses the file as a whole (CAPTURE_MALFORMED at 0, PW-CAP-3)")
            continue
        checked += 1
        try:
            agree, problems, notes = check_capture(capture, args.pumpwire, args.tshark, types, args.keylog, directory)
        except ToolError as e:
            print(f"{name}: error: {e}")
            failed = True
            continue
        for note in notes:
            print(f"{name}: note: {note}")
        total_agree += agree
        total_problems += len(problems)
        if problems:
            failed = True
            print(f"{name}: {agree} events agree, {len(problems)} disagreements")
            for p in problems:
                print("  " + p)
        else:
            print(f"{name}: {agree} events agree")
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
    print(f"total: {checked} captures checked, {total_agree} events agree, "
          f"{total_problems} disagreements{', FAILED' if failed else ''}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
