#!/usr/bin/env python3
"""Play the `securePump` vectors (the `pumpScenarios` of vectors/crypto/sessions.json) against a
testee over the binary testee protocol, as spec/conformance.md 2.4.10 says: PUMP_BEGIN with each
scenario's `pump`, then PUMP_RECEIVE of each step, whose answer must equal the step's `answer`,
`therapy` and `log`.

    python3 examples/python-testee/drive_secure_pump.py [TESTEE COMMAND...]

Without arguments it runs `python3 pumpwire_testee.py` from this directory. Standard library only.
Exit 1 on any difference.
"""
import json
import os
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SESSIONS = os.path.normpath(os.path.join(HERE, "..", "..", "vectors", "crypto", "sessions.json"))


def call(p, body):
    p.stdin.write(struct.pack("<I", len(body)) + body)
    p.stdin.flush()
    (n,) = struct.unpack("<I", p.stdout.read(4))
    return p.stdout.read(n)


def pump_begin(pump):
    body = bytes([0x16]) + bytes.fromhex(pump["staticPrivate"]) + bytes.fromhex(pump["pairingSecret"])
    body += bytes([1 if pump["pairingWindowOpen"] else 0]) + struct.pack("<I", pump["sessionCount"])
    bolus = pump["patientBolus"]
    if bolus is None:
        body += b"\x00"
    else:
        body += b"\x01" + struct.pack("<IHB", bolus["doseNanograms"], bolus["lockoutMinutes"], bolus["maxPerDay"])
    for slot in pump["slots"]:
        if slot is None:
            body += bytes(1 + 32 + 4)
        else:
            body += bytes([slot["role"]]) + bytes.fromhex(slot["staticPublic"]) + struct.pack("<I", slot["lastCommandId"])
    return body


def expected_receive(step):
    answer = bytes.fromhex(step["answer"]) if step["answer"] is not None else b""
    out = b"\x00" + struct.pack("<H", len(answer)) + answer
    therapy = step["therapy"]
    if therapy is None:
        out += b"\x00"
    else:
        payload = bytes.fromhex(therapy["payload"])
        out += b"\x01" + struct.pack("<BIH", therapy["messageType"], therapy["commandId"], len(payload)) + payload
    return out + bytes([len(step["log"])]) + b"".join(bytes.fromhex(r) for r in step["log"])


def main(argv):
    command = argv[1:] or [sys.executable, os.path.join(HERE, "pumpwire_testee.py")]
    with open(SESSIONS) as f:
        scenarios = json.load(f)["pumpScenarios"]
    p = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    failures = steps = 0
    for scenario in scenarios:
        got = call(p, pump_begin(scenario["pump"]))
        if got != b"\x00":
            print(f"FAIL {scenario['id']}: PUMP_BEGIN answered {got.hex()}")
            failures += 1
            continue
        for index, step in enumerate(scenario["steps"], 1):
            steps += 1
            ephemeral = bytes.fromhex(step.get("ephemeralPrivate", "00" * 32))
            body = bytes([0x17]) + struct.pack("<I", step["now"]) + ephemeral + bytes.fromhex(step["frame"])
            got, want = call(p, body), expected_receive(step)
            if got != want:
                failures += 1
                print(f"FAIL {scenario['id']} step {index} ({step['description']}):\n  got  {got.hex()}\n  want {want.hex()}")
    p.stdin.close()
    p.wait(timeout=10)
    print(f"securePump: {len(scenarios)} scenarios, {steps} steps, {failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
