import Fluent
import Foundation
import GuanxiCore
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import Guanxi

/// Follow-ups (ACT-01/02/03): recording, scope, timeline roll-up, comments, reminders, pages.
@Suite struct FollowUpTests {
    struct FollowUpJSON: Decodable {
        var id: UUID
        var customerID: UUID
        var ownerID: UUID
        var content: String
        var happenedAt: Date
        var nextContactOn: String?
    }

    struct PageJSON: Decodable {
        var items: [FollowUpJSON]
        var nextCursor: String?
    }

    struct ErrorJSON: Decodable { var fields: [String: String]? }

    static let shanghai = TimeZone(identifier: "Asia/Shanghai")!

    func day(_ clock: TestClock, plus days: Int) -> String {
        CalendarDate.adding(days, to: CalendarDate.of(clock.now, in: Self.shanghai))!
    }

    @discardableResult
    func record(_ api: APIClient, _ customer: UUID, _ json: String) async throws -> FollowUpJSON {
        let res = try await api.send(.POST, "/api/v1/customers/\(customer)/follow-ups", json: json)
        #expect(res.status == .created, "\(res.text)")
        return try res.json(FollowUpJSON.self)
    }

    @Test func recordingChecksInputAndMovesLastContacted() async throws {
        try await withGuanxi { app, clock in
            let w = try await World.build(app)
            let customer = w.customers["rep1"]!
            let rep = APIClient(app: app, token: World.token("rep1"))
            let f = try await record(rep, customer, #"{"method":"phone","content":"电话沟通报价","nextContactOn":"\#(day(clock, plus: 1))","nextPlan":"发合同"}"#)
            #expect(f.ownerID == w.users["rep1"] && abs(f.happenedAt.timeIntervalSince(clock.now)) < 1)
            #expect(try await Customer.find(customer, on: app.db)!.lastContactedAt.map { abs($0.timeIntervalSince(clock.now)) < 1 } == true)
            // A back-dated entry is kept but does not move "last contacted" backwards.
            let threeDaysAgo = ISO8601DateFormatter().string(from: clock.now.addingTimeInterval(-3 * 86_400))
            try await record(rep, customer, #"{"method":"visit","content":"上门拜访","happenedAt":"\#(threeDaysAgo)"}"#)
            #expect(try await Customer.find(customer, on: app.db)!.lastContactedAt.map { abs($0.timeIntervalSince(clock.now)) < 1 } == true)
            // Bad input: per-field errors, nothing saved.
            let future = ISO8601DateFormatter().string(from: clock.now.addingTimeInterval(86_400))
            let otherContact = try await rep.send(.POST, "/api/v1/customers/\(customer)/contacts", json: #"{"name":"王总"}"#)
            #expect(otherContact.status == .created)
            let foreignContact = Contact(orgID: w.orgID, customerID: w.customers["rep2"]!, ownerID: w.users["rep2"])
            foreignContact.name = "外人"
            try await foreignContact.create(on: app.db)
            for (body, field) in [(#"{"method":"phone","content":"x","happenedAt":"\#(future)"}"#, "happenedAt"),
                                  (#"{"method":"pigeon","content":"x"}"#, "method"),
                                  (#"{"method":"phone"}"#, "content"),
                                  (#"{"method":"phone","content":"x","nextContactOn":"2026-02-30"}"#, "nextContactOn"),
                                  (#"{"method":"phone","content":"x","happenedAt":"yesterday"}"#, "happenedAt"),
                                  (#"{"method":"phone","content":"x","contactID":"\#(foreignContact.id!)"}"#, "contactID")] {
                let res = try await rep.send(.POST, "/api/v1/customers/\(customer)/follow-ups", json: body)
                let fields = try? res.json(ErrorJSON.self).fields
                #expect(res.status == .unprocessableEntity && fields?[field] != nil, "\(body) -> \(res.text)")
            }
            #expect(try await FollowUp.query(on: app.db).count() == 2)
            // Someone who cannot see the customer cannot write on it.
            let rep2 = APIClient(app: app, token: World.token("rep2"))
            #expect(try await rep2.send(.POST, "/api/v1/customers/\(customer)/follow-ups", json: #"{"method":"phone","content":"x"}"#).status == .notFound)
            // Changes are audited field by field.
            let patched = try await rep.send(.PATCH, "/api/v1/follow-ups/\(f.id)", json: #"{"content":"电话沟通，客户要求再降 5%"}"#)
            let patchedNext = try? patched.json(FollowUpJSON.self).nextContactOn
            #expect(patched.status == .ok && patchedNext == day(clock, plus: 1))
            #expect(try await AuditEntry.query(on: app.db).filter(\.$recordID == f.id).filter(\.$field == "content").filter(\.$action == .update).count() == 1)
            #expect(try await rep2.send(.PATCH, "/api/v1/follow-ups/\(f.id)", json: #"{"content":"偷改"}"#).status == .notFound)
        }
    }

    /// Follow-ups posted at the same moment share a transaction: every one is saved with its own
    /// owner, audit and tallies, "last contacted" takes the latest of them, and a row that fails fails
    /// only its own request.
    @Test func followUpsPostedTogetherAreEachSavedAndAudited() async throws {
        try await withGuanxi { app, clock in
            let w = try await World.build(app)
            let reps = ["rep1", "rep2"]
            let customers = [w.customers["rep1"]!, w.customers["rep2"]!]
            let posted = try await withThrowingTaskGroup(of: (String, FollowUpJSON).self) { group in
                for n in 0..<40 {
                    let rep = reps[n % 2]
                    let customer = customers[n % 2]
                    let back = ISO8601DateFormatter().string(from: clock.now.addingTimeInterval(-Double(n) * 60))
                    group.addTask {
                        let api = APIClient(app: app, token: World.token(rep))
                        return (rep, try await record(api, customer, #"{"method":"phone","content":"第\#(n)次电话","happenedAt":"\#(back)"}"#))
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(posted.count == 40)
            #expect(posted.allSatisfy { rep, f in f.ownerID == w.users[rep] })
            let saved = try await FollowUp.query(on: app.db).filter(\.$id ~~ posted.map(\.1.id)).all()
            #expect(saved.count == 40)
            // Written as Fluent's create writes them: stamped, and read back as posted.
            #expect(saved.allSatisfy { $0.createdAt != nil && $0.updatedAt == $0.createdAt && $0.deletedAt == nil })
            let byID = Dictionary(uniqueKeysWithValues: saved.map { ($0.id!, $0) })
            #expect(posted.allSatisfy { _, f in byID[f.id]?.content == f.content && byID[f.id]?.ownerID == f.ownerID })
            // Each has its audit entries, by the rep who posted it.
            for (rep, f) in posted {
                let entries = try await AuditEntry.query(on: app.db).filter(\.$recordID == f.id).all()
                #expect(!entries.isEmpty && entries.allSatisfy { $0.actorID == w.users[rep] && $0.action == .create })
                #expect(entries.contains { $0.field == "content" && $0.newValue == f.content })
            }
            // The tallies count all 40, as a rebuild from the rows does.
            let sql = app.db as! any SQLDatabase
            let counted = { try await sql.raw("SELECT CAST(SUM(n) AS BIGINT) AS n FROM follow_up_method_days").first()!.decode(column: "n", as: Int.self) }
            let before = try await counted()
            try await FollowUpTally.rebuild(orgID: w.orgID, timeZone: Self.shanghai, on: app.db)
            #expect(try await counted() == before)
            #expect(try await FollowUp.query(on: app.db).count() == before)
            // "Last contacted" is the newest of each customer's follow-ups (n = 0 and 1, at most a minute back).
            for customer in customers {
                let last = try #require(try await Customer.find(customer, on: app.db)?.lastContactedAt)
                #expect(abs(last.timeIntervalSince(clock.now)) <= 61)
            }

            // A row the database refuses (an id already taken) fails its own request; the others of its batch are saved.
            let actor = try #require(try await Actor.resolve(userID: w.users["rep1"]!, sessionID: nil, fallbackLocale: .zhHans, on: app.db))
            let writer = FollowUpWriter()
            let taken = posted[0].1.id
            let make = { (id: UUID, content: String) -> @Sendable () -> FollowUp in
                { let f = FollowUp(orgID: w.orgID, customerID: customers[0], ownerID: actor.userID, departmentID: actor.departmentID,
                                   method: "phone", content: content, happenedAt: clock.now, now: clock.now)
                  f.id = id
                  return f }
            }
            let results = await withTaskGroup(of: (String, Bool).self) { group in
                for (id, content) in [(UUID.v7(at: clock.now), "好的一条"), (taken, "重复的一条"), (UUID.v7(at: clock.now), "另一条")] {
                    group.addTask {
                        do { _ = try await writer.write(make(id, content), actor: actor, now: clock.now, on: app.db); return (content, true) }
                        catch { return (content, false) }
                    }
                }
                return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            #expect(results == ["好的一条": true, "重复的一条": false, "另一条": true])
            #expect(try await FollowUp.query(on: app.db).filter(\.$content ~~ ["好的一条", "另一条", "重复的一条"]).count() == 2)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$newValue == "重复的一条").count() == 0)
        }
    }

    @Test func listsFollowTheScopeAndTimelinesRollUp() async throws {
        try await withGuanxi { app, clock in
            let w = try await World.build(app)
            let rep1 = APIClient(app: app, token: World.token("rep1"))
            let lead = APIClient(app: app, token: World.token("lead"))
            for i in 1...5 {
                clock.advance(60)
                try await record(rep1, w.customers["rep1"]!, #"{"method":"\#(i % 2 == 0 ? "visit" : "phone")","content":"第\#(i)次"}"#)
            }
            let west = try await record(APIClient(app: app, token: World.token("westrep")), w.customers["west"]!, #"{"method":"phone","content":"west"}"#)
            // Keyset pages: newest first, no repeats, nothing lost.
            let first = try await rep1.get("/api/v1/follow-ups?limit=2").json(PageJSON.self)
            #expect(first.items.map(\.content) == ["第5次", "第4次"] && first.nextCursor != nil)
            var seen = first.items.map(\.content)
            var cursor = first.nextCursor
            while let c = cursor {
                let page = try await rep1.get("/api/v1/follow-ups?limit=2&cursor=\(c)").json(PageJSON.self)
                seen += page.items.map(\.content)
                cursor = page.nextCursor
            }
            #expect(seen == ["第5次", "第4次", "第3次", "第2次", "第1次"])
            #expect(try await rep1.get("/api/v1/follow-ups?method=visit").json(PageJSON.self).items.count == 2)
            #expect(try await rep1.get("/api/v1/follow-ups?from=2000-01-01&to=2000-01-02").json(PageJSON.self).items.isEmpty)
            #expect(try await rep1.get("/api/v1/follow-ups?from=someday").status == .badRequest)
            // Scope: own, team, department; other organisations never.
            #expect(try await APIClient(app: app, token: World.token("rep2")).get("/api/v1/follow-ups").json(PageJSON.self).items.isEmpty)
            #expect(try await lead.get("/api/v1/follow-ups?team=1").json(PageJSON.self).items.count == 5)
            #expect(try await APIClient(app: app, token: World.token("viewer")).get("/api/v1/follow-ups").json(PageJSON.self).items.count == 5)
            #expect(try await APIClient(app: app, token: World.token("manager")).get("/api/v1/follow-ups").json(PageJSON.self).items.count == 6)
            #expect(try await lead.get("/api/v1/follow-ups/\(west.id)").status == .notFound)
            #expect(try await APIClient(app: app, token: World.token("outsider")).get("/api/v1/follow-ups").json(PageJSON.self).items.isEmpty)
            // A parent's timeline includes its children's follow-ups (CUS-11).
            #expect(try await lead.send(.PATCH, "/api/v1/customers/\(w.customers["rep2"]!)", json: #"{"parentID":"\#(w.customers["rep1"]!)"}"#).status == .ok)
            clock.advance(60)
            try await record(lead, w.customers["rep2"]!, #"{"method":"phone","content":"子公司跟进"}"#)
            let timeline = try await lead.get("/api/v1/customers/\(w.customers["rep1"]!)/follow-ups").json(PageJSON.self)
            #expect(timeline.items.count == 6 && timeline.items.first?.content == "子公司跟进")
            // So does the 360 view, naming the child on its entry.
            let b = Browser(app)
            try await b.signIn("lead")
            let view = try await b.get("/customers/\(w.customers["rep1"]!)")
            #expect(view.text.contains("子公司跟进"))
            #expect(view.text.contains("<a href=\"/customers/\(w.customers["rep2"]!)\" class=\"small\">客户-rep2</a>"))
            // Deleting needs the right; the bin gives it back.
            let target = first.items[0].id
            #expect(try await rep1.send(.DELETE, "/api/v1/follow-ups/\(target)").status == .forbidden)
            let manager = APIClient(app: app, token: World.token("manager"))
            #expect(try await manager.send(.DELETE, "/api/v1/follow-ups/\(target)").status == .noContent)
            #expect(try await rep1.get("/api/v1/follow-ups").json(PageJSON.self).items.count == 4)
            let admin = APIClient(app: app, token: World.token("admin"))
            #expect(try await admin.get("/api/v1/recycle-bin").text.contains(target.uuidString))
            #expect(try await admin.send(.POST, "/api/v1/recycle-bin/followUp/\(target)/restore").status == .noContent)
            #expect(try await rep1.get("/api/v1/follow-ups").json(PageJSON.self).items.count == 5)
        }
    }

    @Test func commentsReachTheRep() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let rep1 = APIClient(app: app, token: World.token("rep1"))
            let f = try await record(rep1, w.customers["rep1"]!, #"{"method":"phone","content":"报价已发"}"#)
            let lead = APIClient(app: app, token: World.token("lead"))
            #expect(try await lead.send(.POST, "/api/v1/follow-ups/\(f.id)/comments", json: #"{"content":"记得问预算"}"#).status == .created)
            #expect(try await lead.send(.POST, "/api/v1/follow-ups/\(f.id)/comments", json: #"{"content":"  "}"#).status == .unprocessableEntity)
            #expect(try await APIClient(app: app, token: World.token("rep2")).send(.POST, "/api/v1/follow-ups/\(f.id)/comments", json: #"{"content":"x"}"#).status == .notFound)
            // The rep replies; nobody is notified of their own words.
            #expect(try await rep1.send(.POST, "/api/v1/follow-ups/\(f.id)/comments", json: #"{"content":"好的"}"#).status == .created)
            let notes = try await UserNotification.query(on: app.db).filter(\.$kind == "followUpComment").all()
            #expect(notes.count == 1 && notes.first?.userID == w.users["rep1"] && notes.first?.args.first == "Lead")
            #expect(try await rep1.get("/api/v1/follow-ups/\(f.id)/comments").text.contains("记得问预算"))
            // The page shows the comment under the follow-up; the form route posts one too.
            let b = Browser(app)
            try await b.signIn("lead")
            #expect(try await b.post("/follow-ups/\(f.id)/comments", [("content", "周五前回复")]).status == .seeOther)
            let page = try await b.get("/customers/\(w.customers["rep1"]!)")
            #expect(page.text.contains("记得问预算") && page.text.contains("周五前回复") && page.text.contains("报价已发"))
        }
    }

    @Test func remindersOnceOnTheDayAndOnlyForTheLatestPlan() async throws {
        try await withGuanxi { app, clock in
            let w = try await World.build(app)
            let rep1 = APIClient(app: app, token: World.token("rep1"))
            let lead = APIClient(app: app, token: World.token("lead"))
            let dueDay = day(clock, plus: 2)
            try await record(rep1, w.customers["rep1"]!, #"{"method":"phone","content":"约下周","nextContactOn":"\#(dueDay)","nextPlan":"确认方案"}"#)
            try await record(lead, w.customers["lead"]!, #"{"method":"phone","content":"约下周","nextContactOn":"\#(dueDay)"}"#)
            clock.advance(3600)
            // A later follow-up without a plan replaces the earlier plan on the lead's customer.
            try await record(lead, w.customers["lead"]!, #"{"method":"visit","content":"已经见过了"}"#)
            #expect(try await FollowUpReminder(db: app.db, now: clock.now).run() == 0)
            clock.advance(2 * 86_400)
            // Two nodes ticking at once: the lease lets one run the job, the dedupe key keeps it to one reminder.
            async let a: Void = Jobs.tick(app: app, holder: "node-a")
            async let b: Void = Jobs.tick(app: app, holder: "node-b")
            _ = await (a, b)
            #expect(try await FollowUpReminder(db: app.db, now: clock.now).run() == 0)
            let due = try await UserNotification.query(on: app.db).filter(\.$kind == "followUpDue").all()
            #expect(due.count == 1 && due.first?.userID == w.users["rep1"] && due.first?.args == ["客户-rep1", "确认方案"])
            // The due list of the API and the page agree.
            let list = try await rep1.get("/api/v1/follow-ups/due").json([FollowUpJSON].self)
            #expect(list.map(\.customerID) == [w.customers["rep1"]!])
            #expect(try await lead.get("/api/v1/follow-ups/due").json([FollowUpJSON].self).isEmpty)
            let b2 = Browser(app)
            try await b2.signIn("rep1")
            #expect(try await b2.get("/follow-ups").text.contains("今日待联系（1）"))
        }
    }

    @Test func pagesRecordWithTemplatesAndKeepInput() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let admin = Browser(app)
            try await admin.signIn("admin")
            #expect(try await admin.post("/admin/follow-up-templates", [("name", "首次电话"), ("method", "phone"), ("content", "介绍公司和产品，约拜访时间")]).status == .seeOther)
            #expect(try await admin.post("/admin/follow-up-templates", [("name", "首次电话"), ("content", "重复")]).status == .unprocessableEntity)
            let template = try await FollowUpTemplate.query(on: app.db).first()!
            let b = Browser(app)
            try await b.signIn("rep1")
            let customer = w.customers["rep1"]!
            let show = try await b.get("/customers/\(customer)")
            #expect(show.text.contains("写跟进") && show.text.contains("首次电话") && show.text.contains("follow-up-templates"))
            // Missing text: the form comes back with what was typed.
            let bad = try await b.post("/customers/\(customer)/follow-ups", [("method", "phone"), ("content", ""), ("result", "没接通"), ("nextContactOn", "2026-13-01")])
            #expect(bad.status == .unprocessableEntity && bad.text.contains("没接通") && bad.text.contains("e-content"))
            // A template without typing records the template's text.
            #expect(try await b.post("/customers/\(customer)/follow-ups", [("method", "phone"), ("content", ""), ("templateID", template.id!.uuidString)]).status == .seeOther)
            #expect(try await FollowUp.query(on: app.db).first()?.content == "介绍公司和产品，约拜访时间")
            let list = try await b.get("/follow-ups")
            #expect(list.status == .ok && list.text.contains("介绍公司和产品"))
            let f = try await FollowUp.query(on: app.db).first()!
            #expect(try await b.get("/follow-ups/\(f.id!)/edit").status == .ok)
            #expect(try await b.post("/follow-ups/\(f.id!)/edit", [("method", "visit"), ("content", "改成上门")]).status == .seeOther)
            #expect(try await FollowUp.find(f.id, on: app.db)?.method == "visit")
            // Roles without the follow-up module see no timeline.
            let rolePolicy = try await Role.find(w.roles["viewer"]!, on: app.db)!
            rolePolicy.policy.actions[.followUps] = nil
            try await rolePolicy.save(on: app.db)
            let viewer = Browser(app)
            try await viewer.signIn("viewer")
            let seen = try await viewer.get("/customers/\(customer)")
            #expect(seen.status == .ok && !seen.text.contains("改成上门"))
            #expect(try await viewer.get("/follow-ups").status == .forbidden)
        }
    }

    /// From the contact page and from a list row: the form opens with the contact chosen and saving
    /// comes back to where it started (never to another site).
    @Test func fromTheContactAndTheListRows() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let contact = Contact(orgID: w.orgID, customerID: w.customers["rep1"]!, ownerID: w.users["rep1"])
            contact.name = "王经理"
            try await contact.create(on: app.db)
            let b = Browser(app)
            try await b.signIn("rep1")
            let page = try await b.get("/contacts/\(contact.id!)")
            let link = "/customers/\(w.customers["rep1"]!)/follow-ups/new?contact=\(contact.id!)"
            #expect(page.text.contains(link) && page.text.contains("还没有和这位联系人的跟进记录"))
            let form = try await b.get(link + "&return=" + URLQuery.encode("/contacts/\(contact.id!)#follow-ups"))
            #expect(form.status == .ok && form.text.contains("value=\"\(contact.id!)\" selected") && form.text.contains("name=\"return\""))
            let saved = try await b.post("/customers/\(w.customers["rep1"]!)/follow-ups", [("method", "phone"), ("content", "约了下周二拜访"), ("contactID", contact.id!.uuidString),
                                                                                         ("return", "/contacts/\(contact.id!)#follow-ups")])
            #expect(saved.status == .seeOther && saved.location == "/contacts/\(contact.id!)#follow-ups")
            #expect(try await b.get("/contacts/\(contact.id!)").text.contains("约了下周二拜访"))
            #expect(try await APIClient(app: app, token: World.token("rep1")).get("/api/v1/follow-ups?contact=\(contact.id!)").text.contains("约了下周二拜访"))
            // Input kept on error, with where to return; a foreign return address is ignored.
            let bad = try await b.post("/customers/\(w.customers["rep1"]!)/follow-ups", [("method", "phone"), ("content", ""), ("result", "占线"), ("return", "/customers?q=x")])
            #expect(bad.status == .unprocessableEntity && bad.text.contains("占线") && bad.text.contains("/customers?q=x"))
            let away = try await b.post("/customers/\(w.customers["rep1"]!)/follow-ups", [("method", "phone"), ("content", "电话"), ("return", "//evil.example/x")])
            #expect(away.location == "/customers/\(w.customers["rep1"]!)#follow-ups")
            // Each list row has its own quick link; someone else's customer cannot be reached this way.
            let list = try await b.get("/customers?q=%E5%AE%A2%E6%88%B7")
            #expect(list.text.contains("/customers/\(w.customers["rep1"]!)/follow-ups/new?return="))
            #expect(try await b.get("/customers/\(w.customers["rep2"]!)/follow-ups/new").status == .notFound)
        }
    }

    @Test func statisticsCountInScopeByPersonDepartmentMethodAndHour() async throws {
        try await withGuanxi { app, clock in
            let w = try await World.build(app)
            let today = CalendarDate.of(clock.now, in: Self.shanghai)
            let rep1 = APIClient(app: app, token: World.token("rep1"))
            let west = APIClient(app: app, token: World.token("westrep"))
            var recorded: [UUID] = []
            for (api, customer, method, time) in [(rep1, "rep1", "phone", "09:30"), (rep1, "rep1", "visit", "09:45"), (rep1, "rep1", "phone", "14:10"),
                                                  (west, "west", "phone", "09:05")] {
                let at = CalendarDate.adding(-1, to: today)! + "T" + time
                recorded.append(try await record(api, w.customers[customer]!, #"{"method":"\#(method)","content":"x","happenedAt":"\#(at)"}"#).id)
            }
            let actor = try await Actor.resolve(userID: w.users["manager"]!, sessionID: nil, fallbackLocale: .zhHans, on: app.db)!
            let range = Stats.Range(granularity: .day, from: clock.now.addingTimeInterval(-7 * 86_400), to: clock.now.addingTimeInterval(86_400),
                                    fromText: CalendarDate.adding(-7, to: today)!, toText: CalendarDate.adding(1, to: today)!)
            let all = FollowUpStats(db: app.db, actor: actor, range: range)
            #expect(try await all.counts(.method).map(\.count) == [3, 1])
            let hours = try await all.counts(.hour)
            #expect(hours.count == 24 && hours[9].count == 3 && hours[14].count == 1 && hours.map(\.count).reduce(0, +) == 4)
            #expect(try await all.counts(.owner).first == Stats.Row(key: w.users["rep1"]!.uuidString, count: 3))
            #expect(try await all.counts(.period).map(\.count) == [4])
            // A month's bucket sums the days of both departments (they are first summed per department and day).
            var monthly = range
            monthly.granularity = .month
            let yesterday = CalendarDate.adding(-1, to: today)!
            #expect(try await FollowUpStats(db: app.db, actor: actor, range: monthly).counts(.period) == [Stats.Row(key: String(yesterday.prefix(7)), count: 4)])
            let east = FollowUpStats(db: app.db, actor: actor, range: range,
                                     departmentIDs: try await FollowUpStats.departmentTree(w.departments["East"], actor: actor, on: app.db))
            #expect(try await east.counts(.method).map(\.count).reduce(0, +) == 3)
            // A rep counts only their own; the pages answer in scope, and the CSV needs the export right.
            let repActor = try await Actor.resolve(userID: w.users["rep2"]!, sessionID: nil, fallbackLocale: .zhHans, on: app.db)!
            #expect(try await FollowUpStats(db: app.db, actor: repActor, range: range).counts(.method).isEmpty)
            let b = Browser(app)
            try await b.signIn("manager")
            let page = try await b.get("/follow-ups/stats?period=day&department=\(w.departments["East"]!)")
            #expect(page.status == .ok && page.text.contains("共 3 条") && page.text.contains("24 小时分布"))
            #expect(try await b.get("/follow-ups/stats?period=decade").status == .badRequest)
            let csv = try await b.get("/follow-ups/stats.csv?dataset=owner")
            #expect(csv.status == .ok && csv.text.contains("Rep1,3"))
            let r = Browser(app)
            try await r.signIn("rep1")
            #expect(try await r.get("/follow-ups/stats.csv?dataset=owner").status == .forbidden)
            // The counts follow every change: an edit moves a follow-up to another method and hour,
            // a deletion takes it away, the bin gives it back, a purged customer takes its own.
            let manager = APIClient(app: app, token: World.token("manager"))
            let moved = CalendarDate.adding(-1, to: today)! + "T16:20"
            #expect(try await manager.send(.PATCH, "/api/v1/follow-ups/\(recorded[0])", json: #"{"method":"visit","content":"x","happenedAt":"\#(moved)"}"#).status == .ok)
            #expect(try await all.counts(.method).map(\.count) == [2, 2])
            let afterEdit = try await all.counts(.hour)
            #expect(afterEdit[9].count == 2 && afterEdit[16].count == 1)
            #expect(try await manager.send(.DELETE, "/api/v1/follow-ups/\(recorded[1])").status == .noContent)
            #expect(try await all.counts(.period).map(\.count) == [3])
            let admin = APIClient(app: app, token: World.token("admin"))
            #expect(try await admin.send(.POST, "/api/v1/recycle-bin/followUp/\(recorded[1])/restore").status == .noContent)
            #expect(try await all.counts(.period).map(\.count) == [4])
            func tallies() async throws -> [String] {
                try await (app.db as! any SQLDatabase).raw("SELECT day, owner_id, method, n FROM follow_up_method_days WHERE n <> 0 ORDER BY 1, 2, 3").all()
                    .map { "\(try $0.decode(column: "day", as: String.self)) \(try $0.decode(column: "owner_id", as: UUID.self)) \(try $0.decode(column: "method", as: String.self)) \(try $0.decode(column: "n", as: Int.self))" }
            }
            let kept = try await tallies()
            try await FollowUpTally.rebuild(orgID: actor.orgID, timeZone: Self.shanghai, on: app.db)
            #expect(try await tallies() == kept)
            #expect(try await admin.send(.DELETE, "/api/v1/customers/\(w.customers["west"]!)").status == .noContent)
            #expect(try await admin.send(.DELETE, "/api/v1/recycle-bin/customer/\(w.customers["west"]!)").status == .noContent)
            #expect(try await all.counts(.owner).map(\.count) == [3])
        }
    }

    @Test func dailyReportFromWhatRepsEntered() async throws {
        try await withGuanxi { app, clock in
            let w = try await World.build(app)
            let today = CalendarDate.of(clock.now, in: Self.shanghai)
            let rep1 = APIClient(app: app, token: World.token("rep1"))
            try await record(rep1, w.customers["rep1"]!, #"{"method":"phone","content":"a","nextContactOn":"\#(CalendarDate.adding(3, to: today)!)"}"#)
            try await record(rep1, w.customers["rep1"]!, #"{"method":"visit","content":"b"}"#)
            let created = try await rep1.send(.POST, "/api/v1/customers", json: #"{"name":"日报新客户有限公司"}"#)
            #expect(created.status == .created, "\(created.text)")
            try await record(APIClient(app: app, token: World.token("rep2")), w.customers["rep2"]!, #"{"method":"phone","content":"c"}"#)
            // Yesterday's work is not today's.
            let yesterday = ISO8601DateFormatter().string(from: clock.now.addingTimeInterval(-86_400))
            try await record(rep1, w.customers["rep1"]!, #"{"method":"phone","content":"old","happenedAt":"\#(yesterday)"}"#)
            struct LineJSON: Decodable { var userID: UUID; var counts: [String: Int] }
            let lead = try await APIClient(app: app, token: World.token("lead")).get("/api/v1/reports/daily?date=\(today)").json([LineJSON].self)
            #expect(Set(lead.map(\.userID)) == Set(["lead", "rep1", "rep2"].map { w.users[$0]! }))
            let r1 = lead.first { $0.userID == w.users["rep1"] }!
            #expect(r1.counts == ["followUps": 2, "customersReached": 1, "plansMade": 1, "newCustomers": 1, "claimed": 0])
            // A rep sees their own line only; a bad date is refused.
            let own = try await rep1.get("/api/v1/reports/daily").json([LineJSON].self)
            #expect(own.map(\.userID) == [w.users["rep1"]!])
            #expect(try await rep1.get("/api/v1/reports/daily?date=2026-13-40").status == .badRequest)
            let b = Browser(app)
            try await b.signIn("lead")
            let page = try await b.get("/reports/daily?date=\(today)")
            #expect(page.status == .ok && page.text.contains("团队（2/2 人有记录）") && page.text.contains("Rep1"))
        }
    }

    /// The dashboard's "follow-ups this month" and two-week chart count my own follow-ups by the
    /// organisation's days: not a colleague's, not last month's.
    @Test func dashboardCountsAndChartsMyFollowUps() async throws {
        try await withGuanxi { app, clock in
            let w = try await World.build(app)
            let rep1 = APIClient(app: app, token: World.token("rep1"))
            for i in 0..<3 { try await record(rep1, w.customers["rep1"]!, #"{"method":"phone","content":"本月第\#(i)次"}"#) }
            let longAgo = ISO8601DateFormatter().string(from: clock.now.addingTimeInterval(-40 * 86_400))
            try await record(rep1, w.customers["rep1"]!, #"{"method":"visit","content":"上月拜访","happenedAt":"\#(longAgo)"}"#)
            try await record(APIClient(app: app, token: World.token("rep2")), w.customers["rep2"]!, #"{"method":"phone","content":"同事的"}"#)
            #expect(try await rep1.send(.PUT, "/api/v1/dashboard", json: #"{"widgets":["numbers","chart"]}"#).status == .ok)
            let b = Browser(app)
            try await b.signIn("rep1")
            let home = try await b.get("/").text
            #expect(home.contains(#"<div class="stat-value">3</div><div class="stat-label">本月跟进</div>"#))
            let bars = home.components(separatedBy: #"class="chart-value">"#).dropFirst().map { String($0.prefix { $0 != "<" }) }
            #expect(bars.count == 14 && bars.last == "3" && bars.dropLast().allSatisfy { $0 == "0" }, "\(bars)")
        }
    }

    @Test func dashboardWidgetsChangeAndShowOnlyWhatTheRoleAllows() async throws {
        try await withGuanxi { app, clock in
            let w = try await World.build(app)
            let rep1 = APIClient(app: app, token: World.token("rep1"))
            try await record(rep1, w.customers["rep1"]!, #"{"method":"phone","content":"看板上的跟进","nextContactOn":"\#(CalendarDate.of(clock.now, in: Self.shanghai))","nextPlan":"回电"}"#)
            struct LayoutJSON: Decodable { var widgets: [String]; var available: [String]? }
            #expect(try await rep1.get("/api/v1/dashboard").json(LayoutJSON.self).widgets == DashboardLayout.defaults)
            let b = Browser(app)
            try await b.signIn("rep1")
            let home = try await b.get("/")
            #expect(home.text.contains("今日待联系") && home.text.contains("看板上的跟进") && home.text.contains("回电"))
            // Customise in the page: move, remove, add.
            #expect(try await b.post("/dashboard", [("widget", "hot"), ("action", "up")]).status == .seeOther)
            #expect(try await b.post("/dashboard", [("widget", "numbers"), ("action", "remove")]).status == .seeOther)
            #expect(try await b.post("/dashboard", [("widget", "chart"), ("action", "add")]).status == .seeOther)
            #expect(try await b.post("/dashboard", [("widget", "bogus"), ("action", "add")]).status == .badRequest)
            #expect(try await rep1.get("/api/v1/dashboard").json(LayoutJSON.self).widgets == ["tasks", "due", "hot", "followUps", "reminders", "announcements", "chart"])
            let edited = try await b.get("/?edit=1")
            #expect(edited.text.contains("近两周我的跟进") && edited.text.contains("添加组件") && !edited.text.contains("id=\"w-numbers\""))
            // Through the API: a whole new order, checked.
            #expect(try await rep1.send(.PUT, "/api/v1/dashboard", json: #"{"widgets":["chart","due"]}"#).json(LayoutJSON.self).widgets == ["chart", "due"])
            #expect(try await rep1.send(.PUT, "/api/v1/dashboard", json: #"{"widgets":["due","due"]}"#).status == .unprocessableEntity)
            // A role without follow-ups sees no follow-up widgets, whatever it stored.
            let viewerRole = try await Role.find(w.roles["viewer"]!, on: app.db)!
            viewerRole.policy.actions[.followUps] = nil
            try await viewerRole.save(on: app.db)
            let viewer = APIClient(app: app, token: World.token("viewer"))
            #expect(try await viewer.send(.PUT, "/api/v1/dashboard", json: #"{"widgets":["due","hot"]}"#).json(LayoutJSON.self).widgets == ["hot"])
        }
    }

    @Test func directoryListsColleaguesOfTheOrganisation() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let rep = try await User.find(w.users["rep1"]!, on: app.db)!
            rep.mobile = "138-0013-8000"
            try await rep.save(on: app.db)
            struct EntryJSON: Decodable { var name: String; var department: String?; var supervisor: String?; var mobile: String? }
            let api = APIClient(app: app, token: World.token("viewer"))
            let all = try await api.get("/api/v1/directory").json([EntryJSON].self)
            #expect(all.count == 8 && !all.contains { $0.name == "Outsider" })
            let found = try await api.get("/api/v1/directory?q=13800138").json([EntryJSON].self)
            #expect(found.count == 1 && found.first?.name == "Rep1" && found.first?.department == "East" && found.first?.supervisor == "Lead")
            #expect(try await api.get("/api/v1/directory?q=east").json([EntryJSON].self).count == 4)
            let b = Browser(app)
            try await b.signIn("rep2")
            let page = try await b.get("/directory?q=rep")
            #expect(page.status == .ok && page.text.contains("tel:13800138000") && page.text.contains("Westrep"))
        }
    }

    @Test func birthdayRemindersReachTheOwnerOnceAYear() async throws {
        try await withGuanxi { app, clock in
            let w = try await World.build(app)
            let today = CalendarDate.of(clock.now, in: Self.shanghai)
            let inTwoDays = CalendarDate.adding(2, to: today)!, inFiveDays = CalendarDate.adding(5, to: today)!
            for (name, birthday) in [("寿星", "1980-" + inTwoDays.suffix(5)), ("还早", "1975-" + inFiveDays.suffix(5)), ("无生日", "")] {
                let c = Contact(orgID: w.orgID, customerID: w.customers["rep1"]!, ownerID: w.users["rep1"])
                c.name = name
                c.birthday = birthday.isEmpty ? nil : birthday
                try await c.create(on: app.db)
            }
            let org = try await Organization.find(w.orgID, on: app.db)!
            #expect(try await BirthdayReminder(db: app.db, now: clock.now).run(org) == 1)
            #expect(try await BirthdayReminder(db: app.db, now: clock.now).run(org) == 0)
            let n = try await UserNotification.query(on: app.db).filter(\.$kind == "birthday").all()
            #expect(n.count == 1 && n.first?.userID == w.users["rep1"] && n.first?.args == ["寿星", "客户-rep1", inTwoDays])
            // The organisation chooses how far ahead: a week catches the second one too.
            let b = Browser(app)
            try await b.signIn("admin")
            #expect(try await b.post("/admin/organization", [("name", org.name), ("timeZone", org.timeZone), ("currency", org.currency), ("moneyDecimals", "2"),
                                                           ("quantityDecimals", "2"), ("priceDecimals", "2"), ("birthdayDaysAhead", "99")]).status == .unprocessableEntity)
            #expect(try await b.post("/admin/organization", [("name", org.name), ("timeZone", org.timeZone), ("currency", org.currency), ("moneyDecimals", "2"),
                                                           ("quantityDecimals", "2"), ("priceDecimals", "2"), ("birthdayDaysAhead", "7")]).status == .seeOther)
            let updated = try await Organization.find(w.orgID, on: app.db)!
            #expect(try await BirthdayReminder(db: app.db, now: clock.now).run(updated) == 1)
        }
    }

    @Test func announcementsReachTheirAudienceWithReadReceipts() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let admin = APIClient(app: app, token: World.token("admin"))
            struct AnnouncementJSON: Decodable { var id: UUID; var title: String; var read: Bool? }
            struct ReceiptsJSON: Decodable { struct Reader: Decodable { var name: String }; var read: [Reader]; var unread: [String] }
            // To the Sales department (with East and West below it) and the admin's colleague in Service: none.
            let res = try await admin.send(.POST, "/api/v1/announcements", json: #"{"title":"月底冲刺","body":"本月目标 500 万","departmentIDs":["\#(w.departments["East"]!)"],"userIDs":["\#(w.users["westrep"]!)"]}"#)
            #expect(res.status == .created, "\(res.text)")
            let a = try res.json(AnnouncementJSON.self)
            #expect(try await admin.send(.POST, "/api/v1/announcements", json: #"{"title":"x","body":"y","everyone":false}"#).status == .unprocessableEntity)
            #expect(try await admin.send(.POST, "/api/v1/announcements", json: #"{"title":"","body":"y"}"#).status == .unprocessableEntity)
            let rep1 = APIClient(app: app, token: World.token("rep1"))
            #expect(try await rep1.send(.POST, "/api/v1/announcements", json: #"{"title":"x","body":"y"}"#).status == .forbidden)
            // Recipients are notified and see it unread; others do not see it at all.
            #expect(try await UserNotification.query(on: app.db).filter(\.$kind == "announcement").count() == 5)
            #expect(try await rep1.get("/api/v1/announcements").json([AnnouncementJSON].self).map(\.read) == [false])
            let director = APIClient(app: app, token: World.token("director"))
            #expect(try await director.get("/api/v1/announcements").json([AnnouncementJSON].self).isEmpty)
            #expect(try await director.get("/api/v1/announcements/\(a.id)").status == .notFound)
            // Reading records the receipt; the author sees who has and has not read.
            #expect(try await rep1.get("/api/v1/announcements/\(a.id)").status == .ok)
            #expect(try await rep1.get("/api/v1/announcements").json([AnnouncementJSON].self).map(\.read) == [true])
            let receipts = try await admin.get("/api/v1/announcements/\(a.id)/receipts").json(ReceiptsJSON.self)
            #expect(receipts.read.map(\.name) == ["Rep1"] && receipts.unread == ["Lead", "Rep2", "Viewer", "Westrep"])
            #expect(try await rep1.get("/api/v1/announcements/\(a.id)/receipts").status == .forbidden)
            // The pages: publish to everyone, then the receipts page.
            let b = Browser(app)
            try await b.signIn("admin")
            #expect(try await b.post("/announcements", [("title", "全员大会"), ("body", "周五下午三点"), ("everyone", "1")]).status == .seeOther)
            #expect(try await b.post("/announcements", [("title", ""), ("body", "")]).status == .unprocessableEntity)
            let page = try await b.get("/announcements/\(a.id)")
            #expect(page.text.contains("已读 1 / 5") && page.text.contains("Westrep"))
            let r = Browser(app)
            try await r.signIn("rep2")
            let home = try await r.get("/")
            #expect(home.text.contains("全员大会") && home.text.contains("月底冲刺"))
        }
    }
}
