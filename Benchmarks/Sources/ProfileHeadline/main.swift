// Runs the headline operations many times, for `valgrind --tool=callgrind` (instruction counts
// are repeatable here; perf counters are not available). Usage: ProfileHeadline decode|encode|typed N
import PumpWire
import PumpWireConformance
import PumpWireCore

var rx = DeclaredMessages.prescription(steps: 8)
rx.maxDailyDoseNanograms = 1_000_000
let message = Message.prescriptionBlock(rx)
let frame = try! message.encodedFrames(sequence: 1)
let output = UnsafeMutableRawBufferPointer.allocate(byteCount: 2048, alignment: 8)
let mode = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "decode"
let count = CommandLine.arguments.count > 2 ? Int(CommandLine.arguments[2])! : 100_000
var sink = 0
for _ in 0..<count {
    switch mode {
    case "encode":
        sink &+= try! FrameEncoder.encode(message, sequence: 1, into: output)
    case "typed":
        frame.withUnsafeBytes { raw in
            let view = try! FrameView.decode(raw, exactly: true)
            sink &+= Int(try! PrescriptionBlock.decode(payload: view.payload(in: raw), reportingOffset: 9).maxDailyDoseNanograms)
        }
    default:
        frame.withUnsafeBytes { raw in
            if case .message(.prescriptionBlock(let block)) = try! Frame.decode(raw).content { sink &+= Int(block.maxDailyDoseNanograms) }
        }
    }
}
print(sink)
