#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The files a command was given, checked before any is read: a missing path or a directory is a
/// failure (never an empty stream that validates clean), unless `recursive` asks for a
/// directory's files.
public enum InputPaths {
    /// The paths to read, in order: "-" (standard input) and files as given, and for a directory
    /// with `recursive`, its regular files in path order, hidden ones left out.
    public static func expand(_ paths: [String], recursive: Bool) throws(InputFailure) -> [String] {
        var files: [String] = []
        for path in paths {
            if path == "-" { files.append(path); continue }
            switch kind(of: path) {
            case .missing(let reason):
                throw InputFailure(file: path, reason: reason)
            case .directory:
                guard recursive else {
                    throw InputFailure(file: path, reason: "is a directory", hint: "give its files, or --recursive to read every file under it")
                }
                let found = try filesUnder(path)
                guard !found.isEmpty else { throw InputFailure(file: path, reason: "is a directory with no files in it") }
                files += found
            case .other:
                files.append(path)
            }
        }
        return files
    }

    enum Kind { case missing(String), directory, other }

    static func kind(of path: String) -> Kind {
        var status = stat()
        guard stat(path, &status) == 0 else {
            return .missing(errno == ENOENT ? "no such file" : String(cString: strerror(errno)))
        }
        return (status.st_mode & S_IFMT) == S_IFDIR ? .directory : .other
    }

    /// Every non-hidden regular file under `directory`, sorted by path; symbolic links to
    /// directories are not followed (no cycles).
    static func filesUnder(_ directory: String) throws(InputFailure) -> [String] {
        guard let handle = opendir(directory) else {
            throw InputFailure(file: directory, reason: String(cString: strerror(errno)))
        }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if !name.hasPrefix(".") { names.append(name) }
        }
        var files: [String] = []
        for name in names.sorted() {
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            var status = stat()
            guard lstat(path, &status) == 0 else { continue }
            switch status.st_mode & S_IFMT {
            case S_IFDIR: files += try filesUnder(path)
            case S_IFREG: files.append(path)
            case S_IFLNK:
                if case .other = kind(of: path) { files.append(path) }
            default: continue
            }
        }
        return files
    }
}
