import Foundation

/// Where `pumpwire` finds the golden vectors and the package root, so that it runs from any
/// directory (README "Installing pumpwire").
///
/// The vectors folder (the one that holds `corpus/`) is, in this order:
/// 1. `--corpus DIR`, when given: it must hold `corpus/`, or the command fails;
/// 2. `./vectors`, when the current directory is a PumpWire checkout;
/// 3. `<bin>/../share/pumpwire/vectors`, installed next to the executable (`<bin>/pumpwire`);
/// 4. `vectors/` of the checkout the tool was built from, recorded at build time, if it is still there.
///
/// The installed copy comes before the recorded checkout because it was installed with this very
/// executable, while the checkout may have moved on since the build.
///
/// Not SwiftPM resources: they must sit inside a target's folder, and a symbolic link there to
/// `vectors/` is copied as the link itself (dangling in the bundle), so the corpus would have to be
/// kept twice. On Linux, `Bundle.module` looks for the bundle next to the executable, then at the
/// absolute path of the build folder, and stops the program with a fatal error when neither is
/// there: installing would mean copying a `.resources` folder into `bin/`, and a lost build folder
/// would be a crash rather than a message.
public enum CorpusLocation {
    /// No corpus or checkout could be found, or the one given is not one.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var message: String
        /// What the user can do about it.
        public var hint: String?

        public init(_ message: String, hint: String? = nil) {
            self.message = message
            self.hint = hint
        }

        public var description: String { hint.map { "\(message)\nhint: \($0)" } ?? message }
    }

    /// Where a vectors folder was found.
    public enum Source: Sendable, Equatable {
        case override, currentCheckout, installed, builtFrom

        /// How the report names it.
        public var description: String {
            switch self {
            case .override: "given with --corpus"
            case .currentCheckout: "the checkout in the current directory"
            case .installed: "installed with pumpwire"
            case .builtFrom: "the checkout pumpwire was built from"
            }
        }
    }

    /// A vectors folder and where it was found.
    public struct Found: Sendable {
        public var directory: URL
        public var source: Source
    }

    /// The folder of an installation that holds `vectors/` and `spec/`, relative to the folder above
    /// the executable's: `<prefix>/bin/pumpwire` reads `<prefix>/share/pumpwire/`.
    public static let installedDataPath = "share/pumpwire"

    /// The vectors folder and where it was found. `currentDirectory` and `executable` are
    /// parameters for the tests; the defaults are the process's.
    public static func findVectors(
        override: String?, currentDirectory: URL = CorpusLocation.currentDirectory, executable: URL? = CorpusLocation.executable
    ) throws(Failure) -> Found {
        if let override {
            let directory = absolute(override, in: currentDirectory)
            try checkVectors(directory, given: override)
            return Found(directory: directory, source: .override)
        }
        if isCheckout(currentDirectory), holdsCorpus(currentDirectory.appendingPathComponent("vectors")) {
            return Found(directory: currentDirectory.appendingPathComponent("vectors").standardizedFileURL, source: .currentCheckout)
        }
        if let installed = installedData(executable: executable)?.appendingPathComponent("vectors"), holdsCorpus(installed) {
            return Found(directory: installed, source: .installed)
        }
        if let root = builtFromRoot, holdsCorpus(root.appendingPathComponent("vectors")) {
            return Found(directory: root.appendingPathComponent("vectors"), source: .builtFrom)
        }
        var places = ["the current directory (\(currentDirectory.path)) is not a PumpWire checkout"]
        if let installed = installedData(executable: executable) {
            places.append("nothing is installed at \(installed.appendingPathComponent("vectors").path)")
        }
        places.append("the checkout pumpwire was built from (\(recordedRoot.path)) is gone")
        throw Failure("no golden vectors found: " + places.joined(separator: "; "),
                        hint: "give --corpus DIR (the vectors folder, which holds corpus/), run from a PumpWire checkout, "
                            + "or install the vectors next to pumpwire (README \"Installing pumpwire\")")
    }

    /// The package root for `vectors generate|verify`, which write and read `spec/` and `vectors/`:
    /// `override` (`--root`) when given (a checkout, or an installation's share/pumpwire), else the current directory when it is a PumpWire checkout,
    /// else the checkout the tool was built from.
    public static func packageRoot(
        override: String?, currentDirectory: URL = CorpusLocation.currentDirectory
    ) throws(Failure) -> URL {
        if let override {
            let root = absolute(override, in: currentDirectory)
            guard exists(root, directory: true) else {
                throw Failure("no folder at \(root.path) (--root)", hint: "give the root of a PumpWire checkout: the folder that holds spec/ and vectors/")
            }
            // A checkout, or an installation's share/pumpwire (spec/ and vectors/, no Package.swift).
            guard exists(root.appendingPathComponent(specMarker), directory: false) else {
                throw Failure("\(root.path) is not a PumpWire checkout: it has no \(specMarker)",
                                hint: "give the root of a PumpWire checkout (or PREFIX/share/pumpwire): the folder that holds spec/ and vectors/")
            }
            return root
        }
        if isCheckout(currentDirectory) { return currentDirectory.standardizedFileURL }
        if let root = builtFromRoot { return root }
        throw Failure("no PumpWire checkout found: not the current directory (\(currentDirectory.path)), "
                            + "and the checkout pumpwire was built from (\(recordedRoot.path)) is gone",
                        hint: "run it from the root of a PumpWire checkout, or give --root DIR")
    }

    // MARK: What counts as what

    /// The spec, which the generator reads: in a checkout and in an installation.
    static let specMarker = "spec/pumpwire-v1.md"

    /// Files only a PumpWire checkout has at its root.
    static let checkoutMarkers = ["Package.swift", specMarker]

    /// A PumpWire checkout: its root holds Package.swift and spec/pumpwire-v1.md.
    public static func isCheckout(_ root: URL) -> Bool {
        checkoutMarkers.allSatisfy { exists(root.appendingPathComponent($0), directory: false) }
    }

    /// A vectors folder: it holds corpus/ with at least one .json file.
    public static func holdsCorpus(_ directory: URL) -> Bool {
        let corpus = directory.appendingPathComponent(Corpus.directoryName)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: corpus.path)) ?? []
        return names.contains { $0.hasSuffix(".json") }
    }

    /// The root of the checkout this file was compiled in, recorded at build time.
    public static let recordedRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // PumpWireConformance
        .deletingLastPathComponent()  // Sources
        .deletingLastPathComponent()

    /// The recorded root, if it is still a checkout.
    static var builtFromRoot: URL? { isCheckout(recordedRoot) ? recordedRoot : nil }

    /// `<prefix>/share/pumpwire` for the executable `<prefix>/bin/pumpwire`.
    public static func installedData(executable: URL?) -> URL? {
        executable?.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(installedDataPath).standardizedFileURL
    }

    /// This process's executable, symbolic links resolved (Linux: /proc/self/exe).
    public static var executable: URL? {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: path)
        }
        return Bundle.main.executableURL?.resolvingSymlinksInPath()
    }

    public static var currentDirectory: URL {
        URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)
    }

    // MARK: Helpers

    private static func checkVectors(_ directory: URL, given: String) throws(Failure) {
        let hint = "give the vectors folder: the one that holds corpus/ (in a checkout, vectors)"
        guard exists(directory, directory: true) else {
            throw Failure("no folder at \(directory.path) (--corpus \(given))", hint: hint)
        }
        guard holdsCorpus(directory) else {
            // `--corpus vectors/corpus` names the corpus itself: point at the folder above.
            let parent = directory.deletingLastPathComponent()
            if directory.lastPathComponent == Corpus.directoryName, holdsCorpus(parent) {
                throw Failure("\(directory.path) is the corpus itself, not the vectors folder that holds it",
                                hint: "give --corpus \(parent.path)")
            }
            throw Failure("\(directory.path) holds no corpus/ with vector files (--corpus \(given))", hint: hint)
        }
    }

    private static func absolute(_ path: String, in directory: URL) -> URL {
        let expanded = NSString(string: path).expandingTildeInPath
        let url = expanded.hasPrefix("/") ? URL(fileURLWithPath: expanded) : directory.appendingPathComponent(expanded)
        return url.standardizedFileURL
    }

    private static func exists(_ url: URL, directory: Bool) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue == directory
    }
}
