// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "PumpWire",
    products: [
        .library(name: "PumpWireCore", targets: ["PumpWireCore"]),
        .library(name: "PumpWireC", targets: ["PumpWireC"]),
        .library(name: "PumpWire", targets: ["PumpWire"]),
        .library(name: "PumpWireSecurity", targets: ["PumpWireSecurity"]),
        .library(name: "PumpWireConformance", targets: ["PumpWireConformance"]),
        .library(name: "PumpWireFuzzing", targets: ["PumpWireFuzzing"]),
        .executable(name: "pumpwire", targets: ["pumpwire"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // The host's cryptography provider (spec/security.md section 3): X25519, ChaChaPoly, SHA-256, HMAC, HKDF.
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    ],
    targets: [
        // The wire codec: no Foundation, no heap, typed throws; also built in Embedded Swift.
        .target(
            name: "PumpWireCore",
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")]
        ),
        // The C API of the core: pumpwire.h (CPumpWire) and its @_cdecl functions (PumpWireC), also
        // built in Embedded Swift for firmware (Firmware/).
        .target(name: "CPumpWire"),
        .target(
            name: "PumpWireC",
            dependencies: ["PumpWireCore", "CPumpWire"],
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")]
        ),
        // zlib from the system (Debian: zlib1g-dev).
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(
            name: "PumpWire",
            dependencies: ["PumpWireCore", "CZlib"],
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")]
        ),
        // The security layer on a host (spec/security.md): the swift-crypto provider and sessions over
        // frames. A target of its own, so that builds which do not need it (fuzzing) skip BoringSSL.
        .target(
            name: "PumpWireSecurity",
            dependencies: ["PumpWire", "PumpWireCore", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")]
        ),
        // The golden vectors: their generator, the runner, and the testee protocol (spec/conformance.md).
        .target(
            name: "PumpWireConformance",
            dependencies: ["PumpWire", "PumpWireCore", "PumpWireSecurity"],
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")]
        ),
        // The round-trip fuzz harness of `pumpwire fuzz` (FuzzTesting/ holds the libFuzzer targets).
        .target(
            name: "PumpWireFuzzing",
            dependencies: ["PumpWire", "PumpWireCore", "PumpWireConformance", "PumpWireSecurity"],
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")]
        ),
        .executableTarget(
            name: "pumpwire",
            dependencies: [
                "PumpWire",
                "PumpWireSecurity",
                "PumpWireConformance",
                "PumpWireFuzzing",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // pumpwire.h as a C caller sees it, for the contract tests that need a process of their own
        // (const arguments in read-only pages, heap allocations on a first call).
        .executableTarget(name: "CAPIProbe", dependencies: ["CPumpWire", "PumpWireC"], path: "Tests/CAPIProbe"),
        .testTarget(
            name: "PumpWireTests",
            dependencies: ["PumpWireCore", "PumpWireC", "CPumpWire", "PumpWire", "PumpWireSecurity", "PumpWireConformance", "PumpWireFuzzing", "pumpwire", "CAPIProbe"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
