import Foundation
import Testing
import Vapor
@testable import Guanxi

/// The API's documents are written by `JSONValue.render()`: the same text `JSONEncoder` writes, keys
/// in the order given.
@Suite struct JSONValueTests {
    @Test func stringsAreEscapedAsJSONEncoderEscapesThem() throws {
        var every = ""
        for i in 0..<0x80 { every.unicodeScalars.append(Unicode.Scalar(UInt8(i))) }
        let samples = [every, "", "北京华信科技有限公司", "a/b\\c\"d", "\u{2028}\u{2029}😀\u{7f}\u{80}\u{9f}\u{a0}\u{feff}", "tab\there\r\n", "</script>"]
        for s in samples {
            let encoded = String(decoding: try JSONEncoder().encode([s]), as: UTF8.self)
            #expect(JSONValue.array([.string(s)]).render() == encoded, "\(s.debugDescription)")
        }
    }

    /// A follow-up's JSON, written for the lists without JSONEncoder, is the document `Content` writes
    /// for one follow-up (`GET /follow-ups/:id`): with and without its optional fields.
    @Test func aFollowUpIsWrittenAsContentWritesIt() throws {
        let full = FollowUp(orgID: UUID(), customerID: UUID(), ownerID: UUID(), departmentID: nil, method: "visit",
                            content: "拜访\"报价\"/确认", happenedAt: Date(timeIntervalSince1970: 1_764_000_123), now: Date())
        full.id = UUID()
        full.contactID = UUID()
        full.result = "满意"
        full.nextContactOn = "2026-12-01"
        full.nextPlan = "送样品"
        let bare = FollowUp(orgID: UUID(), customerID: UUID(), ownerID: UUID(), departmentID: nil, method: "phone",
                            content: "x", happenedAt: Date(timeIntervalSince1970: 0), now: Date())
        bare.id = UUID()
        let encoder = try ContentConfiguration.global.requireEncoder(for: .json)
        for f in [full, bare] {
            let dto = FollowUpAPIController.FollowUpDTO(f)
            var body = ByteBufferAllocator().buffer(capacity: 0)
            var headers = HTTPHeaders()
            try encoder.encode(dto, to: &body, headers: &headers)
            let expected = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? NSDictionary
            let written = try JSONSerialization.jsonObject(with: Data(dto.json.render().utf8)) as? NSDictionary
            #expect(expected != nil && written == expected, "\(dto.json.render())")
        }
    }

    @Test func documentsKeepTheirKeyOrder() throws {
        let doc: JSONValue = .object([("z", 1), ("a", .array([true, false, "x/y", .object([])])), ("中", .array([])), ("m", -42)])
        #expect(doc.render() == #"{"z":1,"a":[true,false,"x\/y",{}],"中":[],"m":-42}"#)
        // Read back, it is the same document.
        let back = try JSONSerialization.jsonObject(with: Data(doc.render().utf8)) as? [String: Any]
        #expect(back?["m"] as? Int == -42 && (back?["a"] as? [Any])?.count == 4)
    }
}
