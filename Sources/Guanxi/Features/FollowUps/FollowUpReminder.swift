import Fluent
import Foundation
import GuanxiCore

/// The next-contact reminder (ACT-03, PLT-17) as a job: on the planned day, the rep who recorded the
/// follow-up is reminded — once, however often the job runs; a plan a later follow-up replaced is dropped.
struct FollowUpReminder {
    let db: Database
    let now: Date

    func run() async throws -> Int {
        var sent = 0
        for org in try await SystemAccess.organizations(on: db) {
            sent += try await run(orgID: org.id!, timeZone: org.zone)
        }
        return sent
    }

    func run(orgID: UUID, timeZone: TimeZone) async throws -> Int {
        let today = CalendarDate.of(now, in: timeZone)
        // Yesterday too, in case no node ran the job then.
        let due = try await SystemAccess.inOrg(FollowUp.self, orgID, on: db)
            .filter(\.$nextContactOn >= CalendarDate.adding(-1, to: today) ?? today).filter(\.$nextContactOn <= today)
            .sort(\.$id).limit(10_000).rows()
        let current = try await FollowUpService.latestOnly(due, orgID: orgID, on: db)
        guard !current.isEmpty else { return 0 }
        let names = Dictionary(uniqueKeysWithValues: try await SystemAccess.inOrg(Customer.self, orgID, on: db)
            .filter(\.$id ~~ Array(Set(current.map(\.customerID)))).rows().map { ($0.id!, $0.name) })
        return try await db.writeTransaction { [now] tx in
            var sent = 0
            for f in current {
                let n = UserNotification(orgID: orgID, userID: f.ownerID, kind: "followUpDue", messageKey: "notify.followUpDue",
                                         args: [names[f.customerID] ?? "", f.nextPlan ?? ""], link: Paths.customer(f.customerID) + "#follow-ups",
                                         dedupeKey: "followUpDue:\(f.id!.uuidString):\(f.nextContactOn ?? "")", at: now)
                if try await Notifier.send(n, on: tx) { sent += 1 }
            }
            return sent
        }
    }
}
