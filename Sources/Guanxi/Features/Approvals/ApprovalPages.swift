import Fluent
import Foundation
import GuanxiCore
import Vapor

/// /approvals: what waits for me and what I sent; one request with its steps and history;
/// /admin/approval-flows: the steps per kind of document.
struct ApprovalPages: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("approvals", use: index)
        routes.get("approvals", ":id", use: show)
        routes.post("approvals", ":id", ":action", use: act)
        routes.get("admin", "approval-flows", use: flows)
        routes.post("admin", "approval-flows", ":doc", use: saveFlow)
    }

    func service(_ req: Request) throws -> ApprovalService { ApprovalService(db: req.db, actor: try req.actor, now: req.now) }

    static func link(_ r: ApprovalRequest) -> String {
        switch ApprovalDocument(rawValue: r.documentType) {
        case .quote?: Paths.quote(r.recordID)
        case .contract?: Paths.contract(r.recordID)
        case .refund?: Paths.refund(r.recordID)
        case .invoice?: Paths.invoice(r.recordID)
        case nil: Paths.approvals
        }
    }

    static func badge(_ s: ApprovalStatus, t: Translator) -> HNode {
        switch s {
        case .pending: H.span("badge badge-hot", t(s.labelKey))
        case .approved: H.span("badge badge-ok", t(s.labelKey))
        case .rejected: H.span("badge badge-danger", t(s.labelKey))
        case .withdrawn: H.span("badge", t(s.labelKey))
        }
    }

    @Sendable func index(req: Request) async throws -> Response {
        let actor = try req.actor
        let t = actor.t
        let svc = try service(req)
        let inbox = try await svc.inbox()
        let mine = try await svc.submitted()
        let names = try await NameLookup.load(for: [], orgID: actor.orgID, extraUsers: inbox.map(\.submitterID), on: req.db).users
        let money = { (v: Int64) in t.locale.money(v, decimals: actor.org.moneyDecimals) }
        return req.page(title: t("nav.approvals"), crumbs: [Crumb(label: t("nav.approvals"), href: nil)]) { ctx in
            func row(_ r: ApprovalRequest, who: Bool) -> [HNode] {
                [H.a(Paths.approval(r.id!), r.title, cls: "strong"), H.text(t(ApprovalDocument(rawValue: r.documentType)?.labelKey ?? r.documentType)),
                 H.span("num", money(r.amount)), who ? H.text(names[r.submitterID] ?? "") : Self.badge(r.approvalStatus, t: t), H.text(ctx.dateTime(r.createdAt))]
            }
            return H.group([
                H.div("page-head", H.h1(t("nav.approvals")), actor.isAdmin ? H.div("actions", H.a(Paths.adminApprovalFlows, t("nav.approvalFlows"), cls: "btn")) : H.empty),
                H.el("section", [.cls("card"), .id("inbox")], [
                    H.h2(t("approval.inbox", String(inbox.count))),
                    Tables.table([t("approval.title"), t("approval.document"), t("approval.amount"), t("approval.submitter"), t("approval.at")].map { Tables.Column($0) },
                                 rows: inbox.map { row($0, who: true) }, sort: nil, descending: false, link: { _, _ in "" },
                                 empty: Tables.emptyState(t("approval.inboxEmpty"), hint: nil)),
                ]),
                H.el("section", [.cls("card"), .id("mine")], [
                    H.h2(t("approval.mine")),
                    Tables.table([t("approval.title"), t("approval.document"), t("approval.amount"), t("approval.status"), t("approval.at")].map { Tables.Column($0) },
                                 rows: mine.map { row($0, who: false) }, sort: nil, descending: false, link: { _, _ in "" },
                                 empty: H.p(t("approval.mineEmpty"), cls: "muted")),
                ]),
            ])
        }
    }

    @Sendable func show(req: Request) async throws -> Response {
        let actor = try req.actor
        let t = actor.t
        let r = try await service(req).get(req.parameters.get("id", as: UUID.self))
        guard let state = r.state else { throw AppError.conflict("error.approvalState") }
        let people = state.steps.flatMap { $0.approvers } + state.decisions.map(\.user) + [r.submitterID.uuidString]
        let names = try await NameLookup.load(for: [], orgID: actor.orgID, extraUsers: people.compactMap(UUID.init(uuidString:)), on: req.db).users
        let name = { (s: String) in UUID(uuidString: s).flatMap { names[$0] } ?? s }
        let me = actor.userID.uuidString
        let money = { (v: Int64) in t.locale.money(v, decimals: actor.org.moneyDecimals) }
        return req.page(title: r.title, crumbs: [Crumb(label: t("nav.approvals"), href: Paths.approvals), Crumb(label: r.title, href: nil)]) { ctx in
            let steps = H.el("ol", [.cls("approval-steps")], state.steps.enumerated().map { i, s in
                let decisions = state.decisions.filter { $0.step == i }
                let mark = state.status == .pending && i == state.current ? "current" : i < state.current || state.status == .approved ? "done" : "todo"
                return H.el("li", [.cls("approval-step \(mark)")], [
                    H.el("strong", [], [H.text(s.name)]), H.span("muted small", " · \(t("approvalMode.\(s.mode.rawValue)"))"),
                    H.p(s.approvers.isEmpty ? t("approval.notYet") : s.approvers.map(name).joined(separator: "、"), cls: "small"),
                    H.el("ul", [], decisions.map { d in
                        H.el("li", [], [H.span(d.verdict == .approve ? "badge badge-ok" : "badge badge-danger", t("approvalVerdict.\(d.verdict.rawValue)")),
                                        H.text(" \(name(d.user))"), d.comment.map { H.span("muted", " “\($0)”") } ?? H.empty])
                    }),
                ])
            })
            var actions: [HNode] = []
            if state.waitingFor.contains(me) {
                actions.append(Forms.form(Paths.approval(r.id!) + "/approve", csrf: ctx.csrf, cls: "form", [
                    Forms.textarea("comment", label: t("approval.comment"), value: nil, error: nil, rows: 2),
                    Forms.actions(Forms.submit(t("approval.approve")),
                                  H.el("button", [.type("submit"), .cls("btn btn-danger"), A("formaction", Paths.approval(r.id!) + "/reject")], [H.text(t("approval.reject"))])),
                ]))
            }
            if r.submitterID == actor.userID, state.status == .pending {
                actions.append(Forms.postButton(Paths.approval(r.id!) + "/withdraw", label: t("approval.withdraw"), csrf: ctx.csrf, confirm: t("approval.confirmWithdraw")))
            }
            if r.submitterID == actor.userID, state.status == .rejected || state.status == .withdrawn {
                actions.append(Forms.postButton(Paths.approval(r.id!) + "/resubmit", label: t("approval.resubmit"), csrf: ctx.csrf, cls: "btn btn-primary"))
            }
            return H.group([
                H.div("page-head", H.div("title-block", H.h1(r.title), H.div("summary-badges", Self.badge(r.approvalStatus, t: t))),
                      H.div("actions", H.a(Self.link(r), t("approval.openDocument"), cls: "btn"))),
                H.el("section", [.cls("card")], [H.el("dl", [.cls("facts")], [
                    H.el("dt", [], [H.text(t("approval.document"))]), H.el("dd", [], [H.text(t(ApprovalDocument(rawValue: r.documentType)?.labelKey ?? r.documentType))]),
                    H.el("dt", [], [H.text(t("approval.amount"))]), H.el("dd", [], [H.span("num", money(r.amount))]),
                    H.el("dt", [], [H.text(t("approval.submitter"))]), H.el("dd", [], [H.text(names[r.submitterID] ?? "")]),
                    H.el("dt", [], [H.text(t("approval.at"))]), H.el("dd", [], [H.text(ctx.dateTime(r.createdAt))]),
                ])]),
                H.el("section", [.cls("card")], [H.h2(t("approval.steps")), state.steps.isEmpty ? H.p(t("approval.noSteps"), cls: "muted") : steps]),
                actions.isEmpty ? H.empty : H.el("section", [.cls("card"), .id("act")], actions),
            ])
        }
    }

    @Sendable func act(req: Request) async throws -> Response {
        guard let action = req.parameters.get("action").flatMap(ApprovalService.Action.init(rawValue:)) else { throw AppError.notFound }
        let svc = try service(req)
        let id = req.parameters.get("id", as: UUID.self)
        let r = try await svc.get(id)
        do {
            _ = try await svc.act(id, action, comment: try? req.content.get(String.self, at: "comment"), link: Self.link(r))
            return req.redirect(Paths.approval(r.id!), flash: Flash(.success, "approval.done.\(action.rawValue)"))
        } catch let e as AppError where e.status == .unprocessableEntity || e.status == .conflict {
            return req.redirect(Paths.approval(r.id!), flash: Flash(.error, e.fields.values.first ?? e.messageKey))
        }
    }

    // MARK: flows

    @Sendable func flows(req: Request) async throws -> Response {
        let actor = try req.actor
        try actor.require(.view, .admin)
        let t = actor.t
        let svc = try service(req)
        var current: [ApprovalDocument: [ApprovalStepDefinition]] = [:]
        for doc in ApprovalDocument.allCases { current[doc] = try await svc.flow(doc) }
        let people = try await actor.activeColleagues(on: req.db)
        let roles = try await actor.inOrg(Role.self, on: req.db).sort(\.$name).rows()
        let slots = 4
        return req.page(title: t("nav.approvalFlows"), crumbs: [Crumb(label: t("nav.approvals"), href: Paths.approvals), Crumb(label: t("nav.approvalFlows"), href: nil)]) { ctx in
            H.group([
                H.div("page-head", H.h1(t("nav.approvalFlows"))),
                H.p(t("approvalFlow.hint"), cls: "muted"),
            ] + ApprovalDocument.allCases.map { doc in
                let steps = current[doc] ?? []
                let rows: [HNode] = (0..<slots).map { i in
                    let s = i < steps.count ? steps[i] : nil
                    let target: String? = switch s?.approvers {
                    case .users(let ids)?: ids.first
                    case .role(let id)?: id
                    default: nil
                    }
                    return H.el("tr", [], [
                        H.el("td", [], [H.void("input", [.type("text"), .name("name\(i)"), .value(s?.name), A("maxlength", "30"), A("aria-label", t("approvalFlow.stepName"))])]),
                        H.el("td", [], [H.el("select", [.name("kind\(i)"), A("aria-label", t("approvalFlow.approvers"))],
                            ["users", "supervisor", "role", "previousSupervisor"].map { (k: String) in
                                H.el("option", [.value(k), .flag("selected", s?.approvers.kind == k)], [H.text(t("approverRule.\(k)"))])
                            })]),
                        H.el("td", [], [H.el("select", [.name("target\(i)"), A("aria-label", t("approvalFlow.who"))],
                            [H.el("option", [.value("")], [H.text("—")])]
                            + people.map { p in H.el("option", [.value(p.id.uuidString), .flag("selected", target == p.id.uuidString)], [H.text(p.name)]) }
                            + roles.map { r in H.el("option", [.value(r.id!.uuidString), .flag("selected", target == r.id!.uuidString)], [H.text("\(t("approvalFlow.role")) · \(r.name)")]) })]),
                        H.el("td", [], [H.el("select", [.name("mode\(i)"), A("aria-label", t("approvalFlow.mode"))], ApprovalMode.allCases.map { m in
                            H.el("option", [.value(m.rawValue), .flag("selected", s?.mode == m)], [H.text(t("approvalMode.\(m.rawValue)"))])
                        })]),
                        H.el("td", [], [H.void("input", [.type("text"), .name("min\(i)"), .value(s?.minAmount.map { Money.plain($0, decimals: actor.org.moneyDecimals) }),
                                                         A("inputmode", "decimal"), A("aria-label", t("approvalFlow.minAmount"))])]),
                    ])
                }
                return H.el("section", [.cls("card"), .id("flow-\(doc.rawValue)")], [
                    H.h2(t(doc.labelKey)),
                    Forms.form(Paths.adminApprovalFlows + "/\(doc.rawValue)", csrf: ctx.csrf, [
                        H.div("table-wrap", H.el("table", [.cls("data")], [
                            H.el("thead", [], [H.el("tr", [], [t("approvalFlow.stepName"), t("approvalFlow.approvers"), t("approvalFlow.who"), t("approvalFlow.mode"),
                                                               t("approvalFlow.minAmount")].map { H.el("th", [], [H.text($0)]) })]),
                            H.el("tbody", [], rows),
                        ])),
                        Forms.actions(Forms.submit(t("action.save"))),
                    ]),
                ])
            })
        }
    }

    @Sendable func saveFlow(req: Request) async throws -> Response {
        let actor = try req.actor
        guard let doc = req.parameters.get("doc").flatMap(ApprovalDocument.init(rawValue:)) else { throw AppError.notFound }
        let form = try req.content.decode([String: String].self)
        var steps: [ApprovalStepDefinition] = []
        for i in 0..<10 {
            guard let name = Check.clean(form["name\(i)"]) else { continue }
            let target = Check.clean(form["target\(i)"]) ?? ""
            let rule: ApproverRule = switch form["kind\(i)"] {
            case "supervisor": .supervisor
            case "previousSupervisor": .previousSupervisor
            case "role": .role(target)
            default: .users(target.isEmpty ? [] : [target])
            }
            let min = Check.clean(form["min\(i)"]).map { Money.parse($0, decimals: actor.org.moneyDecimals) ?? -1 }
            steps.append(ApprovalStepDefinition(name: name, approvers: rule, mode: ApprovalMode(rawValue: form["mode\(i)"] ?? "") ?? .anyOne, minAmount: min))
        }
        do {
            try await service(req).saveFlow(doc, steps)
            return req.redirect(Paths.adminApprovalFlows, flash: Flash(.success, "flash.saved"))
        } catch let e as AppError where e.status == .unprocessableEntity {
            return req.redirect(Paths.adminApprovalFlows, flash: Flash(.error, e.fields.values.first ?? "error.validation"))
        }
    }
}

/// /api/v1/approvals and /api/v1/approval-flows.
struct ApprovalAPIController: RouteCollection {
    func boot(routes: RoutesBuilder) throws {
        routes.get("approvals", use: index)
        routes.get("approvals", ":id", use: show)
        routes.post("approvals", ":id", ":action", use: act)
        routes.get("approval-flows", ":doc", use: flow)
        routes.put("approval-flows", ":doc", use: saveFlow)
    }

    func service(_ req: Request) throws -> ApprovalService { ApprovalService(db: req.db, actor: try req.actor, now: req.now) }

    static func json(_ r: ApprovalRequest) -> JSONValue {
        let state = r.state
        return .object([
            ("id", .string(r.id!.uuidString)), ("documentType", .string(r.documentType)), ("recordID", .string(r.recordID.uuidString)),
            ("title", .string(r.title)), ("amount", .int(Int(r.amount))), ("submitterID", .string(r.submitterID.uuidString)), ("status", .string(r.status)),
            ("currentStep", .int(state?.current ?? 0)), ("waitingFor", .array((state?.waitingFor ?? []).map { .string($0) })),
            ("steps", .array((state?.steps ?? []).map { s in .object([("name", .string(s.name)), ("mode", .string(s.mode.rawValue)),
                                                                       ("approvers", .array(s.approvers.map { .string($0) }))]) })),
            ("decisions", .array((state?.decisions ?? []).map { d in
                var p: [(String, JSONValue)] = [("step", .int(d.step)), ("userID", .string(d.user)), ("verdict", .string(d.verdict.rawValue))]
                if let c = d.comment { p.append(("comment", .string(c))) }
                return .object(p)
            })),
            ("createdAt", .string(ISO8601.string(r.createdAt))),
        ])
    }

    @Sendable func index(req: Request) async throws -> Response {
        let svc = try service(req)
        let box = (try? req.query.get(String.self, at: "box")) ?? "inbox"
        guard ["inbox", "mine"].contains(box) else { throw AppError.badRequest("error.badParameter") }
        return JSONResponse.ok(.array(try await (box == "inbox" ? svc.inbox() : svc.submitted()).map(Self.json)))
    }

    @Sendable func show(req: Request) async throws -> Response {
        JSONResponse.ok(Self.json(try await service(req).get(req.parameters.get("id", as: UUID.self))))
    }

    @Sendable func act(req: Request) async throws -> Response {
        guard let action = req.parameters.get("action").flatMap(ApprovalService.Action.init(rawValue:)) else { throw AppError.notFound }
        struct Body: Content { var comment: String? }
        let svc = try service(req)
        let r = try await svc.get(req.parameters.get("id", as: UUID.self))
        let comment = req.body.data?.readableBytes ?? 0 > 0 ? try req.content.decode(Body.self).comment : nil
        return JSONResponse.ok(Self.json(try await svc.act(r.id, action, comment: comment, link: ApprovalPages.link(r))))
    }

    @Sendable func flow(req: Request) async throws -> Response {
        guard let doc = req.parameters.get("doc").flatMap(ApprovalDocument.init(rawValue:)) else { throw AppError.notFound }
        let actor = try req.actor
        try actor.require(.view, .admin)
        let steps = try await service(req).flow(doc)
        var headers = HTTPHeaders()
        headers.contentType = .json
        return Response(status: .ok, headers: headers, body: .init(data: try JSONEncoder().encode(steps)))
    }

    @Sendable func saveFlow(req: Request) async throws -> Response {
        guard let doc = req.parameters.get("doc").flatMap(ApprovalDocument.init(rawValue:)) else { throw AppError.notFound }
        try (try req.actor).require(.edit, .admin)
        let steps: [ApprovalStepDefinition]
        do { steps = try JSONDecoder().decode([ApprovalStepDefinition].self, from: Data(buffer: req.body.data ?? ByteBuffer())) } catch {
            throw AppError.badRequest("error.badRequest")
        }
        try await service(req).saveFlow(doc, steps)
        return try await flow(req: req)
    }
}
