import Fluent
import Foundation
import GuanxiCore
import Testing
import Vapor
import VaporTesting
@testable import Guanxi

/// Tasks (TSK-01): assigned within scope, moved through their states, reviewed, reminded when due and overdue.
@Suite struct TaskTests {
    struct TaskJSON: Decodable { var id: UUID; var title: String; var status: String; var ownerID: UUID; var review: String? }
    struct ErrorJSON: Decodable { var fields: [String: String]? }

    @Test func assignDoReviewAndRemind() async throws {
        try await withGuanxi { app, clock in
            let w = try await World.build(app)
            let today = CalendarDate.of(clock.now, in: TimeZone(identifier: "Asia/Shanghai")!)
            let lead = APIClient(app: app, token: World.token("lead"))
            // A lead gives a subordinate a task about a customer; a stranger cannot be given one.
            let created = try await lead.send(.POST, "/api/v1/tasks", json: #"{"title":"准备报价","ownerID":"\#(w.users["rep1"]!)","dueOn":"\#(today)","priority":"high","customerID":"\#(w.customers["rep1"]!)"}"#)
            #expect(created.status == .created, "\(created.text)")
            let task = try created.json(TaskJSON.self)
            for (body, field) in [(#"{"title":"x","ownerID":"\#(w.users["westrep"]!)"}"#, "ownerID"), (#"{"title":""}"#, "title"),
                                  (#"{"title":"x","dueOn":"2026-02-31"}"#, "dueOn"), (#"{"title":"x","priority":"asap"}"#, "priority"),
                                  (#"{"title":"x","customerID":"\#(w.customers["west"]!)"}"#, "customerID")] {
                let res = try await lead.send(.POST, "/api/v1/tasks", json: body)
                let fields = try? res.json(ErrorJSON.self).fields
                #expect(res.status == .unprocessableEntity && fields?[field] != nil, "\(body) -> \(res.text)")
            }
            #expect(try await UserNotification.query(on: app.db).filter(\.$kind == "taskAssigned").filter(\.$userID == w.users["rep1"]!).count() == 1)
            // Lists: mine for the assignee, assigned for the lead; others see nothing.
            let rep1 = APIClient(app: app, token: World.token("rep1"))
            #expect(try await rep1.get("/api/v1/tasks").json([TaskJSON].self).map(\.id) == [task.id])
            #expect(try await lead.get("/api/v1/tasks?view=assigned").json([TaskJSON].self).map(\.id) == [task.id])
            #expect(try await APIClient(app: app, token: World.token("rep2")).get("/api/v1/tasks/\(task.id)").status == .notFound)
            // States move by the rules; done notifies the lead.
            #expect(try await rep1.send(.PATCH, "/api/v1/tasks/\(task.id)", json: #"{"status":"inProgress"}"#).status == .ok)
            #expect(try await rep1.send(.PATCH, "/api/v1/tasks/\(task.id)", json: #"{"status":"flying"}"#).status == .unprocessableEntity)
            // Due today: reminded once; overdue tomorrow: reminded once more.
            #expect(try await TaskReminder(db: app.db, now: clock.now).run() == 1)
            #expect(try await TaskReminder(db: app.db, now: clock.now).run() == 0)
            clock.advance(86_400)
            #expect(try await TaskReminder(db: app.db, now: clock.now).run() == 1)
            #expect(try await rep1.send(.PATCH, "/api/v1/tasks/\(task.id)", json: #"{"status":"done"}"#).json(TaskJSON.self).status == "done")
            #expect(try await UserNotification.query(on: app.db).filter(\.$kind == "taskDone").filter(\.$userID == w.users["lead"]!).count() == 1)
            clock.advance(86_400)
            #expect(try await TaskReminder(db: app.db, now: clock.now).run() == 0, "done tasks are not overdue")
            // The supervisor reviews; the assignee cannot review their own.
            #expect(try await rep1.send(.POST, "/api/v1/tasks/\(task.id)/review", json: #"{"review":"自评"}"#).status == .forbidden)
            let reviewed = try await lead.send(.POST, "/api/v1/tasks/\(task.id)/review", json: #"{"review":"报价及时，下次附上竞品对比"}"#)
            #expect(try reviewed.json(TaskJSON.self).review == "报价及时，下次附上竞品对比")
            #expect(try await UserNotification.query(on: app.db).filter(\.$kind == "taskReviewed").count() == 1)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$recordID == task.id).filter(\.$field == "status").filter(\.$action == .update).count() == 2)
            // Pages: list, detail with moves and review, and a new task from the form.
            let b = Browser(app)
            try await b.signIn("rep1")
            #expect(try await b.get("/tasks").text.contains("准备报价"))
            let detail = try await b.get("/tasks/\(task.id)")
            #expect(detail.text.contains("报价及时") && detail.text.contains("重新打开") && detail.text.contains("客户-rep1"))
            #expect(try await b.post("/tasks", [("title", "回访客户"), ("dueOn", today), ("priority", "normal")]).status == .seeOther)
            let bad = try await b.post("/tasks", [("title", ""), ("details", "保留的说明")])
            #expect(bad.status == .unprocessableEntity && bad.text.contains("保留的说明"))
            #expect(try await b.post("/tasks/\(task.id)/status", [("status", "open")]).status == .seeOther)
        }
    }
}

/// The calendar (ACT-04): activities planned, moved by a day keeping their time, seen by day, week and month within scope.
@Suite struct CalendarTests {
    struct ActivityJSON: Decodable { var id: UUID; var title: String; var startsAt: Date; var endsAt: Date; var status: String }

    @Test func planMoveAndSeeWithinScope() async throws {
        try await withGuanxi { app, clock in
            let w = try await World.build(app)
            let tz = TimeZone(identifier: "Asia/Shanghai")!
            let today = CalendarDate.of(clock.now, in: tz)
            let rep1 = APIClient(app: app, token: World.token("rep1"))
            let res = try await rep1.send(.POST, "/api/v1/activities", json: #"{"kind":"visit","title":"拜访采购部","date":"\#(today)","startTime":"14:30","endTime":"16:00","customerID":"\#(w.customers["rep1"]!)"}"#)
            #expect(res.status == .created, "\(res.text)")
            let a = try res.json(ActivityJSON.self)
            #expect(LocalTime.format(a.startsAt, in: tz) == "\(today)T14:30" && a.endsAt.timeIntervalSince(a.startsAt) == 5400)
            for body in [#"{"kind":"party","title":"x","date":"\#(today)"}"#, #"{"kind":"call","title":"x","date":"\#(today)","startTime":"10:00","endTime":"09:00"}"#,
                         #"{"kind":"call","title":"","date":"\#(today)"}"#, #"{"kind":"call","title":"x","date":"\#(today)","ownerID":"\#(w.users["rep2"]!)"}"#] {
                #expect(try await rep1.send(.POST, "/api/v1/activities", json: body).status == .unprocessableEntity, "\(body)")
            }
            // Moving keeps the time of day and the length.
            let tomorrow = CalendarDate.adding(1, to: today)!
            let moved = try await rep1.send(.PATCH, "/api/v1/activities/\(a.id)", json: #"{"date":"\#(tomorrow)"}"#).json(ActivityJSON.self)
            #expect(LocalTime.format(moved.startsAt, in: tz) == "\(tomorrow)T14:30" && moved.endsAt.timeIntervalSince(moved.startsAt) == 5400)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$recordID == a.id).filter(\.$field == "startsAt").filter(\.$action == .update).count() == 1)
            // The lead sees rep1's calendar; rep2 may not look at it.
            let lead = APIClient(app: app, token: World.token("lead"))
            #expect(try await lead.get("/api/v1/activities?user=\(w.users["rep1"]!)&from=\(today)&to=\(tomorrow)").json([ActivityJSON].self).map(\.id) == [a.id])
            #expect(try await APIClient(app: app, token: World.token("rep2")).get("/api/v1/activities?user=\(w.users["rep1"]!)").status == .notFound)
            #expect(try await APIClient(app: app, token: World.token("rep2")).send(.PATCH, "/api/v1/activities/\(a.id)", json: #"{"date":"\#(today)"}"#).status == .notFound)
            // Pages: week, month and day views; the drag target and the fallback form.
            let b = Browser(app)
            try await b.signIn("lead")
            let week = try await b.get("/calendar?view=week&date=\(tomorrow)&user=\(w.users["rep1"]!)")
            #expect(week.status == .ok && week.text.contains("拜访采购部") && week.text.contains("data-move=\"/activities/\(a.id)/move\""))
            #expect(try await b.get("/calendar?view=month&date=\(tomorrow)&user=\(w.users["rep1"]!)").text.contains("拜访采购部"))
            #expect(!(try await b.get("/calendar?view=day&date=\(today)&user=\(w.users["rep1"]!)").text.contains("拜访采购部")))
            #expect(try await b.get("/calendar?view=year").status == .badRequest)
            #expect(try await b.get("/calendar?user=\(w.users["westrep"]!)").status == .notFound)
            var headers = HTTPHeaders()
            headers.contentType = .urlEncodedForm
            headers.replaceOrAdd(name: "X-Requested-With", value: "fetch")
            let dragged = try await b.send(.POST, "/activities/\(a.id)/move", headers: headers, body: ByteBuffer(string: "date=\(today)&_csrf=\(b.csrf)"))
            #expect(dragged.status == .noContent)
            #expect(try await b.post("/activities/\(a.id)/status", [("status", "done")]).status == .seeOther)
            #expect(try await Activity.find(a.id, on: app.db)?.status == .done)
            #expect(try await b.post("/activities", [("kind", "meeting"), ("title", "周会"), ("date", today), ("startTime", "09:00")]).status == .seeOther)
        }
    }
}
