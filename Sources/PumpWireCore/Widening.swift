// Widening to 64 bits without the generic BinaryInteger conversions: on 32-bit Embedded targets
// those go through `words`, which needs the heap and so fails `-no-allocations`.

@inline(__always)
func widen(_ value: UInt32) -> UInt64 { UInt64(_truncatingBits: UInt(value)) }

@inline(__always)
func widen(_ value: UInt16) -> UInt64 { widen(UInt32(value)) }

/// For counts and offsets, which are never negative.
@inline(__always)
func widen(_ value: Int) -> UInt64 { UInt64(_truncatingBits: UInt(bitPattern: value)) }
