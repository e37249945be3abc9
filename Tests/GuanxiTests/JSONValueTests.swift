import Foundation
import Testing
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

    @Test func documentsKeepTheirKeyOrder() throws {
        let doc: JSONValue = .object([("z", 1), ("a", .array([true, false, "x/y", .object([])])), ("中", .array([])), ("m", -42)])
        #expect(doc.render() == #"{"z":1,"a":[true,false,"x\/y",{}],"中":[],"m":-42}"#)
        // Read back, it is the same document.
        let back = try JSONSerialization.jsonObject(with: Data(doc.render().utf8)) as? [String: Any]
        #expect(back?["m"] as? Int == -42 && (back?["a"] as? [Any])?.count == 4)
    }
}
