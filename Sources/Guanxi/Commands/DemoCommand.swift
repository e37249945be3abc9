import ConsoleKit
import Fluent
import Foundation
import GuanxiCore
import SQLKit
import Vapor

/// `guanxi demo`: a realistic demo company — a three-level department tree, employees with
/// supervisors, several roles and a few hundred customers — and how to sign in.
struct DemoCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "customers", help: "How many customers (default 300)") var customers: Int?
        @Option(name: "contacts", help: "How many contacts in all (default two per customer)") var contacts: Int?
        @Option(name: "follow-ups", help: "How many follow-ups in all (default one per customer)") var followUps: Int?
        @Option(name: "opportunities", help: "How many opportunities (default one per three customers)") var opportunities: Int?
        @Option(name: "contracts", help: "How many contracts, with one to seven instalments each (default one per four customers)") var contracts: Int?
        @Option(name: "reps", help: "Extra sales reps beyond the named demo people (default 0)") var reps: Int?
        @Option(name: "password", help: "Password of every demo account (default guanxi123)") var password: String?
    }

    var help: String { "Fills a demo company and prints how to sign in." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let password = signature.password ?? "guanxi123"
        if try await Installation.accountTaken("admin", on: app.db) {
            context.console.print("Demo data already present. Sign in at http://127.0.0.1:8080/login as admin / \(password) (or any demo account).")
            return
        }
        let hash = try await app.password.async.hash(password)
        let started = Date()
        let summary = try await DemoData.fill(db: app.db, passwordHash: hash, customers: max(0, signature.customers ?? 300),
                                              contacts: signature.contacts.map { max(0, $0) }, followUps: signature.followUps.map { max(0, $0) },
                                              opportunities: signature.opportunities.map { max(0, $0) }, contracts: signature.contracts.map { max(0, $0) },
                                              reps: max(0, min(signature.reps ?? 0, 5_000))) { context.console.print($0) }
        context.console.print("\(summary) (\(Int(Date().timeIntervalSince(started))) s)")
        context.console.print("Start the server with `swift run guanxi serve` and sign in at http://127.0.0.1:8080/login")
        context.console.print("  admin / \(password)   (administrator)")
        context.console.print("  zhang.wei / \(password)   (sales director, sees the whole company)")
        context.console.print("  li.na / \(password)   (branch manager, Beijing tree)")
        context.console.print("  wang.fang / \(password)   (team lead, own + subordinates)")
        context.console.print("  zhao.lei / \(password)   (sales rep, own customers)")
    }
}

/// The demo company itself, also used by the browser and API tests.
enum DemoData {
    struct Person {
        let account: String
        let name: String
        let dept: String
        let supervisor: String?
        let role: String
    }

    static let people: [Person] = [
        Person(account: "admin", name: "系统管理员", dept: "华信科技", supervisor: nil, role: "管理员"),
        Person(account: "boss", name: "陈建国", dept: "华信科技", supervisor: nil, role: "老板"),
        Person(account: "zhang.wei", name: "张伟", dept: "销售中心", supervisor: "boss", role: "销售总监"),
        Person(account: "li.na", name: "李娜", dept: "北京分公司", supervisor: "zhang.wei", role: "分公司经理"),
        Person(account: "wang.fang", name: "王芳", dept: "北京一组", supervisor: "li.na", role: "销售主管"),
        Person(account: "zhao.lei", name: "赵磊", dept: "北京一组", supervisor: "wang.fang", role: "业务员"),
        Person(account: "sun.li", name: "孙丽", dept: "北京一组", supervisor: "wang.fang", role: "业务员"),
        Person(account: "zhou.jie", name: "周杰", dept: "北京二组", supervisor: "li.na", role: "业务员"),
        Person(account: "wu.min", name: "吴敏", dept: "上海分公司", supervisor: "zhang.wei", role: "分公司经理"),
        Person(account: "zheng.hao", name: "郑浩", dept: "上海一组", supervisor: "wu.min", role: "销售主管"),
        Person(account: "feng.xue", name: "冯雪", dept: "上海一组", supervisor: "zheng.hao", role: "业务员"),
        Person(account: "chen.yu", name: "陈宇", dept: "上海一组", supervisor: "zheng.hao", role: "业务员"),
        Person(account: "he.jing", name: "何静", dept: "广州分公司", supervisor: "zhang.wei", role: "分公司经理"),
        Person(account: "lin.tao", name: "林涛", dept: "广州一组", supervisor: "he.jing", role: "业务员"),
        Person(account: "guo.qian", name: "郭倩", dept: "客服部", supervisor: "boss", role: "客服"),
    ]

    /// name -> parent name; three levels below the company.
    static let departments: [(String, String?)] = [
        ("华信科技", nil), ("销售中心", "华信科技"), ("客服部", "华信科技"),
        ("北京分公司", "销售中心"), ("上海分公司", "销售中心"), ("广州分公司", "销售中心"),
        ("北京一组", "北京分公司"), ("北京二组", "北京分公司"), ("上海一组", "上海分公司"), ("广州一组", "广州分公司"),
    ]

    static func roles() -> [(String, String, RolePolicy)] {
        let sales: Set<Action> = [.view, .create, .edit, .export, .print]
        // Products: everyone looks them up; those who may not change them do not see the cost.
        func policy(_ actions: Set<Action>, _ scope: DataScope, products: Set<Action> = [.view], rules: [String: FieldRule] = [:]) -> RolePolicy {
            var p = RolePolicy(actions: [.customers: actions], scopes: [.customers: scope], fieldRules: rules).extending(.followUps, like: .customers).extending(.tasks, like: .customers)
                .extending(.leads, like: .customers).extending(.opportunities, like: .customers).extending(.quotes, like: .customers)
                .extending(.contracts, like: .customers)
            p.actions[.products] = products
            // Whoever may quote may print the quote for the customer.
            if p.actions[.quotes]?.contains(.create) == true { p.actions[.quotes]?.insert(.print) }
            if !products.contains(.edit) { p.fieldRules["products.costPrice"] = .hidden }
            return p
        }
        return [
            ("老板", "看全部数据，只读", policy([.view, .export, .print], .all, products: [.view, .export])),
            ("销售总监", "全公司客户", policy(sales.union([.delete, .assign, .import]), .all, products: Set(Module.products.actions))),
            ("分公司经理", "本部门及下属部门", policy(sales.union([.delete, .assign]), .departmentTree, products: [.view, .create, .edit, .export])),
            ("销售主管", "本人及下属", policy(sales.union([.assign]), .ownAndSubordinates)),
            ("业务员", "本人客户", policy([.view, .create, .edit], .own)),
            ("客服", "本部门，电话打码", policy([.view], .department, rules: ["customers.phone": .masked])),
        ]
    }

    static let followUpTexts = ["电话沟通需求，客户在比较三家供应商", "上门拜访采购经理，演示了新版本", "发送报价单，客户反馈价格偏高",
                                "微信确认技术参数，等待总工意见", "客户来访参观工厂，对交期满意", "邮件发送合同草稿，法务在审"]

    static let province = ["苏州": "江苏", "杭州": "浙江", "成都": "四川", "武汉": "湖北", "南京": "江苏", "西安": "陕西", "深圳": "广东", "广州": "广东"]
    static let cities = ["北京", "上海", "广州", "深圳", "杭州", "成都", "武汉", "南京", "西安", "苏州", "天津", "重庆"]
    static let cores = ["新能源", "华信", "恒通", "天成", "瑞丰", "金桥", "宏达", "远航", "博雅", "中科", "鼎盛", "嘉禾", "同创", "海纳", "启明", "长城"]
    static let trades = ["科技", "贸易", "机械", "电子", "医药", "食品", "建材", "物流", "软件", "化工", "纺织", "环保"]

    static func customerName(_ i: Int) -> String {
        let (base, round) = customerNameParts(i)
        return base + (round > 1 ? "（\(round)）" : "")
    }

    /// The name without its repeat number, and that number (1 for the first round of names).
    static func customerNameParts(_ i: Int) -> (base: String, round: Int) {
        let city = cities[i % cities.count]
        let core = cores[(i / cities.count) % cores.count]
        let trade = trades[(i / (cities.count * cores.count)) % trades.count]
        return ("\(city)\(core)\(trade)有限公司", i / (cities.count * cores.count * trades.count) + 1)
    }

    static func phone(_ i: Int) -> String {
        let prefixes = ["138", "139", "186", "135", "150", "177", "189", "131"]
        let n = (i &* 7_919 &+ 1_234_567) % 100_000_000
        return prefixes[i % prefixes.count] + String(format: "%08d", n)
    }

    /// The groups generated reps join, with their team lead.
    static let repGroups = [("北京一组", "wang.fang"), ("北京二组", "li.na"), ("上海一组", "zheng.hao"), ("广州一组", "he.jing")]

    struct Skeleton: Sendable {
        let orgID: UUID
        let owners: [(UUID, UUID?)]
        let poolID: UUID?
        let regions: [String: UUID]
        let now: Date
        let zone: TimeZone
        let summary: String
    }

    static func fill(db: Database, passwordHash: String, customers: Int, contacts: Int? = nil, followUps: Int? = nil, opportunities: Int? = nil,
                     contracts: Int? = nil, reps: Int = 0,
                     progress: @escaping (String) -> Void = { _ in }) async throws -> String {
        let s = try await skeleton(db: db, passwordHash: passwordHash, customers: customers, reps: reps)
        let volume = DemoVolume(db: db, orgID: s.orgID, owners: s.owners, poolID: s.poolID, regions: s.regions, now: s.now, zone: s.zone,
                                customers: customers, contacts: contacts ?? customers * 2, followUps: followUps ?? customers,
                                opportunities: opportunities ?? customers / 3, contracts: contracts ?? customers / 4)
        try await volume.run(progress: progress)
        // A bulk load leaves SQLite without statistics until the job's first run; without them a
        // customer's timeline walked the organisation's whole follow-up time index.
        try await DatabaseStatistics.refresh(on: db)
        return s.summary + " \(volume.contacts) contacts, \(volume.followUps) follow-ups, \(volume.opportunities) opportunities, \(volume.contracts) contracts."
    }

    /// The company without its customers: departments, people, roles, dictionaries, a calendar and plans.
    static func skeleton(db: Database, passwordHash: String, customers: Int, reps: Int) async throws -> Skeleton {
        try await db.writeTransaction { tx in
            let org = Organization(name: "华信科技有限公司")
            org.systemTitle = "华信 CRM"
            try await org.create(on: tx)
            let orgID = org.id!
            try await DictionaryService.seedDefaults(orgID: orgID, on: tx)
            try await RegionService.seedDefaults(orgID: orgID, on: tx)
            try await CustomerPool.seedDefault(orgID: orgID, on: tx)
            let pool = try await CustomerPool.query(on: tx).filter(\.$orgID == orgID).firstRow()!
            var deptIDs: [String: UUID] = [:]
            for (i, (name, parent)) in departments.enumerated() {
                let d = Department(orgID: orgID, name: name, parentID: parent.flatMap { deptIDs[$0] }, sortOrder: i)
                try await d.create(on: tx)
                deptIDs[name] = d.id
            }
            var roleIDs: [String: UUID] = [:]
            let admin = Role(orgID: orgID, name: "管理员", policy: .administrator, isSystem: true)
            try await admin.create(on: tx)
            roleIDs["管理员"] = admin.id
            for (name, summary, policy) in roles() {
                let r = Role(orgID: orgID, name: name, policy: policy)
                r.summary = summary
                try await r.create(on: tx)
                roleIDs[name] = r.id
            }
            try await DemoProducts.seed(orgID: orgID, zone: org.zone, on: tx)
            var userIDs: [String: UUID] = [:]
            var owners: [(UUID, UUID?)] = []
            for p in people {
                let u = User(orgID: orgID, account: p.account, name: p.name, passwordHash: passwordHash,
                             departmentID: deptIDs[p.dept], supervisorID: p.supervisor.flatMap { userIDs[$0] })
                u.mobile = phone(userIDs.count + 90_000)
                u.email = "\(p.account)@huaxin.example.cn"
                try await u.create(on: tx)
                userIDs[p.account] = u.id
                try await UserRole(orgID: orgID, userID: u.id!, roleID: roleIDs[p.role]!).create(on: tx)
                if ["业务员", "销售主管", "分公司经理"].contains(p.role) { owners.append((u.id!, u.departmentID)) }
            }
            // More reps for volume runs (#7 uses 200), spread over the sales groups under their leads.
            var generated: [User] = []
            for r in 0..<reps {
                let (group, lead) = repGroups[r % repGroups.count]
                let u = User(orgID: orgID, account: String(format: "rep%03d", r + 1), name: DemoVolume.personName(r &* 7 &+ 1) + String(r + 1),
                             passwordHash: passwordHash, departmentID: deptIDs[group], supervisorID: userIDs[lead])
                generated.append(u)
                owners.append((u.id!, u.departmentID))
            }
            try await generated.create(on: tx)
            try await generated.map { UserRole(orgID: orgID, userID: $0.id!, roleID: roleIDs["业务员"]!) }.create(on: tx)
            let regions = try await Region.query(on: tx).filter(\.$orgID == orgID).filter(\.$parentID != nil).rows()
            let regionByName = Dictionary(regions.map { ($0.name, $0.id!) }, uniquingKeysWith: { a, _ in a })
            let format = DocumentType.customer.defaultFormat
            let tz = org.zone
            let now = Date()
            // A few visits and calls this week and tasks for each rep, so calendars and dashboards are not empty.
            let today = CalendarDate.of(now, in: tz)
            for (n, (owner, dept)) in owners.enumerated() {
                for k in 0..<3 {
                    guard let day = CalendarDate.adding(k * 2 - 1, to: today), let start = LocalTime.parse("\(day)T\(10 + (n + k) % 6):00", in: tz) else { continue }
                    let kind: Activity.Kind = [.visit, .call, .meeting][k % 3]
                    let a = Activity(orgID: orgID, kind: kind, title: ["拜访客户采购部", "电话回访报价", "周例会"][k % 3], startsAt: start,
                                     endsAt: start.addingTimeInterval(3600), ownerID: owner, departmentID: dept, now: now)
                    try await a.create(on: tx)
                }
                let task = TaskItem(orgID: orgID, title: ["整理本月重点客户名单", "准备季度报价单"][n % 2], ownerID: owner, departmentID: dept, assignedBy: owner, now: now)
                task.dueOn = CalendarDate.adding(n % 4, to: today)
                try await task.create(on: tx)
                // A month plan (TSK-02) half done.
                let plan = Plan()
                plan.id = UUID.v7(at: now)
                plan.orgID = orgID
                plan.ownerID = owner
                plan.departmentID = dept
                plan.period = .month
                plan.startsOn = PlanPeriod.month.start(of: today) ?? today
                try await plan.create(on: tx)
                for (i, text) in ["本月新增 20 家意向客户", "回款跟进：上月合同全部到账"].enumerated() {
                    let item = PlanItem(orgID: orgID, planID: plan.id!, text: text, addedBy: owner, now: now)
                    item.done = i == 0
                    try await item.create(on: tx)
                }
            }
            try await DemoLeads.seed(orgID: orgID, owners: owners, now: now, on: tx)
            for (name, method, content) in [("首次电话", "phone", "介绍公司和产品，了解需求和预算，约拜访时间"),
                                            ("上门拜访", "visit", "拜访客户，演示产品，确认决策人和采购流程")] {
                try await FollowUpTemplate(orgID: orgID, name: name, method: method, content: content).create(on: tx)
            }
            // The numbering counter continues after the demo's numbers.
            if customers > 0, let sql = tx as? any SQLDatabase {
                try await sql.raw("""
                    INSERT INTO number_sequences (id, org_id, doc_type, period, last_value)
                    VALUES (\(bind: UUID.v7()), \(bind: orgID), \(bind: DocumentType.customer.rawValue), \(bind: format.period(at: now, timeZone: tz)), \(bind: customers))
                    """).run()
            }
            return Skeleton(orgID: orgID, owners: owners, poolID: pool.id, regions: regionByName, now: now, zone: tz,
                            summary: "Demo company 华信科技有限公司: \(departments.count) departments, \(people.count + reps) employees, \(roles().count + 1) roles, \(customers) customers,")
        }
    }
}
