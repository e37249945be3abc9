import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import Guanxi

struct SearchJSON: Decodable {
    var customers: [CustomerPageJSON.Item]
    var contacts: [ContactJSON]
}

@Suite struct SearchTests {
    @Test func globalSearchByPinyinPhoneAndShortNamesWithinScope() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let admin = APIClient(app: app, token: World.token("admin"))
            let created = try await admin.send(.POST, "/api/v1/customers", json: #"{"name":"北京新能源科技有限公司","ownerID":"\#(w.users["rep1"]!)"}"#)
            let bj = try created.json(CustomerPageJSON.Item.self)
            _ = try await admin.send(.POST, "/api/v1/customers", json: #"{"name":"华为","ownerID":"\#(w.users["westrep"]!)"}"#)
            _ = try await admin.send(.POST, "/api/v1/customers/\(bj.id)/contacts", json: #"{"name":"张伟","mobile":"13712345678"}"#)

            let rep1 = APIClient(app: app, token: World.token("rep1"))
            #expect(try await rep1.get("/api/v1/search?q=bjxny").json(SearchJSON.self).customers.map(\.id) == [bj.id])
            #expect(try await rep1.get("/api/v1/search?q=zhangwei").json(SearchJSON.self).contacts.map(\.name) == ["张伟"])
            #expect(try await rep1.get("/api/v1/search?q=12345678").json(SearchJSON.self).contacts.count == 1)
            // Two Chinese characters are enough, but only within scope: rep1 cannot see westrep's 华为.
            #expect(try await rep1.get("/api/v1/search?q=\(URLQuery.encode("华为"))").json(SearchJSON.self).customers.isEmpty)
            #expect(try await APIClient(app: app, token: World.token("manager")).get("/api/v1/search?q=\(URLQuery.encode("华为"))").json(SearchJSON.self).customers.count == 1)
            // Contacts of customers out of scope stay hidden.
            #expect(try await APIClient(app: app, token: World.token("rep2")).get("/api/v1/search?q=zhangwei").json(SearchJSON.self).contacts.isEmpty)
            // The page: one hit opens it, otherwise a result list.
            let b = Browser(app)
            try await b.signIn("rep1")
            let one = try await b.get("/search?q=bjxny")
            #expect(one.status == .seeOther && one.location == "/customers/\(bj.id.uuidString)")
            let page = try await b.get("/search?q=\(URLQuery.encode("张"))")
            #expect(page.status == .ok && page.text.contains("张伟"))
        }
    }
}

@Suite struct ContactListTests {
    @Test func contactListFollowsCustomerScopeAndExports() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            for (key, name) in [("rep1", "张三"), ("west", "李四")] {
                let c = Contact(orgID: w.orgID, customerID: w.customers[key]!, ownerID: nil)
                c.name = name
                c.mobile = "13600000000"
                c.refreshSearchKeys()
                try await c.create(on: app.db)
            }
            let b = Browser(app)
            try await b.signIn("lead")
            let page = try await b.get("/contacts")
            #expect(page.text.contains("张三") && !page.text.contains("李四"))
            #expect(try await b.get("/contacts?q=zhangsan").text.contains("张三"))
            let m = Browser(app)
            try await m.signIn("manager")
            let csv = try await m.get("/contacts/export?format=csv")
            #expect(csv.status == .ok && csv.text.contains("张三") && csv.text.contains("李四"))
            #expect(try await b.get("/contacts/export").status == .forbidden)
        }
    }
}

/// The search index (FTS5 trigram on SQLite, pg_trgm on PostgreSQL) follows every change of a record.
@Suite struct SearchIndexTests {
    @Test func indexFollowsRenamesAndFindsShortAndLongQueries() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let rep1 = APIClient(app: app, token: World.token("rep1"))
            let id = w.customers["rep1"]!
            func found(_ q: String) async throws -> Bool {
                try await rep1.get("/api/v1/customers?q=\(URLQuery.encode(q))").json(CustomerPageJSON.self).items.contains { $0.id == id }
            }
            #expect(try await rep1.send(.PATCH, "/api/v1/customers/\(id)", json: #"{"name":"杭州西湖龙井茶业有限公司","phone":"0571-8765 4321"}"#).status == .ok)
            for q in ["龙井茶", "西湖", "hzxhljcy", "longjing", "0571-8765-4321", "87654321"] { #expect(try await found(q), "\(q)") }
            // The page of a search counts its groups and pages on through the same index.
            let b = Browser(app)
            try await b.signIn("rep1")
            let grouped = try await b.get("/customers?q=\(URLQuery.encode("0571-8765-4321"))&group=level")
            #expect(grouped.status == .ok && grouped.text.contains("杭州西湖龙井茶业有限公司") && grouped.text.contains("group-count"))
            #expect(try await rep1.send(.PATCH, "/api/v1/customers/\(id)", json: #"{"name":"杭州梅家坞茶业有限公司"}"#).status == .ok)
            #expect(try await !found("龙井茶"))
            for q in ["梅家坞", "mjw"] { #expect(try await found(q), "\(q)") }
            // Quotes and LIKE wildcards in a query are text, not syntax.
            #expect(try await rep1.get("/api/v1/customers?q=%22%25_%22").status == .ok)
            #expect(try await !found("%%%"))
            // Contacts too.
            #expect(try await rep1.send(.POST, "/api/v1/customers/\(id)/contacts", json: #"{"name":"欧阳娜娜","mobile":"139 1234 5678"}"#).status == .created)
            let search = try await rep1.get("/api/v1/search?q=\(URLQuery.encode("欧阳娜"))")
            #expect(search.text.contains("欧阳娜娜"))
            #expect(try await rep1.get("/api/v1/search?q=13912345678").text.contains("欧阳娜娜"))
        }
    }
}
