// swift-tools-version: 6.0
import PackageDescription

// Dependencies point one way: appsnap → {Console, EmbeddedCloud, LinuxHost, AliyunCloud/ECSEndpoint → ECSWire} → AppSnapCore.
// The set is kept small on purpose: CI builds from scratch every run.
let package = Package(
    name: "appsnap",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "appsnap", targets: ["appsnap"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
    ],
    targets: [
        .target(name: "AppSnapCore"),
        .target(name: "LinuxHost", dependencies: ["AppSnapCore"]),
        // Linux interfaces Glibc's module map leaves out (extended attributes).
        .target(name: "CLinux"),
        .target(name: "EmbeddedCloud", dependencies: [
            "AppSnapCore", "LinuxHost", "CLinux",
            .product(name: "GRDB", package: "GRDB.swift"),
            // Access-key secrets are kept sealed (ChaChaPoly), never in the clear.
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // The ECS wire, both directions: canonicalization, the two signatures, the error table.
        .target(name: "ECSWire", dependencies: [
            "AppSnapCore",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // `appsnap serve`: the ECS wire over any CloudAPI, with an access-key store to verify against.
        .target(name: "ECSEndpoint", dependencies: [
            "AppSnapCore", "ECSWire",
            .product(name: "Hummingbird", package: "hummingbird"),
        ]),
        // `--cloud aliyun`: CloudAPI over the real ECS OpenAPI, signed with ECSWire's signer.
        // HTTP through FoundationNetworking's URLSession, which ships with the toolchain.
        .target(name: "AliyunCloud", dependencies: ["AppSnapCore", "ECSWire"]),
        .systemLibrary(name: "CNcursesw", pkgConfig: "ncursesw", providers: [.apt(["libncurses-dev"])]),
        .target(name: "Console", dependencies: [
            "AppSnapCore", "CNcursesw",
            .product(name: "Yams", package: "Yams"),
        ]),
        .executableTarget(name: "appsnap", dependencies: [
            "AppSnapCore", "EmbeddedCloud", "LinuxHost", "Console", "ECSWire", "ECSEndpoint", "AliyunCloud",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // The bench drives the console on the tests' FakeCloud, grown to a big region.
        .executableTarget(name: "appsnap-bench", dependencies: [
            "AppSnapCore", "EmbeddedCloud", "LinuxHost", "Console", "CloudTestSupport", "AliyunCloud", "ECSEndpoint", "ECSWire",
        ], path: "Benchmarks/appsnap-bench"),
        .testTarget(name: "AppSnapCoreTests", dependencies: ["AppSnapCore"]),
        .testTarget(name: "LinuxHostTests", dependencies: ["LinuxHost"]),
        .testTarget(name: "EmbeddedCloudTests", dependencies: ["EmbeddedCloud"]),
        // The tests' one configurable fake CloudAPI, and the contract suite that holds it to
        // what EmbeddedCloud answers.
        .target(name: "CloudTestSupport", dependencies: ["AppSnapCore"], path: "Tests/CloudTestSupport"),
        .testTarget(name: "ConsoleTests", dependencies: ["Console", "CloudTestSupport"]),
        .testTarget(name: "CloudContractTests", dependencies: ["CloudTestSupport", "EmbeddedCloud"]),
        .testTarget(name: "ECSWireTests", dependencies: ["ECSWire"]),
        .testTarget(name: "AliyunCloudTests", dependencies: ["AliyunCloud", "AppSnapCore", "ECSWire"]),
        .testTarget(name: "EndToEndTests", dependencies: ["AppSnapCore", "ECSWire", "appsnap"]),
    ],
    swiftLanguageModes: [.v5]
)
