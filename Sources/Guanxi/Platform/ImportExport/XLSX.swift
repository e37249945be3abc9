import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import ZIPFoundation

/// Reads the first sheet of an .xlsx into rows of text, and writes rows into a one-sheet .xlsx.
enum XLSX {
    enum Failure: Error { case notAWorkbook }

    // MARK: reading

    static func read(_ data: Data) throws -> [[String]] {
        let archive = try Archive(data: data, accessMode: .read)
        func file(_ path: String) throws -> Data? {
            guard let entry = archive[path] else { return nil }
            var out = Data()
            _ = try archive.extract(entry, skipCRC32: false) { out.append($0) }
            return out
        }
        let chosen = archive["xl/worksheets/sheet1.xml"] != nil ? "xl/worksheets/sheet1.xml"
            : archive.first { $0.path.hasPrefix("xl/worksheets/") && $0.path.hasSuffix(".xml") }?.path
        guard let chosen, let sheet = try file(chosen) else { throw Failure.notAWorkbook }
        let shared = try file("xl/sharedStrings.xml").map(SharedStrings.parse) ?? []
        return SheetReader.parse(sheet, shared: shared)
    }

    private final class SharedStrings: NSObject, XMLParserDelegate {
        var items: [String] = []
        var current = ""
        var inText = false
        var inItem = false

        static func parse(_ data: Data) -> [String] {
            let d = SharedStrings()
            let p = XMLParser(data: data)
            p.delegate = d
            p.parse()
            return d.items
        }

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            if name == "si" { inItem = true; current = "" }
            if name == "t", inItem { inText = true }
            // Phonetic guides (<rPh>) repeat the text in kana or pinyin; skip them.
            if name == "rPh" { inItem = false }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if name == "t" { inText = false }
            if name == "rPh" { inItem = true }
            if name == "si" { items.append(current); inItem = false }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if inText, inItem { current += string }
        }
    }

    private final class SheetReader: NSObject, XMLParserDelegate {
        var rows: [[String]] = []
        var row: [Int: String] = [:]
        var cellColumn = 0
        var cellType = ""
        var value = ""
        var capturing = false
        var shared: [String] = []

        static func parse(_ data: Data, shared: [String]) -> [[String]] {
            let r = SheetReader()
            r.shared = shared
            let p = XMLParser(data: data)
            p.delegate = r
            p.parse()
            while let last = r.rows.last, last.allSatisfy({ $0.isEmpty }) { r.rows.removeLast() }
            return r.rows
        }

        static func column(_ ref: String) -> Int {
            var n = 0
            for c in ref.unicodeScalars where c.value >= 65 && c.value <= 90 { n = n * 26 + Int(c.value - 64) }
            return max(0, n - 1)
        }

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            switch name {
            case "row":
                row = [:]
                if let r = attributes["r"].flatMap(Int.init) { while rows.count < r - 1 { rows.append([]) } }
            case "c":
                cellColumn = attributes["r"].map(Self.column) ?? row.count
                cellType = attributes["t"] ?? ""
                value = ""
            case "v", "t":
                capturing = true
            default: break
            }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            switch name {
            case "v", "t":
                capturing = false
            case "c":
                row[cellColumn] = cellType == "s" ? (Int(value).flatMap { shared.indices.contains($0) ? shared[$0] : nil } ?? "") : value
            case "row":
                let width = (row.keys.max() ?? -1) + 1
                rows.append((0..<width).map { row[$0] ?? "" })
            default: break
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if capturing { value += string }
        }
    }

    // MARK: writing

    /// Writes a sheet row by row to a temporary file, then zips it, so a long export never sits in memory.
    final class Writer {
        let sheetURL: URL
        private let handle: FileHandle

        init() throws {
            sheetURL = FileManager.default.temporaryDirectory.appendingPathComponent("gx-sheet-\(UUID().uuidString).xml")
            FileManager.default.createFile(atPath: sheetURL.path, contents: nil)
            handle = try FileHandle(forWritingTo: sheetURL)
            handle.write(Data(#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#.utf8))
        }

        private var rowNumber = 0

        func add(_ cells: [String]) {
            rowNumber += 1
            var xml = "<row r=\"\(rowNumber)\">"
            for cell in cells {
                xml += "<c t=\"inlineStr\"><is><t xml:space=\"preserve\">\(XLSX.escape(cell))</t></is></c>"
            }
            xml += "</row>"
            handle.write(Data(xml.utf8))
        }

        /// The finished workbook as a file; the caller streams and deletes it.
        func finish() throws -> URL {
            handle.write(Data("</sheetData></worksheet>".utf8))
            try handle.close()
            let out = FileManager.default.temporaryDirectory.appendingPathComponent("gx-export-\(UUID().uuidString).xlsx")
            let archive = try Archive(url: out, accessMode: .create)
            for (path, text) in XLSX.parts {
                let data = Data(text.utf8)
                try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { pos, size in
                    data.subdata(in: Int(pos)..<Int(pos) + size)
                }
            }
            try archive.addEntry(with: "xl/worksheets/sheet1.xml", fileURL: sheetURL, compressionMethod: .deflate)
            try? FileManager.default.removeItem(at: sheetURL)
            return out
        }
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default:
                // Control characters are not allowed in XML 1.0.
                if c.value < 0x20, c != "\n", c != "\t", c != "\r" { continue }
                out.unicodeScalars.append(c)
            }
        }
        return out
    }

    static let parts: [(String, String)] = [
        ("[Content_Types].xml", #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#),
        ("_rels/.rels", #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#),
        ("xl/workbook.xml", #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#),
        ("xl/_rels/workbook.xml.rels", #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#),
    ]
}
