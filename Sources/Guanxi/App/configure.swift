import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import NIOCore
import Vapor

/// Builds the application from explicit settings, so tests can pass their own database and clock.
public func configure(_ app: Application, settings: Settings) async throws {
    app.settings = settings
    app.storage[SetupFlagKey.self] = SetupFlag()
    app.actorCache = ActorCache()
    app.followUpWriter = FollowUpWriter(writeDB: { [weak app] in app?.longWorkDB })
    app.customerViewLog = CustomerViewLog()
    app.storage[ImportProgressKey.self] = ImportProgress()

    switch settings.database {
    case .sqlite(let path):
        if path != ":memory:" {
            let dir = (path as NSString).deletingLastPathComponent
            if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        }
        app.databases.use(.sqlite(path == ":memory:" ? .memory : .file(path), maxConnectionsPerEventLoop: 1,
                                  sqlLogLevel: .debug), as: .sqlite)
        // SQLiteKit keeps one connection per event loop. Long all-or-nothing work (an import's single
        // transaction) gets connections of its own, so the pages of that loop go on reading meanwhile.
        if path != ":memory:" {
            app.databases.use(.sqlite(.file(path), maxConnectionsPerEventLoop: 1, sqlLogLevel: .debug), as: .sqliteLongWork, isDefault: false)
        }
    case .postgres(let url):
        var config = try SQLPostgresConfiguration(url: url)
        config.searchPath = nil
        // A burst of writes on one row (a numbering sequence) queues for connections; wait rather than fail after 10 s.
        app.databases.use(.postgres(configuration: config, maxConnectionsPerEventLoop: 4,
                                    connectionPoolTimeout: .milliseconds(Int64(settings.databasePoolTimeout * 1000)), sqlLogLevel: .debug), as: .psql)
    }
    if case .sqlite = settings.database {
        app.lifecycle.use(SQLiteReads.Finalizer(ids: [.sqlite, .sqliteLongWork]))
        // WAL lets pages read while a write is in progress (it stays set in the file). The rest is per
        // connection and SQLiteKit has no hook for new connections: each event loop's pool holds one
        // connection, so setting it through every loop reaches them all. Without it one connection
        // synced the disk on every commit.
        for loop in app.eventLoopGroup.makeIterator() {
            for id in [DatabaseID.sqlite, .sqliteLongWork] {
                guard let sql = app.databases.database(id, logger: app.logger, on: loop) as? any SQLDatabase else { continue }
                try await sql.raw("PRAGMA journal_mode=WAL").run()
                try await sql.raw("PRAGMA synchronous=NORMAL").run()
                try await sql.raw("PRAGMA busy_timeout=5000").run()
                // 32 MB of pages per connection: a common search's few thousand matched rows, each on its own
                // page of a large customers table, fit (at 16 MB they did not, and every search read them again).
                try await sql.raw("PRAGMA cache_size=-32000").run()
                try await sql.raw("PRAGMA temp_store=MEMORY").run()
            }
        }
    }

    app.migrations.add(Migrations.all)
    if settings.autoMigrate { try await app.autoMigrate() }

    app.passwords.use(.bcrypt(cost: settings.passwordCost))
    app.storage[DummyHashKey.self] = try app.password.hash(Tokens.random())
    app.routes.defaultMaxBodySize = "1mb"
    app.http.server.configuration.hostname = Environment.get("GUANXI_HOST") ?? "127.0.0.1"
    app.http.server.configuration.port = Environment.get("GUANXI_PORT").flatMap(Int.init) ?? 8080

    app.middleware = Middlewares()
    let inFlight = InFlightRequests()
    app.middleware.use(inFlight)
    app.lifecycle.use(inFlight)
    app.middleware.use(SecurityHeadersMiddleware())
    app.middleware.use(AppErrorMiddleware())
    app.middleware.use(MultipartGuardMiddleware())
    app.middleware.use(FileMiddleware(publicDirectory: publicDirectory(app), defaultFile: nil))

    if settings.runJobs { app.lifecycle.use(JobsLifecycle()) }

    app.asyncCommands.use(DemoCommand(), as: "demo")
    app.asyncCommands.use(CreateAdminCommand(), as: "create-admin")
    app.asyncCommands.use(CreateTokenCommand(), as: "create-token")

    try routes(app)
}

/// Public/ beside the working directory, or beside the package when run from elsewhere (tests).
func publicDirectory(_ app: Application) -> String {
    let candidates = [app.directory.publicDirectory,
                      URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Public").path + "/"]
    return candidates.first { FileManager.default.fileExists(atPath: $0 + "css/app.css") } ?? candidates[0]
}

extension DatabaseID {
    /// The same SQLite file through connections of its own, for long transactions (`Application.longWorkDB`).
    static let sqliteLongWork = DatabaseID(string: "sqlite-long-work")
}

extension Application {
    /// Where long all-or-nothing work runs: on SQLite its own connections, so it does not hold the one
    /// connection an event loop's pages read through; on PostgreSQL the shared pool.
    var longWorkDB: any Database {
        databases.ids().contains(.sqliteLongWork) ? db(.sqliteLongWork) : db
    }
}
