import Fluent
import Foundation
import GuanxiCore

/// The bulk part of the demo (#7): customers, their contacts and follow-ups, streamed in chunks of
/// a few thousand customers per transaction through multi-row INSERTs, so a million customers with
/// three million contacts and ten million follow-ups take minutes and little memory. Everything is
/// derived from the row number, so two runs make the same company.
struct DemoVolume {
    let db: Database
    let orgID: UUID
    let owners: [(UUID, UUID?)]
    let poolID: UUID?
    let regions: [String: UUID]
    let now: Date
    let zone: TimeZone
    let customers: Int
    let contacts: Int
    let followUps: Int
    /// Customers per transaction.
    static let chunk = 2_000

    static let surnames = Array("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤").map(String.init)
    static let givenNames = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞", "平",
                             "刚", "桂英", "建华", "文", "华", "金凤", "志强", "晓东", "海燕", "雪梅", "国栋", "子涵", "浩然", "欣怡", "宇轩", "梓萱",
                             "俊杰", "佳怡", "思远", "雨婷"]
    static let titles = ["采购经理", "总经理", "技术总监", "财务主管", "项目经理", "采购专员", "副总经理", "工程师"]

    static func personName(_ i: Int) -> String {
        surnames[i % surnames.count] + givenNames[(i / surnames.count) % givenNames.count]
    }

    /// How many of `total` things row `i` of `rows` gets: spread evenly, the remainder to the first rows.
    static func share(_ total: Int, rows: Int, row i: Int) -> Int {
        guard rows > 0 else { return 0 }
        return total / rows + (i < total % rows ? 1 : 0)
    }

    func run(progress: (String) -> Void) async throws {
        guard customers > 0 else { return }
        let started = Date()
        let format = DocumentType.customer.defaultFormat
        let industries = DictionaryKind.industry.defaults.map(\.0)
        let levels = DictionaryKind.level.defaults.map(\.0)
        let sources = DictionaryKind.source.defaults.map(\.0)
        let statuses = DictionaryKind.customerStatus.defaults.map(\.0)
        let methods = DictionaryKind.followUpMethod.defaults.map(\.0)
        let today = CalendarDate.of(now, in: zone)
        // Pinyin is the slow part of a row; names repeat, so each is converted once.
        var customerKeys: [String: (String, String, String?)] = [:]
        var contactKeys: [String: String] = [:]
        var madeContacts = 0, madeFollowUps = 0
        for start in stride(from: 0, to: customers, by: Self.chunk) {
            let end = min(customers, start + Self.chunk)
            var batch: [Customer] = []
            var people: [Contact] = []
            var notes: [FollowUp] = []
            batch.reserveCapacity(end - start)
            for i in start..<end {
                let (owner, dept) = owners[i % owners.count]
                let name = DemoData.customerName(i)
                let c = Customer()
                c.id = UUID.v7(at: now.addingTimeInterval(Double(i - customers) * 0.001))
                c.orgID = orgID
                c.name = name
                c.phone = DemoData.phone(i)
                c.phoneDigits = c.phone
                c.kind = "company"
                c.ownerID = owner
                c.departmentID = dept
                c.createdBy = owner
                let keys = customerKeys[name] ?? {
                    let k = (Pinyin.full(name) + " " + Pinyin.initials(name), Pinyin.mnemonic(name), NameKey.core(name))
                    customerKeys[name] = k
                    return k
                }()
                (c.pinyin, c.mnemonic, c.nameKey) = keys
                c.number = format.format(i + 1, at: now, timeZone: zone)
                c.industry = industries[i % industries.count]
                c.level = levels[(i / 3) % levels.count]
                c.source = sources[(i / 2) % sources.count]
                c.status = statuses[(i / 5) % statuses.count]
                let city = DemoData.cities[i % DemoData.cities.count]
                c.regionID = regions[city] ?? regions[DemoData.province[city] ?? ""]
                c.address = "\(city)市\(["朝阳区", "海淀区", "浦东新区", "天河区", "南山区", "西湖区"][i % 6])\(["建国路", "中关村大街", "世纪大道", "体育西路", "科技园路", "文三路"][i % 6])\(i % 300 + 1)号"
                c.creditLimit = Int64((i % 20 + 1) * 5_000_000)
                if i % 8 == 7, poolID != nil {
                    // Some customers wait in the public pool.
                    c.ownerID = nil
                    c.departmentID = nil
                    c.poolID = poolID
                } else {
                    c.claimedAt = now
                }
                for k in 0..<Self.share(contacts, rows: customers, row: i) {
                    let p = Contact()
                    p.id = UUID.v7(at: now)
                    p.orgID = orgID
                    p.customerID = c.id!
                    p.ownerID = c.ownerID
                    p.name = Self.personName(i &* 3 &+ k)
                    p.isPrimary = k == 0
                    p.gender = (i + k) % 2 == 0 ? "male" : "female"
                    p.title = Self.titles[(i + k) % Self.titles.count]
                    p.mobile = DemoData.phone(5_000_000 + i * 3 + k)
                    p.phoneDigits = p.mobile
                    p.pinyin = contactKeys[p.name] ?? {
                        let k = Pinyin.full(p.name, personName: true) + " " + Pinyin.initials(p.name, personName: true)
                        contactKeys[p.name] = k
                        return k
                    }()
                    if (i + k) % 11 == 0 { p.birthday = String(format: "19%02d-%@", 60 + (i + k) % 40, String(CalendarDate.adding((i + k) % 365, to: today)?.suffix(5) ?? "01-01")) }
                    people.append(p)
                }
                let n = Self.share(followUps, rows: customers, row: i)
                for k in 0..<n {
                    // Spread over the last year; the newest first for k == 0.
                    let daysAgo = k == 0 ? i % 20 : (i &* 7 &+ k &* 37) % 365
                    let at = now.addingTimeInterval(-Double(daysAgo * 86_400 + 3_600 * ((i + k) % 9 + 1)))
                    let f = FollowUp(orgID: orgID, customerID: c.id!, ownerID: owner, departmentID: dept,
                                     method: methods[(i + k) % methods.count], content: DemoData.followUpTexts[(i + k) % DemoData.followUpTexts.count],
                                     happenedAt: at, now: now)
                    if k == 0, i % 4 == 0 { f.nextContactOn = CalendarDate.adding(i % 5, to: today); f.nextPlan = "电话确认报价" }
                    notes.append(f)
                    c.lastContactedAt = max(c.lastContactedAt ?? at, at)
                }
                batch.append(c)
            }
            try await db.writeTransaction { [batch, people, notes] tx in
                for part in stride(from: 0, to: batch.count, by: 500) { try await Array(batch[part..<min(batch.count, part + 500)]).create(on: tx) }
                for part in stride(from: 0, to: people.count, by: 500) { try await Array(people[part..<min(people.count, part + 500)]).create(on: tx) }
                for part in stride(from: 0, to: notes.count, by: 1_000) { try await Array(notes[part..<min(notes.count, part + 1_000)]).create(on: tx) }
            }
            madeContacts += people.count
            madeFollowUps += notes.count
            if end % 100_000 == 0 || end == customers {
                progress("  \(end) customers, \(madeContacts) contacts, \(madeFollowUps) follow-ups (\(Int(Date().timeIntervalSince(started))) s)")
            }
        }
    }
}
