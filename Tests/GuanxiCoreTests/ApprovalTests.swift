import Foundation
import Testing
@testable import GuanxiCore

@Suite struct ApprovalTests {
    // rep → lead → manager → director; "finance" is a role of two people.
    let dir = ApprovalDirectory(supervisorOf: ["rep": "lead", "lead": "manager", "manager": "director", "other": "lead"],
                                roleMembers: ["finance": ["f1", "f2"], "empty": []])

    @Test func anyOneStepPassesOnTheFirstApproval() throws {
        let flow = [ApprovalStepDefinition(name: "财务", approvers: .role("finance"), mode: .anyOne)]
        let s0 = try ApprovalEngine.start(flow, submitter: "rep", amount: 100, directory: dir)
        #expect(s0.status == .pending && s0.waitingFor == ["f1", "f2"])
        let s1 = try ApprovalEngine.act(s0, user: "f2", verdict: .approve, comment: nil, directory: dir)
        #expect(s1.status == .approved && s1.waitingFor.isEmpty)
    }

    @Test func allOfStepWaitsForEveryone() throws {
        let flow = [ApprovalStepDefinition(name: "会签", approvers: .users(["a", "b", "c"]), mode: .allOf)]
        var s = try ApprovalEngine.start(flow, submitter: "rep", amount: 0, directory: dir)
        s = try ApprovalEngine.act(s, user: "b", verdict: .approve, comment: nil, directory: dir)
        #expect(s.status == .pending && s.waitingFor == ["a", "c"])
        #expect(throws: ApprovalError.alreadyDecided) { try ApprovalEngine.act(s, user: "b", verdict: .approve, comment: nil, directory: dir) }
        s = try ApprovalEngine.act(s, user: "a", verdict: .approve, comment: nil, directory: dir)
        s = try ApprovalEngine.act(s, user: "c", verdict: .approve, comment: nil, directory: dir)
        #expect(s.status == .approved && s.decisions.count == 3)
    }

    @Test func oneRejectionEndsItAndNeedsAReason() throws {
        let flow = [ApprovalStepDefinition(name: "会签", approvers: .users(["a", "b"]), mode: .allOf),
                    ApprovalStepDefinition(name: "总监", approvers: .users(["d"]))]
        let s = try ApprovalEngine.start(flow, submitter: "rep", amount: 0, directory: dir)
        #expect(throws: ApprovalError.commentRequired) { try ApprovalEngine.act(s, user: "a", verdict: .reject, comment: "  ", directory: dir) }
        let r = try ApprovalEngine.act(s, user: "a", verdict: .reject, comment: "价格太低", directory: dir)
        #expect(r.status == .rejected && r.waitingFor.isEmpty && r.decisions.last?.comment == "价格太低")
        #expect(throws: ApprovalError.notPending) { try ApprovalEngine.act(r, user: "b", verdict: .approve, comment: nil, directory: dir) }
    }

    @Test func supervisorChainsClimbFromWhoeverApprovedLast() throws {
        let flow = [ApprovalStepDefinition(name: "直属上级", approvers: .supervisor),
                    ApprovalStepDefinition(name: "再上一级", approvers: .previousSupervisor),
                    ApprovalStepDefinition(name: "再上一级", approvers: .previousSupervisor)]
        var s = try ApprovalEngine.start(flow, submitter: "rep", amount: 0, directory: dir)
        #expect(s.waitingFor == ["lead"])
        s = try ApprovalEngine.act(s, user: "lead", verdict: .approve, comment: nil, directory: dir)
        #expect(s.waitingFor == ["manager"])
        s = try ApprovalEngine.act(s, user: "manager", verdict: .approve, comment: nil, directory: dir)
        #expect(s.waitingFor == ["director"])
        #expect(throws: ApprovalError.notAnApprover) { try ApprovalEngine.act(s, user: "manager", verdict: .approve, comment: nil, directory: dir) }
        s = try ApprovalEngine.act(s, user: "director", verdict: .approve, comment: "同意", directory: dir)
        #expect(s.status == .approved)
        // The top of the chain has nobody above: that flow cannot run for the director.
        #expect(throws: ApprovalError.noApprover(step: "直属上级")) { try ApprovalEngine.start(flow, submitter: "director", amount: 0, directory: dir) }
    }

    @Test func conditionsLeaveOutStepsBelowTheirAmount() throws {
        let flow = [ApprovalStepDefinition(name: "主管", approvers: .supervisor),
                    ApprovalStepDefinition(name: "财务", approvers: .role("finance"), minAmount: 100_000_00),
                    ApprovalStepDefinition(name: "总监", approvers: .users(["director"]), minAmount: 1_000_000_00)]
        #expect(try ApprovalEngine.start(flow, submitter: "rep", amount: 99_999_99, directory: dir).steps.map(\.name) == ["主管"])
        #expect(try ApprovalEngine.start(flow, submitter: "rep", amount: 100_000_00, directory: dir).steps.map(\.name) == ["主管", "财务"])
        #expect(try ApprovalEngine.start(flow, submitter: "rep", amount: 5_000_000_00, directory: dir).steps.count == 3)
        // Nothing applies: approved at once.
        let small = [ApprovalStepDefinition(name: "财务", approvers: .role("finance"), minAmount: 10)]
        #expect(try ApprovalEngine.start(small, submitter: "rep", amount: 9, directory: dir).status == .approved)
    }

    @Test func nobodyApprovesTheirOwnSubmission() throws {
        let flow = [ApprovalStepDefinition(name: "财务", approvers: .role("finance"))]
        let s = try ApprovalEngine.start(flow, submitter: "f1", amount: 0, directory: dir)
        #expect(s.waitingFor == ["f2"])
        #expect(throws: ApprovalError.noApprover(step: "空")) {
            try ApprovalEngine.start([ApprovalStepDefinition(name: "空", approvers: .role("empty"))], submitter: "rep", amount: 0, directory: dir)
        }
        #expect(throws: ApprovalError.noApprover(step: "自己")) {
            try ApprovalEngine.start([ApprovalStepDefinition(name: "自己", approvers: .users(["rep", "rep"]))], submitter: "rep", amount: 0, directory: dir)
        }
    }

    @Test func withdrawAndResubmitStartAgainFromTheTop() throws {
        let flow = [ApprovalStepDefinition(name: "一", approvers: .users(["a"])), ApprovalStepDefinition(name: "二", approvers: .users(["b"]))]
        var s = try ApprovalEngine.start(flow, submitter: "rep", amount: 0, directory: dir)
        s = try ApprovalEngine.act(s, user: "a", verdict: .approve, comment: nil, directory: dir)
        #expect(throws: ApprovalError.notSubmitter) { try ApprovalEngine.withdraw(s, by: "a") }
        let w = try ApprovalEngine.withdraw(s, by: "rep")
        #expect(w.status == .withdrawn && w.waitingFor.isEmpty)
        #expect(throws: ApprovalError.notPending) { try ApprovalEngine.withdraw(w, by: "rep") }
        #expect(throws: ApprovalError.notPending) { try ApprovalEngine.resubmit(s, by: "rep", flow: flow, amount: 0, directory: dir) }
        let again = try ApprovalEngine.resubmit(w, by: "rep", flow: flow, amount: 0, directory: dir)
        #expect(again.status == .pending && again.current == 0 && again.waitingFor == ["a"] && again.decisions.isEmpty)
        let rejected = try ApprovalEngine.act(again, user: "a", verdict: .reject, comment: "补充材料", directory: dir)
        #expect(try ApprovalEngine.resubmit(rejected, by: "rep", flow: flow, amount: 0, directory: dir).status == .pending)
        #expect(throws: ApprovalError.notSubmitter) { try ApprovalEngine.resubmit(rejected, by: "a", flow: flow, amount: 0, directory: dir) }
    }

    /// Every order in which three all-of approvers can act ends approved after the third, never before.
    @Test func everyOrderOfAnAllOfStepEndsTheSame() throws {
        let flow = [ApprovalStepDefinition(name: "会签", approvers: .users(["a", "b", "c"]), mode: .allOf), ApprovalStepDefinition(name: "终审", approvers: .users(["d"]))]
        for order in [["a", "b", "c"], ["a", "c", "b"], ["b", "a", "c"], ["b", "c", "a"], ["c", "a", "b"], ["c", "b", "a"]] {
            var s = try ApprovalEngine.start(flow, submitter: "rep", amount: 0, directory: dir)
            for (i, u) in order.enumerated() {
                s = try ApprovalEngine.act(s, user: u, verdict: .approve, comment: nil, directory: dir)
                #expect(s.current == (i == 2 ? 1 : 0), "\(order)")
            }
            #expect(s.waitingFor == ["d"] && s.status == .pending)
        }
    }

    @Test func theStateSurvivesARoundTripThroughJSON() throws {
        let flow = [ApprovalStepDefinition(name: "一", approvers: .role("finance"), mode: .allOf, minAmount: 5)]
        let s = try ApprovalEngine.act(try ApprovalEngine.start(flow, submitter: "rep", amount: 9, directory: dir), user: "f1", verdict: .approve, comment: "ok", directory: dir)
        let data = try JSONEncoder().encode(s)
        #expect(try JSONDecoder().decode(ApprovalState.self, from: data) == s)
        let f = try JSONDecoder().decode([ApprovalStepDefinition].self, from: try JSONEncoder().encode(flow))
        #expect(f == flow)
    }
}
