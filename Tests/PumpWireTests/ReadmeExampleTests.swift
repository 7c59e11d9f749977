import PumpWire
import PumpWireCore
import Testing

@Suite("The README's library example works as written")
struct ReadmeExampleTests {
    @Test("Build, encode, decode, digest, derive, stream")
    func readmeExample() throws {
        // Kept in step with README.md, "Using the library from Swift".
        let rx = PrescriptionBlock(
            drug: .baclofen, mode: .continuous, concentrationMicrogramsPerMillilitre: 500,
            reservoirCapacityMicrolitres: 20_000, lowReservoirThresholdMicrolitres: 2_000,
            catheterVolumeMicrolitres: 150, maxDailyDoseNanograms: 300_000,
            steps: try BoundedArray(elements: [DayProfileStep(startMinute: 0, doseRateNanogramsPerDay: 200_000)]))
        let bytes = try Message.prescriptionBlock(rx).encodedFrames(sequence: 7)
        let frame = try Frame.decode(bytes)
        guard case .message(.prescriptionBlock(let decoded)) = frame.content else {
            Issue.record("not a prescription")
            return
        }
        let expectedDigest = try Message.prescriptionBlock(decoded).digest()
        #expect(decoded == rx)
        #expect(expectedDigest == ZlibCRC32.checksum(Array(bytes[9..<(bytes.count - 2)])))
        #expect(decoded.dailyBasalVolumeNanolitres == 400_000)  // 200000 ng/day at 500 µg/mL
        let items = StreamDecoder.decode(bytes)
        #expect(items.count == 1 && items[0].streamOffset == 0)
    }

    @Test("Memory dump: chunks in any order, rebuilt, read as records")
    func readmeDumpExample() throws {
        // Kept in step with README.md, "Using the library from Swift".
        let log = MemoryImage(region: .eventLog, regionOffset: 0, bytes: try LogRecord.image(of: [
            LogRecord(time: 847_591_200, body: .bolusDelivered(BolusDeliveredRecord(
                kind: .clinician, outcome: .completed, volumeNanolitres: 50_000, doseNanograms: 100_000, durationMinutes: 10))),
        ]))
        var dump = ImageReassembler()
        for chunk in log.chunks(compressionAllowed: true).reversed() { try dump.add(chunk) }
        #expect(dump.missingChunks.isEmpty && dump.resumeRequests().isEmpty)
        let items = try dump.finish().logItems
        #expect(items.map { PumpWireJSON.view(of: $0).text(indent: nil) } == [
            #"{"offset":0,"record":"bolusDelivered","time":847591200,"kind":"clinician","outcome":"completed","volumeNanolitres":50000,"doseNanograms":100000,"durationMinutes":10}"#,
        ])
        // The spec's worked example record (13.4), byte for byte.
        #expect(Hex.encode(try LogRecord.image(of: [LogRecord(time: 847_591_200, body: .bolusDelivered(BolusDeliveredRecord(
            kind: .clinician, outcome: .completed, volumeNanolitres: 50_000, doseNanograms: 100_000, durationMinutes: 10)))]))
            == "0300203785320100" + "50c30000a08601000a00" + "b077")
    }
}
