/// Escaping shared by every stage that writes HTML or URLs.

/// Text made safe inside HTML and double-quoted attributes; `apostrophe` also escapes `'`,
/// as Mustache does for `{{name}}`. Most text has nothing to escape and is returned as is.
func escapeHTML(_ text: String, apostrophe: Bool = false) -> String {
    guard text.containsByte(where: { needsEscapingInHTML($0, apostrophe: apostrophe) }) else { return text }
    var text = text
    return text.withUTF8 { input in
        var output: [UInt8] = []
        output.reserveCapacity(input.count + input.count / 8 + 16)
        appendEscapingHTML(input, to: &output, apostrophe: apostrophe)
        return String(decoding: output, as: UTF8.self)
    }
}

/// `&`, `<`, `>`, `"`, and `'` with `apostrophe`.
@inline(__always)
private func needsEscapingInHTML(_ byte: UInt8, apostrophe: Bool) -> Bool {
    byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "&") || byte == UInt8(ascii: "\"")
        || (apostrophe && byte == UInt8(ascii: "'"))
}

/// Appends `text` to `output` with `&`, `<`, `>` and `"` as entities (and `'`, with
/// `apostrophe`): what cmark-gfm does to text, and Mustache to `{{name}}`. Runs with
/// nothing to escape are copied whole.
func appendEscapingHTML<Bytes: RandomAccessCollection<UInt8>>(_ text: Bytes, to output: inout [UInt8], apostrophe: Bool = false)
where Bytes.Index == Int {
    var run = text.startIndex
    for index in text.indices where needsEscapingInHTML(text[index], apostrophe: apostrophe) {
        output.append(contentsOf: text[run..<index])
        switch text[index] {
        case UInt8(ascii: "<"): output.append(contentsOf: "&lt;".utf8)
        case UInt8(ascii: ">"): output.append(contentsOf: "&gt;".utf8)
        case UInt8(ascii: "&"): output.append(contentsOf: "&amp;".utf8)
        case UInt8(ascii: "\""): output.append(contentsOf: "&quot;".utf8)
        default: output.append(contentsOf: "&#39;".utf8)
        }
        run = index + 1
    }
    output.append(contentsOf: text[run...])
}

/// Percent-encodes an output path for use in `href`/`src`, segment by segment: what
/// `CharacterSet.urlPathAllowed` keeps, but `?`, `#`, `%` and `;`. Byte by byte, as it runs
/// for every link of every page (building a `CharacterSet` per call cost 5 % of a build).
func encodePath(_ path: String) -> String {
    func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "!"), UInt8(ascii: "$"),
            UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"),
            UInt8(ascii: ","), UInt8(ascii: "="), UInt8(ascii: ":"), UInt8(ascii: "@"), UInt8(ascii: "/"):
            true
        default: false
        }
    }
    guard path.containsByte(where: { !isAllowed($0) }) else { return path }
    let hex = Array("0123456789ABCDEF".utf8)
    var bytes: [UInt8] = []
    bytes.reserveCapacity(path.utf8.count * 3)
    for byte in path.utf8 {
        if isAllowed(byte) {
            bytes.append(byte)
        } else {
            bytes += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
        }
    }
    return String(decoding: bytes, as: UTF8.self)
}

extension Unicode.Scalar {
    /// C0 controls but tab, line feed and carriage return, and U+FFFE, U+FFFF: XML 1.0
    /// cannot carry them, so one in any text makes the whole feed unreadable.
    var isForbiddenInXML: Bool {
        (value < 0x20 && self != "\t" && self != "\n" && self != "\r") || value == 0xFFFE || value == 0xFFFF
    }

    /// Any control or line-breaking character (C0, DEL, C1, U+2028, U+2029): none may
    /// stand in a line that must stay one, an e-mail header or a diagnostic.
    var isControl: Bool {
        value < 0x20 || value == 0x7F || (0x80..<0xA0).contains(value) || value == 0x2028 || value == 0x2029
    }
}

/// The text with a space for each character XML cannot carry (`isForbiddenInXML`), the
/// first of them with its line and column (from 1, in characters), and how many there were.
func replacingNonXMLCharacters(_ text: String) -> (text: String, first: (scalar: Unicode.Scalar, line: Int, column: Int)?, count: Int) {
    // Bytes first, in one pass: most texts hold no control character and no lead byte of
    // U+F000–U+FFFF (where U+FFFE and U+FFFF are), and are not decoded again.
    guard text.containsByte(where: { $0 < 0x20 ? $0 != 0x09 && $0 != 0x0A && $0 != 0x0D : $0 == 0xEF }),
        text.unicodeScalars.contains(where: \.isForbiddenInXML)
    else { return (text, nil, 0) }
    var scalars = String.UnicodeScalarView()
    var first: (scalar: Unicode.Scalar, line: Int, column: Int)?
    var count = 0
    var line = 1
    var column = 1
    for scalar in text.unicodeScalars {
        if scalar.isForbiddenInXML {
            if first == nil { first = (scalar, line, column) }
            count += 1
            scalars.append(" ")
        } else {
            scalars.append(scalar)
        }
        if scalar == "\n" {
            line += 1
            column = 1
        } else {
            column += 1
        }
    }
    return first == nil ? (text, nil, 0) : (String(scalars), first, count)
}

/// The warning for characters `replacingNonXMLCharacters` replaced.
func nonXMLCharacterWarning(_ scalar: Unicode.Scalar, count: Int, at location: SourceLocation) -> Diagnostic {
    let code = String(scalar.value, radix: 16, uppercase: true)
    let name = "U+" + String(repeating: "0", count: max(0, 4 - code.count)) + code
    let more = count > 1 ? " (and \(count - 1) more)" : ""
    return .warning(
        "control character \(name) replaced by a space\(more): no feed or page can carry it (a line break from Word? press Enter instead)",
        at: location)
}

/// `text` between double quotes, as JSON and YAML both read it: `"` and `\\` escaped, line
/// breaks and tabs as `\\n`, `\\r`, `\\t`, and as `\\uXXXX` every other control character
/// and those that editors and parsers handle badly (U+2028, U+2029, a byte-order mark).
func doubleQuoted(_ text: String) -> String {
    var text = text
    return text.withUTF8 { input in
        var output: [UInt8] = [UInt8(ascii: "\"")]
        output.reserveCapacity(input.count + 16)
        let hex: StaticString = "0123456789ABCDEF"
        func unicodeEscape(_ value: Int) {
            output.append(contentsOf: "\\u".utf8)
            for shift in [12, 8, 4, 0] { output.append(hex.utf8Start[(value >> shift) & 0xF]) }
        }
        // Byte by byte, runs with nothing to escape copied whole: the feeds' texts are long.
        var run = 0
        var index = 0
        while index < input.count {
            let byte = input[index]
            let next = index + 1 < input.count ? input[index + 1] : 0
            let third = index + 2 < input.count ? input[index + 2] : 0
            var width = 1
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "\n"), UInt8(ascii: "\t"), UInt8(ascii: "\r"), 0..<0x20, 0x7F: break
            // U+0080–U+009F (C1 controls)
            case 0xC2 where (0x80...0x9F).contains(next): width = 2
            // U+2028, U+2029
            case 0xE2 where next == 0x80 && (third == 0xA8 || third == 0xA9): width = 3
            // U+FEFF, the byte-order mark
            case 0xEF where next == 0xBB && third == 0xBF: width = 3
            default:
                index += 1
                continue
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: input[run..<index]))
            switch (byte, width) {
            case (UInt8(ascii: "\""), _): output.append(contentsOf: "\\\"".utf8)
            case (UInt8(ascii: "\\"), _): output.append(contentsOf: "\\\\".utf8)
            case (UInt8(ascii: "\n"), _): output.append(contentsOf: "\\n".utf8)
            case (UInt8(ascii: "\t"), _): output.append(contentsOf: "\\t".utf8)
            case (UInt8(ascii: "\r"), _): output.append(contentsOf: "\\r".utf8)
            case (_, 1): unicodeEscape(Int(byte))
            case (_, 2): unicodeEscape(Int(next))
            default: unicodeEscape(byte == 0xE2 ? (third == 0xA8 ? 0x2028 : 0x2029) : 0xFEFF)
            }
            index += width
            run = index
        }
        output.append(contentsOf: UnsafeBufferPointer(rebasing: input[run...]))
        output.append(UInt8(ascii: "\""))
        return String(decoding: output, as: UTF8.self)
    }
}
