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
}
