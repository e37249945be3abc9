/// A part of the product that roles grant access to. Modules not built yet are not listed.
public enum Module: String, Codable, CaseIterable, Sendable {
    case customers
    /// Follow-ups (跟进记录), ACT-01/02.
    case followUps
    /// Tasks (行动任务), TSK-01.
    case tasks
    /// Products, their categories and price strategies (PRD-01…05): organisation data, no data scope.
    case products
    /// Leads (线索), their pool, assignment rules and web forms (LEA-01, LEA-02).
    case leads
    /// Opportunities (商机), their stages and analyses (OPP-01…03).
    case opportunities
    /// Quotes (报价单, QUO-01…03).
    case quotes
    /// Contracts and sales orders (合同 / 订单, CTR-01…02).
    case contracts
    case admin

    public var labelKey: String { "module.\(rawValue)" }

    /// Actions that mean something for this module (the role matrix shows only these).
    public var actions: [Action] {
        switch self {
        case .customers: [.view, .create, .edit, .delete, .export, .import, .assign, .print]
        case .followUps: [.view, .create, .edit, .delete, .export]
        case .tasks: [.view, .create, .edit, .delete]
        case .products: [.view, .create, .edit, .delete, .export, .import]
        case .leads: [.view, .create, .edit, .delete, .assign]
        case .opportunities: [.view, .create, .edit, .delete, .export]
        case .quotes: [.view, .create, .edit, .delete, .export, .print]
        case .contracts: [.view, .create, .edit, .delete, .export, .print]
        case .admin: [.view, .edit]
        }
    }

    /// Whether a data scope applies to the module's records.
    public var isScoped: Bool { self != .admin && self != .products }
}

/// What a role may do in a module.
public enum Action: String, Codable, CaseIterable, Sendable {
    case view, create, edit, delete, export, `import`, assign, approve, print

    public var labelKey: String { "action.\(rawValue)" }
}

/// The rule a role puts on one field (字段权限).
public enum FieldRule: String, Codable, CaseIterable, Sendable, Comparable {
    case hidden
    case masked
    case readOnly

    /// A lower rank is stricter; several roles combine to the least strict rule.
    private var rank: Int {
        switch self {
        case .hidden: 0
        case .masked: 1
        case .readOnly: 2
        }
    }

    public static func < (lhs: FieldRule, rhs: FieldRule) -> Bool { lhs.rank < rhs.rank }

    public var labelKey: String { "fieldRule.\(rawValue)" }
}

/// What one role grants: actions and a data scope per module, and field rules.
public struct RolePolicy: Codable, Sendable, Equatable {
    public var actions: [Module: Set<Action>]
    public var scopes: [Module: DataScope]
    /// Keyed by "module.field", e.g. "customers.phone".
    public var fieldRules: [String: FieldRule]

    public init(actions: [Module: Set<Action>] = [:], scopes: [Module: DataScope] = [:], fieldRules: [String: FieldRule] = [:]) {
        self.actions = actions
        self.scopes = scopes
        self.fieldRules = fieldRules
    }

    /// The policy with `module` granted as `source` is: the same actions where they apply, the same scope.
    /// Roles made before a module existed get it this way (follow-ups like customers).
    public func extending(_ module: Module, like source: Module) -> RolePolicy {
        var out = self
        let granted = (actions[source] ?? []).intersection(module.actions)
        if !granted.isEmpty {
            out.actions[module] = granted
            if let scope = scopes[source] { out.scopes[module] = scope }
        }
        return out
    }

    /// Everything, everywhere: the administrator role of a new organisation.
    public static var administrator: RolePolicy {
        RolePolicy(
            actions: Dictionary(uniqueKeysWithValues: Module.allCases.map { ($0, Set($0.actions)) }),
            scopes: Dictionary(uniqueKeysWithValues: Module.allCases.map { ($0, DataScope.all) })
        )
    }
}

/// The union of a user's roles: what the request's actor may do.
public struct ResolvedPolicy: Sendable, Equatable {
    public private(set) var actions: [Module: Set<Action>] = [:]
    public private(set) var scopes: [Module: DataScope] = [:]
    public private(set) var fieldRules: [String: FieldRule] = [:]

    public init(roles: [RolePolicy]) {
        for role in roles {
            for (module, granted) in role.actions {
                actions[module, default: []].formUnion(granted)
            }
            for (module, scope) in role.scopes {
                scopes[module] = max(scopes[module] ?? scope, scope)
            }
        }
        // A field is restricted only when every role restricts it; then the least strict rule wins.
        let keys = Set(roles.flatMap { $0.fieldRules.keys })
        for key in keys {
            let rules = roles.map { $0.fieldRules[key] }
            if rules.contains(where: { $0 == nil }) { continue }
            fieldRules[key] = rules.compactMap { $0 }.max()
        }
    }

    public func can(_ action: Action, in module: Module) -> Bool {
        actions[module]?.contains(action) ?? false
    }

    /// The scope for a module; a role that grants actions but names no scope sees only its own records.
    public func scope(for module: Module) -> DataScope {
        scopes[module] ?? .own
    }

    public func rule(for module: Module, field: String) -> FieldRule? {
        fieldRules["\(module.rawValue).\(field)"]
    }

    /// Field rules are keyed "<entity prefix>.<field>", e.g. "contacts.mobile".
    public func rule(prefix: String, field: String) -> FieldRule? {
        fieldRules["\(prefix).\(field)"]
    }
}

extension Module: CodingKeyRepresentable {}
