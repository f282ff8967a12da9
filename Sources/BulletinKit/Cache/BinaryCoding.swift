import Foundation

/// The build cache's encoding: values one after another, without keys, each type writing
/// and reading its own fields in order (`BinaryCodable`, the model's and the records'
/// in `ModelCoding.swift`). Foundation's JSON took a third of a second each way for the
/// issues of a 500-issue site, and `Codable` through containers a fifth of a warm build;
/// this takes a few milliseconds. A damaged file fails to decode (a length past the end,
/// an unknown tag, trailing bytes): the cache is then not used, never misread. The cache
/// is keyed by the binary that wrote it, so the layout never has to be read by another
/// version.
enum BinaryCoding {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// `capacity`: the bytes to reserve, when a good guess is known (the last build's
    /// size): a cache index grown by doubling was copied and faulted in several times over.
    static func encode(_ value: some BinaryCodable, capacity: Int = 0) -> [UInt8] {
        let sink = Sink()
        sink.bytes.reserveCapacity(capacity)
        value.write(to: sink)
        return sink.bytes
    }

    static func decode<T: BinaryCodable>(_ type: T.Type, from bytes: UnsafeRawBufferPointer) throws -> T {
        let source = Source(bytes)
        let value = try T(reading: source)
        guard source.offset == bytes.count else { throw Failure(description: "trailing bytes") }
        return value
    }

    static func decode<T: BinaryCodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try bytes.withUnsafeBytes { try decode(type, from: $0) }
    }

    // MARK: Bytes

    final class Sink {
        // Unchecked: a sink or a source is one thread's, and a checked access is a call
        // into the runtime for every byte.
        @exclusivity(unchecked) var bytes: [UInt8] = []

        func varint(_ value: UInt64) {
            var value = value
            while value >= 0x80 {
                bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
                value >>= 7
            }
            bytes.append(UInt8(value))
        }

        func signed(_ value: Int64) { varint(UInt64(bitPattern: (value << 1) ^ (value >> 63))) }

        func string(_ value: String) {
            var value = value
            value.withUTF8 { utf8 in
                varint(UInt64(utf8.count))
                bytes.append(contentsOf: utf8)
            }
        }

        func raw(_ data: some Collection<UInt8>) {
            varint(UInt64(data.count))
            bytes.append(contentsOf: data)
        }
    }

    final class Source {
        let bytes: UnsafeRawBufferPointer
        @exclusivity(unchecked) var offset = 0

        init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

        func byte() throws -> UInt8 {
            guard offset < bytes.count else { throw Failure(description: "unexpected end") }
            defer { offset += 1 }
            return bytes[offset]
        }

        func varint() throws -> UInt64 {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                let byte = try byte()
                guard shift < 64 else { throw Failure(description: "bad number") }
                value |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { return value }
                shift += 7
            }
        }

        func signed() throws -> Int64 {
            let raw = try varint()
            return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
        }

        func length() throws -> Int {
            let count = try varint()
            guard count <= UInt64(bytes.count - offset) else { throw Failure(description: "length past the end") }
            return Int(count)
        }

        func string() throws -> String {
            let count = try length()
            defer { offset += count }
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count]), as: UTF8.self)
        }

        /// What `Sink.raw` wrote.
        func raw() throws -> [UInt8] {
            let count = try length()
            defer { offset += count }
            return Array(UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count]))
        }
    }
}

/// A value the build cache stores: it writes its fields in order, and reads them back in
/// the same order.
protocol BinaryCodable {
    init(reading source: BinaryCoding.Source) throws
    func write(to sink: BinaryCoding.Sink)
}

extension Array: BinaryCodable where Element: BinaryCodable {
    init(reading source: BinaryCoding.Source) throws {
        self = try source.list(Element.self)
    }

    func write(to sink: BinaryCoding.Sink) { sink.list(self) }
}
