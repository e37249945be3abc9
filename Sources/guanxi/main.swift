import Foundation
import Guanxi
import Logging
import Vapor

var env = try Environment.detect()
try LoggingSystem.bootstrap(from: &env)
let app = try await Application.make(env)
do {
    try await configure(app, settings: Settings.fromEnvironment())
    try await app.execute()
} catch {
    // Said once, then a failing exit status; rethrowing here printed a crash backtrace instead.
    app.logger.report(error: error)
    try? await app.asyncShutdown()
    exit(1)
}
try await app.asyncShutdown()
