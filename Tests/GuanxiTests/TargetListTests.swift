import Fluent
import Foundation
import GuanxiCore
import Testing
import Vapor
import VaporTesting
@testable import Guanxi

@Suite struct TargetListTests {
    struct List: Decodable { var id: UUID; var memberCount: Int; var entity: String }
    struct Members: Decodable {
        struct M: Decodable { var id: UUID; var name: String; var customerName: String }
        var items: [M]
        var next: UUID?
    }

    @Test func aSavedFilterBecomesAListOfCustomersOrTheirContactsWithinTheScope() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let admin = APIClient(app: app, token: World.token("admin"))
            for key in ["rep1", "rep2", "west"] {
                #expect(try await admin.send(.POST, "/api/v1/customers/\(w.customers[key]!)/contacts", json: #"{"name":"联系人\#(key)","mobile":"1390000\#(key == "west" ? "0003" : key == "rep1" ? "0001" : "0002")"}"#).status == .created)
            }
            // The manager saves a filter on the customer list in the browser and makes lists from it.
            let b = Browser(app)
            try await b.signIn("manager")
            #expect(try await b.post("/customers/filters", [("name", "全部客户"), ("query", "q=%E5%AE%A2%E6%88%B7")]).status == .seeOther)
            let saved = try #require(try await SavedFilter.query(on: app.db).filter(\.$name == "全部客户").first())
            let manager = APIClient(app: app, token: World.token("manager"))
            let customers = try await manager.send(.POST, "/api/v1/target-lists", json: #"{"name":"重点拜访","savedFilterID":"\#(saved.id!)"}"#)
            #expect(customers.status == .created, "\(customers.text)")
            let list = try customers.json(List.self)
            #expect(list.memberCount == World.visibility["manager"]!.count && list.entity == "customer")
            let contacts = try await manager.send(.POST, "/api/v1/target-lists", json: #"{"name":"联系人群发","entity":"contact","savedFilterID":"\#(saved.id!)"}"#).json(List.self)
            #expect(contacts.memberCount == 3)
            let names = try await manager.get("/api/v1/target-lists/\(contacts.id)/members").json(Members.self).items.map(\.name).sorted()
            #expect(names == ["联系人rep1", "联系人rep2", "联系人west"])
            // Members are read through the reader's scope: the team lead sees only their part of the manager's list.
            #expect(try await APIClient(app: app, token: World.token("lead")).get("/api/v1/target-lists/\(list.id)").status == .notFound)
            let director = APIClient(app: app, token: World.token("director"))
            let seen = try await director.get("/api/v1/target-lists/\(list.id)/members").json(Members.self).items.count
            #expect(seen == World.visibility["manager"]!.count)
            // A new customer matching the filter joins on refresh; an audit entry says how many.
            #expect(try await manager.send(.POST, "/api/v1/customers", json: #"{"name":"客户-新来的"}"#).status == .created)
            let refreshed = try await manager.send(.POST, "/api/v1/target-lists/\(list.id)/refresh").json(List.self)
            #expect(refreshed.memberCount == list.memberCount + 1)
            let entry = try await AuditEntry.query(on: app.db).filter(\.$recordID == list.id).filter(\.$field == "members").filter(\.$action == .update).first()
            #expect(entry?.oldValue == String(list.memberCount) && entry?.newValue == String(list.memberCount + 1))
            // Bad input and other people's filters.
            let bad = try await manager.send(.POST, "/api/v1/target-lists", json: #"{"name":"","entity":"planet"}"#)
            #expect(bad.status == .unprocessableEntity && bad.text.contains("name") && bad.text.contains("entity"))
            #expect(try await director.send(.POST, "/api/v1/target-lists", json: #"{"name":"x","savedFilterID":"\#(saved.id!)"}"#).status == .unprocessableEntity)
            #expect(try await APIClient(app: app, token: World.token("outsider")).get("/api/v1/target-lists/\(list.id)/members").status == .notFound)
            // Pages: the list, the members, the export (audited), delete.
            let page = try await b.get("/target-lists/\(list.id)")
            #expect(page.status == .ok && page.text.contains("客户-新来的"))
            let csv = try await b.get("/target-lists/\(contacts.id)/export")
            #expect(csv.status == .ok && csv.text.contains("联系人west"))
            #expect(try await b.get("/target-lists").text.contains("联系人群发"))
            #expect(try await b.post("/target-lists", [("name", "页面名单"), ("filter", saved.id!.uuidString), ("entity", "customer")]).status == .seeOther)
            let noFilter = try await b.post("/target-lists", [("name", "没选筛选"), ("filter", "")])
            #expect(noFilter.status == .unprocessableEntity && noFilter.text.contains("没选筛选"))
            #expect(try await b.post("/target-lists/\(list.id)/delete").status == .seeOther)
            #expect(try await manager.get("/api/v1/target-lists/\(list.id)").status == .notFound)
        }
    }
}
