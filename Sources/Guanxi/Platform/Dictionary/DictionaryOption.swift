import Fluent
import Foundation
import GuanxiCore

/// One choice of a drop-down list (数据字典), editable per organisation.
final class DictionaryOption: Model, @unchecked Sendable {
    static let schema = "dictionary_options"

    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "kind") var kind: String
    /// Stable code stored on records; renaming the label keeps records pointing at it.
    @Field(key: "value") var value: String
    @Field(key: "label") var label: String
    @OptionalField(key: "label_en") var labelEn: String?
    @Field(key: "sort_order") var sortOrder: Int
    @OptionalField(key: "color") var color: String?
    @Field(key: "is_active") var isActive: Bool

    init() {}

    var properties: [any AnyProperty] { [$id, $orgID, $kind, $value, $label, $labelEn, $sortOrder, $color, $isActive] }

    init(orgID: UUID, kind: String, value: String, label: String, labelEn: String?, sortOrder: Int) {
        self.id = UUID.v7()
        self.orgID = orgID
        self.kind = kind
        self.value = value
        self.label = label
        self.labelEn = labelEn
        self.sortOrder = sortOrder
        self.isActive = true
    }

    func label(_ locale: AppLocale) -> String { locale == .en ? (labelEn ?? label) : label }
}

extension DictionaryOption: OrgScoped {}

/// The lists an organisation can edit, with the options a new organisation starts with.
/// A list's name. The built-in lists are constants; an option-type custom field brings a list of its own
/// (`custom.<entity>.<key>`), edited on the same dictionary page.
struct DictionaryKind: RawRepresentable, Hashable, Sendable {
    let rawValue: String
    init(rawValue: String) { self.rawValue = rawValue }

    static let industry = Self(rawValue: "industry")
    static let source = Self(rawValue: "source")
    static let level = Self(rawValue: "level")
    static let category = Self(rawValue: "category")
    static let customerStatus = Self(rawValue: "customerStatus")
    static let creditRating = Self(rawValue: "creditRating")
    static let releaseReason = Self(rawValue: "releaseReason")
    static let contactRole = Self(rawValue: "contactRole")
    static let followUpMethod = Self(rawValue: "followUpMethod")
    static let lostReason = Self(rawValue: "lostReason")

    /// The lists every organisation starts with.
    static let builtIn: [DictionaryKind] = [.industry, .source, .level, .category, .customerStatus, .creditRating, .releaseReason, .contactRole, .followUpMethod, .lostReason]

    static func custom(entity: String, key: String) -> DictionaryKind { Self(rawValue: "custom.\(entity).\(key)") }

    var isCustom: Bool { rawValue.hasPrefix("custom.") }

    var labelKey: String { "dict.\(rawValue)" }

    var defaults: [(String, String, String)] {
        switch self {
        case .industry:
            [("it", "互联网/软件", "Internet & software"), ("manufacturing", "制造业", "Manufacturing"), ("trade", "批发零售", "Wholesale & retail"),
             ("finance", "金融", "Finance"), ("education", "教育培训", "Education"), ("medical", "医疗健康", "Healthcare"),
             ("construction", "建筑地产", "Construction & real estate"), ("logistics", "物流运输", "Logistics"),
             ("government", "政府机构", "Government"), ("other", "其他", "Other")]
        case .source:
            [("call", "电话营销", "Phone"), ("visit", "上门拜访", "Visit"), ("referral", "客户介绍", "Referral"), ("web", "网站", "Website"),
             ("exhibition", "展会", "Trade fair"), ("ad", "广告", "Advertising"), ("other", "其他", "Other")]
        case .level:
            [("a", "A 重点客户", "A – key"), ("b", "B 普通客户", "B – regular"), ("c", "C 一般客户", "C – minor")]
        case .category:
            [("enduser", "最终用户", "End user"), ("dealer", "经销商", "Dealer"), ("partner", "合作伙伴", "Partner")]
        case .customerStatus:
            [("following", "跟进中", "Following up"), ("intent", "有意向", "Interested"), ("signed", "已签约", "Signed"), ("inactive", "暂停", "On hold")]
        case .creditRating:
            [("aaa", "AAA", "AAA"), ("aa", "AA", "AA"), ("a", "A", "A"), ("b", "B", "B"), ("c", "C", "C")]
        case .releaseReason:
            [("noNeed", "暂无需求", "No need now"), ("unreachable", "联系不上", "Unreachable"), ("competitor", "已选竞品", "Chose a competitor"),
             ("tooMany", "客户太多顾不上", "Too many customers"), ("other", "其他", "Other")]
        case .contactRole:
            [("decider", "决策者", "Decision maker"), ("influencer", "影响者", "Influencer"), ("user", "使用者", "User"), ("gatekeeper", "把关者", "Gatekeeper")]
        case .followUpMethod:
            [("phone", "电话", "Phone call"), ("visit", "上门拜访", "Visit"), ("wechat", "微信", "WeChat"), ("email", "邮件", "Email"),
             ("sms", "短信", "SMS"), ("meeting", "会议", "Meeting"), ("other", "其他", "Other")]
        case .lostReason:
            [("price", "价格太高", "Price too high"), ("competitor", "输给竞争对手", "Lost to a competitor"), ("noBudget", "没有预算", "No budget"),
             ("noDecision", "项目搁置", "Project shelved"), ("product", "产品不满足需求", "Product does not fit"), ("other", "其他", "Other")]
        default:
            []
        }
    }
}

/// Reads and changes the dictionary; records store option values, pages show labels.
struct DictionaryService {
    let db: Database
    let actor: Actor
    let now: Date

    static func seedDefaults(orgID: UUID, on db: Database) async throws {
        var rows: [DictionaryOption] = []
        for kind in DictionaryKind.builtIn {
            for (i, (value, zh, en)) in kind.defaults.enumerated() {
                rows.append(DictionaryOption(orgID: orgID, kind: kind.rawValue, value: value, label: zh, labelEn: en, sortOrder: i))
            }
        }
        try await rows.create(on: db)
        try await OpportunityStage.seedDefaults(orgID: orgID, on: db)
    }

    func options(_ kind: DictionaryKind, includeInactive: Bool = false) async throws -> [DictionaryOption] {
        try await actor.shared("dictionary.\(kind.rawValue).\(includeInactive)") {
            let q = actor.inOrg(DictionaryOption.self, on: db).filter(\.$kind == kind.rawValue)
            if !includeInactive { q.filter(\.$isActive == true) }
            return try await q.sort(\.$sortOrder).sort(\.$label).rows()
        }
    }

    /// Every option of these kinds, switched off or not, in list order; shared by an organisation's
    /// readers, as every page's labels and filter choices ask for the same kinds.
    static func all(ofKinds kinds: Set<String>, actor: Actor, on db: Database) async throws -> [DictionaryOption] {
        try await actor.shared("dictionary.kinds.\(kinds.sorted().joined(separator: ","))") {
            try await actor.inOrg(DictionaryOption.self, on: db).filter(\.$kind ~~ Array(kinds)).sort(\.$sortOrder).rows()
        }
    }

    /// Every option of several kinds at once, keyed by kind then value, for rendering labels.
    func labels(_ kinds: [DictionaryKind]) async throws -> [String: [String: DictionaryOption]] {
        let rows = try await Self.all(ofKinds: Set(kinds.map(\.rawValue)), actor: actor, on: db)
        var out: [String: [String: DictionaryOption]] = [:]
        for r in rows { out[r.kind, default: [:]][r.value] = r }
        return out
    }

    func isValid(_ kind: DictionaryKind, _ value: String) async throws -> Bool {
        try await actor.inOrg(DictionaryOption.self, on: db).filter(\.$kind == kind.rawValue).filter(\.$value == value)
            .filter(\.$isActive == true).exists()
    }

    struct Input {
        var label: String?
        var labelEn: String?
        var color: String?
    }

    /// A fresh option code. Random, not time-ordered: the head of a v7 UUID is the clock and repeats within a minute.
    static func newValue() -> String { "o" + String(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(10)).lowercased() }

    static let colors = ["", "#2563eb", "#16a34a", "#d97706", "#dc2626", "#7c3aed", "#0891b2", "#6b7280"]

    func add(_ kind: DictionaryKind, _ input: Input) async throws -> DictionaryOption {
        try actor.require(.edit, .admin)
        var errors = FieldErrors()
        let label = Check.required(input.label, "label", max: 50, into: &errors)
        let labelEn = Check.optional(input.labelEn, "labelEn", max: 50, into: &errors)
        let color = Check.clean(input.color)
        if let color, !Self.colors.contains(color) { errors.add("color", "error.invalidOption") }
        let existing = try await options(kind, includeInactive: true)
        if existing.contains(where: { $0.label == label }) { errors.add("label", "error.nameTaken") }
        guard errors.isEmpty else { throw AppError.invalid(errors) }
        let option = DictionaryOption(orgID: actor.orgID, kind: kind.rawValue, value: Self.newValue(),
                                      label: label, labelEn: labelEn, sortOrder: (existing.map(\.sortOrder).max() ?? -1) + 1)
        option.color = color
        try await db.writeTransaction { tx in
            try await option.create(on: tx)
            try await Audit(actor: actor, db: tx, now: now).created("dictionary", option.id!, ["kind": kind.rawValue, "label": label])
        }
        return option
    }

    func update(_ id: UUID?, _ input: Input, active: Bool) async throws {
        try actor.require(.edit, .admin)
        guard let id, let option = try await actor.inOrg(DictionaryOption.self, on: db).filter(\.$id == id).firstRow() else { throw AppError.notFound }
        var errors = FieldErrors()
        let before: FieldValues = ["label": option.label, "labelEn": option.labelEn ?? "", "color": option.color ?? "", "active": String(option.isActive)]
        option.label = Check.required(input.label, "label", max: 50, into: &errors)
        option.labelEn = Check.optional(input.labelEn, "labelEn", max: 50, into: &errors)
        let color = Check.clean(input.color)
        if let color, !Self.colors.contains(color) { errors.add("color", "error.invalidOption") }
        option.color = color
        option.isActive = active
        guard errors.isEmpty else { throw AppError.invalid(errors) }
        let after: FieldValues = ["label": option.label, "labelEn": option.labelEn ?? "", "color": option.color ?? "", "active": String(option.isActive)]
        try await db.writeTransaction { tx in
            try await option.save(on: tx)
            try await Audit(actor: actor, db: tx, now: now).updated("dictionary", id, before: before, after: after)
        }
    }

    /// Moves an option one place up or down within its list.
    func move(_ id: UUID?, up: Bool) async throws {
        try actor.require(.edit, .admin)
        guard let id, let option = try await actor.inOrg(DictionaryOption.self, on: db).filter(\.$id == id).firstRow(),
              case let kind = DictionaryKind(rawValue: option.kind) else { throw AppError.notFound }
        var list = try await options(kind, includeInactive: true)
        guard let i = list.firstIndex(where: { $0.id == id }) else { return }
        let j = up ? i - 1 : i + 1
        guard list.indices.contains(j) else { return }
        list.swapAt(i, j)
        try await db.writeTransaction { [list] tx in
            for (n, o) in list.enumerated() where o.sortOrder != n {
                o.sortOrder = n
                try await o.save(on: tx)
            }
        }
    }
}
