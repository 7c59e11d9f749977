#!/usr/bin/env python3
"""The pump scenarios of vectors/scenarios/ (spec/conformance.md section 4, spec/behaviour.md 12).

Each scenario is written here as the steps a runner takes; every expectation (each answer's fields,
`expectState`, `expectLog` and `review` records, a review's request count) is what the pump of
pump_model.py answers, holds and logs at that step, never a value typed by hand. Where a value was
worked out by hand from the spec's words as well, an `assert` says so beside the step: those are the
checks of the model itself.

The builder plays the runner's part where it matters to the pump: it numbers requests as
conformance.md 4.1 says (the first `sequence` 1, each new request, a handshake or a dump request of
a review included, the previous plus 1, a retransmission the previous one's), fragments payloads of
more than 240 bytes, applies faults to the frames, counts the device's sealed frames of a session
(PW-SEC-12), and runs a review's resumption requests as PW-IMAGE-7 says.

    python3 vectors/tools/pump_scenarios.py --write   # (re)write vectors/scenarios/*.json
    python3 vectors/tools/pump_scenarios.py --check   # regenerate in memory; exit 1, naming the
                                                      # file, if a committed file differs (CI)
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pump_model as pm  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUTPUT = os.path.join(ROOT, "vectors", "scenarios")

DAY = 86400
HOUR = 3600
D0 = 847584000              # 2026-11-10 00:00:00 pump time (pumpwire-v1.md 9.2's example)

STATUS_HIDDEN = {"model", "serial", "firmwareMajor", "firmwareMinor", "firmwarePatch"}   # Appendix P


def at(day, hours=0, minutes=0, seconds=0):
    return D0 + day * DAY + hours * HOUR + minutes * 60 + seconds


class Scenario:
    def __init__(self, name, description, requirements, clock, battery=3100, security=None):
        """`security`: None, or {"pumpSeed", "pairingWindowOpen", "sessionCount", "slots"} as the
        scenario file writes it (slots: None or {"role", "deviceSeed", "lastCommandId"})."""
        model_security = None
        if security is not None:
            model_security = {"slots": security["slots"], "sessionCount": security["sessionCount"],
                              "pairingWindowOpen": security["pairingWindowOpen"]}
        self.pump = pm.Pump(clock, battery, model_security)
        self.doc = {
            "scenario": name,
            "description": description,
            "requirements": requirements,
            "pump": {"clock": clock, "batteryMillivolts": battery, "security": security},
            "steps": [],
        }
        self.sequence = 0           # the last request's sequence; 0 before the first
        self.previous = None        # (messageType, message, frames) of the previous send
        self.session = None         # the runner's session: {"slot", "epoch", "counter"}

    # --- steps ------------------------------------------------------------------------------------

    def _step(self, step, comment):
        if comment:
            step = {"comment": comment, **step}
        self.doc["steps"].append(step)

    def _next_sequence(self):
        self.sequence = self.sequence % 65535 + 1 if self.sequence else 1
        return self.sequence

    def send(self, message_type, message, sealed=False, fault=None, lost_fragments=(), retransmit=False,
             comment=None):
        """A `send` step; returns the model's answers [(messageType, view)]."""
        code = pm.TYPE_CODE[message_type]
        if fault == "replayed":
            assert self.previous is not None and (message_type, message) == self.previous[:2] and not retransmit
            assert sealed == self.previous[3]
            frames = self.previous[2]
            delivered = list(frames)
        else:
            if retransmit:
                assert self.previous is not None and self.previous[0] == message_type
                assert "commandId" not in message or message["commandId"] == self.previous[1]["commandId"]
                sequence = self.sequence
            else:
                sequence = self._next_sequence()
            payload = pm.encode_message(message_type, message, sealed)
            frames = []
            for fragment, data in pm.fragments_of(payload):
                if sealed:
                    s = self.session
                    assert s is not None, "a sealed send needs an open session"
                    frames.append(pm.Frame(code, sequence, data, fragment, True, s["epoch"], s["counter"]))
                    s["counter"] += 1
                else:
                    frames.append(pm.Frame(code, sequence, data, fragment))
            if lost_fragments:
                assert all(f.fragment is not None for f in frames)
            delivered = [f for i, f in enumerate(frames) if i not in lost_fragments]
            if fault == "lost":
                delivered = []
            elif fault == "corrupted":
                delivered = [f.copy(corrupted=True) for f in delivered]
            elif fault == "duplicated":
                delivered = [g for f in delivered for g in (f, f)]
            else:
                assert fault is None, fault
        answers = []
        for frame in delivered:
            answers += self.pump.receive(frame)
        self.previous = (message_type, message, frames, sealed)
        step = {"send": {"messageType": message_type, "message": message}}
        if sealed:
            step["sealed"] = True
        if retransmit:
            step["retransmit"] = True
        if fault:
            step["fault"] = fault
        if lost_fragments:
            step["lostFragments"] = list(lost_fragments)
        step["expect"] = [self._expected(t, v) for t, v in answers]
        self._step(step, comment)
        return answers

    def _expected(self, message_type, view):
        if message_type == "pumpStatus":
            view = {k: v for k, v in view.items() if k not in STATUS_HIDDEN}
        elif message_type == "memoryDumpChunk":
            if not self.pump.region_exact(view["region"], view["regionOffset"], view["imageLength"]):
                view = {k: v for k, v in view.items() if k not in ("imageCrc32", "data")}
        return {"messageType": message_type, "message": view}

    def open_session(self, slot, comment=None):
        self._next_sequence()       # the handshakeRequest is a request (security.md 5)
        info = self.pump.open_session(slot)
        self.session = {"slot": info[0], "epoch": info[1], "counter": 0}
        self._step({"openSession": {"slot": slot},
                    "expect": {"slot": info[0], "sessionEpoch": info[1], "lastCommandId": info[2]}}, comment)
        return info

    def advance(self, seconds, comment=None):
        assert seconds > 0
        self.pump.advance(seconds)
        self._step({"advance": seconds}, comment)

    def advance_to(self, clock, comment=None):
        self.advance(clock - self.pump.clock, comment)

    def set_clock(self, clock, comment=None):
        self.pump.set_clock(clock)
        self._step({"setClock": clock}, comment)

    def set_battery(self, millivolts, comment=None):
        self.pump.set_battery(millivolts)
        self._step({"setBattery": millivolts}, comment)

    def restart(self, comment=None):
        self.pump.restart()
        self.session = None
        self._step({"restart": True}, comment)

    def expect_state(self, comment=None):
        state = self.pump.observe()
        self._step({"expectState": state}, comment)
        return state

    def expect_log(self, region, comment=None):
        records = self.pump.logs[region].views()
        self._step({"expectLog": {"region": region, "records": records}}, comment)
        return records

    def review(self, region, offset, length, lost_chunks=(), comment=None):
        """A memory review (conformance.md 4.1): the dump request, then one resumption request per
        run of lost chunks (PW-IMAGE-7); returns the records."""
        assert offset % 20 == 0 and length % 20 == 0
        count = -(-length // pm.CHUNK)
        lost = sorted(set(lost_chunks))
        assert all(0 <= i < count for i in lost)
        runs = []
        for i in lost:
            if runs and runs[-1][1] == i - 1:
                runs[-1][1] = i
            else:
                runs.append([i, i])
        requests = [(offset, length)] + [(offset + pm.CHUNK * i, min(pm.CHUNK * (j - i + 1), length - pm.CHUNK * i))
                                         for i, j in runs]
        image = bytearray(length)
        for n, (o, n_length) in enumerate(requests):
            sequence = self._next_sequence()
            payload = pm.encode_dump_request({"region": region, "compressionAllowed": False, "offset": o,
                                              "length": n_length})
            if self.session is not None:
                frame = pm.Frame(pm.DUMP_REQUEST, sequence, payload, None, True, self.session["epoch"],
                                 self.session["counter"])
                self.session["counter"] += 1
            else:
                frame = pm.Frame(pm.DUMP_REQUEST, sequence, payload)
            answers = self.pump.receive(frame)
            assert all(t == "memoryDumpChunk" for t, _ in answers), answers
            for _, chunk in answers:
                if n == 0 and chunk["chunkIndex"] in lost:
                    continue
                start = chunk["regionOffset"] - offset + chunk["dataOffset"]
                image[start:start + len(chunk["data"]) // 2] = bytes.fromhex(chunk["data"])
        assert bytes(image) == self.pump.region_image(region)[offset:offset + length]
        records = self.pump.logs[region].views(offset, length) if region != "rawAddress" else []
        self._step({"review": {"region": region, "offset": offset, "length": length, "lostChunks": lost},
                    "records": records, "requests": len(requests)}, comment)
        return records

    def document(self):
        return self.doc


# ---------------------------------------------------------------------------------------------
# Messages

def prescription(drug="morphine", mode="timeOfDay", c=2000, capacity=20000, threshold=2000, catheter=150,
                 max_daily=1000000, steps=((0, 480000), (420, 960000), (1320, 480000))):
    return {"drug": drug, "mode": mode, "concentrationMicrogramsPerMillilitre": c,
            "reservoirCapacityMicrolitres": capacity, "lowReservoirThresholdMicrolitres": threshold,
            "catheterVolumeMicrolitres": catheter, "maxDailyDoseNanograms": max_daily,
            "steps": [{"startMinute": s, "doseRateNanogramsPerDay": r} for s, r in steps]}


def schedule(clinician=None, priming=None, patient=None, periodic=()):
    """clinician (dose, minutes); priming (kind, uL, minutes); patient (dose, minutes, lockout, max);
    periodic [(startMinute, dose, minutes)]."""
    return {
        "clinicianBolus": None if clinician is None else
        {"doseNanograms": clinician[0], "durationMinutes": clinician[1]},
        "primingBolus": None if priming is None else
        {"kind": priming[0], "volumeMicrolitres": priming[1], "durationMinutes": priming[2]},
        "patientBolus": None if patient is None else
        {"doseNanograms": patient[0], "durationMinutes": patient[1], "lockoutMinutes": patient[2],
         "maxPerDay": patient[3]},
        "periodicBoluses": [{"startMinute": s, "doseNanograms": d, "durationMinutes": m} for s, d, m in periodic],
    }


def refill(resulting, time, drug="morphine", c=2000, withdrawn=None, added=None):
    return {"drug": drug, "concentrationMicrogramsPerMillilitre": c,
            "volumeWithdrawnMicrolitres": 0 if withdrawn is None else withdrawn,
            "volumeAddedMicrolitres": resulting if added is None else added,
            "resultingReservoirMicrolitres": resulting, "refillTime": time}


def dump(region, offset, length):
    return {"region": region, "compressionAllowed": False, "offset": offset, "length": length}


def with_command_id(command_id, message):
    return {"commandId": command_id, **message}


def digest(message_type, message):
    return pm.crc32(pm.encode_message(message_type, message))


def only(answers):
    assert len(answers) == 1, answers
    return answers[0][1]


SPEC_RX = prescription()                      # pumpwire-v1.md 9.3's prescription, digest 0xb7e2aad6
SPEC_RX_DIGEST = 0xB7E2AAD6


# ---------------------------------------------------------------------------------------------
# The scenarios

def first_programming():
    t0 = at(0, 9, 0, 15)
    s = Scenario("first-programming",
                 "A pump fresh from the factory at implant, 2026-11-10 09:00:15: interrogated, given the "
                 "time-of-day prescription of pumpwire-v1.md 9.3 (acknowledged with its digest), refilled "
                 "with 20000 uL (the receipt's low-reservoir alarm time by D5), and a bolus schedule with a "
                 "clinician bolus and a catheter priming bolus, which start at once and run beside the "
                 "basal. An hour and then a day pass: the reservoir to the nanolitre, the boluses' records, "
                 "the first dailyDelivery record, and the three logs.",
                 ["PW-PUMP-1", "PW-PUMP-2", "PW-PUMP-3", "PW-PUMP-5", "PW-PUMP-6", "PW-PUMP-7", "PW-PUMP-8",
                  "PW-PUMP-11", "PW-PUMP-13", "PW-PUMP-14", "PW-PUMP-15", "PW-PUMP-18", "PW-PUMP-19",
                  "PW-PUMP-23", "PW-PUMP-24", "PW-RX-10", "PW-BOLUS-5", "PW-REFILL-4", "PW-UNIT-3"],
                 t0)
    status = only(s.send("interrogationRequest", {}, comment="A fresh pump: nothing stored, an empty reservoir."))
    assert status["reservoirVolumeMicrolitres"] == 0 and status["prescriptionDigest"] == 0
    ack = only(s.send("prescriptionBlock", SPEC_RX,
                      comment="The acknowledgement's digest is the CRC-32 of the payload, 0xb7e2aad6 (9.3)."))
    assert ack == {"acknowledgedType": 2, "digest": SPEC_RX_DIGEST}
    state = s.expect_state(comment="PW-PUMP-15 with an empty reservoir: R = 0 <= L, so the alarm time is now.")
    assert state["lowReservoirAlarmTime"] == t0
    receipt = only(s.send("refillConfirmation", refill(20000, t0),
                          comment="D5: floor(18000 * 1000 * 1440 / 390000) = 66461 minutes after refillTime."))
    assert receipt["lowReservoirAlarmTime"] == t0 + 60 * 66461 == 851604075
    sched = schedule(clinician=(50000, 30), priming=("catheter", 150, 60))
    ack = only(s.send("bolusSchedule", sched,
                      comment="Clinician bolus 50000 ng = 25000 nL (D4) over 30 min; priming 150 uL over 60 min."))
    assert ack["digest"] == digest("bolusSchedule", sched)
    s.expect_state(comment="Both boluses hold their slots; no tick has run.")
    s.advance(HOUR, comment="Ticks 09:01:00 to 10:00:00: minutes 540 to 599, step 1 (960000 ng/day).")
    state = s.expect_state(comment="Basal 60 ticks at 333, 333, 334 nL = 20000 nL; boluses 25000 + 150000 nL.")
    assert state["basalDeliveredNanolitres"] == 20000 and state["bolusDeliveredNanolitres"] == 175000
    assert state["reservoirNanolitres"] == 20000000 - 20000 - 175000 and state["runningBoluses"] == []
    status = only(s.send("interrogationRequest", {}))
    assert status["reservoirVolumeMicrolitres"] == 19805
    s.expect_log("eventLog", comment="The priming bolus's dose is RoundHalfUp(150000 * 2000, 1000) = 300000 ng.")
    s.advance(DAY, comment="Through midnight: the dailyDelivery record of 2026-11-10.")
    state = s.expect_state()
    # Day 0 from 09:01: step 1 for 780 minutes (260000 nL), step 2 for 120 (20000 nL); day 1 to 10:00:
    # step 0 for 420 minutes (70000 nL), step 1 for 180 (60000 nL).
    assert state["basalDeliveredNanolitres"] == 260000 + 20000 + 70000 + 60000
    assert state["reservoirNanolitres"] == 20000000 - 410000 - 175000
    history = s.expect_log("therapyHistory")
    assert history[-1] == {"offset": 40, "record": "dailyDelivery", "time": D0, "basalVolumeNanolitres": 280000,
                           "bolusVolumeNanolitres": 175000, "bolusCount": 2}
    s.expect_log("eventLog")
    s.expect_log("alarmLog", comment="No alarm was raised.")
    s.send("interrogationRequest", {})
    return s


def time_of_day_change():
    t0 = at(0, 6)
    s = Scenario("time-of-day-change",
                 "The 9.3 profile from 06:00, then a new time-of-day profile stored mid-minute at 07:02:30: "
                 "the basal accumulator (1920000 after two ticks of step 1) goes back to 0, therapyChanged "
                 "carries the old digest as previousDigest, the low-reservoir alarm time is computed again "
                 "from the reservoir in whole microlitres, and the new profile's steps deliver to the "
                 "nanolitre across their boundaries (07:30, 21:00) and through midnight.",
                 ["PW-PUMP-6", "PW-PUMP-15", "PW-PUMP-18", "PW-PUMP-21", "PW-PUMP-23", "PW-UNIT-3", "PW-RX-10"],
                 t0)
    s.send("prescriptionBlock", SPEC_RX)
    s.send("refillConfirmation", refill(20000, t0))
    s.advance_to(at(0, 7, 2, 30), comment="60 ticks of step 0 (10000 nL) and two of step 1 (333 + 333 nL).")
    state = s.expect_state()
    assert state["basalDeliveredNanolitres"] == 10666 and state["basalAccumulator"] == 1920000
    new = prescription(steps=((0, 480000), (450, 1200000), (1260, 600000)), max_daily=1000000)
    ack = only(s.send("prescriptionBlock", new, comment="Steps 00:00, 07:30 and 21:00; D2 = 450000 nL/day."))
    assert ack["digest"] == digest("prescriptionBlock", new)
    state = s.expect_state(comment="Accumulator 0; alarm time by D5 with R = floor(19989334 / 1000) = 19989 uL.")
    assert state["basalAccumulator"] == 0
    assert state["lowReservoirAlarmTime"] == at(0, 7, 2, 30) + 60 * ((19989 - 2000) * 1440000 // 450000)
    s.expect_log("therapyHistory", comment="previousDigest is the 9.3 prescription's.")
    s.advance_to(at(0, 7, 30), comment="28 ticks of step 0: 9 x 500 + 166 nL, accumulator 1920000.")
    state = s.expect_state()
    assert state["basalDeliveredNanolitres"] == 10666 + 4666 and state["basalAccumulator"] == 1920000
    s.advance(60, comment="Minute 450, the first of step 1 (1200000 ng/day): 1920000 + 1200000000 is 417 nL.")
    state = s.expect_state()
    assert state["basalDeliveredNanolitres"] == 10666 + 4666 + 417 and state["basalAccumulator"] == 960000
    s.advance_to(at(0, 21, 0, 30), comment="Through 21:00, into step 2 (600000 ng/day).")
    s.expect_state()
    s.advance_to(at(1, 0, 0, 30), comment="Midnight: the day's dailyDelivery holds both profiles' delivery.")
    s.expect_state()
    s.expect_log("therapyHistory")
    s.advance(DAY, comment="A whole day of the new profile, from the accumulator midnight left.")
    state = s.expect_state()
    history = s.expect_log("therapyHistory")
    assert history[-1]["basalVolumeNanolitres"] in (450000, 450001, 449999)
    s.expect_log("eventLog")
    return s


def periodic_boluses_week():
    t0 = at(0, 8)
    s = Scenario("periodic-boluses-week",
                 "Baclofen 2000 ug/mL at 400000 ng/day (200000 nL/day) with two periodic boluses, 06:00 and "
                 "18:00, 50000 ng over 60 minutes each, for three days; on day 3 at 06:30 a new schedule "
                 "stops the running periodic bolus (stoppedByProgrammer) and makes the 06:00 bolus last "
                 "1440 minutes, so that the 18:00 one finds the periodic slot busy and is not given from "
                 "day 4 on (nothing logged), while the 06:00 one ends at its last tick and starts again in "
                 "the same tick. A dailyDelivery record every day, and the logs after a week. Then the clock is "
                 "set back over 06:00 while that day's 06:00 bolus runs: it falls due again while it holds "
                 "the slot itself, and is not given.",
                 ["PW-PUMP-7", "PW-PUMP-8", "PW-PUMP-9", "PW-PUMP-10", "PW-PUMP-11", "PW-PUMP-19",
                  "PW-PUMP-23", "PW-PUMP-24", "PW-PUMP-4"],
                 t0)
    s.send("prescriptionBlock", prescription(drug="baclofen", mode="continuous", threshold=2000,
                                             catheter=200, max_daily=800000, steps=((0, 400000),)))
    s.send("refillConfirmation", refill(20000, t0, drug="baclofen"))
    s.send("bolusSchedule", schedule(periodic=((360, 50000, 60), (1080, 50000, 60))))
    s.advance_to(at(0, 18, 0, 30), comment="The 18:00 periodic bolus starts at step 5 of the 18:00 tick.")
    state = s.expect_state()
    assert state["runningBoluses"] == ["periodic"]
    s.advance_to(at(1, 0, 0, 30))
    s.expect_log("therapyHistory")
    s.advance_to(at(3, 6, 30))
    state = s.expect_state(comment="The 06:00 bolus of day 3 has run 30 ticks: 12500 nL of its 25000.")
    s.send("bolusSchedule", schedule(periodic=((360, 30000, 1440), (1080, 50000, 60))),
           comment="Stops the running bolus: 12500 nL, dose floor(50000 * 12500 / 25000) = 25000 ng.")
    s.advance_to(at(4, 6, 0, 30), comment="Day 3's 18:00 bolus ran (the slot was free); day 4's 06:00 one starts.")
    s.expect_state()
    s.advance_to(at(4, 18, 0, 30), comment="18:00 on day 4: the periodic slot is busy, the bolus is not given.")
    state = s.expect_state()
    assert state["runningBoluses"] == ["periodic"]
    s.advance_to(at(5, 6, 0, 30),
                 comment="06:00 on day 5: day 4's bolus delivers its 1440th tick and ends (step 2), the new one "
                         "starts (step 5).")
    s.expect_log("eventLog")
    s.advance_to(at(7, 8))
    s.send("interrogationRequest", {})
    s.expect_state()
    s.expect_log("eventLog")
    history = s.expect_log("therapyHistory")
    assert [r["time"] for r in history if r["record"] == "dailyDelivery"] == [at(d) for d in range(7)]
    before = s.expect_state()
    s.set_clock(at(7, 5, 50), comment="Back to 05:50 while day 7's 06:00 bolus runs (120 of its 1440 ticks done).")
    s.advance_to(at(7, 6, 0, 30),
                 comment="06:00 again: the periodic bolus falls due while it holds the periodic slot itself: "
                         "not given, nothing logged.")
    state = s.expect_state()
    assert state["runningBoluses"] == ["periodic"] and state["recordsWritten"] == before["recordsWritten"] + 1
    s.advance_to(at(8, 3, 50, 30), comment="It ends at its 1440th tick, 03:50 of day 8 by the new clock.")
    s.expect_log("eventLog")
    return s


def refill_alarm_date():
    t0 = at(0, 10)
    refill_time = at(0, 9, 59, 30)
    rx = prescription(mode="continuous", steps=((0, 700000),), threshold=2000)
    s = Scenario("refill-alarm-date",
                 "Morphine 2000 ug/mL at 700000 ng/day (350000 nL/day, one step, so that delivery follows "
                 "D5's projection). A refill of 1500 uL, at or below the 2000 uL threshold, has its alarm "
                 "time at refillTime; the refill of 2600 uL that follows at once (refilled at 09:59:30) has "
                 "floor(600 * 1440000 / 350000) = 2468 minutes, 2026-11-12 03:07:30. No alarm at 03:07:29 nor "
                 "at 03:07:30 (no tick runs between 03:07:00 and 03:08:00); lowReservoir at the tick of 03:08:00, the "
                 "first at or after it, with the reservoir still above the threshold (raised by the time, "
                 "not the volume). A later refill clears it at the next tick, cause resolved.",
                 ["PW-PUMP-14", "PW-PUMP-16", "PW-PUMP-1", "PW-REFILL-4", "PW-UNIT-3"],
                 t0)
    s.send("prescriptionBlock", rx)
    receipt = only(s.send("refillConfirmation", refill(1500, refill_time)))
    assert receipt["lowReservoirAlarmTime"] == refill_time
    receipt = only(s.send("refillConfirmation", refill(2600, refill_time, withdrawn=0, added=1100)))
    alarm = receipt["lowReservoirAlarmTime"]
    assert alarm == refill_time + 60 * 2468 == at(2, 3, 7, 30)
    s.advance_to(alarm - 1, comment="03:07:29: the last tick, 03:07:00, came before the alarm time.")
    state = s.expect_state()
    assert state["activeAlarms"] == [] and state["reservoirNanolitres"] > 2000000
    s.advance(1, comment="03:07:30 is the alarm time, but no tick runs at it.")
    state = s.expect_state()
    assert state["activeAlarms"] == []
    s.advance(30, comment="The tick of 03:08:00, the first at or after the alarm time.")
    state = s.expect_state()
    assert state["activeAlarms"] == ["lowReservoir"] and state["reservoirNanolitres"] > 2000000
    s.expect_log("alarmLog")
    s.send("interrogationRequest", {})
    s.advance_to(at(2, 9, 15, 10))
    receipt = only(s.send("refillConfirmation", refill(18000, at(2, 9, 15), withdrawn=1000)))
    state = s.expect_state(comment="lowReservoir stays active until step 4 of the next tick.")
    assert state["activeAlarms"] == ["lowReservoir"] and state["lowReservoirAlarmTime"] == receipt["lowReservoirAlarmTime"]
    s.advance(50, comment="The tick of 09:16:00 clears it, cause resolved, detail the reservoir in uL.")
    state = s.expect_state()
    assert state["activeAlarms"] == []
    s.expect_log("alarmLog")
    s.expect_log("eventLog")
    s.send("interrogationRequest", {})
    return s


def low_reservoir_and_empty():
    t0 = at(0, 8)
    s = Scenario("low-reservoir-and-empty",
                 "A small reservoir drained by boluses faster than D5 projects: morphine 2000 ug/mL at "
                 "2000000 ng/day, 2000 uL refilled, threshold 1000 uL, so the receipt says 08:00 the next "
                 "day; a clinician bolus and a 12:00 periodic bolus bring lowReservoir at 15:12 the same day, "
                 "by volume. The next day the periodic bolus empties the reservoir: that tick comes short, "
                 "the bolus stops (stoppedByAlarm), emptyReservoir is raised, and nothing is delivered while "
                 "it is active, not even a new clinician bolus (logged at once with volume 0). A refill: "
                 "both alarms clear at the next tick (which delivers nothing, the alarm standing before it), "
                 "and delivery resumes.",
                 ["PW-PUMP-5", "PW-PUMP-12", "PW-PUMP-13", "PW-PUMP-14", "PW-PUMP-16", "PW-PUMP-11",
                  "PW-PUMP-23", "PW-PUMP-1"],
                 t0)
    rx = prescription(mode="continuous", steps=((0, 2000000),), threshold=1000, capacity=20000,
                      max_daily=3000000)
    s.send("prescriptionBlock", rx)
    receipt = only(s.send("refillConfirmation", refill(2000, t0)))
    assert receipt["lowReservoirAlarmTime"] == at(1, 8)
    s.send("bolusSchedule", schedule(clinician=(400000, 30), periodic=((720, 1000000, 120),)),
           comment="A clinician bolus of 200000 nL over 30 minutes; a daily 12:00 bolus of 500000 nL over 2 hours.")
    s.advance_to(at(0, 15, 0, 30))
    state = s.expect_state()
    assert state["activeAlarms"] == [] and state["reservoirNanolitres"] > 1000000
    s.advance_to(at(0, 15, 30), comment="The reservoir reaches the threshold: lowReservoir, long before 08:00 tomorrow.")
    state = s.expect_state()
    assert state["activeAlarms"] == ["lowReservoir"] and state["clock"] < receipt["lowReservoirAlarmTime"]
    s.expect_log("alarmLog")
    s.advance_to(at(1, 12, 0, 30), comment="The day-1 periodic bolus has started.")
    s.expect_state()
    s.advance_to(at(1, 13), comment="The reservoir ran out during the periodic bolus.")
    state = s.expect_state()
    assert state["reservoirNanolitres"] == 0 and "emptyReservoir" in state["activeAlarms"]
    assert state["runningBoluses"] == []
    s.expect_log("alarmLog")
    s.expect_log("eventLog")
    s.advance(2 * HOUR, comment="Nothing is delivered while emptyReservoir is active; the accumulator stays.")
    after = s.expect_state()
    assert (after["basalDeliveredNanolitres"], after["basalAccumulator"]) == (state["basalDeliveredNanolitres"], state["basalAccumulator"])
    s.send("interrogationRequest", {})
    s.send("bolusSchedule", schedule(clinician=(100000, 30), periodic=((720, 1000000, 120),)),
           comment="PW-PUMP-12: the clinician bolus cannot start; logged at once, volume, dose, duration 0.")
    s.expect_log("eventLog")
    s.advance_to(at(1, 15, 10, 20))
    s.send("refillConfirmation", refill(20000, at(1, 15, 10)))
    state = s.expect_state(comment="The alarms stand until step 4 of the next tick.")
    assert state["activeAlarms"] == ["lowReservoir", "emptyReservoir"]
    s.advance(40, comment="The tick of 15:11:00: no delivery (emptyReservoir active before it), then both alarms clear.")
    state = s.expect_state()
    assert state["reservoirNanolitres"] == 20000000 and state["activeAlarms"] == []
    s.advance(60, comment="The tick of 15:12:00 delivers again.")
    state = s.expect_state()
    assert state["reservoirNanolitres"] < 20000000
    s.expect_log("alarmLog")
    s.advance_to(at(2, 0, 0, 30))
    s.expect_log("therapyHistory", comment="Day 1's bolusCount counts the periodic bolus only (PW-PUMP-12).")
    s.send("interrogationRequest", {})
    return s


def refill_refusals():
    t0 = at(0, 11, 20)
    s = Scenario("refill-refusals",
                 "The refusals of PW-REFILL-5 in their order, and PW-PUMP-19's: a refill and a bolus schedule "
                 "before any prescription are NOT_PERMITTED (offset 0xffff); after a baclofen prescription, "
                 "a morphine refill is DRUG_MISMATCH at 0 (even with a wrong concentration and an overfill "
                 "as well), a wrong concentration CONCENTRATION_MISMATCH at 1 (even with an overfill), 20001 "
                 "uL in a 20000 uL reservoir RESERVOIR_OVERFILL at 13; exactly 20000 uL is accepted. A "
                 "refusal changes nothing and writes no record.",
                 ["PW-REFILL-5", "PW-PUMP-19", "PW-PUMP-14", "PW-NAK-2", "PW-BOLUS-6"],
                 t0)
    s.send("refillConfirmation", refill(10000, t0, drug="baclofen"), comment="No prescription yet.")
    s.send("bolusSchedule", schedule(clinician=(50000, 30)), comment="No prescription yet: a dose has no volume.")
    s.send("bolusSchedule", schedule(), comment="The empty schedule too.")
    state = s.expect_state()
    assert state["recordsWritten"] == 0
    rx = prescription(drug="baclofen", mode="continuous", c=2000, capacity=20000, threshold=2000, max_daily=800000,
                      steps=((0, 500000),))
    s.send("prescriptionBlock", rx)
    s.send("refillConfirmation", refill(18000, t0, drug="morphine"), comment="DRUG_MISMATCH at 0.")
    s.send("refillConfirmation", refill(21000, t0, drug="morphine", c=500), comment="The drug is checked first.")
    s.send("refillConfirmation", refill(18000, t0, drug="baclofen", c=500), comment="CONCENTRATION_MISMATCH at 1.")
    s.send("refillConfirmation", refill(21000, t0, drug="baclofen", c=500), comment="The concentration before the volume.")
    s.send("refillConfirmation", refill(20001, t0, drug="baclofen"), comment="RESERVOIR_OVERFILL at 13.")
    state = s.expect_state(comment="Nothing changed: an empty reservoir, one therapyChanged in two regions.")
    assert state["reservoirNanolitres"] == 0 and state["recordsWritten"] == 2
    s.send("refillConfirmation", refill(20000, t0, drug="baclofen"), comment="Exactly the capacity is accepted.")
    s.send("bolusSchedule", schedule(), comment="The empty schedule is stored like any other (PW-BOLUS-6).")
    s.expect_state()
    s.expect_log("eventLog")
    s.send("interrogationRequest", {})
    return s


def memory_review_resume():
    t0 = at(0, 8)
    s = Scenario("memory-review-resume",
                 "Logs written, then read through the protocol. Twenty bolus schedules, alternately two, each "
                 "stopping the clinician bolus of the one before, fill 41 eventLog slots; a review of the "
                 "whole eventLog (5120 bytes, 24 chunks) loses chunks 1, 2, 7 and 23 and is resumed with one "
                 "request per run (PW-IMAGE-7: 4 requests in all). Thirty-five battery dips below the "
                 "elective-replacement voltage write 70 alarm records into the 64-slot alarmLog, which wraps: "
                 "records 64 to 69 overwrite slots 0 to 5. Direct dumps: the first records' bytes, a rawAddress "
                 "window across the eventLog's end and the alarmLog's start, and a request past the end of "
                 "a region (FIELD_OUT_OF_RANGE at 6).",
                 ["PW-PUMP-24", "PW-PUMP-25", "PW-IMAGE-7", "PW-IMAGE-8", "PW-DUMP-10", "PW-LOG-3", "PW-JSON-6",
                  "PW-PUMP-19", "PW-PUMP-16"],
                 t0)
    s.send("prescriptionBlock", SPEC_RX)
    s.send("refillConfirmation", refill(20000, t0))
    a = schedule(clinician=(50000, 30))
    b = schedule(clinician=(40000, 20), periodic=((1200, 30000, 30),))
    for i in range(20):
        s.send("bolusSchedule", a if i % 2 == 0 else b)
        s.advance(600)
    s.send("memoryDumpRequest", dump("eventLog", 0, 100), comment="The first five records, byte for byte.")
    s.review("eventLog", 0, 5120, lost_chunks=(1, 2, 7, 23),
             comment="Runs 1-2, 7 and 23 are asked again: 218 * 2 bytes at 218, 218 at 1526, 106 at 5014.")
    for _ in range(35):
        s.set_battery(2700)
        s.advance(60)
        s.set_battery(3000)
        s.advance(60)
    s.expect_state()
    records = s.expect_log("alarmLog", comment="The ring wrapped: slots 0 to 5 hold the 65th to 70th records.")
    assert len(records) == 64 and records[0]["time"] > records[6]["time"]
    s.review("alarmLog", 0, 1280, lost_chunks=(0, 5), comment="Chunk 5 is the last, 190 bytes.")
    s.send("memoryDumpRequest", dump("rawAddress", 5080, 80),
           comment="rawAddress: the eventLog's last two slots (erased) and the alarmLog's first two.")
    s.send("memoryDumpRequest", dump("alarmLog", 1200, 81), comment="One byte past the end of the alarmLog.")
    s.send("memoryDumpRequest", dump("therapyHistory", 0, 2560))
    s.expect_state(comment="Dumps change nothing and write no record.")
    return s


def battery_eri_eos():
    t0 = at(0, 9)
    s = Scenario("battery-eri-eos",
                 "The battery: at 2700 mV the elective-replacement indicator comes at the next tick "
                 "(batteryElectiveReplacement, code 9, detail the voltage; statusFlags, not activeAlarms), "
                 "and delivery goes on. At 2500 mV the next tick still delivers, then batteryEndOfService "
                 "is raised and the running clinician bolus stops (stoppedByAlarm); deliverySuspended is set "
                 "and no tick delivers, a new clinician bolus is logged at once with volume 0. When the "
                 "battery reads 3000 mV again both clear at the next tick, which delivers nothing.",
                 ["PW-PUMP-5", "PW-PUMP-12", "PW-PUMP-16", "PW-PUMP-11", "PW-PUMP-23"],
                 t0)
    s.send("prescriptionBlock", SPEC_RX)
    s.send("refillConfirmation", refill(20000, t0))
    s.send("bolusSchedule", schedule(clinician=(50000, 30)))
    s.advance(300)
    s.set_battery(2700, comment="The battery reads 2700 mV; alarms follow at the next tick.")
    state = s.expect_state()
    assert state["electiveReplacementIndicator"] is False
    s.advance(60)
    state = s.expect_state()
    assert state["electiveReplacementIndicator"] is True and state["runningBoluses"] == ["clinician"]
    s.send("interrogationRequest", {})
    s.advance(120)
    s.set_battery(2500)
    before = s.expect_state()
    s.advance(60, comment="The tick of 09:09:00 delivers, then raises batteryEndOfService and stops the bolus.")
    state = s.expect_state()
    assert state["deliverySuspended"] and state["runningBoluses"] == []
    assert state["bolusDeliveredNanolitres"] == 7500 and state["basalDeliveredNanolitres"] > before["basalDeliveredNanolitres"]
    s.expect_log("eventLog", comment="9 ticks of 30: 7500 nL, dose floor(50000 * 7500 / 25000) = 15000 ng.")
    s.advance(HOUR, comment="No delivery: the accumulators do not change.")
    after = s.expect_state()
    assert after["basalDeliveredNanolitres"] == state["basalDeliveredNanolitres"]
    s.send("interrogationRequest", {})
    s.send("bolusSchedule", schedule(clinician=(20000, 10)), comment="PW-PUMP-12: logged at once, volume 0.")
    s.expect_log("eventLog")
    s.set_battery(3000)
    s.advance(60, comment="No delivery at this tick (batteryEndOfService stood before it); both alarms clear.")
    state = s.expect_state()
    assert state["basalDeliveredNanolitres"] == after["basalDeliveredNanolitres"] and not state["deliverySuspended"]
    s.advance(60)
    state = s.expect_state()
    assert state["basalDeliveredNanolitres"] > after["basalDeliveredNanolitres"]
    s.expect_log("alarmLog")
    s.send("interrogationRequest", {})
    s.advance_to(at(1, 0, 0, 30))
    s.expect_log("therapyHistory")
    return s


def forty_steps():
    """A 40-step profile (267... payload 261 bytes: two fragments of 236 and 25)."""
    return prescription(steps=tuple((36 * i, 480000 + 12000 * i) for i in range(40)), max_daily=1000000)


def restart_and_power_loss():
    t0 = at(0, 14)
    p40 = forty_steps()
    assert len(pm.encode_prescription(p40)) == 261
    s = Scenario("restart-and-power-loss",
                 "A restart with a clinician bolus running: the bolus is logged stoppedByAlarm with what it "
                 "delivered, the basal accumulator goes to 0, pumpReset is raised; the next pumpStatus shows "
                 "it and the pump then clears it (acknowledged). A 40-step prescription (261 bytes, two "
                 "fragments) loses its second fragment and the pump restarts: the old prescription stays "
                 "stored and delivering, pumpStatus shows its digest; sent whole again it is stored. A lost fragment is "
                 "completed by a retransmission; a fragment of another message abandons the one in progress (PW-PUMP-27).",
                 ["PW-PUMP-17", "PW-PUMP-21", "PW-PUMP-22", "PW-PUMP-11", "PW-PUMP-18", "PW-PUMP-27", "PW-FRAG-1",
                  "PW-FRAG-8", "PW-SESSION-4"],
                 t0)
    s.send("prescriptionBlock", SPEC_RX)
    s.send("refillConfirmation", refill(20000, t0))
    s.send("bolusSchedule", schedule(clinician=(100000, 60)))
    s.advance(1200)
    state = s.expect_state()
    assert state["basalAccumulator"] == 1920000 and state["bolusDeliveredNanolitres"] == 16666
    s.restart(comment="20 ticks of 60: 16666 nL, dose floor(100000 * 16666 / 50000) = 33332 ng.")
    state = s.expect_state()
    assert state["basalAccumulator"] == 0 and state["activeAlarms"] == ["pumpReset"] and state["runningBoluses"] == []
    s.expect_log("eventLog")
    s.advance(600)
    status = only(s.send("interrogationRequest", {}, comment="The first pumpStatus after the restart shows pumpReset."))
    assert status["activeAlarms"] == ["pumpReset"]
    status = only(s.send("interrogationRequest", {}, comment="Then it is cleared, cause acknowledged."))
    assert status["activeAlarms"] == []
    s.expect_log("alarmLog")
    answers = s.send("prescriptionBlock", p40, lost_fragments=[1],
                     comment="Fragment 1 never arrives: nothing is stored, nothing is answered.")
    assert answers == []
    s.advance(300)
    s.restart(comment="Power loss with fragment 0 held: the message in progress is discarded.")
    s.advance(600)
    state = s.expect_state(comment="The old therapy delivers.")
    status = only(s.send("interrogationRequest", {}))
    assert status["prescriptionDigest"] == SPEC_RX_DIGEST
    ack = only(s.send("prescriptionBlock", p40, comment="Sent whole, with a new sequence: stored."))
    assert ack["digest"] == digest("prescriptionBlock", p40)
    status = only(s.send("interrogationRequest", {}))
    assert status["prescriptionDigest"] == ack["digest"]
    s.advance(HOUR)
    s.expect_state()
    # PW-PUMP-27: a lost fragment is completed by a retransmission; a pump without the security
    # layer abandons a message in progress, silently, for a fragment of another message.
    p40b = prescription(steps=tuple((36 * i, 470000 + 11000 * i) for i in range(40)), max_daily=1000000)
    p40c = prescription(steps=tuple((36 * i, 460000 + 10000 * i) for i in range(40)), max_daily=1000000)
    assert s.send("prescriptionBlock", p40b, lost_fragments=[1], comment="Fragment 1 lost again.") == []
    ack = only(s.send("prescriptionBlock", p40b, retransmit=True,
                      comment="The programmer sends it again, same sequence: fragment 0 is a duplicate, fragment 1 completes it."))
    assert ack["digest"] == digest("prescriptionBlock", p40b)
    assert s.send("prescriptionBlock", p40, lost_fragments=[1], comment="Fragment 1 lost; the programmer moves on.") == []
    ack = only(s.send("prescriptionBlock", p40c,
                      comment="A fragment of another message: the one in progress is abandoned, silently, and this one stored."))
    assert ack["digest"] == digest("prescriptionBlock", p40c)
    status = only(s.send("interrogationRequest", {}))
    assert status["prescriptionDigest"] == ack["digest"]
    s.advance(600)
    s.expect_state()
    s.expect_log("eventLog")
    s.expect_log("alarmLog")
    s.expect_log("therapyHistory")
    return s


def repeated_request():
    t0 = at(0, 11)
    s = Scenario("repeated-request",
                 "PW-PUMP-20: a bolus schedule whose frame arrives twice is answered twice with the same "
                 "acknowledgement and executed once (one bolusScheduleChanged, one clinician bolus); "
                 "retransmitted with the same sequence, before and after a restart, it is answered again and "
                 "not executed; the same schedule as a new request (a new sequence) is executed. A duplicated "
                 "interrogation is answered each time with the state of the moment. A corrupted frame gets no "
                 "answer and changes nothing; a lost refill is executed when retransmitted, and its second "
                 "retransmission is answered with the kept receipt while the reservoir goes on draining.",
                 ["PW-PUMP-20", "PW-PUMP-17", "PW-PUMP-19", "PW-PUMP-22", "PW-ERR-2",
                  "PW-SESSION-1"],
                 t0)
    s.send("prescriptionBlock", SPEC_RX)
    s.send("refillConfirmation", refill(20000, t0))
    s1 = schedule(clinician=(50000, 30))
    answers = s.send("bolusSchedule", s1, fault="duplicated", comment="Both answers are the same acknowledgement.")
    assert len(answers) == 2 and answers[0] == answers[1]
    s.expect_log("eventLog")
    s.advance(120)
    s.send("bolusSchedule", s1, retransmit=True, comment="The same sequence and payload: the kept answer.")
    state = s.expect_state(comment="The bolus was not started again: 2 ticks of 25000 nL / 30.")
    assert state["bolusDeliveredNanolitres"] == 1666
    s.restart()
    s.send("bolusSchedule", s1, retransmit=True, comment="The kept request survives a restart.")
    state = s.expect_state()
    assert state["runningBoluses"] == []
    answers = s.send("interrogationRequest", {}, fault="duplicated",
                     comment="Executed twice: pumpReset is shown, then cleared, so the second answer lacks it.")
    assert answers[0][1]["activeAlarms"] == ["pumpReset"] and answers[1][1]["activeAlarms"] == []
    s.send("bolusSchedule", s1, comment="A new request with the same payload is executed: a new clinician bolus.")
    s.advance(60)
    before = s.expect_state()
    s2 = schedule(clinician=(20000, 10), periodic=((480, 10000, 15),))
    answers = s.send("bolusSchedule", s2, fault="corrupted", comment="A CRC error: dropped, not answered.")
    assert answers == []
    state = s.expect_state()
    assert state == before
    r = refill(19000, at(0, 11, 3), withdrawn=500, added=0)
    assert s.send("refillConfirmation", r, fault="lost") == []
    state = s.expect_state()
    assert state["reservoirNanolitres"] == before["reservoirNanolitres"]
    s.send("refillConfirmation", r, retransmit=True, comment="The pump never saw it: executed now.")
    s.advance(120)
    s.send("refillConfirmation", r, retransmit=True, comment="The kept receipt; the reservoir is not set again.")
    state = s.expect_state()
    assert state["reservoirNanolitres"] < 19000000
    s.expect_log("eventLog")
    s.expect_log("alarmLog")
    return s


def clock_change():
    t0 = at(0, 22)
    s = Scenario("clock-change",
                 "Setting the clock is not elapsed time: 10 minutes after 22:00 with a clinician bolus "
                 "running, the clock is set forward to 23:50:30 of the next day (clockChanged, no tick, "
                 "nothing delivered), the bolus goes on with its 20 ticks left, and the day counters carry "
                 "into the next midnight, whose dailyDelivery (dated 2026-11-11) holds the delivery of both "
                 "days. The clock is then set back to 12:00 of 2026-11-11: at the next midnight a second "
                 "dailyDelivery with the same date holds what was delivered since the first.",
                 ["PW-PUMP-4", "PW-PUMP-2", "PW-PUMP-3", "PW-PUMP-8", "PW-PUMP-23"],
                 t0)
    s.send("prescriptionBlock", SPEC_RX)
    s.send("refillConfirmation", refill(20000, t0))
    s.send("bolusSchedule", schedule(clinician=(50000, 30)))
    s.advance(600)
    before = s.expect_state()
    assert before["basalDeliveredNanolitres"] == 1666 and before["bolusDeliveredNanolitres"] == 8333
    s.set_clock(at(1, 23, 50, 30), comment="Forward a day and 1 h 50 min 30 s.")
    state = s.expect_state()
    assert {k: v for k, v in state.items() if k not in ("clock", "recordsWritten")} == \
        {k: v for k, v in before.items() if k not in ("clock", "recordsWritten")}
    s.advance(1200, comment="Ticks 23:51:00 to 00:10:00 of the new clock: the bolus ends at its 30th tick.")
    history = s.expect_log("therapyHistory")
    assert history[-1]["time"] == at(1) and history[-1]["bolusVolumeNanolitres"] == 16666
    s.expect_state()
    s.set_clock(at(1, 12), comment="Back to 12:00 of the day before.")
    s.advance_to(at(2, 0, 0, 30))
    history = s.expect_log("therapyHistory", comment="Two dailyDelivery records dated 2026-11-11.")
    assert [r["time"] for r in history if r["record"] == "dailyDelivery"] == [at(1), at(1)]
    s.expect_log("eventLog")
    s.expect_state()
    return s


def sealed_patient_bolus():
    t0 = at(0, 10)
    security = {"pumpSeed": "PumpWire scenario sealed-patient-bolus pump", "pairingWindowOpen": False,
                "sessionCount": 6,
                "slots": [{"role": "clinician", "deviceSeed": "PumpWire scenario clinician programmer",
                           "lastCommandId": 40},
                          {"role": "patient", "deviceSeed": "PumpWire scenario patient handheld", "lastCommandId": 0},
                          None, None]}
    s = Scenario("sealed-patient-bolus",
                 "A secure pump. The clinician's programmer (slot 0) opens a session and programs a "
                 "prescription, a refill and a bolus schedule with a patient bolus of 25000 ng over 10 "
                 "minutes, a 180-minute lockout and 3 a day, each sealed with its command id. The patient's "
                 "handheld (slot 1) opens a session, which ends the clinician's (replaced): a bolus is granted "
                 "(acknowledgement of type 6, digest over the command id and the request) and delivered over "
                 "10 minutes; the same frame replayed is dropped (REPLAYED logged, no second bolus); a dose "
                 "above the limit, a request within the lockout, the same command id again and a "
                 "prescription from the patient's role are refused. Later sessions (the earlier ones end "
                 "idle) get the second and third boluses of the day, exactly at the lockout's end, a fourth "
                 "is refused by the day's count, and after midnight one is granted again.",
                 ["PW-PUMP-26", "PW-PUMP-7", "PW-PUMP-8", "PW-PUMP-11", "PW-PUMP-23", "PW-SEC-13", "PW-SEC-14",
                  "PW-SEC-15", "PW-SEC-16", "PW-SEC-19", "PW-SEC-20", "PW-SEC-21"],
                 t0, security=security)
    assert s.open_session(0) == (0, 7, 40)
    rx = with_command_id(41, SPEC_RX)
    ack = only(s.send("prescriptionBlock", rx, sealed=True,
                      comment="The digest is the payload's without the command id (PW-SEC-13)."))
    assert ack["digest"] == SPEC_RX_DIGEST
    s.send("refillConfirmation", with_command_id(42, refill(20000, t0)), sealed=True)
    s.send("bolusSchedule", with_command_id(43, schedule(patient=(25000, 10, 180, 3))), sealed=True)
    s.send("interrogationRequest", {}, sealed=True)
    assert s.open_session(1, comment="The clinician's session ends, replaced, after 4 frames.") == (1, 8, 0)
    request = {"commandId": 1, "doseNanograms": 25000, "requestTime": t0}
    ack = only(s.send("patientBolusRequest", request, sealed=True,
                      comment="Granted: 25000 ng = 12500 nL (D4) over 10 minutes."))
    assert ack == {"acknowledgedType": 6, "digest": pm.crc32(pm.u32(1) + pm.u32(25000) + pm.u32(t0))}
    assert s.send("patientBolusRequest", request, sealed=True, fault="replayed",
                  comment="The same sealed frame again: dropped, REPLAYED logged, no answer.") == []
    state = s.expect_state()
    assert state["runningBoluses"] == ["patient"]
    s.advance(300)
    s.send("patientBolusRequest", {"commandId": 2, "doseNanograms": 30000, "requestTime": at(0, 10, 5)},
           sealed=True, comment="PATIENT_BOLUS_DOSE_EXCEEDED at 4, the dose after the command id.")
    lockout = {"commandId": 3, "doseNanograms": 20000, "requestTime": at(0, 10, 5)}
    s.send("patientBolusRequest", lockout, sealed=True, comment="PATIENT_BOLUS_LOCKOUT: 180 minutes since 10:00.")
    s.send("patientBolusRequest", lockout, sealed=True, retransmit=True,
           comment="The same command id again: DUPLICATE_COMMAND at 0.")
    s.send("prescriptionBlock", with_command_id(4, SPEC_RX), sealed=True,
           comment="ROLE_NOT_PERMITTED before the command id is checked: 4 stays unused.")
    s.advance(300, comment="The patient bolus ends at its 10th tick, 10:10:00.")
    s.send("interrogationRequest", {}, sealed=True)
    state = s.expect_state()
    assert state["bolusDeliveredNanolitres"] == 12500 and state["runningBoluses"] == []
    s.advance_to(at(0, 13))
    assert s.open_session(1, comment="The last session ended idle at this handshake.") == (1, 9, 3)
    s.send("patientBolusRequest", {"commandId": 4, "doseNanograms": 20000, "requestTime": at(0, 13)}, sealed=True,
           comment="Exactly 180 minutes after the first: granted, 10000 nL.")
    s.advance_to(at(0, 16, 5))
    s.open_session(1)
    s.send("patientBolusRequest", {"commandId": 5, "doseNanograms": 25000, "requestTime": at(0, 16, 5)}, sealed=True,
           comment="The third of the day.")
    s.advance_to(at(0, 19, 30))
    s.open_session(1)
    s.send("patientBolusRequest", {"commandId": 6, "doseNanograms": 10000, "requestTime": at(0, 19, 30)}, sealed=True,
           comment="PATIENT_BOLUS_COUNT_EXCEEDED: 3 started today.")
    s.advance_to(at(1, 0, 30))
    s.open_session(1)
    s.send("patientBolusRequest", {"commandId": 7, "doseNanograms": 25000, "requestTime": at(1, 0, 30)}, sealed=True,
           comment="A new pump-clock day: granted.")
    s.advance(15 * 60)
    s.expect_state()
    s.expect_log("eventLog", comment="handshakeHashPrefix is left out: the runner's Noise makes it.")
    history = s.expect_log("therapyHistory")
    assert history[-1]["bolusCount"] == 3 and history[-1]["bolusVolumeNanolitres"] == 12500 + 10000 + 12500
    s.expect_log("alarmLog")
    return s


SCENARIOS = [first_programming, time_of_day_change, periodic_boluses_week, refill_alarm_date,
             low_reservoir_and_empty, refill_refusals, memory_review_resume, battery_eri_eos,
             restart_and_power_loss, repeated_request, clock_change, sealed_patient_bolus]


def render(document):
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def generate():
    files = {}
    for make in SCENARIOS:
        doc = make().document()
        files[doc["scenario"] + ".json"] = render(doc)
    return files


def main(argv):
    if argv[1:] not in (["--write"], ["--check"]):
        print(__doc__.strip())
        return 2
    files = generate()
    if argv[1] == "--write":
        os.makedirs(OUTPUT, exist_ok=True)
        for name, text in files.items():
            with open(os.path.join(OUTPUT, name), "w", encoding="utf-8") as f:
                f.write(text)
        stale = sorted(set(n for n in os.listdir(OUTPUT) if n.endswith(".json")) - set(files))
        for name in stale:
            print(f"vectors/scenarios/{name} is not a scenario of pump_scenarios.py: remove it", file=sys.stderr)
        print(f"wrote {len(files)} scenarios to vectors/scenarios/")
        return 1 if stale else 0
    bad = 0
    present = set(n for n in os.listdir(OUTPUT) if n.endswith(".json")) if os.path.isdir(OUTPUT) else set()
    for name, text in files.items():
        path = os.path.join(OUTPUT, name)
        if name not in present:
            print(f"vectors/scenarios/{name} is missing: run pump_scenarios.py --write", file=sys.stderr)
            bad += 1
            continue
        with open(path, encoding="utf-8") as f:
            committed = f.read()
        if committed != text:
            a, b = committed.splitlines(), text.splitlines()
            line = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
            print(f"vectors/scenarios/{name} differs from what pump_model.py computes (first at line {line + 1})",
                  file=sys.stderr)
            bad += 1
    for name in sorted(present - set(files)):
        print(f"vectors/scenarios/{name} is not a scenario of pump_scenarios.py", file=sys.stderr)
        bad += 1
    if bad:
        return 1
    print(f"{len(files)} scenarios: every committed file is what pump_model.py computes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
