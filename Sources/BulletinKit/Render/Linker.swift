/// Writes URLs for one page: relative to it on the web pages (so the folder works from
/// any host and from disk), absolute from `base_url` in the feed.
struct Linker: Sendable {
    /// `""`, `"../"`, `"../../"`, or the base URL for absolute links.
    let root: String
    let baseURL: String
    let isAbsolute: Bool
    /// The images made again: a link to one of them leads to one of its copies.
    var images: PublishedImages? = nil
    /// Which copy of an image made again a link leads to: the widest on the web, the
    /// e-mail's in e-mails (its small one for a picture shown small), and the e-mail's
    /// full one in the feed (`standard`: feed readers size pictures themselves).
    var imageCopy = ImageCopy.widest

    enum ImageCopy: Sendable { case widest, standard, email }

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
    func file(_ path: String) -> String { root + encodePath(published(path)) }

    /// The path of the file pages link to for `path`: itself, or one of its copies.
    func published(_ path: String) -> String { images?.published(path, copy: imageCopy) ?? path }

    /// The canonical URL of a page by its folder.
    func absolutePage(_ folder: String) -> String { baseURL + encodePath(folder) }

    func absoluteFile(_ path: String) -> String { baseURL + encodePath(published(path)) }

    /// The same links, images leading to another of their copies.
    func leading(to copy: ImageCopy) -> Linker {
        var linker = self
        linker.imageCopy = copy
        return linker
    }
}
