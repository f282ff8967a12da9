import Foundation

/// A `multipart/alternative` message (text, then HTML, both UTF-8) that mail clients open
/// as a preview and sending tools accept. Deterministic: the same issue gives the same bytes.
struct MIMEMessage {
    let from: String
    let subject: String
    let date: String
    let messageID: String
    let text: String
    let html: String

    func render() -> String {
        let boundary = "=_bulletin_" + String(messageID.unicodeScalars.filter { $0.properties.isAlphabetic || ("0"..."9").contains($0) }.prefix(40).map(Character.init))
        var lines = [
            "From: \(encodeAddress(from))",
            "Subject: \(encodeHeader(subject))",
            "Date: \(date)",
            "Message-ID: <\(messageID)>",
            "MIME-Version: 1.0",
            "Content-Type: multipart/alternative; boundary=\"\(boundary)\"",
            "",
            "This is a multi-part message in MIME format.",
        ]
        for (type, body) in [("text/plain", text), ("text/html", html)] {
            lines += [
                "--\(boundary)",
                "Content-Type: \(type); charset=UTF-8",
                "Content-Transfer-Encoding: base64",
                "",
            ]
            if !body.isEmpty { lines.append(base64Lines(body)) }
        }
        lines += ["--\(boundary)--", ""]
        return lines.joined(separator: "\r\n")
    }

    /// Base64 in lines of 76 characters, as MIME wants, ended by CRLF but the last (one
    /// string: a string per line was most of writing the message).
    private func base64Lines(_ body: String) -> String {
        let encoded = Array(Data(body.utf8).base64EncodedString().utf8)
        var lines: [UInt8] = []
        lines.reserveCapacity(encoded.count + encoded.count / 38 + 2)
        for start in stride(from: 0, to: encoded.count, by: 76) {
            if start > 0 { lines += [0x0D, 0x0A] }
            lines += encoded[start..<min(start + 76, encoded.count)]
        }
        return String(decoding: lines, as: UTF8.self)
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
