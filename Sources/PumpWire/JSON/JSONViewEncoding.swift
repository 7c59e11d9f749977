import PumpWireCore

/// What encoding a JSON view gave: every frame's bytes, or the problems that refused it.
public struct JSONViewEncoding: Sendable {
    /// The frames in order, a fragmented message as its fragment frames; empty when anything was
    /// refused (nothing is half encoded).
    public var frames: [[UInt8]]
    /// One problem for each entry refused, in order: the first problem of that entry.
    public var problems: [JSONViewError]
}

extension PumpWireJSON {
    /// The keys `pumpwire decode --format json` adds to the frames of its array.
    static let streamAnnotations: Set<String> = ["file", "packet", "streamOffset", "line", "reassembled", "error"]

    /// Reads a JSON view strictly (spec section 12) and encodes every frame with the core encoder
    /// (`FrameEncoder`, `Frame.encode`): a message longer than one frame is fragmented, and every
    /// value the spec forbids is refused by the encoder with the decoder's code (PW-ENC-5), reported
    /// with the encoder's offset and the JSON path of the field it points at.
    public static func encode(json bytes: [UInt8]) -> JSONViewEncoding {
        let entries: [(node: JSONNode, path: [JSONPathComponent])]
        do { entries = try viewEntries(bytes) } catch { return JSONViewEncoding(frames: [], problems: [error]) }
        var frames: [[UInt8]] = []
        var problems: [JSONViewError] = []
        for entry in entries {
            do {
                guard let node = try frameNode(entry.node, path: entry.path) else { continue }
                let frame = try JSONViewDecoder.decode(Frame.self, from: node, path: entry.path)
                frames += try encoded(frame, node: node, path: entry.path)
            } catch {
                problems.append(error)
            }
        }
        return JSONViewEncoding(frames: problems.isEmpty ? frames : [], problems: problems)
    }

    /// The frames of a JSON view read strictly (spec section 12), or its first problem.
    static func strictFrames(_ bytes: [UInt8]) throws(JSONViewError) -> [Frame] {
        var frames: [Frame] = []
        for entry in try viewEntries(bytes) {
            guard let node = try frameNode(entry.node, path: entry.path) else { continue }
            frames.append(try JSONViewDecoder.decode(Frame.self, from: node, path: entry.path))
        }
        return frames
    }

    /// One frame object (path `$`) or an array of them (`$[0]`, `$[1]`...).
    private static func viewEntries(_ bytes: [UInt8]) throws(JSONViewError) -> [(node: JSONNode, path: [JSONPathComponent])] {
        let root: JSONNode
        do { root = try JSONNode.parse(bytes) } catch { throw JSONViewError(error) }
        switch root.kind {
        case .object: return [(root, [])]
        case .array(let items): return items.enumerated().map { ($1, [.index($0)]) }
        default: throw JSONViewError(path: "$", reason: "expected a frame's JSON view (an object) or an array of them, found \(root.kindName)")
        }
    }

    /// The frame of an entry without the annotations `decode` adds (`packet`, `streamOffset`), or
    /// nil for an entry that is no frame to encode: a rejection (`error`), or a reassembled copy
    /// of a message whose fragments are in the array (`"reassembled": true`).
    private static func frameNode(_ node: JSONNode, path: [JSONPathComponent]) throws(JSONViewError) -> JSONNode? {
        guard case .object(let members) = node.kind else {
            throw JSONViewError(path: JSONPath.render(path), reason: "expected a frame's JSON view (an object), found \(node.kindName)")
        }
        var skip = false
        for (key, value) in members where streamAnnotations.contains(key) {
            let valuePath = JSONPath.render(path + [.key(key)])
            switch key {
            case "packet", "streamOffset", "line":
                guard case .number(let text, true) = value.kind, !text.hasPrefix("-") else {
                    throw JSONViewError(path: valuePath, reason: "expected a count (an integer of 0 or more), found \(value.kindName)")
                }
            case "file":
                guard case .string = value.kind else {
                    throw JSONViewError(path: valuePath, reason: "expected the input's name (a string), found \(value.kindName)")
                }
            case "reassembled":
                guard case .bool(let reassembled) = value.kind else {
                    throw JSONViewError(path: valuePath, reason: "expected true or false, found \(value.kindName)")
                }
                skip = skip || reassembled
            default:  // "error": what decode rejected; nothing else belongs with it
                guard case .object = value.kind else {
                    throw JSONViewError(path: valuePath, reason: "expected an object, found \(value.kindName)")
                }
                if let other = members.first(where: { !streamAnnotations.contains($0.key) }) {
                    throw JSONViewError(
                        path: JSONPath.render(path),
                        reason: "unexpected key \(JSONValue.quoted(other.key)) in a rejection's entry (one with \"error\")")
                }
                skip = true
            }
        }
        if skip { return nil }
        return JSONNode(kind: .object(members.filter { !streamAnnotations.contains($0.key) }), offset: node.offset)
    }

    /// The frame's bytes from the core encoder, or its refusal with the JSON path of the field.
    private static func encoded(_ frame: Frame, node: JSONNode, path: [JSONPathComponent]) throws(JSONViewError) -> [[UInt8]] {
        switch frame.content {
        case .message(let message):
            let size = FrameEncoder.encodedSize(of: message, authenticated: frame.authentication != nil)
            var output = [UInt8](repeating: 0, count: size)
            let written = output.withUnsafeMutableBytes { raw in
                Result { () throws(PumpWireError) -> Int in
                    try FrameEncoder.encode(message, sequence: frame.sequence, authentication: frame.authentication, into: raw)
                }
            }
            switch written {
            case .success(let count):
                output.removeSubrange(count...)
                return message.payloadSize > WireLimits.maxFramePayload ? StreamDecoder.frames(in: output) : [output]
            case .failure(let error):
                throw refusal(error, of: frame, message: message, node: node, path: path)
            }
        case .sealed:
            do {
                return [try frame.encoded()]
            } catch {
                let field: [String] = switch error.offset {
                case 4: ["authentication"]
                case WireLimits.headerSize: ["sealed", "fragment", "index"]
                case WireLimits.headerSize + 1: ["sealed", "fragment", "count"]
                case WireLimits.headerSize + 2: ["sealed", "fragment", "totalLength"]
                case 7: ["sealed", "ciphertext"]  // the payload length
                default: ["sealed"]
                }
                throw JSONViewError(path: JSONPath.render(path + field.map { .key($0) }), code: error.code, offset: error.offset, reason: error.code.meaning)
            }
        case .fragment:
            do {
                return [try frame.encoded()]
            } catch {
                let field: String? = switch error.offset {
                case WireLimits.headerSize: "index"
                case WireLimits.headerSize + 1: "count"
                case WireLimits.headerSize + 2: "totalLength"
                case 7: "data"  // the payload length: the fragment's data is the wrong size
                default: nil
                }
                let fieldPath = path + [.key("fragment")] + (field.map { [.key($0)] } ?? [])
                throw JSONViewError(path: JSONPath.render(fieldPath), code: error.code, offset: error.offset, reason: error.code.meaning)
            }
        }
    }

    /// The encoder's refusal of a message, with the path of the field at the offset it reports.
    private static func refusal(
        _ error: PumpWireError, of frame: Frame, message: Message, node: JSONNode, path: [JSONPathComponent]
    ) -> JSONViewError {
        let fragmented = message.payloadSize > WireLimits.maxFramePayload
        let messagePath = path + [.key("message")]
        if error.code == .nonCanonical, error.offset == 4, fragmented, frame.authentication != nil {
            return JSONViewError(
                path: JSONPath.render(path + [.key("authentication")]), code: error.code, offset: error.offset,
                reason: "the message's \(message.payloadSize)-byte payload needs fragments, and an authentication block "
                    + "belongs to one frame: version 1 cannot give each fragment its own (spec section 6)")
        }
        if error.code == .payloadTooLarge {
            return JSONViewError(
                path: JSONPath.render(messagePath), code: error.code, offset: error.offset,
                reason: "a payload of \(message.payloadSize) bytes, more than a message may have (\(WireLimits.maxMessagePayload))")
        }
        let payloadOffset = fragmented ? error.offset : error.offset - WireLimits.headerSize
        let fieldPath = fieldPath(atPayloadOffset: payloadOffset, of: message, node: node, path: path) ?? messagePath
        var reason = error.code.meaning
        if let value = value(at: Array(fieldPath.dropFirst(path.count)), in: node), case .number(let text, true) = value.kind {
            reason += " (the value is \(text))"
        }
        if fragmented { reason += "; the offset is in the message payload, which is fragmented (PW-ENC-6)" }
        return JSONViewError(
            path: JSONPath.render(fieldPath), code: error.code, offset: error.offset, payloadOffset: fragmented, reason: reason)
    }

    // MARK: Which field is at a payload offset

    /// The path of the field of the view that the payload byte `offset` starts, found by changing
    /// each value of the view in turn and seeing which payload byte changes first (the fields are
    /// written in layout order, integers little-endian). Nil when no value starts there (a count,
    /// a flags byte, a text's length byte).
    static func fieldPath(
        atPayloadOffset offset: Int, of message: Message, node: JSONNode, path: [JSONPathComponent]
    ) -> [JSONPathComponent]? {
        guard offset >= 0, case .object(let members) = node.kind,
              let messageNode = members.first(where: { $0.key == "message" })?.value,
              let base = fields(of: message) else { return nil }
        var textCovering: [JSONPathComponent]?
        for leaf in leaves(of: messageNode, at: []) {
            for variant in variants(of: leaf.node) {
                let changed = replacing(leaf.path, in: messageNode, with: variant)
                let changedFrame = JSONNode(kind: .object(members.map { ($0.key, $0.key == "message" ? changed : $0.value) }), offset: node.offset)
                guard let frame = try? JSONViewDecoder.decode(Frame.self, from: changedFrame, path: path),
                      case .message(let changedMessage) = frame.content,
                      let bytes = fields(of: changedMessage),
                      let start = firstDifference(base, bytes)
                else { continue }
                let fieldPath = path + [.key("message")] + leaf.path
                if start == offset { return fieldPath }
                // A text or byte string covers the bytes after its start.
                if start < offset, case .string(let text) = leaf.node.kind, offset < start + max(text.utf8.count, 1) {
                    textCovering = fieldPath
                }
                break
            }
        }
        return textCovering
    }

    private static func firstDifference(_ a: [UInt8], _ b: [UInt8]) -> Int? {
        for i in 0..<min(a.count, b.count) where a[i] != b[i] { return i }
        return a.count == b.count ? nil : min(a.count, b.count)
    }

    /// The payload bytes of `message` as written, without the checks (those are what failed).
    private static func fields(of message: Message) -> [UInt8]? {
        var output = [UInt8](repeating: 0, count: WireLimits.maxMessagePayload + WireLimits.maxFrameSize)
        let count = output.withUnsafeMutableBytes { raw -> Int? in
            var writer = ByteWriter(raw)
            let result = Result { () throws(PumpWireError) in
                switch message {
                case .interrogationRequest(let m): try m.writeFields(to: &writer)
                case .pumpStatus(let m): try m.writeFields(to: &writer)
                case .prescriptionBlock(let m): try m.writeFields(to: &writer)
                case .bolusSchedule(let m): try m.writeFields(to: &writer)
                case .refillConfirmation(let m): try m.writeFields(to: &writer)
                case .refillReceipt(let m): try m.writeFields(to: &writer)
                case .memoryDumpRequest(let m): try m.writeFields(to: &writer)
                case .memoryDumpChunk(let m): try m.writeFields(to: &writer)
                case .acknowledgement(let m): try m.writeFields(to: &writer)
                case .negativeAcknowledgement(let m): try m.writeFields(to: &writer)
                case .unknown(let m): try m.payload.withUnsafeBytes { (raw) throws(PumpWireError) in try writer.writeBytes(raw) }
                }
            }
            guard case .success = result else { return nil }
            return writer.count
        }
        guard let count else { return nil }
        return Array(output[..<count])
    }

    /// Every value of the view in document order: scalars, and arrays as a whole before their items.
    private static func leaves(of node: JSONNode, at path: [JSONPathComponent]) -> [(path: [JSONPathComponent], node: JSONNode)] {
        switch node.kind {
        case .object(let members):
            return members.flatMap { leaves(of: $0.value, at: path + [.key($0.key)]) }
        case .array(let items):
            return [(path, node)] + items.enumerated().flatMap { leaves(of: $1, at: path + [.index($0)]) }
        case .null:
            return []
        default:
            return [(path, node)]
        }
    }

    /// Values like `node` that change its field's first byte when they change it at all.
    private static func variants(of node: JSONNode) -> [JSONNode] {
        func make(_ kind: JSONNode.Kind) -> JSONNode { JSONNode(kind: kind, offset: node.offset) }
        switch node.kind {
        case .number(let text, true):
            guard let value = UInt64(text) else { return [] }
            return [make(.number(String(value ^ 1), isInteger: true))]  // the low bit: the first byte, little-endian
        case .bool(let value):
            return [make(.bool(!value))]
        case .string(let text):
            var variants: [JSONNode] = []
            if let first = text.unicodeScalars.first {
                // A hex digit stays a hex digit (a byte string's first byte), any other character
                // another printable one (a text's first byte).
                let replacement: Unicode.Scalar = first == "0" ? "1" : (first.properties.isASCIIHexDigit ? "0" : (first == "A" ? "B" : "A"))
                variants.append(make(.string(String(replacement) + String(text.unicodeScalars.dropFirst()))))
            }
            for name in enumerationNames where name != text { variants.append(make(.string(name))) }
            return variants
        case .array(let items):
            return items.isEmpty ? [] : [make(.array(Array(items.dropLast())))]  // the count, or the bits of a set
        default:
            return []
        }
    }

    private static let enumerationNames: [String] =
        Drug.names.map(\.value) + DeliveryMode.names.map(\.value) + PrimingKind.names.map(\.value)
        + MemoryRegion.names.map(\.value) + DumpEncoding.names.map(\.value)

    private static func value(at path: [JSONPathComponent], in node: JSONNode) -> JSONNode? {
        guard let first = path.first else { return node }
        switch (first, node.kind) {
        case (.key(let key), .object(let members)):
            return members.first { $0.key == key }.flatMap { value(at: Array(path.dropFirst()), in: $0.value) }
        case (.index(let index), .array(let items)) where items.indices.contains(index):
            return value(at: Array(path.dropFirst()), in: items[index])
        default:
            return nil
        }
    }

    private static func replacing(_ path: [JSONPathComponent], in node: JSONNode, with value: JSONNode) -> JSONNode {
        guard let first = path.first else { return value }
        var result = node
        switch (first, node.kind) {
        case (.key(let key), .object(let members)):
            result.kind = .object(members.map { ($0.key, $0.key == key ? replacing(Array(path.dropFirst()), in: $0.value, with: value) : $0.value) })
        case (.index(let index), .array(var items)) where items.indices.contains(index):
            items[index] = replacing(Array(path.dropFirst()), in: items[index], with: value)
            result.kind = .array(items)
        default: break
        }
        return result
    }
}
