import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// Where mail goes. GUANXI_SMTP_URL names the server: `smtp://user:password@host:587?starttls=1`
/// (plain or STARTTLS) or `smtps://user:password@host:465` (TLS from the start, as most Chinese
/// mail hosts expect); GUANXI_SMTP_FROM the sender address, optionally `Name <address>`.
public struct MailSettings: Sendable, Equatable {
    public enum Security: String, Sendable { case none, startTLS, tls }

    public var host: String
    public var port: Int
    public var security: Security
    public var username: String?
    public var password: String?
    public var fromAddress: String
    public var fromName: String?

    public init(host: String, port: Int, security: Security = .none, username: String? = nil, password: String? = nil, fromAddress: String, fromName: String? = nil) {
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
        self.fromAddress = fromAddress
        self.fromName = fromName
    }

    /// nil when the URL or the sender is missing or malformed.
    public static func parse(url: String?, from: String?) -> MailSettings? {
        guard let url, let c = URLComponents(string: url), let scheme = c.scheme, ["smtp", "smtps"].contains(scheme),
              let host = c.host, !host.isEmpty, let from, !from.isEmpty else { return nil }
        let starttls = c.queryItems?.contains { $0.name == "starttls" && ["1", "true", "yes"].contains($0.value ?? "") } ?? false
        let security: Security = scheme == "smtps" ? .tls : starttls ? .startTLS : .none
        var name: String?
        var address = from.trimmingCharacters(in: .whitespaces)
        if let open = address.lastIndex(of: "<"), address.hasSuffix(">") {
            name = address[..<open].trimmingCharacters(in: .whitespaces)
            address = String(address[address.index(after: open)..<address.index(before: address.endIndex)])
        }
        guard SMTP.isSafeAddress(address) else { return nil }
        return MailSettings(host: host, port: c.port ?? (scheme == "smtps" ? 465 : 25), security: security,
                            username: c.percentEncodedUser?.removingPercentEncoding, password: c.percentEncodedPassword?.removingPercentEncoding,
                            fromAddress: address, fromName: name?.isEmpty == true ? nil : name)
    }
}

struct MailMessage: Sendable {
    let to: String
    let subject: String
    let body: String
}

struct SMTPError: Error, CustomStringConvertible {
    let code: Int
    let text: String
    var description: String { "SMTP \(code) \(text)" }
}

/// A small SMTP client (RFC 5321) for notification copies: one connection per batch, AUTH PLAIN or
/// LOGIN, UTF-8 subject and body as base64. A message the server refuses fails alone; a broken
/// connection fails the batch.
enum SMTP {
    /// Sends every message; the result per message is nil when the server accepted it, else the reason.
    static func send(_ messages: [MailMessage], with settings: MailSettings, on group: EventLoopGroup, now: Date, timeout: TimeAmount = .seconds(60)) async throws -> [String?] {
        try await withThrowingTaskGroup(of: [String?].self) { tasks in
            tasks.addTask { try await session(messages, settings, group, now) }
            tasks.addTask {
                try await Task.sleep(nanoseconds: UInt64(timeout.nanoseconds))
                throw SMTPError(code: 0, text: "timed out")
            }
            let first = try await tasks.next()!
            tasks.cancelAll()
            return first
        }
    }

    static func isSafeAddress(_ a: String) -> Bool {
        let parts = a.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && a.count <= 254
            && !a.contains(where: { $0 == "<" || $0 == ">" || $0 == "\r" || $0 == "\n" || $0 == " " || $0 == "," })
    }

    private static func session(_ messages: [MailMessage], _ s: MailSettings, _ group: EventLoopGroup, _ now: Date) async throws -> [String?] {
        let isIP = s.host.allSatisfy { $0.isNumber || $0 == "." || $0 == ":" }
        let tls = try NIOSSLContext(configuration: .makeClientConfiguration())
        let channel = try await ClientBootstrap(group: group).connectTimeout(.seconds(10))
            .connect(host: s.host, port: s.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if s.security == .tls {
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: isIP ? nil : s.host))
                    }
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var c = Conversation(lines: inbound.makeAsyncIterator(), outbound: outbound)
            _ = try await c.expect(220)
            let me = "guanxi.local"
            var ehlo = try await c.command("EHLO \(me)", 250)
            if s.security == .startTLS {
                _ = try await c.command("STARTTLS", 220)
                try await channel.channel.pipeline.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: isIP ? nil : s.host), position: .first).get()
                ehlo = try await c.command("EHLO \(me)", 250)
            }
            if let user = s.username, let password = s.password {
                if ehlo.uppercased().contains("PLAIN") {
                    _ = try await c.command("AUTH PLAIN " + Data("\0\(user)\0\(password)".utf8).base64EncodedString(), 235)
                } else {
                    _ = try await c.command("AUTH LOGIN", 334)
                    _ = try await c.command(Data(user.utf8).base64EncodedString(), 334)
                    _ = try await c.command(Data(password.utf8).base64EncodedString(), 235)
                }
            }
            var results: [String?] = []
            for m in messages {
                guard isSafeAddress(m.to) else { results.append("bad address"); continue }
                do {
                    _ = try await c.command("MAIL FROM:<\(s.fromAddress)>", 250)
                    _ = try await c.command("RCPT TO:<\(m.to)>", 250, 251)
                    _ = try await c.command("DATA", 354)
                    _ = try await c.command(render(m, from: s, now: now) + "\r\n.", 250)
                    results.append(nil)
                } catch let e as SMTPError where e.code >= 400 {
                    results.append(e.description)
                    _ = try? await c.command("RSET", 250)
                }
            }
            _ = try? await c.command("QUIT", 221)
            return results
        }
    }

    /// The message as sent after DATA: headers, a blank line, the base64 body (no line starts with a dot).
    static func render(_ m: MailMessage, from s: MailSettings, now: Date) -> String {
        let date = DateFormatter()
        date.locale = Locale(identifier: "en_US_POSIX")
        date.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        let domain = s.fromAddress.split(separator: "@").last.map(String.init) ?? "guanxi.local"
        let from = s.fromName.map { "\(encodedWord($0)) <\(s.fromAddress)>" } ?? "<\(s.fromAddress)>"
        let body = Data(m.body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n").utf8)
            .base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        return [
            "From: \(from)", "To: <\(m.to)>", "Subject: \(encodedWord(m.subject))", "Date: \(date.string(from: now))",
            "Message-ID: <\(UUID().uuidString.lowercased())@\(domain)>", "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=UTF-8", "Content-Transfer-Encoding: base64", "", body,
        ].joined(separator: "\r\n")
    }

    /// RFC 2047 encoded word, so Chinese subjects and names survive any server.
    static func encodedWord(_ s: String) -> String {
        let clean = s.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        return "=?UTF-8?B?\(Data(clean.utf8).base64EncodedString())?="
    }
}

/// Reading replies line by line over an async channel.
private struct Conversation {
    var lines: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    var pending: [UInt8] = []

    mutating func line() async throws -> String {
        while true {
            if let nl = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let bytes = pending[..<nl].filter { $0 != UInt8(ascii: "\r") }
                pending.removeSubrange(...nl)
                return String(decoding: bytes, as: UTF8.self)
            }
            guard var chunk = try await lines.next() else { throw SMTPError(code: 0, text: "connection closed") }
            pending += chunk.readBytes(length: chunk.readableBytes) ?? []
        }
    }

    /// One reply, maybe over several lines ("250-…" continues, "250 …" ends); its text joined.
    mutating func reply(_ codes: [Int]) async throws -> String {
        var text: [String] = []
        while true {
            let l = try await line()
            guard l.count >= 3, let code = Int(l.prefix(3)) else { throw SMTPError(code: 0, text: "bad reply: \(l.prefix(80))") }
            text.append(String(l.dropFirst(4)))
            if l.count == 3 || l[l.index(l.startIndex, offsetBy: 3)] == " " {
                guard codes.contains(code) else { throw SMTPError(code: code, text: text.joined(separator: " ")) }
                return text.joined(separator: "\n")
            }
        }
    }

    mutating func expect(_ codes: Int...) async throws -> String { try await reply(codes) }

    mutating func command(_ line: String, _ codes: Int...) async throws -> String {
        try await outbound.write(ByteBuffer(string: line + "\r\n"))
        return try await reply(codes)
    }
}
