import Fluent
import Foundation
import GuanxiCore

/// The demo company's catalogue: a small category tree, goods and services with prices, and a few
/// price strategies, so product pages, quotes and statistics have something real to show.
enum DemoProducts {
    /// (category path, name, model, unit, list price in yuan, cost in yuan, service)
    static let items: [(String, String, String, String, Int64, Int64, Bool)] = [
        ("硬件/服务器", "机架服务器", "HX-R740", "台", 45_800, 36_000, false),
        ("硬件/服务器", "塔式服务器", "HX-T440", "台", 18_900, 14_200, false),
        ("硬件/网络设备", "千兆交换机", "HX-S5720", "台", 6_800, 4_100, false),
        ("硬件/网络设备", "企业级路由器", "HX-AR6280", "台", 12_500, 8_300, false),
        ("硬件/网络设备", "无线接入点", "HX-AP7060", "个", 1_680, 900, false),
        ("软件", "华信 CRM 标准版", "CRM-STD", "套", 29_800, 3_000, false),
        ("软件", "华信 CRM 企业版", "CRM-ENT", "套", 88_000, 8_000, false),
        ("软件", "数据备份软件", "BK-100", "套", 9_600, 1_200, false),
        ("服务", "上门安装调试", "SRV-INST", "次", 2_000, 800, true),
        ("服务", "延保服务（一年）", "SRV-EXT1", "年", 3_600, 1_000, true),
        ("服务", "产品使用培训", "SRV-TRN", "天", 5_000, 2_000, true),
    ]

    static func seed(orgID: UUID, zone: TimeZone, on db: Database) async throws {
        var categories: [String: UUID] = [:]
        func category(_ path: String) async throws -> UUID {
            if let id = categories[path] { return id }
            let parts = path.split(separator: "/").map(String.init)
            let parent = parts.count > 1 ? try await category(parts.dropLast().joined(separator: "/")) : nil
            let c = ProductCategory(orgID: orgID, parentID: parent, name: parts.last!, sortOrder: categories.count)
            try await c.create(on: db)
            categories[path] = c.id
            return c.id!
        }
        let codes = try await Numbering.nextRange(.product, count: items.count, orgID: orgID, timeZone: zone, now: Date(), on: db)
        for (i, item) in items.enumerated() {
            let p = Product(orgID: orgID, createdBy: nil)
            p.code = codes[i]
            p.name = item.1
            p.model = item.2
            p.unit = item.3
            p.listPrice = item.4 * 100
            p.maxPrice = item.4 * 120
            p.floorPrice = item.4 * 85
            p.costPrice = item.5 * 100
            p.kind = item.6 ? "service" : "goods"
            p.categoryID = try await category(item.0)
            p.refreshSearchKeys()
            try await p.create(on: db)
            // Key accounts pay 5% less for hardware; a box of access points is priced on its own.
            if !item.6 { try await ProductPrice(orgID: orgID, productID: p.id!, rule: PriceRule(customerLevel: "a", price: item.4 * 95)).create(on: db) }
            if item.3 == "个" { try await ProductPrice(orgID: orgID, productID: p.id!, rule: PriceRule(unit: "箱", price: item.4 * 100 * 9)).create(on: db) }
        }
    }
}
