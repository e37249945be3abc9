import Foundation

/// Lock-out after repeated failed sign-ins (PLT-06): after `maxFailures` failures the account is
/// locked for `lockDuration`; a success or an expired lock starts the count again.
public struct LockoutPolicy: Sendable {
    public var maxFailures: Int
    public var lockDuration: TimeInterval

    public init(maxFailures: Int = 5, lockDuration: TimeInterval = 15 * 60) {
        self.maxFailures = maxFailures
        self.lockDuration = lockDuration
    }

    public struct State: Sendable, Equatable {
        public var failures: Int
        public var lockedUntil: Date?
        public init(failures: Int, lockedUntil: Date?) {
            self.failures = failures
            self.lockedUntil = lockedUntil
        }
    }

    public func isLocked(_ state: State, now: Date) -> Bool {
        guard let until = state.lockedUntil else { return false }
        return until > now
    }

    /// The state after one more failed attempt at `now`.
    public func afterFailure(_ state: State, now: Date) -> State {
        var failures = state.failures
        if let until = state.lockedUntil, until <= now { failures = 0 }
        failures += 1
        if failures >= maxFailures {
            return State(failures: failures, lockedUntil: now.addingTimeInterval(lockDuration))
        }
        return State(failures: failures, lockedUntil: nil)
    }

    public func afterSuccess() -> State { State(failures: 0, lockedUntil: nil) }
}
