import Foundation
import GuanxiCore
import Vapor

/// The OpenAPI 3 description of /api/v1, served at /api/openapi.json. A test checks that every
/// registered API route is described here.
enum OpenAPI {
    static func document() -> JSONValue {
        [
            "openapi": "3.0.3",
            "info": ["title": "Guanxi CRM API", "version": "1.0.0",
                     "description": "REST/JSON API of Guanxi. Authenticate with a personal token from your profile page: `Authorization: Bearer gx_…`. Every call has the same permissions and data scope as the pages."],
            "servers": [["url": "/"]],
            "security": [["bearerAuth": []]],
            "paths": {
                guard case .object(let base) = paths else { return paths }
                return .object(base + financePaths)
            }(),
            "components": components,
        ]
    }

    static let forceParam: JSONValue = ["name": "force", "in": "query", "required": false, "schema": ["type": "boolean"],
                                        "description": "Save even though likely duplicates exist"]
    static let idParam: JSONValue = ["name": "id", "in": "path", "required": true, "schema": ["type": "string", "format": "uuid"]]

    static func ref(_ name: String) -> JSONValue { ["$ref": .string("#/components/schemas/\(name)")] }

    static func json(_ schema: JSONValue) -> JSONValue { ["application/json": ["schema": schema]] }

    static func ok(_ schema: JSONValue, _ description: String = "OK") -> JSONValue { ["description": .string(description), "content": json(schema)] }

    static let errors: [(String, JSONValue)] = [
        ("400", ["description": "Malformed request", "content": json(ref("Error"))]),
        ("401", ["description": "Missing or invalid token", "content": json(ref("Error"))]),
        ("403", ["description": "The role does not allow this", "content": json(ref("Error"))]),
        ("404", ["description": "Not found or outside your data scope", "content": json(ref("Error"))]),
    ]

    static func responses(_ pairs: [(String, JSONValue)], validation: Bool = false) -> JSONValue {
        var all = pairs + errors
        if validation { all.append(("422", ["description": "Invalid fields", "content": json(ref("Error"))])) }
        all.append(("413", ["description": "Body too large", "content": json(ref("Error"))]))
        all.append(("415", ["description": "Unsupported media type", "content": json(ref("Error"))]))
        return .object(all)
    }

    static func op(_ id: String, _ summary: String, tag: String, params: [JSONValue] = [], body: JSONValue? = nil,
                   _ responses: JSONValue) -> JSONValue {
        var pairs: [(String, JSONValue)] = [("operationId", .string(id)), ("summary", .string(summary)), ("tags", [.string(tag)])]
        if !params.isEmpty { pairs.append(("parameters", .array(params))) }
        if let body { pairs.append(("requestBody", ["required": true, "content": json(body)])) }
        pairs.append(("responses", responses))
        return .object(pairs)
    }

    static func query(_ name: String, _ schema: JSONValue, _ description: String) -> JSONValue {
        ["name": .string(name), "in": "query", "required": false, "schema": schema, "description": .string(description)]
    }

    static var paths: JSONValue {
        [
            "/api/v1/me": [
                "get": op("getMe", "The signed-in user, organisation and permissions", tag: "Account", responses([("200", ok(ref("Me")))])),
                "patch": op("updateMe", "Turn email copies of notifications on or off (needs an email address)", tag: "Account",
                            body: ["type": "object", "properties": ["notifyByEmail": ["type": "boolean"]]], responses([("200", ok(ref("Me")))], validation: true)),
            ],
            "/api/v1/customers": [
                "get": op("listCustomers", "Customers in your data scope, keyset-paginated", tag: "Customers", params: [
                    query("q", ["type": "string", "maxLength": 200], "Substring of name, or digits of the phone"),
                    query("owner", ["type": "string", "format": "uuid"], "Only customers of this owner"),
                    query("sort", ["type": "string", "enum": ["name", "created"]], "Sort key"),
                    query("order", ["type": "string", "enum": ["asc", "desc"]], "Sort direction"),
                    query("cursor", ["type": "string", "maxLength": 1000], "nextCursor of the previous page"),
                    query("limit", ["type": "integer", "minimum": 1, "maximum": 200], "Page size (default 50)"),
                    query("hot", ["type": "boolean"], "Only hot customers"),
                    query("team", ["type": "boolean"], "Only customers of my subordinates"),
                    query("recent", ["type": "boolean"], "Only the ones I opened last (no paging)"),
                    ["name": "ff[]", "in": "query", "required": false, "style": "form", "explode": true,
                     "schema": ["type": "array", "maxItems": 10, "items": ["type": "string", "maxLength": 40]], "description": "Filter fields (API names without ID: region, owner…)"],
                    ["name": "fo[]", "in": "query", "required": false, "style": "form", "explode": true,
                     "schema": ["type": "array", "maxItems": 10, "items": ["type": "string", "enum": .array(FilterSet.Op.allCases.map { .string($0.rawValue) })]], "description": "Operators, one per field"],
                    ["name": "fv[]", "in": "query", "required": false, "style": "form", "explode": true,
                     "schema": ["type": "array", "maxItems": 10, "items": ["type": "string", "maxLength": 200]], "description": "Values, one per field (money in yuan, dates yyyy-MM-dd)"],
                    query("join", ["type": "string", "enum": ["and", "or"]], "How conditions combine (default and)"),
                ], responses([("200", ok(ref("CustomerPage")))])),
                "post": op("createCustomer", "Create a customer; a likely duplicate answers 409 unless force=true", tag: "Customers",
                           params: [forceParam], body: ref("CustomerCreate"),
                           responses([("201", ok(ref("Customer"), "Created")), ("409", ok(ref("Collision"), "Likely duplicates"))], validation: true)),
            ],
            "/api/v1/customers/{id}": [
                "get": op("getCustomer", "One customer", tag: "Customers", params: [idParam], responses([("200", ok(ref("Customer")))])),
                "patch": op("updateCustomer", "Change some fields of a customer", tag: "Customers", params: [idParam, forceParam], body: ref("CustomerPatch"),
                            responses([("200", ok(ref("Customer"))), ("409", ok(ref("Collision"), "Likely duplicates"))], validation: true)),
                "delete": op("deleteCustomer", "Move a customer to the recycle bin", tag: "Customers", params: [idParam],
                             responses([("204", ["description": "Deleted"])])),
            ],
            "/api/v1/customers/export": [
                "get": op("exportCustomers", "The customer list with its filter as .csv or .xlsx (export right; audited)", tag: "Customers", params: [
                    query("format", ["type": "string", "enum": ["csv", "xlsx"]], "File type (default csv)"),
                    query("q", ["type": "string", "maxLength": 200], "Same filter as the list"),
                    query("owner", ["type": "string", "format": "uuid"], "Only customers of this owner"),
                ], responses([("200", ["description": "The file", "content": [
                    "text/csv": ["schema": ["type": "string"]],
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ["schema": ["type": "string", "format": "binary"]],
                ]])])),
            ],
            "/api/v1/customers/{id}/hot": [
                "put": op("setHot", "Pin or unpin a hot customer", tag: "Customers", params: [idParam],
                          body: ["type": "object", "required": ["hot"], "properties": ["hot": ["type": "boolean"]]],
                          responses([("204", ["description": "Saved"])], validation: true)),
            ],
            "/api/v1/customers/bulk": [
                "post": op("bulkCustomers", "One action on many customers, all or nothing: transfer, share, set level or status, delete", tag: "Customers",
                           body: ["type": "object", "required": ["customerIDs", "action"], "properties": [
                               "customerIDs": ["type": "array", "minItems": 1, "maxItems": 500, "items": ["type": "string", "format": "uuid"]],
                               "action": ["type": "string", "enum": ["transfer", "share", "level", "status", "delete"]],
                               "userID": ["type": "string", "format": "uuid", "description": "transfer and share"],
                               "value": ["type": "string", "description": "level or status: a dictionary value; share: read or edit"]]],
                           responses([("200", ok(ref("Moved"))), ("409", ["description": "Cap reached", "content": json(ref("Error"))])], validation: true)),
            ],
            "/api/v1/customers/duplicates": [
                "get": op("listDuplicates", "Groups of customers in your scope that share a credit code, a phone or a name", tag: "Customers",
                          responses([("200", ok(["type": "array", "items": ["type": "object", "required": ["reason", "customers"], "properties": [
                              "reason": ["type": "string", "enum": ["creditCode", "phone", "name"]], "customers": ["type": "array", "items": ref("Customer")]]]]))])),
            ],
            "/api/v1/customers/merge": [
                "post": op("mergeCustomers", "Merge one customer into another: chosen values, every related record moves, the other goes to the bin", tag: "Customers",
                           body: ["type": "object", "required": ["survivorID", "mergedID"], "properties": [
                               "survivorID": uuid, "mergedID": uuid,
                               "takeFromMerged": ["type": "array", "items": ["type": "string"], "description": "fields whose value comes from the merged customer"]]],
                           responses([("200", ok(["type": "object", "required": ["mergeID", "survivorID"], "properties": ["mergeID": uuid, "survivorID": uuid]]))], validation: true)),
            ],
            "/api/v1/customers/merges/{id}/undo": [
                "post": op("undoMerge", "Undo a merge", tag: "Customers", params: [idParam], responses([("204", ["description": "Undone"])])),
            ],
            "/api/v1/customers/{id}/claim-requests": [
                "post": op("requestClaim", "Ask for a pool customer; your supervisor or someone with the assign right decides", tag: "Pools", params: [idParam],
                           body: ["type": "object", "required": ["reason"], "properties": ["reason": ["type": "string", "minLength": 1, "maxLength": 500]]],
                           responses([("201", ok(ref("ClaimRequest"), "Requested")), ("409", ["description": "Already requested", "content": json(ref("Error"))])], validation: true)),
            ],
            "/api/v1/claim-requests": [
                "get": op("listClaimRequests", "Requests waiting for my decision, and my own", tag: "Pools",
                          responses([("200", ok(["type": "object", "required": ["toDecide", "mine"], "properties": [
                              "toDecide": ["type": "array", "items": ref("ClaimRequest")], "mine": ["type": "array", "items": ref("ClaimRequest")]]]))])),
            ],
            "/api/v1/claim-requests/{id}/approve": [
                "post": op("approveClaim", "Approve: the customer goes to the requester", tag: "Pools", params: [idParam],
                           body: ["type": "object", "properties": ["comment": ["type": "string", "maxLength": 200]]],
                           responses([("200", ok(ref("ClaimRequest"))), ("409", ["description": "Already decided or claimed", "content": json(ref("Error"))])])),
            ],
            "/api/v1/claim-requests/{id}/reject": [
                "post": op("rejectClaim", "Reject with a comment", tag: "Pools", params: [idParam],
                           body: ["type": "object", "properties": ["comment": ["type": "string", "maxLength": 200]]],
                           responses([("200", ok(ref("ClaimRequest"))), ("409", ["description": "Already decided", "content": json(ref("Error"))])])),
            ],
            "/api/v1/claim-requests/{id}/withdraw": [
                "post": op("withdrawClaim", "Withdraw my pending request", tag: "Pools", params: [idParam],
                           responses([("204", ["description": "Withdrawn"]), ("409", ["description": "Already decided", "content": json(ref("Error"))])])),
            ],
            "/api/v1/customers/{id}/team": [
                "get": op("getTeam", "The customer's sales team", tag: "Customers", params: [idParam],
                          responses([("200", ok(["type": "array", "items": ref("TeamMember")]))])),
                "put": op("setTeam", "Replace the sales team: one leader at most, credit shares up to 100% (owner or assign right)", tag: "Customers", params: [idParam],
                          body: ["type": "object", "required": ["members"], "properties": ["members": ["type": "array", "maxItems": 20, "items": ref("TeamMember")]]],
                          responses([("200", ok(["type": "array", "items": ref("TeamMember")]))], validation: true)),
            ],
            "/api/v1/customers/collisions": [
                "get": op("findCollisions", "Customers anywhere in the organisation that look like these details, with their owners", tag: "Customers", params: [
                    query("name", ["type": "string", "maxLength": 200], "Customer name"),
                    query("phone", ["type": "string", "maxLength": 32], "Phone"),
                    query("creditCode", ["type": "string", "maxLength": 18], "Unified social credit code"),
                ], responses([("200", ok(["type": "array", "items": ref("CollisionMatch")]))])),
            ],
            "/api/v1/customers/{id}/history": [
                "get": op("getCustomerHistory", "Audit trail of a customer, newest first", tag: "Customers", params: [idParam],
                          responses([("200", ok(["type": "array", "items": ref("AuditEntry")]))])),
            ],
            "/api/v1/customers/{id}/contacts": [
                "get": op("listContacts", "Contacts of a customer, the primary one first", tag: "Contacts", params: [idParam],
                          responses([("200", ok(["type": "array", "items": ref("Contact")]))])),
                "post": op("createContact", "Add a contact to a customer", tag: "Contacts", params: [idParam], body: ref("ContactCreate"),
                           responses([("201", ok(ref("Contact"), "Created"))], validation: true)),
            ],
            "/api/v1/contacts/{id}": [
                "get": op("getContact", "One contact", tag: "Contacts", params: [idParam], responses([("200", ok(ref("Contact")))])),
                "patch": op("updateContact", "Change some fields of a contact; `primary: true` makes it the primary contact", tag: "Contacts",
                            params: [idParam], body: ref("ContactPatch"), responses([("200", ok(ref("Contact")))], validation: true)),
                "delete": op("deleteContact", "Move a contact to the recycle bin", tag: "Contacts", params: [idParam],
                             responses([("204", ["description": "Deleted"])])),
            ],
            "/api/v1/products": [
                "get": op("listProducts", "Products by name or code, in a category (and those below it), by status and type", tag: "Products", params: [
                    query("q", ["type": "string"], "Name, code, pinyin or model contains"), query("category", uuid, "A category and those below it"),
                    query("status", ["type": "string", "enum": ["onSale", "offSale"]], "Only this status"),
                    query("kind", ["type": "string", "enum": ["goods", "service"]], "Goods or services"),
                    query("sort", ["type": "string", "enum": ["name", "code"]], "Sort key"), query("order", ["type": "string", "enum": ["asc", "desc"]], "Sort order"),
                    query("cursor", ["type": "string"], "nextCursor of the previous page"), query("limit", ["type": "integer", "minimum": 1, "maximum": 200], "Page size")],
                          responses([("200", ok(ref("ProductPage")))])),
                "post": op("createProduct", "Add a product; an empty code takes the next number. The entry policies apply; `confirmDuplicate` saves a name that only warns",
                           tag: "Products", body: ref("ProductCreate"), responses([("201", ok(ref("Product"), "Created"))], validation: true)),
            ],
            "/api/v1/products/{id}": [
                "get": op("getProduct", "One product; fields hidden by your role's field rules are absent", tag: "Products", params: [idParam],
                          responses([("200", ok(ref("Product")))])),
                "patch": op("updateProduct", "Change some fields of a product", tag: "Products", params: [idParam], body: ref("ProductPatch"),
                            responses([("200", ok(ref("Product")))], validation: true)),
                "delete": op("deleteProduct", "Move a product to the recycle bin", tag: "Products", params: [idParam], responses([("204", ["description": "Deleted"])])),
            ],
            "/api/v1/products/{id}/prices": [
                "get": op("listProductPrices", "The product's price strategies", tag: "Products", params: [idParam],
                          responses([("200", ok(["type": "array", "items": ref("ProductPrice")]))])),
                "post": op("addProductPrice", "Add a price for a unit, customer category or level, and department (any may be empty)", tag: "Products",
                           params: [idParam], body: ref("ProductPriceCreate"), responses([("201", ok(ref("ProductPrice"), "Created"))], validation: true)),
            ],
            "/api/v1/products/{id}/prices/{price}": [
                "delete": op("deleteProductPrice", "Remove one price strategy", tag: "Products",
                             params: [idParam, ["name": "price", "in": "path", "required": true, "schema": ["type": "string", "format": "uuid"]]],
                             responses([("204", ["description": "Deleted"])])),
            ],
            "/api/v1/products/{id}/price": [
                "get": op("quoteProductPrice", "The price you would offer: the most specific matching strategy for the customer, unit and your department, else the list price",
                          tag: "Products", params: [idParam, query("customer", uuid, "The customer (its category and level count)"),
                                                    query("unit", ["type": "string"], "The unit (default the base unit)")],
                          responses([("200", ok(ref("QuotedPrice")))])),
            ],
            "/api/v1/opportunities": [
                "get": op("listOpportunities", "Opportunities in your data scope: mine, my team's or all, newest first or largest first", tag: "Opportunities", params: [
                    viewParam, query("status", opportunityStatus, "Only this status"), query("stage", uuid, "Only this stage"),
                    query("customer", uuid, "Only this customer's (all you may see, whatever the view)"), query("q", ["type": "string"], "Name contains"),
                    query("sort", ["type": "string", "enum": ["recent", "amount"]], "Sort"), query("cursor", ["type": "string"], "nextCursor of the previous page"),
                    query("limit", ["type": "integer", "minimum": 1, "maximum": 200], "Page size")],
                          responses([("200", ok(ref("OpportunityPage")))])),
                "post": op("createOpportunity", "Open an opportunity for a customer you can see; the stage defaults to the first, the owner to you", tag: "Opportunities",
                           body: ref("OpportunityCreate"), responses([("201", ok(ref("Opportunity"), "Created"))], validation: true)),
            ],
            "/api/v1/opportunities/{id}": [
                "get": op("getOpportunity", "One opportunity", tag: "Opportunities", params: [idParam], responses([("200", ok(ref("Opportunity")))])),
                "patch": op("updateOpportunity", "Change some fields, the owner (someone in your scope) or the key contact (one of the customer's)", tag: "Opportunities",
                            params: [idParam], body: ref("OpportunityPatch"), responses([("200", ok(ref("Opportunity")))], validation: true)),
                "delete": op("deleteOpportunity", "Move an opportunity to the recycle bin", tag: "Opportunities", params: [idParam],
                             responses([("204", ["description": "Deleted"])])),
            ],
            "/api/v1/opportunities/{id}/stage": [
                "post": op("moveOpportunity", "Move an open opportunity to another active stage (its probability comes with it)", tag: "Opportunities", params: [idParam],
                           body: ["type": "object", "required": ["stageID"], "properties": ["stageID": uuid]],
                           responses([("200", ok(ref("Opportunity")))], validation: true)),
            ],
            "/api/v1/opportunities/{id}/close": [
                "post": op("closeOpportunity", "Win, lose (with a lost reason from the dictionary) or reopen an opportunity", tag: "Opportunities", params: [idParam],
                           body: ["type": "object", "required": ["status"], "properties": [
                               "status": opportunityStatus, "lostReason": ["type": "string", "maxLength": 100], "note": ["type": "string", "maxLength": 500],
                               "stageID": uuid]],
                           responses([("200", ok(ref("Opportunity")))], validation: true)),
            ],
            "/api/v1/opportunities/{id}/stage-history": [
                "get": op("getOpportunityStageHistory", "Every stage move, win, loss and reopening, newest first", tag: "Opportunities", params: [idParam],
                          responses([("200", ok(["type": "array", "items": ref("OpportunityStageChange")]))])),
            ],
            "/api/v1/opportunities/{id}/lines": [
                "get": op("listOpportunityLines", "The opportunity's products", tag: "Opportunities", params: [idParam],
                          responses([("200", ok(["type": "array", "items": ref("OpportunityLine")]))])),
                "post": op("addOpportunityLine", "Add a product; without a price the price strategy's is taken. The amount becomes the lines' total", tag: "Opportunities",
                           params: [idParam], body: ["type": "object", "required": ["productID"], "properties": [
                               "productID": uuid, "quantity": ["type": "integer", "minimum": 1, "maximum": 10_000_000], "unit": ["type": "string", "maxLength": 10],
                               "price": ["type": "integer", "minimum": 0, "maximum": 900_000_000_000]]],
                           responses([("201", ok(ref("OpportunityLine"), "Created"))], validation: true)),
            ],
            "/api/v1/opportunities/{id}/lines/{line}": [
                "delete": op("deleteOpportunityLine", "Remove a product line", tag: "Opportunities",
                             params: [idParam, ["name": "line", "in": "path", "required": true, "schema": uuid]], responses([("204", ["description": "Deleted"])])),
            ],
            "/api/v1/opportunities/board": [
                "get": op("getOpportunityBoard", "The kanban board: each active stage with its open opportunities' count and sums and the largest twenty as cards",
                          tag: "Opportunities", params: [viewParam], responses([("200", ok(["type": "array", "items": ref("BoardColumn")]))])),
            ],
            "/api/v1/opportunities/funnel": [
                "get": op("getOpportunityFunnel", "The funnel: open opportunities per stage, how many got at least that far, and won and lost (closed between from and to when given)",
                          tag: "Opportunities", params: [viewParam, query("from", date, "Closed on or after"), query("to", date, "Closed on or before")],
                          responses([("200", ok(ref("Funnel")))])),
            ],
            "/api/v1/opportunities/forecast": [
                "get": op("getOpportunityForecast", "Open opportunities by expected close month, weighted, beside what was won in the month", tag: "Opportunities",
                          params: [viewParam, query("month", ["type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"], "First month (default this one)"),
                                   query("months", ["type": "integer", "minimum": 1, "maximum": 24], "How many months")],
                          responses([("200", ok(["type": "array", "items": ref("ForecastMonth")]))])),
            ],
            "/api/v1/opportunity-stages": [
                "get": op("listOpportunityStages", "The organisation's sales stages in order, switched off ones included", tag: "Opportunities",
                          responses([("200", ok(["type": "array", "items": ref("OpportunityStage")]))])),
                "post": op("addOpportunityStage", "Add a stage (administrators)", tag: "Opportunities", body: ref("OpportunityStageCreate"),
                           responses([("201", ok(ref("OpportunityStage"), "Created"))], validation: true)),
            ],
            "/api/v1/opportunity-stages/{id}": [
                "patch": op("updateOpportunityStage", "Rename, re-weight, reorder or switch a stage on or off (administrators)", tag: "Opportunities", params: [idParam],
                            body: ref("OpportunityStagePatch"), responses([("200", ok(ref("OpportunityStage")))], validation: true)),
            ],
            "/api/v1/leads": [
                "get": op("listLeads", "Leads: mine, my team's, the lead pool's, or all in my scope; newest first", tag: "Leads", params: [
                    query("view", ["type": "string", "enum": ["mine", "team", "pool", "all"]], "Whose leads (all needs an all-data scope)"),
                    query("status", leadStatus, "Only this status"), query("source", ["type": "string"], "Only this source"),
                    query("q", ["type": "string"], "Company, person, pinyin or phone contains"), query("cursor", ["type": "string"], "nextCursor of the previous page"),
                    query("limit", ["type": "integer", "minimum": 1, "maximum": 200], "Page size")],
                          responses([("200", ok(ref("LeadPage")))])),
                "post": op("createLead", "Add a lead; ownerID is a colleague's id, \"rules\" (the assignment rules) or \"pool\"; by default you. Likely duplicates among customers and leads answer 409 unless force=true",
                           tag: "Leads", params: [forceParam], body: ref("LeadCreate"),
                           responses([("201", ok(ref("Lead"), "Created")), ("409", ok(ref("LeadCollision"), "Likely duplicates"))], validation: true)),
            ],
            "/api/v1/leads/assign": [
                "post": op("assignLeads", "Give leads (from the pool or colleagues in scope) to someone, or to the assignment rules with ownerID \"rules\"", tag: "Leads",
                           body: ["type": "object", "required": ["ids", "ownerID"], "properties": [
                               "ids": ["type": "array", "items": uuid, "minItems": 1, "maxItems": 500], "ownerID": ["type": "string"]]],
                           responses([("200", ok(["type": "object", "properties": ["assigned": ["type": "integer"]]])),
                                      ("409", ["description": "A lead is converted", "content": json(ref("Error"))])], validation: true)),
            ],
            "/api/v1/leads/{id}": [
                "get": op("getLead", "One lead", tag: "Leads", params: [idParam], responses([("200", ok(ref("Lead")))])),
                "patch": op("updateLead", "Change some fields of an unconverted lead", tag: "Leads", params: [idParam, forceParam], body: ref("LeadPatch"),
                            responses([("200", ok(ref("Lead"))), ("409", ok(ref("LeadCollision"), "Likely duplicates or converted"))], validation: true)),
                "delete": op("deleteLead", "Move a lead to the recycle bin", tag: "Leads", params: [idParam], responses([("204", ["description": "Deleted"])])),
            ],
            "/api/v1/leads/{id}/claim": [
                "post": op("claimLead", "Take a lead from the lead pool", tag: "Leads", params: [idParam],
                           responses([("200", ok(ref("Lead"))), ("409", ["description": "Someone has it", "content": json(ref("Error"))])])),
            ],
            "/api/v1/leads/{id}/release": [
                "post": op("releaseLead", "Give a lead back to the pool", tag: "Leads", params: [idParam],
                           responses([("200", ok(ref("Lead"))), ("409", ["description": "Converted", "content": json(ref("Error"))])])),
            ],
            "/api/v1/leads/{id}/follow-ups": [
                "get": op("listLeadFollowUps", "The lead's follow-ups, newest first", tag: "Leads", params: [idParam],
                          responses([("200", ok(["type": "array", "items": ref("LeadFollowUp")]))])),
                "post": op("addLeadFollowUp", "Record a contact with the lead", tag: "Leads", params: [idParam],
                           body: ["type": "object", "required": ["method", "content"], "properties": [
                               "method": ["type": "string"], "content": ["type": "string", "maxLength": 4000],
                               "happenedAt": ["type": "string", "description": "yyyy-MM-ddTHH:mm in the organisation's time zone; empty means now"],
                               "nextContactOn": date]],
                           responses([("201", ok(ref("LeadFollowUp"), "Created")), ("409", ["description": "Converted", "content": json(ref("Error"))])], validation: true)),
            ],
            "/api/v1/leads/{id}/convert": [
                "post": op("convertLead", "Convert in one transaction into a customer (or attach to customerID), a contact (contactName) and an opportunity (opportunityName); the lead's follow-ups move to the customer's timeline",
                           tag: "Leads", params: [idParam, forceParam], body: ["type": "object", "properties": [
                               "customerID": uuid, "customerName": ["type": "string", "maxLength": 200], "contactName": ["type": "string", "maxLength": 50],
                               "opportunityName": ["type": "string", "maxLength": 100], "amount": ["type": "integer", "minimum": 0], "stageID": uuid,
                               "expectedCloseOn": date]],
                           responses([("201", ok(["type": "object", "required": ["customerID"], "properties": [
                               "customerID": uuid, "contactID": uuid, "opportunityID": uuid]], "Converted")),
                                      ("409", ok(ref("LeadCollision"), "Likely duplicate customers, converted already, or still in the pool"))], validation: true)),
            ],
            "/api/v1/lead-rules": [
                "get": op("listLeadRules", "Assignment rules in the order they are tried (administrators)", tag: "Leads",
                          responses([("200", ok(["type": "array", "items": ref("LeadRule")]))])),
                "post": op("addLeadRule", "Add an assignment rule (administrators)", tag: "Leads", body: ref("LeadRuleInput"),
                           responses([("201", ok(ref("LeadRule"), "Created"))], validation: true)),
            ],
            "/api/v1/lead-rules/{id}": [
                "patch": op("updateLeadRule", "Change an assignment rule (administrators)", tag: "Leads", params: [idParam], body: ref("LeadRuleInput"),
                            responses([("200", ok(ref("LeadRule")))], validation: true)),
                "delete": op("deleteLeadRule", "Delete an assignment rule (administrators)", tag: "Leads", params: [idParam],
                             responses([("204", ["description": "Deleted"])])),
            ],
            "/api/v1/web-forms": [
                "get": op("listWebForms", "Web-to-lead forms (administrators)", tag: "Leads", responses([("200", ok(["type": "array", "items": ref("WebForm")]))])),
                "post": op("addWebForm", "Design a web-to-lead form (administrators); its public address is url", tag: "Leads", body: ref("WebFormInput"),
                           responses([("201", ok(ref("WebForm"), "Created"))], validation: true)),
            ],
            "/api/v1/web-forms/{id}": [
                "patch": op("updateWebForm", "Change a web-to-lead form (administrators)", tag: "Leads", params: [idParam], body: ref("WebFormInput"),
                            responses([("200", ok(ref("WebForm")))], validation: true)),
            ],
            "/api/v1/opportunities/{id}/demand-plans": [
                "get": op("listDemandPlans", "The opportunity's demand plans (需求方案), newest version first", tag: "Opportunities", params: [idParam],
                          responses([("200", ok(["type": "array", "items": ref("DemandPlan")]))])),
                "post": op("addDemandPlan", "A new version of the demand plan", tag: "Opportunities", params: [idParam], body: ref("DemandPlanInput"),
                           responses([("201", ok(ref("DemandPlan"), "Created"))], validation: true)),
            ],
            "/api/v1/demand-plans/{id}": [
                "get": op("getDemandPlan", "One version of a demand plan", tag: "Opportunities", params: [idParam], responses([("200", ok(ref("DemandPlan")))])),
                "patch": op("updateDemandPlan", "Change the newest version while it is a draft", tag: "Opportunities", params: [idParam], body: ref("DemandPlanInput"),
                            responses([("200", ok(ref("DemandPlan"))), ("409", ["description": "Not the newest draft", "content": json(ref("Error"))])], validation: true)),
            ],
            "/api/v1/demand-plans/{id}/confirm": [
                "post": op("confirmDemandPlan", "Record that the customer agreed to the newest draft", tag: "Opportunities", params: [idParam],
                           responses([("200", ok(ref("DemandPlan"))), ("409", ["description": "Not the newest draft", "content": json(ref("Error"))])])),
            ],
            "/api/v1/target-lists": [
                "get": op("listTargetLists", "Target lists in your data scope, newest first", tag: "Customers",
                          responses([("200", ok(["type": "array", "items": ref("TargetList")]))])),
                "post": op("createTargetList", "Make a target list from one of your saved customer filters (savedFilterID) or a customer list query string (query); entity customer or contact (their contacts)",
                           tag: "Customers", body: ["type": "object", "required": ["name"], "properties": [
                               "name": ["type": "string", "minLength": 1, "maxLength": 50], "entity": ["type": "string", "enum": ["customer", "contact"]],
                               "query": ["type": "string", "maxLength": 2000], "savedFilterID": uuid]],
                           responses([("201", ok(ref("TargetList"), "Created"))], validation: true)),
            ],
            "/api/v1/target-lists/{id}": [
                "get": op("getTargetList", "One target list", tag: "Customers", params: [idParam], responses([("200", ok(ref("TargetList")))])),
                "delete": op("deleteTargetList", "Delete a target list (its customers stay)", tag: "Customers", params: [idParam],
                             responses([("204", ["description": "Deleted"])])),
            ],
            "/api/v1/target-lists/{id}/members": [
                "get": op("listTargetListMembers", "Members you may see, 200 at a time", tag: "Customers",
                          params: [idParam, query("after", uuid, "next of the previous page")],
                          responses([("200", ok(["type": "object", "required": ["items"], "properties": [
                              "items": ["type": "array", "items": ["type": "object", "required": ["id", "name", "customerID", "customerName"], "properties": [
                                  "id": uuid, "name": ["type": "string"], "customerID": uuid, "customerName": ["type": "string"], "phone": ["type": "string"]]]],
                              "next": uuid]]))])),
            ],
            "/api/v1/target-lists/{id}/refresh": [
                "post": op("refreshTargetList", "Take the members again from the filter", tag: "Customers", params: [idParam],
                           responses([("200", ok(ref("TargetList")))])),
            ],
            "/api/v1/opportunities/{id}/contacts": [
                "get": op("listOpportunityContacts", "The customer's people involved in the opportunity, the key contact first", tag: "Opportunities", params: [idParam],
                          responses([("200", ok(["type": "array", "items": ref("OpportunityContact")]))])),
                "post": op("addOpportunityContact", "Add one of the customer's contacts with a decision role (or change the role)", tag: "Opportunities", params: [idParam],
                           body: ["type": "object", "required": ["contactID"], "properties": ["contactID": uuid, "role": ["type": "string"]]],
                           responses([("201", ok(["type": "array", "items": ref("OpportunityContact")], "Added"))], validation: true)),
            ],
            "/api/v1/opportunities/{id}/contacts/{contact}": [
                "delete": op("removeOpportunityContact", "Take a contact off the opportunity", tag: "Opportunities",
                             params: [idParam, ["name": "contact", "in": "path", "required": true, "schema": uuid]],
                             responses([("204", ["description": "Removed"])])),
            ],
            "/api/v1/attachments": [
                "get": op("listAttachments", "Files attached to a record you can see", tag: "Attachments", params: [
                    ["name": "entity", "in": "query", "required": true, "schema": ["type": "string", "enum": .array(AttachmentService.entities.keys.sorted().map { .string($0) })]],
                    ["name": "recordID", "in": "query", "required": true, "schema": uuid]],
                          responses([("200", ok(["type": "array", "items": ref("Attachment")]))])),
                "post": .object([
                    ("operationId", "addAttachment"),
                    ("summary", "Attach a file (multipart, field file) to a record you may change: pictures, PDF, Office, text, zip; up to 10 MB"),
                    ("tags", ["Attachments"]),
                    ("parameters", [["name": "entity", "in": "query", "required": true,
                                     "schema": ["type": "string", "enum": .array(AttachmentService.entities.keys.sorted().map { .string($0) })]],
                                    ["name": "recordID", "in": "query", "required": true, "schema": uuid]]),
                    ("requestBody", ["required": true, "content": ["multipart/form-data": ["schema": [
                        "type": "object", "required": ["file"], "properties": ["file": ["type": "string", "format": "binary"]]]]]]),
                    ("responses", responses([("201", ok(ref("Attachment"), "Created"))], validation: true)),
                ]),
            ],
            "/api/v1/attachments/{id}/content": [
                "get": op("getAttachmentContent", "The file itself", tag: "Attachments", params: [idParam],
                          responses([("200", ["description": "The file", "content": ["*/*": ["schema": ["type": "string", "format": "binary"]]]])])),
            ],
            "/api/v1/attachments/{id}": [
                "delete": op("deleteAttachment", "Remove a file from a record you may change", tag: "Attachments", params: [idParam],
                             responses([("204", ["description": "Deleted"])])),
            ],
            "/api/v1/approvals": [
                "get": op("listApprovals", "Approvals waiting for you (box=inbox) or sent by you (box=mine)", tag: "Approvals",
                          params: [query("box", ["type": "string", "enum": ["inbox", "mine"]], "Which list")],
                          responses([("200", ok(["type": "array", "items": ref("ApprovalRequest")]))])),
            ],
            "/api/v1/approvals/{id}": [
                "get": op("getApproval", "One submission with its steps and decisions (submitter, approvers and administrators)", tag: "Approvals", params: [idParam],
                          responses([("200", ok(ref("ApprovalRequest")))])),
            ],
            "/api/v1/approvals/{id}/{action}": [
                "post": op("actOnApproval", "Approve or reject (a comment is required) as an approver of the current step; withdraw or resubmit as the submitter",
                           tag: "Approvals", params: [idParam, ["name": "action", "in": "path", "required": true,
                                                                "schema": ["type": "string", "enum": ["approve", "reject", "withdraw", "resubmit"]]]],
                           body: ["type": "object", "properties": ["comment": ["type": "string", "maxLength": 500]]],
                           responses([("200", ok(ref("ApprovalRequest"))), ("409", ["description": "Already decided or over", "content": json(ref("Error"))])], validation: true)),
            ],
            "/api/v1/approval-flows/{doc}": [
                "get": op("getApprovalFlow", "The steps of a document type's flow (administrators)", tag: "Approvals",
                          params: [["name": "doc", "in": "path", "required": true, "schema": ["type": "string", "enum": .array(ApprovalDocument.allCases.map { .string($0.rawValue) })]]],
                          responses([("200", ok(["type": "array", "items": ref("ApprovalStep")]))])),
                "put": op("saveApprovalFlow", "Replace the steps (administrators)", tag: "Approvals",
                          params: [["name": "doc", "in": "path", "required": true, "schema": ["type": "string", "enum": .array(ApprovalDocument.allCases.map { .string($0.rawValue) })]]],
                          body: ["type": "array", "maxItems": 10, "items": ref("ApprovalStep")],
                          responses([("200", ok(["type": "array", "items": ref("ApprovalStep")]))], validation: true)),
            ],
            "/api/v1/quotes/{id}/approval": [
                "post": op("submitQuoteForApproval", "Send a current draft priced below the floor through the quote approval flow (when the floor policy is approve)", tag: "Quotes",
                           params: [idParam], responses([("201", ok(ref("ApprovalRequest"), "Submitted")),
                                                         ("409", ["description": "Needs no approval, or already pending or approved", "content": json(ref("Error"))])])),
            ],
            "/api/v1/contracts": [
                "get": op("listContracts", "Contracts and sales orders in your data scope, newest first", tag: "Contracts", params: [
                    query("status", ["type": "string", "enum": .array(Contract.Status.allCases.map { .string($0.rawValue) })], "Only this status"),
                    query("customer", uuid, "Only this customer's"), query("parent", uuid, "Only call-offs of this framework contract"),
                    query("cursor", uuid, "nextCursor of the previous page")],
                          responses([("200", ok(["type": "object", "required": ["items"], "properties": ["items": ["type": "array", "items": ref("Contract")], "nextCursor": uuid]]))])),
                "post": op("createContract", "A draft contract from an accepted quote (quoteID: lines, prices and totals as quoted), or for a customer with lines of its own (customerID and lines: prices from the price strategy where none is given); costs at today's cost prices. Custom fields travel under their keys", tag: "Contracts",
                           body: ref("ContractInput"), responses([("201", ok(ref("Contract"), "Created")),
                                                                  ("409", ["description": "The quote is not accepted or already has a contract", "content": json(ref("Error"))])], validation: true)),
            ],
            "/api/v1/contracts/{id}": [
                "get": op("getContract", "One contract with its lines", tag: "Contracts", params: [idParam], responses([("200", ok(ref("Contract")))])),
                "patch": op("updateContract", "Change a draft's title, kind, dates, terms, settlement customer, framework or custom fields; the lines of one made without a quote", tag: "Contracts", params: [idParam], body: ref("ContractInput"),
                            responses([("200", ok(ref("Contract"))), ("409", ["description": "Not a draft", "content": json(ref("Error"))])], validation: true)),
            ],
            "/api/v1/contracts/{id}/copy": [
                "post": op("copyContract", "A new draft like the contract: lines, terms, plan and framework, without the quote", tag: "Contracts", params: [idParam],
                           responses([("201", ok(ref("Contract"), "Copied"))])),
            ],
            "/api/v1/contracts/{id}/shares": [
                "get": op("listContractShares", "Who a contract is shared with", tag: "Sharing", params: [idParam],
                          responses([("200", ok(["type": "array", "items": ref("Share")]))])),
                "post": op("shareContract", "Share a contract (whoever may change it); an existing share changes level", tag: "Sharing", params: [idParam],
                           body: ["type": "object", "required": ["userIDs", "level"], "properties": [
                               "userIDs": ["type": "array", "minItems": 1, "maxItems": 100, "items": ["type": "string", "format": "uuid"]],
                               "level": ["type": "string", "enum": ["read", "edit"]]]],
                           responses([("200", ok(["type": "array", "items": ref("Share")]))], validation: true)),
            ],
            "/api/v1/contracts/{id}/shares/{user}": [
                "delete": op("revokeContractShare", "Stop sharing a contract with someone", tag: "Sharing",
                             params: [idParam, ["name": "user", "in": "path", "required": true, "schema": ["type": "string", "format": "uuid"]]],
                             responses([("204", ["description": "Revoked"])])),
            ],
            "/api/v1/contracts/{id}/submit": [
                "post": op("submitContract", "Send a draft through the contract approval flow; active at once when no step applies", tag: "Contracts", params: [idParam],
                           responses([("200", ok(ref("Contract"))), ("409", ["description": "Not a draft, or nobody to approve", "content": json(ref("Error"))])])),
            ],
            "/api/v1/contracts/{id}/status": [
                "post": op("setContractStatus", "Complete or terminate an active contract, or void a draft", tag: "Contracts", params: [idParam],
                           body: ["type": "object", "required": ["status"], "properties": ["status": ["type": "string", "enum": ["completed", "terminated", "void"]]]],
                           responses([("200", ok(ref("Contract")))], validation: true)),
            ],
            "/api/v1/contracts/{id}/plan": [
                "put": op("setContractPlan", "A draft's receivable plan: instalments (due date, amount in fen) adding up to the total", tag: "Contracts", params: [idParam],
                          body: ["type": "array", "minItems": 1, "maxItems": 120, "items": ["type": "object", "required": ["dueOn", "amount"], "properties": [
                              "dueOn": date, "amount": ["type": "integer", "minimum": 1]]]],
                          responses([("200", ok(ref("Contract"))), ("409", ["description": "Not a draft", "content": json(ref("Error"))])], validation: true)),
            ],
            "/api/v1/contracts/{id}/receivables": [
                "get": op("listContractReceivables", "The contract's instalments (made when it became active)", tag: "Contracts", params: [idParam],
                          responses([("200", ok(["type": "array", "items": ref("Receivable")]))])),
            ],
            "/api/v1/receivables": [
                "get": op("listReceivables", "Open instalments in your scope, earliest due first", tag: "Contracts", params: [
                    query("overdue", ["type": "boolean"], "Only those past due"), query("afterDue", date, "next.afterDue of the previous page"),
                    query("afterID", uuid, "next.afterID of the previous page")],
                          responses([("200", ok(["type": "object", "required": ["items"], "properties": ["items": ["type": "array", "items": ref("Receivable")],
                                                                                                        "next": ["type": "object", "properties": ["afterDue": date, "afterID": uuid]]]]))])),
            ],
            "/api/v1/receivables/aging": [
                "get": op("receivablesAging", "What is owed per age bucket (账龄) in your scope", tag: "Contracts",
                          responses([("200", ok(["type": "array", "items": ["type": "object", "properties": [
                              "bucket": ["type": "string", "enum": .array(Receivables.AgeBucket.allCases.map { .string($0.rawValue) })], "count": ["type": "integer"],
                              "owed": ["type": "integer"]]]]))])),
            ],
            "/api/v1/products/import": [
                "post": .object([
                    ("operationId", "importProducts"),
                    ("summary", "Import products from .xlsx or .csv (multipart, field file): the header names the fields; all rows or none, with every row's errors as rows.N.field"),
                    ("tags", ["Products"]),
                    ("parameters", [query("confirmDuplicates", ["type": "boolean"], "Import names that already exist where the policy only warns")]),
                    ("requestBody", ["required": true, "content": ["multipart/form-data": ["schema": [
                        "type": "object", "required": ["file"], "properties": ["file": ["type": "string", "format": "binary"]]]]]]),
                    ("responses", responses([("201", ok(["type": "object", "properties": ["created": ["type": "integer"]]], "Imported"))], validation: true)),
                ]),
            ],
            "/api/v1/quotes": [
                "get": op("listQuotes", "Current versions of quotes in your data scope, newest first", tag: "Quotes", params: [
                    viewParam, query("status", ["type": "string", "enum": .array(Quote.Status.allCases.map { .string($0.rawValue) })], "Only this status"),
                    query("customer", uuid, "Only this customer's"), query("opportunity", uuid, "Only this opportunity's"),
                    query("q", ["type": "string"], "Number or title contains"), query("cursor", uuid, "nextCursor of the previous page"),
                    query("limit", ["type": "integer", "minimum": 1, "maximum": 200], "Page size")],
                          responses([("200", ok(ref("QuotePage")))])),
                "post": op("createQuote", "Draft a quote with its lines in one transaction; a line without price takes the price strategy's; below the floor price is refused or flagged by the organisation's policy",
                           tag: "Quotes", body: ref("QuoteCreate"), responses([("201", ok(ref("Quote"), "Created"))], validation: true)),
            ],
            "/api/v1/quotes/{id}": [
                "get": op("getQuote", "One quote with its lines", tag: "Quotes", params: [idParam], responses([("200", ok(ref("Quote")))])),
                "patch": op("updateQuote", "Change a draft; lines, when given, replace all lines", tag: "Quotes", params: [idParam], body: ref("QuotePatch"),
                            responses([("200", ok(ref("Quote"))), ("409", ["description": "Not a current draft", "content": json(ref("Error"))])], validation: true)),
                "delete": op("deleteQuote", "Move a quote to the recycle bin", tag: "Quotes", params: [idParam], responses([("204", ["description": "Deleted"])])),
            ],
            "/api/v1/quotes/{id}/status": [
                "post": op("setQuoteStatus", "Send a draft, record the customer's answer, or take a sent quote back to draft", tag: "Quotes", params: [idParam],
                           body: ["type": "object", "required": ["status"], "properties": ["status": ["type": "string", "enum": .array(Quote.Status.allCases.map { .string($0.rawValue) })]]],
                           responses([("200", ok(ref("Quote")))], validation: true)),
            ],
            "/api/v1/quotes/{id}/versions": [
                "post": op("newQuoteVersion", "A new draft version under the same number, copied from the current one", tag: "Quotes", params: [idParam],
                           responses([("201", ok(ref("Quote"), "Created")), ("409", ["description": "Not the current version", "content": json(ref("Error"))])])),
            ],
            "/api/v1/quote-lines": [
                "get": op("quoteHistory", "What was quoted (报价明细): lines of current quotes for a product or a customer, newest first", tag: "Quotes",
                          params: [query("product", uuid, "This product"), query("customer", uuid, "This customer")],
                          responses([("200", ok(["type": "array", "items": ref("QuoteHistoryLine")]))])),
            ],
            "/api/v1/product-categories": [
                "get": op("listProductCategories", "The category tree, depth first", tag: "Products",
                          responses([("200", ok(["type": "array", "items": ref("ProductCategory")]))])),
                "post": op("addProductCategory", "Add a category under another or at the top", tag: "Products",
                           body: ["type": "object", "required": ["name"], "properties": ["name": ["type": "string", "minLength": 1, "maxLength": 50], "parentID": uuid]],
                           responses([("201", ok(ref("ProductCategory"), "Created"))], validation: true)),
            ],
            "/api/v1/pools": [
                "get": op("listPools", "Public pools with how many customers wait in each", tag: "Pools",
                          responses([("200", ok(["type": "array", "items": ref("Pool")]))])),
            ],
            "/api/v1/pools/{id}/customers": [
                "get": op("listPoolCustomers", "Customers waiting in a pool, newest first", tag: "Pools", params: [idParam,
                    query("q", ["type": "string", "maxLength": 200], "Name, pinyin or number"),
                    query("cursor", ["type": "string", "format": "uuid"], "nextCursor of the previous page")],
                          responses([("200", ok(ref("CustomerPage")))])),
            ],
            "/api/v1/pools/{id}/claim": [
                "post": op("claimRandom", "Claim up to `count` customers of the pool at random", tag: "Pools", params: [idParam],
                           body: ["type": "object", "required": ["count"], "properties": ["count": ["type": "integer", "minimum": 1, "maximum": 200]]],
                           responses([("200", ok(ref("Moved"))), ("409", ["description": "Pool empty or ownership cap reached", "content": json(ref("Error"))])], validation: true)),
            ],
            "/api/v1/customers/{id}/claim": [
                "post": op("claimCustomer", "Claim a pool customer", tag: "Pools", params: [idParam],
                           responses([("200", ok(ref("Moved"))), ("409", ["description": "Already claimed or cap reached", "content": json(ref("Error"))])])),
            ],
            "/api/v1/customers/{id}/release": [
                "post": op("releaseCustomer", "Give a customer back to a pool (owner), or recall it (assign right)", tag: "Pools", params: [idParam],
                           body: ["type": "object", "required": ["reason"], "properties": ["reason": ["type": "string", "description": "a value of the releaseReason dictionary"],
                                                                                          "poolID": ["type": "string", "format": "uuid"]]],
                           responses([("200", ok(ref("Moved")))], validation: true)),
            ],
            "/api/v1/customers/assign": [
                "post": op("assignCustomers", "Give customers to an employee (assign right)", tag: "Pools",
                           body: ["type": "object", "required": ["customerIDs", "ownerID"], "properties": [
                               "customerIDs": ["type": "array", "minItems": 1, "maxItems": 500, "items": ["type": "string", "format": "uuid"]],
                               "ownerID": ["type": "string", "format": "uuid"]]],
                           responses([("200", ok(ref("Moved"))), ("409", ["description": "Already claimed or cap reached", "content": json(ref("Error"))])], validation: true)),
            ],
            "/api/v1/customers/{id}/shares": [
                "get": op("listShares", "Who a customer is shared with", tag: "Sharing", params: [idParam],
                          responses([("200", ok(["type": "array", "items": ref("Share")]))])),
                "post": op("shareCustomer", "Share a customer (owner or assign right); an existing share changes level", tag: "Sharing", params: [idParam],
                           body: ["type": "object", "required": ["userIDs", "level"], "properties": [
                               "userIDs": ["type": "array", "minItems": 1, "maxItems": 100, "items": ["type": "string", "format": "uuid"]],
                               "level": ["type": "string", "enum": ["read", "edit"]]]],
                           responses([("200", ok(["type": "array", "items": ref("Share")]))], validation: true)),
            ],
            "/api/v1/customers/{id}/shares/{user}": [
                "delete": op("revokeShare", "Stop sharing a customer with someone", tag: "Sharing",
                             params: [idParam, ["name": "user", "in": "path", "required": true, "schema": ["type": "string", "format": "uuid"]]],
                             responses([("204", ["description": "Revoked"])])),
            ],
            "/api/v1/notifications": [
                "get": op("listNotifications", "My notifications, newest first, with the unread count", tag: "Notifications", params: [
                    query("unread", ["type": "boolean"], "Only unread ones"),
                    query("cursor", ["type": "string", "format": "uuid"], "nextCursor of the previous page")],
                          responses([("200", ok(ref("NotificationPage")))])),
            ],
            "/api/v1/notifications/{id}/read": [
                "post": op("readNotification", "Mark one notification read", tag: "Notifications", params: [idParam], responses([("204", ["description": "Read"])])),
            ],
            "/api/v1/notifications/read-all": [
                "post": op("readAllNotifications", "Mark all my notifications read", tag: "Notifications", responses([("204", ["description": "Read"])])),
            ],
            "/api/v1/search": [
                "get": op("search", "Customers and contacts by name, number, phone digits or pinyin (bjxny), within your data scope", tag: "Search",
                          params: [query("q", ["type": "string", "maxLength": 100], "What to look for")],
                          responses([("200", ok(["type": "object", "required": ["customers", "contacts"], "properties": [
                              "customers": ["type": "array", "items": ref("Customer")], "contacts": ["type": "array", "items": ref("Contact")]]]))])),
            ],
            "/api/v1/departments": [
                "get": op("listDepartments", "The department tree, parents before children", tag: "Organisation",
                          responses([("200", ok(["type": "array", "items": ref("Department")]))])),
            ],
            "/api/v1/users": [
                "get": op("listUsers", "Employee directory of the organisation", tag: "Organisation",
                          responses([("200", ok(["type": "array", "items": ref("UserSummary")]))])),
            ],
            "/api/v1/customers/{id}/relations": [
                "get": op("listRelations", "The customer's relationship map: who reports to, influences or is related to whom", tag: "Contacts",
                          params: [idParam], responses([("200", ok(["type": "array", "items": ref("ContactRelation")]))])),
                "post": op("createRelation", "Add a relation between two contacts of the customer", tag: "Contacts", params: [idParam],
                           body: ref("ContactRelationCreate"), responses([("201", ok(ref("ContactRelation"), "Created"))], validation: true)),
            ],
            "/api/v1/relations/{id}": [
                "delete": op("deleteRelation", "Remove a relation", tag: "Contacts", params: [idParam], responses([("204", ["description": "Removed"])])),
            ],
            "/api/v1/customers/{id}/follow-ups": [
                "get": op("listCustomerFollowUps", "The customer's follow-ups, newest first, with those of its child customers", tag: "Follow-ups",
                          params: [idParam, query("cursor", ["type": "string", "maxLength": 1000], "nextCursor of the previous page")],
                          responses([("200", ok(ref("FollowUpPage")))])),
                "post": op("createFollowUp", "Record a follow-up; the next contact date becomes a reminder", tag: "Follow-ups", params: [idParam],
                           body: ref("FollowUpCreate"), responses([("201", ok(ref("FollowUp"), "Created"))], validation: true)),
            ],
            "/api/v1/follow-ups": [
                "get": op("listFollowUps", "Follow-ups in your data scope, newest first, keyset-paginated", tag: "Follow-ups", params: [
                    query("customer", uuid, "Only this customer's"), query("contact", uuid, "Only those with this contact"), query("owner", uuid, "Only this rep's"),
                    query("team", ["type": "string", "enum": ["1"]], "Only my subordinates'"), query("method", ["type": "string", "maxLength": 50], "A followUpMethod value"),
                    query("from", ["type": "string", "format": "date"], "From this day"), query("to", ["type": "string", "format": "date"], "Up to and including this day"),
                    query("cursor", ["type": "string", "maxLength": 1000], "nextCursor of the previous page"),
                    query("limit", ["type": "integer", "minimum": 1, "maximum": 200], "Page size")],
                          responses([("200", ok(ref("FollowUpPage")))])),
            ],
            "/api/v1/follow-ups/due": [
                "get": op("listDueFollowUps", "My customers whose next contact date has come", tag: "Follow-ups",
                          responses([("200", ok(["type": "array", "items": ref("FollowUp")]))])),
            ],
            "/api/v1/follow-ups/{id}": [
                "get": op("getFollowUp", "One follow-up", tag: "Follow-ups", params: [idParam], responses([("200", ok(ref("FollowUp")))])),
                "patch": op("updateFollowUp", "Change a follow-up; absent members stay, an empty string clears", tag: "Follow-ups", params: [idParam],
                            body: ref("FollowUpPatch"), responses([("200", ok(ref("FollowUp")))], validation: true)),
                "delete": op("deleteFollowUp", "Move a follow-up to the recycle bin", tag: "Follow-ups", params: [idParam],
                             responses([("204", ["description": "Deleted"])])),
            ],
            "/api/v1/follow-ups/{id}/comments": [
                "get": op("listFollowUpComments", "Comments on a follow-up, oldest first", tag: "Follow-ups", params: [idParam],
                          responses([("200", ok(["type": "array", "items": ref("FollowUpComment")]))])),
                "post": op("commentFollowUp", "Comment on a follow-up; its recorder is notified", tag: "Follow-ups", params: [idParam],
                           body: ["type": "object", "required": ["content"], "properties": ["content": ["type": "string", "minLength": 1, "maxLength": 2000]]],
                           responses([("201", ok(ref("FollowUpComment"), "Created"))], validation: true)),
            ],
            "/api/v1/activities": [
                "get": op("listActivities", "Planned activities of me or a colleague in my scope between two days (default: this week)", tag: "Calendar", params: [
                    query("user", uuid, "Whose calendar (default mine)"), query("from", ["type": "string", "format": "date"], "First day"),
                    query("to", ["type": "string", "format": "date"], "Last day (included)")],
                          responses([("200", ok(["type": "array", "items": ref("Activity")]))])),
                "post": op("createActivity", "Plan a visit, call, meeting or promotion", tag: "Calendar", body: ref("ActivityCreate"),
                           responses([("201", ok(ref("Activity"), "Created"))], validation: true)),
            ],
            "/api/v1/activities/{id}": [
                "patch": op("updateActivity", "Move to another day (keeping the time) and/or set the status", tag: "Calendar", params: [idParam],
                            body: ["type": "object", "properties": ["date": ["type": "string", "format": "date"], "status": activityStatus]],
                            responses([("200", ok(ref("Activity")))], validation: true)),
            ],
            "/api/v1/tasks": [
                "get": op("listTasks", "Tasks: mine, assigned by me, or all in my scope; open ones first by due date", tag: "Tasks", params: [
                    query("view", ["type": "string", "enum": ["mine", "assigned", "team"]], "Whose tasks"),
                    query("status", ["type": "string", "enum": .array(TaskStatus.allCases.map { .string($0.rawValue) })], "Only this status")],
                          responses([("200", ok(["type": "array", "items": ref("Task")]))])),
                "post": op("createTask", "Give myself or someone in my scope a task, maybe about a customer", tag: "Tasks",
                           body: ref("TaskCreate"), responses([("201", ok(ref("Task"), "Created"))], validation: true)),
            ],
            "/api/v1/tasks/{id}": [
                "get": op("getTask", "One task", tag: "Tasks", params: [idParam], responses([("200", ok(ref("Task")))])),
                "patch": op("moveTask", "Move a task to another status", tag: "Tasks", params: [idParam],
                            body: ["type": "object", "required": ["status"], "properties": ["status": taskStatus]],
                            responses([("200", ok(ref("Task")))], validation: true)),
            ],
            "/api/v1/tasks/{id}/review": [
                "post": op("reviewTask", "A supervisor's review; the assignee is notified", tag: "Tasks", params: [idParam],
                           body: ["type": "object", "required": ["review"], "properties": ["review": ["type": "string", "minLength": 1, "maxLength": 2000]]],
                           responses([("200", ok(ref("Task")))], validation: true)),
            ],
            "/api/v1/plans": [
                "get": op("getPlan", "A person's plan for the day, week or month containing a date (no id while nothing is written)", tag: "Tasks", params: [
                    query("period", planPeriod, "day, week (from Monday) or month; default week"), query("date", ["type": "string", "format": "date"], "Any date in the period (default today)"),
                    query("ownerID", uuid, "Whose plan: me (default) or someone in my task scope")],
                          responses([("200", ok(ref("Plan")))], validation: true)),
            ],
            "/api/v1/plans/team": [
                "get": op("teamPlans", "Everyone in my task scope with their plan's completion for a period", tag: "Tasks", params: [
                    query("period", planPeriod, "day, week or month"), query("date", ["type": "string", "format": "date"], "Any date in the period")],
                          responses([("200", ok(["type": "array", "items": ref("TeamPlan")]))], validation: true)),
            ],
            "/api/v1/plans/items": [
                "post": op("addPlanItem", "Add an item to my plan, or a subordinate's (they are notified); the plan is made on first use", tag: "Tasks",
                           body: ["type": "object", "required": ["text"], "properties": [
                               "period": planPeriod, "date": ["type": "string", "format": "date"], "ownerID": uuid,
                               "text": ["type": "string", "minLength": 1, "maxLength": 500]]],
                           responses([("201", ok(ref("Plan"), "Created"))], validation: true)),
            ],
            "/api/v1/plans/items/{id}": [
                "patch": op("updatePlanItem", "Tick an item off (or back on) or rewrite it", tag: "Tasks", params: [idParam],
                            body: ["type": "object", "properties": ["done": ["type": "boolean"], "text": ["type": "string", "minLength": 1, "maxLength": 500]]],
                            responses([("200", ok(ref("Plan")))], validation: true)),
                "delete": op("removePlanItem", "Remove an item", tag: "Tasks", params: [idParam], responses([("200", ok(ref("Plan")))])),
            ],
            "/api/v1/plans/{id}/summary": [
                "put": op("writePlanSummary", "The owner's summary; their supervisor is notified the first time", tag: "Tasks", params: [idParam],
                          body: ["type": "object", "properties": ["summary": ["type": "string", "maxLength": 4000]]],
                          responses([("200", ok(ref("Plan")))], validation: true)),
            ],
            "/api/v1/plans/{id}/review": [
                "post": op("reviewPlan", "A supervisor's review; the owner is notified", tag: "Tasks", params: [idParam],
                           body: ["type": "object", "required": ["review"], "properties": ["review": ["type": "string", "minLength": 1, "maxLength": 2000]]],
                           responses([("200", ok(ref("Plan")))], validation: true)),
            ],
            "/api/v1/announcements": [
                "get": op("listAnnouncements", "Announcements addressed to me, newest first, with whether I read them", tag: "Account",
                          responses([("200", ok(["type": "array", "items": ref("Announcement")]))])),
                "post": op("publishAnnouncement", "Publish to everyone, or to chosen people and departments (administrators)", tag: "Account",
                           body: ref("AnnouncementCreate"), responses([("201", ok(ref("Announcement"), "Created"))], validation: true)),
            ],
            "/api/v1/announcements/{id}": [
                "get": op("openAnnouncement", "Read an announcement (records the read receipt)", tag: "Account", params: [idParam],
                          responses([("200", ok(ref("Announcement")))])),
            ],
            "/api/v1/announcements/{id}/receipts": [
                "get": op("getAnnouncementReceipts", "Who has read it and who has not (author and administrators)", tag: "Account", params: [idParam],
                          responses([("200", ok(ref("AnnouncementReceipts")))])),
            ],
            "/api/v1/directory": [
                "get": op("getDirectory", "The employee directory: active colleagues with department, supervisor, mobile and email", tag: "Account",
                          params: [query("q", ["type": "string", "maxLength": 100], "Name, pinyin, account, department or phone digits")],
                          responses([("200", ok(["type": "array", "items": ref("DirectoryEntry")]))])),
            ],
            "/api/v1/dashboard": [
                "get": op("getDashboard", "My home dashboard: widgets in order, and those my role can show", tag: "Account",
                          responses([("200", ok(ref("Dashboard")))])),
                "put": op("setDashboard", "Replace my widgets and their order", tag: "Account", body: ref("DashboardLayout"),
                          responses([("200", ok(ref("Dashboard")))], validation: true)),
            ],
            "/api/v1/reports/daily": [
                "get": op("getDailyReport", "The sales daily report: one line per person in your follow-up scope", tag: "Follow-ups",
                          params: [query("date", ["type": "string", "format": "date"], "The day (default today in the organisation's time zone)")],
                          responses([("200", ok(["type": "array", "items": ref("DailyReportLine")]))])),
            ],
            "/api/v1/follow-up-templates": [
                "get": op("listFollowUpTemplates", "The organisation's follow-up templates", tag: "Follow-ups",
                          responses([("200", ok(["type": "array", "items": ref("FollowUpTemplate")]))])),
            ],
            "/api/v1/custom-fields": [
                "get": op("listCustomFields", "Custom fields of customers, contacts, products and contracts (administrators)", tag: "Administration",
                          params: [query("entity", customFieldEntity, "Only this entity's fields")],
                          responses([("200", ok(["type": "array", "items": ref("CustomField")]))])),
                "post": op("createCustomField", "Add a custom field; values then travel under its key in the entity's bodies", tag: "Administration",
                           body: ref("CustomFieldCreate"), responses([("201", ok(ref("CustomField"), "Created"))], validation: true)),
            ],
            "/api/v1/custom-fields/{id}": [
                "patch": op("updateCustomField", "Rename, require, list or disable a custom field (its key and type stay)", tag: "Administration",
                            params: [idParam], body: ref("CustomFieldPatch"), responses([("200", ok(ref("CustomField")))], validation: true)),
            ],
            "/api/v1/recycle-bin": [
                "get": op("listRecycleBin", "Deleted records (admins)", tag: "Recycle bin",
                          responses([("200", ok(["type": "array", "items": ref("DeletedItem")]))])),
            ],
            "/api/v1/recycle-bin/{entity}/{id}/restore": [
                "post": op("restoreRecord", "Restore a deleted record (admins)", tag: "Recycle bin",
                           params: [["name": "entity", "in": "path", "required": true, "schema": ["type": "string", "enum": .array(RecycleBin.kinds.map { .string($0.entity) })]], idParam],
                           responses([("204", ["description": "Restored"])])),
            ],
            "/api/v1/recycle-bin/{entity}/{id}": [
                "delete": op("purgeRecord", "Delete a record for good (admins)", tag: "Recycle bin",
                             params: [["name": "entity", "in": "path", "required": true, "schema": ["type": "string", "enum": .array(RecycleBin.kinds.map { .string($0.entity) })]], idParam],
                             responses([("204", ["description": "Purged"])])),
            ],
        ]
    }

    static let uuid: JSONValue = ["type": "string", "format": "uuid"]
    static let date: JSONValue = ["type": "string", "format": "date"]
    static let opportunityStatus: JSONValue = ["type": "string", "enum": .array(OpportunityStatus.allCases.map { .string($0.rawValue) })]
    static let leadStatus: JSONValue = ["type": "string", "enum": .array(LeadStatus.allCases.map { .string($0.rawValue) })]
    static let viewParam: JSONValue = query("view", ["type": "string", "enum": ["mine", "team", "all"]], "Mine, my team's, or all in my scope (all needs an all-data scope)")
    static let followUpBody: JSONValue = [
        "method": ["type": "string", "maxLength": 50, "description": "a value of the followUpMethod dictionary"],
        "content": ["type": "string", "maxLength": 4000, "description": "required unless templateID names a template"],
        "result": ["type": "string", "maxLength": 500],
        "happenedAt": ["type": "string", "maxLength": 40, "description": "ISO 8601 instant, or yyyy-MM-ddTHH:mm in the organisation's time zone; absent means now"],
        "nextContactOn": ["type": "string", "format": "date"], "nextPlan": ["type": "string", "maxLength": 500],
        "contactID": ["type": "string", "format": "uuid", "description": "a contact of the same customer"],
        "templateID": ["type": "string", "format": "uuid"],
    ]
    static let activityKind: JSONValue = ["type": "string", "enum": .array(Activity.Kind.allCases.map { .string($0.rawValue) })]
    static let activityStatus: JSONValue = ["type": "string", "enum": .array(Activity.Status.allCases.map { .string($0.rawValue) })]
    static let taskStatus: JSONValue = ["type": "string", "enum": .array(TaskStatus.allCases.map { .string($0.rawValue) })]
    static let planPeriod: JSONValue = ["type": "string", "enum": .array(PlanPeriod.allCases.map { .string($0.rawValue) })]
    static let taskPriority: JSONValue = ["type": "string", "enum": .array(TaskPriority.allCases.map { .string($0.rawValue) })]
    static let relationKind: JSONValue = ["type": "string", "enum": .array(ContactRelation.Kind.allCases.map { .string($0.rawValue) })]
    static let customFieldEntity: JSONValue = ["type": "string", "enum": .array(CustomFieldService.entities.map { .string($0) })]
    static let customFieldKind: JSONValue = ["type": "string", "enum": .array(CustomFieldDefinition.Kind.allCases.map { .string($0.rawValue) })]
    static let nullableUUID: JSONValue = ["type": "string", "format": "uuid", "nullable": true]
    static let nullableString: JSONValue = ["type": "string", "nullable": true]
    static let dateTime: JSONValue = ["type": "string", "format": "date-time"]

    /// Record schemas come from the entity declarations, so the document cannot drift from the code.
    static func entitySchemas() -> [(String, JSONValue)] {
        var out: [(String, JSONValue)] = []
        for (name, schema) in Customer.definition.schemas(name: "Customer") {
            guard case .object(var pairs) = schema else { continue }
            if name == "Customer", let i = pairs.firstIndex(where: { $0.0 == "properties" }), case .object(var props) = pairs[i].1 {
                props += [("ownerName", ["type": "string"]), ("createdAt", dateTime), ("updatedAt", dateTime)]
                pairs[i].1 = .object(props)
                out.append((name, .object(pairs)))
            } else if let i = pairs.firstIndex(where: { $0.0 == "properties" }), case .object(var props) = pairs[i].1 {
                props.append(("ownerID", uuid))
                pairs[i].1 = .object(props)
                out.append(("CustomerPatch", .object(pairs)))
                out.append(("CustomerCreate", .object(pairs + [("required", ["name"])])))
            }
        }
        for (name, schema) in Contact.definition.schemas(name: "Contact") {
            guard case .object(var pairs) = schema, let i = pairs.firstIndex(where: { $0.0 == "properties" }), case .object(var props) = pairs[i].1 else { continue }
            if name == "Contact" {
                props.append(("customerID", uuid))
                pairs[i].1 = .object(props)
                out.append((name, .object(pairs)))
            } else {
                props.append(("primary", ["type": "boolean"]))
                pairs[i].1 = .object(props)
                out.append(("ContactPatch", .object(pairs)))
                out.append(("ContactCreate", .object(pairs + [("required", ["name"])])))
            }
        }
        for (name, schema) in Product.definition.schemas(name: "Product") {
            guard case .object(var pairs) = schema, let i = pairs.firstIndex(where: { $0.0 == "properties" }), case .object(var props) = pairs[i].1 else { continue }
            props.append(("categoryID", nullableUUID))
            if name == "Product" {
                pairs[i].1 = .object(props)
                out.append((name, .object(pairs)))
            } else {
                props.append(("confirmDuplicate", ["type": "boolean"]))
                pairs[i].1 = .object(props)
                out.append(("ProductPatch", .object(pairs)))
                out.append(("ProductCreate", .object(pairs + [("required", ["name"])])))
            }
        }
        for (name, schema) in Opportunity.definition.schemas(name: "Opportunity") {
            guard case .object(var pairs) = schema, let i = pairs.firstIndex(where: { $0.0 == "properties" }), case .object(var props) = pairs[i].1 else { continue }
            if name == "Opportunity" {
                props += [("stageID", uuid), ("status", opportunityStatus), ("probability", ["type": "integer"]), ("weightedAmount", ["type": "integer"]),
                          ("stageChangedAt", dateTime), ("contactID", uuid), ("closedOn", date), ("lostReason", ["type": "string"]),
                          ("closeNote", ["type": "string"]), ("departmentID", uuid)]
                pairs[i].1 = .object(props)
                out.append((name, .object(pairs)))
            } else {
                props += [("ownerID", uuid), ("contactID", nullableUUID)]
                pairs[i].1 = .object(props)
                out.append(("OpportunityPatch", .object(pairs)))
                props.append(("stageID", uuid))
                pairs[i].1 = .object(props)
                out.append(("OpportunityCreate", .object(pairs + [("required", ["name", "customerID"])])))
            }
        }
        for (name, schema) in Lead.definition.schemas(name: "Lead") {
            guard case .object(var pairs) = schema, let i = pairs.firstIndex(where: { $0.0 == "properties" }), case .object(var props) = pairs[i].1 else { continue }
            if name == "Lead" {
                // A lead read back may be converted, which nobody sets by hand.
                if let j = props.firstIndex(where: { $0.0 == "status" }) { props[j].1 = leadStatus }
                props += [("departmentID", uuid), ("webFormID", uuid), ("customerID", uuid), ("contactID", uuid), ("opportunityID", uuid),
                          ("createdAt", dateTime), ("convertedAt", dateTime), ("lastContactedAt", dateTime)]
                pairs[i].1 = .object(props)
                out.append((name, .object(pairs)))
            } else {
                pairs[i].1 = .object(props)
                out.append(("LeadPatch", .object(pairs)))
                props.append(("ownerID", ["type": "string", "description": "A colleague's id, \"rules\" or \"pool\""]))
                pairs[i].1 = .object(props)
                out.append(("LeadCreate", .object(pairs)))
            }
        }
        return out
    }

    static var components: JSONValue {
        guard case .object(let base) = baseSchemas else { return baseSchemas }
        return [
            "securitySchemes": ["bearerAuth": ["type": "http", "scheme": "bearer"]],
            "schemas": .object(base + entitySchemas() + financeSchemas),
        ]
    }

    static var baseSchemas: JSONValue {
        [
                "Error": ["type": "object", "required": ["code", "message"], "properties": [
                    "code": ["type": "string"], "message": ["type": "string"],
                    "fields": ["type": "object", "additionalProperties": ["type": "string"]],
                ]],
                "QuoteLine": ["type": "object", "required": ["productID", "productName", "quantity", "price", "discount", "taxRate", "net", "tax", "belowFloor"], "properties": [
                    "productID": uuid, "productName": ["type": "string"], "quantity": ["type": "integer"], "unit": nullableString, "price": ["type": "integer"],
                    "discount": ["type": "integer"], "taxRate": ["type": "integer"], "net": ["type": "integer"], "tax": ["type": "integer"], "belowFloor": ["type": "boolean"],
                ]],
                "Quote": ["type": "object", "required": ["id", "number", "version", "isCurrent", "title", "customerID", "quotedOn", "status", "subtotal", "tax", "total", "belowFloor", "ownerID"],
                          "properties": [
                    "id": uuid, "number": ["type": "string"], "version": ["type": "integer"], "isCurrent": ["type": "boolean"], "title": ["type": "string"],
                    "customerID": uuid, "opportunityID": nullableUUID, "quotedOn": ["type": "string"], "validUntil": nullableString, "terms": nullableString,
                    "status": ["type": "string"], "subtotal": ["type": "integer"], "tax": ["type": "integer"], "total": ["type": "integer"], "belowFloor": ["type": "boolean"],
                    "ownerID": uuid, "lines": ["type": "array", "nullable": true, "items": ref("QuoteLine")],
                ]],
                "QuotePage": ["type": "object", "required": ["items"], "properties": ["items": ["type": "array", "items": ref("Quote")], "nextCursor": nullableString]],
                "QuoteLineInput": ["type": "object", "required": ["productID"], "properties": [
                    "productID": uuid, "quantity": ["type": "integer", "minimum": 1, "maximum": 10_000_000], "unit": ["type": "string", "maxLength": 10],
                    "price": ["type": "integer", "minimum": 0, "maximum": 900_000_000_000, "description": "Fen per unit; absent takes the price strategy's"],
                    "discount": ["type": "integer", "minimum": 0, "maximum": 10_000, "description": "Basis points"],
                    "taxRate": ["type": "integer", "minimum": 0, "maximum": 10_000, "description": "Basis points"],
                ]],
                "QuoteCreate": ["type": "object", "required": ["title", "customerID", "lines"], "properties": [
                    "title": ["type": "string", "minLength": 1, "maxLength": 100], "customerID": uuid, "opportunityID": uuid, "quotedOn": date, "validUntil": date,
                    "terms": ["type": "string", "maxLength": 4000], "ownerID": uuid,
                    "lines": ["type": "array", "minItems": 1, "maxItems": 500, "items": ref("QuoteLineInput")],
                ]],
                "QuotePatch": ["type": "object", "properties": [
                    "title": ["type": "string", "minLength": 1, "maxLength": 100], "customerID": uuid, "opportunityID": uuid, "quotedOn": date, "validUntil": date,
                    "terms": ["type": "string", "maxLength": 4000], "ownerID": uuid,
                    "lines": ["type": "array", "minItems": 1, "maxItems": 500, "items": ref("QuoteLineInput")],
                ]],
                "QuoteHistoryLine": ["type": "object", "required": ["quoteID", "number", "version", "quotedOn", "customerID", "status", "line"], "properties": [
                    "quoteID": uuid, "number": ["type": "string"], "version": ["type": "integer"], "quotedOn": ["type": "string"], "customerID": uuid,
                    "status": ["type": "string"], "line": ref("QuoteLine"),
                ]],
                "DemandPlan": ["type": "object", "required": ["id", "opportunityID", "version", "title", "content", "status", "createdBy", "createdAt"], "properties": [
                    "id": uuid, "opportunityID": uuid, "version": ["type": "integer"], "title": ["type": "string"], "content": ["type": "string"],
                    "status": ["type": "string", "enum": ["draft", "confirmed"]], "createdBy": uuid, "createdAt": dateTime, "confirmedAt": dateTime,
                ]],
                "DemandPlanInput": ["type": "object", "required": ["title", "content"], "properties": [
                    "title": ["type": "string", "minLength": 1, "maxLength": 100], "content": ["type": "string", "minLength": 1, "maxLength": 20000],
                ]],
                "TargetList": ["type": "object", "required": ["id", "name", "entity", "query", "memberCount", "refreshedAt", "ownerID"], "properties": [
                    "id": uuid, "name": ["type": "string"], "entity": ["type": "string", "enum": ["customer", "contact"]], "query": ["type": "string"],
                    "memberCount": ["type": "integer"], "refreshedAt": dateTime, "ownerID": uuid,
                ]],
                "OpportunityContact": ["type": "object", "required": ["contactID", "name", "isKey"], "properties": [
                    "contactID": uuid, "name": ["type": "string"], "role": ["type": "string"], "isKey": ["type": "boolean"],
                ]],
                "Attachment": ["type": "object", "required": ["id", "entity", "recordID", "fileName", "contentType", "size", "uploadedBy", "createdAt"], "properties": [
                    "id": uuid, "entity": ["type": "string"], "recordID": uuid, "fileName": ["type": "string"], "contentType": ["type": "string"],
                    "size": ["type": "integer"], "uploadedBy": uuid, "createdAt": dateTime,
                ]],
                "ApprovalRequest": ["type": "object", "required": ["id", "documentType", "recordID", "title", "amount", "submitterID", "status", "steps", "decisions"], "properties": [
                    "id": uuid, "documentType": ["type": "string"], "recordID": uuid, "title": ["type": "string"], "amount": ["type": "integer"], "submitterID": uuid,
                    "status": ["type": "string", "enum": .array(ApprovalStatus.allCases.map { .string($0.rawValue) })], "currentStep": ["type": "integer"],
                    "waitingFor": ["type": "array", "items": ["type": "string"]],
                    "steps": ["type": "array", "items": ["type": "object", "properties": ["name": ["type": "string"], "mode": ["type": "string"], "approvers": ["type": "array", "items": ["type": "string"]]]]],
                    "decisions": ["type": "array", "items": ["type": "object", "properties": ["step": ["type": "integer"], "userID": ["type": "string"],
                                                                                             "verdict": ["type": "string", "enum": ["approve", "reject"]], "comment": ["type": "string"]]]],
                    "createdAt": dateTime,
                ]],
                "ApprovalStep": ["type": "object", "required": ["name", "approvers", "mode"], "properties": [
                    "name": ["type": "string", "minLength": 1, "maxLength": 30], "mode": ["type": "string", "enum": ["anyOne", "allOf"]],
                    "minAmount": ["type": "integer", "minimum": 0],
                    "approvers": ["type": "object", "required": ["kind"], "properties": [
                        "kind": ["type": "string", "enum": ["users", "supervisor", "role", "previousSupervisor"]],
                        "users": ["type": "array", "items": uuid], "role": uuid]],
                ]],
                "Contract": ["type": "object", "required": ["id", "number", "kind", "title", "status", "customerID", "ownerID", "subtotal", "tax", "total", "cost", "margin"], "properties": [
                    "id": uuid, "number": ["type": "string"], "kind": ["type": "string", "enum": ["contract", "order"]], "title": ["type": "string"],
                    "status": ["type": "string", "enum": .array(Contract.Status.allCases.map { .string($0.rawValue) })], "customerID": uuid, "ownerID": uuid,
                    "settlementCustomerID": uuid, "opportunityID": uuid, "quoteID": uuid, "parentID": uuid, "signedOn": date, "startsOn": date, "endsOn": date, "terms": ["type": "string"],
                    "received": ["type": "integer"], "refunded": ["type": "integer"], "invoiced": ["type": "integer"],
                    "subtotal": ["type": "integer"], "tax": ["type": "integer"], "total": ["type": "integer"], "cost": ["type": "integer"], "margin": ["type": "integer"],
                    "lines": ["type": "array", "items": ["type": "object", "properties": [
                        "productID": uuid, "productName": ["type": "string"], "quantity": ["type": "integer"], "price": ["type": "integer"], "discount": ["type": "integer"],
                        "taxRate": ["type": "integer"], "net": ["type": "integer"], "tax": ["type": "integer"], "unitCost": ["type": "integer"]]]],
                ]],
                "ContractInput": ["type": "object", "properties": [
                    "quoteID": uuid, "title": ["type": "string", "maxLength": 100], "kind": ["type": "string", "enum": ["contract", "order"]],
                    "signedOn": ["type": "string"], "startsOn": ["type": "string"], "endsOn": ["type": "string"], "terms": ["type": "string", "maxLength": 4000],
                    "settlementCustomerID": ["type": "string"], "parentID": ["type": "string"], "customerID": ["type": "string"],
                    "lines": ["type": "array", "maxItems": 500, "items": ref("QuoteLineInput")],
                ]],
                "Receivable": ["type": "object", "required": ["id", "contractID", "customerID", "position", "dueOn", "amount", "received", "status"], "properties": [
                    "id": uuid, "contractID": uuid, "customerID": uuid, "position": ["type": "integer"], "dueOn": date, "amount": ["type": "integer"],
                    "received": ["type": "integer"], "status": ["type": "string", "enum": .array(Receivables.Status.allCases.map { .string($0.rawValue) })],
                ]],
                "LeadPage": ["type": "object", "required": ["items"], "properties": [
                    "items": ["type": "array", "items": ref("Lead")], "nextCursor": nullableString,
                ]],
                "LeadCollision": ["type": "object", "properties": [
                    "code": ["type": "string"], "message": ["type": "string"], "matches": ["type": "array", "items": ["type": "object"]],
                    "leads": ["type": "array", "items": ["type": "object", "properties": ["id": uuid, "name": ["type": "string"], "ownerName": ["type": "string"]]]],
                ]],
                "LeadFollowUp": ["type": "object", "required": ["id", "method", "content", "happenedAt", "ownerID"], "properties": [
                    "id": uuid, "method": ["type": "string"], "content": ["type": "string"], "happenedAt": dateTime, "nextContactOn": date, "ownerID": uuid,
                ]],
                "LeadRule": ["type": "object", "required": ["id", "name", "position", "userIDs", "turn", "isActive"], "properties": [
                    "id": uuid, "name": ["type": "string"], "position": ["type": "integer"], "source": ["type": "string"], "regionID": uuid,
                    "userIDs": ["type": "array", "items": uuid], "turn": ["type": "integer"], "isActive": ["type": "boolean"],
                ]],
                "LeadRuleInput": ["type": "object", "properties": [
                    "name": ["type": "string", "minLength": 1, "maxLength": 50], "source": nullableString, "regionID": nullableString,
                    "userIDs": ["type": "array", "items": uuid], "position": ["type": "integer", "minimum": 0, "maximum": 1000], "isActive": ["type": "boolean"],
                ]],
                "WebForm": ["type": "object", "required": ["id", "name", "token", "url", "heading", "fields", "requiredFields", "rateLimit", "isActive"], "properties": [
                    "id": uuid, "name": ["type": "string"], "token": ["type": "string"], "url": ["type": "string"], "heading": ["type": "string"],
                    "intro": ["type": "string"], "thankYou": ["type": "string"], "fields": ["type": "array", "items": ["type": "string"]],
                    "requiredFields": ["type": "array", "items": ["type": "string"]], "source": ["type": "string"], "ownerID": uuid,
                    "rateLimit": ["type": "integer"], "isActive": ["type": "boolean"], "submissions": ["type": "integer"], "spamBlocked": ["type": "integer"],
                ]],
                "WebFormInput": ["type": "object", "properties": [
                    "name": ["type": "string", "minLength": 1, "maxLength": 50], "heading": ["type": "string", "maxLength": 100],
                    "intro": ["type": "string", "maxLength": 1000], "thankYou": ["type": "string", "maxLength": 1000],
                    "fields": ["type": "array", "items": ["type": "string", "enum": .array(WebForm.availableFields.map { .string($0) })]],
                    "requiredFields": ["type": "array", "items": ["type": "string", "enum": .array(WebForm.availableFields.map { .string($0) })]],
                    "source": nullableString, "ownerID": nullableString, "rateLimit": ["type": "integer", "minimum": 1, "maximum": 1000], "isActive": ["type": "boolean"],
                ]],
                "OpportunityPage": ["type": "object", "required": ["items"], "properties": [
                    "items": ["type": "array", "items": ref("Opportunity")], "nextCursor": nullableString,
                ]],
                "OpportunityStageChange": ["type": "object", "required": ["toStageID", "toStatus", "amount", "changedBy", "changedAt"], "properties": [
                    "fromStageID": nullableUUID, "toStageID": uuid, "fromStatus": nullableString, "toStatus": opportunityStatus, "amount": ["type": "integer"],
                    "changedBy": uuid, "changedAt": dateTime,
                ]],
                "OpportunityLine": ["type": "object", "required": ["id", "productID", "quantity", "price", "total"], "properties": [
                    "id": uuid, "productID": uuid, "quantity": ["type": "integer"], "unit": nullableString, "price": ["type": "integer"], "total": ["type": "integer"],
                ]],
                "BoardColumn": ["type": "object", "required": ["stageID", "name", "probability", "count", "amount", "weightedAmount", "cards"], "properties": [
                    "stageID": uuid, "name": ["type": "string"], "probability": ["type": "integer"], "count": ["type": "integer"], "amount": ["type": "integer"],
                    "weightedAmount": ["type": "integer"],
                    "cards": ["type": "array", "items": ["type": "object", "required": ["id", "name", "customerID", "amount", "ownerID"], "properties": [
                        "id": uuid, "name": ["type": "string"], "customerID": uuid, "amount": ["type": "integer"], "expectedCloseOn": nullableString, "ownerID": uuid,
                    ]]],
                ]],
                "Funnel": ["type": "object", "required": ["stages", "wonCount", "wonAmount", "lostCount", "lostAmount"], "properties": [
                    "stages": ["type": "array", "items": ["type": "object", "required": ["stageID", "name", "count", "amount", "weightedAmount", "reached", "conversionPermille"],
                                                          "properties": ["stageID": uuid, "name": ["type": "string"], "count": ["type": "integer"], "amount": ["type": "integer"],
                                                                         "weightedAmount": ["type": "integer"], "reached": ["type": "integer"],
                                                                         "conversionPermille": ["type": "integer"]]]],
                    "wonCount": ["type": "integer"], "wonAmount": ["type": "integer"], "lostCount": ["type": "integer"], "lostAmount": ["type": "integer"],
                ]],
                "ForecastMonth": ["type": "object", "required": ["month", "count", "amount", "weightedAmount", "wonAmount"], "properties": [
                    "month": ["type": "string"], "count": ["type": "integer"], "amount": ["type": "integer"], "weightedAmount": ["type": "integer"], "wonAmount": ["type": "integer"],
                ]],
                "OpportunityStage": ["type": "object", "required": ["id", "name", "probability", "sortOrder", "isActive"], "properties": [
                    "id": uuid, "name": ["type": "string"], "nameEn": nullableString, "probability": ["type": "integer", "minimum": 0, "maximum": 100],
                    "sortOrder": ["type": "integer"], "isActive": ["type": "boolean"],
                ]],
                "OpportunityStageCreate": ["type": "object", "required": ["name", "probability"], "properties": [
                    "name": ["type": "string", "minLength": 1, "maxLength": 30], "nameEn": ["type": "string", "maxLength": 40],
                    "probability": ["type": "integer", "minimum": 0, "maximum": 100], "sortOrder": ["type": "integer", "minimum": 0, "maximum": 999],
                ]],
                "OpportunityStagePatch": ["type": "object", "properties": [
                    "name": ["type": "string", "minLength": 1, "maxLength": 30], "nameEn": ["type": "string", "maxLength": 40],
                    "probability": ["type": "integer", "minimum": 0, "maximum": 100], "sortOrder": ["type": "integer", "minimum": 0, "maximum": 999],
                    "isActive": ["type": "boolean"],
                ]],
                "ProductPage": ["type": "object", "required": ["items"], "properties": [
                    "items": ["type": "array", "items": ref("Product")], "nextCursor": nullableString,
                ]],
                "ProductPrice": ["type": "object", "required": ["id", "price"], "properties": [
                    "id": uuid, "unit": nullableString, "customerCategory": nullableString, "customerLevel": nullableString,
                    "departmentID": nullableUUID, "price": ["type": "integer", "minimum": 0],
                ]],
                "ProductPriceCreate": ["type": "object", "required": ["price"], "properties": [
                    "unit": ["type": "string", "maxLength": 10], "customerCategory": ["type": "string"], "customerLevel": ["type": "string"],
                    "departmentID": uuid, "price": ["type": "integer", "minimum": 0, "description": "minor units (fen)"],
                ]],
                "QuotedPrice": ["type": "object", "required": ["price", "source"], "properties": [
                    "price": ["type": "integer"], "source": ["type": "string", "enum": ["rule", "listPrice"]], "unit": nullableString,
                    "customerCategory": nullableString, "customerLevel": nullableString, "departmentID": nullableUUID,
                ]],
                "ProductCategory": ["type": "object", "required": ["id", "name", "depth"], "properties": [
                    "id": uuid, "name": ["type": "string"], "parentID": nullableUUID, "depth": ["type": "integer"],
                ]],
                "CustomerPage": ["type": "object", "required": ["items"], "properties": [
                    "items": ["type": "array", "items": ref("Customer")], "nextCursor": nullableString,
                ]],
                "FollowUp": ["type": "object", "required": ["id", "customerID", "ownerID", "method", "content", "happenedAt"], "properties": [
                    "id": uuid, "customerID": uuid, "contactID": nullableUUID, "ownerID": uuid, "method": ["type": "string"],
                    "content": ["type": "string"], "result": nullableString, "happenedAt": dateTime,
                    "nextContactOn": ["type": "string", "format": "date", "nullable": true], "nextPlan": nullableString,
                ]],
                "FollowUpPage": ["type": "object", "required": ["items"], "properties": [
                    "items": ["type": "array", "items": ref("FollowUp")], "nextCursor": nullableString,
                ]],
                "FollowUpCreate": ["type": "object", "required": ["method"], "properties": followUpBody],
                "FollowUpPatch": ["type": "object", "properties": followUpBody],
                "FollowUpComment": ["type": "object", "required": ["id", "authorID", "authorName", "content", "createdAt"], "properties": [
                    "id": uuid, "authorID": uuid, "authorName": ["type": "string"], "content": ["type": "string"], "createdAt": dateTime,
                ]],
                "Activity": ["type": "object", "required": ["id", "kind", "title", "startsAt", "endsAt", "status", "ownerID"], "properties": [
                    "id": uuid, "kind": activityKind, "title": ["type": "string"], "startsAt": dateTime, "endsAt": dateTime,
                    "location": nullableString, "notes": nullableString, "status": activityStatus, "ownerID": uuid, "customerID": nullableUUID,
                ]],
                "ActivityCreate": ["type": "object", "required": ["kind", "title", "date"], "properties": [
                    "kind": activityKind, "title": ["type": "string", "minLength": 1, "maxLength": 200], "date": ["type": "string", "format": "date"],
                    "startTime": ["type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$"], "endTime": ["type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$"],
                    "location": ["type": "string", "maxLength": 200], "notes": ["type": "string", "maxLength": 2000], "customerID": uuid, "ownerID": uuid,
                ]],
                "Task": ["type": "object", "required": ["id", "title", "priority", "status", "ownerID", "assignedBy"], "properties": [
                    "id": uuid, "title": ["type": "string"], "details": nullableString, "dueOn": ["type": "string", "format": "date", "nullable": true],
                    "priority": taskPriority, "status": taskStatus, "ownerID": uuid, "assignedBy": uuid, "customerID": nullableUUID,
                    "review": nullableString, "completedAt": ["type": "string", "format": "date-time", "nullable": true],
                ]],
                "TaskCreate": ["type": "object", "required": ["title"], "properties": [
                    "title": ["type": "string", "minLength": 1, "maxLength": 200], "details": ["type": "string", "maxLength": 4000],
                    "dueOn": ["type": "string", "format": "date"], "priority": taskPriority, "ownerID": uuid, "customerID": uuid,
                ]],
                "Plan": ["type": "object", "required": ["ownerID", "period", "startsOn", "endsOn", "items", "done", "total", "completion"], "properties": [
                    "id": nullableUUID, "ownerID": uuid, "period": planPeriod, "startsOn": ["type": "string", "format": "date"], "endsOn": ["type": "string", "format": "date"],
                    "summary": nullableString, "review": nullableString, "reviewedBy": nullableUUID,
                    "items": ["type": "array", "items": ["type": "object", "required": ["id", "text", "done", "addedBy"], "properties": [
                        "id": uuid, "text": ["type": "string"], "done": ["type": "boolean"], "doneAt": ["type": "string", "format": "date-time", "nullable": true], "addedBy": uuid]]],
                    "done": ["type": "integer"], "total": ["type": "integer"], "completion": ["type": "integer", "minimum": 0, "maximum": 100],
                ]],
                "TeamPlan": ["type": "object", "required": ["ownerID", "name", "done", "total", "completion", "summarized", "reviewed"], "properties": [
                    "ownerID": uuid, "name": ["type": "string"], "planID": nullableUUID, "done": ["type": "integer"], "total": ["type": "integer"],
                    "completion": ["type": "integer"], "summarized": ["type": "boolean"], "reviewed": ["type": "boolean"],
                ]],
                "Announcement": ["type": "object", "required": ["id", "title", "body", "authorName", "publishedAt"], "properties": [
                    "id": uuid, "title": ["type": "string"], "body": ["type": "string"], "authorName": ["type": "string"], "publishedAt": dateTime,
                    "read": ["type": "boolean", "nullable": true],
                ]],
                "AnnouncementCreate": ["type": "object", "required": ["title", "body"], "properties": [
                    "title": ["type": "string", "minLength": 1, "maxLength": 100], "body": ["type": "string", "minLength": 1, "maxLength": 10000],
                    "everyone": ["type": "boolean"], "userIDs": ["type": "array", "items": uuid], "departmentIDs": ["type": "array", "items": uuid],
                ]],
                "AnnouncementReceipts": ["type": "object", "required": ["read", "unread"], "properties": [
                    "read": ["type": "array", "items": ["type": "object", "required": ["name", "readAt"], "properties": ["name": ["type": "string"], "readAt": dateTime]]],
                    "unread": ["type": "array", "items": ["type": "string"]],
                ]],
                "DirectoryEntry": ["type": "object", "required": ["id", "name", "account"], "properties": [
                    "id": uuid, "name": ["type": "string"], "account": ["type": "string"], "departmentID": nullableUUID, "department": nullableString,
                    "supervisor": nullableString, "mobile": nullableString, "email": nullableString,
                ]],
                "Dashboard": ["type": "object", "required": ["widgets"], "properties": [
                    "widgets": ["type": "array", "items": ["type": "string"]], "available": ["type": "array", "items": ["type": "string"]],
                ]],
                "DashboardLayout": ["type": "object", "required": ["widgets"], "properties": [
                    "widgets": ["type": "array", "maxItems": .int(DashboardLayout.all.count), "uniqueItems": true, "items": ["type": "string", "enum": .array(DashboardLayout.all.map { .string($0) })]],
                ]],
                "DailyReportLine": ["type": "object", "required": ["userID", "name", "counts"], "properties": [
                    "userID": uuid, "name": ["type": "string"],
                    "counts": ["type": "object", "additionalProperties": ["type": "integer"],
                               "description": "newCustomers, claimed, followUps, customersReached, plansMade"],
                ]],
                "FollowUpTemplate": ["type": "object", "required": ["id", "name", "content"], "properties": [
                    "id": uuid, "name": ["type": "string"], "method": nullableString, "content": ["type": "string"],
                ]],
                "ContactRelation": ["type": "object", "required": ["id", "fromContactID", "toContactID", "kind"], "properties": [
                    "id": uuid, "fromContactID": uuid, "toContactID": uuid, "kind": relationKind, "notes": nullableString,
                ]],
                "ContactRelationCreate": ["type": "object", "required": ["fromContactID", "toContactID", "kind"], "properties": [
                    "fromContactID": uuid, "toContactID": uuid, "kind": relationKind, "notes": ["type": "string", "maxLength": 200],
                ]],
                "CustomField": ["type": "object", "required": ["id", "entity", "key", "label", "kind", "required", "listed", "isActive"], "properties": [
                    "id": uuid, "entity": customFieldEntity, "key": ["type": "string"], "label": ["type": "string"],
                    "labelEn": nullableString, "kind": customFieldKind, "required": ["type": "boolean"], "listed": ["type": "boolean"],
                    "isActive": ["type": "boolean"], "dictionary": ["type": "string", "nullable": true, "description": "the dictionary list of an option field"],
                ]],
                "CustomFieldCreate": ["type": "object", "required": ["entity", "label", "kind"], "properties": [
                    "entity": customFieldEntity, "label": ["type": "string", "minLength": 1, "maxLength": 30],
                    "labelEn": ["type": "string", "maxLength": 50], "kind": customFieldKind,
                    "key": ["type": "string", "pattern": "^(cf_)?[a-z0-9_]{1,30}$", "description": "generated from the label when absent"],
                    "required": ["type": "boolean"], "listed": ["type": "boolean"],
                ]],
                "CustomFieldPatch": ["type": "object", "properties": [
                    "label": ["type": "string", "minLength": 1, "maxLength": 30], "labelEn": ["type": "string", "maxLength": 50],
                    "required": ["type": "boolean"], "listed": ["type": "boolean"], "isActive": ["type": "boolean"],
                ]],
                "AuditEntry": ["type": "object", "required": ["id", "action", "actorName", "at"], "properties": [
                    "id": uuid, "action": ["type": "string", "enum": .array(AuditEntry.Kind.allCases.map { .string($0.rawValue) })],
                    "field": nullableString, "oldValue": nullableString, "newValue": nullableString, "actorID": nullableUUID,
                    "actorName": ["type": "string"], "at": dateTime,
                ]],
                "Department": ["type": "object", "required": ["id", "name", "depth", "isActive"], "properties": [
                    "id": uuid, "name": ["type": "string"], "parentID": nullableUUID, "depth": ["type": "integer"], "isActive": ["type": "boolean"],
                ]],
                "UserSummary": ["type": "object", "required": ["id", "name", "account", "status"], "properties": [
                    "id": uuid, "name": ["type": "string"], "account": ["type": "string"], "departmentID": nullableUUID,
                    "supervisorID": nullableUUID, "status": ["type": "string", "enum": ["active", "disabled", "left"]],
                ]],
                "Pool": ["type": "object", "required": ["id", "name", "isDefault", "customers", "bulkClaimLimit"], "properties": [
                    "id": uuid, "name": ["type": "string"], "isDefault": ["type": "boolean"], "customers": ["type": "integer"], "bulkClaimLimit": ["type": "integer"],
                ]],
                "CollisionMatch": ["type": "object", "required": ["customerID", "name", "ownerName", "reason"], "properties": [
                    "customerID": uuid, "name": ["type": "string"], "ownerName": ["type": "string"], "reason": ["type": "string", "enum": ["creditCode", "phone", "name"]],
                ]],
                "Collision": ["type": "object", "required": ["code", "message", "matches"], "properties": [
                    "code": ["type": "string"], "message": ["type": "string"], "matches": ["type": "array", "items": ref("CollisionMatch")],
                ]],
                "Share": ["type": "object", "required": ["userID", "userName", "level", "createdAt"], "properties": [
                    "userID": uuid, "userName": ["type": "string"], "level": ["type": "string", "enum": ["read", "edit"]], "createdAt": dateTime,
                ]],
                "NotificationPage": ["type": "object", "required": ["items", "unread"], "properties": [
                    "unread": ["type": "integer"], "nextCursor": nullableString,
                    "items": ["type": "array", "items": ["type": "object", "required": ["id", "kind", "text", "createdAt"], "properties": [
                        "id": uuid, "kind": ["type": "string"], "text": ["type": "string"], "link": nullableString, "createdAt": dateTime,
                        "readAt": ["type": "string", "format": "date-time", "nullable": true],
                    ]]],
                ]],
                "ClaimRequest": ["type": "object", "required": ["id", "customerID", "requesterID", "reason", "status", "createdAt"], "properties": [
                    "id": uuid, "customerID": uuid, "requesterID": uuid, "reason": ["type": "string"],
                    "status": ["type": "string", "enum": ["pending", "approved", "rejected", "withdrawn"]], "comment": nullableString, "createdAt": dateTime,
                ]],
                "TeamMember": ["type": "object", "required": ["userID", "isLeader", "creditPercent"], "properties": [
                    "userID": uuid, "isLeader": ["type": "boolean"], "creditPercent": ["type": "integer", "minimum": 0, "maximum": 100],
                ]],
                "Moved": ["type": "object", "required": ["moved"], "properties": ["moved": ["type": "integer"]]],
                "DeletedItem": ["type": "object", "required": ["entity", "id", "title"], "properties": [
                    "entity": ["type": "string"], "id": uuid, "title": ["type": "string"], "deletedAt": dateTime, "deletedBy": nullableUUID,
                ]],
                "Me": ["type": "object", "required": ["id", "name", "account", "organizationID", "organizationName", "locale", "permissions", "scopes"], "properties": [
                    "id": uuid, "name": ["type": "string"], "account": ["type": "string"], "organizationID": uuid,
                    "organizationName": ["type": "string"], "locale": ["type": "string"],
                    "permissions": ["type": "object", "additionalProperties": ["type": "array", "items": ["type": "string"]]],
                    "scopes": ["type": "object", "additionalProperties": ["type": "string"]],
                    "email": nullableString, "notifyByEmail": ["type": "boolean"],
                ]],
        ]
    }
}
