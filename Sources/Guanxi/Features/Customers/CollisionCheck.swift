import Fluent
import Foundation
import GuanxiCore
import SQLKit

/// Protection against collisions (防撞单, CUS-06): before a customer is saved, look across the whole
/// organisation — whoever owns them — for one with the same credit code, the same phone, or a name that
/// reads the same. Matches tell who owns the existing customer, nothing more.
struct CollisionCheck {
    let db: Database
    let actor: Actor

    struct Match: Sendable, Equatable {
        enum Reason: String, Sendable { case creditCode, phone, name }
        let customerID: UUID
        let name: String
        let ownerName: String?
        let reason: Reason
    }

    func matches(name: String?, phone: String?, creditCode: String?, excluding: UUID? = nil) async throws -> [Match] {
        var found: [(Customer, Match.Reason)] = []
        func base() -> QueryBuilder<Customer> {
            let q = actor.inOrg(Customer.self, on: db)
            if let excluding { q.filter(\.$id != excluding) }
            return q
        }
        if let code = Check.clean(creditCode)?.uppercased() {
            found += try await base().filter(\.$creditCode == code).limit(5).rows().map { ($0, .creditCode) }
        }
        if let phone, case let digits = Check.digits(phone), digits.count >= 7 {
            found += try await base().filter(\.$phoneDigits == digits).limit(5).rows().map { ($0, .phone) }
            let contacts = try await actor.inOrg(Contact.self, on: db).filter(\.$phoneDigits ~~ digits).limit(5).rows()
            if !contacts.isEmpty {
                found += try await base().filter(\.$id ~~ contacts.map(\.customerID)).rows().map { ($0, .phone) }
            }
        }
        if let name = Check.clean(name) {
            let core = NameKey.core(name)
            let spelled = NameKey.pinyin(name)
            if core.count >= 2 {
                // Candidates share the full pinyin key's start; the exact comparison happens here.
                let candidates = try await base().filter(\.$pinyin ~~ String(spelled.prefix(12))).limit(200).rows()
                found += candidates.filter { NameKey.core($0.name) == core || (spelled.count >= 6 && NameKey.pinyin($0.name) == spelled) }.map { ($0, .name) }
                found += try await base().filter(\.$name == name).limit(5).rows().map { ($0, .name) }
            }
        }
        var seen: Set<UUID> = []
        let unique = found.filter { seen.insert($0.0.id!).inserted }
        let ownerIDs = Array(Set(unique.compactMap(\.0.ownerID)))
        let owners = ownerIDs.isEmpty ? [:] : Dictionary(uniqueKeysWithValues: try await actor.inOrg(User.self, on: db).filter(\.$id ~~ ownerIDs).rows().map { ($0.id!, $0.name) })
        return unique.map { c, reason in Match(customerID: c.id!, name: c.name, ownerName: c.ownerID.flatMap { owners[$0] }, reason: reason) }
    }
}

/// Thrown when a save would create a likely duplicate and the user has not confirmed it.
struct CollisionFound: Error {
    let matches: [CollisionCheck.Match]
}

extension CollisionCheck.Match {
    var json: JSONValue {
        .object([("customerID", .string(customerID.uuidString)), ("name", .string(name)),
                 ("ownerName", .string(ownerName ?? "")), ("reason", .string(reason.rawValue))])
    }
}
