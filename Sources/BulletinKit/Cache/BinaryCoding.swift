import Foundation

/// A compact encoding for the build cache, through `Codable`: values one after another,
/// without keys, in the order the synthesized conformances write and read them (the
/// order of declaration). Foundation's JSON took a third of a second each way for the
/// issues of a 500-issue site; this takes a few milliseconds.
///
/// Only what the cache stores is supported: structs, arrays, optional properties,
/// strings, numbers, `Data`. A dictionary, or an enum with associated values and a
/// synthesized conformance, fails to decode (they need keys): the cache is then not used,
/// never misread. The cache is keyed by the binary that wrote it, so the layout never
/// has to be read by another version.
///
/// What the cache holds most of (the index's records, issues, bodies, stamps) is
/// `BinaryCodable` (`ModelCoding.swift`): written and read field by field, without the
/// containers, which cost a fifth of a warm build.
enum BinaryCoding {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func encode(_ value: some Encodable) throws -> [UInt8] {
        let sink = Sink()
        try BinaryEncoder(sink: sink).encodeValue(value)
        return sink.bytes
    }

    static func decode<T: Decodable>(_ type: T.Type, from bytes: UnsafeRawBufferPointer) throws -> T {
        let source = Source(bytes)
        let value = try BinaryDecoder(source: source).decodeValue(type)
        guard source.offset == bytes.count else { throw Failure(description: "trailing bytes") }
        return value
    }

    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try bytes.withUnsafeBytes { try decode(type, from: $0) }
    }

    // MARK: Bytes

    final class Sink {
        var bytes: [UInt8] = []

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
        var offset = 0

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

        func data() throws -> Data {
            let count = try length()
            defer { offset += count }
            return Data(UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count]))
        }
    }
}

// MARK: - Encoding

private struct BinaryEncoder: Encoder {
    let sink: BinaryCoding.Sink
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func encodeValue(_ value: some Encodable) throws {
        switch value {
        case let data as Data: sink.raw(data)
        case let text as String: sink.string(text)
        // Stamps (the most frequent value) and issues are written without containers:
        // through them, they took a fifth of reading the cache.
        case let value as any BinaryCodable: value.write(to: sink)
        default: try value.encode(to: self)
        }
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(KeyedContainer(encoder: self))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        UnkeyedContainer(encoder: self)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleContainer(encoder: self)
    }

    struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let encoder: BinaryEncoder
        var codingPath: [any CodingKey] { encoder.codingPath }
        private var single: SingleContainer { SingleContainer(encoder: encoder) }

        init(encoder: BinaryEncoder) { self.encoder = encoder }

        mutating func encodeNil(forKey key: Key) throws { encoder.sink.bytes.append(0) }
        mutating func encode(_ value: Bool, forKey key: Key) throws { var single = single; try single.encode(value) }
        mutating func encode(_ value: String, forKey key: Key) throws { encoder.sink.string(value) }
        mutating func encode(_ value: Double, forKey key: Key) throws { var single = single; try single.encode(value) }
        mutating func encode(_ value: Float, forKey key: Key) throws { var single = single; try single.encode(value) }
        mutating func encode(_ value: Int, forKey key: Key) throws { encoder.sink.signed(Int64(value)) }
        mutating func encode(_ value: Int8, forKey key: Key) throws { encoder.sink.signed(Int64(value)) }
        mutating func encode(_ value: Int16, forKey key: Key) throws { encoder.sink.signed(Int64(value)) }
        mutating func encode(_ value: Int32, forKey key: Key) throws { encoder.sink.signed(Int64(value)) }
        mutating func encode(_ value: Int64, forKey key: Key) throws { encoder.sink.signed(value) }
        mutating func encode(_ value: UInt, forKey key: Key) throws { encoder.sink.varint(UInt64(value)) }
        mutating func encode(_ value: UInt8, forKey key: Key) throws { encoder.sink.varint(UInt64(value)) }
        mutating func encode(_ value: UInt16, forKey key: Key) throws { encoder.sink.varint(UInt64(value)) }
        mutating func encode(_ value: UInt32, forKey key: Key) throws { encoder.sink.varint(UInt64(value)) }
        mutating func encode(_ value: UInt64, forKey key: Key) throws { encoder.sink.varint(value) }
        mutating func encode(_ value: some Encodable, forKey key: Key) throws { try encoder.encodeValue(value) }

        // An optional property is a presence byte, then its value.
        private func present(_ isPresent: Bool) { encoder.sink.bytes.append(isPresent ? 1 : 0) }
        mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { present(value != nil); if let value { try encode(value, forKey: key) } }
        mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { present(value != nil); if let value { try encode(value, forKey: key) } }
        mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws { present(value != nil); if let value { try encode(value, forKey: key) } }
        mutating func encodeIfPresent(_ value: Float?, forKey key: Key) throws { present(value != nil); if let value { try encode(value, forKey: key) } }
        mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { present(value != nil); if let value { try encode(value, forKey: key) } }
        mutating func encodeIfPresent(_ value: Int8?, forKey key: Key) throws { present(value != nil); if let value { try encode(value, forKey: key) } }
        mutating func encodeIfPresent(_ value: Int16?, forKey key: Key) throws { present(value != nil); if let value { try encode(value, forKey: key) } }
        mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) throws { present(value != nil); if let value { try encode(value, forKey: key) } }
        mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { present(value != nil); if let value { try encode(value, forKey: key) } }
        mutating func encodeIfPresent(_ value: UInt?, forKey key: Key) throws { present(value != nil); if let value { try encode(value, forKey: key) } }
        mutating func encodeIfPresent(_ value: UInt8?, forKey key: Key) throws { present(value != nil); if let value { try encode(value, forKey: key) } }
        mutating func encodeIfPresent(_ value: UInt16?, forKey key: Key) throws { present(value != nil); if let value { try encode(value, forKey: key) } }
        mutating func encodeIfPresent(_ value: UInt32?, forKey key: Key) throws { present(value != nil); if let value { try encode(value, forKey: key) } }
        mutating func encodeIfPresent(_ value: UInt64?, forKey key: Key) throws { present(value != nil); if let value { try encode(value, forKey: key) } }
        mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws { present(value != nil); if let value { try encode(value, forKey: key) } }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            encoder.container(keyedBy: keyType)
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer { encoder.unkeyedContainer() }
        mutating func superEncoder() -> any Encoder { encoder }
        mutating func superEncoder(forKey key: Key) -> any Encoder { encoder }
    }

    /// A count, kept up to date as elements are added, then the elements.
    struct UnkeyedContainer: UnkeyedEncodingContainer {
        let encoder: BinaryEncoder
        let countOffset: Int
        private(set) var count = 0
        var codingPath: [any CodingKey] { encoder.codingPath }

        init(encoder: BinaryEncoder) {
            self.encoder = encoder
            countOffset = encoder.sink.bytes.count
            encoder.sink.bytes.append(contentsOf: [0, 0, 0, 0])
        }

        private mutating func countOne() {
            count += 1
            let sink = encoder.sink
            for index in 0..<4 { sink.bytes[countOffset + index] = UInt8(truncatingIfNeeded: count >> (8 * index)) }
        }

        mutating func encodeNil() throws { throw BinaryCoding.Failure(description: "nil in a list is not supported") }
        mutating func encode(_ value: some Encodable) throws {
            try encoder.encodeValue(value)
            countOne()
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            countOne()
            return encoder.container(keyedBy: keyType)
        }
        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            countOne()
            return encoder.unkeyedContainer()
        }
        mutating func superEncoder() -> any Encoder { encoder }
    }

    struct SingleContainer: SingleValueEncodingContainer {
        let encoder: BinaryEncoder
        var codingPath: [any CodingKey] { encoder.codingPath }

        mutating func encodeNil() throws { throw BinaryCoding.Failure(description: "nil as a value is not supported") }
        mutating func encode(_ value: Bool) throws { encoder.sink.bytes.append(value ? 1 : 0) }
        mutating func encode(_ value: String) throws { encoder.sink.string(value) }
        mutating func encode(_ value: Double) throws { encoder.sink.varint(value.bitPattern) }
        mutating func encode(_ value: Float) throws { encoder.sink.varint(UInt64(value.bitPattern)) }
        mutating func encode(_ value: Int) throws { encoder.sink.signed(Int64(value)) }
        mutating func encode(_ value: Int8) throws { encoder.sink.signed(Int64(value)) }
        mutating func encode(_ value: Int16) throws { encoder.sink.signed(Int64(value)) }
        mutating func encode(_ value: Int32) throws { encoder.sink.signed(Int64(value)) }
        mutating func encode(_ value: Int64) throws { encoder.sink.signed(value) }
        mutating func encode(_ value: UInt) throws { encoder.sink.varint(UInt64(value)) }
        mutating func encode(_ value: UInt8) throws { encoder.sink.varint(UInt64(value)) }
        mutating func encode(_ value: UInt16) throws { encoder.sink.varint(UInt64(value)) }
        mutating func encode(_ value: UInt32) throws { encoder.sink.varint(UInt64(value)) }
        mutating func encode(_ value: UInt64) throws { encoder.sink.varint(value) }
        mutating func encode(_ value: some Encodable) throws { try encoder.encodeValue(value) }
    }
}

// MARK: - Decoding

private struct BinaryDecoder: Decoder {
    let source: BinaryCoding.Source
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        if type == Data.self { return try source.data() as! T }
        if type == String.self { return try source.string() as! T }
        if let codable = type as? any BinaryCodable.Type { return try codable.init(reading: source) as! T }
        return try T(from: self)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(KeyedContainer(decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try UnkeyedContainer(decoder: self)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleContainer(decoder: self)
    }

    struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let decoder: BinaryDecoder
        var codingPath: [any CodingKey] { decoder.codingPath }
        /// Keys are not stored: a conformance that asks which are there cannot be read.
        var allKeys: [Key] { [] }
        private var single: SingleContainer { SingleContainer(decoder: decoder) }

        func contains(_ key: Key) -> Bool { true }
        func decodeNil(forKey key: Key) throws -> Bool { try decoder.source.byte() == 0 }
        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try single.decode(type) }
        func decode(_ type: String.Type, forKey key: Key) throws -> String { try decoder.source.string() }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try single.decode(type) }
        func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try single.decode(type) }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try single.decode(type) }
        func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try single.decode(type) }
        func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try single.decode(type) }
        func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try single.decode(type) }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try single.decode(type) }
        func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try single.decode(type) }
        func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try single.decode(type) }
        func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try single.decode(type) }
        func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try single.decode(type) }
        func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try single.decode(type) }
        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try decoder.decodeValue(type) }

        private func isPresent() throws -> Bool {
            switch try decoder.source.byte() {
            case 0: return false
            case 1: return true
            default: throw BinaryCoding.Failure(description: "bad presence byte")
            }
        }
        func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try isPresent() ? decode(type, forKey: key) : nil }
        func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try isPresent() ? decode(type, forKey: key) : nil }
        func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try isPresent() ? decode(type, forKey: key) : nil }
        func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? { try isPresent() ? decode(type, forKey: key) : nil }
        func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try isPresent() ? decode(type, forKey: key) : nil }
        func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { try isPresent() ? decode(type, forKey: key) : nil }
        func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { try isPresent() ? decode(type, forKey: key) : nil }
        func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { try isPresent() ? decode(type, forKey: key) : nil }
        func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try isPresent() ? decode(type, forKey: key) : nil }
        func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { try isPresent() ? decode(type, forKey: key) : nil }
        func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { try isPresent() ? decode(type, forKey: key) : nil }
        func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? { try isPresent() ? decode(type, forKey: key) : nil }
        func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { try isPresent() ? decode(type, forKey: key) : nil }
        func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { try isPresent() ? decode(type, forKey: key) : nil }
        func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? { try isPresent() ? decode(type, forKey: key) : nil }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            try decoder.container(keyedBy: type)
        }
        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { try decoder.unkeyedContainer() }
        func superDecoder() throws -> any Decoder { decoder }
        func superDecoder(forKey key: Key) throws -> any Decoder { decoder }
    }

    struct UnkeyedContainer: UnkeyedDecodingContainer {
        let decoder: BinaryDecoder
        let count: Int?
        private(set) var currentIndex = 0
        var codingPath: [any CodingKey] { decoder.codingPath }
        var isAtEnd: Bool { currentIndex >= count ?? 0 }

        init(decoder: BinaryDecoder) throws {
            self.decoder = decoder
            var raw: UInt32 = 0
            for shift in stride(from: 0, to: 32, by: 8) { raw |= UInt32(try decoder.source.byte()) << UInt32(shift) }
            count = Int(raw)
        }

        private mutating func advance() throws {
            guard !isAtEnd else { throw BinaryCoding.Failure(description: "read past the end of a list") }
            currentIndex += 1
        }

        mutating func decodeNil() throws -> Bool { false }
        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
            try advance()
            return try decoder.decodeValue(type)
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
            try advance()
            return try decoder.container(keyedBy: type)
        }
        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
            try advance()
            return try decoder.unkeyedContainer()
        }
        mutating func superDecoder() throws -> any Decoder { decoder }
    }

    struct SingleContainer: SingleValueDecodingContainer {
        let decoder: BinaryDecoder
        var codingPath: [any CodingKey] { decoder.codingPath }
        private var source: BinaryCoding.Source { decoder.source }

        private func integer<T: FixedWidthInteger & SignedInteger>(_ type: T.Type) throws -> T {
            guard let value = T(exactly: try source.signed()) else { throw BinaryCoding.Failure(description: "number out of range") }
            return value
        }

        private func unsigned<T: FixedWidthInteger & UnsignedInteger>(_ type: T.Type) throws -> T {
            guard let value = T(exactly: try source.varint()) else { throw BinaryCoding.Failure(description: "number out of range") }
            return value
        }

        func decodeNil() -> Bool { false }
        func decode(_ type: Bool.Type) throws -> Bool {
            switch try source.byte() {
            case 0: return false
            case 1: return true
            default: throw BinaryCoding.Failure(description: "bad boolean")
            }
        }
        func decode(_ type: String.Type) throws -> String { try source.string() }
        func decode(_ type: Double.Type) throws -> Double { Double(bitPattern: try source.varint()) }
        func decode(_ type: Float.Type) throws -> Float { Float(bitPattern: try unsigned(UInt32.self)) }
        func decode(_ type: Int.Type) throws -> Int { try integer(type) }
        func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
        func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
        func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
        func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
        func decode(_ type: UInt.Type) throws -> UInt { try unsigned(type) }
        func decode(_ type: UInt8.Type) throws -> UInt8 { try unsigned(type) }
        func decode(_ type: UInt16.Type) throws -> UInt16 { try unsigned(type) }
        func decode(_ type: UInt32.Type) throws -> UInt32 { try unsigned(type) }
        func decode(_ type: UInt64.Type) throws -> UInt64 { try source.varint() }
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.decodeValue(type) }
    }
}
