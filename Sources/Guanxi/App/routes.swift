import Fluent
import Foundation
import Vapor

func routes(_ app: Application) throws {
    app.get("health") { _ in ["status": "ok"] }
    app.get("api", "openapi.json") { _ -> Response in
        var headers = HTTPHeaders()
        headers.contentType = .json
        return Response(status: .ok, headers: headers, body: .init(string: OpenAPI.document().render()))
    }

    let api = app.grouped("api", "v1").grouped(JSONBodyMiddleware()).grouped(BearerAuthMiddleware())
    try api.register(collection: CustomerAPIController())
    try api.register(collection: PlatformAPIController())
    try api.register(collection: ContactAPIController())
    try api.register(collection: PoolAPIController())
    try api.register(collection: ShareAPIController())
    try api.register(collection: NotificationAPIController())
    try api.register(collection: SearchAPIController())
    try api.register(collection: MergeAPIController())
    try api.register(collection: ClaimRequestAPIController())
    try api.register(collection: TeamAPIController())
    try api.register(collection: CustomFieldAPIController())
    try api.register(collection: ContactRelationAPIController())
    try api.register(collection: FollowUpAPIController())
    try api.register(collection: DailyReportAPIController())
    try api.register(collection: DashboardAPIController())
    try api.register(collection: DirectoryAPIController())
    try api.register(collection: AnnouncementAPIController())
    try api.register(collection: TaskAPIController())

    let web = app.grouped(WebSessionMiddleware()).grouped(SetupGateMiddleware())
    try web.register(collection: SetupPages())
    try web.register(collection: LoginPages())

    let signedIn = web.grouped(RequireSignInMiddleware())
    try signedIn.register(collection: HomePage())
    try signedIn.register(collection: ProfilePages())
    try signedIn.register(collection: CustomerPages())
    try signedIn.register(collection: ContactPages())
    try signedIn.register(collection: PoolPages())
    try signedIn.register(collection: SharePages())
    try signedIn.register(collection: NotificationPages())
    try signedIn.register(collection: ImportPages())
    try signedIn.register(collection: SearchPages())
    try signedIn.register(collection: StatsPages())
    try signedIn.register(collection: EnvelopePages())
    try signedIn.register(collection: MergePages())
    try signedIn.register(collection: SavedFilterPages())
    try signedIn.register(collection: ClaimRequestPages())
    try signedIn.register(collection: TeamPages())
    try signedIn.register(collection: ContactListPages())
    try signedIn.register(collection: DepartmentPages())
    try signedIn.register(collection: EmployeePages())
    try signedIn.register(collection: RolePages())
    try signedIn.register(collection: SecurityPages())
    try signedIn.register(collection: AdminPages())
    try signedIn.register(collection: BasicDataPages())
    try signedIn.register(collection: CustomFieldPages())
    try signedIn.register(collection: ContactRelationPages())
    try signedIn.register(collection: FollowUpStatsPages())
    try signedIn.register(collection: DailyReportPages())
    try signedIn.register(collection: DirectoryPages())
    try signedIn.register(collection: AnnouncementPages())
    try signedIn.register(collection: TaskPages())
    try signedIn.register(collection: FollowUpPages())
}
