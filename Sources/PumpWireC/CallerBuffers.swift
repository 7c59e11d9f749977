import CPumpWire
import PumpWireCore

// How the exported functions turn C arguments into Swift values without ever trapping: a NULL
// pointer is an empty buffer, and a size_t above Int.max is taken as 0 (no such buffer exists).
// Every `const` argument is only read (pumpwire.h): see `required` for the one way Swift can
// write through a pointer that is only read.

func inputBytes(_ bytes: UnsafePointer<UInt8>?, _ length: Int) -> UnsafeRawBufferPointer {
    guard let bytes else { return UnsafeRawBufferPointer(start: nil, count: 0) }
    return UnsafeRawBufferPointer(start: bytes, count: length)
}

func outputBytes(_ out: UnsafeMutablePointer<UInt8>?, _ capacity: Int) -> UnsafeMutableRawBufferPointer {
    guard let out else { return UnsafeMutableRawBufferPointer(start: nil, count: 0) }
    return UnsafeMutableRawBufferPointer(start: out, count: capacity)
}

/// size_t arrives as Int (Swift's import of it); a size_t above Int.max, which cannot describe
/// real memory, arrives negative and is taken as 0.
func cLength(_ value: Int) -> Int { max(0, value) }

/// Runs `body` and turns its outcome into the C convention: PW_OK, or the error's code with its
/// offset stored through `errorOffset` when that is not NULL.
@inline(__always)
func cResult(_ errorOffset: UnsafeMutablePointer<UInt32>?, _ body: () throws(PumpWireError) -> Void) -> UInt16 {
    do {
        try body()
        return 0
    } catch {
        errorOffset?.pointee = UInt32(truncatingIfNeeded: error.offset)
        return error.code.rawValue
    }
}

/// A required struct pointer that is NULL: reported as BUFFER_TOO_SMALL at 0 rather than a trap.
func required<T>(_ pointer: UnsafeMutablePointer<T>?) throws(PumpWireError) -> UnsafeMutablePointer<T> {
    guard let pointer else { throw PumpWireError(.bufferTooSmall, at: 0) }
    return pointer
}

/// A required `const` struct pointer, for reading only. Reach its stored fields by address
/// (`&pointer.pointee.field` is the field's own address, and nothing is written), but reach a C
/// union's member only through `member(of:as:)`: Swift imports union members as computed
/// properties, and an inout access to one writes the whole union back, through the `const`
/// pointer, into memory that may be read-only (flash). Tests/CAPIProbe checks every entry point.
func required<T>(_ pointer: UnsafePointer<T>?) throws(PumpWireError) -> UnsafeMutablePointer<T> {
    guard let pointer else { throw PumpWireError(.bufferTooSmall, at: 0) }
    return UnsafeMutablePointer(mutating: pointer)
}

/// A member of a C union by address: every member of a union starts at its first byte.
@inline(__always)
func member<Union, Member>(of union: UnsafeMutablePointer<Union>, as _: Member.Type) -> UnsafeMutablePointer<Member> {
    UnsafeMutableRawPointer(union).assumingMemoryBound(to: Member.self)
}

/// Fills a C struct with zeros, so that unused elements and absent groups read as 0.
func zero<T>(_ pointer: UnsafeMutablePointer<T>) {
    UnsafeMutableRawPointer(pointer).initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<T>.size)
}

/// The elements of a C fixed-size array, which Swift imports as a homogeneous tuple.
@inline(__always)
func elements<Tuple, Element>(
    _ tuple: UnsafeMutablePointer<Tuple>, of: Element.Type
) -> UnsafeMutablePointer<Element> {
    UnsafeMutableRawPointer(tuple).assumingMemoryBound(to: Element.self)
}

/// The bytes of a C `uint8_t[N]` or `char[N]` array.
@inline(__always)
func cBytes<Tuple>(_ tuple: UnsafeMutablePointer<Tuple>, count: Int) -> UnsafeMutableRawBufferPointer {
    UnsafeMutableRawBufferPointer(start: UnsafeMutableRawPointer(tuple), count: count)
}

extension UnsafeMutablePointer where Pointee == pw_message {
    /// The member of the message's `body` union, by address (see `member(of:as:)`); the copy a
    /// computed member makes would also put the whole union (over 1 KiB) on the stack.
    func body<Member>(_: Member.Type) -> UnsafeMutablePointer<Member> {
        withUnsafeMutablePointer(to: &pointee.body) { member(of: $0, as: Member.self) }
    }
}

extension UnsafeMutablePointer where Pointee == pw_log_record {
    /// The member of the record's `body` union, by address (see `member(of:as:)`).
    func body<Member>(_: Member.Type) -> UnsafeMutablePointer<Member> {
        withUnsafeMutablePointer(to: &pointee.body) { member(of: $0, as: Member.self) }
    }
}
