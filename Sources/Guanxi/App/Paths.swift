import Foundation
import GuanxiCore

/// Every page path in one place: routes register from it and views link with it.
enum Paths {
    static let home = "/"

    /// A path on this site, or nil: "return to" values from forms never send people elsewhere.
    static func local(_ path: String?) -> String? {
        guard let path, path.hasPrefix("/"), !path.hasPrefix("//"), !path.contains("\\"), path.count < 512 else { return nil }
        return path
    }
    static let setup = "/setup"
    static let login = "/login"
    static let logout = "/logout"
    static let profile = "/profile"
    static let profileLanguage = "/profile/language"
    static let profilePassword = "/profile/password"
    static let profileTokens = "/profile/tokens"
    static func profileToken(_ id: UUID) -> String { "/profile/tokens/\(id.text)/revoke" }

    static let customers = "/customers"
    static let newCustomer = "/customers/new"
    static func customer(_ id: UUID) -> String { "/customers/\(id.text)" }
    static func editCustomer(_ id: UUID) -> String { "/customers/\(id.text)/edit" }
    static func copyCustomer(_ id: UUID) -> String { "/customers/\(id.text)/copy" }
    static func deleteCustomer(_ id: UUID) -> String { "/customers/\(id.text)/delete" }

    static func customerContacts(_ id: UUID) -> String { "/customers/\(id.text)/contacts" }
    static func contact(_ id: UUID) -> String { "/contacts/\(id.text)" }
    static func contactPrimary(_ id: UUID) -> String { "/contacts/\(id.text)/primary" }
    static func customerRelations(_ id: UUID) -> String { "/customers/\(id.text)/relations" }
    static func relationDelete(_ id: UUID) -> String { "/relations/\(id.text)/delete" }

    static let followUps = "/follow-ups"
    static let dailyReport = "/reports/daily"
    static let calendar = "/calendar"
    static let tasks = "/tasks"
    static let products = "/products"
    static let quotes = "/quotes"
    static func quote(_ id: UUID) -> String { "/quotes/\(id.text)" }
    static let contracts = "/contracts"
    static let receivables = "/receivables"
    static func contract(_ id: UUID) -> String { "/contracts/\(id.text)" }
    static let payments = "/payments"
    static func payment(_ id: UUID) -> String { "/payments/\(id.text)" }
    static let refunds = "/refunds"
    static func refund(_ id: UUID) -> String { "/refunds/\(id.text)" }
    static let invoices = "/invoices"
    static func invoice(_ id: UUID) -> String { "/invoices/\(id.text)" }
    static let collections = "/collections"
    static let approvals = "/approvals"
    static func approval(_ id: UUID) -> String { "/approvals/\(id.text)" }
    static let adminApprovalFlows = "/admin/approval-flows"
    static let targetLists = "/target-lists"
    static func targetList(_ id: UUID) -> String { "/target-lists/\(id.text)" }
    static let leads = "/leads"
    static func lead(_ id: UUID) -> String { "/leads/\(id.text)" }
    static let adminLeadRules = "/admin/lead-rules"
    static let adminWebForms = "/admin/web-forms"
    static func adminWebForm(_ id: UUID) -> String { "/admin/web-forms/\(id.text)" }
    static func publicForm(_ token: String) -> String { "/f/\(token)" }
    static let opportunities = "/opportunities"
    static func opportunity(_ id: UUID) -> String { "/opportunities/\(id.text)" }
    static func product(_ id: UUID) -> String { "/products/\(id.text)" }
    static func task(_ id: UUID) -> String { "/tasks/\(id.text)" }
    static let plans = "/plans"
    static let teamPlans = "/plans/team"
    static func plan(_ p: Plan) -> String { plan(period: p.period, date: p.startsOn, owner: p.ownerID) }
    static func plan(period: PlanPeriod, date: String, owner: UUID?) -> String {
        URLQuery.build(plans, [("period", period.rawValue), ("date", date), ("owner", owner?.text)])
    }
    static let announcements = "/announcements"
    static func announcement(_ id: UUID) -> String { "/announcements/\(id.text)" }
    static func customerFollowUps(_ id: UUID) -> String { "/customers/\(id.text)/follow-ups" }
    /// The add-a-follow-up page, with the contact chosen and where to come back to.
    static func newFollowUp(_ customer: UUID, contact: UUID? = nil, returnTo: String? = nil) -> String {
        URLQuery.build(customerFollowUps(customer) + "/new", [("contact", contact?.text), ("return", returnTo)])
    }
    static func followUpEdit(_ id: UUID) -> String { "/follow-ups/\(id.text)/edit" }
    static func followUpDelete(_ id: UUID) -> String { "/follow-ups/\(id.text)/delete" }
    static func followUpComments(_ id: UUID) -> String { "/follow-ups/\(id.text)/comments" }
    static let adminFollowUpTemplates = "/admin/follow-up-templates"
    static func adminFollowUpTemplate(_ id: UUID) -> String { "/admin/follow-up-templates/\(id.text)" }

    static let notifications = "/notifications"
    static let notificationsReadAll = "/notifications/read-all"
    static func notificationOpen(_ id: UUID) -> String { "/notifications/\(id.text)/open" }
    static func importJob(_ id: UUID) -> String { "/imports/\(id.text)" }
    static let search = "/search"
    static let shares = "/shares"
    static func customerShares(_ id: UUID) -> String { "/customers/\(id.text)/shares" }
    static func customerShareRevoke(_ id: UUID, _ user: UUID) -> String { "/customers/\(id.text)/shares/\(user.text)/revoke" }
    static let pools = "/pools"
    static let claimRequests = "/pools/requests"
    static func pool(_ id: UUID) -> String { "/pools/\(id.text)" }
    static func poolClaim(_ id: UUID) -> String { "/pools/\(id.text)/claim" }
    static func customerClaim(_ id: UUID) -> String { "/customers/\(id.text)/claim" }
    static func customerRelease(_ id: UUID) -> String { "/customers/\(id.text)/release" }
    static func customerAssign(_ id: UUID) -> String { "/customers/\(id.text)/assign" }
    static let adminPools = "/admin/pools"
    static func adminPool(_ id: UUID) -> String { "/admin/pools/\(id.text)" }
    static let adminProtection = "/admin/protection"

    static let adminOrganization = "/admin/organization"
    static let adminDepartments = "/admin/departments"
    static func adminDepartment(_ id: UUID) -> String { "/admin/departments/\(id.text)" }
    static let adminEmployees = "/admin/employees"
    static let adminNewEmployee = "/admin/employees/new"
    static func adminEmployee(_ id: UUID) -> String { "/admin/employees/\(id.text)" }
    static func adminEmployeeDisable(_ id: UUID) -> String { "/admin/employees/\(id.text)/disable" }
    static func adminEmployeeEnable(_ id: UUID) -> String { "/admin/employees/\(id.text)/enable" }
    static func adminEmployeePassword(_ id: UUID) -> String { "/admin/employees/\(id.text)/password" }
    static let adminRoles = "/admin/roles"
    static let adminNewRole = "/admin/roles/new"
    static func adminRole(_ id: UUID) -> String { "/admin/roles/\(id.text)" }
    static let adminLoginRecords = "/admin/login-records"
    static let adminOnline = "/admin/online"
    static func adminOnlineRevoke(_ id: UUID) -> String { "/admin/online/\(id.text)/revoke" }
    static let adminDictionaryBase = "/admin/dictionary"
    static func adminDictionary(_ kind: String, post: Bool = false) -> String { post ? "/admin/dictionary/\(kind)" : "/admin/dictionary?kind=\(kind)" }
    static func adminDictionaryOption(_ id: UUID) -> String { "/admin/dictionary/options/\(id.text)" }
    static let adminCustomFieldsBase = "/admin/custom-fields"
    static func adminCustomFields(_ entity: String, post: Bool = false) -> String { post ? "/admin/custom-fields/\(entity)" : "/admin/custom-fields?entity=\(entity)" }
    static func adminCustomField(_ id: UUID) -> String { "/admin/custom-fields/fields/\(id.text)" }
    static let adminRegions = "/admin/regions"
    static let adminStages = "/admin/stages"
    static func adminRegion(_ id: UUID) -> String { "/admin/regions/\(id.text)" }
    static let adminNumbering = "/admin/numbering"
    static func adminNumberingType(_ type: String) -> String { "/admin/numbering/\(type)" }
    static let adminRecycleBin = "/admin/recycle-bin"
    static func adminRestore(_ entity: String, _ id: UUID) -> String { "/admin/recycle-bin/\(entity)/\(id.text)/restore" }
    static func adminPurge(_ entity: String, _ id: UUID) -> String { "/admin/recycle-bin/\(entity)/\(id.text)/purge" }
}
