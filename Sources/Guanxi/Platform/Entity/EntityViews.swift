import Fluent
import Foundation
import GuanxiCore

/// Choices a form needs for option and reference fields, loaded once per form.
struct FormChoices {
    var dictionary: [String: [DictionaryOption]] = [:]
    var users: [Colleague] = []
    var regions: [(node: Region, depth: Int)] = []
    var departments: [(node: Department, depth: Int)] = []
}

extension FormChoices {
    /// Everything the declaration's option and reference fields offer, in one query per kind of choice.
    static func load<M>(_ def: EntityDefinition<M>, actor: Actor, on db: Database) async throws -> FormChoices {
        var choices = FormChoices()
        var kinds: Set<String> = []
        var needsUsers = false, needsRegions = false, needsDepartments = false
        for f in def.fields where f.isEditable {
            switch f.kind {
            case .option(let k), .options(let k): kinds.insert(k.rawValue)
            case .user: needsUsers = true
            case .region: needsRegions = true
            case .department: needsDepartments = true
            default: break
            }
        }
        if !kinds.isEmpty {
            for o in try await DictionaryService.all(ofKinds: kinds, actor: actor, on: db) where o.isActive {
                choices.dictionary[o.kind, default: []].append(o)
            }
        }
        if needsUsers { choices.users = try await actor.activeColleagues(on: db) }
        if needsRegions { choices.regions = try await RegionService(db: db, actor: actor, now: Date()).tree() }
        if needsDepartments { choices.departments = try await DepartmentService(db: db, actor: actor, now: Date()).tree() }
        return choices
    }
}

/// Forms and detail panels drawn from an entity declaration.
enum EntityViews {
    /// One control per field. `values` holds what the form shows (typed text on a failed post).
    static func control<M>(_ f: EntityField<M>, in def: EntityDefinition<M>, actor: Actor, value: String?, error: String?, choices: FormChoices, t: Translator) -> HNode {
        let label = f.title(t)
        let err = error.map { t($0) }
        let rule = def.rule(f, for: actor)
        if rule == .hidden { return H.empty }
        if rule != nil || !f.isEditable {
            let shown = rule == .masked ? value.map(Masking.mask) : value
            return Forms.input(f.key + "_ro", label: label, value: shown, error: nil, extra: [.flag("disabled")])
        }
        switch f.kind {
        case .option(let kind):
            let opts = (choices.dictionary[kind.rawValue] ?? []).map { Forms.Option(value: $0.value, label: $0.label(t.locale)) }
            return Forms.select(f.key, label: label, options: opts, selected: value, error: err, required: f.required, blank: "—")
        case .options(let kind):
            let ticked = Set((value ?? "").split(separator: ",").map(String.init))
            let boxes = (choices.dictionary[kind.rawValue] ?? []).map { o in
                Forms.checkbox("\(f.key).\(o.value)", label: o.label(t.locale), checked: ticked.contains(o.value))
            }
            return Forms.fieldWrap(f.key, label: label, required: f.required, error: err,
                                   H.el("fieldset", [.cls("check-group"), A("aria-label", label)], [H.void("input", [.type("hidden"), .name(f.key), .value("")])] + boxes))
        case .number:
            return Forms.input(f.key, label: label, value: value, error: err, required: f.required, extra: [A("inputmode", "decimal"), A("maxlength", "24")])
        case .choice(let values, let prefix):
            return Forms.select(f.key, label: label, options: values.map { .init(value: $0, label: t("\(prefix).\($0)")) },
                                selected: value, error: err, required: f.required)
        case .region:
            return Forms.select(f.key, label: label, options: choices.regions.map {
                .init(value: $0.node.id!.uuidString, label: String(repeating: "　", count: $0.depth) + $0.node.name)
            }, selected: value, error: err, blank: "—")
        case .department:
            return Forms.select(f.key, label: label, options: choices.departments.map {
                .init(value: $0.node.id!.uuidString, label: String(repeating: "　", count: $0.depth) + $0.node.name)
            }, selected: value, error: err, blank: "—")
        case .user:
            return Forms.select(f.key, label: label, options: choices.users.map { .init(value: $0.id.uuidString, label: $0.name) },
                                selected: value, error: err, blank: "—")
        case .longText:
            return Forms.textarea(f.key, label: label, value: value, error: err)
        case .date:
            return Forms.input(f.key, label: label, value: value, error: err, type: "date", required: f.required)
        case .money:
            return Forms.input(f.key, label: label, value: value, error: err, required: f.required, hint: t("hint.money"),
                               extra: [A("inputmode", "decimal"), A("maxlength", "20")])
        case .phone:
            return Forms.input(f.key, label: label, value: value, error: err, type: "tel", required: f.required, extra: [A("maxlength", String(f.maxLength))])
        case .email:
            return Forms.input(f.key, label: label, value: value, error: err, type: "email", required: f.required, extra: [A("maxlength", String(f.maxLength))])
        case .customer:
            return Forms.input(f.key, label: label, value: value, error: err, hint: t("hint.customerRef"), extra: [A("maxlength", "60")])
        case .bool:
            return Forms.checkbox(f.key, label: label, checked: value == "true")
        case .text, .url:
            return Forms.input(f.key, label: label, value: value, error: err, required: f.required, extra: [A("maxlength", String(f.maxLength))])
        }
    }

    /// A definition list of the fields the actor may see, in the given order.
    static func facts<M>(_ def: EntityDefinition<M>, keys: [String], record: M, actor: Actor, lookups: Lookups, t: Translator,
                         link: (EntityField<M>, String) -> String? = { _, _ in nil }) -> HNode {
        var nodes: [HNode] = []
        for key in keys {
            guard let f = def.field(key) else { continue }
            let rule = def.rule(f, for: actor)
            if rule == .hidden { continue }
            let raw = f.read(record)
            let shown = rule == .masked ? (raw.map(Masking.mask) ?? "") : FieldCodec.display(f, raw, lookups: lookups, t: t, decimals: actor.org.moneyDecimals)
            nodes.append(H.el("dt", [], [H.text(f.title(t))]))
            if let raw, let href = link(f, raw), !shown.isEmpty {
                nodes.append(H.el("dd", [], [H.a(href, shown)]))
            } else {
                nodes.append(H.el("dd", [.cls(shown.isEmpty ? "muted" : "")], [H.text(shown.isEmpty ? "—" : shown)]))
            }
        }
        return H.el("dl", [.cls("facts")], nodes)
    }
}
