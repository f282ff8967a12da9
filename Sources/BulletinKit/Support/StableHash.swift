import Foundation

/// A 64-bit hash that is the same in every process (XXH64): the keys of the build cache
/// outlive the process that made them, and Swift's `Hasher` is seeded anew in each.
/// Not for anything an attacker chooses to collide: the cache trusts its own keys.
struct StableHasher {
    private var bytes: [UInt8] = []

    init() {}

    mutating func combine(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func combine(_ value: Int) { combine(UInt64(bitPattern: Int64(value))) }

    mutating func combine(_ value: Bool) { bytes.append(value ? 1 : 0) }

    /// The length first, so that `"ab", "c"` and `"a", "bc"` differ.
    mutating func combine(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            combine(utf8.count)
            bytes.append(contentsOf: utf8)
        }
    }

    mutating func combine(_ text: String?) {
        combine(text != nil)
        if let text { combine(text) }
    }

    mutating func combine(bytes data: some Collection<UInt8>) {
        combine(data.count)
        bytes.append(contentsOf: data)
    }

    func finalize() -> UInt64 {
        bytes.withUnsafeBytes { StableHasher.hash($0) }
    }

    // MARK: XXH64 (https://github.com/Cyan4973/xxHash/blob/dev/doc/xxhash_spec.md)

    private static let prime1: UInt64 = 0x9E37_79B1_85EB_CA87
    private static let prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private static let prime3: UInt64 = 0x1656_67B1_9E37_79F9
    private static let prime4: UInt64 = 0x85EB_CA77_C2B2_AE63
    private static let prime5: UInt64 = 0x27D4_EB2F_1656_67C5

    private static func round(_ accumulator: UInt64, _ lane: UInt64) -> UInt64 {
        let mixed = accumulator &+ lane &* prime2
        return ((mixed << 31) | (mixed >> 33)) &* prime1
    }

    private static func merge(_ accumulator: UInt64, _ lane: UInt64) -> UInt64 {
        (accumulator ^ round(0, lane)) &* prime1 &+ prime4
    }

    private static func rotate(_ value: UInt64, _ count: UInt64) -> UInt64 { (value << count) | (value >> (64 - count)) }

    /// XXH64 of `input` with seed 0.
    static func hash(_ input: UnsafeRawBufferPointer) -> UInt64 {
        let count = input.count
        var offset = 0
        func lane64(_ at: Int) -> UInt64 { UInt64(littleEndian: input.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
        func lane32(_ at: Int) -> UInt64 { UInt64(UInt32(littleEndian: input.loadUnaligned(fromByteOffset: at, as: UInt32.self))) }
        var accumulator: UInt64
        if count >= 32 {
            var v1 = prime1 &+ prime2, v2 = prime2, v3: UInt64 = 0, v4 = 0 &- prime1
            while offset + 32 <= count {
                v1 = round(v1, lane64(offset))
                v2 = round(v2, lane64(offset + 8))
                v3 = round(v3, lane64(offset + 16))
                v4 = round(v4, lane64(offset + 24))
                offset += 32
            }
            accumulator = rotate(v1, 1) &+ rotate(v2, 7) &+ rotate(v3, 12) &+ rotate(v4, 18)
            accumulator = merge(merge(merge(merge(accumulator, v1), v2), v3), v4)
        } else {
            accumulator = prime5
        }
        accumulator = accumulator &+ UInt64(count)
        while offset + 8 <= count {
            accumulator = rotate(accumulator ^ round(0, lane64(offset)), 27) &* prime1 &+ prime4
            offset += 8
        }
        if offset + 4 <= count {
            accumulator = rotate(accumulator ^ (lane32(offset) &* prime1), 23) &* prime2 &+ prime3
            offset += 4
        }
        while offset < count {
            accumulator = rotate(accumulator ^ (UInt64(input[offset]) &* prime5), 11) &* prime1
            offset += 1
        }
        accumulator ^= accumulator >> 33
        accumulator = accumulator &* prime2
        accumulator ^= accumulator >> 29
        accumulator = accumulator &* prime3
        accumulator ^= accumulator >> 32
        return accumulator
    }

    static func hash(_ data: some ContiguousBytes) -> UInt64 {
        data.withUnsafeBytes { hash($0) }
    }
}
