import Fluent
import Foundation
import GuanxiCore
import SQLKit

/// Birthday reminders (CON-03) as a job: the owner of a contact's customer hears of the birthday the
/// organisation's chosen days ahead — once a year per contact, however often the job runs.
struct BirthdayReminder {
    let db: Database
    let now: Date

    func run() async throws -> Int {
        var sent = 0
        for org in try await SystemAccess.organizations(on: db) { sent += try await run(org) }
        return sent
    }

    func run(_ org: Organization) async throws -> Int {
        guard let sql = db as? any SQLDatabase else { return 0 }
        let today = CalendarDate.of(now, in: org.zone)
        let days = Birthdays.upcoming(today: today, daysAhead: org.birthdayLead)
        let dateOf = Dictionary(days.map { ($0.monthDay, $0.date) }) { a, _ in a }
        let rows = try await sql.raw("""
            SELECT c.id AS id, c.name AS name, c.birthday AS birthday, cu.name AS customer, cu.owner_id AS owner
            FROM contacts c JOIN customers cu ON cu.id = c.customer_id
            WHERE c.org_id = \(bind: org.id!) AND c.deleted_at IS NULL AND cu.deleted_at IS NULL AND cu.owner_id IS NOT NULL
              AND c.birthday IS NOT NULL AND substr(c.birthday, 6, 5) IN (\(binds: days.map(\.monthDay)))
            LIMIT 10000
            """).all()
        return try await db.writeTransaction { [now] tx in
            var sent = 0
            for r in rows {
                let contact = try r.decode(column: "id", as: UUID.self)
                let birthday = try r.decode(column: "birthday", as: String.self)
                guard let date = dateOf[String(birthday.suffix(5))] else { continue }
                let n = UserNotification(orgID: org.id!, userID: try r.decode(column: "owner", as: UUID.self), kind: "birthday", messageKey: "notify.birthday",
                                         args: [try r.decode(column: "name", as: String.self), try r.decode(column: "customer", as: String.self), date],
                                         link: Paths.contact(contact), dedupeKey: "birthday:\(contact.uuidString):\(date.prefix(4))", at: now)
                if try await Notifier.send(n, on: tx) { sent += 1 }
            }
            return sent
        }
    }
}
