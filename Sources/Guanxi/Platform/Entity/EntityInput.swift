import Fluent
import Foundation
import GuanxiCore

/// What a form or an API body asks to change: field key -> canonical value (nil clears the field).
/// Keys that are absent stay as they are.
struct EntityInput: Sendable {
    var values: [String: String?] = [:]
    var errors = FieldErrors()

    func has(_ key: String) -> Bool { values.keys.contains(key) }
    func value(_ key: String) -> String? { values[key] ?? nil }
}

extension EntityDefinition {
    /// Fields this actor may set: declared writable and not hidden, masked or locked by a field rule.
    func writableFields(for actor: Actor) -> [EntityField<M>] {
        fields.filter { $0.isEditable && rule($0, for: actor) == nil }
    }

    /// Reads a posted form. Fields the actor may not write are not in the form and are ignored.
    /// `writable` is `writableFields(for: actor)` when the caller reads many forms.
    func input(form raw: [String: String], actor: Actor, writable: [EntityField<M>]? = nil) -> EntityInput {
        var input = EntityInput()
        let form = folded(raw)
        for f in writable ?? writableFields(for: actor) where form.keys.contains(f.key) {
            let (value, error) = FieldCodec.parse(f, form: form[f.key], decimals: actor.org.moneyDecimals)
            if let error { input.errors.add(f.key, error) }
            input.values[f.key] = value
        }
        return input
    }

    /// A multi-option field posts one checkbox per option (`<key>.<value>`) beside an empty `<key>`;
    /// this joins them into the field's canonical text, so a form shown again keeps what was ticked.
    func folded(_ form: [String: String]) -> [String: String] {
        var out = form
        for f in fields {
            // A non-empty `<key>` is already canonical text (imports, tests); the form posts it empty.
            guard case .options = f.kind, form[f.key]?.isEmpty == true else { continue }
            let prefix = f.key + "."
            out[f.key] = form.keys.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }.sorted().joined(separator: ",")
        }
        return out
    }

    /// Reads a JSON body. Unknown keys and fields the actor may not write are errors, not silently dropped.
    func input(json: [String: JSONInput], actor: Actor, extraKeys: Set<String> = []) -> EntityInput {
        var input = EntityInput()
        let writable = Dictionary(uniqueKeysWithValues: writableFields(for: actor).map { ($0.apiKey, $0) })
        for (key, raw) in json where !extraKeys.contains(key) {
            guard let f = writable[key] else {
                input.errors.add(key, field(apiKey: key) == nil ? "error.unknownField" : "error.readOnly")
                continue
            }
            let (value, error) = FieldCodec.parse(f, json: raw, decimals: actor.org.moneyDecimals)
            if let error { input.errors.add(f.key, error) }
            input.values[f.key] = value
        }
        return input
    }

    /// Checks that referenced options and records exist for this organisation and are visible to the actor.
    func validateReferences(_ input: inout EntityInput, actor: Actor, on db: Database) async throws {
        for f in fields {
            guard input.errors[f.key] == nil, let value = input.value(f.key) else { continue }
            switch f.kind {
            case .option(let kind):
                if try await actor.inOrg(DictionaryOption.self, on: db).filter(\.$kind == kind.rawValue).filter(\.$value == value)
                    .filter(\.$isActive == true).firstRow() == nil {
                    input.errors.add(f.key, "error.invalidOption")
                }
            case .options(let kind):
                let values = value.split(separator: ",").map(String.init)
                let found = try await actor.inOrg(DictionaryOption.self, on: db).filter(\.$kind == kind.rawValue).filter(\.$value ~~ values)
                    .filter(\.$isActive == true).countRows()
                if found != values.count { input.errors.add(f.key, "error.invalidOption") }
            case .choice(let values, _):
                if !values.contains(value) { input.errors.add(f.key, "error.invalidOption") }
            case .region:
                if try await !actor.inOrg(Region.self, on: db).filter(\.$id == UUID(uuidString: value)!).exists() {
                    input.errors.add(f.key, "error.invalidOption")
                }
            case .department:
                if try await !actor.inOrg(Department.self, on: db).filter(\.$id == UUID(uuidString: value)!).exists() {
                    input.errors.add(f.key, "error.invalidOption")
                }
            case .user:
                if try await !actor.inOrg(User.self, on: db).filter(\.$id == UUID(uuidString: value)!).filter(\.$status == .active).exists() {
                    input.errors.add(f.key, "error.unknownUser")
                }
            case .customer:
                if try await !actor.query(Customer.self, .view, on: db).filter(\.$id == UUID(uuidString: value)!).exists() {
                    input.errors.add(f.key, "error.invalidOption")
                }
            default:
                break
            }
        }
    }

    /// Required custom fields must hold a value once the input is applied (core fields check their own).
    func requireCustom(_ input: inout EntityInput, record: M?, actor: Actor, writable: [EntityField<M>]? = nil) {
        for f in writable ?? writableFields(for: actor) where f.isCustom && f.required && input.errors[f.key] == nil {
            let value = input.has(f.key) ? input.value(f.key) : record.flatMap(f.read)
            if value?.isEmpty ?? true { input.errors.add(f.key, "error.required") }
        }
    }

    /// Applies validated values to a record.
    func apply(_ input: EntityInput, to record: M) {
        for f in fields where input.has(f.key) { f.write?(record, input.value(f.key)) }
    }
}

extension Lookups {
    /// Loads the names a set of records and their audit history refer to.
    static func load<M>(_ definition: EntityDefinition<M>, records: [M], history: [AuditEntry] = [], actor: Actor, on db: Database,
                        extraUsers: [UUID] = []) async throws -> Lookups {
        try await load(definition, values: { f in records.compactMap { f.read($0) } }, history: history, actor: actor, on: db, extraUsers: extraUsers)
    }

    /// Loads the names the listed records refer to.
    static func load<M>(_ definition: EntityDefinition<M>, listed: [Listed], actor: Actor, on db: Database) async throws -> Lookups {
        try await load(definition, values: { f in listed.compactMap { $0[f.key] } }, history: [], actor: actor, on: db, extraUsers: [])
    }

    private static func load<M>(_ definition: EntityDefinition<M>, values valuesOf: (EntityField<M>) -> [String], history: [AuditEntry],
                                actor: Actor, on db: Database, extraUsers: [UUID]) async throws -> Lookups {
        var userIDs = Set(extraUsers)
        var deptIDs: Set<UUID> = []
        var regionIDs: Set<UUID> = []
        var customerIDs: Set<UUID> = []
        var kinds: Set<String> = []
        for f in definition.fields {
            if case .option(let kind) = f.kind { kinds.insert(kind.rawValue) }
            if case .options(let kind) = f.kind { kinds.insert(kind.rawValue) }
            guard f.isReference else { continue }
            let values = valuesOf(f) + history.filter { $0.field == f.key }.flatMap { [$0.oldValue, $0.newValue] }.compactMap { $0 }
            let ids = values.compactMap(UUID.parse)
            switch f.kind {
            case .user: userIDs.formUnion(ids)
            case .department: deptIDs.formUnion(ids)
            case .region: regionIDs.formUnion(ids)
            case .customer: customerIDs.formUnion(ids)
            default: break
            }
        }
        var l = Lookups()
        // Only ids and names are read from users, departments and customers: decoding whole rows was most of the cost.
        if !kinds.isEmpty {
            for o in try await DictionaryService.all(ofKinds: kinds, actor: actor, on: db) { l.dictionary[o.kind, default: [:]][o.value] = o }
        }
        if !userIDs.isEmpty { l.users = try await actor.names(of: User.self, on: db) }
        if !deptIDs.isEmpty { l.departments = try await actor.names(of: Department.self, on: db) }
        if !regionIDs.isEmpty {
            l.regions = try await RegionService(db: db, actor: actor, now: Date()).paths()
        }
        if !customerIDs.isEmpty {
            // Names of related customers are shown even outside the viewer's scope; the link itself is checked when followed.
            for c in try await actor.inOrg(Customer.self, on: db).field(\.$id).field(\.$name).filter(\.$id ~~ Array(customerIDs)).rows() { l.customers[c.id!] = c.name }
        }
        return l
    }
}

extension EntityField {
    var isReference: Bool {
        switch kind {
        case .user, .department, .region, .customer: true
        default: false
        }
    }

    /// The API names references `<key>ID` (ownerID, regionID, parentID …); other fields keep their key.
    var apiKey: String { isReference ? key + "ID" : key }
}

extension EntityDefinition {
    func field(apiKey: String) -> EntityField<M>? { fields.first { $0.apiKey == apiKey } }

    /// A record as the API shows it to this actor: hidden fields absent, masked ones masked.
    func json(_ record: M, id: UUID, actor: Actor, extra: [(String, JSONValue)] = []) -> JSONValue {
        json(id: id, read: { $0.read(record) }, actor: actor, extra: extra)
    }

    /// A listed record as the API shows it, the same as the model would be shown.
    func json(_ listed: Listed, actor: Actor, extra: [(String, JSONValue)] = []) -> JSONValue {
        json(id: listed.id, read: { listed[$0.key] }, actor: actor, extra: extra)
    }

    private func json(id: UUID, read: (EntityField<M>) -> String?, actor: Actor, extra: [(String, JSONValue)]) -> JSONValue {
        var pairs: [(String, JSONValue)] = [("id", .string(id.uuidString))]
        for f in fields {
            let rule = rule(f, for: actor)
            if rule == .hidden { continue }
            var value = read(f)
            if rule == .masked { value = value.map(Masking.mask) }
            if let v = rule == .masked ? value.map(JSONValue.string) : FieldCodec.json(f, value) { pairs.append((f.apiKey, v)) }
        }
        return .object(pairs + extra)
    }

    /// The OpenAPI schema of the record, and of a create / patch body.
    func schemas(name: String) -> [(String, JSONValue)] {
        let all: [(String, JSONValue)] = [("id", ["type": "string", "format": "uuid"])] + fields.map { ($0.apiKey, FieldCodec.schema($0)) }
        let writable: [(String, JSONValue)] = fields.filter(\.isEditable).map { f in
            var s = FieldCodec.schema(f)
            if case .object(var pairs) = s, f.required { pairs.append(("minLength", 1)); s = .object(pairs) }
            return (f.apiKey, s)
        }
        let required = fields.filter(\.required).map { JSONValue.string($0.apiKey) }
        return [
            (name, .object([("type", "object"), ("required", .array([.string("id")] + required)), ("properties", .object(all))])),
            ("\(name)Patch", .object([("type", "object"), ("properties", .object(writable))])),
        ]
    }
}
