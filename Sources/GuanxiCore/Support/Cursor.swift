import Foundation

/// A keyset position in a sorted list: the last row's sort value and id, opaque to clients.
public struct PageCursor: Codable, Sendable, Equatable {
    public var value: String
    public var id: String

    public init(value: String, id: String) {
        self.value = value
        self.id = id
    }

    public var token: String {
        let data = (try? JSONEncoder().encode(self)) ?? Data()
        return data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public init?(token: String) {
        var b64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b64.count % 4 != 0 { b64 += "=" }
        guard token.count < 1024, let data = Data(base64Encoded: b64),
              let decoded = try? JSONDecoder().decode(PageCursor.self, from: data) else { return nil }
        self = decoded
    }
}
