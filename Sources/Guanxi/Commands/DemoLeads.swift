import Fluent
import Foundation
import GuanxiCore

/// Demo leads: some with reps, some waiting in the lead pool, a website form and an assignment rule,
/// so the leads pages and conversion have something to show.
enum DemoLeads {
    static let companies = ["星河科技", "远航物流", "蓝海食品", "金桥建材", "华南电子", "新华印务", "天成医疗", "宏图教育",
                            "东方纺织", "恒信五金", "瑞丰农业", "嘉禾传媒", "云帆软件", "正道汽配", "北辰能源", "安和家居"]
    static let people = ["王经理", "李总", "张工", "刘女士", "陈先生", "杨主任", "赵经理", "黄女士"]
    static let needs = ["想了解标准版价格和部署方式", "需要 50 个账号，下月上线", "对比了几家，想看演示", "老系统要换，关心数据迁移",
                        "要报价单和案例", "希望上门介绍"]

    static func seed(orgID: UUID, owners: [(UUID, UUID?)], now: Date, on db: Database) async throws {
        let form = WebForm(orgID: orgID, name: "官网咨询", token: Tokens.random(bytes: 12))
        form.heading = "联系我们 · 获取报价"
        form.intro = "留下联系方式，销售顾问会在一个工作日内联系您。"
        form.thankYou = "谢谢！我们会在一个工作日内与您联系。"
        form.source = "web"
        try await form.create(on: db)
        let reps = Array(owners.prefix(4))
        if !reps.isEmpty {
            let rule = LeadRule(orgID: orgID, name: "官网线索轮流分配", position: 1)
            rule.source = "web"
            rule.userIDs = reps.map(\.0.uuidString).joined(separator: ",")
            try await rule.create(on: db)
        }
        let sources = ["web", "call", "exhibition", "referral", "ad"]
        var leads: [Lead] = []
        for (i, company) in companies.enumerated() {
            let l = Lead(orgID: orgID, createdBy: nil, now: now.addingTimeInterval(Double(i - companies.count) * 3600))
            l.company = company + (i % 3 == 0 ? "有限公司" : "股份有限公司")
            l.person = people[i % people.count]
            l.phone = String(format: "139%08d", 20_000_000 + i * 7_919)
            l.need = needs[i % needs.count]
            l.source = sources[i % sources.count]
            l.status = i % 5 == 4 ? LeadStatus.contacting.rawValue : LeadStatus.new.rawValue
            // One in three waits in the pool; the rest are with reps.
            if i % 3 != 0, !owners.isEmpty {
                let (owner, dept) = owners[i % owners.count]
                l.ownerID = owner
                l.departmentID = dept
                l.assignedAt = now
            }
            if i % 2 == 0 { l.webFormID = form.id }
            l.refreshSearchKeys()
            leads.append(l)
        }
        try await leads.create(on: db)
        for l in leads where l.status == LeadStatus.contacting.rawValue {
            guard let owner = l.ownerID else { continue }
            try await LeadFollowUp(orgID: orgID, leadID: l.id!, ownerID: owner, departmentID: l.departmentID, method: "phone",
                                   content: "第一次电话沟通，客户对产品有兴趣，约下周演示", happenedAt: now.addingTimeInterval(-7200)).create(on: db)
        }
    }
}
