import Foundation
import GuanxiCore

extension Actor {
    /// A field's value as this actor may see it: nil when hidden, masked when masked.
    func visible(_ module: Module, _ field: String, _ value: String?) -> String? {
        switch fieldRule(module, field) {
        case .hidden: nil
        case .masked: value.map(Masking.mask)
        case .readOnly, nil: value
        }
    }

    func canWrite(_ module: Module, _ field: String) -> Bool {
        fieldRule(module, field) == nil
    }

    /// The same for fields whose rules are keyed by an entity prefix ("contacts").
    func visible(_ prefix: String, _ field: String, _ value: String?) -> String? {
        switch policy.rule(prefix: prefix, field: field) {
        case .hidden: nil
        case .masked: value.map(Masking.mask)
        case .readOnly, nil: value
        }
    }

    func canWrite(_ prefix: String, _ field: String) -> Bool { policy.rule(prefix: prefix, field: field) == nil }
}
