import CBulletinVips
import Foundation
import Testing

@testable import BulletinKit

/// The issues' photos reach readers as copies made for them: widths that fit the layout
/// in WebP and in the source's kind, a light copy in the e-mail, a card for shared links,
/// each upright and without the original's metadata. The original is not published.
@Suite struct ImageTests {
    private let folder = "issues/2024-06-lettre-ete"

    /// A site of one issue whose cover is `images/cover.<kind>`, whose article shows
    /// `images/article.png` and, in its text, `images/plan.png` (also the édito's photo).
    private func site(cover: Data, coverName: String = "cover.png", article: Data, plan: Data) throws -> TemporarySite {
        let site = try TemporarySite([
            "site.yml": TemporarySite.minimalSiteYML,
            "\(folder)/issue.md": """
                ---
                title: "Lettre d'été"
                number: 3
                date: 2024-06-20
                cover: images/\(coverName)
                cover_alt: "Le parc au printemps"
                edito:
                  author: "Jeanne Martin"
                  photo: images/plan.png
                ---
                Édito.

                """,
            "\(folder)/articles/01-parc.md": """
                ---
                title: "Le parc s'agrandit"
                image: ../images/article.png
                image_alt: "Le chantier"
                ---
                Le chantier avance.

                ![Plan du parc](../images/plan.png)

                """,
        ])
        try site.write("\(folder)/images/\(coverName)", cover)
        try site.write("\(folder)/images/article.png", article)
        try site.write("\(folder)/images/plan.png", plan)
        return site
    }

    /// What libvips reads in a file of the output: its size and kind.
    private func probe(_ site: TemporarySite, _ path: String) -> (width: Int, height: Int, loader: String)? {
        guard case .success(let header) = ImageProcessor.probe(site.output.appendingPathComponent(path).path) else { return nil }
        return (header.size.width, header.size.height, header.loader)
    }

    /// Every value of `attribute` in `html`, in order.
    private func values(of attribute: String, in html: String) -> [String] {
        html.components(separatedBy: " \(attribute)=\"").dropFirst().compactMap { $0.split(separator: "\"", maxSplits: 1).first.map(String.init) }
    }

    /// The output path a URL written on `page` leads to.
    private func outputPath(_ url: String, from page: String) -> String {
        String((URL(string: url, relativeTo: URL(string: "https://x.example/" + page))?.path ?? "").dropFirst()).removingPercentEncoding ?? ""
    }

    /// The output paths a `srcset` names, with their widths.
    private func candidates(_ srcset: String, from page: String) -> [(path: String, width: Int)] {
        srcset.components(separatedBy: ", ").map { candidate in
            let parts = candidate.split(separator: " ")
            let url = URL(string: String(parts[0]), relativeTo: URL(string: "https://x.example/" + page))!
            return (String(url.path.dropFirst()).removingPercentEncoding!, Int(parts[1].dropLast())!)
        }
    }

    @Test func photosArePublishedAsTheCopiesReadersNeed() throws {
        let site = try site(
            cover: png(width: 2000, height: 1500), article: png(width: 1000, height: 600, alpha: true), plan: png(width: 900, height: 500, seed: 9))
        defer { site.remove() }
        var options = site.options()
        options.cacheFolder = site.root.appendingPathComponent(".bulletin-cache")
        let report = Builder().build(options)
        #expect(!report.failed, "\(report.printed)")
        #expect(report.imagesProcessed == 3 && report.imagesCached == 0)

        // The originals are not published: an editor's photo may say where it was taken.
        for name in ["cover.png", "article.png", "plan.png"] { #expect(!site.exists("\(folder)/images/\(name)")) }

        // The cover: WebP at every width up to its own, its size, loaded first; for a
        // browser without WebP, the e-mail's JPEG (one with transparency stays PNG, below).
        let page = try site.page("\(folder)/index.html")
        let cover = try #require(page.components(separatedBy: "<picture>").dropFirst().first { $0.contains("issue-header__cover") }?.components(separatedBy: "</picture>").first)
        #expect(values(of: "srcset", in: cover).count == 1, "one set of widths, in WebP")
        let webp = candidates(try #require(values(of: "srcset", in: cover).first), from: "\(folder)/index.html")
        #expect(webp.map(\.width) == [480, 800, 1200, 1600])
        for (path, width) in webp { #expect(probe(site, path).map { "\($0.width) \($0.loader)" } == "\(width) webpload", "\(path)") }
        let fallback = try #require(values(of: "src", in: cover).first)
        #expect(probe(site, outputPath(fallback, from: "\(folder)/index.html")).map { "\($0.width) \($0.loader)" } == "1200 jpegload", "\(fallback)")
        #expect(cover.contains(#"width="1600" height="1200""#))
        #expect(cover.contains(#"fetchpriority="high""#) && !cover.contains(#"loading="lazy""#))
        #expect(cover.contains(#"sizes=""#))
        // Named by their content: a CDN may keep them forever.
        #expect(webp.allSatisfy { $0.path.range(of: #"cover-\d+\.[0-9a-f]+\.webp$"#, options: .regularExpression) != nil })
        #expect(fallback.range(of: #"cover-email\.[0-9a-f]{16}\.jpg$"#, options: .regularExpression) != nil)

        // The image in the article's text: copies by width, shown lazily, with its size.
        let article = try site.page("\(folder)/parc/index.html")
        let plan = try #require(article.components(separatedBy: "<picture>").dropFirst().first { $0.contains("Plan du parc") })
        #expect(plan.contains(#"<source type="image/webp""#))
        #expect(plan.contains(#"loading="lazy""#) && plan.contains(#"width="900" height="500""#))

        // Shared links: a card of 1,200 × 630, cropped.
        let card = try #require(values(of: "content", in: page).first { $0.contains("-card.") })
        let cardPath = String(try #require(URL(string: card)).path.dropFirst())
        #expect(probe(site, cardPath).map { "\($0.width)×\($0.height) \($0.loader)" } == "1200×630 jpegload")
        #expect(page.contains(#"<meta property="og:image:width" content="1200">"#))
        #expect(page.contains(#"<meta property="og:image:alt" content="Le parc au printemps">"#))
        #expect(page.contains(#"<meta name="twitter:image" content="\#(card)">"#))

        // The feed: the e-mail's copy, not the original nor a WebP.
        let feed = try site.page("feed.xml")
        #expect(feed.range(of: #"https://[^"&]+/images/plan-email\.[0-9a-f]{16}\.jpg"#, options: .regularExpression) != nil)
        #expect(!feed.contains("plan.png") && !feed.contains(".webp"))

        // The e-mail: JPEG or PNG only, light, as wide as its attributes say at twice their width at most.
        let email = try site.page("\(folder)/email.html")
        let sources = values(of: "src", in: email)
        #expect(!sources.isEmpty)
        // Each image at least as wide as its attributes say it is shown, and at most twice the
        // column's width (the small copy for a picture shown small).
        let images = email.components(separatedBy: "<img ").dropFirst()
        #expect(images.count == sources.count)
        for image in images {
            let source = try #require(values(of: "src", in: " " + image).first)
            let shown = try #require(values(of: "width", in: " " + image).first.flatMap { Int($0) }, "\(source) has a width")
            let path = String(try #require(URL(string: source)).path.dropFirst()).removingPercentEncoding!
            let file = try #require(probe(site, path))
            let most = shown * 2 <= Recipe.smallEmailWidth ? Recipe.smallEmailWidth : Recipe.emailWidth
            #expect(file.width >= shown && file.width <= most, "\(path) is \(file.width) px, shown at \(shown)")
        }
        for source in sources {
            let path = String(try #require(URL(string: source)).path.dropFirst()).removingPercentEncoding!
            #expect(!path.hasSuffix(".webp"))
            let file = try #require(probe(site, path), "\(path)")
            #expect(["jpegload", "pngload"].contains(file.loader))
            let size = try #require(try FileManager.default.attributesOfItem(atPath: site.output.appendingPathComponent(path).path)[.size] as? Int)
            #expect(size <= Recipe.emailBudget, "\(path) is \(size) bytes")
        }
        #expect(sources.contains { $0.contains("article-email.") && $0.hasSuffix(".png") }, "a picture with transparency stays a PNG")

        // The next build takes every copy from where it was kept, and writes the same files.
        let before = try fileTree(site.output)
        try FileManager.default.removeItem(at: site.output)
        let again = Builder().build(options)
        #expect(again.imagesProcessed == 0 && again.imagesCached == 3)
        #expect(try fileTree(site.output) == before)
    }

    /// A phone's portrait photo is stored sideways with a tag that says to turn it: the
    /// copies stand up, and keep none of the original's metadata.
    @Test func aPortraitPhotoStandsUpWithoutItsMetadata() throws {
        let site = try site(cover: Data(), coverName: "portrait.jpg", article: png(width: 1000, height: 800), plan: png(width: 900, height: 500))
        defer { site.remove() }
        let landscape = site.root.appendingPathComponent("landscape.png")
        try png(width: 1200, height: 900).write(to: landscape)
        _ = try ImageProcessor.library.get()
        let image = try #require(bulletin_vips_thumbnail(landscape.path, 1200, 0))
        defer { bulletin_vips_release(image) }
        let portrait = site.root.appendingPathComponent("\(folder)/images/portrait.jpg")
        #expect(bulletin_vips_save_oriented_jpeg(image, portrait.path, 6) != 0)
        #expect(try Data(contentsOf: portrait).range(of: Data("Exif".utf8)) != nil, "the original carries EXIF")

        let report = site.build()
        #expect(!report.failed, "\(report.printed)")
        let page = try site.page("\(folder)/index.html")
        let cover = try #require(page.components(separatedBy: "<picture>").dropFirst().first { $0.contains("issue-header__cover") }?.components(separatedBy: "</picture>").first)
        #expect(cover.contains(#"width="900" height="1200""#), "upright: taller than wide")
        for (path, width) in candidates(try #require(values(of: "srcset", in: cover).last), from: "\(folder)/index.html") {
            let file = try #require(probe(site, path))
            #expect(file.width == width && file.height > file.width, "\(path) stands up")
            let bytes = try Data(contentsOf: site.output.appendingPathComponent(path))
            for mark in ["Exif", "EXIF", "XMP ", "ICCP"] { #expect(bytes.range(of: Data(mark.utf8)) == nil, "\(path) has no \(mark) block") }
        }
    }

    /// A recent phone's photo is in Display P3, its profile embedded: its colours are
    /// converted to sRGB, which every screen and mail client assumes, and the profile
    /// dropped. Stripped without converting, this red would come out dull (234, 51, 35).
    @Test func aWideGamutPhotoIsConvertedToSRGB() throws {
        let site = try site(cover: Data(), coverName: "p3.jpg", article: png(width: 1000, height: 800), plan: png(width: 900, height: 500))
        defer { site.remove() }
        let red = site.root.appendingPathComponent("red.png")
        try png(width: 1000, height: 700, solid: [255, 0, 0]).write(to: red)
        _ = try ImageProcessor.library.get()
        let image = try #require(bulletin_vips_thumbnail(red.path, 1000, 0))
        defer { bulletin_vips_release(image) }
        let original = site.root.appendingPathComponent("\(folder)/images/p3.jpg")
        #expect(bulletin_vips_save_in_profile(image, original.path, "p3") != 0)
        let stored = pixel(original.path)
        #expect(stored[0] < 245 && stored[1] > 35, "stored in P3's numbers: \(stored)")
        #expect(try #require(try? ImageProcessor.probe(original.path).get()).hasProfile)

        let report = site.build()
        #expect(!report.failed, "\(report.printed)")
        let page = try site.page("\(folder)/index.html")
        let cover = try #require(page.components(separatedBy: "<picture>").dropFirst().first { $0.contains("issue-header__cover") }?.components(separatedBy: "</picture>").first)
        let copies = candidates(try #require(values(of: "srcset", in: cover).first), from: "\(folder)/index.html").map(\.path)
            + [outputPath(try #require(values(of: "src", in: cover).first), from: "\(folder)/index.html")]
        #expect(copies.count >= 4)
        for path in copies {
            let file = site.output.appendingPathComponent(path).path
            let shown = pixel(file)
            #expect(shown[0] >= 245 && shown[1] <= 12 && shown[2] <= 12, "\(path) is sRGB red: \(shown)")
            #expect(try #require(try? ImageProcessor.probe(file).get()).hasProfile == false, "\(path) carries no profile")
        }
    }

    /// The first three bands of the pixel in the middle of the image at `path`.
    private func pixel(_ path: String) -> [Int] {
        var values = [Double](repeating: -1, count: 4)
        _ = bulletin_vips_point(path, 50, 50, &values, 4)
        return values.prefix(3).map { Int($0.rounded()) }
    }

    @Test func anUnreadableImageIsAnErrorNamingIt() throws {
        let site = try site(cover: Data("pas une photo".utf8), coverName: "cover.jpg", article: png(width: 1000, height: 600), plan: png(width: 900, height: 500))
        defer { site.remove() }
        let report = site.build()
        #expect(report.failed)
        let error = try #require(report.errors.first)
        #expect("\(error.path ?? ""):\(error.line):\(error.column)" == "\(folder)/issue.md:5:8", "at the field that names it: \(report.printed)")
        #expect(error.message.contains("images/cover.jpg is not an image Bulletin can read"))
        #expect(!site.exists("index.html"), "nothing is written")
        var check = site.options()
        check.writesOutput = false
        #expect(Builder().build(check).errors.map(\.path) == [error.path], "check says so too")
    }

    @Test func anImageNarrowerThanItIsShownIsAWarning() throws {
        let site = try site(cover: png(width: 2000, height: 1500), article: png(width: 300, height: 200), plan: png(width: 200, height: 100))
        defer { site.remove() }
        let report = site.build()
        #expect(!report.failed)
        #expect(
            report.warnings.map { "\($0.path ?? ""):\($0.line):\($0.column)" } == ["\(folder)/articles/01-parc.md:3:8"],
            "the article's image, at its field; not the small one in its text: \(report.printed)")
        #expect(report.warnings.first?.message.contains("images/article.png is 300 pixels wide") == true)
    }

    /// An image named only in a body is said of the body's line; one named nowhere, of its file.
    @Test func anUnreadableImageIsSaidWhereABodyNamesItElseOfItsFile() throws {
        let site = try site(cover: png(width: 1000, height: 700), article: png(width: 1000, height: 600), plan: Data("GIF89a brisé".utf8))
        defer { site.remove() }
        try site.write("\(folder)/images/orpheline.webp", Data("RIFF".utf8))
        let report = site.build()
        #expect(report.failed)
        let places = Set(report.errors.map { "\($0.path ?? ""):\($0.line):\($0.column)" })
        // `plan.png` is the édito's photo too: `issue.md` is read first.
        #expect(places == ["\(folder)/issue.md:9:10", "\(folder)/images/orpheline.webp:1:1"], "\(report.printed)")
    }

    /// A photo replaced leaves its old copies in the folder where copies are kept until a
    /// day has passed: then a build that saves what it learnt removes them, and keeps the
    /// copies of the photos still used, however old.
    @Test func copiesNoLongerUsedAreRemovedAfterADay() throws {
        let site = try site(cover: png(width: 1000, height: 700), article: png(width: 1000, height: 600), plan: png(width: 900, height: 500))
        defer { site.remove() }
        var options = site.options()
        options.imagesFolder = site.root.appendingPathComponent("kept")
        let kept = try #require(options.imagesFolder)
        func folders() throws -> Set<String> {
            Set(try FileManager.default.contentsOfDirectory(atPath: kept.path).filter { $0.utf8.count == 16 && !$0.hasPrefix(".") })
        }
        #expect(Builder().build(options).imagesProcessed == 3)
        let first = try folders()
        #expect(first.count == 3)
        // Two days old, every one of them.
        for name in first {
            var times = [timespec(tv_sec: time(nil) - 2 * 86_400, tv_nsec: 0), timespec(tv_sec: time(nil) - 2 * 86_400, tv_nsec: 0)]
            #expect(utimensat(AT_FDCWD, kept.appendingPathComponent(name).path, &times, 0) == 0)
        }
        try site.write("\(folder)/images/cover.png", png(width: 1000, height: 700, seed: 9))
        // A stamp taken within 50 ms of its change is not remembered (`FileStamp.isRacy`):
        // the memo would keep naming the old cover's copies, and they would stay a build longer.
        usleep(100_000)
        let second = Builder().build(options)
        #expect(second.imagesProcessed == 1 && second.imagesCached == 2, "\(second.printed)")
        let now = try folders()
        #expect(now.count == 3 && now.intersection(first).count == 2, "the old cover's copies are gone, the others kept: \(first) → \(now)")
        let third = Builder().build(options)
        #expect(third.imagesProcessed == 0 && third.imagesCached == 3)
        // A kept folder removed by hand (its photo's memo still names it): made again.
        try FileManager.default.removeItem(at: kept.appendingPathComponent(try #require(now.subtracting(first).first)))
        let fourth = Builder().build(options)
        #expect(fourth.imagesProcessed == 1 && fourth.imagesCached == 2 && !fourth.failed, "\(fourth.printed)")
        #expect(try folders() == now)
    }

    /// A cached build takes the output's copies for what their names say (it does not ask
    /// the file system about each one), but it sees one removed by hand and puts it back.
    @Test func aCopyRemovedFromTheOutputIsWrittenAgain() throws {
        let site = try site(cover: png(width: 1000, height: 700), article: png(width: 1000, height: 600), plan: png(width: 900, height: 500))
        defer { site.remove() }
        var options = site.options()
        options.cacheFolder = site.root.appendingPathComponent("cache")
        for _ in 0..<2 { #expect(!Builder().build(options).failed) }
        let images = site.output.appendingPathComponent("\(folder)/images")
        let copies = try FileManager.default.contentsOfDirectory(atPath: images.path).filter { $0.hasSuffix(".webp") }.sorted()
        let removed = try #require(copies.first)
        let bytes = try Data(contentsOf: images.appendingPathComponent(removed))
        try FileManager.default.removeItem(at: images.appendingPathComponent(removed))
        let again = Builder().build(options)
        #expect(!again.failed && again.imagesProcessed == 0, "\(again.printed)")
        #expect(try Data(contentsOf: images.appendingPathComponent(removed)) == bytes)
        #expect(try FileManager.default.contentsOfDirectory(atPath: images.path).filter { $0.hasSuffix(".webp") }.sorted() == copies)
    }

    /// Copies have no record in the cache: one the build did not make (an old photo's,
    /// left by hand or by another tool) is still removed, however well it is named, and
    /// the build does not take the output for the one it left.
    @Test func aCopyNotMadeIsRemovedFromTheOutput() throws {
        let site = try site(cover: png(width: 1000, height: 700), article: png(width: 1000, height: 600), plan: png(width: 900, height: 500))
        defer { site.remove() }
        var options = site.options()
        options.cacheFolder = site.root.appendingPathComponent("cache")
        for _ in 0..<2 { #expect(!Builder().build(options).failed) }
        usleep(100_000)
        #expect(Builder().build(options).nothingChanged)
        let images = site.output.appendingPathComponent("\(folder)/images")
        let copies = try FileManager.default.contentsOfDirectory(atPath: images.path).sorted()
        let stray = "vieille-800.0123456789abcdef.webp"
        #expect(Recipe.isCopyName(stray))
        try Data("RIFF".utf8).write(to: images.appendingPathComponent(stray))
        let again = Builder().build(options)
        #expect(!again.failed && !again.nothingChanged, "\(again.printed)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: images.path).sorted() == copies)
    }

    /// The benchmark's baseline (`BULLETIN_UNPROCESSED_IMAGES`): the photos published as
    /// they are, as before copies were made, said in a warning; a cache made the usual way
    /// is not taken for one made so, nor the other way round.
    @Test func photosPublishedAsTheyAreForTheBenchmarkOnly() throws {
        let site = try site(cover: png(width: 1000, height: 700), article: png(width: 1000, height: 600), plan: png(width: 900, height: 500))
        defer { site.remove() }
        let cache = site.root.appendingPathComponent("cache").path
        let arguments = ["build", "--source", site.root.path, "--output", site.output.path, "--cache", cache, "--now", "2026-01-01"]
        #expect(try bulletin(arguments).status == 0)
        let key = try #require(try copyKey(site))
        #expect(site.exists("\(folder)/images/cover-800.\(key).webp"))
        for _ in 0..<2 {
            let run = try bulletin(arguments, environment: ["BULLETIN_UNPROCESSED_IMAGES": "1"])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stderr.contains("warning: BULLETIN_UNPROCESSED_IMAGES is set: photos are published as they are"), "\(run.stderr)")
            #expect(!run.stdout.contains("images ("), "\(run.stdout)")
            let images = try FileManager.default.contentsOfDirectory(atPath: site.output.appendingPathComponent("\(folder)/images").path)
            #expect(Set(images) == ["cover.png", "article.png", "plan.png"])
            let page = try String(contentsOf: site.output.appendingPathComponent("\(folder)/index.html"), encoding: .utf8)
            #expect(page.contains("images/cover.png") && !page.contains(".webp"))
        }
        let processed = try bulletin(arguments)
        #expect(processed.status == 0 && processed.stdout.contains("3 images (0 made, 3 from the cache)"), "\(processed.stdout)")
        #expect(try copyKey(site) != nil)
    }

    /// The key in the name of the cover's copies, when the output has them.
    private func copyKey(_ site: TemporarySite) throws -> String? {
        let names = try FileManager.default.contentsOfDirectory(atPath: site.output.appendingPathComponent("\(folder)/images").path)
        return names.first { $0.hasPrefix("cover-800.") }.map { String($0.dropFirst("cover-800.".count).prefix(16)) }
    }

    /// Without a cache (`--no-cache`), the copies are made in a folder of their own,
    /// removed once the output is written; the summary line counts them.
    @Test func aBuildWithoutCacheLeavesNoCopiesBehind() throws {
        let site = try site(cover: png(width: 1000, height: 700), article: png(width: 1000, height: 600), plan: png(width: 900, height: 500))
        defer { site.remove() }
        let temporary = site.root.appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        let run = try bulletin(
            ["build", "--no-cache", "--source", site.root.path, "--output", site.output.path, "--now", "2026-01-01"],
            environment: ["TMPDIR": temporary.path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("3 images (3 made, 0 from the cache)"), "\(run.stdout)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: temporary.path) == [])
        #expect(site.exists("\(folder)/index.html"))
    }
}

/// The names the copies of images are published under, which a cached build trusts.
@Suite struct CopyNameTests {
    @Test func copiesAreKnownByTheirNamesAlone() {
        for name in [
            "issues/a/images/photo-800.0123456789abcdef.webp", "photo-email.0123456789abcdef.jpg", "plan-email-small.fedcba9876543210.png",
            "a.b-card.0000000000000000.jpg",
        ] {
            #expect(Recipe.isCopyName(name), "\(name)")
        }
        for name in [
            "photo.0123456789abcdef.webp", "photo-800.0123456789ABCDEF.webp", "photo-800.0123456789abcde.webp",
            "photo-800.0123456789abcdeff.webp", "photo-800.0123456789abcdef.gif", "photo-800.0123456789abcdef.webp.html",
            "a-b/photo.0123456789abcdef.webp", "photo-800_0123456789abcdef.webp", "-.0123456789abcdef", "", "photo-800.jpg",
        ] {
            #expect(!Recipe.isCopyName(name), "\(name)")
        }
    }
}
