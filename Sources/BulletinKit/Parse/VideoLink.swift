import Foundation

/// Recognises the video hosts of the contract and gives each video its canonical page,
/// so that the card links out and no request leaves the reader's browser before they click.
enum VideoLink {
    static func hosted(_ urlString: String) -> Video.Source? {
        guard let components = URLComponents(string: urlString.trimmingCharacters(in: .whitespaces)),
            let host = components.host?.lowercased()
        else { return nil }
        let path = components.path.split(separator: "/").map(String.init)
        let query = Dictionary(
            (components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { first, _ in first })
        let bareHost = host.hasPrefix("www.") ? String(host.dropFirst(4)) : host

        switch bareHost {
        case "youtube.com", "m.youtube.com", "music.youtube.com", "youtube-nocookie.com", "youtu.be":
            var id: String?
            if bareHost == "youtu.be" {
                id = path.first
            } else if path.first == "watch" {
                id = query["v"]
            } else if path.count >= 2, ["embed", "shorts", "live", "v"].contains(path[0]) {
                id = path[1]
            }
            guard let id, id.count == 11, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
                return nil
            }
            let start = (query["t"] ?? query["start"]).flatMap(seconds)
            return .hosted(
                provider: "YouTube",
                watchURL: "https://www.youtube.com/watch?v=\(id)" + (start.map { "&t=\($0)s" } ?? ""))
        case "vimeo.com", "player.vimeo.com":
            let numbers = path.filter { $0.allSatisfy(\.isNumber) }
            guard let id = numbers.first else { return nil }
            let start = components.fragment.flatMap { $0.hasPrefix("t=") ? seconds(String($0.dropFirst(2))) : nil }
            return .hosted(provider: "Vimeo", watchURL: "https://vimeo.com/\(id)" + (start.map { "#t=\($0)s" } ?? ""))
        case "dailymotion.com", "dai.ly":
            let id = bareHost == "dai.ly" ? path.first : (path.first == "video" && path.count > 1 ? path[1] : nil)
            guard let id, !id.isEmpty, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else { return nil }
            let start = query["start"].flatMap(seconds)
            return .hosted(
                provider: "Dailymotion",
                watchURL: "https://www.dailymotion.com/video/\(id)" + (start.map { "?start=\($0)" } ?? ""))
        default:
            return nil
        }
    }

    /// `90`, `90s`, `1m30s`, `1h2m3s` → seconds; `nil` past `maxSeconds` (no video is
    /// that long, and the arithmetic stays far from overflowing).
    static func seconds(_ text: String) -> Int? {
        if let plain = Int(text) { return (0...maxSeconds).contains(plain) ? plain : nil }
        var total = 0
        var number = ""
        for character in text {
            if character.isASCII, character.isNumber {
                number.append(character)
            } else {
                guard number.count <= 9, let value = Int(number) else { return nil }
                switch character {
                case "h": total += value * 3600
                case "m": total += value * 60
                case "s": total += value
                default: return nil
                }
                guard total <= maxSeconds else { return nil }
                number = ""
            }
        }
        return number.isEmpty ? total : nil
    }

    /// A week.
    static let maxSeconds = 7 * 24 * 3600
}
