import Foundation

/// The theme that ships inside the binary (generated from themes/default/).
enum DefaultTheme {
    /// Files by path relative to the theme folder.
    static let files: [String: Data] = encodedFiles.compactMapValues { Data(base64Encoded: $0) }
}
