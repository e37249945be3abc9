import Foundation
import Guanxi
import Logging
import NIOCore
import NIOPosix
import Vapor

// Tasks run on the event loops that do the I/O: without this every database call and response hopped
// between Swift's thread pool and NIO's, and the switching cost more than the work (perf: a third of the
// server's time in the kernel's task switching under load).
NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()

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
