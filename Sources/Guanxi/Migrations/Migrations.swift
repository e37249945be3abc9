import Fluent
import Foundation
import SQLKit
import GuanxiCore

/// Every migration, in order. Migrations are permanent: add a new type for each change.
enum Migrations {
    static let all: [any Migration] = [
        CreateOrganization(),
        CreateDepartment(),
        CreateUser(),
        CreateRole(),
        CreateUserRole(),
        CreateUserSession(),
        CreateApiToken(),
        CreateLoginRecord(),
        CreateAuditEntry(),
        CreateRecordShare(),
        CreateCustomer(),
        CreateDictionaryOption(),
        CreateRegion(),
        CreateNumbering(),
        UpdateCustomerAddProfile(),
        CreateContact(),
        CreateCustomerPool(),
        CreateJobsAndNotifications(),
        CreateImportJob(),
        UpdateCustomerAddHotAndViews(),
        CreateCustomerMerge(),
        CreateSavedFilter(),
        CreateClaimRequest(),
        CreateCustomerTeam(),
        CreateCustomFieldDefinition(),
        CreateContactRelation(),
        CreateFollowUp(),
        UpdateUserAddDashboard(),
        CreateAnnouncement(),
        CreateTask(),
        CreateActivity(),
        CreateSearchIndex(),
        CreatePlan(),
        UpdateNotificationsAddMail(),
        UpdateFollowUpAddContactIndex(),
        CreateFollowUpTally(),
        UpdateCustomerSparseIndexes(),
        UpdateSearchTriggersOnSearchColumns(),
        CreateAccessVersion(),
        UpdateFollowUpAddDueIndex(),
        CreateProducts(),
        CreateOpportunities(),
        CreateQuotes(),
        CreateLeads(),
        CreateDemandPlans(),
        CreateTargetLists(),
        CreateOpportunityContacts(),
        CreateAttachments(),
        CreateApprovals(),
        CreateContracts(),
        CreateFinance(),
        UpdateContractAddCustom(),
        CreateReceivableDays(),
        CreateMoneyDays(),
        UpdateApprovalTaskAddMailToken(),
        CreateInvoiceBalances(),
        CreateRecentIndexes(),
        UpdateAccessVersionCoversChoices(),
        CreatePanelAndTallyIndexes(),
        UpdateAccessVersionCoversSettings(),
        CreateOwnerTallyIndex(),
        CreateMoneyTallyScopeIndexes(),
    ]
}

extension Database {
    /// Every organisation's id, read without the model (a migration sees the table as it is then):
    /// tallies are counted for each when their table is made.
    func organizationIDs() async throws -> [UUID] {
        guard let sql = self as? any SQLDatabase else { return [] }
        return try await sql.raw("SELECT id FROM organizations").all().map { try $0.decode(column: "id", as: UUID.self) }
    }

    /// Runs DDL the schema builder cannot express (partial and composite indexes); same text on SQLite and PostgreSQL.
    func raw(_ sql: String) async throws {
        guard let sqlDB = self as? any SQLDatabase else { return }
        try await sqlDB.raw(SQLQueryString(sql)).run()
    }
}

struct CreateOrganization: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("organizations")
            .id()
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .field("name", .string, .required)
            .field("system_title", .string)
            .field("logo_url", .string)
            .field("time_zone", .string, .required)
            .field("currency", .string, .required)
            .field("money_decimals", .int, .required)
            .field("quantity_decimals", .int, .required)
            .field("price_decimals", .int, .required)
            .create()
    }
    func revert(on db: Database) async throws { try await db.schema("organizations").delete() }
}

struct CreateDepartment: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("departments")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .field("name", .string, .required)
            .field("parent_id", .uuid, .references("departments", "id"))
            .field("sort_order", .int, .required)
            .field("is_active", .bool, .required)
            .create()
        try await db.raw("CREATE INDEX departments_org_parent ON departments (org_id, parent_id)")
    }
    func revert(on db: Database) async throws { try await db.schema("departments").delete() }
}

struct CreateUser: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("users")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .field("account", .string, .required)
            .field("name", .string, .required)
            .field("email", .string)
            .field("mobile", .string)
            .field("password_hash", .string, .required)
            .field("status", .string, .required)
            .field("locale", .string)
            .field("failed_attempts", .int, .required)
            .field("locked_until", .datetime)
            .field("department_id", .uuid, .references("departments", "id"))
            .field("supervisor_id", .uuid, .references("users", "id"))
            .create()
        try await db.raw("CREATE UNIQUE INDEX users_account ON users (account)")
        try await db.raw("CREATE INDEX users_org_supervisor ON users (org_id, supervisor_id)")
        try await db.raw("CREATE INDEX users_org_department ON users (org_id, department_id)")
    }
    func revert(on db: Database) async throws { try await db.schema("users").delete() }
}

struct CreateRole: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("roles")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .field("name", .string, .required)
            .field("description", .string)
            .field("policy", .json, .required)
            .field("is_system", .bool, .required)
            .create()
        try await db.raw("CREATE UNIQUE INDEX roles_org_name ON roles (org_id, name)")
    }
    func revert(on db: Database) async throws { try await db.schema("roles").delete() }
}

struct CreateUserRole: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("user_roles")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("role_id", .uuid, .required, .references("roles", "id", onDelete: .cascade))
            .unique(on: "user_id", "role_id")
            .create()
        try await db.raw("CREATE INDEX user_roles_role ON user_roles (role_id)")
    }
    func revert(on db: Database) async throws { try await db.schema("user_roles").delete() }
}

struct CreateUserSession: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("user_sessions")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("user_id", .uuid, .required, .references("users", "id"))
            .field("token_hash", .string, .required)
            .field("ip", .string)
            .field("user_agent", .string)
            .field("created_at", .datetime, .required)
            .field("last_seen_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("revoked_at", .datetime)
            .create()
        try await db.raw("CREATE UNIQUE INDEX user_sessions_token ON user_sessions (token_hash)")
        try await db.raw("CREATE INDEX user_sessions_org_user ON user_sessions (org_id, user_id)")
    }
    func revert(on db: Database) async throws { try await db.schema("user_sessions").delete() }
}

struct CreateApiToken: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("api_tokens")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("user_id", .uuid, .required, .references("users", "id"))
            .field("name", .string, .required)
            .field("token_hash", .string, .required)
            .field("prefix", .string, .required)
            .field("created_at", .datetime, .required)
            .field("last_used_at", .datetime)
            .field("revoked_at", .datetime)
            .create()
        try await db.raw("CREATE UNIQUE INDEX api_tokens_token ON api_tokens (token_hash)")
        try await db.raw("CREATE INDEX api_tokens_user ON api_tokens (user_id)")
    }
    func revert(on db: Database) async throws { try await db.schema("api_tokens").delete() }
}

struct CreateLoginRecord: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("login_records")
            .id()
            .field("org_id", .uuid, .references("organizations", "id"))
            .field("user_id", .uuid, .references("users", "id"))
            .field("account", .string, .required)
            .field("success", .bool, .required)
            .field("reason", .string)
            .field("ip", .string)
            .field("user_agent", .string)
            .field("at", .datetime, .required)
            .create()
        try await db.raw("CREATE INDEX login_records_org_id ON login_records (org_id, id)")
        try await db.raw("CREATE INDEX login_records_org_account ON login_records (org_id, account, id)")
    }
    func revert(on db: Database) async throws { try await db.schema("login_records").delete() }
}

struct CreateAuditEntry: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("audit_entries")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("entity", .string, .required)
            .field("record_id", .uuid, .required)
            .field("action", .string, .required)
            .field("field", .string)
            .field("old_value", .string)
            .field("new_value", .string)
            .field("actor_id", .uuid)
            .field("actor_name", .string, .required)
            .field("at", .datetime, .required)
            .create()
        try await db.raw("CREATE INDEX audit_entries_record ON audit_entries (org_id, entity, record_id, at)")
    }
    func revert(on db: Database) async throws { try await db.schema("audit_entries").delete() }
}

struct CreateRecordShare: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("record_shares")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("entity", .string, .required)
            .field("record_id", .uuid, .required)
            .field("user_id", .uuid, .required, .references("users", "id"))
            .field("level", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "entity", "record_id", "user_id")
            .create()
        try await db.raw("CREATE INDEX record_shares_user ON record_shares (user_id, entity, record_id)")
    }
    func revert(on db: Database) async throws { try await db.schema("record_shares").delete() }
}

struct CreateCustomer: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("customers")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .field("deleted_at", .datetime)
            .field("deleted_by", .uuid)
            .field("created_by", .uuid)
            .field("name", .string, .required)
            .field("phone", .string)
            .field("phone_digits", .string)
            .field("notes", .string)
            .field("owner_id", .uuid, .references("users", "id"))
            .field("department_id", .uuid, .references("departments", "id"))
            .create()
        // List pages sort by name or newest within a scope; keyset pagination walks (sort key, id).
        try await db.raw("CREATE INDEX customers_org_name ON customers (org_id, name, id) WHERE deleted_at IS NULL")
        try await db.raw("CREATE INDEX customers_org_owner_name ON customers (org_id, owner_id, name, id) WHERE deleted_at IS NULL")
        try await db.raw("CREATE INDEX customers_org_dept_name ON customers (org_id, department_id, name, id) WHERE deleted_at IS NULL")
        try await db.raw("CREATE INDEX customers_org_id ON customers (org_id, id) WHERE deleted_at IS NULL")
        try await db.raw("CREATE INDEX customers_org_phone ON customers (org_id, phone_digits) WHERE deleted_at IS NULL")
        try await db.raw("CREATE INDEX customers_org_deleted ON customers (org_id, deleted_at) WHERE deleted_at IS NOT NULL")
    }
    func revert(on db: Database) async throws { try await db.schema("customers").delete() }
}

struct CreateDictionaryOption: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("dictionary_options")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("kind", .string, .required)
            .field("value", .string, .required)
            .field("label", .string, .required)
            .field("label_en", .string)
            .field("sort_order", .int, .required)
            .field("color", .string)
            .field("is_active", .bool, .required)
            .unique(on: "org_id", "kind", "value")
            .create()
    }
    func revert(on db: Database) async throws { try await db.schema("dictionary_options").delete() }
}

struct CreateRegion: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("regions")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("parent_id", .uuid, .references("regions", "id"))
            .field("name", .string, .required)
            .field("sort_order", .int, .required)
            .create()
        try await db.raw("CREATE INDEX regions_org_parent ON regions (org_id, parent_id)")
    }
    func revert(on db: Database) async throws { try await db.schema("regions").delete() }
}

struct CreateNumbering: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("numbering_rules")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("doc_type", .string, .required)
            .field("format", .json, .required)
            .unique(on: "org_id", "doc_type")
            .create()
        try await db.schema("number_sequences")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("doc_type", .string, .required)
            .field("period", .string, .required)
            .field("last_value", .int64, .required)
            .unique(on: "org_id", "doc_type", "period")
            .create()
    }
    func revert(on db: Database) async throws {
        try await db.schema("number_sequences").delete()
        try await db.schema("numbering_rules").delete()
    }
}

/// CUS-01: the rest of the customer profile, its numbers and search keys.
struct UpdateCustomerAddProfile: AsyncMigration {
    static let textColumns = ["number", "mnemonic", "pinyin", "short_name", "kind", "industry", "level", "category", "source", "status",
                              "credit_rating", "address", "postcode", "finance_phone", "fax", "email", "website", "credit_code", "registered_on"]

    func prepare(on db: Database) async throws {
        // One column per statement: SQLite adds columns one at a time.
        for c in Self.textColumns {
            try await db.schema("customers").field(.init(stringLiteral: c), .string).update()
        }
        try await db.schema("customers").field("credit_limit", .int64).update()
        for c in ["region_id", "parent_id", "settlement_customer_id"] {
            try await db.schema("customers").field(.init(stringLiteral: c), .uuid).update()
        }
        try await db.raw("CREATE UNIQUE INDEX customers_org_number ON customers (org_id, number) WHERE deleted_at IS NULL")
        try await db.raw("CREATE INDEX customers_org_credit_code ON customers (org_id, credit_code) WHERE deleted_at IS NULL")
        try await db.raw("CREATE INDEX customers_org_parent ON customers (org_id, parent_id) WHERE deleted_at IS NULL")
    }

    func revert(on db: Database) async throws {
        for c in Self.textColumns + ["credit_limit", "region_id", "parent_id", "settlement_customer_id"] {
            try await db.schema("customers").deleteField(.init(stringLiteral: c)).update()
        }
    }
}

struct CreateContact: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("contacts")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .field("deleted_at", .datetime)
            .field("deleted_by", .uuid)
            .field("deleted_with", .uuid)
            .field("name", .string, .required)
            .field("pinyin", .string)
            .field("gender", .string)
            .field("birthday", .string)
            .field("dept", .string)
            .field("title", .string)
            .field("role", .string)
            .field("boss", .string)
            .field("mobile", .string)
            .field("office_phone", .string)
            .field("home_phone", .string)
            .field("phone_digits", .string)
            .field("fax", .string)
            .field("email", .string)
            .field("qq", .string)
            .field("wechat", .string)
            .field("hobbies", .string)
            .field("notes", .string)
            .field("is_primary", .bool, .required)
            .field("customer_id", .uuid, .required, .references("customers", "id"))
            .field("owner_id", .uuid, .references("users", "id"))
            .create()
        try await db.raw("CREATE INDEX contacts_org_customer ON contacts (org_id, customer_id) WHERE deleted_at IS NULL")
        try await db.raw("CREATE INDEX contacts_org_name ON contacts (org_id, name, id) WHERE deleted_at IS NULL")
        try await db.raw("CREATE INDEX contacts_org_birthday ON contacts (org_id, birthday) WHERE deleted_at IS NULL")
    }
    func revert(on db: Database) async throws { try await db.schema("contacts").delete() }
}

/// CUS-03/05/06: public pools, the dates recycle rules read, and the organisation's protection policy.
struct CreateCustomerPool: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("customer_pools")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("name", .string, .required)
            .field("description", .string)
            .field("settings", .json, .required)
            .field("is_default", .bool, .required)
            .field("sort_order", .int, .required)
            .create()
        try await db.raw("CREATE UNIQUE INDEX customer_pools_org_name ON customer_pools (org_id, name)")
        try await db.schema("customers").field("pool_id", .uuid, .references("customer_pools", "id")).update()
        for c in ["claimed_at", "last_contacted_at", "last_deal_at"] {
            try await db.schema("customers").field(.init(stringLiteral: c), .datetime).update()
        }
        try await db.schema("organizations").field("protection", .json).update()
        try await db.raw("CREATE INDEX customers_org_pool ON customers (org_id, pool_id, id) WHERE deleted_at IS NULL AND owner_id IS NULL")
    }

    func revert(on db: Database) async throws {
        try await db.schema("organizations").deleteField("protection").update()
        for c in ["pool_id", "claimed_at", "last_contacted_at", "last_deal_at"] {
            try await db.schema("customers").deleteField(.init(stringLiteral: c)).update()
        }
        try await db.schema("customer_pools").delete()
    }
}

struct CreateJobsAndNotifications: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("job_leases")
            .id()
            .field("name", .string, .required)
            .field("holder", .string, .required)
            .field("expires_at", .datetime, .required)
            .field("last_run_at", .datetime)
            .unique(on: "name")
            .create()
        try await db.schema("notifications")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("user_id", .uuid, .required, .references("users", "id"))
            .field("kind", .string, .required)
            .field("message_key", .string, .required)
            .field("args", .array(of: .string), .required)
            .field("link", .string)
            .field("dedupe_key", .string)
            .field("created_at", .datetime, .required)
            .field("read_at", .datetime)
            .create()
        try await db.raw("CREATE INDEX notifications_user_unread ON notifications (user_id, read_at, id)")
        try await db.raw("CREATE UNIQUE INDEX notifications_user_dedupe ON notifications (user_id, dedupe_key) WHERE dedupe_key IS NOT NULL")
    }

    func revert(on db: Database) async throws {
        try await db.schema("notifications").delete()
        try await db.schema("job_leases").delete()
    }
}

struct CreateImportJob: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("import_jobs")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("user_id", .uuid, .required, .references("users", "id"))
            .field("entity", .string, .required)
            .field("file_name", .string, .required)
            .field("file_path", .string, .required)
            .field("status", .string, .required)
            .field("mapping", .array(of: .string), .required)
            .field("headers", .array(of: .string), .required)
            .field("duplicate_keys", .array(of: .string), .required)
            .field("duplicate_mode", .string, .required)
            .field("total", .int, .required)
            .field("created", .int, .required)
            .field("updated", .int, .required)
            .field("skipped", .int, .required)
            .field("errors", .json, .required)
            .field("created_at", .datetime, .required)
            .field("finished_at", .datetime)
            .create()
        try await db.raw("CREATE INDEX import_jobs_org_entity ON import_jobs (org_id, entity, created_at)")
    }
    func revert(on db: Database) async throws { try await db.schema("import_jobs").delete() }
}

/// CUS-13: hot customers and recently viewed.
struct UpdateCustomerAddHotAndViews: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("customers").field("is_hot", .bool).update()
        try await db.raw("CREATE INDEX customers_org_hot ON customers (org_id, is_hot) WHERE deleted_at IS NULL AND is_hot = TRUE")
        try await db.schema("customer_views")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("user_id", .uuid, .required, .references("users", "id"))
            .field("customer_id", .uuid, .required, .references("customers", "id", onDelete: .cascade))
            .field("viewed_at", .datetime, .required)
            .unique(on: "user_id", "customer_id")
            .create()
        try await db.raw("CREATE INDEX customer_views_user ON customer_views (user_id, viewed_at)")
    }

    func revert(on db: Database) async throws {
        try await db.schema("customer_views").delete()
        try await db.schema("customers").deleteField("is_hot").update()
    }
}

/// CUS-14: duplicate keys and merges that can be undone.
struct CreateCustomerMerge: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("customers").field("name_key", .string).update()
        try await db.raw("CREATE INDEX customers_org_name_key ON customers (org_id, name_key) WHERE deleted_at IS NULL")
        try await db.schema("customer_merges")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("survivor_id", .uuid, .required)
            .field("merged_id", .uuid, .required)
            .field("snapshot", .json, .required)
            .field("merged_by", .uuid, .required)
            .field("merged_at", .datetime, .required)
            .field("undone_at", .datetime)
            .create()
        try await db.raw("CREATE INDEX customer_merges_survivor ON customer_merges (org_id, survivor_id)")
    }

    func revert(on db: Database) async throws {
        try await db.schema("customer_merges").delete()
        try await db.schema("customers").deleteField("name_key").update()
    }
}

struct CreateSavedFilter: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("saved_filters")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("user_id", .uuid, .required, .references("users", "id"))
            .field("entity", .string, .required)
            .field("name", .string, .required)
            .field("query", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await db.raw("CREATE INDEX saved_filters_user ON saved_filters (user_id, entity)")
    }
    func revert(on db: Database) async throws { try await db.schema("saved_filters").delete() }
}

struct CreateClaimRequest: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("claim_requests")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("customer_id", .uuid, .required, .references("customers", "id", onDelete: .cascade))
            .field("requester_id", .uuid, .required, .references("users", "id"))
            .field("reason", .string, .required)
            .field("status", .string, .required)
            .field("decided_by", .uuid)
            .field("decided_at", .datetime)
            .field("comment", .string)
            .field("created_at", .datetime, .required)
            .create()
        try await db.raw("CREATE INDEX claim_requests_org_status ON claim_requests (org_id, status, created_at)")
        try await db.raw("CREATE INDEX claim_requests_requester ON claim_requests (requester_id, created_at)")
    }
    func revert(on db: Database) async throws { try await db.schema("claim_requests").delete() }
}

/// CUS-09/10: sales teams and secondary owners.
struct CreateCustomerTeam: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("customers").field("secondary_owner_id", .uuid, .references("users", "id")).update()
        try await db.raw("CREATE INDEX customers_org_secondary ON customers (org_id, secondary_owner_id) WHERE deleted_at IS NULL")
        try await db.schema("customer_team_members")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("customer_id", .uuid, .required, .references("customers", "id", onDelete: .cascade))
            .field("user_id", .uuid, .required, .references("users", "id"))
            .field("is_leader", .bool, .required)
            .field("credit_percent", .int, .required)
            .unique(on: "customer_id", "user_id")
            .create()
        try await db.raw("CREATE INDEX customer_team_user ON customer_team_members (user_id, customer_id)")
    }

    func revert(on db: Database) async throws {
        try await db.schema("customer_team_members").delete()
        try await db.schema("customers").deleteField("secondary_owner_id").update()
    }
}

/// PLT-13: custom fields per entity; values in a JSON text column on each extended table.
struct CreateCustomFieldDefinition: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("custom_field_definitions")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .field("entity", .string, .required)
            .field("key", .string, .required)
            .field("label", .string, .required)
            .field("label_en", .string)
            .field("kind", .string, .required)
            .field("required", .bool, .required)
            .field("listed", .bool, .required)
            .field("sort_order", .int, .required)
            .field("is_active", .bool, .required)
            .unique(on: "org_id", "entity", "key")
            .create()
        try await db.schema("customers").field("custom", .string).update()
        try await db.schema("contacts").field("custom", .string).update()
    }

    func revert(on db: Database) async throws {
        try await db.schema("contacts").deleteField("custom").update()
        try await db.schema("customers").deleteField("custom").update()
        try await db.schema("custom_field_definitions").delete()
    }
}

/// CON-02: the relationship map between a customer's contacts.
struct CreateContactRelation: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("contact_relations")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("created_at", .datetime)
            .field("created_by", .uuid)
            .field("kind", .string, .required)
            .field("notes", .string)
            .field("customer_id", .uuid, .required, .references("customers", "id", onDelete: .cascade))
            .field("from_contact_id", .uuid, .required, .references("contacts", "id", onDelete: .cascade))
            .field("to_contact_id", .uuid, .required, .references("contacts", "id", onDelete: .cascade))
            .unique(on: "from_contact_id", "to_contact_id", "kind")
            .create()
        try await db.raw("CREATE INDEX contact_relations_customer ON contact_relations (customer_id)")
    }

    func revert(on db: Database) async throws { try await db.schema("contact_relations").delete() }
}

/// ACT-01/02: follow-ups and supervisors' comments; the follow-up method list for existing
/// organisations; roles made before follow-ups existed get them as they have customers.
struct CreateFollowUp: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("follow_ups")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .field("deleted_at", .datetime)
            .field("deleted_by", .uuid)
            .field("method", .string, .required)
            .field("content", .string, .required)
            .field("result", .string)
            .field("happened_at", .datetime, .required)
            .field("next_contact_on", .string)
            .field("next_plan", .string)
            .field("customer_id", .uuid, .required, .references("customers", "id"))
            .field("contact_id", .uuid, .references("contacts", "id"))
            .field("owner_id", .uuid, .required, .references("users", "id"))
            .field("department_id", .uuid, .references("departments", "id"))
            .create()
        // The customer timeline, a rep's (or department's) list by time, and the due-date reminders.
        try await db.raw("CREATE INDEX follow_ups_customer ON follow_ups (customer_id, happened_at) WHERE deleted_at IS NULL")
        try await db.raw("CREATE INDEX follow_ups_owner ON follow_ups (org_id, owner_id, happened_at) WHERE deleted_at IS NULL")
        try await db.raw("CREATE INDEX follow_ups_department ON follow_ups (org_id, department_id, happened_at) WHERE deleted_at IS NULL")
        try await db.raw("CREATE INDEX follow_ups_org_time ON follow_ups (org_id, happened_at) WHERE deleted_at IS NULL")
        try await db.raw("CREATE INDEX follow_ups_next ON follow_ups (org_id, next_contact_on) WHERE deleted_at IS NULL AND next_contact_on IS NOT NULL")
        try await db.schema("follow_up_comments")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("follow_up_id", .uuid, .required, .references("follow_ups", "id", onDelete: .cascade))
            .field("author_id", .uuid, .required, .references("users", "id"))
            .field("author_name", .string, .required)
            .field("content", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await db.raw("CREATE INDEX follow_up_comments_follow_up ON follow_up_comments (follow_up_id, created_at)")
        try await db.schema("follow_up_templates")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("created_at", .datetime)
            .field("name", .string, .required)
            .field("method", .string)
            .field("content", .string, .required)
            .unique(on: "org_id", "name")
            .create()
        // Only the columns this migration knows, so later columns on these tables cannot break it.
        for org in try await Organization.query(on: db).field(\.$id).rows() {
            for (i, (value, zh, en)) in DictionaryKind.followUpMethod.defaults.enumerated() {
                try await DictionaryOption(orgID: org.id!, kind: DictionaryKind.followUpMethod.rawValue, value: value, label: zh, labelEn: en, sortOrder: i).create(on: db)
            }
        }
        for role in try await Role.query(on: db).field(\.$id).field(\.$policy).rows() {
            try await Role.query(on: db).filter(\.$id == role.id!).set(\.$policy, to: role.policy.extending(.followUps, like: .customers)).update()
        }
    }

    func revert(on db: Database) async throws {
        try await db.schema("follow_up_templates").delete()
        try await db.schema("follow_up_comments").delete()
        try await db.schema("follow_ups").delete()
    }
}

/// PLT-24: each user's dashboard widgets; PLT-14: birthday reminder days.
struct UpdateUserAddDashboard: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("users").field("dashboard", .string).update()
        // CON-03: the days ahead of a contact's birthday its owner hears of it.
        try await db.schema("organizations").field("birthday_days_ahead", .int).update()
    }
    func revert(on db: Database) async throws {
        try await db.schema("organizations").deleteField("birthday_days_ahead").update()
        try await db.schema("users").deleteField("dashboard").update()
    }
}

/// TSK-03: announcements and their recipients with read receipts.
struct CreateAnnouncement: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("announcements")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("title", .string, .required)
            .field("body", .string, .required)
            .field("author_id", .uuid, .required, .references("users", "id"))
            .field("author_name", .string, .required)
            .field("to_everyone", .bool, .required)
            .field("published_at", .datetime, .required)
            .field("deleted_at", .datetime)
            .create()
        try await db.schema("announcement_reads")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("announcement_id", .uuid, .required, .references("announcements", "id", onDelete: .cascade))
            .field("user_id", .uuid, .required, .references("users", "id"))
            .field("read_at", .datetime)
            .unique(on: "announcement_id", "user_id")
            .create()
        try await db.raw("CREATE INDEX announcement_reads_user ON announcement_reads (user_id, announcement_id)")
    }

    func revert(on db: Database) async throws {
        try await db.schema("announcement_reads").delete()
        try await db.schema("announcements").delete()
    }
}

/// TSK-01: tasks; roles made before tasks existed get them as they have customers.
struct CreateTask: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("tasks")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .field("deleted_at", .datetime)
            .field("deleted_by", .uuid)
            .field("title", .string, .required)
            .field("details", .string)
            .field("due_on", .string)
            .field("priority", .string, .required)
            .field("status", .string, .required)
            .field("completed_at", .datetime)
            .field("review", .string)
            .field("reviewed_by", .uuid)
            .field("reviewed_at", .datetime)
            .field("owner_id", .uuid, .required, .references("users", "id"))
            .field("department_id", .uuid, .references("departments", "id"))
            .field("assigned_by", .uuid, .required, .references("users", "id"))
            .field("customer_id", .uuid, .references("customers", "id"))
            .create()
        try await db.raw("CREATE INDEX tasks_owner ON tasks (org_id, owner_id, status) WHERE deleted_at IS NULL")
        try await db.raw("CREATE INDEX tasks_assigned ON tasks (org_id, assigned_by) WHERE deleted_at IS NULL")
        try await db.raw("CREATE INDEX tasks_due ON tasks (org_id, due_on) WHERE deleted_at IS NULL AND status IN ('open', 'inProgress')")
        try await db.raw("CREATE INDEX tasks_customer ON tasks (customer_id) WHERE deleted_at IS NULL")
        for role in try await Role.query(on: db).field(\.$id).field(\.$policy).rows() {
            try await Role.query(on: db).filter(\.$id == role.id!).set(\.$policy, to: role.policy.extending(.tasks, like: .customers)).update()
        }
    }

    func revert(on db: Database) async throws { try await db.schema("tasks").delete() }
}

/// ACT-04: planned activities for the calendar.
struct CreateActivity: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("activities")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .field("deleted_at", .datetime)
            .field("deleted_by", .uuid)
            .field("kind", .string, .required)
            .field("title", .string, .required)
            .field("starts_at", .datetime, .required)
            .field("ends_at", .datetime, .required)
            .field("location", .string)
            .field("notes", .string)
            .field("status", .string, .required)
            .field("owner_id", .uuid, .required, .references("users", "id"))
            .field("department_id", .uuid, .references("departments", "id"))
            .field("customer_id", .uuid, .references("customers", "id"))
            .create()
        try await db.raw("CREATE INDEX activities_owner_time ON activities (org_id, owner_id, starts_at) WHERE deleted_at IS NULL")
        try await db.raw("CREATE INDEX activities_customer ON activities (customer_id) WHERE deleted_at IS NULL")
    }

    func revert(on db: Database) async throws { try await db.schema("activities").delete() }
}

/// PLT-22: substring search behind one interface — a generated `search_text` per searchable table,
/// indexed by an FTS5 trigram table (kept by triggers) on SQLite and by pg_trgm's GIN index on PostgreSQL.
struct CreateSearchIndex: AsyncMigration {
    static let tables: [(table: String, text: String)] = [
        ("customers", "lower(name || ' ' || coalesce(number, '') || ' ' || coalesce(phone_digits, '') || ' ' || coalesce(pinyin, '') || ' ' || coalesce(mnemonic, ''))"),
        ("contacts", "lower(name || ' ' || coalesce(phone_digits, '') || ' ' || coalesce(pinyin, '') || ' ' || coalesce(email, ''))"),
    ]

    func prepare(on db: Database) async throws {
        if db.isSQLite {
            for (t, text) in Self.tables {
                try await db.raw("ALTER TABLE \(t) ADD COLUMN search_text TEXT GENERATED ALWAYS AS (\(text)) VIRTUAL")
                try await db.raw("CREATE VIRTUAL TABLE \(t)_fts USING fts5(search_text, content='\(t)', content_rowid='rowid', tokenize='trigram')")
                try await db.raw("CREATE TRIGGER \(t)_fts_ai AFTER INSERT ON \(t) BEGIN INSERT INTO \(t)_fts(rowid, search_text) VALUES (new.rowid, new.search_text); END")
                try await db.raw("CREATE TRIGGER \(t)_fts_ad AFTER DELETE ON \(t) BEGIN INSERT INTO \(t)_fts(\(t)_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text); END")
                try await db.raw("""
                    CREATE TRIGGER \(t)_fts_au AFTER UPDATE ON \(t) BEGIN
                    INSERT INTO \(t)_fts(\(t)_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
                    INSERT INTO \(t)_fts(rowid, search_text) VALUES (new.rowid, new.search_text); END
                    """)
                try await db.raw("INSERT INTO \(t)_fts(\(t)_fts) VALUES ('rebuild')")
            }
        } else {
            try await db.raw("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            for (t, text) in Self.tables {
                try await db.raw("ALTER TABLE \(t) ADD COLUMN search_text text GENERATED ALWAYS AS (\(text)) STORED")
                try await db.raw("CREATE INDEX \(t)_search_trgm ON \(t) USING gin (search_text gin_trgm_ops)")
            }
        }
    }

    func revert(on db: Database) async throws {
        for (t, _) in Self.tables {
            if db.isSQLite {
                for trigger in ["ai", "ad", "au"] { try await db.raw("DROP TRIGGER IF EXISTS \(t)_fts_\(trigger)") }
                try await db.raw("DROP TABLE IF EXISTS \(t)_fts")
            }
            try await db.raw("ALTER TABLE \(t) DROP COLUMN search_text")
        }
    }
}

/// TSK-02: day, week and month plans with their items.
struct CreatePlan: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("plans")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .field("period", .string, .required)
            .field("starts_on", .string, .required)
            .field("summary", .string)
            .field("review", .string)
            .field("reviewed_by", .uuid)
            .field("reviewed_at", .datetime)
            .field("owner_id", .uuid, .required, .references("users", "id"))
            .field("department_id", .uuid, .references("departments", "id"))
            .create()
        // One plan per person and period; also the lookup of a team's plans for a period.
        try await db.raw("CREATE UNIQUE INDEX plans_owner_period ON plans (org_id, owner_id, period, starts_on)")
        try await db.raw("CREATE INDEX plans_period ON plans (org_id, period, starts_on)")
        try await db.schema("plan_items")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("plan_id", .uuid, .required, .references("plans", "id"))
            .field("text", .string, .required)
            .field("done", .bool, .required)
            .field("done_at", .datetime)
            .field("added_by", .uuid, .required, .references("users", "id"))
            .field("created_at", .datetime, .required)
            .create()
        try await db.raw("CREATE INDEX plan_items_plan ON plan_items (plan_id, created_at)")
    }

    func revert(on db: Database) async throws {
        try await db.schema("plan_items").delete()
        try await db.schema("plans").delete()
    }
}

/// PLT-17: email copies of notifications, queued with them and sent by a job.
struct UpdateNotificationsAddMail: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("users").field("notify_by_email", .bool).update()
        try await db.schema("notifications").field("mail_state", .string).update()
        try await db.schema("notifications").field("mail_attempts", .int).update()
        try await db.schema("notifications").field("mail_error", .string).update()
        try await db.raw("CREATE INDEX notifications_mail_queue ON notifications (created_at) WHERE mail_state = 'queued'")
    }

    func revert(on db: Database) async throws {
        for f in ["mail_state", "mail_attempts", "mail_error"] { try await db.schema("notifications").deleteField(.init(stringLiteral: f)).update() }
        try await db.schema("users").deleteField("notify_by_email").update()
    }
}

/// ACT-01: a contact's follow-ups on the contact page.
struct UpdateFollowUpAddContactIndex: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.raw("CREATE INDEX follow_ups_contact ON follow_ups (contact_id, happened_at) WHERE deleted_at IS NULL AND contact_id IS NOT NULL")
    }

    func revert(on db: Database) async throws { try await db.raw("DROP INDEX follow_ups_contact") }
}

/// Mostly empty columns get indexes over their filled rows only: SQLite's statistics average over
/// all rows, so a million NULL parents made "the children of X" look unselective and the planner
/// walked the whole name index instead (the 360 view took 4 s at 1M customers).
struct UpdateCustomerSparseIndexes: AsyncMigration {
    static let columns = [("customers_org_parent", "parent_id"), ("customers_org_secondary", "secondary_owner_id"),
                          ("customers_org_credit_code", "credit_code")]

    func prepare(on db: Database) async throws {
        for (name, column) in Self.columns {
            try await db.raw("DROP INDEX \(name)")
            try await db.raw("CREATE INDEX \(name) ON customers (org_id, \(column)) WHERE deleted_at IS NULL AND \(column) IS NOT NULL")
        }
    }

    func revert(on db: Database) async throws {
        for (name, column) in Self.columns {
            try await db.raw("DROP INDEX \(name)")
            try await db.raw("CREATE INDEX \(name) ON customers (org_id, \(column)) WHERE deleted_at IS NULL")
        }
    }
}

/// The search index is written again only when a searched column changes: "last contacted" moving
/// with every follow-up used to delete and re-insert the customer's trigrams each time.
struct UpdateSearchTriggersOnSearchColumns: AsyncMigration {
    static let columns = ["customers": "name, number, phone_digits, pinyin, mnemonic", "contacts": "name, phone_digits, pinyin, email"]

    func prepare(on db: Database) async throws { try await replace(on: db, of: true) }
    func revert(on db: Database) async throws { try await replace(on: db, of: false) }

    private func replace(on db: Database, of: Bool) async throws {
        guard db.isSQLite else { return }
        for (t, columns) in Self.columns.sorted(by: { $0.key < $1.key }) {
            try await db.raw("DROP TRIGGER IF EXISTS \(t)_fts_au")
            try await db.raw("""
                CREATE TRIGGER \(t)_fts_au AFTER UPDATE \(of ? "OF \(columns) " : "")ON \(t) BEGIN
                INSERT INTO \(t)_fts(\(t)_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
                INSERT INTO \(t)_fts(rowid, search_text) VALUES (new.rowid, new.search_text); END
                """)
        }
    }
}

/// A stamp on the organisation that moves whenever anything a resolved actor is built from changes
/// (users, roles, role grants, departments, custom fields, the organisation's own settings), so nodes
/// may keep resolved actors while it stands still (`ActorCache`). Triggers, so no write path can forget it.
struct CreateAccessVersion: AsyncMigration {
    static let tables = ["users", "user_roles", "roles", "departments", "custom_field_definitions"]

    func prepare(on db: Database) async throws {
        try await db.raw("ALTER TABLE organizations ADD COLUMN access_version BIGINT NOT NULL DEFAULT 0")
        if !db.isSQLite {
            try await db.raw("""
                CREATE FUNCTION bump_access_version() RETURNS trigger AS $$
                BEGIN
                  UPDATE organizations SET access_version = access_version + 1
                  WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.org_id ELSE NEW.org_id END;
                  RETURN NULL;
                END $$ LANGUAGE plpgsql
                """)
        }
        try await Self.bump(on: Self.tables, db)
        if db.isSQLite {
            try await db.raw("""
                CREATE TRIGGER organizations_access AFTER UPDATE ON organizations WHEN NEW.access_version = OLD.access_version BEGIN
                UPDATE organizations SET access_version = access_version + 1 WHERE id = NEW.id; END
                """)
        } else {
            try await db.raw("""
                CREATE FUNCTION bump_own_access_version() RETURNS trigger AS $$
                BEGIN
                  NEW.access_version := OLD.access_version + 1;
                  RETURN NEW;
                END $$ LANGUAGE plpgsql
                """)
            try await db.raw("""
                CREATE TRIGGER organizations_access BEFORE UPDATE ON organizations FOR EACH ROW
                WHEN (NEW.access_version = OLD.access_version) EXECUTE FUNCTION bump_own_access_version()
                """)
        }
    }

    func revert(on db: Database) async throws {
        try await Self.stopBumping(on: Self.tables, db)
        if db.isSQLite {
            try await db.raw("DROP TRIGGER IF EXISTS organizations_access")
        } else {
            try await db.raw("DROP TRIGGER IF EXISTS organizations_access ON organizations")
            try await db.raw("DROP FUNCTION IF EXISTS bump_access_version()")
            try await db.raw("DROP FUNCTION IF EXISTS bump_own_access_version()")
        }
        try await db.raw("ALTER TABLE organizations DROP COLUMN access_version")
    }

    /// Triggers that move the stamp on every insert, update and delete of these tables' rows.
    static func bump(on tables: [String], _ db: Database) async throws {
        for t in tables {
            if db.isSQLite {
                for (event, row) in [("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")] {
                    try await db.raw("""
                        CREATE TRIGGER \(t)_access_\(event.lowercased()) AFTER \(event) ON \(t) BEGIN
                        UPDATE organizations SET access_version = access_version + 1 WHERE id = \(row).org_id; END
                        """)
                }
            } else {
                try await db.raw("CREATE TRIGGER \(t)_access AFTER INSERT OR UPDATE OR DELETE ON \(t) FOR EACH ROW EXECUTE FUNCTION bump_access_version()")
            }
        }
    }

    static func stopBumping(on tables: [String], _ db: Database) async throws {
        for t in tables {
            if db.isSQLite {
                for event in ["insert", "update", "delete"] { try await db.raw("DROP TRIGGER IF EXISTS \(t)_access_\(event)") }
            } else {
                try await db.raw("DROP TRIGGER IF EXISTS \(t)_access ON \(t)")
            }
        }
    }
}

/// Dictionary options and regions move the access stamp too, so every reader of an organisation can
/// share one copy of them while it stands still (`OrgShelf`).
struct UpdateAccessVersionCoversChoices: AsyncMigration {
    static let tables = ["dictionary_options", "regions"]

    func prepare(on db: Database) async throws {
        try await CreateAccessVersion.bump(on: Self.tables, db)
    }

    func revert(on db: Database) async throws {
        try await CreateAccessVersion.stopBumping(on: Self.tables, db)
    }
}

/// Follow-up templates, pools and opportunity stages move the access stamp too: every customer 360
/// view reads them, and they change only when an administrator edits them.
struct UpdateAccessVersionCoversSettings: AsyncMigration {
    static let tables = ["follow_up_templates", "customer_pools", "opportunity_stages"]

    func prepare(on db: Database) async throws {
        try await CreateAccessVersion.bump(on: Self.tables, db)
    }

    func revert(on db: Database) async throws {
        try await CreateAccessVersion.stopBumping(on: Self.tables, db)
    }
}

struct UpdateFollowUpAddDueIndex: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.raw("CREATE INDEX follow_ups_owner_next ON follow_ups (org_id, owner_id, next_contact_on) WHERE deleted_at IS NULL AND next_contact_on IS NOT NULL")
    }

    func revert(on db: Database) async throws { try await db.raw("DROP INDEX follow_ups_owner_next") }
}

/// Products, their category tree and price strategies (PRD-01…05); administrators' roles gain the module.
struct CreateProducts: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("product_categories")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("parent_id", .uuid, .references("product_categories", "id"))
            .field("name", .string, .required)
            .field("sort_order", .int, .required)
            .create()
        try await db.raw("CREATE INDEX product_categories_parent ON product_categories (org_id, parent_id)")
        try await db.schema("products")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .field("deleted_at", .datetime)
            .field("deleted_by", .uuid)
            .field("created_by", .uuid)
            .field("code", .string, .required)
            .field("name", .string, .required)
            .field("pinyin", .string)
            .field("model", .string)
            .field("unit", .string)
            .field("kind", .string, .required)
            .field("status", .string, .required)
            .field("category_id", .uuid, .references("product_categories", "id"))
            .field("list_price", .int64)
            .field("max_price", .int64)
            .field("floor_price", .int64)
            .field("cost_price", .int64)
            .field("description", .string)
            .field("custom", .string)
            .create()
        // Codes are unique among live products; lists go by name or code, within a category.
        try await db.raw("CREATE UNIQUE INDEX products_code ON products (org_id, code) WHERE deleted_at IS NULL")
        try await db.raw("CREATE INDEX products_name ON products (org_id, name, id) WHERE deleted_at IS NULL")
        try await db.raw("CREATE INDEX products_category ON products (org_id, category_id, name) WHERE deleted_at IS NULL")
        try await db.schema("product_prices")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("product_id", .uuid, .required, .references("products", "id", onDelete: .cascade))
            .field("unit", .string)
            .field("customer_category", .string)
            .field("customer_level", .string)
            .field("department_id", .uuid, .references("departments", "id"))
            .field("price", .int64, .required)
            .create()
        try await db.raw("CREATE INDEX product_prices_product ON product_prices (product_id)")
        try await db.schema("organizations").field("product_policy", .json).update()
        for role in try await Role.query(on: db).filter(\.$isSystem == true).rows() {
            var policy = role.policy
            policy.actions[.products] = Set(Module.products.actions)
            role.policy = policy
            try await role.save(on: db)
        }
    }

    func revert(on db: Database) async throws {
        try await db.schema("organizations").deleteField("product_policy").update()
        try await db.schema("product_prices").delete()
        try await db.schema("products").delete()
        try await db.schema("product_categories").delete()
    }
}

struct CreateOpportunities: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("opportunity_stages")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("name", .string, .required)
            .field("name_en", .string)
            .field("probability", .int, .required)
            .field("sort_order", .int, .required)
            .field("is_active", .bool, .required)
            .create()
        try await db.raw("CREATE INDEX opportunity_stages_org ON opportunity_stages (org_id, sort_order)")
        try await db.schema("opportunities")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .field("deleted_at", .datetime)
            .field("deleted_by", .uuid)
            .field("created_by", .uuid)
            .field("name", .string, .required)
            .field("customer_id", .uuid, .required, .references("customers", "id"))
            .field("contact_id", .uuid, .references("contacts", "id"))
            .field("amount", .int64, .required)
            .field("expected_close_on", .string)
            .field("stage_id", .uuid, .required, .references("opportunity_stages", "id"))
            .field("probability", .int, .required)
            .field("stage_changed_at", .datetime, .required)
            .field("status", .string, .required)
            .field("closed_on", .string)
            .field("lost_reason", .string)
            .field("close_note", .string)
            .field("source", .string)
            .field("competitors", .string)
            .field("next_step", .string)
            .field("description", .string)
            .field("custom", .string)
            .field("owner_id", .uuid, .required, .references("users", "id"))
            .field("department_id", .uuid, .references("departments", "id"))
            .create()
        // A board column lists the largest open opportunities of a stage (amount, then id, both in the
        // index so no sort is needed), for an owner, a department or everyone; lists page by id; the
        // customer's page lists its own; trends go by close date. Totals come from the tallies.
        try await db.raw("CREATE INDEX opportunities_owner ON opportunities (org_id, owner_id, status, stage_id, amount, id) WHERE deleted_at IS NULL")
        try await db.raw("CREATE INDEX opportunities_department ON opportunities (org_id, department_id, status, stage_id, amount, id) WHERE deleted_at IS NULL")
        try await db.raw("CREATE INDEX opportunities_stage ON opportunities (org_id, status, stage_id, amount, id) WHERE deleted_at IS NULL")
        try await db.raw("CREATE INDEX opportunities_list ON opportunities (org_id, id) WHERE deleted_at IS NULL")
        try await db.raw("CREATE INDEX opportunities_customer ON opportunities (org_id, customer_id) WHERE deleted_at IS NULL")
        try await db.raw("CREATE INDEX opportunities_close ON opportunities (org_id, status, expected_close_on) WHERE deleted_at IS NULL")
        try await db.raw("CREATE INDEX opportunities_closed ON opportunities (org_id, status, closed_on) WHERE deleted_at IS NULL")
        try await db.schema("opportunity_stage_changes")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("opportunity_id", .uuid, .required, .references("opportunities", "id", onDelete: .cascade))
            .field("from_stage_id", .uuid)
            .field("to_stage_id", .uuid, .required)
            .field("from_status", .string)
            .field("to_status", .string, .required)
            .field("amount", .int64, .required)
            .field("changed_by", .uuid, .required)
            .field("changed_at", .datetime, .required)
            .create()
        try await db.raw("CREATE INDEX opportunity_stage_changes_opportunity ON opportunity_stage_changes (opportunity_id, changed_at)")
        try await db.schema("opportunity_lines")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("opportunity_id", .uuid, .required, .references("opportunities", "id", onDelete: .cascade))
            .field("product_id", .uuid, .required, .references("products", "id"))
            .field("quantity", .int64, .required)
            .field("unit", .string)
            .field("price", .int64, .required)
            .create()
        try await db.schema("opportunity_tallies")
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("owner_id", .uuid, .required)
            .field("department_id", .uuid, .required)
            .field("stage_id", .uuid, .required)
            .field("status", .string, .required)
            .field("month", .string, .required)
            .field("n", .int64, .required)
            .field("amount", .int64, .required)
            .field("weighted", .int64, .required)
            .create()
        try await db.raw("CREATE UNIQUE INDEX opportunity_tallies_key ON opportunity_tallies (org_id, owner_id, department_id, stage_id, status, month)")
        try await db.raw("CREATE INDEX opportunity_tallies_department ON opportunity_tallies (org_id, department_id)")
        try await db.raw("CREATE INDEX opportunity_lines_opportunity ON opportunity_lines (opportunity_id)")
        try await db.raw("CREATE INDEX opportunity_lines_product ON opportunity_lines (org_id, product_id)")
        // Organisations that exist get the default stages and lost reasons; roles get the module as they have customers.
        // Organisation ids by SQL: the model has columns later migrations add.
        struct OrgRow: Decodable { var id: UUID }
        for org in try await (db as! any SQLDatabase).raw("SELECT id FROM organizations").all(decoding: OrgRow.self) {
            try await OpportunityStage.seedDefaults(orgID: org.id, on: db)
            for (i, (value, zh, en)) in DictionaryKind.lostReason.defaults.enumerated() {
                try await DictionaryOption(orgID: org.id, kind: DictionaryKind.lostReason.rawValue, value: value, label: zh, labelEn: en, sortOrder: i).create(on: db)
            }
        }
        for role in try await Role.query(on: db).rows() {
            var policy = role.policy.extending(.opportunities, like: .customers)
            if role.isSystem { policy.actions[.opportunities] = Set(Module.opportunities.actions); policy.scopes[.opportunities] = .all }
            try await Role.query(on: db).filter(\.$id == role.id!).set(\.$policy, to: policy).update()
        }
    }

    func revert(on db: Database) async throws {
        try await db.schema("opportunity_tallies").delete()
        try await db.schema("opportunity_lines").delete()
        try await db.schema("opportunity_stage_changes").delete()
        try await db.schema("opportunities").delete()
        try await db.schema("opportunity_stages").delete()
    }
}

struct CreateQuotes: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("quotes")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .field("deleted_at", .datetime)
            .field("deleted_by", .uuid)
            .field("created_by", .uuid)
            .field("number", .string, .required)
            .field("version", .int, .required)
            .field("is_current", .bool, .required)
            .field("title", .string, .required)
            .field("quoted_on", .string, .required)
            .field("valid_until", .string)
            .field("terms", .string)
            .field("status", .string, .required)
            .field("subtotal", .int64, .required)
            .field("tax", .int64, .required)
            .field("total", .int64, .required)
            .field("below_floor", .bool, .required)
            .field("customer_id", .uuid, .required, .references("customers", "id"))
            .field("opportunity_id", .uuid, .references("opportunities", "id"))
            .field("owner_id", .uuid, .required, .references("users", "id"))
            .field("department_id", .uuid, .references("departments", "id"))
            .create()
        // One row per number and version, whatever two people do at once.
        try await db.raw("CREATE UNIQUE INDEX quotes_number ON quotes (org_id, number, version)")
        try await db.raw("CREATE INDEX quotes_owner ON quotes (org_id, owner_id, id) WHERE deleted_at IS NULL")
        try await db.raw("CREATE INDEX quotes_customer ON quotes (org_id, customer_id) WHERE deleted_at IS NULL")
        try await db.raw("CREATE INDEX quotes_opportunity ON quotes (org_id, opportunity_id) WHERE deleted_at IS NULL")
        try await db.schema("quote_lines")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("quote_id", .uuid, .required, .references("quotes", "id", onDelete: .cascade))
            .field("position", .int, .required)
            .field("product_id", .uuid, .required, .references("products", "id"))
            .field("product_name", .string, .required)
            .field("quantity", .int64, .required)
            .field("unit", .string)
            .field("price", .int64, .required)
            .field("discount", .int, .required)
            .field("tax_rate", .int, .required)
            .field("net", .int64, .required)
            .field("tax", .int64, .required)
            .field("below_floor", .bool, .required)
            .create()
        try await db.raw("CREATE INDEX quote_lines_quote ON quote_lines (quote_id, position)")
        try await db.raw("CREATE INDEX quote_lines_product ON quote_lines (org_id, product_id)")
        try await db.schema("organizations").field("quote_template", .json).update()
        for role in try await Role.query(on: db).rows() {
            var policy = role.policy.extending(.quotes, like: .customers)
            if role.isSystem { policy.actions[.quotes] = Set(Module.quotes.actions); policy.scopes[.quotes] = .all }
            try await Role.query(on: db).filter(\.$id == role.id!).set(\.$policy, to: policy).update()
        }
    }

    func revert(on db: Database) async throws {
        try await db.schema("organizations").deleteField("quote_template").update()
        try await db.schema("quote_lines").delete()
        try await db.schema("quotes").delete()
    }
}

struct CreateLeads: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("leads")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .field("deleted_at", .datetime)
            .field("deleted_by", .uuid)
            .field("created_by", .uuid)
            .field("company", .string)
            .field("person", .string)
            .field("title", .string)
            .field("phone", .string)
            .field("phone_digits", .string)
            .field("email", .string)
            .field("need", .string)
            .field("source", .string)
            .field("region_id", .uuid)
            .field("address", .string)
            .field("status", .string, .required)
            .field("search", .string, .required)
            .field("custom", .string)
            .field("owner_id", .uuid, .references("users", "id"))
            .field("department_id", .uuid)
            .field("assigned_at", .datetime)
            .field("last_contacted_at", .datetime)
            .field("web_form_id", .uuid)
            .field("converted_at", .datetime)
            .field("customer_id", .uuid)
            .field("contact_id", .uuid)
            .field("opportunity_id", .uuid)
            .create()
        // Lists page newest first for an owner, a department, the pool (no owner) or everyone; the
        // collision check looks leads up by phone digits and company.
        try await db.raw("CREATE INDEX leads_owner ON leads (org_id, owner_id, id) WHERE deleted_at IS NULL")
        try await db.raw("CREATE INDEX leads_department ON leads (org_id, department_id, id) WHERE deleted_at IS NULL")
        try await db.raw("CREATE INDEX leads_list ON leads (org_id, id) WHERE deleted_at IS NULL")
        try await db.raw("CREATE INDEX leads_phone ON leads (org_id, phone_digits) WHERE deleted_at IS NULL")
        try await db.raw("CREATE INDEX leads_company ON leads (org_id, company) WHERE deleted_at IS NULL")
        try await db.schema("lead_follow_ups")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("lead_id", .uuid, .required, .references("leads", "id", onDelete: .cascade))
            .field("method", .string, .required)
            .field("content", .string, .required)
            .field("happened_at", .datetime, .required)
            .field("next_contact_on", .string)
            .field("owner_id", .uuid, .required)
            .field("department_id", .uuid)
            .create()
        try await db.raw("CREATE INDEX lead_follow_ups_lead ON lead_follow_ups (lead_id, happened_at)")
        try await db.schema("lead_rules")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("name", .string, .required)
            .field("position", .int, .required)
            .field("source", .string)
            .field("region_id", .uuid)
            .field("user_ids", .string, .required)
            .field("turn", .int, .required)
            .field("is_active", .bool, .required)
            .create()
        try await db.raw("CREATE INDEX lead_rules_org ON lead_rules (org_id, position)")
        try await db.schema("web_forms")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .field("name", .string, .required)
            .field("token", .string, .required)
            .field("heading", .string, .required)
            .field("intro", .string)
            .field("thank_you", .string, .required)
            .field("fields", .string, .required)
            .field("required_fields", .string, .required)
            .field("source", .string)
            .field("owner_id", .uuid)
            .field("rate_limit", .int, .required)
            .field("is_active", .bool, .required)
            .field("submissions", .int, .required)
            .field("spam_blocked", .int, .required)
            .create()
        try await db.raw("CREATE UNIQUE INDEX web_forms_token ON web_forms (token)")
        try await db.raw("CREATE INDEX web_forms_org ON web_forms (org_id, name)")
        for role in try await Role.query(on: db).rows() {
            var policy = role.policy.extending(.leads, like: .customers)
            if role.isSystem { policy.actions[.leads] = Set(Module.leads.actions); policy.scopes[.leads] = .all }
            try await Role.query(on: db).filter(\.$id == role.id!).set(\.$policy, to: policy).update()
        }
    }

    func revert(on db: Database) async throws {
        try await db.schema("web_forms").delete()
        try await db.schema("lead_rules").delete()
        try await db.schema("lead_follow_ups").delete()
        try await db.schema("leads").delete()
    }
}

struct CreateDemandPlans: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("demand_plans")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("opportunity_id", .uuid, .required, .references("opportunities", "id", onDelete: .cascade))
            .field("version", .int, .required)
            .field("title", .string, .required)
            .field("content", .string, .required)
            .field("status", .string, .required)
            .field("created_by", .uuid, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime)
            .field("confirmed_at", .datetime)
            .create()
        // One row per version, whatever two people do at once.
        try await db.raw("CREATE UNIQUE INDEX demand_plans_version ON demand_plans (opportunity_id, version)")
    }

    func revert(on db: Database) async throws {
        try await db.schema("demand_plans").delete()
    }
}

struct CreateTargetLists: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("target_lists")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("name", .string, .required)
            .field("entity", .string, .required)
            .field("query", .string, .required)
            .field("member_count", .int, .required)
            .field("refreshed_at", .datetime, .required)
            .field("owner_id", .uuid, .required, .references("users", "id"))
            .field("department_id", .uuid)
            .field("created_at", .datetime, .required)
            .create()
        try await db.raw("CREATE INDEX target_lists_owner ON target_lists (org_id, owner_id, created_at)")
        try await db.schema("target_list_members")
            .field("list_id", .uuid, .required, .references("target_lists", "id", onDelete: .cascade))
            .field("record_id", .uuid, .required)
            .create()
        // Members page in record order within a list; a record is in a list once.
        try await db.raw("CREATE UNIQUE INDEX target_list_members_key ON target_list_members (list_id, record_id)")
    }

    func revert(on db: Database) async throws {
        try await db.schema("target_list_members").delete()
        try await db.schema("target_lists").delete()
    }
}

struct CreateOpportunityContacts: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("opportunity_contacts")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("opportunity_id", .uuid, .required, .references("opportunities", "id", onDelete: .cascade))
            .field("contact_id", .uuid, .required, .references("contacts", "id", onDelete: .cascade))
            .field("role", .string)
            .create()
        try await db.raw("CREATE UNIQUE INDEX opportunity_contacts_key ON opportunity_contacts (opportunity_id, contact_id)")
        try await db.raw("CREATE INDEX opportunity_contacts_contact ON opportunity_contacts (contact_id)")
    }

    func revert(on db: Database) async throws {
        try await db.schema("opportunity_contacts").delete()
    }
}

struct CreateAttachments: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("attachments")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("entity", .string, .required)
            .field("record_id", .uuid, .required)
            .field("file_name", .string, .required)
            .field("content_type", .string, .required)
            .field("size", .int, .required)
            .field("uploaded_by", .uuid, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await db.raw("CREATE INDEX attachments_record ON attachments (org_id, entity, record_id, created_at)")
        try await db.schema("attachment_contents")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("data", .data, .required)
            .create()
    }

    func revert(on db: Database) async throws {
        try await db.schema("attachment_contents").delete()
        try await db.schema("attachments").delete()
    }
}

struct CreateApprovals: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("approval_flows")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("document_type", .string, .required)
            .field("steps", .string, .required)
            .field("updated_at", .datetime, .required)
            .create()
        try await db.raw("CREATE UNIQUE INDEX approval_flows_doc ON approval_flows (org_id, document_type)")
        try await db.schema("approval_requests")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("document_type", .string, .required)
            .field("record_id", .uuid, .required)
            .field("title", .string, .required)
            .field("amount", .int64, .required)
            .field("submitter_id", .uuid, .required, .references("users", "id"))
            .field("status", .string, .required)
            .field("state", .string, .required)
            .field("version", .int, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        try await db.raw("CREATE INDEX approval_requests_record ON approval_requests (org_id, document_type, record_id, created_at)")
        try await db.raw("CREATE INDEX approval_requests_submitter ON approval_requests (org_id, submitter_id, created_at)")
        try await db.schema("approval_tasks")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("request_id", .uuid, .required, .references("approval_requests", "id", onDelete: .cascade))
            .field("user_id", .uuid, .required)
            .create()
        try await db.raw("CREATE INDEX approval_tasks_user ON approval_tasks (org_id, user_id)")
        try await db.raw("CREATE INDEX approval_tasks_request ON approval_tasks (request_id)")
    }

    func revert(on db: Database) async throws {
        try await db.schema("approval_tasks").delete()
        try await db.schema("approval_requests").delete()
        try await db.schema("approval_flows").delete()
    }
}

struct CreateContracts: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("contracts")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .field("deleted_at", .datetime)
            .field("deleted_by", .uuid)
            .field("created_by", .uuid)
            .field("number", .string, .required)
            .field("kind", .string, .required)
            .field("title", .string, .required)
            .field("status", .string, .required)
            .field("signed_on", .string)
            .field("starts_on", .string)
            .field("ends_on", .string)
            .field("terms", .string)
            .field("subtotal", .int64, .required)
            .field("tax", .int64, .required)
            .field("total", .int64, .required)
            .field("cost", .int64, .required)
            .field("plan", .string)
            .field("customer_id", .uuid, .required, .references("customers", "id"))
            .field("settlement_customer_id", .uuid, .references("customers", "id"))
            .field("opportunity_id", .uuid)
            .field("quote_id", .uuid)
            .field("owner_id", .uuid, .required, .references("users", "id"))
            .field("department_id", .uuid)
            .create()
        try await db.raw("CREATE UNIQUE INDEX contracts_number ON contracts (org_id, number)")
        // A quote becomes one contract, whatever two people do at once.
        try await db.raw("CREATE UNIQUE INDEX contracts_quote ON contracts (quote_id) WHERE quote_id IS NOT NULL")
        try await db.raw("CREATE INDEX contracts_owner ON contracts (org_id, owner_id, id) WHERE deleted_at IS NULL")
        try await db.raw("CREATE INDEX contracts_department ON contracts (org_id, department_id, id) WHERE deleted_at IS NULL")
        try await db.raw("CREATE INDEX contracts_customer ON contracts (org_id, customer_id) WHERE deleted_at IS NULL")
        try await db.raw("CREATE INDEX contracts_status ON contracts (org_id, status, id) WHERE deleted_at IS NULL")
        try await db.schema("contract_lines")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("contract_id", .uuid, .required, .references("contracts", "id", onDelete: .cascade))
            .field("position", .int, .required)
            .field("product_id", .uuid, .required, .references("products", "id"))
            .field("product_name", .string, .required)
            .field("quantity", .int64, .required)
            .field("unit", .string)
            .field("price", .int64, .required)
            .field("discount", .int, .required)
            .field("tax_rate", .int, .required)
            .field("net", .int64, .required)
            .field("tax", .int64, .required)
            .field("unit_cost", .int64, .required)
            .create()
        try await db.raw("CREATE INDEX contract_lines_contract ON contract_lines (contract_id, position)")
        try await db.raw("CREATE INDEX contract_lines_product ON contract_lines (org_id, product_id)")
        try await db.schema("receivables")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("contract_id", .uuid, .required, .references("contracts", "id"))
            .field("customer_id", .uuid, .required)
            .field("position", .int, .required)
            .field("due_on", .string, .required)
            .field("amount", .int64, .required)
            .field("received", .int64, .required)
            .field("is_void", .bool, .required)
            .field("owner_id", .uuid, .required)
            .field("department_id", .uuid)
            .field("created_at", .datetime, .required)
            .create()
        // Open instalments by due date (the overdue list, reminders, aging); a contract's own; a customer's.
        try await db.raw("CREATE INDEX receivables_due ON receivables (org_id, due_on, id) WHERE is_void = false")
        try await db.raw("CREATE INDEX receivables_owner ON receivables (org_id, owner_id, due_on)")
        try await db.raw("CREATE INDEX receivables_contract ON receivables (contract_id, position)")
        try await db.raw("CREATE INDEX receivables_customer ON receivables (org_id, customer_id)")
        for role in try await Role.query(on: db).rows() {
            var policy = role.policy.extending(.contracts, like: .customers)
            if role.isSystem { policy.actions[.contracts] = Set(Module.contracts.actions); policy.scopes[.contracts] = .all }
            try await Role.query(on: db).filter(\.$id == role.id!).set(\.$policy, to: policy).update()
        }
    }

    func revert(on db: Database) async throws {
        try await db.schema("receivables").delete()
        try await db.schema("contract_lines").delete()
        try await db.schema("contracts").delete()
    }
}

struct CreateFinance: AsyncMigration {
    func prepare(on db: Database) async throws {
        // What a contract has collected, refunded and invoiced, kept beside its total so the caps are one conditional UPDATE.
        for f in ["received", "refunded", "invoiced"] {
            try await db.raw("ALTER TABLE contracts ADD COLUMN \(f) BIGINT NOT NULL DEFAULT 0")
        }
        try await db.schema("organizations").field("finance_policy", .json).update()
        try await db.schema("organizations").field("contract_template", .json).update()
        try await db.schema("payments")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("number", .string, .required)
            .field("customer_id", .uuid, .required, .references("customers", "id"))
            .field("contract_id", .uuid)
            .field("received_on", .string, .required)
            .field("amount", .int64, .required)
            .field("allocated", .int64, .required)
            .field("refunded", .int64, .required)
            .field("method", .string, .required)
            .field("account", .string)
            .field("reference", .string)
            .field("note", .string)
            .field("owner_id", .uuid, .required)
            .field("department_id", .uuid)
            .field("created_by", .uuid)
            .field("created_at", .datetime, .required)
            .create()
        try await db.raw("CREATE UNIQUE INDEX payments_number ON payments (org_id, number)")
        try await db.raw("CREATE INDEX payments_customer ON payments (org_id, customer_id, received_on)")
        try await db.raw("CREATE INDEX payments_received ON payments (org_id, received_on, id)")
        try await db.raw("CREATE INDEX payments_owner ON payments (org_id, owner_id, received_on)")
        try await db.schema("payment_allocations")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("payment_id", .uuid, .required, .references("payments", "id"))
            .field("receivable_id", .uuid, .required, .references("receivables", "id"))
            .field("contract_id", .uuid, .required)
            .field("customer_id", .uuid, .required)
            .field("amount", .int64, .required)
            .field("received_on", .string, .required)
            .field("owner_id", .uuid, .required)
            .field("department_id", .uuid)
            .field("created_at", .datetime, .required)
            .create()
        try await db.raw("CREATE INDEX payment_allocations_payment ON payment_allocations (payment_id)")
        try await db.raw("CREATE INDEX payment_allocations_receivable ON payment_allocations (receivable_id)")
        try await db.raw("CREATE INDEX payment_allocations_contract ON payment_allocations (contract_id)")
        // Collections per person and period read only the index.
        try await db.raw("CREATE INDEX payment_allocations_period ON payment_allocations (org_id, received_on, owner_id, department_id, amount)")
        try await db.schema("refunds")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("number", .string, .required)
            .field("kind", .string, .required)
            .field("status", .string, .required)
            .field("customer_id", .uuid, .required, .references("customers", "id"))
            .field("contract_id", .uuid)
            .field("amount", .int64, .required)
            .field("refunded_on", .string, .required)
            .field("reason", .string, .required)
            .field("sources", .string)
            .field("owner_id", .uuid, .required)
            .field("department_id", .uuid)
            .field("created_by", .uuid)
            .field("created_at", .datetime, .required)
            .create()
        try await db.raw("CREATE UNIQUE INDEX refunds_number ON refunds (org_id, number)")
        try await db.raw("CREATE INDEX refunds_customer ON refunds (org_id, customer_id)")
        try await db.raw("CREATE INDEX refunds_period ON refunds (org_id, refunded_on, id)")
        try await db.schema("invoices")
            .id()
            .field("org_id", .uuid, .required, .references("organizations", "id"))
            .field("number", .string, .required)
            .field("kind", .string, .required)
            .field("status", .string, .required)
            .field("contract_id", .uuid, .required, .references("contracts", "id"))
            .field("customer_id", .uuid, .required)
            .field("buyer", .string, .required)
            .field("tax_number", .string)
            .field("amount", .int64, .required)
            .field("issued_on", .string, .required)
            .field("invoice_no", .string)
            .field("note", .string)
            .field("owner_id", .uuid, .required)
            .field("department_id", .uuid)
            .field("created_by", .uuid)
            .field("created_at", .datetime, .required)
            .create()
        try await db.raw("CREATE UNIQUE INDEX invoices_number ON invoices (org_id, number)")
        try await db.raw("CREATE INDEX invoices_contract ON invoices (contract_id)")
        try await db.raw("CREATE INDEX invoices_customer ON invoices (org_id, customer_id)")
        try await db.raw("CREATE INDEX invoices_period ON invoices (org_id, issued_on, id)")
        // Contracts a customer pays for (the credit check, the 360 view).
        try await db.raw("CREATE INDEX contracts_settlement ON contracts (org_id, settlement_customer_id) WHERE settlement_customer_id IS NOT NULL")
        // Call-offs of a framework contract (CTR-03).
        try await db.schema("contracts").field("parent_id", .uuid).update()
        try await db.raw("CREATE INDEX contracts_parent ON contracts (parent_id) WHERE parent_id IS NOT NULL")
        // Contracts signed in a period, for the statistics, without reading the table.
        try await db.raw("CREATE INDEX contracts_signed ON contracts (org_id, signed_on, owner_id, department_id, status, total, subtotal, cost) WHERE deleted_at IS NULL")
        // Open instalments by due date now carry what the aging, the statistics and the overdue list read.
        try await db.raw("DROP INDEX receivables_due")
        try await db.raw("CREATE INDEX receivables_due ON receivables (org_id, due_on, id, owner_id, department_id, amount, received) WHERE is_void = false")
    }

    func revert(on db: Database) async throws {
        try await db.raw("DROP INDEX contracts_signed")
        try await db.raw("DROP INDEX receivables_due")
        try await db.raw("CREATE INDEX receivables_due ON receivables (org_id, due_on, id) WHERE is_void = false")
        try await db.raw("DROP INDEX contracts_parent")
        try await db.raw("DROP INDEX contracts_settlement")
        try await db.schema("contracts").deleteField("parent_id").update()
        for t in ["invoices", "refunds", "payment_allocations", "payments"] { try await db.schema(t).delete() }
        try await db.schema("organizations").deleteField("finance_policy").update()
        try await db.schema("organizations").deleteField("contract_template").update()
        for f in ["received", "refunded", "invoiced"] { try await db.schema("contracts").deleteField(FieldKey(stringLiteral: f)).update() }
    }
}

/// Custom fields on contracts and orders (PLT-13 for CTR-01).
struct UpdateContractAddCustom: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("contracts").field("custom", .string).update()
    }

    func revert(on db: Database) async throws {
        try await db.schema("contracts").deleteField("custom").update()
    }
}

/// Approving from the email copy: the token's hash and expiry on the approver's task, and the link the copy carries.
struct UpdateApprovalTaskAddMailToken: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("approval_tasks").field("token_hash", .string).update()
        try await db.schema("approval_tasks").field("token_expires_at", .datetime).update()
        try await db.schema("notifications").field("mail_link", .string).update()
    }

    func revert(on db: Database) async throws {
        try await db.schema("notifications").deleteField("mail_link").update()
        try await db.schema("approval_tasks").deleteField("token_expires_at").update()
        try await db.schema("approval_tasks").deleteField("token_hash").update()
    }
}

/// Lists shown newest first (contacts, contracts, payments, invoices, refunds) walk the organisation's
/// records in id order and stop at a page, instead of sorting everything in scope: the contact list of a
/// branch manager on 3,000,000 contacts went from 1.3 s to 0.36 s, the contract list from 0.2 s to 1 ms.
struct CreateRecentIndexes: AsyncMigration {
    static let indexes = [("contacts", " WHERE deleted_at IS NULL"), ("contracts", " WHERE deleted_at IS NULL"),
                          ("payments", ""), ("invoices", ""), ("refunds", "")]

    func prepare(on db: Database) async throws {
        for (table, condition) in Self.indexes {
            try await db.raw("CREATE INDEX \(table)_recent ON \(table) (org_id, id)\(condition)")
        }
    }

    func revert(on db: Database) async throws {
        for (table, _) in Self.indexes { try await db.raw("DROP INDEX \(table)_recent") }
    }
}

/// A customer's money panels page by id within the customer (a customer with 25,000 payments sorted
/// them all for the ten shown): the customer indexes of payments, invoices and refunds end with the
/// id instead (the one refund query that sorts a customer's payments by date reads few rows). A
/// department's follow-up statistics read their tallies from one covering index instead of every
/// row of the organisation's days in range.
struct CreatePanelAndTallyIndexes: AsyncMigration {
    static let replaced = [
        ("payments_customer", "payments (org_id, customer_id, received_on)", "payments (org_id, customer_id, id)"),
        ("invoices_customer", "invoices (org_id, customer_id)", "invoices (org_id, customer_id, id)"),
        ("refunds_customer", "refunds (org_id, customer_id)", "refunds (org_id, customer_id, id)"),
    ]
    static let added = [
        ("follow_up_method_days_department", "follow_up_method_days (org_id, department_id, day, owner_id, method, n)"),
        ("follow_up_hour_days_department", "follow_up_hour_days (org_id, department_id, day, owner_id, hour, n)"),
    ]

    func prepare(on db: Database) async throws {
        for (name, _, on) in Self.replaced {
            try await db.raw("DROP INDEX \(name)")
            try await db.raw("CREATE INDEX \(name) ON \(on)")
        }
        for (name, on) in Self.added { try await db.raw("CREATE INDEX \(name) ON \(on)") }
        // SQLite passes over an index it has no statistics for while its neighbours have some.
        if db.isSQLite {
            try await db.raw("PRAGMA analysis_limit = 1000")
            for name in Self.replaced.map(\.0) + Self.added.map(\.0) { try await db.raw("ANALYZE \(name)") }
        }
    }

    func revert(on db: Database) async throws {
        for (name, _) in Self.added { try await db.raw("DROP INDEX \(name)") }
        for (name, on, _) in Self.replaced {
            try await db.raw("DROP INDEX \(name)")
            try await db.raw("CREATE INDEX \(name) ON \(on)")
        }
    }
}

/// One person's follow-ups over some days (the dashboard's month and two-week chart) read their own
/// tallies instead of every tally of the organisation's days in range (a month of a 200-rep
/// organisation: 5 ms).
struct CreateOwnerTallyIndex: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.raw("CREATE INDEX follow_up_method_days_owner ON follow_up_method_days (org_id, owner_id, day, n)")
        if db.isSQLite {
            try await db.raw("PRAGMA analysis_limit = 1000")
            try await db.raw("ANALYZE follow_up_method_days_owner")
        }
    }

    func revert(on db: Database) async throws {
        try await db.raw("DROP INDEX follow_up_method_days_owner")
    }
}

/// The money tallies read by scope: a department tree's collections, trend and aging read the tallies
/// of its departments and of its manager, each from an index holding the figures (`MULTI-INDEX OR`),
/// instead of every tally of the organisation and a lookup of each row. On the 1M set, for a branch
/// manager, in SQLite's CPU time: a year's collections 42 → 29 ms, its trend 33 → 17 ms, the aging
/// 35 → 19 ms.
struct CreateMoneyTallyScopeIndexes: AsyncMigration {
    static let indexes = [
        ("money_days_department", "money_days (org_id, department_id, day, owner_id, new_n, new_amount, margin, due, received, refunded, invoiced)"),
        ("money_days_owner", "money_days (org_id, owner_id, day, department_id, new_n, new_amount, margin, due, received, refunded, invoiced)"),
        ("receivable_days_department", "receivable_days (org_id, department_id, due_on, owner_id, n, owed)"),
        ("receivable_days_owner", "receivable_days (org_id, owner_id, due_on, department_id, n, owed)"),
    ]

    func prepare(on db: Database) async throws {
        for (name, on) in Self.indexes { try await db.raw("CREATE INDEX \(name) ON \(on)") }
        if db.isSQLite, let sql = db as? any SQLDatabase { try await DatabaseStatistics.inFull(on: sql) }
    }

    func revert(on db: Database) async throws {
        for (name, _) in Self.indexes { try await db.raw("DROP INDEX \(name)") }
    }
}
