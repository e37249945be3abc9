import Fluent
import Foundation
import GuanxiCore

/// One upload being imported (PLT-18): file, column mapping, duplicate handling, outcome.
final class ImportJob: Model, @unchecked Sendable {
    static let schema = "import_jobs"

    enum Status: String, Codable, Sendable { case uploaded, previewed, running, done, failed }
    enum DuplicateMode: String, Codable, CaseIterable, Sendable { case skip, update, create }

    struct RowError: Codable, Sendable, Equatable {
        var row: Int
        var field: String
        var message: String
    }

    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "user_id") var userID: UUID
    @Field(key: "entity") var entity: String
    @Field(key: "file_name") var fileName: String
    @Field(key: "file_path") var filePath: String
    @Field(key: "status") var status: Status
    /// One entry per column: the field key it fills, or "" to ignore it.
    @Field(key: "mapping") var mapping: [String]
    @Field(key: "headers") var headers: [String]
    @Field(key: "duplicate_keys") var duplicateKeys: [String]
    @Field(key: "duplicate_mode") var duplicateMode: DuplicateMode
    @Field(key: "total") var total: Int
    @Field(key: "created") var created: Int
    @Field(key: "updated") var updated: Int
    @Field(key: "skipped") var skipped: Int
    @Field(key: "errors") private var errorList: ErrorList
    /// Stored as one JSON object, so PostgreSQL keeps it as jsonb (not an array of jsonb).
    struct ErrorList: Codable, Sendable { var items: [RowError] }
    var errors: [RowError] {
        get { errorList.items }
        set { errorList = ErrorList(items: newValue) }
    }
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "finished_at") var finishedAt: Date?

    init() {}

    var properties: [any AnyProperty] {
        [$id, $orgID, $userID, $entity, $fileName, $filePath, $status, $mapping, $headers, $duplicateKeys, $duplicateMode,
         $total, $created, $updated, $skipped, $errorList, $createdAt, $finishedAt]
    }

    init(orgID: UUID, userID: UUID, entity: String, fileName: String, filePath: String, headers: [String], total: Int, at: Date) {
        self.id = UUID.v7(at: at)
        self.orgID = orgID
        self.userID = userID
        self.entity = entity
        self.fileName = fileName
        self.filePath = filePath
        self.status = .uploaded
        self.headers = headers
        self.mapping = headers.map { _ in "" }
        self.duplicateKeys = ["name"]
        self.duplicateMode = .skip
        self.total = total
        self.created = 0
        self.updated = 0
        self.skipped = 0
        self.errorList = ErrorList(items: [])
        self.createdAt = at
    }
}

extension ImportJob: OrgScoped {}
