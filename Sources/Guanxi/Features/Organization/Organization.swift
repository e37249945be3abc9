import Fluent
import Foundation
import GuanxiCore

/// The tenant (组织/公司): every business row carries its `org_id`.
final class Organization: Model, @unchecked Sendable {
    static let schema = "organizations"

    // managed fields
    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    // data fields
    @Field(key: "name") var name: String
    @Field(key: "system_title") var systemTitle: String?
    @Field(key: "logo_url") var logoURL: String?
    @Field(key: "time_zone") var timeZone: String
    @Field(key: "currency") var currency: String
    @Field(key: "money_decimals") var moneyDecimals: Int
    @Field(key: "quantity_decimals") var quantityDecimals: Int
    @Field(key: "price_decimals") var priceDecimals: Int
    @OptionalField(key: "protection") var protection: ProtectionPolicy?
    @OptionalField(key: "product_policy") var productPolicy: ProductPolicy?
    @OptionalField(key: "quote_template") var quoteTemplate: QuoteTemplate?
    @OptionalField(key: "finance_policy") var financePolicy: FinancePolicy?
    @OptionalField(key: "contract_template") var contractTemplate: QuoteTemplate?
    /// How many days before a contact's birthday its owner is reminded (CON-03); nil for three.
    @OptionalField(key: "birthday_days_ahead") var birthdayDaysAhead: Int?

    init() {}

    var properties: [any AnyProperty] {
        [$id, $createdAt, $updatedAt, $name, $systemTitle, $logoURL, $timeZone, $currency, $moneyDecimals,
         $quantityDecimals, $priceDecimals, $protection, $productPolicy, $quoteTemplate, $financePolicy, $contractTemplate,
         $birthdayDaysAhead]
    }

    init(name: String, timeZone: String = "Asia/Shanghai", currency: String = "CNY") {
        self.id = UUID.v7()
        self.name = name
        self.timeZone = timeZone
        self.currency = currency
        self.moneyDecimals = 2
        self.quantityDecimals = 2
        self.priceDecimals = 2
    }

    var title: String { systemTitle ?? name }
    var birthdayLead: Int { birthdayDaysAhead ?? 3 }
    var zone: TimeZone { TimeZone(identifier: timeZone) ?? TimeZone(identifier: "Asia/Shanghai")! }

    static let currencies = ["CNY", "HKD", "TWD", "USD", "EUR", "JPY", "SGD"]
}
