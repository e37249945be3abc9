import Fluent
import Foundation
import GuanxiCore
import Testing
import Vapor
import VaporTesting
@testable import Guanxi

/// Custom fields (PLT-13): defined by an administrator, then carried by the API, forms, detail,
/// filters, field rules, audit, export and import like declared fields.
@Suite struct CustomFieldTests {
    struct FieldJSON: Decodable {
        var id: UUID
        var key: String
        var kind: String
        var dictionary: String?
    }

    struct ErrorJSON: Decodable { var fields: [String: String]? }

    /// Defines fields through the API and gives the multi-option one two options through the dictionary page.
    func setUp(_ app: Application) async throws -> (World, fields: [String: FieldJSON], options: [String: String]) {
        let w = try await World.build(app)
        let admin = APIClient(app: app, token: World.token("admin"))
        var fields: [String: FieldJSON] = [:]
        for (name, body) in [
            ("money", #"{"entity":"customer","label":"年采购额","labelEn":"Yearly purchases","kind":"money","listed":true}"#),
            ("fairs", #"{"entity":"customer","label":"所属展会","kind":"multiOption","key":"fairs"}"#),
            ("staff", #"{"entity":"customer","label":"员工人数","kind":"number"}"#),
            ("wechatGroup", #"{"entity":"contact","label":"微信群","kind":"text","required":true}"#),
        ] {
            let res = try await admin.send(.POST, "/api/v1/custom-fields", json: body)
            #expect(res.status == .created, "\(name): \(res.text)")
            fields[name] = try res.json(FieldJSON.self)
        }
        let b = Browser(app)
        try await b.signIn("admin")
        let kind = fields["fairs"]!.dictionary!
        for label in ["广交会", "进博会"] {
            let added = try await b.post("/admin/dictionary/\(kind)", [("label", label)])
            #expect(added.status == .seeOther, "\(added.status) \(added.text.prefix(300))")
        }
        var options: [String: String] = [:]
        for o in try await DictionaryOption.query(on: app.db).filter(\.$kind == kind).all() { options[o.label] = o.value }
        return (w, fields, options)
    }

    @Test func definingFieldsChecksInputAndRights() async throws {
        try await withGuanxi { app, _ in
            let (_, fields, _) = try await setUp(app)
            // Keys come from the label's pinyin initials unless given; a given key gets its prefix.
            #expect(fields["money"]?.key == "cf_ncge" && fields["fairs"]?.key == "cf_fairs" && fields["staff"]?.key == "cf_ygrs")
            #expect(fields["fairs"]?.dictionary == "custom.customer.cf_fairs")
            let admin = APIClient(app: app, token: World.token("admin"))
            for (body, field) in [
                (#"{"entity":"customer","label":"X","kind":"blob"}"#, "kind"),
                (#"{"entity":"customer","label":"Y","kind":"text","key":"Bad Key"}"#, "key"),
                (#"{"entity":"customer","label":"年采购额","kind":"text"}"#, "label"),
                (#"{"entity":"order","label":"Z","kind":"text"}"#, "entity"),
                (#"{"entity":"customer","label":"W","kind":"text","key":"fairs"}"#, "key"),
            ] {
                let res = try await admin.send(.POST, "/api/v1/custom-fields", json: body)
                let fields = try? res.json(ErrorJSON.self).fields
                #expect(res.status == .unprocessableEntity && fields?[field] != nil, "\(body) -> \(res.status) \(res.text)")
            }
            // Key and type never change once given.
            let patch = try await admin.send(.PATCH, "/api/v1/custom-fields/\(fields["money"]!.id)", json: #"{"kind":"text"}"#)
            #expect(patch.status == .unprocessableEntity)
            // Only administrators define fields; other organisations never see them.
            let rep = APIClient(app: app, token: World.token("rep1"))
            #expect(try await rep.send(.POST, "/api/v1/custom-fields", json: #"{"entity":"customer","label":"R","kind":"text"}"#).status == .forbidden)
            let outsider = APIClient(app: app, token: World.token("outsider"))
            #expect(try await outsider.get("/api/v1/custom-fields").json([FieldJSON].self).isEmpty)
            #expect(try await outsider.send(.PATCH, "/api/v1/custom-fields/\(fields["money"]!.id)", json: #"{"label":"偷改"}"#).status == .notFound)
            #expect(try await admin.get("/api/v1/custom-fields?entity=contact").json([FieldJSON].self).map(\.key) == ["cf_wxq"])
            // Each definition change is audited.
            #expect(try await AuditEntry.query(on: app.db).filter(\.$entity == "customField").filter(\.$action == .create).count() >= 4)
        }
    }

    @Test func valuesTravelThroughAPIFiltersRulesAuditAndExport() async throws {
        try await withGuanxi { app, _ in
            let (w, _, options) = try await setUp(app)
            let id = w.customers["rep1"]!
            let rep = APIClient(app: app, token: World.token("rep1"))
            let fairs = [options["进博会"]!, options["广交会"]!]
            let saved = try await rep.send(.PATCH, "/api/v1/customers/\(id)",
                                           json: #"{"cf_ncge":1234500,"cf_fairs":["\#(fairs[0])","\#(fairs[1])"],"cf_ygrs":"120.5"}"#)
            #expect(saved.status == .ok, "\(saved.text)")
            let shown = try JSONSerialization.jsonObject(with: Data(try await rep.get("/api/v1/customers/\(id)").text.utf8)) as! [String: Any]
            #expect(shown["cf_ncge"] as? Int == 1_234_500 && shown["cf_ygrs"] as? String == "120.5")
            #expect(shown["cf_fairs"] as? [String] == fairs.sorted())
            // Bad values are refused per field and nothing changes.
            for (body, field) in [(#"{"cf_ygrs":"many"}"#, "cf_ygrs"), (#"{"cf_fairs":["nope"]}"#, "cf_fairs"), (#"{"cf_ncge":"lots"}"#, "cf_ncge")] {
                let res = try await rep.send(.PATCH, "/api/v1/customers/\(id)", json: body)
                let fields = try? res.json(ErrorJSON.self).fields
                #expect(res.status == .unprocessableEntity && fields?[field] != nil, "\(body) -> \(res.text)")
            }
            let stored = try await Customer.find(id, on: app.db)!
            #expect(stored.customValues["cf_ygrs"] == "120.5" && stored.customValues["cf_ncge"] == "1234500")
            // Filters: money in yuan, numbers compared as numbers, options by label, empty.
            let lead = APIClient(app: app, token: World.token("lead"))
            func keys(_ query: String) async throws -> Set<String> {
                let res = try await lead.get("/api/v1/customers?\(query)")
                #expect(res.status == .ok, "\(query): \(res.text)")
                return Set(try res.json(CustomerPageJSON.self).items.compactMap { w.key(of: $0.id) })
            }
            #expect(try await keys("ff[]=cf_ncge&fo[]=gte&fv[]=10000") == ["rep1"])
            #expect(try await keys("ff[]=cf_ncge&fo[]=lte&fv[]=10000") == [])
            #expect(try await keys("ff[]=cf_ygrs&fo[]=gte&fv[]=99") == ["rep1"], "120.5 ≥ 99 as numbers, not as text")
            #expect(try await keys("ff[]=cf_fairs&fo[]=eq&fv[]=\(URLQuery.encode("广交会"))") == ["rep1"])
            #expect(try await keys("ff[]=cf_fairs&fo[]=ne&fv[]=\(URLQuery.encode("广交会"))") == [])
            #expect(try await keys("ff[]=cf_ncge&fo[]=empty&fv[]=") == ["rep2", "lead"])
            #expect(try await lead.get("/api/v1/customers?ff[]=cf_ygrs&fo[]=gte&fv[]=abc").status == .badRequest)
            // A field rule on a custom field works as on a declared one.
            let viewerRole = try await Role.find(w.roles["viewer"]!, on: app.db)!
            viewerRole.policy.fieldRules["customers.cf_ncge"] = .hidden
            try await viewerRole.save(on: app.db)
            let viewer = APIClient(app: app, token: World.token("viewer"))
            let seen = try await viewer.get("/api/v1/customers/\(id)")
            #expect(seen.status == .ok && !seen.text.contains("cf_ncge") && seen.text.contains("cf_ygrs"))
            #expect(try await viewer.get("/api/v1/customers?ff[]=cf_ncge&fo[]=gte&fv[]=1").status == .badRequest)
            // Audited field by field.
            let audited = try await AuditEntry.query(on: app.db).filter(\.$recordID == id).filter(\.$field == "cf_ncge").first()
            #expect(audited?.newValue == "1234500")
            // Exported with its label and shown as money.
            let manager = APIClient(app: app, token: World.token("manager"))
            let rows = CSV.parse(TextDecoding.decode(Data(try await manager.get("/api/v1/customers/export?format=csv").text.utf8)) ?? "")
            let column = rows.first?.firstIndex(of: "Yearly purchases")
            #expect(column != nil)
            if let column { #expect(rows.contains { $0.count > column && $0[column].contains("12,345.00") }) }
            // A disabled field leaves the API; its values stay for when it returns.
            let admin = APIClient(app: app, token: World.token("admin"))
            let fieldID = try await CustomFieldDefinition.query(on: app.db).filter(\.$key == "cf_ncge").first()!.id!
            #expect(try await admin.send(.PATCH, "/api/v1/custom-fields/\(fieldID)", json: #"{"isActive":false}"#).status == .ok)
            #expect(!(try await rep.get("/api/v1/customers/\(id)").text.contains("cf_ncge")))
            #expect(try await Customer.find(id, on: app.db)!.customValues["cf_ncge"] == "1234500")
        }
    }

    @Test func formsShowCustomFieldsAndKeepInputOnErrors() async throws {
        try await withGuanxi { app, _ in
            let (w, _, options) = try await setUp(app)
            let id = w.customers["rep1"]!
            let b = Browser(app)
            try await b.signIn("rep1")
            let edit = try await b.get("/customers/\(id)/edit")
            #expect(edit.text.contains("年采购额") && edit.text.contains("cf_fairs.\(options["广交会"]!)") && edit.text.contains("扩展信息"))
            // A bad number comes back beside the field, with what was typed and ticked.
            let bad = try await b.post("/customers/\(id)/edit", [("name", "客户-rep1"), ("cf_ygrs", "很多"), ("cf_fairs", ""),
                                                                  ("cf_fairs.\(options["进博会"]!)", "1")])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.text.contains("请输入数字") && bad.text.contains("value=\"很多\""))
            #expect(bad.text.contains("name=\"cf_fairs.\(options["进博会"]!)\" value=\"1\" checked"))
            let good = try await b.post("/customers/\(id)/edit", [("name", "客户-rep1"), ("cf_ygrs", "1,200"), ("cf_ncge", "800.5"), ("cf_fairs", ""),
                                                                   ("cf_fairs.\(options["进博会"]!)", "1"), ("cf_fairs.\(options["广交会"]!)", "1")])
            #expect(good.status == .seeOther)
            let c = try await Customer.find(id, on: app.db)!
            #expect(c.customValues["cf_ygrs"] == "1200" && c.customValues["cf_ncge"] == "80050")
            #expect(c.customValues["cf_fairs"] == [options["进博会"]!, options["广交会"]!].sorted().joined(separator: ","))
            let show = try await b.get("/customers/\(id)")
            #expect(show.text.contains("广交会、进博会") || show.text.contains("进博会、广交会"))
            // Unticking every option clears the field.
            #expect(try await b.post("/customers/\(id)/edit", [("name", "客户-rep1"), ("cf_fairs", "")]).status == .seeOther)
            #expect(try await Customer.find(id, on: app.db)!.customValues["cf_fairs"] == nil)
            // A required custom field of contacts: the form refuses a contact without it.
            let noGroup = try await b.post("/customers/\(id)/contacts", [("name", "王经理"), ("mobile", "13900001111")])
            #expect(noGroup.status == .unprocessableEntity && noGroup.text.contains("微信群"))
            let api = APIClient(app: app, token: World.token("rep1"))
            let created = try await api.send(.POST, "/api/v1/customers/\(id)/contacts", json: #"{"name":"李经理","cf_wxq":"华东客户群"}"#)
            #expect(created.status == .created || created.status == .ok, "\(created.text)")
            #expect(created.text.contains("华东客户群"))
            // The admin page lists the fields and links the option list.
            let admin = Browser(app)
            try await admin.signIn("admin")
            let page = try await admin.get("/admin/custom-fields?entity=customer")
            #expect(page.status == .ok && page.text.contains("cf_fairs") && page.text.contains("custom.customer.cf_fairs"))
            let dict = try await admin.get("/admin/dictionary?kind=custom.customer.cf_fairs")
            #expect(dict.text.contains("进博会"))
        }
    }

    @Test func importFillsCustomFields() async throws {
        try await withGuanxi { app, _ in
            let (w, _, options) = try await setUp(app)
            let actor = try await Actor.resolve(userID: w.users["manager"]!, sessionID: nil, fallbackLocale: .zhHans, on: app.db)!
            let importer = CustomerImport(db: app.db, actor: actor, now: Date(), dataDirectory: NSTemporaryDirectory())
            #expect(try await importer.guessMapping(["客户名称", "年采购额", "所属展会", "员工人数"]) == ["name", "cf_ncge", "cf_fairs", "cf_ygrs"])
            let l = try await importer.lookups()
            let mapping = ["name", "cf_ncge", "cf_fairs", "cf_ygrs"]
            let (ok, _) = importer.convert(["宁波海天贸易", "2,000", "广交会、进博会", "35"], mapping: mapping, lookups: l)
            #expect(ok.errors.isEmpty && ok.value("cf_ncge") == "200000" && ok.value("cf_ygrs") == "35")
            #expect(ok.value("cf_fairs") == [options["广交会"]!, options["进博会"]!].sorted().joined(separator: ","))
            let (bad, _) = importer.convert(["宁波海天贸易", "2,000", "广交会、车展", "三十"], mapping: mapping, lookups: l)
            #expect(bad.errors["cf_fairs"] == "error.invalidOption" && bad.errors["cf_ygrs"] == "error.number")
        }
    }
}
