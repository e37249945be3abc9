import Fluent
import Foundation
import GuanxiCore
import NIOConcurrencyHelpers
import SQLKit

/// Importing customers from .xlsx or .csv (UTF-8 or GBK): upload, map columns (remembered), preview with
/// per-row errors and duplicate handling, then one all-or-nothing transaction with progress.
struct CustomerImport {
    let db: Database
    let actor: Actor
    let now: Date
    let dataDirectory: String
    /// Customer fields with the organisation's custom fields, resolved once per import.
    let definition: EntityDefinition<Customer>
    /// The fields this actor may fill, resolved once per import.
    let writable: [EntityField<Customer>]

    init(db: Database, actor: Actor, now: Date, dataDirectory: String) {
        self.db = db
        self.actor = actor
        self.now = now
        self.dataDirectory = dataDirectory
        self.definition = actor.definition(Customer.definition)
        self.writable = definition.writableFields(for: actor)
    }

    static let maxRows = 200_000
    /// Columns a file may fill: every writable field except references to other customers, plus the owner.
    static func importable(_ actor: Actor) -> [EntityField<Customer>] {
        actor.definition(Customer.definition).fields.filter { ($0.isEditable && $0.kind != .customer) || $0.key == "owner" }
    }
    static let duplicateKeys = ["name", "phone", "creditCode"]

    // MARK: reading files

    static func rows(of data: Data, fileName: String) throws -> [[String]] {
        if fileName.lowercased().hasSuffix(".xlsx") {
            do { return try XLSX.read(data) } catch { throw AppError.badRequest("error.fileUnreadable") }
        }
        guard let text = TextDecoding.decode(data) else { throw AppError.badRequest("error.fileUnreadable") }
        return CSV.parse(text)
    }

    /// Stores the upload and reads its header; the mapping starts from the last import's choices.
    func upload(_ data: Data, fileName: String) async throws -> ImportJob {
        try actor.require(.import, .customers)
        let lower = fileName.lowercased()
        guard lower.hasSuffix(".csv") || lower.hasSuffix(".xlsx") else { throw AppError.badRequest("error.fileType") }
        let rows = try Self.rows(of: data, fileName: fileName)
        guard let header = rows.first, !header.isEmpty else { throw AppError.badRequest("error.fileEmpty") }
        guard rows.count - 1 <= Self.maxRows else { throw AppError.badRequest("error.fileTooManyRows") }
        let dir = URL(fileURLWithPath: dataDirectory).appendingPathComponent("imports")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let job = ImportJob(orgID: actor.orgID, userID: actor.userID, entity: Customer.entity, fileName: String(fileName.prefix(200)),
                            filePath: "", headers: header.map { $0.trimmingCharacters(in: .whitespaces) }, total: rows.count - 1, at: now)
        let path = dir.appendingPathComponent("\(job.id!.uuidString).\(lower.hasSuffix(".xlsx") ? "xlsx" : "csv")")
        try data.write(to: path)
        job.filePath = path.path
        job.mapping = try await guessMapping(job.headers)
        try await job.create(on: db)
        return job
    }

    /// A column maps to the field whose label (either language) or key it names, or to what the same
    /// header was mapped to last time.
    func guessMapping(_ headers: [String]) async throws -> [String] {
        let last = try await actor.inOrg(ImportJob.self, on: db).filter(\.$entity == Customer.entity).filter(\.$status == .done)
            .sort(\.$createdAt, .descending).firstRow()
        var remembered: [String: String] = [:]
        if let last { for (h, f) in zip(last.headers, last.mapping) where !f.isEmpty { remembered[h] = f } }
        let zh = Translator(.zhHans), en = Translator(.en)
        return headers.map { h in
            if let f = remembered[h] { return f }
            let norm = h.lowercased()
            return Self.importable(actor).first { f in [f.title(zh), f.title(en).lowercased(), f.key.lowercased()].contains(norm) }?.key ?? ""
        }
    }

    // MARK: checking

    struct Lookups {
        var options: [String: [String: String]] = [:]   // kind -> label or value -> value
        var regions: [String: UUID] = [:]              // name or path -> id
        var users: [String: User] = [:]                // account or name -> user
    }

    func lookups() async throws -> Lookups {
        var l = Lookups()
        for o in try await actor.inOrg(DictionaryOption.self, on: db).filter(\.$isActive == true).rows() {
            l.options[o.kind, default: [:]][o.value] = o.value
            l.options[o.kind, default: [:]][o.label] = o.value
            if let en = o.labelEn { l.options[o.kind, default: [:]][en.lowercased()] = o.value }
        }
        let regionService = RegionService(db: db, actor: actor, now: now)
        for (id, path) in try await regionService.paths() {
            l.regions[path] = id
            l.regions[path.replacingOccurrences(of: " / ", with: "/")] = id
            if let leaf = path.components(separatedBy: " / ").last, l.regions[leaf] == nil { l.regions[leaf] = id }
        }
        for u in try await actor.inOrg(User.self, on: db).filter(\.$status == .active).rows() {
            l.users[u.account] = u
            if l.users[u.name] == nil { l.users[u.name] = u }
        }
        return l
    }

    /// One file row as field values and an owner, with its problems.
    func convert(_ cells: [String], mapping: [String], lookups l: Lookups) -> (EntityInput, UUID?) {
        var form: [String: String] = [:]
        var owner: UUID?
        var input = EntityInput()
        for (i, key) in mapping.enumerated() where !key.isEmpty && i < cells.count {
            var raw = Check.trim(cells[i])
            guard let f = definition.field(key) else { continue }
            if raw.isEmpty { continue }
            switch f.kind {
            case .option(let kind):
                guard let v = l.options[kind.rawValue]?[raw] ?? l.options[kind.rawValue]?[raw.lowercased()] else {
                    input.errors.add(key, "error.invalidOption"); continue
                }
                raw = v
            case .options(let kind):
                let labels = raw.split(whereSeparator: { ",，、;；".contains($0) }).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                let values = labels.compactMap { l.options[kind.rawValue]?[$0] ?? l.options[kind.rawValue]?[$0.lowercased()] }
                if values.isEmpty || values.count != labels.count { input.errors.add(key, "error.invalidOption"); continue }
                raw = values.joined(separator: ",")
            case .choice(let values, let prefix):
                if !values.contains(raw) {
                    let zh = Translator(.zhHans), en = Translator(.en)
                    guard let v = values.first(where: { zh("\(prefix).\($0)") == raw || en("\(prefix).\($0)").lowercased() == raw.lowercased() }) else {
                        input.errors.add(key, "error.invalidOption"); continue
                    }
                    raw = v
                }
            case .region:
                guard let id = l.regions[raw] ?? l.regions[raw.replacingOccurrences(of: " ", with: "")] else { input.errors.add(key, "error.invalidOption"); continue }
                raw = id.uuidString
            case .user where key == "owner":
                guard let u = l.users[raw] ?? l.users[raw.lowercased()] else { input.errors.add("owner", "error.unknownUser"); continue }
                owner = u.id
                continue
            case .user:
                guard let u = l.users[raw] ?? l.users[raw.lowercased()] else { input.errors.add(key, "error.unknownUser"); continue }
                raw = u.id!.uuidString
            case .date:
                // Excel keeps dates as day numbers counted from 1899-12-30.
                if let serial = Double(raw), serial > 1000, serial < 100_000 {
                    let f = DateFormatter()
                    f.locale = Locale(identifier: "en_US_POSIX")
                    f.timeZone = TimeZone(identifier: "UTC")
                    f.dateFormat = "yyyy-MM-dd"
                    raw = f.string(from: Date(timeIntervalSince1970: (serial - 25569) * 86_400))
                } else {
                    raw = raw.replacingOccurrences(of: "/", with: "-").replacingOccurrences(of: ".", with: "-")
                    let parts = raw.split(separator: "-")
                    if parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) {
                        raw = String(format: "%04d-%02d-%02d", y, m, d)
                    }
                }
            default:
                break
            }
            form[key] = raw
        }
        var parsed = definition.input(form: form, actor: actor, writable: writable)
        definition.requireCustom(&parsed, record: nil, actor: actor, writable: writable)
        input.values = parsed.values
        for (k, v) in parsed.errors.messages { input.errors.add(k, v) }
        if input.value("name") == nil && input.errors["name"] == nil { input.errors.add("name", "error.required") }
        if let owner, owner != actor.userID, !actor.can(.assign, .customers) { input.errors.add("owner", "error.assignNotAllowed") }
        return (input, owner)
    }

    struct Preview {
        var rows: [(Int, EntityInput)] = []
        var errors: [ImportJob.RowError] = []
        var newCount = 0
        var duplicateCount = 0
    }

    /// Checks every row; sample keeps the first rows for display.
    func preview(_ job: ImportJob, sample: Int = 20) async throws -> Preview {
        let data = try Data(contentsOf: URL(fileURLWithPath: job.filePath))
        let rows = try Self.rows(of: data, fileName: job.fileName).dropFirst()
        let l = try await lookups()
        let t = actor.t
        var p = Preview()
        var inFile = FileDuplicates(keys: job.duplicateKeys)
        var batch: [(Int, EntityInput)] = []
        func flush() async throws {
            let dups = try await existing(batch.map(\.1), keys: job.duplicateKeys)
            for (_, input) in batch { if match(input, in: dups, keys: job.duplicateKeys) != nil { p.duplicateCount += 1 } else { p.newCount += 1 } }
            batch.removeAll()
        }
        for (i, cells) in rows.enumerated() {
            let rowNumber = i + 2
            let (input, _) = convert(cells, mapping: job.mapping, lookups: l)
            var errors = input.errors.messages
            for key in inFile.repeated(input) { errors[key] = "error.duplicateInFile" }
            for (field, message) in errors.sorted(by: { $0.key < $1.key }) where p.errors.count < 1000 {
                p.errors.append(.init(row: rowNumber, field: definition.field(field).map { $0.title(t) } ?? field, message: t(message)))
            }
            if p.rows.count < sample { p.rows.append((rowNumber, input)) }
            if errors.isEmpty { batch.append((rowNumber, input)) }
            if batch.count == 500 { try await flush() }
        }
        try await flush()
        return p
    }

    // MARK: duplicates

    /// Rows that repeat an earlier row of the same file on a duplicate key.
    struct FileDuplicates {
        let keys: [String]
        private var seen: [String: Set<String>] = [:]

        init(keys: [String]) { self.keys = keys }

        /// The keys on which this row repeats an earlier one; remembers the row's values.
        mutating func repeated(_ input: EntityInput) -> [String] {
            var out: [String] = []
            for key in keys {
                guard let v = input.value(key).map({ key == "phone" ? Check.digits($0) : $0.uppercased() }), !v.isEmpty else { continue }
                if !seen[key, default: []].insert(v).inserted { out.append(key) }
            }
            return out
        }
    }

    /// Existing customers (anywhere in the organisation) matching a batch on the chosen keys.
    func existing(_ inputs: [EntityInput], keys: [String], on conn: Database? = nil) async throws -> [Customer] {
        let db = conn ?? self.db
        let names = keys.contains("name") ? inputs.compactMap { $0.value("name") } : []
        let phones = keys.contains("phone") ? inputs.compactMap { $0.value("phone").map(Check.digits) }.filter { !$0.isEmpty } : []
        let codes = keys.contains("creditCode") ? inputs.compactMap { $0.value("creditCode")?.uppercased() } : []
        guard !(names.isEmpty && phones.isEmpty && codes.isEmpty) else { return [] }
        return try await actor.inOrg(Customer.self, on: db).group(.or) { or in
            if !names.isEmpty { or.filter(\.$name ~~ names) }
            if !phones.isEmpty { or.filter(\.$phoneDigits ~~ phones) }
            if !codes.isEmpty { or.filter(\.$creditCode ~~ codes) }
        }.rows()
    }

    func match(_ input: EntityInput, in existing: [Customer], keys: [String]) -> Customer? {
        existing.first { c in
            (keys.contains("name") && input.value("name") == c.name)
                || (keys.contains("phone") && input.value("phone").map(Check.digits).map { !$0.isEmpty && $0 == c.phoneDigits } == true)
                || (keys.contains("creditCode") && input.value("creditCode").map { $0.uppercased() == c.creditCode } == true)
        }
    }

    // MARK: committing

    /// Imports every row in one transaction: any failure leaves nothing behind. `progress` hears rows done.
    /// The preview found no errors; a row that has one now (a user left, an option was switched off)
    /// fails the import and rolls it back.
    func commit(_ job: ImportJob, progress: @escaping @Sendable (Int) -> Void = { _ in }) async throws -> (created: Int, updated: Int, skipped: Int) {
        try actor.require(.import, .customers)
        let data = try Data(contentsOf: URL(fileURLWithPath: job.filePath))
        let rows = Array(try Self.rows(of: data, fileName: job.fileName).dropFirst())
        let l = try await lookups()
        let me = try await actor.inOrg(User.self, on: db).filter(\.$id == actor.userID).firstRow()
        let owners = Dictionary(l.users.values.map { ($0.id!, $0) }, uniquingKeysWith: { a, _ in a })
        let mode = job.duplicateMode
        let keys = job.duplicateKeys
        let actor = self.actor, now = self.now
        let batches = stride(from: 0, to: rows.count, by: 500).map { rows[$0..<min($0 + 500, rows.count)] }
        let readBatch = { @Sendable (slice: ArraySlice<[String]>) in
            slice.map { self.prepare($0, mapping: job.mapping, lookups: l, owners: owners, me: me) }
        }
        return try await db.writeTransaction { tx in
            var created = 0, updated = 0, skipped = 0, done = 0
            var inFile = FileDuplicates(keys: keys)
            let audit = Audit(actor: actor, db: tx, now: now)
            // The next batch is read while this one is written: two cores, half the wait.
            var next = batches.first.map { slice in Task { readBatch(slice) } }
            defer { next?.cancel() }
            for b in batches.indices {
                let prepared = await next!.value
                next = b + 1 < batches.count ? Task { [batches] in readBatch(batches[b + 1]) } : nil
                let dups = mode == .create ? [] : try await self.existing(prepared.map(\.input), keys: keys, on: tx)
                var fresh: [Customer] = []
                for row in prepared {
                    guard let c = row.customer, inFile.repeated(row.input).isEmpty else { throw AppError.conflict("error.importHasErrors") }
                    if mode != .create, let existing = self.match(row.input, in: dups, keys: keys) {
                        if mode == .skip { skipped += 1; continue }
                        let before = definition.values(existing)
                        definition.apply(row.input, to: existing)
                        try await existing.save(on: tx)
                        try await audit.updated(Customer.entity, existing.id!, before: before, after: definition.values(existing))
                        updated += 1
                        continue
                    }
                    fresh.append(c)
                }
                if !fresh.isEmpty {
                    let numbers = try await Numbering.nextRange(.customer, count: fresh.count, orgID: actor.orgID, timeZone: actor.org.timeZone, now: now, on: tx)
                    for (c, n) in zip(fresh, numbers) { c.number = n }
                    try await fresh.create(on: tx)
                    try await fresh.map {
                        AuditEntry(orgID: actor.orgID, entity: Customer.entity, recordID: $0.id!, action: .create, field: "import", oldValue: nil,
                                   newValue: job.fileName, actorID: actor.userID, actorName: actor.name, at: now)
                    }.create(on: tx)
                    created += fresh.count
                }
                done += prepared.count
                progress(done)
            }
            return (created, updated, skipped)
        }
    }

    /// One file row read and, when it has no errors, made into the customer it would create.
    struct PreparedRow: @unchecked Sendable {
        let input: EntityInput
        let customer: Customer?
    }

    func prepare(_ cells: [String], mapping: [String], lookups l: Lookups, owners: [UUID: User], me: User?) -> PreparedRow {
        let (input, ownerID) = convert(cells, mapping: mapping, lookups: l)
        guard input.errors.isEmpty else { return PreparedRow(input: input, customer: nil) }
        let owner = ownerID.flatMap { owners[$0] } ?? me
        let c = Customer(orgID: actor.orgID, name: "", phone: nil, ownerID: owner?.id, departmentID: owner?.departmentID, createdBy: actor.userID)
        definition.apply(input, to: c)
        if Check.clean(c.mnemonic) == nil { c.mnemonic = Pinyin.mnemonic(c.name) }
        c.refreshSearchKeys()
        c.claimedAt = now
        return PreparedRow(input: input, customer: c)
    }
}

/// Rows done per running import on this node, for the progress bar.
final class ImportProgress: Sendable {
    private let box = NIOLockedValueBox<[UUID: Int]>([:])
    func set(_ id: UUID, _ n: Int) { box.withLockedValue { $0[id] = n } }
    func get(_ id: UUID) -> Int? { box.withLockedValue { $0[id] } }
    func clear(_ id: UUID) { box.withLockedValue { _ = $0.removeValue(forKey: id) } }
}
