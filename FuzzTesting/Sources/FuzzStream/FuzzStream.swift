import FuzzSupport
import PumpWire
import PumpWireCore

/// Entry point: the stream reader (spec 4.3, 5.4): every frame item is the exact bytes at its offset.
@_cdecl("FuzzStream_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runLibFuzzer(argc, argv) { data, size in
        let input = FuzzInput(data, size)
        let stream = input.frames.flatMap { $0 }
        for item in StreamDecoder.decode(stream) {
            precondition(item.streamOffset >= 0 && item.streamOffset + item.length <= stream.count)
            if case .frame(let frame) = item.kind {
                precondition((try? frame.encoded()) == Array(stream[item.streamOffset..<(item.streamOffset + item.length)]))
            }
        }
        return 0
    }
}
