import Fluent
import Foundation
import GuanxiCore

/// Tells owners of instalments falling due within the organisation's reminder days (FIN-01), once per
/// instalment; the due-date index keeps the scan to those few days.
struct ReceivableReminder {
    let db: Database
    let now: Date

    func run() async throws -> Int {
        var sent = 0
        for org in try await SystemAccess.organizations(on: db) {
            let days = (org.financePolicy ?? FinancePolicy()).reminderDays
            let today = CalendarDate.of(now, in: org.zone)
            let until = CalendarDate.adding(days, to: today) ?? today
            let due = try await SystemAccess.inOrg(Receivable.self, org.id!, on: db).filter(Receivable.open)
                .filter(\.$dueOn >= today).filter(\.$dueOn <= until)
                .limit(10_000).rows()
            guard !due.isEmpty else { continue }
            let numbers = Dictionary(uniqueKeysWithValues: try await SystemAccess.inOrg(Contract.self, org.id!, on: db)
                .filter(\.$id ~~ Array(Set(due.map(\.contractID)))).rows().map { ($0.id!, $0.number) })
            let t = Translator(.zhHans)
            sent += try await db.writeTransaction { [now] tx in
                var n = 0
                for r in due {
                    let owed = t.locale.money(r.amount - r.received, decimals: org.moneyDecimals)
                    let note = UserNotification(orgID: org.id!, userID: r.ownerID, kind: "receivableDue", messageKey: "notify.receivableDue",
                                                args: [numbers[r.contractID] ?? "", "#\(r.position)", owed, r.dueOn], link: Paths.contract(r.contractID),
                                                dedupeKey: "receivable:\(r.id!.uuidString):\(r.dueOn)", at: now)
                    if try await Notifier.send(note, on: tx) { n += 1 }
                }
                return n
            }
        }
        return sent
    }
}
