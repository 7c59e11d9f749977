// swift-tools-version: 6.1
// libFuzzer targets, one per decode entry point, FuzzCAPI for the C API, FuzzHandshake, FuzzSealedFrame and FuzzSecurePump for
// the security layer over a fuzzing-only provider (never BoringSSL), and FuzzPumpEngine for the pump's behaviour
// (spec/behaviour.md). A nested package so that `swift test` at the root stays light. Build and run: see README.md.
import PackageDescription

let targets = [
    "FuzzFrame", "FuzzPumpStatus", "FuzzPrescriptionBlock", "FuzzBolusSchedule", "FuzzRefill", "FuzzMemoryDump",
    "FuzzAcknowledgements", "FuzzReassembler", "FuzzStream", "FuzzSession", "FuzzJSONView", "FuzzImageReassembler",
    "FuzzLogReader", "FuzzHandshake", "FuzzSealedFrame", "FuzzSecurePump", "FuzzPumpEngine",
]

let package = Package(
    name: "PumpWireFuzzTesting",
    dependencies: [.package(name: "PumpWire", path: "..")],
    targets: [
        .target(name: "CFuzzDriver", path: "Sources/CFuzzDriver"),
        .target(
            name: "FuzzSupport",
            dependencies: ["CFuzzDriver", .product(name: "PumpWire", package: "PumpWire"), .product(name: "PumpWireCore", package: "PumpWire")],
            path: "Sources/FuzzSupport"
        ),
        // FuzzCAPI: a C driver of pumpwire.h, started from a Swift entry point. swiftc has no
        // -sanitize=undefined on Linux, so the Swift code gets run.sh's -sanitize=fuzzer,address
        // and the C driver AddressSanitizer, UndefinedBehaviorSanitizer (fatal) and libFuzzer's
        // coverage here; release only, as run.sh builds (coverage.sh's debug build has no ASan).
        .target(
            name: "CAPIFuzzDriver",
            dependencies: [.product(name: "PumpWireC", package: "PumpWire")],
            path: "Sources/CAPIFuzzDriver",
            cSettings: [
                .unsafeFlags(["-Wall", "-Wextra", "-Werror"]),
                .unsafeFlags(["-fsanitize=fuzzer-no-link,address,undefined", "-fno-sanitize-recover=undefined"],
                             .when(configuration: .release)),
            ]
        ),
        .executableTarget(
            name: "FuzzCAPI",
            dependencies: ["FuzzSupport", "CAPIFuzzDriver", .product(name: "PumpWireC", package: "PumpWire")],
            path: "Sources/FuzzCAPI",
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
    ] + targets.map { name in
        .executableTarget(
            name: name,
            dependencies: ["FuzzSupport", .product(name: "PumpWire", package: "PumpWire"),
                           .product(name: "PumpWireCore", package: "PumpWire")],
            path: "Sources/\(name)",
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        )
    },
    swiftLanguageModes: [.v6]
)
