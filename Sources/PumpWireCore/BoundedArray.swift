/// An element that fixed-capacity storage can hold: it needs a filler value for the unused slots.
public protocol BoundedElement: Equatable, BitwiseCopyable {
    static var filler: Self { get }
}

extension UInt8: BoundedElement {
    public static var filler: UInt8 { 0 }
}

/// A list of at most `capacity` elements stored inline: no heap, and the capacity is the spec's
/// maximum for the field, so a decoder can never be asked to hold more than the spec allows.
public struct BoundedArray<let capacity: Int, Element: BoundedElement>: Equatable {
    var storage: InlineArray<capacity, Element>
    public private(set) var count: Int

    public init() {
        storage = InlineArray(repeating: Element.filler)
        count = 0
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }
    public var indices: Range<Int> { 0..<count }
    public var isEmpty: Bool { count == 0 }

    public subscript(position: Int) -> Element {
        @inline(__always) get {
            precondition(position >= 0 && position < count, "index out of range")
            return storage.span[position]  // through a borrowed span: reading must not copy the storage
        }
        @inline(__always) set {
            precondition(position >= 0 && position < count, "index out of range")
            storage[position] = newValue
        }
    }

    public var isFull: Bool { count == capacity }

    /// Lends the elements in place: loops over large arrays use it so that no element access
    /// copies the whole inline storage.
    @inline(__always)  // a call would copy the inline storage to the stack (firmware stack budget)
    public func withUnsafeBufferPointer<R, E: Error>(_ body: (UnsafeBufferPointer<Element>) throws(E) -> R) throws(E) -> R {
        try storage.span.withUnsafeBufferPointer { (buffer) throws(E) -> R in
            try body(UnsafeBufferPointer(rebasing: buffer[0..<count]))
        }
    }

    /// Lends the elements in place for reading from a mutating context: there the storage is
    /// reached by address, where `withUnsafeBufferPointer` copies it to the stack first (a
    /// prescription's 48 steps, 384 bytes, at every tick of `PumpEngine` on the firmware targets).
    @inline(__always)
    public mutating func withElementsInPlace<R, E: Error>(_ body: (UnsafeBufferPointer<Element>) throws(E) -> R) throws(E) -> R {
        let count = self.count
        var span = storage.mutableSpan
        return try span.withUnsafeMutableBufferPointer { (buffer) throws(E) -> R in
            try body(UnsafeBufferPointer(rebasing: buffer[0..<count]))
        }
    }

    /// Appends, or throws TOO_MANY_ITEMS with the element's index as offset when full.
    public mutating func append(_ element: Element) throws(PumpWireError) {
        try require(count < capacity, .tooManyItems, at: count)
        storage[count] = element
        count += 1
    }

    public mutating func removeAll() {
        count = 0
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for i in 0..<lhs.count where lhs.storage[i] != rhs.storage[i] { return false }
        return true
    }
}

extension BoundedArray where Element == UInt8 {
    /// Copies `bytes`, or throws TOO_MANY_ITEMS if they exceed the capacity.
    public init(copying bytes: UnsafeRawBufferPointer) throws(PumpWireError) {
        self.init()
        try require(bytes.count <= capacity, .tooManyItems, at: capacity)
        for i in 0..<bytes.count { storage[i] = bytes[i] }
        count = bytes.count
    }

    /// Lends the stored bytes without copying them.
    @inline(__always)
    public func withUnsafeBytes<R, E: Error>(
        _ body: (UnsafeRawBufferPointer) throws(E) -> R
    ) throws(E) -> R {
        try storage.span.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws(E) -> R in
            try body(UnsafeRawBufferPointer(rebasing: raw[0..<count]))
        }
    }
}

extension BoundedArray: Sendable where Element: Sendable {}

#if !hasFeature(Embedded)
// A public Collection conformance needs the heap in Embedded Swift (its defaults build arrays),
// so the core itself loops over `indices`; hosts get the whole Collection API.
extension BoundedArray: RandomAccessCollection {}
#endif
