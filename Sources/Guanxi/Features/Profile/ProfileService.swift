import Fluent
import Foundation
import GuanxiCore

/// What people change about themselves.
struct ProfileService {
    let db: Database
    let actor: Actor
    let now: Date

    /// Email copies of notifications (PLT-17); needs an address on the employee record.
    func setNotifyByEmail(_ on: Bool) async throws {
        guard let me = try await actor.inOrg(User.self, on: db).filter(\.$id == actor.userID).firstRow() else { throw AppError.notFound }
        if on, me.email == nil {
            var e = FieldErrors()
            e.add("notifyByEmail", "profile.mailNoAddress")
            throw AppError.invalid(e)
        }
        let before = me.notifyByEmail == true
        guard before != on else { return }
        try await db.writeTransaction { [actor, now] tx in
            try await actor.inOrg(User.self, on: tx).filter(\.$id == actor.userID).set(\.$notifyByEmail, to: on).update()
            try await Audit(actor: actor, db: tx, now: now).updated("user", actor.userID, before: ["notifyByEmail": before ? "1" : "0"], after: ["notifyByEmail": on ? "1" : "0"])
        }
    }
}
