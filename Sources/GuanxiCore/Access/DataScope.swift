/// How far a role sees into a module's records (数据权限).
public enum DataScope: String, Codable, CaseIterable, Sendable, Comparable {
    case own
    case ownAndSubordinates
    case department
    case departmentTree
    case all

    /// Wider scopes sort later, so the widest of several roles is `max()`.
    /// `department` and `ownAndSubordinates` are not nested; their order here only decides ties.
    private var rank: Int {
        switch self {
        case .own: 0
        case .ownAndSubordinates: 1
        case .department: 2
        case .departmentTree: 3
        case .all: 4
        }
    }

    public static func < (lhs: DataScope, rhs: DataScope) -> Bool { lhs.rank < rhs.rank }

    public var labelKey: String { "scope.\(rawValue)" }
}

/// The facts about a viewer that data scope decisions need, resolved once per request.
public struct ScopeContext: Sendable, Equatable {
    public var userID: String
    public var departmentID: String?
    /// Everyone below the user in the supervisor chain, at any depth.
    public var subordinateIDs: Set<String>
    /// The user's department and all departments below it.
    public var departmentTreeIDs: Set<String>

    public init(userID: String, departmentID: String?, subordinateIDs: Set<String> = [], departmentTreeIDs: Set<String> = []) {
        self.userID = userID
        self.departmentID = departmentID
        self.subordinateIDs = subordinateIDs
        self.departmentTreeIDs = departmentTreeIDs
    }
}

/// Who a record belongs to, as far as data scope cares.
public struct Ownership: Sendable, Equatable {
    public var ownerID: String?
    public var departmentID: String?
    public var sharedWith: Set<String>

    public init(ownerID: String?, departmentID: String?, sharedWith: Set<String> = []) {
        self.ownerID = ownerID
        self.departmentID = departmentID
        self.sharedWith = sharedWith
    }
}

public extension DataScope {
    /// The rule every scoped query mirrors: may a viewer with this scope see the record?
    func allows(_ viewer: ScopeContext, _ record: Ownership) -> Bool {
        if record.sharedWith.contains(viewer.userID) { return true }
        switch self {
        case .all:
            return true
        case .own:
            return record.ownerID == viewer.userID
        case .ownAndSubordinates:
            guard let owner = record.ownerID else { return false }
            return owner == viewer.userID || viewer.subordinateIDs.contains(owner)
        case .department:
            if record.ownerID == viewer.userID { return true }
            guard let dept = record.departmentID else { return false }
            return dept == viewer.departmentID
        case .departmentTree:
            if record.ownerID == viewer.userID { return true }
            guard let dept = record.departmentID else { return false }
            return viewer.departmentTreeIDs.contains(dept)
        }
    }
}
