import Foundation

/// A `multipart/alternative` message (text, then HTML, both UTF-8) that mail clients open
/// as a preview and sending tools accept. Deterministic: the same issue gives the same bytes.
struct MIMEMessage {
    let from: String
    let subject: String
    let date: String
    let messageID: String
    /// `List-Unsubscribe`'s links (RFC 2369): a `mailto:` address, a web page.
    var unsubscribe: [String] = []
    let text: String
    let html: String

    /// The message's bytes, written as they are made: the parts' base64 is never a string.
    func render() -> Data {
        let boundary = "=_bulletin_" + String(messageID.unicodeScalars.filter { $0.properties.isAlphabetic || ("0"..."9").contains($0) }.prefix(40).map(Character.init))
        var bytes: [UInt8] = []
        bytes.reserveCapacity((text.utf8.count + html.utf8.count) * 140 / 100 + 1024)
        Self.append(
            lines: [
                "From: \(encodeAddress(from))",
                "Subject: \(encodeHeader(subject))",
                "Date: \(date)",
                "Message-ID: <\(messageID)>",
                "MIME-Version: 1.0",
            ] + unsubscribeHeaders + [
                "Content-Type: multipart/alternative; boundary=\"\(boundary)\"",
                "",
                "This is a multi-part message in MIME format.",
            ], to: &bytes)
        for (type, body) in [("text/plain", text), ("text/html", html)] {
            Self.append(
                lines: ["--\(boundary)", "Content-Type: \(type); charset=UTF-8", "Content-Transfer-Encoding: base64", ""],
                to: &bytes)
            if !body.isEmpty { Self.appendBase64(body, to: &bytes) }
        }
        Self.append(lines: ["--\(boundary)--"], to: &bytes)
        return Data(bytes)
    }

    /// `List-Unsubscribe`, and the one-click unsubscription of RFC 8058 (which Gmail and
    /// Yahoo require of bulk senders) when a web page takes it: it must be https.
    private var unsubscribeHeaders: [String] {
        guard !unsubscribe.isEmpty else { return [] }
        var headers = ["List-Unsubscribe: " + unsubscribe.map { "<\(Self.oneLine($0))>" }.joined(separator: ", ")]
        if unsubscribe.contains(where: { $0.lowercased().hasPrefix("https://") }) {
            headers.append("List-Unsubscribe-Post: List-Unsubscribe=One-Click")
        }
        return headers
    }

    /// The size of a part of `bytes` bytes as written here: base64, in lines of 76
    /// characters ended by CRLF.
    static func encodedSize(ofBytes bytes: Int) -> Int {
        let characters = (bytes + 2) / 3 * 4
        return characters + (characters + 75) / 76 * 2
    }

    /// Each line ended by CRLF.
    private static func append(lines: [String], to bytes: inout [UInt8]) {
        for line in lines {
            bytes.append(contentsOf: line.utf8)
            bytes.append(contentsOf: [0x0D, 0x0A])
        }
    }

    /// Base64 in lines of 76 characters, as MIME wants, each ended by CRLF.
    private static func appendBase64(_ body: String, to bytes: inout [UInt8]) {
        let encoded = Data(body.utf8).base64EncodedData()
        encoded.withUnsafeBytes { encoded in
            for start in stride(from: 0, to: encoded.count, by: 76) {
                bytes.append(contentsOf: encoded[start..<min(start + 76, encoded.count)])
                bytes.append(contentsOf: [0x0D, 0x0A])
            }
        }
    }

    /// A header's value on one line: a line break in it would start another header
    /// (`Bcc:`…). `site.yml` refuses them; a title may still hold one.
    static func oneLine(_ value: String) -> String {
        String(String.UnicodeScalarView(value.unicodeScalars.map { $0.isControl ? " " : $0 }))
    }

    /// RFC 2047 encoded words, split so that no line is too long.
    private func encodeHeader(_ value: String) -> String {
        let value = Self.oneLine(value)
        guard !value.allSatisfy({ $0.isASCII }) else { return value }
        var words: [String] = []
        var chunk = ""
        for character in value {
            if (chunk + String(character)).utf8.count > 45 {
                words.append(chunk)
                chunk = ""
            }
            chunk.append(character)
        }
        if !chunk.isEmpty { words.append(chunk) }
        return words.map { "=?UTF-8?B?\(Data($0.utf8).base64EncodedString())?=" }.joined(separator: "\r\n ")
    }

    /// The name part of `Name <address>`, unquoted; `nil` when there is none.
    static func displayName(of value: String) -> String? {
        guard let open = value.lastIndex(of: "<") else { return nil }
        let name = value[..<open].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        return name.isEmpty ? nil : name
    }

    /// `Name <address>` with the name encoded when it is not ASCII.
    private func encodeAddress(_ value: String) -> String {
        let value = Self.oneLine(value)
        guard let open = value.lastIndex(of: "<") else { return value }
        let address = value[open...]
        guard let name = Self.displayName(of: value) else { return String(address) }
        guard name.allSatisfy(\.isASCII) else { return "\(encodeHeader(name)) \(address)" }
        let quoted = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "\"\(quoted)\" \(address)"
    }
}
