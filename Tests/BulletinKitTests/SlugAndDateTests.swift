import Foundation
import Testing

@testable import BulletinKit

@Suite struct SlugTests {
    @Test(arguments: [
        ("Ômu des abysses", "omu-des-abysses"),
        ("L'Avenue de Paris, inaugurée !", "l-avenue-de-paris-inauguree"),
        ("Cœur de l’été", "coeur-de-l-ete"),
        ("  --Déjà  vu-- ", "deja-vu"),
        ("  --Deja  VU 2-- ", "deja-vu-2"),
        ("2023-07-Lettre_d'ETE", "2023-07-lettre-d-ete"),
    ])
    func slugsAreLowerCaseASCII(input: String, expected: String) {
        #expect(Slug.make(input) == expected)
    }

    /// Accented French text takes a path of its own, without Foundation: it must give
    /// what folding through Foundation gives.
    @Test func frenchTextGivesWhatFoundationFoldingGives() {
        let samples = [
            "Été à Lens-Liévin", "L’œuvre d’Ève : «\u{202F}Noël\u{202F}» — ÇA CRÉE…", "Où en êtes-vous\u{202F}?",
            "Cœur ÆRØ Straße ĐŁ", "ÿ Ÿ ñ Ñ ü Û î Ï à Å", "2e édition\u{00A0}: 1er prix", "ASCII only", "Ðè þ 日本 é\u{301}",
        ]
        for text in samples { #expect(Slug.make(text) == Slug.makeFolded(text), "\(text)") }
    }

    @Test func fileNamesLoseExtensionAndNumberPrefix() {
        #expect(Slug.fromFileName("01-avenue-de-paris.md") == "avenue-de-paris")
        #expect(Slug.fromFileName("2_Été.md") == "ete")
        #expect(Slug.fromFileName("2023.md") == "2023")
    }

    @Test func naturalOrderPutsTwoBeforeTen() {
        let names = ["10-b.md", "2-a.md", "1-c.md"].sorted(by: naturalOrder)
        #expect(names == ["1-c.md", "2-a.md", "10-b.md"])
    }
}

@Suite struct DateTests {
    @Test func parsesRealDatesOnly() {
        #expect(SimpleDate(parsing: "2023-07-05") != nil)
        #expect(SimpleDate(parsing: "2024-02-29") != nil)
        #expect(SimpleDate(parsing: "2023-02-29") == nil)
        #expect(SimpleDate(parsing: "2023-13-01") == nil)
        #expect(SimpleDate(parsing: "5 juillet 2023") == nil)
        #expect(SimpleDate(parsing: "2023-7-5") == nil)
    }

    @Test func writesDatesWithEveryDigit() {
        #expect(SimpleDate(year: 2023, month: 7, day: 5)?.description == "2023-07-05")
        #expect(SimpleDate(year: 987, month: 12, day: 31)?.description == "0987-12-31")
        #expect(SimpleDate(year: 1, month: 1, day: 1)?.description == "0001-01-01")
    }

    @Test func frenchAndEnglishDisplay() {
        let french = LocaleStrings(
            strings: [:], months: ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"],
            dateFormat: "{day} {month} {year}", firstDay: "1er")
        #expect(french.display(SimpleDate(year: 2023, month: 7, day: 5)!) == "5 juillet 2023")
        #expect(french.display(SimpleDate(year: 2023, month: 7, day: 1)!) == "1er juillet 2023")
        let english = LocaleStrings(
            strings: [:], months: ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"],
            dateFormat: "{month} {day}, {year}", firstDay: nil)
        #expect(english.display(SimpleDate(year: 2023, month: 7, day: 1)!) == "July 1, 2023")
    }

    @Test func rfc822CarriesTheSiteTimeZone() {
        let paris = TimeZone(identifier: "Europe/Paris")!
        #expect(SimpleDate(year: 2023, month: 7, day: 5)!.rfc822(in: paris) == "Wed, 05 Jul 2023 00:00:00 +0200")
        #expect(SimpleDate(year: 2023, month: 1, day: 15)!.rfc822(in: paris) == "Sun, 15 Jan 2023 00:00:00 +0100")
        let montreal = TimeZone(identifier: "America/Montreal")!
        #expect(SimpleDate(year: 2024, month: 2, day: 29)!.rfc822(in: montreal) == "Thu, 29 Feb 2024 00:00:00 -0500")
    }
}
