import Foundation
import Testing
import Vapor
@testable import Guanxi

@Suite struct ShutdownTests {
    struct Slow: AsyncResponder {
        func respond(to request: Request) async throws -> Response {
            try await Task.sleep(for: .milliseconds(300))
            return Response(status: .ok)
        }
    }

    /// Stopping waits for the requests still being answered before the databases close.
    @Test func shutdownWaitsForRequestsStillRunning() async throws {
        let app = try await Application.make(.testing)
        let inFlight = InFlightRequests()
        let request = Request(application: app, on: app.eventLoopGroup.any())
        let answer = Task { try await inFlight.respond(to: request, chainingTo: Slow()) }
        while inFlight.count == 0 { try await Task.sleep(for: .milliseconds(5)) }
        let started = ContinuousClock.now
        await inFlight.shutdownAsync(app)
        #expect(ContinuousClock.now - started >= .milliseconds(200))
        #expect(inFlight.count == 0)
        #expect(try await answer.value.status == .ok)
        // With nothing running it does not wait.
        let again = ContinuousClock.now
        await inFlight.shutdownAsync(app)
        #expect(ContinuousClock.now - again < .milliseconds(100))
        try await app.asyncShutdown()
    }
}
