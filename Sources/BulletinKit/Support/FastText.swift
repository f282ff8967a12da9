import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Byte-level substring search and replacement. Foundation's `range(of:)` goes through
/// CoreFoundation's Unicode-aware search and dominated build profiles; the strings
/// searched here (markers, ASCII snippets) need only bytes.
extension String {
    /// Whether any of the text's UTF-8 bytes passes `test`, read where they lie in memory
    /// (iterating `utf8` costs several times more, and this runs over every text).
    func containsByte(where test: (UInt8) -> Bool) -> Bool {
        var text = self
        return text.withUTF8 { $0.contains(where: test) }
    }

    func containsBytes(of needle: String) -> Bool {
        var haystack = self
        var needle = needle
        return haystack.withUTF8 { hay in
            needle.withUTF8 { pin in
                findBytes(hay, from: 0, pin) != nil
            }
        }
    }

    /// Every occurrence of `target` replaced by `replacement`.
    func replacingBytes(of target: String, with replacement: String) -> String {
        var haystack = self
        var target = target
        var replacement = replacement
        return haystack.withUTF8 { hay -> String in
            target.withUTF8 { pin -> String in
                replacement.withUTF8 { insert -> String in
                    guard pin.count > 0 else { return self }
                    var output: [UInt8] = []
                    var offset = 0
                    while offset < hay.count, let index = findBytes(hay, from: offset, pin) {
                        if output.isEmpty { output.reserveCapacity(hay.count + 64) }
                        output.append(contentsOf: hay[offset..<index])
                        output.append(contentsOf: insert)
                        offset = index + pin.count
                    }
                    if offset == 0 { return self }
                    output.append(contentsOf: hay[offset...])
                    return String(decoding: output, as: UTF8.self)
                }
            }
        }
    }

    /// Every span from `start` to the next `end` replaced by what `replace` appends to the
    /// output; it is handed the bytes between the two and the output so far, which it may
    /// amend (to put an attribute into the tag just before).
    func replacingSpans(
        from start: String, to end: String, _ replace: (_ inner: ArraySlice<UInt8>, _ output: inout [UInt8]) -> Void
    ) -> String {
        let hay = Array(utf8)
        let open = Array(start.utf8)
        let close = Array(end.utf8)
        var output: [UInt8] = []
        var offset = 0
        hay.withUnsafeBufferPointer { hay in
            open.withUnsafeBufferPointer { open in
                close.withUnsafeBufferPointer { close in
                    while let spanStart = findBytes(hay, from: offset, open),
                        let spanEnd = findBytes(hay, from: spanStart + open.count, close)
                    {
                        if output.isEmpty { output.reserveCapacity(hay.count + 64) }
                        output.append(contentsOf: hay[offset..<spanStart])
                        replace(ArraySlice(hay[(spanStart + open.count)..<spanEnd]), &output)
                        offset = spanEnd + close.count
                    }
                }
            }
        }
        if offset == 0 { return self }
        output.append(contentsOf: hay[offset...])
        return String(decoding: output, as: UTF8.self)
    }
}

/// Index of the first occurrence of `needle` in `haystack` at or after `start`.
private func findBytes(_ haystack: UnsafeBufferPointer<UInt8>, from start: Int, _ needle: UnsafeBufferPointer<UInt8>) -> Int? {
    guard let base = haystack.baseAddress, let pin = needle.baseAddress, needle.count > 0 else { return nil }
    var offset = start
    let first = Int32(pin[0])
    while haystack.count - offset >= needle.count {
        guard let hit = memchr(base + offset, first, haystack.count - offset - needle.count + 1) else { return nil }
        let index = UnsafeRawPointer(hit) - UnsafeRawPointer(base)
        if memcmp(base + index, pin, needle.count) == 0 { return index }
        offset = index + 1
    }
    return nil
}

extension String {
    /// `trimmingCharacters(in: .whitespacesAndNewlines)` without going through `NSString`
    /// (which copied every front-matter value and every e-mail's text), trimming the same
    /// characters.
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        var start = scalars.startIndex
        var end = scalars.endIndex
        while start < end, isTrimmedWhitespace(scalars[start]) { start = scalars.index(after: start) }
        while end > start {
            let last = scalars.index(before: end)
            guard isTrimmedWhitespace(scalars[last]) else { break }
            end = last
        }
        // Through the scalars: a `String` slice would round a start inside a character
        // (a space, then a combining accent) down to the character's start.
        return start == startIndex && end == endIndex ? self : String(Substring(scalars[start..<end]))
    }
}

/// What `CharacterSet.whitespacesAndNewlines` holds, listed from it scalar by scalar:
/// Unicode's spaces and separators, tab to carriage return, U+0085, and the zero-width
/// space U+200B.
private func isTrimmedWhitespace(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200B, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: true
    default: false
    }
}

/// Scalars read from UTF-8 bytes, forwards and backwards.
enum UTF8Text {
    /// The scalar that starts at `index`, `nil` past the end.
    static func scalar<Bytes: RandomAccessCollection<UInt8>>(startingAt index: Int, in bytes: Bytes) -> Unicode.Scalar?
    where Bytes.Index == Int {
        guard index < bytes.endIndex else { return nil }
        let lead = bytes[index]
        if lead < 0x80 { return Unicode.Scalar(lead) }
        let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
        guard index + length <= bytes.endIndex else { return nil }
        var value = UInt32(lead) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
        for offset in 1..<length { value = value << 6 | UInt32(bytes[index + offset] & 0x3F) }
        return Unicode.Scalar(value)
    }

    /// The scalar that ends just before `end`, `nil` at the start.
    static func scalar<Bytes: RandomAccessCollection<UInt8>>(endingAt end: Int, in bytes: Bytes) -> Unicode.Scalar?
    where Bytes.Index == Int {
        guard end > bytes.startIndex else { return nil }
        var start = end - 1
        while start > bytes.startIndex, bytes[start] & 0xC0 == 0x80 { start -= 1 }
        return scalar(startingAt: start, in: bytes)
    }

    static func length(of scalar: Unicode.Scalar) -> Int {
        switch scalar.value {
        case 0..<0x80: 1
        case 0x80..<0x800: 2
        case 0x800..<0x10000: 3
        default: 4
        }
    }
}
