import Foundation
import NIOConcurrencyHelpers
import Testing
import Vapor
@testable import Guanxi

/// A page's panels share what the request already loaded; writes never see a remembered answer.
@Suite struct RequestMemoTests {
    @Test func eachKeyLoadsOnceAndARememberedNothingIsNotConfusedWithAMissingEntry() async throws {
        let memo = RequestMemo()
        let loads = NIOLockedValueBox(0)
        let none: Int? = await memo.value("a") { loads.withLockedValue { $0 += 1 }; return nil }
        let again: Int? = await memo.value("a") { loads.withLockedValue { $0 += 1 }; return 1 }
        #expect(none == nil && again == nil)
        // A key never stored must load, not read as a stored nil.
        let other: Int? = await memo.value("b") { loads.withLockedValue { $0 += 1 }; return 7 }
        #expect(other == 7)
        #expect(loads.withLockedValue { $0 } == 2)
        // A failed load is not remembered.
        await #expect(throws: AppError.self) { let _: Int = try await memo.value("c") { throw AppError.notFound } }
        #expect(await memo.value("c") { 3 } == 3)
    }

    @Test func onlyReadingRequestsRemember() async throws {
        try await withGuanxi { app, _ in
            let world = try await World.build(app)
            let actor = try await Actor.resolve(userID: world.users["admin"]!, sessionID: nil, fallbackLocale: .zhHans, on: app.db)!
            #expect(actor.memo == nil)
            #expect(actor.serving(.GET).memo != nil && actor.serving(.HEAD).memo != nil)
            #expect(actor.serving(.POST).memo == nil && actor.serving(.PATCH).memo == nil && actor.serving(.DELETE).memo == nil)
            // Two reading requests do not share a memo.
            #expect(actor.serving(.GET).memo !== actor.serving(.GET).memo)
        }
    }
}
