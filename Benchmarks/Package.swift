// swift-tools-version: 6.1
// Benchmarks, in a nested package so that `swift test` at the root stays light.
// Run: `swift package benchmark` here (see README.md).
import PackageDescription

let package = Package(
    name: "PumpWireBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "PumpWire", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        // For comparison only: the same prescription as a protobuf message.
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    ],
    targets: [
        // zlib called directly, as the baseline for the host's CRC-32.
        .systemLibrary(name: "BenchZlib", path: "Sources/BenchZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // Generated once with protoc and protoc-gen-swift 1.39.0 from prescription.proto, committed.
        .target(
            name: "ProtoModels",
            dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")],
            path: "Sources/ProtoModels",
            exclude: ["prescription.proto"]
        ),
        // The headline operations in a loop, for callgrind profiles (README.md).
        .executableTarget(
            name: "ProfileHeadline",
            dependencies: [.product(name: "PumpWire", package: "PumpWire"), .product(name: "PumpWireCore", package: "PumpWire"),
                           .product(name: "PumpWireConformance", package: "PumpWire")],
            path: "Sources/ProfileHeadline"
        ),
        .executableTarget(
            name: "PumpWireBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "PumpWire", package: "PumpWire"),
                .product(name: "PumpWireCore", package: "PumpWire"),
                .product(name: "PumpWireConformance", package: "PumpWire"),
                .product(name: "PumpWireFuzzing", package: "PumpWire"),
                // The security rows (SecurityBenchmarks.swift): swift-crypto, which PumpWireConformance builds already.
                .product(name: "PumpWireSecurity", package: "PumpWire"),
                "ProtoModels", "BenchZlib",
            ],
            path: "Benchmarks/PumpWireBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
