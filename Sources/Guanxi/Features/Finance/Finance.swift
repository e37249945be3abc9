import Fluent
import Foundation
import GuanxiCore

/// Money received from a customer (回款, FIN-02). What is not applied to instalments is the customer's
/// prepayment (预收款), applied later or refunded: `amount - allocated - refunded`.
final class Payment: Model, @unchecked Sendable {
    static let schema = "payments"

    enum Method: String, Codable, CaseIterable, Sendable {
        case transfer, cash, cheque, acceptance, other
        var labelKey: String { "paymentMethod.\(rawValue)" }
    }

    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "number") var number: String
    @Field(key: "customer_id") var customerID: UUID
    /// The contract it was received for, when one was named.
    @OptionalField(key: "contract_id") var contractID: UUID?
    @Field(key: "received_on") var receivedOn: String
    @Field(key: "amount") var amount: Int64
    @Field(key: "allocated") var allocated: Int64
    @Field(key: "refunded") var refunded: Int64
    @Enum(key: "method") var method: Method
    /// The bank or cash account it came into.
    @OptionalField(key: "account") var account: String?
    @OptionalField(key: "reference") var reference: String?
    @OptionalField(key: "note") var note: String?
    @Field(key: "owner_id") var ownerID: UUID
    @OptionalField(key: "department_id") var departmentID: UUID?
    @OptionalField(key: "created_by") var createdBy: UUID?
    @Field(key: "created_at") var createdAt: Date

    init() {}

    var properties: [any AnyProperty] {
        [$id, $orgID, $number, $customerID, $contractID, $receivedOn, $amount, $allocated, $refunded, $method, $account,
         $reference, $note, $ownerID, $departmentID, $createdBy, $createdAt]
    }

    /// Prepayment still to apply or refund.
    var unapplied: Int64 { amount - allocated - refunded }
}

extension Payment: ScopedModel {
    static let module: Module = .contracts
    static let entity = "payment"
}

/// Part of a payment applied to one instalment; carries the instalment's owner and the day the money
/// came, so collections are summed per person and period without joins.
final class PaymentAllocation: Model, @unchecked Sendable {
    static let schema = "payment_allocations"

    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "payment_id") var paymentID: UUID
    @Field(key: "receivable_id") var receivableID: UUID
    @Field(key: "contract_id") var contractID: UUID
    @Field(key: "customer_id") var customerID: UUID
    @Field(key: "amount") var amount: Int64
    @Field(key: "received_on") var receivedOn: String
    @Field(key: "owner_id") var ownerID: UUID
    @OptionalField(key: "department_id") var departmentID: UUID?
    @Field(key: "created_at") var createdAt: Date

    init() {}

    var properties: [any AnyProperty] {
        [$id, $orgID, $paymentID, $receivableID, $contractID, $customerID, $amount, $receivedOn, $ownerID, $departmentID,
         $createdAt]
    }
}

extension PaymentAllocation: ScopedModel {
    static let module: Module = .contracts
    static let entity = "paymentAllocation"
    static let shareable = false
}

/// Money paid back (退款, CTR-08 / FIN-02): out of the customer's prepayments, or against a contract
/// (a return). The amount is held from the moment it is asked for and released if the approval fails.
final class Refund: Model, @unchecked Sendable {
    static let schema = "refunds"

    enum Kind: String, Codable, CaseIterable, Sendable {
        case prepayment, contract
        var labelKey: String { "refundKind.\(rawValue)" }
    }

    enum Status: String, Codable, CaseIterable, Sendable {
        case pendingApproval, approved, cancelled
        var labelKey: String { "refundStatus.\(rawValue)" }
    }

    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "number") var number: String
    @Enum(key: "kind") var kind: Kind
    @Enum(key: "status") var status: Status
    @Field(key: "customer_id") var customerID: UUID
    @OptionalField(key: "contract_id") var contractID: UUID?
    @Field(key: "amount") var amount: Int64
    @Field(key: "refunded_on") var refundedOn: String
    @Field(key: "reason") var reason: String
    /// For prepayment refunds, which payments it draws on (JSON allocations by payment id).
    @OptionalField(key: "sources") var sourcesJSON: String?
    @Field(key: "owner_id") var ownerID: UUID
    @OptionalField(key: "department_id") var departmentID: UUID?
    @OptionalField(key: "created_by") var createdBy: UUID?
    @Field(key: "created_at") var createdAt: Date

    init() {}

    var properties: [any AnyProperty] {
        [$id, $orgID, $number, $kind, $status, $customerID, $contractID, $amount, $refundedOn, $reason, $sourcesJSON,
         $ownerID, $departmentID, $createdBy, $createdAt]
    }
}

extension Refund: ScopedModel {
    static let module: Module = .contracts
    static let entity = "refund"
}

/// An invoice issued against a contract (发票, FIN-03), before or after the money comes. Its amount is
/// held on the contract from the request, so a contract is never invoiced beyond its total.
final class Invoice: Model, @unchecked Sendable {
    static let schema = "invoices"

    enum Kind: String, Codable, CaseIterable, Sendable {
        /// 增值税普通发票.
        case ordinary
        /// 增值税专用发票: needs the buyer's tax number.
        case special
        var labelKey: String { "invoiceKind.\(rawValue)" }
    }

    enum Status: String, Codable, CaseIterable, Sendable {
        case pendingApproval, issued, cancelled, void
        var labelKey: String { "invoiceStatus.\(rawValue)" }
    }

    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "number") var number: String
    @Enum(key: "kind") var kind: Kind
    @Enum(key: "status") var status: Status
    @Field(key: "contract_id") var contractID: UUID
    @Field(key: "customer_id") var customerID: UUID
    /// 抬头: the buyer's name as printed.
    @Field(key: "buyer") var buyer: String
    @OptionalField(key: "tax_number") var taxNumber: String?
    @Field(key: "amount") var amount: Int64
    @Field(key: "issued_on") var issuedOn: String
    /// 发票号码 from the tax system.
    @OptionalField(key: "invoice_no") var invoiceNo: String?
    @OptionalField(key: "note") var note: String?
    @Field(key: "owner_id") var ownerID: UUID
    @OptionalField(key: "department_id") var departmentID: UUID?
    @OptionalField(key: "created_by") var createdBy: UUID?
    @Field(key: "created_at") var createdAt: Date

    init() {}

    var properties: [any AnyProperty] {
        [$id, $orgID, $number, $kind, $status, $contractID, $customerID, $buyer, $taxNumber, $amount, $issuedOn, $invoiceNo,
         $note, $ownerID, $departmentID, $createdBy, $createdAt]
    }
}

extension Invoice: ScopedModel {
    static let module: Module = .contracts
    static let entity = "invoice"
}

/// The organisation's finance rules: the credit-limit check and how early due dates are announced.
struct FinancePolicy: Codable, Sendable, Equatable {
    enum Credit: String, Codable, CaseIterable, Sendable {
        /// No check.
        case off
        /// A contract that would take the settlement customer over its limit is refused.
        case block
        /// It goes to approval (the contract flow, or the submitter's supervisor when the flow has no step for it).
        case approve
        var labelKey: String { "financePolicy.credit.\(rawValue)" }
    }

    var credit: Credit = .block
    /// Owners hear of an instalment this many days before it is due (0: on the day).
    var reminderDays: Int = 3
}

extension Actor {
    /// Whose a payment or refund is, for the data scope: the contract's owner, else the customer's, else the actor's.
    func financeOwner(contract: Contract?, customerID: UUID, on db: Database) async throws -> (UUID, UUID?) {
        if let contract { return (contract.ownerID, contract.departmentID) }
        return try await inOrg(Customer.self, on: db).filter(\.$id == customerID).firstRow().flatMap { c in c.ownerID.map { ($0, c.departmentID) } }
            ?? (userID, departmentID)
    }
}
