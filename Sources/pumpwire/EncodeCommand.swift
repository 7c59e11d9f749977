import ArgumentParser
import Foundation
import PumpWire
import PumpWireCore

struct EncodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Encode frames from their JSON view (spec section 12) to hex or binary.",
        discussion: """
            Input is one frame's JSON view or an array of them (the output of \
            `pumpwire decode --format json` is accepted). A message longer than one frame is \
            fragmented. Values the spec forbids are refused with the decoder's error code.
            Example:
              pumpwire decode --file vectors/examples/prescriptionBlock.hex --format json | pumpwire encode
            """
    )

    @Argument(help: "A JSON file; - or nothing for stdin.")
    var input: String = "-"

    @Option(help: "hex (one frame a line) or binary.")
    var format: EncodedFormat = .hex

    @Option(name: .shortAndLong, help: "Write to this file instead of stdout.")
    var output: String?

    enum EncodedFormat: String, ExpressibleByArgument, CaseIterable {
        case hex, binary
    }

    func run() throws {
        let data: Data
        if input == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: input) else {
                throw ValidationError("cannot read \(input)")
            }
            data = contents
        }
        let frames: [Frame]
        do {
            frames = try PumpWireJSON.frames(from: data)
        } catch {
            throw ValidationError("not a frame's JSON view: \(error)")
        }

        var encoded: [[UInt8]] = []
        for (index, frame) in frames.enumerated() {
            var fragmented = false
            do throws(PumpWireError) {
                switch frame.content {
                case .message(let message) where frame.authentication == nil:
                    // May be several fragment frames (PW-FRAG-1).
                    fragmented = message.payloadSize > WireLimits.maxFramePayload
                    let bytes = try message.encodedFrames(sequence: frame.sequence)
                    encoded += StreamDecoder.frames(in: bytes)
                default:
                    encoded.append(try frame.encoded())
                }
            } catch {
                let name = MessageRegistry.name(of: frame.typeCode)
                let place = fragmented ? "payload offset \(error.offset)" : "frame offset \(error.offset)"
                printError("error: \(error.code.specName) (\(error.code.rawValue)) at \(place) "
                    + "in entry \(index + 1) (\(name)): the spec forbids this value")
                throw ExitCode(1)
            }
        }

        let bytes: [UInt8]
        switch format {
        case .hex: bytes = Array((encoded.map { Hex.encode($0) }.joined(separator: "\n") + "\n").utf8)
        case .binary: bytes = encoded.flatMap { $0 }
        }
        if let output {
            guard FileManager.default.createFile(atPath: output, contents: Data(bytes)) else {
                throw ValidationError("cannot write \(output)")
            }
        } else {
            FileHandle.standardOutput.write(Data(bytes))
        }
    }
}
