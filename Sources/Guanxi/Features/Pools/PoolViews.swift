import Fluent
import Foundation
import GuanxiCore
import Vapor

/// The ownership actions on the customer 360 view: claim from the pool, release, assign.
enum PoolViews {
    static func panel(for c: Customer, actor: Actor, req: Request) async throws -> (PageContext) -> HNode {
        let t = actor.t
        let svc = PoolService(db: req.db, actor: actor, now: req.now)
        let pools = try await svc.pools()
        let users = actor.can(.assign, .customers) ? try await actor.colleagueOptions(on: req.db) : PeopleOptions([])
        if c.ownerID == nil {
            let poolName = pools.first { $0.id == c.poolID }?.name ?? t("customer.noOwner")
            return { ctx in
                H.div("flash flash-info pool-panel",
                      H.span("", t("pool.waitingIn", poolName)),
                      actor.can(.edit, .customers) ? Forms.postButton(Paths.customerClaim(c.id!), label: t("pool.claim"), csrf: ctx.csrf, cls: "btn btn-primary") : H.empty,
                      actor.can(.edit, .customers) ? Forms.form(Paths.customer(c.id!) + "/claim-request", csrf: ctx.csrf, cls: "inline-save", [
                          H.void("input", [.type("text"), .name("reason"), A("placeholder", t("claim.reason")), A("aria-label", t("claim.reason")), A("maxlength", "500"), .flag("required")]),
                          H.el("button", [.type("submit"), .cls("btn")], [H.text(t("claim.ask"))]),
                      ]) : H.empty,
                      assignForm(c, actor: actor, users: users)(ctx))
            }
        }
        let canRelease = c.ownerID == actor.userID || actor.can(.assign, .customers)
        guard canRelease || actor.can(.assign, .customers) else { return { _ in H.empty } }
        let reasons = try await DictionaryService(db: req.db, actor: actor, now: req.now).options(.releaseReason)
        return { ctx in
            H.el("details", [.cls("card pool-actions")], [
                H.el("summary", [], [H.text(t("pool.actions"))]),
                H.div("grid-2",
                    canRelease ? Forms.form(Paths.customerRelease(c.id!), csrf: ctx.csrf, cls: "form", [
                        Forms.select("reason", label: t(c.ownerID == actor.userID ? "pool.releaseReason" : "pool.recallReason"),
                                     options: reasons.map { .init(value: $0.value, label: $0.label(t.locale)) }, selected: nil, error: nil, required: true, blank: "—"),
                        Forms.select("poolID", label: t("pool.target"), options: pools.map { .init(value: $0.id!.uuidString, label: $0.name) },
                                     selected: pools.first(where: \.isDefault)?.id?.uuidString, error: nil),
                        Forms.actions(H.el("button", [.type("submit"), .cls("btn btn-danger")],
                                           [H.text(t(c.ownerID == actor.userID ? "pool.release" : "pool.recall"))])),
                    ]) : H.empty,
                    assignForm(c, actor: actor, users: users)(ctx)),
            ])
        }
    }

    static func assignForm(_ c: Customer, actor: Actor, users: PeopleOptions) -> (PageContext) -> HNode {
        { ctx in
            guard actor.can(.assign, .customers), !users.isEmpty else { return H.empty }
            let t = ctx.t
            return Forms.form(Paths.customerAssign(c.id!), csrf: ctx.csrf, cls: "form", [
                Forms.select("ownerID", label: t("pool.assignTo"), people: users, except: c.ownerID, required: true, blank: "—"),
                Forms.actions(Forms.submit(t("pool.assign"))),
            ])
        }
    }
}
