import Foundation
import GuanxiCore
import Testing

/// `ISO8601.string` writes what the shared formatter writes (and JSONEncoder's `.iso8601`), without it.
@Suite struct ISO8601Tests {
    @Test func instantsAreWrittenAsTheFormatterWritesThem() {
        var instants: [Double] = [0, -0.5, -1, 86_399.999, 86_400, 951_782_400, 951_868_799.9, 4_107_542_400, 1_764_000_123.75,
                                  -2_208_988_800, -62_135_596_799, 253_402_300_799, 1_709_164_800, 978_307_199, 978_307_200,
                                  15.9994, 15.9995, -0.0004, -0.0006]
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<20_000 { instants.append(Double.random(in: -3_000_000_000...5_000_000_000, using: &rng)) }
        for t in instants {
            let date = Date(timeIntervalSince1970: t)
            #expect(ISO8601.string(date) == ISO8601.formatter.string(from: date), "\(t)")
        }
    }
}
