/// Writes URLs for one page: relative to it on the web pages (so the folder works from
/// any host and from disk), absolute from `base_url` in the feed.
struct Linker: Sendable {
    /// `""`, `"../"`, `"../../"`, or the base URL for absolute links.
    let root: String
    let baseURL: String
    let isAbsolute: Bool

    /// Links for a page `depth` folders below the output root.
    static func relative(depth: Int, baseURL: String) -> Linker {
        Linker(root: String(repeating: "../", count: depth), baseURL: baseURL, isAbsolute: false)
    }

    static func absolute(baseURL: String) -> Linker {
        Linker(root: baseURL, baseURL: baseURL, isAbsolute: true)
    }

    /// A page by its folder (`issues/x/`, `""` for home). Relative links name `index.html`
    /// so that pages opened from disk navigate; absolute ones are the clean URL.
    func page(_ folder: String) -> String {
        isAbsolute ? root + encodePath(folder) : root + encodePath(folder) + "index.html"
    }

    /// A file by its output path.
    func file(_ path: String) -> String { root + encodePath(path) }

    /// The canonical URL of a page by its folder.
    func absolutePage(_ folder: String) -> String { baseURL + encodePath(folder) }

    func absoluteFile(_ path: String) -> String { baseURL + encodePath(path) }
}
