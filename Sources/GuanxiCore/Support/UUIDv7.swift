import Foundation

public extension UUID {
    /// A time-ordered UUID (RFC 9562 version 7): 48 bits of Unix milliseconds, then random bits,
    /// so new rows land at the right edge of B-tree indexes.
    static func v7(at date: Date = Date()) -> UUID {
        let millis = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<6 { bytes[i] = UInt8((millis >> (8 * (5 - UInt64(i)))) & 0xFF) }
        // Two 64-bit draws rather than ten one-byte ones: each draw is a system call.
        var rng = SystemRandomNumberGenerator()
        let (a, b) = (rng.next(), rng.next())
        for i in 6..<8 { bytes[i] = UInt8((a >> (8 * UInt64(i - 6))) & 0xFF) }
        for i in 8..<16 { bytes[i] = UInt8((b >> (8 * UInt64(i - 8))) & 0xFF) }
        bytes[6] = (bytes[6] & 0x0F) | 0x70
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}
