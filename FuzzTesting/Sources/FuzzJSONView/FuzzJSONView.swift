import Foundation
import FuzzSupport
import PumpWire
import PumpWireCore

/// Entry point: reading a JSON view (spec section 12): a view that reads re-encodes, and its own
/// view reads back to the same frame.
@_cdecl("FuzzJSONView_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runLibFuzzer(argc, argv) { data, size in
        let bytes = FuzzInput(data, size).bytes
        _ = try? JSONValue.parse(bytes)
        guard let frame = try? JSONDecoder().decode(Frame.self, from: Data(bytes)) else { return 0 }
        if let view = try? PumpWireJSON.view(of: frame), let again = try? JSONDecoder().decode(Frame.self, from: Data(view.text().utf8)) {
            precondition(again == frame, "a JSON view does not read back to its frame")
        }
        return 0
    }
}
