import Foundation
import Testing
@testable import GuanxiCore

@Suite struct DataScopeRuleTests {
    let viewer = ScopeContext(userID: "me", departmentID: "east", subordinateIDs: ["sub1", "sub2"], departmentTreeIDs: ["sales", "east", "west"])

    @Test func ownSeesOnlyOwnRecords() {
        #expect(DataScope.own.allows(viewer, Ownership(ownerID: "me", departmentID: "east")))
        #expect(!DataScope.own.allows(viewer, Ownership(ownerID: "sub1", departmentID: "east")))
        #expect(!DataScope.own.allows(viewer, Ownership(ownerID: nil, departmentID: nil)))
    }

    @Test func subordinatesAtAnyDepth() {
        #expect(DataScope.ownAndSubordinates.allows(viewer, Ownership(ownerID: "sub2", departmentID: "x")))
        #expect(!DataScope.ownAndSubordinates.allows(viewer, Ownership(ownerID: "peer", departmentID: "east")))
    }

    @Test func departmentAndTree() {
        #expect(DataScope.department.allows(viewer, Ownership(ownerID: "peer", departmentID: "east")))
        #expect(!DataScope.department.allows(viewer, Ownership(ownerID: "peer", departmentID: "west")))
        #expect(DataScope.departmentTree.allows(viewer, Ownership(ownerID: "peer", departmentID: "west")))
        #expect(!DataScope.departmentTree.allows(viewer, Ownership(ownerID: "peer", departmentID: "hq")))
    }

    @Test func sharesOpenAnyScope() {
        #expect(DataScope.own.allows(viewer, Ownership(ownerID: "boss", departmentID: "hq", sharedWith: ["me"])))
    }

    @Test func allSeesEverything() {
        #expect(DataScope.all.allows(viewer, Ownership(ownerID: nil, departmentID: nil)))
    }
}

@Suite struct PolicyTests {
    @Test func rolesCombineToTheWidestScopeAndUnionOfActions() {
        let a = RolePolicy(actions: [.customers: [.view]], scopes: [.customers: .own])
        let b = RolePolicy(actions: [.customers: [.edit]], scopes: [.customers: .departmentTree])
        let p = ResolvedPolicy(roles: [a, b])
        #expect(p.can(.view, in: .customers) && p.can(.edit, in: .customers))
        #expect(!p.can(.delete, in: .customers))
        #expect(p.scope(for: .customers) == .departmentTree)
        #expect(!p.can(.view, in: .admin))
    }

    @Test func fieldRuleAppliesOnlyWhenEveryRoleRestricts() {
        let masked = RolePolicy(fieldRules: ["customers.phone": .masked])
        let hidden = RolePolicy(fieldRules: ["customers.phone": .hidden])
        let free = RolePolicy()
        #expect(ResolvedPolicy(roles: [masked, hidden]).rule(for: .customers, field: "phone") == .masked)
        #expect(ResolvedPolicy(roles: [hidden]).rule(for: .customers, field: "phone") == .hidden)
        #expect(ResolvedPolicy(roles: [masked, free]).rule(for: .customers, field: "phone") == nil)
    }

    @Test func noScopeMeansOwn() {
        #expect(ResolvedPolicy(roles: [RolePolicy(actions: [.customers: [.view]])]).scope(for: .customers) == .own)
    }

    @Test func administratorHasEverything() {
        let p = ResolvedPolicy(roles: [.administrator])
        for m in Module.allCases { for a in m.actions { #expect(p.can(a, in: m)) } }
        #expect(p.scope(for: .customers) == .all)
    }

    @Test func policyRoundTripsAsJSONObject() throws {
        let p = RolePolicy(actions: [.customers: [.view, .edit]], scopes: [.customers: .department], fieldRules: ["customers.phone": .masked])
        let data = try JSONEncoder().encode(p)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"customers\""))
        #expect(try JSONDecoder().decode(RolePolicy.self, from: data) == p)
    }
}

@Suite struct MaskingTests {
    @Test func mobileNumbersKeepHeadAndTail() {
        #expect(Masking.mask("13812341234") == "138****1234")
        #expect(Masking.mask("010-62345678") == "010****5678")
    }

    @Test func shortValuesStillHideTheMiddle() {
        #expect(Masking.mask("12345") == "1***5")
        #expect(Masking.mask("ab") == "a*")
        #expect(Masking.mask("") == "")
    }
}

@Suite struct LockoutTests {
    let policy = LockoutPolicy(maxFailures: 5, lockDuration: 900)
    let t0 = Date(timeIntervalSince1970: 1_000_000)

    @Test func fifthFailureLocksForFifteenMinutes() {
        var s = LockoutPolicy.State(failures: 0, lockedUntil: nil)
        for _ in 0..<4 { s = policy.afterFailure(s, now: t0) }
        #expect(!policy.isLocked(s, now: t0))
        s = policy.afterFailure(s, now: t0)
        #expect(policy.isLocked(s, now: t0))
        #expect(policy.isLocked(s, now: t0.addingTimeInterval(899)))
        #expect(!policy.isLocked(s, now: t0.addingTimeInterval(900)))
    }

    @Test func failureAfterAnExpiredLockStartsCountingAgain() {
        let locked = LockoutPolicy.State(failures: 5, lockedUntil: t0)
        let s = policy.afterFailure(locked, now: t0.addingTimeInterval(1))
        #expect(s.failures == 1 && s.lockedUntil == nil)
    }
}

@Suite struct TreeTests {
    @Test func detectsCycles() {
        let parents = ["east": "sales", "sales": "hq"]
        #expect(Tree.wouldCycle(node: "hq", newParent: "east", parentOf: parents))
        #expect(Tree.wouldCycle(node: "sales", newParent: "sales", parentOf: parents))
        #expect(!Tree.wouldCycle(node: "east", newParent: "hq", parentOf: parents))
        #expect(!Tree.wouldCycle(node: "east", newParent: nil, parentOf: parents))
    }

    @Test func flattensParentsBeforeChildren() {
        let nodes: [(String, String?)] = [("west", "sales"), ("hq", nil), ("sales", "hq"), ("east", "sales")]
        let flat = Tree.flatten(nodes, id: { $0.0 }, parent: { $0.1 }, sortKey: { $0.0 })
        #expect(flat.map(\.node.0) == ["hq", "sales", "east", "west"])
        #expect(flat.map(\.depth) == [0, 1, 2, 2])
    }
}

@Suite struct PolicyExtensionTests {
    @Test func newModulesFollowAnExistingOne() {
        let rep = RolePolicy(actions: [.customers: [.view, .create, .import, .assign]], scopes: [.customers: .ownAndSubordinates])
        let extended = rep.extending(.followUps, like: .customers)
        #expect(extended.actions[.followUps] == [.view, .create])
        #expect(extended.scopes[.followUps] == .ownAndSubordinates && extended.actions[.customers] == rep.actions[.customers])
        #expect(RolePolicy().extending(.followUps, like: .customers).actions[.followUps] == nil)
    }
}
