import Fluent
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import SQLKit
import Vapor

/// A lease row per scheduled job: on several app nodes, only the node holding the lease runs the job.
final class JobLease: Model, @unchecked Sendable {
    static let schema = "job_leases"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "holder") var holder: String
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "last_run_at") var lastRunAt: Date?

    init() {}

    var properties: [any AnyProperty] { [$id, $name, $holder, $expiresAt, $lastRunAt] }
}

/// What a job runs with: the database, the injected clock's "now", and the application's settings.
struct JobContext: Sendable {
    let db: Database
    let now: Date
    let logger: Logger
    let settings: Settings
    let eventLoopGroup: EventLoopGroup
}

/// Something that runs on a schedule with the injected clock.
struct ScheduledJob: Sendable {
    let name: String
    /// How often it runs.
    let every: TimeInterval
    let run: @Sendable (JobContext) async throws -> Void
}

enum Jobs {
    /// Every scheduled job of the application.
    static let all: [ScheduledJob] = [
        ScheduledJob(name: "pool-recycling", every: 3600) { ctx in
            let result = try await PoolRecycler(db: ctx.db, now: ctx.now).run()
            ctx.logger.info("pool recycling: \(result.recycled) returned, \(result.warned) warned")
        },
        ScheduledJob(name: "follow-up-reminders", every: 900) { ctx in
            let sent = try await FollowUpReminder(db: ctx.db, now: ctx.now).run()
            ctx.logger.info("follow-up reminders: \(sent) sent")
        },
        ScheduledJob(name: "task-reminders", every: 900) { ctx in
            let sent = try await TaskReminder(db: ctx.db, now: ctx.now).run()
            ctx.logger.info("task reminders: \(sent) sent")
        },
        ScheduledJob(name: "receivable-reminders", every: 3600) { ctx in
            let sent = try await ReceivableReminder(db: ctx.db, now: ctx.now).run()
            ctx.logger.info("receivable reminders: \(sent) sent")
        },
        ScheduledJob(name: "birthday-reminders", every: 3600) { ctx in
            let sent = try await BirthdayReminder(db: ctx.db, now: ctx.now).run()
            ctx.logger.info("birthday reminders: \(sent) sent")
        },
        // SQLite plans queries from statistics it only has after ANALYZE (PostgreSQL's autovacuum keeps its own).
        ScheduledJob(name: "database-statistics", every: 6 * 3600) { ctx in
            try await DatabaseStatistics.refresh(on: ctx.db)
        },
        // Runs after the reminders in the same tick, so their copies go out at once.
        ScheduledJob(name: "notification-mail", every: 55) { ctx in
            guard let mail = ctx.settings.mail else { return }
            let r = try await NotificationMailer(db: ctx.db, now: ctx.now, mail: mail, publicURL: ctx.settings.publicURL, group: ctx.eventLoopGroup).run()
            if r.sent + r.failed > 0 { ctx.logger.info("notification mail: \(r.sent) sent, \(r.failed) failed") }
        },
    ]

    /// Takes (or renews) the lease of a job for this node; true when this node may run it now.
    /// One UPDATE … RETURNING decides, so two nodes asking at once cannot both win. Written through the
    /// write queue: on SQLite a lease written beside it made a request's transaction fail as busy.
    static func acquire(_ name: String, holder: String, every: TimeInterval, now: Date, on db: Database) async throws -> Bool {
        try await db.writeTransaction { db in
            guard let sql = db as? any SQLDatabase else { return false }
            try await sql.raw("""
                INSERT INTO job_leases (id, name, holder, expires_at) VALUES (\(bind: UUID.v7()), \(bind: name), '', \(bind: Date(timeIntervalSince1970: 0)))
                ON CONFLICT (name) DO NOTHING
                """).run()
            let won = try await sql.raw("""
                UPDATE job_leases SET holder = \(bind: holder), expires_at = \(bind: now.addingTimeInterval(every)), last_run_at = \(bind: now)
                WHERE name = \(bind: name) AND expires_at <= \(bind: now)
                RETURNING name
                """).first()
            return won != nil
        }
    }

    /// Runs every job whose lease this node wins. Called by the ticker, and by tests with a moved clock.
    static func tick(app: Application, holder: String) async {
        for job in all {
            do {
                let now = app.now
                if try await acquire(job.name, holder: holder, every: job.every * app.settings.jobPeriodScale, now: now, on: app.db) {
                    try await job.run(JobContext(db: app.db, now: now, logger: app.logger, settings: app.settings, eventLoopGroup: app.eventLoopGroup))
                    app.logger.info("job \(job.name) ran on \(holder) at \(String(format: "%.3f", now.timeIntervalSince1970))")
                }
            } catch {
                app.logger.report(error: error)
            }
        }
    }
}

/// Starts the ticker when the server starts (not for commands or tests).
struct JobsLifecycle: LifecycleHandler {
    let holder = "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))"
    let task = NIOLockedValueBox<RepeatedTask?>(nil)

    func didBootAsync(_ app: Application) async throws {
        // Only the server ticks: `guanxi demo` or `migrate` would fight it for SQLite's one writer.
        if let command = app.environment.arguments.dropFirst().first, command != "serve" { return }
        let holder = self.holder
        let tick = TimeAmount.milliseconds(Int64(app.settings.jobTick * 1000))
        let repeated = app.eventLoopGroup.next().scheduleRepeatedAsyncTask(initialDelay: min(.seconds(5), tick), delay: tick) { _ in
            app.eventLoopGroup.next().makeFutureWithTask { await Jobs.tick(app: app, holder: holder) }
        }
        task.withLockedValue { $0 = repeated }
    }

    func shutdownAsync(_ app: Application) async {
        task.withLockedValue { $0?.cancel() }
    }
}

enum DatabaseStatistics {
    /// Samples each index (analysis_limit keeps it to about a second on a 7 GB file); without these
    /// statistics SQLite walked the whole follow-up time index for one customer's timeline. ANALYZE
    /// writes its statistics, so it takes its turn in the write queue.
    static func refresh(on db: Database) async throws {
        guard db.isSQLite else { return }
        try await db.writeTransaction { db in
            guard let sql = db as? any SQLDatabase else { return }
            try await sql.raw("PRAGMA analysis_limit = 1000").run()
            try await sql.raw("ANALYZE").run()
            try await inFull(on: sql)
        }
    }

    /// The money tallies grow with days × people, not with customers, and are read by scope through two
    /// indexes at once (the department tree's and the manager's own). Judged from a sample of 1,000
    /// entries, the planner read the organisation's whole date range row by row instead; counted in
    /// full (a few hundred milliseconds at most), it takes both indexes.
    static let countedInFull = ["money_days", "receivable_days"]

    static func inFull(on sql: any SQLDatabase) async throws {
        try await sql.raw("PRAGMA analysis_limit = 0").run()
        for table in countedInFull { try await sql.raw("ANALYZE \(ident: table)").run() }
    }
}
