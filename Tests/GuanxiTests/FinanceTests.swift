import Fluent
import Foundation
import GuanxiCore
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import Guanxi

/// Payments, prepayments, refunds, invoices, the credit limit and the collection statistics (#6).
@Suite struct FinanceTests {
    struct Made: Decodable { var id: UUID }
    struct ContractJSON: Decodable { var id: UUID; var number: String; var status: String; var total: Int64 }
    struct PaymentJSON: Decodable {
        struct Allocation: Decodable { var receivableID: UUID; var amount: Int64 }
        var id: UUID; var number: String; var amount: Int64; var allocated: Int64; var unapplied: Int64; var allocations: [Allocation]?
    }
    struct ReceivableJSON: Decodable { var id: UUID; var position: Int; var amount: Int64; var received: Int64; var status: String }
    struct DocJSON: Decodable { var id: UUID; var number: String; var status: String; var amount: Int64 }
    struct ErrorJSON: Decodable { var code: String; var fields: [String: String]? }

    /// rep1 may sell and record money; `count` accepted quotes of one server (total 5,175,400 fen each) for its customer.
    static func quotes(_ app: Application, _ w: World, count: Int) async throws -> [UUID] {
        let admin = APIClient(app: app, token: World.token("admin"))
        let product = try await admin.send(.POST, "/api/v1/products", json: #"{"name":"服务器","unit":"台","listPrice":4580000,"costPrice":3000000}"#).json(Made.self).id
        let role = Role(orgID: w.orgID, name: "Selling rep", policy: RolePolicy(
            actions: [.customers: [.view, .create, .edit], .quotes: [.view, .create, .edit], .products: [.view], .contracts: [.view, .create, .edit, .export, .print]],
            scopes: [.customers: .own, .quotes: .own, .contracts: .own]))
        try await role.create(on: app.db)
        for u in ["rep1", "rep2"] {
            try await UserRole.query(on: app.db).filter(\.$userID == w.users[u]!).delete()
            try await UserRole(orgID: w.orgID, userID: w.users[u]!, roleID: role.id!).create(on: app.db)
        }
        let rep1 = APIClient(app: app, token: World.token("rep1"))
        var out: [UUID] = []
        for _ in 0..<count {
            let q = try await rep1.send(.POST, "/api/v1/quotes", json: #"{"title":"机房设备","customerID":"\#(w.customers["rep1"]!)","lines":[{"productID":"\#(product)","quantity":1,"taxRate":1300}]}"#)
                .json(Made.self).id
            _ = try await rep1.send(.POST, "/api/v1/quotes/\(q)/status", json: #"{"status":"sent"}"#)
            _ = try await rep1.send(.POST, "/api/v1/quotes/\(q)/status", json: #"{"status":"accepted"}"#)
            out.append(q)
        }
        return out
    }

    /// An active contract of rep1 with three instalments (1,000,000 + 2,000,000 + the rest).
    static func activeContract(_ app: Application, _ w: World, quote: UUID) async throws -> (ContractJSON, [ReceivableJSON]) {
        let rep1 = APIClient(app: app, token: World.token("rep1"))
        let c = try await rep1.send(.POST, "/api/v1/contracts", json: #"{"quoteID":"\#(quote)"}"#).json(ContractJSON.self)
        let plan = #"[{"dueOn":"2026-10-31","amount":1000000},{"dueOn":"2026-12-31","amount":2000000},{"dueOn":"2027-01-31","amount":\#(c.total - 3_000_000)}]"#
        #expect(try await rep1.send(.PUT, "/api/v1/contracts/\(c.id)/plan", json: plan).status == .ok)
        let active = try await rep1.send(.POST, "/api/v1/contracts/\(c.id)/submit").json(ContractJSON.self)
        #expect(active.status == "active")
        return (active, try await rep1.get("/api/v1/contracts/\(c.id)/receivables").json([ReceivableJSON].self))
    }

    @Test func paymentsFillInstalmentsToTheFenAndKeepTheRestAsPrepayment() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let (c, plan) = try await Self.activeContract(app, w, quote: try await Self.quotes(app, w, count: 1)[0])
            #expect(c.total == 5_175_400 && plan.count == 3)
            let rep1 = APIClient(app: app, token: World.token("rep1"))
            // Bad input: nothing saved, every field named.
            let bad = try await rep1.send(.POST, "/api/v1/payments", json: #"{"contractID":"\#(c.id)","amount":0,"receivedOn":"2026-12-01","method":"barter"}"#)
            #expect(bad.status == .unprocessableEntity)
            let fields = try bad.json(ErrorJSON.self).fields ?? [:]
            #expect(fields["amount"] != nil && fields["receivedOn"] == "The date cannot be after today" && fields["method"] != nil, "\(fields)")
            let tooMuch = try await rep1.send(.POST, "/api/v1/payments", json: #"{"contractID":"\#(c.id)","amount":500000,"allocations":[{"receivableID":"\#(plan[0].id)","amount":1000001}]}"#)
            #expect(tooMuch.status == .unprocessableEntity && tooMuch.text.contains("allocations.1.amount"))
            #expect(try await Payment.query(on: app.db).count() == 0)
            // 3,000 yuan and a fen: the earliest instalment first.
            let p1 = try await rep1.send(.POST, "/api/v1/payments", json: #"{"contractID":"\#(c.id)","amount":300001,"receivedOn":"2026-09-20","reference":"流水 001"}"#)
            #expect(p1.status == .created, "\(p1.text)")
            let pay1 = try p1.json(PaymentJSON.self)
            #expect(pay1.number.hasPrefix("HK") && pay1.allocated == 300_001 && pay1.allocations?.first?.receivableID == plan[0].id)
            // Then straight to the third instalment, by hand.
            let p2 = try await rep1.send(.POST, "/api/v1/payments", json: #"{"contractID":"\#(c.id)","amount":200000,"allocations":[{"receivableID":"\#(plan[2].id)","amount":150000}]}"#)
            #expect(try p2.json(PaymentJSON.self).unapplied == 50_000)
            // The aging tallies follow every partial payment exactly.
            let tallied = try await Self.tallies(app)
            let counted = try await Self.counted(app)
            #expect(!tallied.isEmpty && tallied == counted)
            // More than is owed: the rest is the customer's prepayment.
            let p3 = try await rep1.send(.POST, "/api/v1/payments", json: #"{"contractID":"\#(c.id)","amount":6000000,"method":"cash"}"#).json(PaymentJSON.self)
            let owedBefore = c.total - 300_001 - 150_000
            #expect(p3.allocated == owedBefore && p3.unapplied == 6_000_000 - owedBefore)
            let after = try await rep1.get("/api/v1/contracts/\(c.id)/receivables").json([ReceivableJSON].self)
            #expect(after.allSatisfy { $0.received == $0.amount && $0.status == "paid" })
            let contract = try #require(try await Contract.find(c.id, on: app.db))
            #expect(contract.received == c.total)
            struct Figures: Decodable { var owed: Int64; var received: Int64; var prepayment: Int64 }
            let figures = try await rep1.get("/api/v1/customers/\(w.customers["rep1"]!)/finance").json(Figures.self)
            #expect(figures.owed == 0 && figures.received == c.total && figures.prepayment == 50_000 + p3.unapplied)
            // Nothing left to apply the prepayment to.
            #expect(try await rep1.send(.POST, "/api/v1/payments/\(pay1.id)/apply").status == .conflict)
            // Audited on the payment and on the contract.
            let audit = try await AuditEntry.query(on: app.db).filter(\.$recordID == c.id).filter(\.$field == "received").count()
            #expect(audit == 3)
            // The scope: rep2 and another organisation see nothing; the team lead does.
            #expect(try await APIClient(app: app, token: World.token("rep2")).get("/api/v1/payments/\(pay1.id)").status == .notFound)
            #expect(try await APIClient(app: app, token: World.token("outsider")).get("/api/v1/payments/\(pay1.id)").status == .notFound)
            #expect(try await APIClient(app: app, token: World.token("lead")).get("/api/v1/payments/\(pay1.id)").status == .ok)
            struct Page: Decodable { var items: [PaymentJSON] }
            #expect(try await APIClient(app: app, token: World.token("rep2")).get("/api/v1/payments").json(Page.self).items.isEmpty)
            #expect(try await APIClient(app: app, token: World.token("viewer")).send(.POST, "/api/v1/payments", json: #"{"contractID":"\#(c.id)","amount":1}"#).status == .forbidden)
        }
    }

    @Test func manyPaymentsAtOnceNeverOverfillAnInstalment() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let (c, _) = try await Self.activeContract(app, w, quote: try await Self.quotes(app, w, count: 1)[0])
            let rep1 = APIClient(app: app, token: World.token("rep1"))
            // 30 payments of 1,999.99 yuan at once (59,999.70 yuan in all) against a 51,754 yuan contract.
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for _ in 0..<30 { group.addTask { try await rep1.send(.POST, "/api/v1/payments", json: #"{"contractID":"\#(c.id)","amount":199999}"#).status } }
                return try await group.reduce(into: [HTTPStatus]()) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == .created }, "\(statuses)")
            let rows = try await Receivable.query(on: app.db).filter(\.$contractID == c.id).all()
            #expect(rows.allSatisfy { $0.received == $0.amount })
            let payments = try await Payment.query(on: app.db).all()
            let allocated = payments.reduce(Int64(0)) { $0 + $1.allocated }
            let allocations = try await PaymentAllocation.query(on: app.db).all().reduce(Int64(0)) { $0 + $1.amount }
            #expect(allocated == c.total && allocations == c.total)
            #expect(payments.reduce(Int64(0)) { $0 + $1.unapplied } == 30 * 199_999 - c.total)
            #expect(try #require(try await Contract.find(c.id, on: app.db)).received == c.total)
            #expect(Set(payments.map(\.number)).count == 30)
            let tallied = try await Self.tallies(app), counted = try await Self.counted(app)
            #expect(tallied == counted)
            #expect(try await Self.moneyTalliesHold(app))
        }
    }

    struct MoneyDay: Decodable, Hashable {
        let day: String; let owner_id: UUID; let new_n: Int64; let new_amount: Int64; let margin: Int64; let due: Int64; let received: Int64; let refunded: Int64; let invoiced: Int64
    }

    /// Whether the statistics' daily tallies, as kept write by write, equal a count made afresh from the records.
    static func moneyTalliesHold(_ app: Application) async throws -> Bool {
        let sql = app.db as! any SQLDatabase
        let read = { try await Set(sql.raw("""
            SELECT day, owner_id, new_n, new_amount, margin, due, received, refunded, invoiced FROM money_days
            WHERE new_n <> 0 OR new_amount <> 0 OR margin <> 0 OR due <> 0 OR received <> 0 OR refunded <> 0 OR invoiced <> 0
            """).all(decoding: MoneyDay.self)) }
        let kept = try await read()
        for org in try await Organization.query(on: app.db).all() { try await MoneyTally.rebuild(orgID: org.id!, on: app.db) }
        let counted = try await read()
        // What is still to invoice, likewise.
        struct Open: Decodable, Hashable { let owner_id: UUID; let to_invoice: Int64 }
        let balances = { try await Set(sql.raw("SELECT owner_id, to_invoice FROM invoice_balances WHERE to_invoice <> 0").all(decoding: Open.self)) }
        let keptOpen = try await balances()
        for org in try await Organization.query(on: app.db).all() { try await InvoiceBalance.rebuild(orgID: org.id!, on: app.db) }
        let countedOpen = try await balances()
        return !kept.isEmpty && kept == counted && keptOpen == countedOpen
    }

    struct Day: Decodable, Hashable { let due_on: String; let owner_id: UUID; let n: Int64; let owed: Int64 }

    /// The aging tallies, days that still owe something.
    static func tallies(_ app: Application) async throws -> Set<Day> {
        Set(try await (app.db as! any SQLDatabase).raw("SELECT due_on, owner_id, n, owed FROM receivable_days WHERE n <> 0 OR owed <> 0").all(decoding: Day.self))
    }

    /// The same figures counted from the instalments themselves.
    static func counted(_ app: Application) async throws -> Set<Day> {
        Set(try await (app.db as! any SQLDatabase).raw("""
            SELECT due_on, owner_id, COUNT(*) AS n, CAST(SUM(amount - received) AS BIGINT) AS owed FROM receivables
            WHERE is_void = false AND received < amount GROUP BY due_on, owner_id
            """).all(decoding: Day.self))
    }

    @Test func refundsHoldTheMoneyAndAnswerToTheirApproval() async throws {
        try await withGuanxi { app, clock in
            let w = try await World.build(app)
            let (c, _) = try await Self.activeContract(app, w, quote: try await Self.quotes(app, w, count: 1)[0])
            let rep1 = APIClient(app: app, token: World.token("rep1"))
            let customer = w.customers["rep1"]!
            // A prepayment of 1,000 yuan, kept whole.
            let pay = try await rep1.send(.POST, "/api/v1/payments", json: #"{"customerID":"\#(customer)","amount":100000,"apply":"none"}"#).json(PaymentJSON.self)
            #expect(pay.unapplied == 100_000 && pay.allocated == 0)
            #expect(try await rep1.send(.POST, "/api/v1/refunds", json: #"{"kind":"prepayment","customerID":"\#(customer)","amount":100001,"reason":"多付"}"#).status == .conflict)
            let noReason = try await rep1.send(.POST, "/api/v1/refunds", json: #"{"kind":"prepayment","customerID":"\#(customer)","amount":100}"#)
            #expect(noReason.status == .unprocessableEntity && noReason.text.contains("reason"))
            // Refunds need the team lead's approval.
            let admin = APIClient(app: app, token: World.token("admin"))
            #expect(try await admin.send(.PUT, "/api/v1/approval-flows/refund", json: #"[{"name":"主管","mode":"anyOne","approvers":{"kind":"supervisor"}}]"#).status == .ok)
            let r = try await rep1.send(.POST, "/api/v1/refunds", json: #"{"kind":"prepayment","customerID":"\#(customer)","amount":60000,"reason":"多付"}"#).json(DocJSON.self)
            #expect(r.status == "pendingApproval" && r.number.hasPrefix("TK"))
            // Held: the prepayment left is 400 yuan, so neither a second refund of 500 nor applying 600 can spend it.
            #expect(try await Payment.find(pay.id, on: app.db)?.unapplied == 40_000)
            #expect(try await rep1.send(.POST, "/api/v1/refunds", json: #"{"kind":"prepayment","customerID":"\#(customer)","amount":50000,"reason":"再退"}"#).status == .conflict)
            // Rejected: the money is back.
            let lead = APIClient(app: app, token: World.token("lead"))
            let task = try #require(try await lead.get("/api/v1/approvals?box=inbox").json([Made].self).first)
            clock.advance(60)
            #expect(try await lead.send(.POST, "/api/v1/approvals/\(task.id)/reject", json: #"{"comment":"核实后再退"}"#).status == .ok)
            #expect(try await rep1.get("/api/v1/refunds/\(r.id)").json(DocJSON.self).status == "cancelled")
            #expect(try await Payment.find(pay.id, on: app.db)?.unapplied == 100_000)
            // Resubmitted and approved: refunded for good.
            #expect(try await rep1.send(.POST, "/api/v1/approvals/\(task.id)/resubmit", json: "{}").status == .ok)
            #expect(try await Payment.find(pay.id, on: app.db)?.unapplied == 40_000)
            #expect(try await lead.send(.POST, "/api/v1/approvals/\(task.id)/approve", json: "{}").status == .ok)
            #expect(try await rep1.get("/api/v1/refunds/\(r.id)").json(DocJSON.self).status == "approved")
            // Against the contract: never more than it collected.
            #expect(try await rep1.send(.POST, "/api/v1/refunds", json: #"{"kind":"contract","contractID":"\#(c.id)","amount":1,"reason":"退货"}"#).status == .conflict)
            _ = try await rep1.send(.POST, "/api/v1/payments", json: #"{"contractID":"\#(c.id)","amount":500000}"#)
            let ret = try await rep1.send(.POST, "/api/v1/refunds", json: #"{"kind":"contract","contractID":"\#(c.id)","amount":200000,"reason":"退货一台"}"#).json(DocJSON.self)
            #expect(ret.status == "pendingApproval")
            #expect(try await Contract.find(c.id, on: app.db)?.refunded == 200_000)
            #expect(try await APIClient(app: app, token: World.token("rep2")).get("/api/v1/refunds/\(ret.id)").status == .notFound)
            // The statistics count the approved refund (not the one still waiting) on its day.
            struct Stats: Decodable { struct Row: Decodable { var refunded: Int64; var received: Int64 }; var total: Row }
            let stats = try await rep1.get("/api/v1/collections?from=2026-09-01&to=2026-09-30").json(Stats.self)
            #expect(stats.total.refunded == 60_000 && stats.total.received == 500_000, "\(stats.total)")
            #expect(try await Self.moneyTalliesHold(app))
        }
    }

    @Test func invoicesNeverExceedTheContractEvenAskedForAtOnce() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let (c, _) = try await Self.activeContract(app, w, quote: try await Self.quotes(app, w, count: 1)[0])
            let rep1 = APIClient(app: app, token: World.token("rep1"))
            let special = try await rep1.send(.POST, "/api/v1/invoices", json: #"{"contractID":"\#(c.id)","kind":"special","amount":100}"#)
            let specialField = try special.json(ErrorJSON.self).fields?["taxNumber"]
            #expect(special.status == .unprocessableEntity && specialField?.contains("special VAT") == true)
            let badNumber = try await rep1.send(.POST, "/api/v1/invoices", json: #"{"contractID":"\#(c.id)","kind":"special","taxNumber":"123","amount":100}"#)
            let badField = try badNumber.json(ErrorJSON.self).fields?["taxNumber"]
            #expect(badField?.contains("15, 17, 18 or 20") == true)
            // Ten requests of a fifth of the total at once: exactly five are issued.
            let fifth = c.total / 5
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for _ in 0..<10 {
                    group.addTask { try await rep1.send(.POST, "/api/v1/invoices", json: #"{"contractID":"\#(c.id)","kind":"special","taxNumber":"91310000MA1FL3XK2B","amount":\#(fifth)}"#).status }
                }
                return try await group.reduce(into: [HTTPStatus]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .created }.count == 5 && statuses.filter { $0 == .conflict }.count == 5, "\(statuses)")
            #expect(try #require(try await Contract.find(c.id, on: app.db)).invoiced == fifth * 5)
            let issued = try await Invoice.query(on: app.db).filter(\.$status == .issued).all()
            #expect(issued.count == 5 && issued.allSatisfy { $0.number.hasPrefix("FP") })
            // Voiding one frees its amount for a new one.
            let first = issued[0]
            #expect(try await rep1.send(.POST, "/api/v1/invoices/\(first.id!)/void", json: #"{"reason":""}"#).status == .unprocessableEntity)
            #expect(try await rep1.send(.POST, "/api/v1/invoices/\(first.id!)/void", json: #"{"reason":"抬头错误"}"#).json(DocJSON.self).status == "void")
            #expect(try await rep1.send(.POST, "/api/v1/invoices/\(first.id!)/void", json: #"{"reason":"再次"}"#).status == .conflict)
            #expect(try await rep1.send(.PUT, "/api/v1/invoices/\(issued[1].id!)/number", json: #"{"invoiceNo":"04400123"}"#).status == .ok)
            #expect(try await rep1.send(.POST, "/api/v1/invoices", json: #"{"contractID":"\#(c.id)","amount":\#(fifth + c.total % 5)}"#).status == .created)
            #expect(try #require(try await Contract.find(c.id, on: app.db)).invoiced == c.total)
            // The statistics: invoiced this period and nothing left to invoice.
            struct Stats: Decodable { struct Row: Decodable { var invoiced: Int64; var toInvoice: Int64; var newCount: Int64; var newAmount: Int64 }; var total: Row }
            let stats = try await rep1.get("/api/v1/collections?from=2026-09-01&to=2026-09-30").json(Stats.self)
            #expect(stats.total.invoiced == c.total && stats.total.toInvoice == 0 && stats.total.newCount == 1 && stats.total.newAmount == c.total)
            #expect(try await APIClient(app: app, token: World.token("rep2")).get("/api/v1/collections").json(Stats.self).total.newCount == 0)
            #expect(try await Self.moneyTalliesHold(app))
        }
    }

    @Test func theCreditLimitBlocksOrAsksForApprovalAndHoldsUnderRaces() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let qs = try await Self.quotes(app, w, count: 3)
            let rep1 = APIClient(app: app, token: World.token("rep1"))
            var ids: [UUID] = []
            for q in qs { ids.append(try await rep1.send(.POST, "/api/v1/contracts", json: #"{"quoteID":"\#(q)"}"#).json(ContractJSON.self).id) }
            // A limit of 1.5 contracts: two submitted at once, one passes.
            let customer = try #require(try await Customer.find(w.customers["rep1"]!, on: app.db))
            customer.creditLimit = 5_175_400 * 3 / 2
            try await customer.save(on: app.db)
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for id in ids.prefix(2) { group.addTask { try await rep1.send(.POST, "/api/v1/contracts/\(id)/submit").status } }
                return try await group.reduce(into: [HTTPStatus]()) { $0.append($1) }
            }
            #expect(statuses.sorted { $0.code < $1.code } == [.ok, .conflict], "\(statuses)")
            #expect(try await Contract.query(on: app.db).filter(\.$status == .active).count() == 1)
            // Under "approve" the third goes to the rep's supervisor instead.
            let admin = APIClient(app: app, token: World.token("admin"))
            #expect(try await admin.send(.PUT, "/api/v1/finance-policy", json: #"{"credit":"approve","reminderDays":99}"#).status == .unprocessableEntity)
            #expect(try await admin.send(.PUT, "/api/v1/finance-policy", json: #"{"credit":"approve"}"#).status == .ok)
            #expect(try await rep1.send(.PUT, "/api/v1/finance-policy", json: #"{"credit":"off"}"#).status == .forbidden)
            let pending = try await rep1.send(.POST, "/api/v1/contracts/\(ids[2])/submit").json(ContractJSON.self)
            #expect(pending.status == "pendingApproval")
            let lead = APIClient(app: app, token: World.token("lead"))
            let task = try #require(try await lead.get("/api/v1/approvals?box=inbox").json([Made].self).first)
            #expect(try await lead.send(.POST, "/api/v1/approvals/\(task.id)/approve", json: "{}").status == .ok)
            #expect(try await rep1.get("/api/v1/contracts/\(ids[2])").json(ContractJSON.self).status == "active")
        }
    }

    @Test func dueInstalmentsAreAnnouncedOnceAndThePagesWork() async throws {
        try await withGuanxi { app, clock in
            let w = try await World.build(app)
            let (c, plan) = try await Self.activeContract(app, w, quote: try await Self.quotes(app, w, count: 1)[0])
            // Today is 2026-09-21: the first instalment, due 2026-10-31, is within 40 days and announced once.
            let admin = APIClient(app: app, token: World.token("admin"))
            #expect(try await admin.send(.PUT, "/api/v1/finance-policy", json: #"{"reminderDays":40}"#).status == .ok)
            #expect(try await ReceivableReminder(db: app.db, now: clock.now).run() == 1)
            #expect(try await ReceivableReminder(db: app.db, now: clock.now).run() == 0)
            let note = try #require(try await UserNotification.query(on: app.db).filter(\.$kind == "receivableDue").first())
            #expect(note.userID == w.users["rep1"]! && note.args.contains(c.number) && note.args.contains("2026-10-31"))
            // Pages: a payment form that keeps what was typed, the contract's and the customer's money, statistics, print.
            let b = Browser(app)
            try await b.signIn("rep1")
            let form = try await b.get("/payments/new?contract=\(c.id)")
            #expect(form.status == .ok && form.text.contains("alloc.\(plan[1].id)"))
            let bad = try await b.post("/payments", [("contractID", c.id.uuidString), ("amount", "12.345"), ("receivedOn", "2026-09-20"), ("apply", "auto"), ("note", "第一笔")])
            #expect(bad.status == .unprocessableEntity && bad.text.contains("第一笔") && bad.text.contains("e-amount"))
            let ok = try await b.post("/payments", [("contractID", c.id.uuidString), ("amount", "12,000.50"), ("receivedOn", "2026-09-20"), ("apply", "manual"),
                                                   ("alloc.\(plan[1].id)", "12000.50"), ("method", "transfer")])
            #expect(ok.status == .seeOther, "\(ok.text)")
            #expect(try await Receivable.find(plan[1].id, on: app.db)?.received == 1_200_050)
            let page = try await b.get(try #require(ok.location))
            #expect(page.text.contains("12,000.50") && page.text.contains(c.number))
            let detail = try await b.get("/contracts/\(c.id)")
            #expect(detail.text.contains("id=\"money\"") && detail.text.contains("/invoices/new?contract="))
            let inv = try await b.post("/invoices", [("contractID", c.id.uuidString), ("kind", "special"), ("amount", "100"), ("buyer", "测试客户"), ("taxNumber", "")])
            #expect(inv.status == .unprocessableEntity && inv.text.contains("e-taxNumber"))
            #expect(try await b.post("/invoices", [("contractID", c.id.uuidString), ("kind", "ordinary"), ("amount", "100"), ("buyer", "测试客户")]).status == .seeOther)
            #expect(try await b.get("/customers/\(w.customers["rep1"]!)").text.contains("customer-money"))
            let stats = try await b.get("/collections?from=2026-09-01&to=2026-09-30")
            #expect(stats.status == .ok && stats.text.contains("12,000.50") && stats.text.contains("<svg"))
            let csv = try await b.get("/collections.csv?from=2026-09-01&to=2026-09-30")
            #expect(csv.status == .ok && csv.text.contains("12000.50"))
            let printed = try await b.get("/contracts/\(c.id)/print")
            #expect(printed.text.contains("销售合同") && printed.text.contains(Money.chineseUpper(c.total)))
            #expect(try await b.get("/invoices").text.contains("FP"))
            #expect(try await b.get("/payments").text.contains("HK"))
            #expect(try await b.get("/contracts/settings").status == .forbidden)
        }
    }
}

@Suite struct ContractFrameworkTests {
    struct Made: Decodable { var id: UUID }
    struct ContractJSON: Decodable { var id: UUID; var number: String; var status: String; var total: Int64; var parentID: UUID?; var quoteID: UUID?; var title: String }
    struct ShareJSON: Decodable { var userID: UUID; var level: String }

    @Test func contractsAreCopiedCalledOffFromAFrameworkAndShared() async throws {
        try await withGuanxi { app, _ in
            let w = try await World.build(app)
            let qs = try await FinanceTests.quotes(app, w, count: 2)
            let rep1 = APIClient(app: app, token: World.token("rep1"))
            let framework = try await rep1.send(.POST, "/api/v1/contracts", json: #"{"quoteID":"\#(qs[0])","title":"2027 年度框架协议"}"#).json(ContractJSON.self)
            // A call-off names the framework; a framework of another customer, itself or a call-off is refused.
            let callOff = try await rep1.send(.POST, "/api/v1/contracts", json: #"{"quoteID":"\#(qs[1])","parentID":"\#(framework.id)"}"#).json(ContractJSON.self)
            #expect(callOff.parentID == framework.id)
            #expect(try await rep1.send(.PATCH, "/api/v1/contracts/\(framework.id)", json: #"{"parentID":"\#(callOff.id)"}"#).status == .unprocessableEntity)
            #expect(try await rep1.send(.PATCH, "/api/v1/contracts/\(framework.id)", json: #"{"parentID":"\#(framework.id)"}"#).status == .unprocessableEntity)
            struct Page: Decodable { var items: [ContractJSON] }
            #expect(try await rep1.get("/api/v1/contracts?parent=\(framework.id)").json(Page.self).items.map(\.id) == [callOff.id])
            // A copy: a new draft with the lines, no quote, still under the framework.
            let copy = try await rep1.send(.POST, "/api/v1/contracts/\(callOff.id)/copy")
            #expect(copy.status == .created)
            let c = try copy.json(ContractJSON.self)
            #expect(c.status == "draft" && c.quoteID == nil && c.parentID == framework.id && c.total == callOff.total && c.number != callOff.number)
            #expect(try await ContractLine.query(on: app.db).filter(\.$contractID == c.id).count() == 1)
            #expect(try await rep1.get("/api/v1/contracts?parent=\(framework.id)").json(Page.self).items.count == 2)
            // Shared with rep2 for reading: rep2 sees it and its call-offs' parent page, cannot change it.
            let rep2 = APIClient(app: app, token: World.token("rep2"))
            #expect(try await rep2.get("/api/v1/contracts/\(framework.id)").status == .notFound)
            let shared = try await rep1.send(.POST, "/api/v1/contracts/\(framework.id)/shares", json: #"{"userIDs":["\#(w.users["rep2"]!)"],"level":"read"}"#)
            #expect(try shared.json([ShareJSON].self).map(\.level) == ["read"])
            #expect(try await rep2.get("/api/v1/contracts/\(framework.id)").status == .ok)
            #expect(try await rep2.send(.PATCH, "/api/v1/contracts/\(framework.id)", json: #"{"title":"改"}"#).status == .forbidden)
            #expect(try await rep2.send(.POST, "/api/v1/contracts/\(framework.id)/shares", json: #"{"userIDs":["\#(w.users["lead"]!)"],"level":"read"}"#).status == .forbidden)
            #expect(try await rep1.send(.DELETE, "/api/v1/contracts/\(framework.id)/shares/\(w.users["rep2"]!)").status == .noContent)
            #expect(try await rep2.get("/api/v1/contracts/\(framework.id)").status == .notFound)
            // The pages: the framework lists its call-offs, the copy button and the sharing card.
            let b = Browser(app)
            try await b.signIn("rep1")
            let page = try await b.get("/contracts/\(framework.id)")
            #expect(page.text.contains("call-offs") && page.text.contains(callOff.number) && page.text.contains("/copy") && page.text.contains("id=\"shares\""))
            #expect(try await b.post("/contracts/\(framework.id)/copy").status == .seeOther)
            #expect(try await b.post("/contracts/\(framework.id)/shares", [("userID", w.users["rep2"]!.uuidString), ("level", "edit")]).status == .seeOther)
            #expect(try await rep2.send(.PATCH, "/api/v1/contracts/\(framework.id)", json: #"{"title":"改"}"#).status == .ok)
            let audit = try await AuditEntry.query(on: app.db).filter(\.$recordID == framework.id).filter(\.$field == "share").count()
            #expect(audit == 3)
        }
    }
}

/// Payments, invoices, refunds and contracts follow each user's data scope, in lists and by id.
@Suite struct FinanceScopeMatrixTests {
    struct Item: Decodable { var id: UUID; var customerID: UUID }
    struct Page: Decodable { var items: [Item] }

    @Test func everyFinanceListAndRecordFollowsTheScope() async throws {
        try await withGuanxi { app, clock in
            let w = try await World.build(app)
            let admin = APIClient(app: app, token: World.token("admin"))
            var records: [String: [String: UUID]] = [:]
            for (key, customerID) in w.customers where key != "other" {
                let customer = try #require(try await Customer.find(customerID, on: app.db))
                let c = Contract()
                c.id = UUID.v7(at: clock.now)
                c.orgID = w.orgID
                c.number = "HT-\(key)"
                c.kind = .contract
                c.title = "合同-\(key)"
                c.status = .active
                c.subtotal = 88_496; c.tax = 11_504; c.total = 100_000; c.cost = 50_000
                c.received = 0; c.refunded = 0; c.invoiced = 0
                c.customerID = customerID
                c.ownerID = customer.ownerID!
                c.departmentID = customer.departmentID
                try await c.create(on: app.db)
                let pay = try await admin.send(.POST, "/api/v1/payments", json: #"{"customerID":"\#(customerID)","amount":5000,"apply":"none"}"#)
                let inv = try await admin.send(.POST, "/api/v1/invoices", json: #"{"contractID":"\#(c.id!)","amount":1000}"#)
                let ref = try await admin.send(.POST, "/api/v1/refunds", json: #"{"kind":"prepayment","customerID":"\#(customerID)","amount":100,"reason":"多付"}"#)
                #expect(pay.status == .created && inv.status == .created && ref.status == .created, "\(key): \(pay.text) \(inv.text) \(ref.text)")
                records[key] = ["payments": try pay.json(Item.self).id, "invoices": try inv.json(Item.self).id, "refunds": try ref.json(Item.self).id, "contracts": c.id!]
            }
            // The contracts went straight into the table, as a bulk load puts them: their tallies are counted afresh.
            try await InvoiceBalance.rebuild(orgID: w.orgID, on: app.db)
            for (account, expected) in World.visibility {
                let api = APIClient(app: app, token: World.token(account))
                for kind in ["payments", "invoices", "refunds", "contracts"] {
                    let list = try await api.get("/api/v1/\(kind)")
                    #expect(list.status == .ok, "\(account) \(kind)")
                    let seen = Set(try list.json(Page.self).items.compactMap { w.key(of: $0.customerID) })
                    #expect(seen == expected.subtracting(["other"]), "\(account) \(kind): \(seen.sorted()) ≠ \(expected.sorted())")
                    for (key, ids) in records {
                        let one = try await api.get("/api/v1/\(kind)/\(ids[kind]!)")
                        #expect(one.status == (expected.contains(key) ? .ok : .notFound), "\(account) \(kind)/\(key): \(one.status)")
                    }
                }
                // The statistics count only what the scope holds: one contract of 1,000 yuan per visible customer.
                struct Stats: Decodable { struct Row: Decodable { var toInvoice: Int64 }; var total: Row }
                let stats = try await api.get("/api/v1/collections")
                if account == "outsider" { #expect(try stats.json(Stats.self).total.toInvoice == 0); continue }
                #expect(try stats.json(Stats.self).total.toInvoice == Int64(expected.count) * 99_000, "\(account) statistics")
            }
        }
    }
}
