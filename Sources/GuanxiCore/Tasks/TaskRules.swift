/// What a task (行动任务, TSK-01) may go through: open → in progress → done, or cancelled; a done
/// or cancelled task can be reopened.
public enum TaskStatus: String, Codable, CaseIterable, Sendable {
    case open, inProgress, done, cancelled

    public var labelKey: String { "taskStatus.\(rawValue)" }

    public var isClosed: Bool { self == .done || self == .cancelled }

    public func canMove(to next: TaskStatus) -> Bool {
        switch (self, next) {
        case (.open, .inProgress), (.open, .done), (.open, .cancelled),
             (.inProgress, .done), (.inProgress, .open), (.inProgress, .cancelled),
             (.done, .open), (.cancelled, .open):
            true
        default:
            false
        }
    }

    /// Overdue: still to do and its due date (yyyy-MM-dd) is before today.
    public func isOverdue(dueOn: String?, today: String) -> Bool {
        guard !isClosed, let dueOn else { return false }
        return dueOn < today
    }
}

public enum TaskPriority: String, Codable, CaseIterable, Sendable {
    case low, normal, high, urgent

    public var labelKey: String { "taskPriority.\(rawValue)" }
}
