#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A file read through one reusable buffer, so that a capture of any size is read in bounded
/// memory (14.3). Readers ask for the bytes they need next (`require`), look at them
/// (`available`), and move on (`consume`, `skip`).
public final class FileInput {
    public struct OpenFailure: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "cannot read \(path): \(reason)" }
    }

    /// The buffer's usual size: big enough that system calls cost little, small enough to stay in cache.
    public static let bufferSize = 1 << 20

    private let descriptor: Int32
    private let ownsDescriptor: Bool
    private var buffer: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    /// File offset of `available`'s first byte.
    public private(set) var offset = 0
    /// The file has no bytes beyond what the buffer holds.
    public private(set) var reachedEnd = false
    /// The file's size when it is a regular file (for progress), else nil.
    public let size: Int?
    /// Why the system refused a read (EIO, EISDIR...); reading stops there as at the file's end.
    public private(set) var readFailure: String?

    /// "-" is standard input.
    public init(path: String) throws(OpenFailure) {
        if path == "-" {
            descriptor = 0
            ownsDescriptor = false
        } else {
            descriptor = open(path, O_RDONLY)
            guard descriptor >= 0 else { throw OpenFailure(path: path, reason: String(cString: strerror(errno))) }
            ownsDescriptor = true
        }
        var status = stat()
        size = fstat(descriptor, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG ? Int(status.st_size) : nil
        buffer = .allocate(byteCount: Self.bufferSize, alignment: 16)
    }

    /// Bytes already in memory, read as a file would be (tests, vectors).
    public init(bytes: [UInt8]) {
        descriptor = -1
        ownsDescriptor = false
        size = bytes.count
        buffer = .allocate(byteCount: max(bytes.count, 1), alignment: 16)
        bytes.withUnsafeBytes { buffer.copyMemory(from: $0) }
        end = bytes.count
        reachedEnd = true
    }

    deinit {
        buffer.deallocate()
        if ownsDescriptor { close(descriptor) }
    }

    /// The bytes read and not yet consumed.
    public var available: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: buffer[start..<end]) }

    /// Makes at least `count` bytes available, reading as needed; false if the file ends first.
    /// `count` must be bounded by the caller (a checked length), never taken from the file as is.
    public func require(_ count: Int) -> Bool {
        while end - start < count {
            if reachedEnd { return false }
            makeRoom(for: count)
            readMore()
        }
        return true
    }

    /// Reads more bytes when there is room, keeping those not yet consumed; false at the end.
    @discardableResult
    public func fill() -> Bool {
        if reachedEnd { return false }
        makeRoom(for: end - start + 1)
        let before = end
        readMore()
        return end > before
    }

    public func consume(_ count: Int) {
        precondition(count <= end - start)
        start += count
        offset += count
    }

    /// Moves on `count` bytes, reading and dropping those not yet read; false if the file ends first.
    public func skip(_ count: Int) -> Bool {
        var rest = count
        while rest > 0 {
            if start == end, !fill() { return false }
            let step = min(rest, end - start)
            consume(step)
            rest -= step
        }
        return true
    }

    private func makeRoom(for count: Int) {
        if start > 0 {
            let kept = end - start
            if kept > 0 { memmove(buffer.baseAddress!, buffer.baseAddress! + start, kept) }
            start = 0
            end = kept
        }
        if count > buffer.count {
            let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 16)
            larger.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[0..<end]))
            buffer.deallocate()
            buffer = larger
        }
    }

    private func readMore() {
        guard end < buffer.count else { return }
        let count = read(descriptor, buffer.baseAddress! + end, buffer.count - end)
        if count <= 0 {
            if count < 0 && errno == EINTR { return }
            if count < 0 { readFailure = String(cString: strerror(errno)) }
            reachedEnd = true
        } else {
            end += count
        }
    }
}
