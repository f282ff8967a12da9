import Foundation

/// The site's colours and fonts (`site.yml`'s `colors` and `fonts`), over the theme's:
/// one line recolours the pages (CSS custom properties) and the e-mail (its templates
/// take `{{colors.…}}`, its Markdown styles `{accent}`…).
public struct Palette: Sendable, Hashable {
    /// The colours a site may set, with the built-in theme's values.
    public static let defaults: [(name: String, value: String)] = [
        ("accent", "#0f4c81"),  // links, kickers, big numbers, the header band, buttons
        ("ink", "#1a1d21"),  // text
        ("muted", "#4f5862"),  // dates, sources, captions
        ("background", "#ffffff"),  // the page, the e-mail's card
        ("surface", "#f2f5f9"),  // boxes, quotations, tables' heads
        ("rule", "#d3dae3"),  // lines
        ("warm", "#d9a21b"),  // decorative rules, never text
    ]

    /// The colours set in `site.yml`, by name, as `#rrggbb`.
    public var chosen: [String: String] = [:] {
        didSet { templateValues = resolved() }
    }
    /// Every value the templates may ask for (`{{colors.accent}}`, `{{colors.on_accent}}`…):
    /// made once, not at each of the e-mail's two dozen lookups.
    private(set) var templateValues: [String: String] = [:]
    /// `fonts.body` and `fonts.headings`: CSS font stacks for the pages.
    public var bodyFont: String?
    public var headingsFont: String?

    public init() {
        templateValues = resolved()
    }

    public var isEmpty: Bool { chosen.isEmpty && bodyFont == nil && headingsFont == nil }

    /// Family names, quoted or not, separated by commas: nothing that could end the
    /// declaration or the `<style>` element it is written in.
    static func isFontStack(_ text: String) -> Bool {
        !text.trimmingCharacters(in: .whitespaces).isEmpty
            && text.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || " ,-_.'\"".unicodeScalars.contains($0) }
    }

    /// A colour: the site's, else the theme's.
    func color(_ name: String) -> String {
        chosen[name] ?? Self.defaults.first { $0.name == name }?.value ?? "#000000"
    }

    private func rgb(_ name: String) -> RGB { RGB(css: color(name)) ?? .black }

    /// Text on the accent (a button, the header band): white or near-black, whichever reads better.
    var onAccent: String {
        let accent = rgb("accent")
        return accent.contrast(with: .white) >= accent.contrast(with: RGB(red: 11, green: 27, blue: 44)) ? "#ffffff" : "#0b1b2c"
    }

    /// The accent for dark backgrounds: lightened until it reads on the dark theme's page.
    var accentOnDark: String {
        let dark = RGB(css: "#121519")!
        var mixed = rgb("accent")
        for step in 1...10 where mixed.contrast(with: dark) < 7 {
            mixed = rgb("accent").mixed(with: .white, by: Double(step) / 10)
        }
        return mixed.hex
    }

    private func resolved() -> [String: String] {
        var values = Dictionary(uniqueKeysWithValues: Self.defaults.map { ($0.name, color($0.name)) })
        // The built-in e-mail's own shades while the site keeps its accent and surface.
        let keepsAccent = chosen["accent"] == nil
        values["on_accent"] = keepsAccent ? "#ffffff" : onAccent
        values["accent_on_dark"] = keepsAccent ? "#8fc1f3" : accentOnDark
        // Darkened for dark mode when its text is light; a light accent keeps its dark text.
        values["band_on_dark"] = keepsAccent ? "#0d2a48" : onAccent == "#ffffff" ? rgb("accent").mixed(with: .black, by: 0.6).hex : rgb("accent").hex
        values["page"] = keepsAccent && chosen["surface"] == nil ? "#e9eef4" : rgb("surface").mixed(with: rgb("accent"), by: 0.05).hex
        // The header band's smaller texts and its line, toward the text on it.
        let onBand = RGB(css: onAccent)!
        values["band_muted"] = keepsAccent ? "#d6e4f2" : rgb("accent").mixed(with: onBand, by: 0.82).hex
        values["band_soft"] = keepsAccent ? "#e5eef8" : rgb("accent").mixed(with: onBand, by: 0.9).hex
        values["band_rule"] = keepsAccent ? "#3d6e9c" : rgb("accent").mixed(with: onBand, by: 0.2).hex
        return values
    }

    /// `{accent}`, `{ink}`… in a style (`email-styles.yml`) replaced by their colours.
    func filling(_ style: String) -> String {
        guard style.contains("{") else { return style }
        var filled = style
        for (name, value) in templateValues { filled = filled.replacingOccurrences(of: "{\(name)}", with: value) }
        return filled
    }

    /// The pages' custom properties for what the site chose, after the theme's stylesheet;
    /// nil when it chose nothing. The accent's shades are made from it, for light and dark
    /// mode; the other colours are the light mode's (the dark theme keeps its own).
    var css: String? {
        guard !isEmpty else { return nil }
        var light: [String] = []
        var dark: [String] = []
        var always: [String] = []
        if chosen["accent"] != nil {
            let accent = rgb("accent")
            light += [
                "--accent:\(accent.hex)", "--accent-strong:\(accent.mixed(with: .black, by: 0.3).hex)",
                "--accent-soft:\(accent.mixed(with: .white, by: 0.9).hex)", "--on-accent:\(onAccent)",
                "--band:\(accent.hex)", "--band-ink:\(onAccent)", "--band-muted:\(accent.mixed(with: RGB(css: onAccent)!, by: 0.82).hex)",
                "--footer-bg:\(accent.mixed(with: .black, by: 0.55).hex)",
            ]
            let onDark = RGB(css: accentOnDark)!
            dark += [
                "--accent:\(onDark.hex)", "--accent-strong:\(onDark.mixed(with: .white, by: 0.5).hex)",
                "--accent-soft:\(accent.mixed(with: .black, by: 0.7).hex)", "--band:\(accent.mixed(with: .black, by: 0.6).hex)",
                "--footer-bg:\(accent.mixed(with: .black, by: 0.8).hex)",
            ]
        }
        let properties = ["ink": "--ink", "muted": "--muted", "background": "--bg", "surface": "--surface", "rule": "--rule"]
        for (name, property) in properties.sorted(by: { $0.key < $1.key }) {
            if let value = chosen[name] { light.append("\(property):\(value)") }
        }
        if let warm = chosen["warm"] { always.append("--warm:\(warm)") }
        if let body = bodyFont { always.append("--sans:\(body)") }
        if let headings = headingsFont { always.append("--serif:\(headings)") }
        var css = ""
        if !always.isEmpty { css += ":root{\(always.joined(separator: ";"))}" }
        if !light.isEmpty { css += "@media not all and (prefers-color-scheme: dark){:root{\(light.joined(separator: ";"))}}" }
        if !dark.isEmpty { css += "@media (prefers-color-scheme: dark){:root{\(dark.joined(separator: ";"))}}" }
        return css
    }

    /// The pairs of colours the site's text is set in that fail WCAG AA (4.5:1): ink,
    /// muted and accent on the background, ink on the surface, text on the accent. Each
    /// with the colour the site chose to point at (the text's, else the background's).
    var weakPairs: [(pair: String, color: String, ratio: Double)] {
        let pairs = [("ink", "background"), ("muted", "background"), ("accent", "background"), ("ink", "surface")]
        var weak = pairs.compactMap { text, on -> (String, String, Double)? in
            guard let color = [text, on].first(where: { chosen[$0] != nil }) else { return nil }
            let ratio = rgb(text).contrast(with: rgb(on))
            return ratio < 4.5 ? ("`\(text)` on `\(on)`", color, ratio) : nil
        }
        if chosen["accent"] != nil {
            let ratio = RGB(css: onAccent)!.contrast(with: rgb("accent"))
            if ratio < 4.5 { weak.append(("text on the accent", "accent", ratio)) }
        }
        return weak
    }
}
