// swift-tools-version: 6.1
// libFuzzer targets, one per decode entry point. A nested package so that `swift test` at the
// root stays light. Build and run: see README.md.
import PackageDescription

let targets = [
    "FuzzFrame", "FuzzPumpStatus", "FuzzPrescriptionBlock", "FuzzBolusSchedule", "FuzzRefill", "FuzzMemoryDump",
    "FuzzAcknowledgements", "FuzzReassembler", "FuzzStream", "FuzzSession", "FuzzJSONView", "FuzzImageReassembler",
    "FuzzLogReader",
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
