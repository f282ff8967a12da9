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

    /// The message's bytes, written as they are made, and the size of its HTML part as written (what Gmail's
    /// clipping point is measured on).
    func rendered() -> (bytes: Data, htmlPartBytes: Int) {
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
        var htmlPartBytes = 0
        for (type, body) in [("text/plain", text), ("text/html", html)] {
            Self.append(
                lines: ["--\(boundary)", "Content-Type: \(type); charset=UTF-8", "Content-Transfer-Encoding: quoted-printable", ""],
                to: &bytes)
            let start = bytes.count
            Self.appendQuotedPrintable(body, to: &bytes)
            if type == "text/html" { htmlPartBytes = bytes.count - start }
            // The line break before the next boundary is the boundary's, not the body's.
            bytes.append(contentsOf: [0x0D, 0x0A])
        }
        Self.append(lines: ["--\(boundary)--"], to: &bytes)
        return (Data(bytes), htmlPartBytes)
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

    /// Each line ended by CRLF.
    private static func append(lines: [String], to bytes: inout [UInt8]) {
        for line in lines {
            bytes.append(contentsOf: line.utf8)
            bytes.append(contentsOf: [0x0D, 0x0A])
        }
    }

    /// Quoted-printable (RFC 2045, 6.7), each line ended by CRLF: ASCII as it is, `=` and
    /// every other byte as `=XX`, lines folded at 76 characters by a final `=`. For a
    /// French letter's HTML it is a fifth smaller than base64 (38 KB against 47 for the
    /// example's largest), which leaves that much more room under Gmail's clipping point,
    /// and a person can read it.
    static func appendQuotedPrintable(_ body: String, to bytes: inout [UInt8]) {
        let hex = Array("0123456789ABCDEF".utf8)
        var column = 0
        // A folded line ends with `=`: 75 characters before it at most.
        func softBreak() {
            bytes.append(contentsOf: [UInt8(ascii: "="), 0x0D, 0x0A])
            column = 0
        }
        let utf8 = Array(body.utf8)
        var index = 0
        while index < utf8.count {
            let byte = utf8[index]
            if byte == 0x0A {
                bytes.append(contentsOf: [0x0D, 0x0A])
                column = 0
                index += 1
                continue
            }
            // The body's end is a line's end too.
            let next = index + 1 < utf8.count ? utf8[index + 1] : 0x0A
            let atLineEnd = next == 0x0A
            // Spaces before a line's end would be lost in transit; `.` and `F` (of "From ")
            // at a line's start, folded or not, are changed by some servers.
            func isLiteral(atColumn column: Int) -> Bool {
                (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "=")
                    && !(column == 0 && (byte == UInt8(ascii: ".") || byte == UInt8(ascii: "F"))))
                    || ((byte == 0x20 || byte == 0x09) && !atLineEnd)
            }
            var literal = isLiteral(atColumn: column)
            if column + (literal ? 1 : 3) > 75 {
                softBreak()
                literal = isLiteral(atColumn: 0)
            }
            if literal {
                bytes.append(byte)
                column += 1
            } else {
                bytes.append(contentsOf: [UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
                column += 3
            }
            index += 1
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
