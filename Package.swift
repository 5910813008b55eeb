// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Loupe",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "loupe", targets: ["loupe"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0")
    ],
    targets: [
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"]), .brew(["libxml2"])]
        ),
        // Zstandard, for stored-field blocks.
        .systemLibrary(
            name: "CZstd",
            pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"]), .brew(["zstd"])]
        ),
        // zlib, for gzip-compressed corpus files.
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]
        ),
        // xz (LZMA2) and bzip2, for `.xz` / `.bz2` corpus files (`.tar.xz`, Wikipedia's
        // `.xml.bz2`). Debian's libbz2-dev ships no pkg-config file: its header and library are
        // in the default paths.
        .systemLibrary(
            name: "CLZMA",
            pkgConfig: "liblzma",
            providers: [.apt(["liblzma-dev"]), .brew(["xz"])]
        ),
        .systemLibrary(
            name: "CBZip2",
            providers: [.apt(["libbz2-dev"])]
        ),
        // Small C helpers for hot loops Swift cannot express well (hardware CRC-32C).
        .target(name: "CLoupeSupport"),
        // The engine: analysis, index format, query language, search. Knows nothing of XML.
        .target(
            name: "LoupeCore", dependencies: ["CZstd", "CLoupeSupport"],
            // Hot loops touch class-owned buffers per token; dynamic exclusivity checks cost
            // about a fifth of indexing time (measured with perf) and guard nothing here.
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]
        ),
        // Corpus walking and article loaders. The only module that imports libxml2.
        .target(name: "LoupeIngest", dependencies: ["LoupeCore", "CLibXML2", "CZlib", "CZstd", "CLZMA", "CBZip2"]),
        .executableTarget(
            name: "loupe",
            dependencies: [
                "LoupeCore", "LoupeIngest",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Tests' temporary directories, removed when the test process exits.
        .target(name: "LoupeTestSupport", dependencies: ["LoupeCore"], path: "Tests/Support"),
        .testTarget(name: "LoupeCoreTests", dependencies: ["LoupeCore", "LoupeTestSupport"]),
        .testTarget(name: "LoupeIngestTests", dependencies: ["LoupeIngest", "LoupeCore", "LoupeTestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["loupe", "LoupeTestSupport"]),
    ]
)
