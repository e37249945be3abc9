import Fluent
import Foundation
import GuanxiCore

/// Global search (PLT-22) over customers and contacts: substring of name or number, phone digits,
/// pinyin full spelling or initials ("bjxny" finds 北京新能源). Results respect data scope.
struct SearchService {
    let db: Database
    let actor: Actor

    struct Results {
        var customers: [Customer] = []
        var contacts: [(Contact, Customer)] = []
    }

    func search(_ raw: String, limit: Int = 20) async throws -> Results {
        guard let q = Check.clean(raw), q.count <= 100 else { return Results() }
        var results = Results()
        guard actor.can(.view, .customers) else { return results }
        results.customers = try await CustomerService(db: db, actor: actor, now: Date())
            .list(.init(q: q, limit: limit)).items
        let matching = actor.inOrg(Contact.self, on: db)
        SearchIndex.narrow(matching, to: q)
        let contacts = try await matching.limit(limit * 3).rows()
        if !contacts.isEmpty {
            let visible = try await actor.query(Customer.self, .view, on: db).filter(\.$id ~~ Array(Set(contacts.map(\.customerID)))).rows()
            let byID = Dictionary(uniqueKeysWithValues: visible.map { ($0.id!, $0) })
            results.contacts = contacts.compactMap { c in byID[c.customerID].map { (c, $0) } }.prefix(limit).map { $0 }
        }
        return results
    }
}
