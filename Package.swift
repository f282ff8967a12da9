// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Bulletin",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "bulletin", targets: ["bulletin"]),
        .library(name: "BulletinKit", targets: ["BulletinKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CCmarkGFM",
            pkgConfig: "libcmark-gfm",
            providers: [.apt(["libcmark-gfm-dev", "libcmark-gfm-extensions-dev"])]
        ),
        // The footnote fields cmark-gfm's API does not expose, read from its node struct.
        .target(name: "CBulletinCmark", dependencies: ["CCmarkGFM"]),
        // libvips' calls without their variadic options, which Swift cannot make; libvips
        // itself (Debian's libvips42) is loaded when the first image is read.
        .target(name: "CBulletinVips", linkerSettings: [.linkedLibrary("dl")]),
        // SMTP for `bulletin send`, through libcurl (Debian's libcurl4), loaded when a proof
        // is sent; its header comes from libcurl4-openssl-dev.
        .target(name: "CBulletinCurl", linkerSettings: [.linkedLibrary("dl")]),
        .target(
            name: "BulletinKit",
            dependencies: [
                "CCmarkGFM",
                "CBulletinCmark",
                "CBulletinVips",
                "CBulletinCurl",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "BulletinServer",
            dependencies: [
                "BulletinKit",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "bulletin",
            dependencies: [
                "BulletinKit",
                "BulletinServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "BulletinKitTests",
            dependencies: [
                "BulletinKit", "BulletinServer", "bulletin", "CBulletinVips", "CBulletinCurl", .product(name: "Mustache", package: "swift-mustache"),
            ],
            resources: [.copy("Fixtures")]
        ),
    ]
)
