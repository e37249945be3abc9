import Fluent
import Foundation
import GuanxiCore
import Vapor

/// Bulk actions on selected customers (CUS-15): transfer, share, set level or status, delete — each one
/// transaction, with the same rules and audit as doing them one by one.
struct CustomerBulk {
    let db: Database
    let actor: Actor
    let now: Date

    struct Request: Content {
        var customerIDs: [UUID]
        var action: String
        var userID: UUID?
        var value: String?
    }

    func run(_ r: Request) async throws -> Int {
        let ids = Array(Set(r.customerIDs))
        guard !ids.isEmpty, ids.count <= 500 else { throw AppError.badRequest("error.badParameter") }
        var errors = FieldErrors()
        switch r.action {
        case "transfer", "share":
            if r.userID == nil { errors.add("userID", "error.unknownUser") }
        case "level", "status":
            if Check.clean(r.value) == nil { errors.add("value", "error.required") }
            if let f = actor.definition(Customer.definition).field(r.action), actor.definition(Customer.definition).rule(f, for: actor) != nil { errors.add("value", "error.readOnly") }
        case "delete":
            break
        default:
            errors.add("action", "error.invalidOption")
        }
        guard errors.isEmpty else { throw AppError.invalid(errors) }
        let actor = self.actor, now = self.now
        return try await db.writeTransaction { tx in
            switch r.action {
            case "transfer":
                return try await PoolService(db: tx, actor: actor, now: now).assign(ids, to: r.userID!)
            case "share":
                let level = RecordShare.Level(rawValue: r.value ?? "read") ?? .read
                for id in ids { try await ShareService(db: tx, actor: actor, now: now).share(id, with: [r.userID!], level: level) }
                return ids.count
            case "level", "status":
                let svc = CustomerService(db: tx, actor: actor, now: now)
                for id in ids { _ = try await svc.update(id, EntityInput(values: [r.action: r.value]), allowDuplicates: true) }
                return ids.count
            default:
                let svc = CustomerService(db: tx, actor: actor, now: now)
                for id in ids { try await svc.delete(id) }
                return ids.count
            }
        }
    }
}
