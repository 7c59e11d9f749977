import ArgumentParser
import Foundation
import PumpWire
import PumpWireCore
import PumpWireSecurity

struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Make and show TEST identities: a pump's or a device's static X25519 key pair, a pump's pairing secret (spec/security.md 14.1).",
        discussion: """
            The files hold private keys in clear and are labelled TEST KEYS: they are for tests, \
            simulators and example captures. A real pump or device makes its keys itself and never \
            exports them (spec/security.md section 4).
            Examples:
              pumpwire keys new-pump --output pump.json
              pumpwire keys new-device --role patient --output handheld.json
              pumpwire keys new-pump --seed "PumpWire session-sealed pump"    # reproducible
              pumpwire keys show vectors/captures/session-sealed-pump.json
            """,
        subcommands: [NewPump.self, NewDevice.self, Show.self]
    )

    struct Common: ParsableArguments {
        @Option(name: .shortAndLong, help: "The file to write (refused if it exists, unless --force); standard output without it.")
        var output: String?

        @Flag(help: "Overwrite --output if it exists.")
        var force = false

        @Option(help: "Derive the keys from this text (HKDF-SHA256, spec/security.md 14.1) instead of the random source: the same seed gives the same keys.")
        var seed: String?

        @Option(help: "A name for people, written in the file.")
        var name: String?

        func write(_ identity: TestIdentity) throws {
            guard let output else {
                print(identity.text, terminator: "")
                return
            }
            if FileManager.default.fileExists(atPath: output), !force {
                throw CommandFailure("\(output): exists", hint: "give another --output, or --force to replace it")
            }
            guard FileManager.default.createFile(atPath: output, contents: Data(identity.text.utf8), attributes: [.posixPermissions: 0o600]) else {
                throw CommandFailure("\(output): cannot write the file")
            }
            printError("wrote \(output): TEST \(identity.kind.rawValue) identity, public key \(identity.staticPublicKey.hexString)")
        }
    }

    struct NewPump: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "new-pump", abstract: "A TEST pump identity: a static key pair and the 32-byte pairing secret of its implant card.")
        @OptionGroup var common: Common

        func run() throws {
            try common.write(try TestIdentity.make(kind: .pump, name: common.name ?? "test pump", seed: common.seed))
        }
    }

    struct NewDevice: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "new-device", abstract: "A TEST device identity (a clinician's programmer or a patient's handheld): a static key pair.")
        @OptionGroup var common: Common

        @Option(help: "clinician or patient: the role the tools pair or enroll it with (the pump sets a slot's role, PW-SEC-5).")
        var role: TestIdentity.Role = .clinician

        func run() throws {
            let name = common.name ?? (role == .clinician ? "test programmer" : "test patient handheld")
            try common.write(try TestIdentity.make(kind: .device, name: name, role: role, seed: common.seed))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "Check an identity file (PW-KEYLOG-1) and show its public parts, and a pump's pairing secret as the implant card prints it.")
        @Argument(help: "A test identity file.")
        var file: String

        func run() throws {
            let text = try KeyLogFile.readText(file, what: "test identity")
            let identity: TestIdentity
            do { identity = try TestIdentity(text: text) } catch { throw CommandFailure("\(file): \(error)") }
            print("\(file): TEST \(identity.kind.rawValue) identity \"\(identity.name)\"" + (identity.role.map { ", role \($0.rawValue)" } ?? ""))
            print("  static public key  \(identity.staticPublicKey.hexString)")
            print(String(format: "  key digest         0x%08x (CRC-32 of the public key, as devicePaired records it)", identity.keyDigest))
            if let secret = identity.pairingSecret {
                let hex = secret.hexString.uppercased()
                let groups = stride(from: 0, to: 64, by: 8).map { String(hex.dropFirst($0).prefix(8)) }
                print("  pairing secret     \(groups[0..<4].joined(separator: " "))")
                print("  (implant card)     \(groups[4..<8].joined(separator: " "))")
            }
            print("  TEST KEYS: never load them into a pump or device used on a patient.")
        }
    }
}

extension TestIdentity.Role: ExpressibleByArgument {}

extension KeysCommand {
    /// A test identity file of `kind`, checked (PW-KEYLOG-1); a command failure naming the file otherwise.
    static func readIdentity(_ file: String, kind: TestIdentity.Kind) throws -> TestIdentity {
        let text = try KeyLogFile.readText(file, what: "test identity")
        let identity: TestIdentity
        do { identity = try TestIdentity(text: text) } catch { throw CommandFailure("\(file): \(error)") }
        guard identity.kind == kind else {
            throw CommandFailure("\(file): a \(identity.kind.rawValue) identity, where a \(kind.rawValue) identity is needed",
                                 hint: "make one with `pumpwire keys new-\(kind.rawValue)`")
        }
        return identity
    }
}
