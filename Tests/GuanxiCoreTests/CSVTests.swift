import Foundation
import Testing
@testable import GuanxiCore

@Suite struct CSVTests {
    @Test func quotesCommasAndLineBreaks() {
        let rows = CSV.parse("\u{FEFF}名称,备注\r\n\"北京,新能源\",\"说\"\"你好\"\"\n第二行\"\r\n上海,\r\n\r\n")
        #expect(rows == [["名称", "备注"], ["北京,新能源", "说\"你好\"\n第二行"], ["上海", ""]])
    }

    @Test func writesWhatItReads() {
        let fields = ["a,b", "say \"hi\"", "line\nbreak", "普通"]
        #expect(CSV.parse(CSV.line(fields)) == [fields])
        #expect(CSV.escape("=SUM(A1)") == "'=SUM(A1)")
        #expect(CSV.escape("-5") == "-5")
    }

    @Test func decodesGBKAsSavedByChineseExcel() {
        let text = "名称,电话\r\n北京新能源,13800000000\r\n"
        let gbk = text.data(using: TextDecoding.gb18030)!
        #expect(String(data: gbk, encoding: .utf8) == nil)
        #expect(TextDecoding.decode(gbk) == text)
        #expect(TextDecoding.decode(Data(text.utf8)) == text)
    }
}
