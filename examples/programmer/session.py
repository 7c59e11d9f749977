#!/usr/bin/env python3
"""A clinician programmer's first session with a pump, against `pumpwire simulate`.

What a programmer-app developer does before a pump exists: start the simulator on a loopback TCP
port with stepped time, then program the pump as after implant (spec/behaviour.md):

  1. interrogate it (pumpStatus: fresh, empty reservoir);
  2. send the prescription of spec 9.3 and check the acknowledgement's digest (PW-ACK-2);
  3. confirm the refill and check the receipt's low-reservoir alarm time against D5 (PW-REFILL-4);
  4. schedule a clinician bolus;
  5. let 4 hours of pump time pass (the simulator's console: `advance 4h`);
  6. interrogate again, and read the event log back with a memory dump.

Frames are written as JSON views and encoded by `pumpwire encode`; answers are decoded by
`pumpwire decode`: the programmer side here is the command line, the pump side the core's engine.

  python3 examples/programmer/session.py [--pumpwire .build/debug/pumpwire]

Exit status 0 when every answer is what the spec says it must be, 1 otherwise.
"""
import argparse
import json
import socket
import struct
import subprocess
import sys
import time
import zlib

PRESCRIPTION = {  # the worked example of spec 9.3
    "drug": "morphine", "mode": "timeOfDay", "concentrationMicrogramsPerMillilitre": 2000,
    "reservoirCapacityMicrolitres": 20000, "lowReservoirThresholdMicrolitres": 2000,
    "catheterVolumeMicrolitres": 150, "maxDailyDoseNanograms": 1000000,
    "steps": [{"startMinute": 0, "doseRateNanogramsPerDay": 480000},
              {"startMinute": 420, "doseRateNanogramsPerDay": 960000},
              {"startMinute": 1320, "doseRateNanogramsPerDay": 480000}],
}
TYPE_CODES = {"interrogationRequest": 1, "prescriptionBlock": 2, "bolusSchedule": 3,
              "refillConfirmation": 4, "memoryDumpRequest": 5}


class Programmer:
    def __init__(self, pumpwire, sock):
        self.pumpwire = pumpwire
        self.sock = sock
        self.sequence = 0
        self.pending = b""

    def encode(self, message_type, message):
        self.sequence += 1
        view = {"messageType": message_type, "typeCode": TYPE_CODES[message_type],
                "sequence": self.sequence, "authentication": None, "message": message}
        return subprocess.run([self.pumpwire, "encode", "--format", "binary"], input=json.dumps(view).encode(),
                              capture_output=True, check=True).stdout

    def payload(self, frame_bytes):
        """The payload of one unfragmented frame: what a digest is computed over (PW-CRC-3)."""
        length = frame_bytes[7] | frame_bytes[8] << 8
        return frame_bytes[9:9 + length]

    def read_frame(self, timeout=5.0):
        deadline = time.monotonic() + timeout
        while True:
            start = self.pending.find(b"\xa5\xc3")
            if start >= 0 and len(self.pending) >= start + 9:
                length = 9 + (self.pending[start + 7] | self.pending[start + 8] << 8) + 2
                if len(self.pending) >= start + length:
                    frame, self.pending = self.pending[start:start + length], self.pending[start + length:]
                    return frame
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer from the pump")
            self.sock.settimeout(left)
            data = self.sock.recv(4096)
            if not data:
                raise ConnectionError("the pump hung up")
            self.pending += data

    def decode(self, frame):
        out = subprocess.run([self.pumpwire, "decode", "--format", "json", frame.hex()], capture_output=True, check=True)
        return json.loads(out.stdout)[0]

    def request(self, message_type, message, answers=1):
        frame = self.encode(message_type, message)
        self.sock.sendall(frame)
        views = [self.decode(self.read_frame()) for _ in range(answers)]
        for view in views:
            assert view["sequence"] == self.sequence, f"answer to sequence {self.sequence} carries {view['sequence']}"
        return frame, views


def d5(resulting, refill_time, prescription):
    """D5 of spec 2.3: the low-reservoir alarm time a programmer recomputes (PW-REFILL-4)."""
    c = prescription["concentrationMicrogramsPerMillilitre"]
    steps = prescription["steps"]
    w = 0
    for i, step in enumerate(steps):
        end = steps[i + 1]["startMinute"] if i + 1 < len(steps) else 1440
        w += step["doseRateNanogramsPerDay"] * (end - step["startMinute"])
    v = (2 * w * 1000 + 1440 * c) // (2 * 1440 * c)  # D2, RoundHalfUp
    low = prescription["lowReservoirThresholdMicrolitres"]
    if resulting <= low:
        return refill_time
    if v == 0:
        return 0xffffffff
    alarm = refill_time + 60 * ((resulting - low) * 1000 * 1440 // v)
    return 0xffffffff if alarm >= 0xffffffff else alarm


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pumpwire", default=".build/debug/pumpwire")
    args = parser.parse_args()

    simulator = subprocess.Popen([args.pumpwire, "simulate", "--tcp", "0", "--stepped", "--start", "2026-11-10T08:00:00"],
                                 stdin=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = simulator.stderr.readline()  # "pumpwire simulate: listening on 127.0.0.1:PORT ..."
        port = int(line.split("127.0.0.1:")[1].split()[0])
        print(f"simulator: {line.strip()}")
        sock = socket.create_connection(("127.0.0.1", port))
        programmer = Programmer(args.pumpwire, sock)

        _, [status] = programmer.request("interrogationRequest", {})
        s = status["message"]
        print(f"1. pumpStatus: reservoir {s['reservoirVolumeMicrolitres']} µL, prescription stored: {s['prescriptionStored']}, "
              f"clock {s['pumpClockTime']}")
        assert not s["prescriptionStored"] and s["reservoirVolumeMicrolitres"] == 0

        frame, [ack] = programmer.request("prescriptionBlock", PRESCRIPTION)
        digest = zlib.crc32(programmer.payload(frame))
        print(f"2. acknowledgement: digest {ack['message']['digest']:#010x}, CRC-32 of what was sent {digest:#010x}")
        assert ack["messageType"] == "acknowledgement" and ack["message"]["digest"] == digest  # PW-ACK-2

        refill_time = s["pumpClockTime"]
        refill = {"drug": "morphine", "concentrationMicrogramsPerMillilitre": 2000, "volumeWithdrawnMicrolitres": 0,
                  "volumeAddedMicrolitres": 20000, "resultingReservoirMicrolitres": 20000, "refillTime": refill_time}
        _, [receipt] = programmer.request("refillConfirmation", refill)
        expected = d5(20000, refill_time, PRESCRIPTION)
        print(f"3. refillReceipt: low-reservoir alarm at {receipt['message']['lowReservoirAlarmTime']}, D5 gives {expected}")
        assert receipt["message"]["lowReservoirAlarmTime"] == expected  # PW-REFILL-4

        _, [ack] = programmer.request("bolusSchedule", {"clinicianBolus": {"doseNanograms": 100000, "durationMinutes": 10},
                                                        "primingBolus": None, "patientBolus": None, "periodicBoluses": []})
        print(f"4. bolusSchedule acknowledged ({ack['messageType']}): a 100 µg clinician bolus over 10 minutes starts now")

        simulator.stdin.write("advance 4h\n")  # stepped time: the console moves the pump's clock
        simulator.stdin.flush()
        time.sleep(0.3)

        _, [status] = programmer.request("interrogationRequest", {})
        s = status["message"]
        # Basal 08:00-12:00 at step 1 (D1 480000 nL/day): 240 minutes = 80000 nL; bolus 50000 nL.
        print(f"5. after 4 h: reservoir {s['reservoirVolumeMicrolitres']} µL, clock {s['pumpClockTime']}")
        assert s["reservoirVolumeMicrolitres"] == 20000 - 80 - 50, s

        _, chunks = programmer.request("memoryDumpRequest", {"region": "eventLog", "compressionAllowed": False,
                                                             "offset": 0, "length": 100})
        image = bytes.fromhex(chunks[0]["message"]["data"])
        assert zlib.crc32(image) == chunks[0]["message"]["imageCrc32"]  # PW-DUMP-8
        records = [image[i:i + 20] for i in range(0, len(image), 20) if image[i:i + 20] != b"\xff" * 20]
        names = {1: "therapyChanged", 2: "bolusScheduleChanged", 3: "bolusDelivered", 4: "refilled", 5: "clockChanged"}
        print("6. event log: " + ", ".join(names.get(r[0], hex(r[0])) + f" at {struct.unpack_from('<I', r, 2)[0]}" for r in records))
        assert [r[0] for r in records] == [1, 4, 2, 3], records
        print("session: every answer is what the spec says")
        return 0
    except (AssertionError, TimeoutError, ConnectionError) as error:
        print(f"session: FAILED: {error!r}", file=sys.stderr)
        return 1
    finally:
        simulator.stdin.close()
        simulator.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
