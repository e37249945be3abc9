import Fluent
import Foundation
import GuanxiCore
import Vapor

/// Export of the customer list with its current filter (PLT-19): the export right, the data scope and
/// field rules apply, and every export is audited.
struct CustomerExport {
    let req: Request

    func run() async throws -> Response {
        let actor = try req.actor
        try actor.require(.export, .customers)
        guard let format = TableExport.Format(rawValue: (try? req.query.get(String.self, at: "format")) ?? "csv") else {
            throw AppError.badRequest("error.badParameter")
        }
        var query = try CustomerListParams.parse(req)
        query.limit = 500
        query.cursor = nil
        let svc = CustomerService(db: req.db, actor: actor, now: req.now)
        let def = actor.definition(Customer.definition)
        let fields = def.fields.filter { def.rule($0, for: actor) != .hidden }
        let t = actor.t
        let sink = try TableExport.Sink(format)
        sink.add(fields.map { $0.title(t) })
        repeat {
            let page = try await svc.list(query)
            let lookups = try await Lookups.load(def, records: page.items, actor: actor, on: req.db)
            for c in page.items {
                sink.add(fields.map { f in
                    let raw = f.read(c)
                    if def.rule(f, for: actor) == .masked { return raw.map(Masking.mask) ?? "" }
                    return FieldCodec.display(f, raw, lookups: lookups, t: t, decimals: actor.org.moneyDecimals)
                })
            }
            query.cursor = page.next
        } while query.cursor != nil
        let file = try sink.finish()
        let note = "\(sink.rows - 1) · q=\(query.q ?? "") owner=\(query.ownerID?.uuidString ?? "")"
        try await req.db.writeTransaction { tx in
            try await Audit(actor: actor, db: tx, now: req.now).event(Customer.entity, actor.orgID, .export, field: format.rawValue, new: note)
        }
        return try await TableExport.download(req, file: file, name: t("nav.customers"), format: format)
    }
}
