import Fluent
import Foundation
import GuanxiCore
import Vapor

/// Sign-in, sign-out and sessions (PLT-06, PLT-07).
struct AuthService {
    let req: Request

    enum Outcome {
        case signedIn(token: String, user: User)
        case failed(messageKey: String)
    }

    var db: Database { req.db }
    var now: Date { req.now }
    var policy: LockoutPolicy {
        let s = req.application.settings.lockout
        return LockoutPolicy(maxFailures: s.maxFailures, lockDuration: TimeInterval(s.minutes * 60))
    }

    func signIn(account rawAccount: String, password: String) async throws -> Outcome {
        let account = rawAccount.trimmingCharacters(in: .whitespaces).lowercased()
        let ip = req.remoteAddress?.ipAddress
        let ua = req.headers.first(name: .userAgent).map { String($0.prefix(255)) }
        guard let user = try await User.query(on: db).filter(\.$account == account).firstRow() else {
            // Spend the same time as a real check so response times do not reveal which accounts exist.
            _ = try? await req.password.async.verify(password, created: req.application.dummyPasswordHash)
            try await LoginRecord(orgID: nil, userID: nil, account: String(account.prefix(64)), success: false, reason: "unknown",
                                  ip: ip, userAgent: ua, at: now).record(on: db)
            return .failed(messageKey: "login.failed")
        }
        var state = LockoutPolicy.State(failures: user.failedAttempts, lockedUntil: user.lockedUntil)
        if policy.isLocked(state, now: now) {
            try await LoginRecord(orgID: user.orgID, userID: user.id, account: account, success: false, reason: "locked",
                                  ip: ip, userAgent: ua, at: now).record(on: db)
            return .failed(messageKey: "login.locked")
        }
        let ok = (try? await req.password.async.verify(password, created: user.passwordHash)) ?? false
        guard ok, user.status == .active else {
            if ok {
                try await LoginRecord(orgID: user.orgID, userID: user.id, account: account, success: false, reason: "disabled",
                                      ip: ip, userAgent: ua, at: now).record(on: db)
                return .failed(messageKey: "login.disabled")
            }
            state = policy.afterFailure(state, now: now)
            user.failedAttempts = state.failures
            user.lockedUntil = state.lockedUntil
            let record = LoginRecord(orgID: user.orgID, userID: user.id, account: account, success: false, reason: "password",
                                     ip: ip, userAgent: ua, at: now)
            try await db.writeTransaction { tx in
                try await user.save(on: tx)
                try await record.create(on: tx)
            }
            return .failed(messageKey: policy.isLocked(state, now: now) ? "login.locked" : "login.failed")
        }
        let token = Tokens.random()
        try await db.writeTransaction { tx in
            user.failedAttempts = 0
            user.lockedUntil = nil
            try await user.save(on: tx)
            try await UserSession(orgID: user.orgID, userID: user.id!, tokenHash: Tokens.hash(token), ip: ip, userAgent: ua,
                                  now: now, lifetime: req.application.settings.sessionLifetime).create(on: tx)
            try await LoginRecord(orgID: user.orgID, userID: user.id, account: account, success: true, reason: nil,
                                  ip: ip, userAgent: ua, at: now).create(on: tx)
        }
        return .signedIn(token: token, user: user)
    }

    func signOut() async throws {
        guard let token = req.cookies[AuthService.sessionCookie]?.string else { return }
        try await db.writeTransaction { [now] tx in
            try await UserSession.query(on: tx).filter(\.$tokenHash == Tokens.hash(token)).set(\.$revokedAt, to: now).update()
        }
    }

    static let sessionCookie = "gx_session"


    func sessionCookie(_ token: String) -> HTTPCookies.Value {
        HTTPCookies.Value(string: token, expires: now.addingTimeInterval(req.application.settings.sessionLifetime),
                          path: "/", isSecure: req.application.settings.secureCookies, isHTTPOnly: true, sameSite: .lax)
    }
}

struct DummyHashKey: StorageKey { typealias Value = String }

extension Application {
    /// A bcrypt hash at the configured cost, checked against for unknown accounts so that
    /// response times do not tell which accounts exist.
    var dummyPasswordHash: String { storage[DummyHashKey.self] ?? "" }
}

extension LoginRecord {
    /// Written through the write queue: a sign-in during a long import waits its turn instead of
    /// failing when SQLite's busy timeout runs out.
    func record(on db: Database) async throws {
        try await db.writeTransaction { tx in try await self.create(on: tx) }
    }
}
