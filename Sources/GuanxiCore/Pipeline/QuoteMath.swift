import Foundation

/// The arithmetic of a quote line (QUO-01) in integer fen. Discount and tax rate are in basis points
/// (500 = 5.00 %, 1300 = 13 %); every rounding is half up to the fen, once per line.
public enum QuoteMath {
    public struct Line: Sendable, Equatable {
        /// Quantity × unit price, before discount.
        public let gross: Int64
        /// After the discount, before tax.
        public let net: Int64
        public let tax: Int64
        /// The unit price after the discount: what the floor price is checked against.
        public let effectiveUnitPrice: Int64
        public var total: Int64 { net + tax }
    }

    static func divide(_ value: Int64, by d: Int64) -> Int64 {
        let (q, r) = value.quotientAndRemainder(dividingBy: d)
        return r * 2 >= d ? q + 1 : q
    }

    public static func line(quantity: Int64, price: Int64, discount: Int, taxRate: Int) -> Line {
        let gross = quantity * price
        let keep = Int64(10_000 - max(0, min(10_000, discount)))
        let net = divide(gross * keep, by: 10_000)
        let tax = divide(net * Int64(max(0, taxRate)), by: 10_000)
        return Line(gross: gross, net: net, tax: tax, effectiveUnitPrice: divide(price * keep, by: 10_000))
    }

    /// A percentage as people type it ("5", "12.5", "13%") in basis points; nil when it is not one.
    public static func basisPoints(_ text: String) -> Int? {
        let t = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "%", with: "")
        guard !t.isEmpty, let v = Decimal(string: t), v >= 0, v <= 100 else { return nil }
        let parts = t.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, parts.allSatisfy({ $0.allSatisfy(\.isNumber) }), (parts.count == 1 || parts[1].count <= 2) else { return nil }
        return NSDecimalNumber(decimal: v * 100).intValue
    }

    /// Basis points as a percentage for forms ("12.5").
    public static func percent(_ bp: Int) -> String {
        bp % 100 == 0 ? String(bp / 100) : (bp % 10 == 0 ? String(format: "%d.%d", bp / 100, (bp % 100) / 10) : String(format: "%d.%02d", bp / 100, bp % 100))
    }
}
