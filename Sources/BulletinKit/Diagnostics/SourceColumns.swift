extension String {
    /// The byte offset of each line.
    func lineStartOffsets() -> [Int] {
        var starts = [0]
        // On the bytes in memory: through `utf8.enumerated()` it was 3 % of a build.
        var text = self
        text.withUTF8 { bytes in
            for offset in bytes.indices where bytes[offset] == UInt8(ascii: "\n") { starts.append(offset + 1) }
        }
        return starts
    }

    /// The column, counted in characters from 1, of a position given in bytes from 1 on the
    /// line starting at byte `lineStart`. cmark-gfm counts in bytes; editors, YAML errors
    /// and GitHub count characters (`Début, [lien]` has its link at column 8, not 9).
    func characterColumn(lineStart: Int, byteColumn: Int) -> Int {
        guard let start = utf8.index(utf8.startIndex, offsetBy: lineStart, limitedBy: utf8.endIndex) else { return byteColumn }
        let end = utf8.index(start, offsetBy: byteColumn - 1, limitedBy: utf8.endIndex) ?? utf8.endIndex
        return unicodeScalars[start..<end].count + 1
    }

    /// Unicode scalars whose first byte lies between byte offsets `from` and `to` (from 0).
    func scalarCount(fromByte from: Int, toByte to: Int) -> Int {
        guard let start = utf8.index(utf8.startIndex, offsetBy: from, limitedBy: utf8.endIndex) else { return 0 }
        let end = utf8.index(start, offsetBy: max(0, to - from), limitedBy: utf8.endIndex) ?? utf8.endIndex
        // A scalar starts at every byte that is not a continuation byte (10xxxxxx).
        return utf8[start..<end].reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
    }
}
