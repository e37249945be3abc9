import Foundation
import Vapor

/// Configuration read once at start-up. Tests build one directly instead of touching the environment.
public struct Settings: Sendable {
    public enum DatabaseKind: Sendable, Equatable {
        case sqlite(path: String)
        case postgres(url: String)
    }

    public var database: DatabaseKind
    public var dataDirectory: String
    /// bcrypt cost; tests lower it so sign-ins stay fast.
    public var passwordCost: Int
    public var sessionLifetime: TimeInterval
    public var lockout: LockoutSettings
    /// Sets Secure on cookies; on when served behind TLS.
    public var secureCookies: Bool
    public var autoMigrate: Bool
    /// Runs scheduled jobs (pool recycling, reminders) in this process; off in tests, which tick by hand.
    public var runJobs: Bool = false
    /// Seconds between two looks at the job leases (GUANXI_JOB_TICK), and a factor on every job's
    /// period (GUANXI_JOB_PERIOD_SCALE): the two-node test runs a day of schedule in a minute.
    public var jobTick: TimeInterval = 60
    public var jobPeriodScale: Double = 1
    /// The time source for every rule that depends on "now".
    public var clock: @Sendable () -> Date
    /// Copies of notifications go out through this server when set (GUANXI_SMTP_URL, GUANXI_SMTP_FROM).
    public var mail: MailSettings?
    /// The address people open Guanxi at, for links in mail (GUANXI_PUBLIC_URL, e.g. https://crm.example.com).
    public var publicURL: String?
    /// How long a request waits for a PostgreSQL connection before it is answered 503 (GUANXI_DB_POOL_TIMEOUT).
    /// The tests raise it: there eighty suites share two cores with the database.
    public var databasePoolTimeout: TimeInterval = 30

    public struct LockoutSettings: Sendable {
        public var maxFailures: Int = 5
        public var minutes: Int = 15
    }

    public init(
        database: DatabaseKind,
        dataDirectory: String = "data",
        passwordCost: Int = 12,
        sessionLifetime: TimeInterval = 7 * 24 * 3600,
        secureCookies: Bool = false,
        autoMigrate: Bool = true,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.database = database
        self.dataDirectory = dataDirectory
        self.passwordCost = passwordCost
        self.sessionLifetime = sessionLifetime
        self.lockout = LockoutSettings()
        self.secureCookies = secureCookies
        self.autoMigrate = autoMigrate
        self.clock = clock
    }

    /// Reads GUANXI_* variables: GUANXI_DATABASE_URL (postgres://… or sqlite path), GUANXI_DATA_DIR,
    /// GUANXI_SECURE_COOKIES, GUANXI_BCRYPT_COST, GUANXI_SMTP_URL + GUANXI_SMTP_FROM, GUANXI_PUBLIC_URL.
    public static func fromEnvironment() -> Settings {
        let env = ProcessInfo.processInfo.environment
        let dataDir = env["GUANXI_DATA_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "data"
        let database: DatabaseKind
        if let url = env["GUANXI_DATABASE_URL"], url.hasPrefix("postgres") {
            database = .postgres(url: url)
        } else if let url = env["GUANXI_DATABASE_URL"], !url.isEmpty {
            database = .sqlite(path: url.replacingOccurrences(of: "sqlite://", with: ""))
        } else {
            database = .sqlite(path: dataDir + "/guanxi.sqlite")
        }
        var settings = Settings(database: database, dataDirectory: dataDir)
        settings.secureCookies = env["GUANXI_SECURE_COOKIES"] == "1"
        settings.runJobs = env["GUANXI_JOBS"] != "0"
        if let tick = env["GUANXI_JOB_TICK"].flatMap(Double.init), tick >= 0.1 { settings.jobTick = tick }
        if let wait = env["GUANXI_DB_POOL_TIMEOUT"].flatMap(Double.init), wait >= 1 { settings.databasePoolTimeout = wait }
        if let scale = env["GUANXI_JOB_PERIOD_SCALE"].flatMap(Double.init), scale > 0 { settings.jobPeriodScale = scale }
        settings.mail = MailSettings.parse(url: env["GUANXI_SMTP_URL"], from: env["GUANXI_SMTP_FROM"])
        settings.publicURL = env["GUANXI_PUBLIC_URL"].flatMap { $0.isEmpty ? nil : String($0.trimmingCharacters(in: CharacterSet(charactersIn: "/"))) }
        if let cost = env["GUANXI_BCRYPT_COST"].flatMap(Int.init), (4...31).contains(cost) {
            settings.passwordCost = cost
        }
        return settings
    }
}

struct SettingsKey: StorageKey {
    typealias Value = Settings
}

extension Application {
    public var settings: Settings {
        get {
            guard let s = storage[SettingsKey.self] else { fatalError("configure(_:settings:) was not called") }
            return s
        }
        set { storage[SettingsKey.self] = newValue }
    }

    /// "Now" for every rule; tests move it.
    var now: Date { settings.clock() }
}

extension Request {
    var now: Date { application.now }
}
