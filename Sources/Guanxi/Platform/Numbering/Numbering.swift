import Fluent
import Foundation
import GuanxiCore
import SQLKit

/// A numbering rule per document type (单据编码).
final class NumberingRule: Model, @unchecked Sendable {
    static let schema = "numbering_rules"

    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "doc_type") var docType: String
    @Field(key: "format") var format: NumberFormat

    init() {}

    var properties: [any AnyProperty] { [$id, $orgID, $docType, $format] }

    init(orgID: UUID, docType: String, format: NumberFormat) {
        self.id = UUID.v7()
        self.orgID = orgID
        self.docType = docType
        self.format = format
    }
}

extension NumberingRule: OrgScoped {}

/// The document types that draw numbers, with their default formats.
enum DocumentType: String, CaseIterable, Sendable {
    case customer
    case product
    case quote
    case contract
    case payment
    case refund
    case invoice

    var labelKey: String { "doc.\(rawValue)" }

    var defaultFormat: NumberFormat {
        switch self {
        case .customer: NumberFormat(prefix: "KH", datePart: .yyyyMM, width: 5, reset: .monthly)
        case .product: NumberFormat(prefix: "CP", datePart: .none, width: 5, reset: .never)
        case .quote: NumberFormat(prefix: "BJ", datePart: .yyyyMM, width: 4, reset: .monthly)
        case .contract: NumberFormat(prefix: "HT", datePart: .yyyyMM, width: 4, reset: .monthly)
        case .payment: NumberFormat(prefix: "HK", datePart: .yyyyMM, width: 4, reset: .monthly)
        case .refund: NumberFormat(prefix: "TK", datePart: .yyyyMM, width: 4, reset: .monthly)
        case .invoice: NumberFormat(prefix: "FP", datePart: .yyyyMM, width: 4, reset: .monthly)
        }
    }
}

/// Hands out numbers: unique per organisation and type, never reused, safe under concurrency
/// because the counter is bumped with one UPDATE … RETURNING inside the caller's transaction.
enum Numbering {
    static func format(_ type: DocumentType, orgID: UUID, on db: Database) async throws -> NumberFormat {
        try await NumberingRule.query(on: db).filter(\.$orgID == orgID).filter(\.$docType == type.rawValue).firstRow()?.format ?? type.defaultFormat
    }

    /// The next number; call it inside the transaction that saves the document.
    static func next(_ type: DocumentType, orgID: UUID, timeZone: TimeZone, now: Date, on db: Database) async throws -> String {
        let format = try await format(type, orgID: orgID, on: db)
        let period = format.period(at: now, timeZone: timeZone)
        guard let sql = db as? any SQLDatabase else { throw AppError.badRequest() }
        try await sql.raw("""
            INSERT INTO number_sequences (id, org_id, doc_type, period, last_value)
            VALUES (\(bind: UUID.v7()), \(bind: orgID), \(bind: type.rawValue), \(bind: period), 0)
            ON CONFLICT (org_id, doc_type, period) DO NOTHING
            """).run()
        let row = try await sql.raw("""
            UPDATE number_sequences SET last_value = last_value + 1
            WHERE org_id = \(bind: orgID) AND doc_type = \(bind: type.rawValue) AND period = \(bind: period)
            RETURNING last_value
            """).first()
        guard let value = try row?.decode(column: "last_value", as: Int.self) else { throw AppError.conflict("error.numbering") }
        return format.format(value, at: now, timeZone: timeZone)
    }

    /// `count` consecutive numbers at once, for imports.
    static func nextRange(_ type: DocumentType, count: Int, orgID: UUID, timeZone: TimeZone, now: Date, on db: Database) async throws -> [String] {
        guard count > 0 else { return [] }
        let format = try await format(type, orgID: orgID, on: db)
        let period = format.period(at: now, timeZone: timeZone)
        guard let sql = db as? any SQLDatabase else { throw AppError.badRequest() }
        try await sql.raw("""
            INSERT INTO number_sequences (id, org_id, doc_type, period, last_value)
            VALUES (\(bind: UUID.v7()), \(bind: orgID), \(bind: type.rawValue), \(bind: period), 0)
            ON CONFLICT (org_id, doc_type, period) DO NOTHING
            """).run()
        let row = try await sql.raw("""
            UPDATE number_sequences SET last_value = last_value + \(bind: count)
            WHERE org_id = \(bind: orgID) AND doc_type = \(bind: type.rawValue) AND period = \(bind: period)
            RETURNING last_value
            """).first()
        guard let last = try row?.decode(column: "last_value", as: Int.self) else { throw AppError.conflict("error.numbering") }
        return (last - count + 1...last).map { format.format($0, at: now, timeZone: timeZone) }
    }

    static func save(_ type: DocumentType, _ format: NumberFormat, actor: Actor, on db: Database, now: Date) async throws {
        try actor.require(.edit, .admin)
        let errors = format.validate()
        guard errors.isEmpty else { throw AppError.invalid(errors) }
        let existing = try await actor.inOrg(NumberingRule.self, on: db).filter(\.$docType == type.rawValue).firstRow()
        let before = existing?.format ?? type.defaultFormat
        try await db.writeTransaction { tx in
            let rule = existing ?? NumberingRule(orgID: actor.orgID, docType: type.rawValue, format: format)
            rule.format = format
            try await rule.save(on: tx)
            try await Audit(actor: actor, db: tx, now: now).updated("numbering", rule.id!,
                before: ["format": before.format(1, at: now, timeZone: actor.org.timeZone), "reset": before.reset.rawValue],
                after: ["format": format.format(1, at: now, timeZone: actor.org.timeZone), "reset": format.reset.rawValue])
        }
    }
}
