import Foundation

/// Price strategies (价格策略, PRD-02): a product's price for a unit, a customer's type or level, and
/// the seller's department. Every criterion a rule names must match; of the rules that match, the most
/// specific wins (more criteria named), and among equally specific ones the lowest price.
public struct PriceRule: Sendable, Equatable, Codable {
    public var unit: String?
    public var customerCategory: String?
    public var customerLevel: String?
    public var departmentID: UUID?
    /// In the smallest unit of money (fen).
    public var price: Int64

    public init(unit: String? = nil, customerCategory: String? = nil, customerLevel: String? = nil, departmentID: UUID? = nil, price: Int64) {
        self.unit = unit
        self.customerCategory = customerCategory
        self.customerLevel = customerLevel
        self.departmentID = departmentID
        self.price = price
    }

    /// How many criteria the rule names.
    public var specificity: Int {
        [unit != nil, customerCategory != nil, customerLevel != nil, departmentID != nil].filter { $0 }.count
    }
}

/// Who is buying what, for choosing a price.
public struct PriceContext: Sendable, Equatable {
    public var unit: String?
    public var customerCategory: String?
    public var customerLevel: String?
    /// The seller's department and the departments above it: a rule for a branch covers its teams.
    public var departmentIDs: [UUID]

    public init(unit: String? = nil, customerCategory: String? = nil, customerLevel: String? = nil, departmentIDs: [UUID] = []) {
        self.unit = unit
        self.customerCategory = customerCategory
        self.customerLevel = customerLevel
        self.departmentIDs = departmentIDs
    }
}

public enum PriceStrategy {
    /// Where a chosen price came from.
    public enum Source: Sendable, Equatable {
        case rule(PriceRule)
        case listPrice
    }

    /// The price for this context: the best matching rule, else the list price in the base unit.
    /// Nil when the unit is not the base unit and no rule prices it.
    public static func price(rules: [PriceRule], listPrice: Int64?, baseUnit: String?, context: PriceContext) -> (price: Int64, source: Source)? {
        let matching = rules.filter { matches($0, context) }
        if let best = matching.min(by: { a, b in
            a.specificity != b.specificity ? a.specificity > b.specificity : a.price < b.price
        }) {
            return (best.price, .rule(best))
        }
        guard let listPrice, context.unit == nil || context.unit == baseUnit else { return nil }
        return (listPrice, .listPrice)
    }

    static func matches(_ r: PriceRule, _ c: PriceContext) -> Bool {
        if let u = r.unit, u != c.unit { return false }
        if let k = r.customerCategory, k != c.customerCategory { return false }
        if let l = r.customerLevel, l != c.customerLevel { return false }
        if let d = r.departmentID, !c.departmentIDs.contains(d) { return false }
        return true
    }

    /// The floor-price check of quotes and orders (QUO-02): a price under the floor is refused, flagged,
    /// or flagged and held back until an approval flow approves it.
    public enum FloorPolicy: String, Sendable, Codable, CaseIterable {
        case block, flag, approve
    }

    public enum FloorCheck: Sendable, Equatable {
        case ok
        case flagged
        case blocked
    }

    public static func checkFloor(price: Int64, floor: Int64?, policy: FloorPolicy) -> FloorCheck {
        guard let floor, price < floor else { return .ok }
        return policy == .block ? .blocked : .flagged
    }
}
