import Foundation
import GuanxiCore

/// The OpenAPI description of the finance endpoints, merged into the document.
extension OpenAPI {
    static var financePaths: [(String, JSONValue)] {
        let cursor = query("cursor", uuid, "nextCursor of the previous page")
        let conflict = { (d: String) -> (String, JSONValue) in ("409", ["description": .string(d), "content": json(ref("Error"))]) }
        let page = { (item: String) -> JSONValue in ok(["type": "object", "required": ["items"], "properties": ["items": ["type": "array", "items": ref(item)], "nextCursor": uuid]]) }
        return [
            ("/api/v1/payments", [
                "get": op("listPayments", "Payments received in your scope, newest first", tag: "Finance", params: [
                    query("customer", uuid, "Only this customer's"), query("contract", uuid, "Only those for or applied to this contract"),
                    query("prepayment", ["type": "boolean"], "Only those with prepayment left"), cursor], responses([("200", page("Payment"))])),
                "post": op("recordPayment", "Record money received: applied to the contract's (or customer's) earliest open instalments, to the instalments given, or kept as a prepayment (apply: none)",
                           tag: "Finance", body: ref("PaymentInput"),
                           responses([("201", ok(ref("Payment"), "Recorded")), conflict("An instalment was paid meanwhile")], validation: true)),
            ]),
            ("/api/v1/payments/{id}", [
                "get": op("getPayment", "One payment with what it was applied to", tag: "Finance", params: [idParam], responses([("200", ok(ref("Payment")))])),
            ]),
            ("/api/v1/payments/{id}/apply", [
                "post": op("applyPrepayment", "Apply a payment's prepayment to the customer's instalments: those given, or the earliest open ones", tag: "Finance", params: [idParam],
                           body: ["type": "object", "properties": ["allocations": ["type": "array", "items": ref("Allocation")]]],
                           responses([("200", ok(ref("Payment"))), conflict("Nothing to apply, or spent meanwhile")], validation: true)),
            ]),
            ("/api/v1/customers/{id}/finance", [
                "get": op("customerFinance", "A customer's contracts, what it owes (and overdue), received, invoiced and its prepayment, in your scope", tag: "Finance",
                          params: [idParam], responses([("200", ok(["type": "object", "required": ["contracts", "amount", "owed", "overdue", "received", "invoiced", "prepayment"],
                                                                    "properties": ["contracts": ["type": "integer"], "amount": ["type": "integer"], "owed": ["type": "integer"],
                                                                                   "overdue": ["type": "integer"], "received": ["type": "integer"], "invoiced": ["type": "integer"],
                                                                                   "prepayment": ["type": "integer"], "creditLimit": ["type": "integer"]]]))])),
            ]),
            ("/api/v1/refunds", [
                "get": op("listRefunds", "Refunds in your scope, newest first", tag: "Finance", params: [query("customer", uuid, "Only this customer's"),
                                                                                                       query("contract", uuid, "Only this contract's"), cursor],
                          responses([("200", page("Refund"))])),
                "post": op("createRefund", "Ask for a refund of a customer's prepayment or against a contract; the money is held and the refund approval flow decides",
                           tag: "Finance", body: ref("RefundInput"),
                           responses([("201", ok(ref("Refund"), "Requested")), conflict("More than the prepayment or the contract's collections, or nobody to approve")], validation: true)),
            ]),
            ("/api/v1/refunds/{id}", [
                "get": op("getRefund", "One refund", tag: "Finance", params: [idParam], responses([("200", ok(ref("Refund")))])),
            ]),
            ("/api/v1/invoices", [
                "get": op("listInvoices", "Invoices in your scope, newest first", tag: "Finance", params: [
                    query("contract", uuid, "Only this contract's"), query("customer", uuid, "Only this customer's"),
                    query("status", ["type": "string", "enum": .array(Invoice.Status.allCases.map { .string($0.rawValue) })], "Only this status"), cursor],
                          responses([("200", page("Invoice"))])),
                "post": op("createInvoice", "Ask for an invoice on an active contract (never beyond its total); issued once the invoice approval flow agrees",
                           tag: "Finance", body: ref("InvoiceInput"),
                           responses([("201", ok(ref("Invoice"), "Requested")), conflict("Beyond the contract's total, or nobody to approve")], validation: true)),
            ]),
            ("/api/v1/invoices/{id}", [
                "get": op("getInvoice", "One invoice", tag: "Finance", params: [idParam], responses([("200", ok(ref("Invoice")))])),
            ]),
            ("/api/v1/invoices/{id}/void", [
                "post": op("voidInvoice", "Void (红冲) an issued invoice; its amount may be invoiced again", tag: "Finance", params: [idParam],
                           body: ["type": "object", "required": ["reason"], "properties": ["reason": ["type": "string", "minLength": 1, "maxLength": 200]]],
                           responses([("200", ok(ref("Invoice"))), conflict("Not issued")], validation: true)),
            ]),
            ("/api/v1/invoices/{id}/number", [
                "put": op("setInvoiceNumber", "The number the tax system gave the invoice", tag: "Finance", params: [idParam],
                          body: ["type": "object", "required": ["invoiceNo"], "properties": ["invoiceNo": ["type": "string", "minLength": 1, "maxLength": 30]]],
                          responses([("200", ok(ref("Invoice"))), conflict("Voided or cancelled")], validation: true)),
            ]),
            ("/api/v1/collections", [
                "get": op("collectionStatistics", "New contracts, due, received, refunded, invoiced and to invoice per person or department over a period, with the received trend",
                          tag: "Finance", params: [
                              query("from", date, "First day (default: twelve months back)"), query("to", date, "Last day (default: today)"),
                              query("by", ["type": "string", "enum": ["owner", "department"]], "Group by"),
                              query("period", ["type": "string", "enum": ["day", "week", "month", "year"]], "Buckets of the trend")],
                          responses([("200", ok(["type": "object", "required": ["rows", "total", "trend"], "properties": [
                              "from": date, "to": date, "by": ["type": "string"], "rows": ["type": "array", "items": ref("CollectionRow")], "total": ref("CollectionRow"),
                              "trend": ["type": "array", "items": ["type": "object", "properties": ["period": ["type": "string"], "received": ["type": "integer"]]]]]]))])),
            ]),
            ("/api/v1/finance-policy", [
                "get": op("getFinancePolicy", "The credit-limit check and the reminder days", tag: "Finance", responses([("200", ok(ref("FinancePolicy")))])),
                "put": op("setFinancePolicy", "Change the credit-limit check (off, block, approve) or the reminder days (administrators)", tag: "Finance",
                          body: ref("FinancePolicy"), responses([("200", ok(ref("FinancePolicy")))], validation: true)),
            ]),
        ]
    }

    static var financeSchemas: [(String, JSONValue)] {
        let int: JSONValue = ["type": "integer"], str: JSONValue = ["type": "string"]
        return [
            ("Allocation", ["type": "object", "required": ["receivableID", "amount"], "properties": ["receivableID": uuid, "amount": ["type": "integer", "minimum": 1]]]),
            ("Payment", ["type": "object", "required": ["id", "number", "customerID", "receivedOn", "amount", "allocated", "refunded", "unapplied", "method", "ownerID"], "properties": [
                "id": uuid, "number": str, "customerID": uuid, "contractID": uuid, "receivedOn": date, "amount": int, "allocated": int, "refunded": int, "unapplied": int,
                "method": ["type": "string", "enum": .array(Payment.Method.allCases.map { .string($0.rawValue) })], "account": str, "reference": str, "note": str, "ownerID": uuid,
                "allocations": ["type": "array", "items": ["type": "object", "properties": ["receivableID": uuid, "contractID": uuid, "amount": int]]],
            ]]),
            ("PaymentInput", ["type": "object", "required": ["amount"], "properties": [
                "customerID": str, "contractID": str, "amount": ["type": "integer", "minimum": 1], "receivedOn": str,
                "method": ["type": "string", "enum": .array(Payment.Method.allCases.map { .string($0.rawValue) })], "account": ["type": "string", "maxLength": 60],
                "reference": ["type": "string", "maxLength": 60], "note": ["type": "string", "maxLength": 500], "apply": ["type": "string", "enum": ["auto", "none"]],
                "allocations": ["type": "array", "items": ref("Allocation")],
            ]]),
            ("Refund", ["type": "object", "required": ["id", "number", "kind", "status", "customerID", "amount", "refundedOn", "reason"], "properties": [
                "id": uuid, "number": str, "kind": ["type": "string", "enum": ["prepayment", "contract"]],
                "status": ["type": "string", "enum": .array(Refund.Status.allCases.map { .string($0.rawValue) })], "customerID": uuid, "contractID": uuid,
                "amount": int, "refundedOn": date, "reason": str,
            ]]),
            ("RefundInput", ["type": "object", "required": ["kind", "amount", "reason"], "properties": [
                "kind": ["type": "string", "enum": ["prepayment", "contract"]], "customerID": str, "contractID": str, "amount": ["type": "integer", "minimum": 1],
                "refundedOn": str, "reason": ["type": "string", "minLength": 1, "maxLength": 500],
            ]]),
            ("Invoice", ["type": "object", "required": ["id", "number", "kind", "status", "contractID", "customerID", "buyer", "amount", "issuedOn"], "properties": [
                "id": uuid, "number": str, "kind": ["type": "string", "enum": ["ordinary", "special"]],
                "status": ["type": "string", "enum": .array(Invoice.Status.allCases.map { .string($0.rawValue) })], "contractID": uuid, "customerID": uuid,
                "buyer": str, "taxNumber": str, "amount": int, "issuedOn": date, "invoiceNo": str, "note": str,
            ]]),
            ("InvoiceInput", ["type": "object", "required": ["contractID", "amount"], "properties": [
                "contractID": str, "kind": ["type": "string", "enum": ["ordinary", "special"]], "buyer": ["type": "string", "maxLength": 100],
                "taxNumber": ["type": "string", "maxLength": 20], "amount": ["type": "integer", "minimum": 1], "issuedOn": str,
                "invoiceNo": ["type": "string", "maxLength": 30], "note": ["type": "string", "maxLength": 500],
            ]]),
            ("CollectionRow", ["type": "object", "required": CollectionStats.Row.figures.map { .string($0) }.asJSONArray, "properties": .object(
                [("key", uuid), ("name", str)] + CollectionStats.Row.figures.map { ($0, int) })]),
            ("FinancePolicy", ["type": "object", "properties": [
                "credit": ["type": "string", "enum": .array(FinancePolicy.Credit.allCases.map { .string($0.rawValue) })],
                "reminderDays": ["type": "integer", "minimum": 0, "maximum": 60],
            ]]),
        ]
    }
}

private extension Array where Element == JSONValue {
    var asJSONArray: JSONValue { .array(self) }
}
