import Fluent
import Foundation
import GuanxiCore
import SQLKit

/// A rep's request for a pool customer (申请领用), decided by the rep's supervisor or anyone with the
/// assign right (CUS-04). Approval hands the customer over under the same rules as a claim.
final class ClaimRequest: Model, @unchecked Sendable {
    static let schema = "claim_requests"

    enum Status: String, Codable, Sendable { case pending, approved, rejected, withdrawn }

    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "customer_id") var customerID: UUID
    @Field(key: "requester_id") var requesterID: UUID
    @Field(key: "reason") var reason: String
    @Field(key: "status") var status: Status
    @OptionalField(key: "decided_by") var decidedBy: UUID?
    @OptionalField(key: "decided_at") var decidedAt: Date?
    @OptionalField(key: "comment") var comment: String?
    @Field(key: "created_at") var createdAt: Date

    init() {}

    var properties: [any AnyProperty] {
        [$id, $orgID, $customerID, $requesterID, $reason, $status, $decidedBy, $decidedAt, $comment, $createdAt]
    }
}

extension ClaimRequest: OrgScoped {}

struct ClaimRequestService {
    let db: Database
    let actor: Actor
    let now: Date

    func request(_ customerID: UUID?, reason: String?) async throws -> ClaimRequest {
        try actor.require(.edit, .customers)
        var errors = FieldErrors()
        let why = Check.required(reason, "reason", max: 500, into: &errors)
        guard errors.isEmpty else { throw AppError.invalid(errors) }
        guard let customerID, let c = try await actor.inOrg(Customer.self, on: db).filter(\.$id == customerID).filter(\.$ownerID == nil).firstRow() else {
            throw AppError.notFound
        }
        if try await actor.inOrg(ClaimRequest.self, on: db).filter(\.$customerID == customerID).filter(\.$requesterID == actor.userID)
            .filter(\.$status == .pending).exists() { throw AppError.conflict("claim.alreadyRequested") }
        let r = ClaimRequest()
        r.id = UUID.v7(at: now)
        r.orgID = actor.orgID
        r.customerID = customerID
        r.requesterID = actor.userID
        r.reason = why
        r.status = .pending
        r.createdAt = now
        let supervisor = try await actor.inOrg(User.self, on: db).filter(\.$id == actor.userID).firstRow()?.supervisorID
        let actor = self.actor, now = self.now
        try await db.writeTransaction { tx in
            try await r.create(on: tx)
            try await Audit(actor: actor, db: tx, now: now).event(Customer.entity, customerID, .update, field: "claimRequest", new: "\(actor.name) · \(why)")
            if let supervisor {
                try await Notifier.send(UserNotification(orgID: actor.orgID, userID: supervisor, kind: "claimRequest", messageKey: "notify.claimRequest",
                                                         args: [actor.name, c.name], link: Paths.claimRequests, dedupeKey: "claim-request:\(r.id!.uuidString)", at: now), on: tx)
            }
        }
        return r
    }

    /// Requests the actor may decide: from direct reports, or any with the assign right.
    func toDecide() async throws -> [ClaimRequest] {
        let q = actor.inOrg(ClaimRequest.self, on: db).filter(\.$status == .pending)
        if !actor.can(.assign, .customers) {
            let reports = try await actor.inOrg(User.self, on: db).filter(\.$supervisorID == actor.userID).rows().compactMap(\.id)
            guard !reports.isEmpty else { return [] }
            q.filter(\.$requesterID ~~ reports)
        }
        return try await q.sort(\.$createdAt).limit(200).rows()
    }

    func mine() async throws -> [ClaimRequest] {
        try await actor.inOrg(ClaimRequest.self, on: db).filter(\.$requesterID == actor.userID).sort(\.$createdAt, .descending).limit(50).rows()
    }

    func decide(_ id: UUID?, approve: Bool, comment: String?) async throws -> ClaimRequest {
        guard let id, let r = try await actor.inOrg(ClaimRequest.self, on: db).filter(\.$id == id).firstRow() else { throw AppError.notFound }
        guard r.status == .pending else { throw AppError.conflict("claim.alreadyDecided") }
        let requester = try await actor.inOrg(User.self, on: db).filter(\.$id == r.requesterID).firstRow()
        guard actor.can(.assign, .customers) || requester?.supervisorID == actor.userID else { throw AppError.forbidden }
        guard r.requesterID != actor.userID else { throw AppError.forbidden }
        let customer = try await actor.inOrg(Customer.self, on: db).filter(\.$id == r.customerID).firstRow()
        let actor = self.actor, now = self.now
        try await db.writeTransaction { tx in
            // Claim the decision first, so two approvers at once cannot both act.
            try await actor.inOrg(ClaimRequest.self, on: tx).filter(\.$id == id).filter(\.$status == .pending)
                .set(\.$status, to: approve ? .approved : .rejected).set(\.$decidedBy, to: actor.userID).set(\.$decidedAt, to: now)
                .set(\.$comment, to: Check.clean(comment)).update()
            guard let fresh = try await actor.inOrg(ClaimRequest.self, on: tx).filter(\.$id == id).firstRow(), fresh.decidedBy == actor.userID else {
                throw AppError.conflict("claim.alreadyDecided")
            }
            if approve {
                guard let requester else { throw AppError.notFound }
                let taken = try await PoolService(db: tx, actor: actor, now: now).handOver([r.customerID], to: requester)
                guard taken == 1 else { throw AppError.conflict("error.alreadyClaimed") }
            }
            try await Audit(actor: actor, db: tx, now: now).event(Customer.entity, r.customerID, approve ? .approve : .update, field: "claimRequest",
                                                                  old: requester?.name, new: approve ? "approved" : "rejected")
            try await Notifier.send(UserNotification(orgID: actor.orgID, userID: r.requesterID, kind: "claimDecision",
                                                     messageKey: approve ? "notify.claimApproved" : "notify.claimRejected",
                                                     args: [customer?.name ?? "", actor.name, Check.clean(comment) ?? ""],
                                                     link: Paths.customer(r.customerID), dedupeKey: "claim-decision:\(id.uuidString)", at: now), on: tx)
        }
        return try await actor.inOrg(ClaimRequest.self, on: db).filter(\.$id == id).firstRow()!
    }

    func withdraw(_ id: UUID?) async throws {
        guard let id, let r = try await actor.inOrg(ClaimRequest.self, on: db).filter(\.$id == id).filter(\.$requesterID == actor.userID).firstRow() else {
            throw AppError.notFound
        }
        guard r.status == .pending else { throw AppError.conflict("claim.alreadyDecided") }
        r.status = .withdrawn
        r.decidedAt = now
        try await db.writeTransaction { tx in try await r.save(on: tx) }
    }
}
