import Foundation
import Testing
@testable import Guanxi

/// The people pickers of the 360 view are written from options kept per organisation (`PeopleOptions`);
/// they must be the HTML `Forms.select` writes from the same people.
@Suite struct PeopleOptionsTests {
    @Test func keptOptionsWriteWhatTheSelectWrites() {
        let people = [Colleague(id: UUID(), name: "李娜"), Colleague(id: UUID(), name: "Tom & \"Jerry\" <x>"), Colleague(id: UUID(), name: "王'伟")]
        let options = PeopleOptions(people)
        for except in [nil, people[1].id] {
            for selected in [nil, people[0].id, people[2].id] {
                let kept = H.render(Forms.select("ownerID", label: "负责人", people: options, except: except, selected: selected, required: true, blank: "—"))
                let built = H.render(Forms.select("ownerID", label: "负责人",
                                                  options: people.filter { $0.id != except }.map { .init(value: $0.id.uuidString, label: $0.name) },
                                                  selected: selected?.uuidString, error: nil, required: true, blank: "—"))
                #expect(kept == built)
            }
        }
        #expect(PeopleOptions([]).isEmpty)
    }
}
