import Fluent
import Foundation
import GuanxiCore

/// A region (客户区域): country, province, city, district — a tree of any depth.
final class Region: Model, @unchecked Sendable {
    static let schema = "regions"

    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @OptionalField(key: "parent_id") var parentID: UUID?
    @Field(key: "name") var name: String
    @Field(key: "sort_order") var sortOrder: Int

    init() {}

    var properties: [any AnyProperty] { [$id, $orgID, $parentID, $name, $sortOrder] }

    init(orgID: UUID, parentID: UUID?, name: String, sortOrder: Int) {
        self.id = UUID.v7()
        self.orgID = orgID
        self.parentID = parentID
        self.name = name
        self.sortOrder = sortOrder
    }
}

extension Region: OrgScoped {}

struct RegionService {
    let db: Database
    let actor: Actor
    let now: Date

    /// Provinces a new organisation starts with; cities and districts are added as needed.
    static let provinces = ["北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江", "安徽", "福建", "江西",
                            "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆", "四川", "贵州", "云南", "西藏", "陕西", "甘肃",
                            "青海", "宁夏", "新疆", "香港", "澳门", "台湾"]

    static func seedDefaults(orgID: UUID, on db: Database) async throws {
        let china = Region(orgID: orgID, parentID: nil, name: "中国", sortOrder: 0)
        try await china.create(on: db)
        try await provinces.enumerated().map { Region(orgID: orgID, parentID: china.id, name: $0.element, sortOrder: $0.offset) }.create(on: db)
    }

    /// Every region of the organisation, shared by its readers.
    private func all() async throws -> [Region] {
        try await actor.shared("regions") { try await actor.inOrg(Region.self, on: db).limit(50_000).rows() }
    }

    func tree() async throws -> [(node: Region, depth: Int)] {
        let all = try await all()
        return Tree.flatten(all, id: { $0.id! }, parent: { $0.parentID }, sortKey: { String(format: "%06d", $0.sortOrder) + $0.name })
    }

    /// "中国 / 广东 / 深圳" for each region id.
    func paths() async throws -> [UUID: String] {
        try await actor.shared("regions.paths") { try await Self.paths(try await all()) }
    }

    private static func paths(_ all: [Region]) -> [UUID: String] {
        let byID = Dictionary(uniqueKeysWithValues: all.map { ($0.id!, $0) })
        var out: [UUID: String] = [:]
        for r in all {
            var names = [r.name]
            var p = r.parentID
            var guardCount = 0
            while let pid = p, let parent = byID[pid], guardCount < 20 {
                names.insert(parent.name, at: 0)
                p = parent.parentID
                guardCount += 1
            }
            out[r.id!] = names.joined(separator: " / ")
        }
        return out
    }

    func create(name: String?, parentID: UUID?) async throws -> Region {
        try actor.require(.edit, .admin)
        var errors = FieldErrors()
        let name = Check.required(name, "name", max: 50, into: &errors)
        if let p = parentID, try await !actor.inOrg(Region.self, on: db).filter(\.$id == p).exists() { errors.add("parentID", "error.invalidOption") }
        guard errors.isEmpty else { throw AppError.invalid(errors) }
        let siblings = try await actor.inOrg(Region.self, on: db).filter(\.$parentID == parentID).countRows()
        let region = Region(orgID: actor.orgID, parentID: parentID, name: name, sortOrder: siblings)
        try await db.writeTransaction { tx in
            try await region.create(on: tx)
            try await Audit(actor: actor, db: tx, now: now).created("region", region.id!, ["name": name])
        }
        return region
    }

    func rename(_ id: UUID?, name: String?) async throws {
        try actor.require(.edit, .admin)
        guard let id, let region = try await actor.inOrg(Region.self, on: db).filter(\.$id == id).firstRow() else { throw AppError.notFound }
        var errors = FieldErrors()
        let newName = Check.required(name, "name", max: 50, into: &errors)
        guard errors.isEmpty else { throw AppError.invalid(errors) }
        let old = region.name
        region.name = newName
        try await db.writeTransaction { tx in
            try await region.save(on: tx)
            try await Audit(actor: actor, db: tx, now: now).updated("region", id, before: ["name": old], after: ["name": newName])
        }
    }
}
