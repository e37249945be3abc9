import Foundation
import GuanxiCore
import Vapor

/// Exports (PLT-19): rows go to a temporary file as they are read, in pages, then the file is streamed
/// to the browser and deleted — so a long list never sits in memory.
enum TableExport {
    enum Format: String, CaseIterable { case csv, xlsx }

    final class Sink {
        let format: Format
        private var csvHandle: FileHandle?
        private var csvURL: URL?
        private var xlsx: XLSX.Writer?
        private(set) var rows = 0

        init(_ format: Format) throws {
            self.format = format
            switch format {
            case .csv:
                let url = FileManager.default.temporaryDirectory.appendingPathComponent("gx-export-\(UUID().uuidString).csv")
                FileManager.default.createFile(atPath: url.path, contents: Data([0xEF, 0xBB, 0xBF]))
                csvURL = url
                csvHandle = try FileHandle(forWritingTo: url)
                csvHandle?.seekToEndOfFile()
            case .xlsx:
                xlsx = try XLSX.Writer()
            }
        }

        func add(_ cells: [String]) {
            rows += 1
            if let h = csvHandle { h.write(Data(CSV.line(cells).utf8)) }
            xlsx?.add(cells)
        }

        func finish() throws -> URL {
            if let h = csvHandle, let url = csvURL {
                try h.close()
                return url
            }
            return try xlsx!.finish()
        }
    }

    /// Streams the finished file as a download and removes it afterwards.
    static func download(_ req: Request, file: URL, name: String, format: Format) async throws -> Response {
        let type = format == .csv ? HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
            : HTTPMediaType(type: "application", subType: "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        let res = try await req.fileio.asyncStreamFile(at: file.path, mediaType: type) { _ in
            try? FileManager.default.removeItem(at: file)
        }
        let encoded = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "export"
        res.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"export.\(format.rawValue)\"; filename*=UTF-8''\(encoded).\(format.rawValue)")
        return res
    }
}
